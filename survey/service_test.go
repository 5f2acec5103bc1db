package survey_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/store"
	"parindex/survey"
)

// The province-wide figures from the count table and the full figures from
// raw answers agree on every point estimate, on both dialects.
func TestServiceCountsAgreeWithAnswers(t *testing.T) {
	demotest.Each(t, demo.Options{SurveyVolume: 0.05}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := survey.NewService(db, survey.ResultOptions{BootstrapReps: 200, Seed: 7})
		all, err := svc.Units(ctx, "sipas-2026", survey.Period{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 70 {
			t.Fatalf("results for %d units", len(all))
		}
		for _, code := range []string{"SNV", "X001", "P002"} {
			fast, ok := all[code]
			if !ok {
				t.Fatalf("no result for %s", code)
			}
			full, err := svc.Unit(ctx, "sipas-2026", code, survey.Period{}, false)
			if err != nil {
				t.Fatal(err)
			}
			if fast.Respondents != full.Respondents || fast.Flagged != full.Flagged || !near(float64(fast.Overall.Index), float64(full.Overall.Index)) {
				t.Errorf("%s: counts say %d/%d/%v, answers say %d/%d/%v", code, fast.Respondents, fast.Flagged, fast.Overall.Index,
					full.Respondents, full.Flagged, full.Overall.Index)
			}
			for q, fq := range fast.Questions {
				if fq != full.Questions[q] {
					t.Errorf("%s %s: %+v vs %+v", code, q, fq, full.Questions[q])
				}
			}
			if full.Overall.CI95 == nil || float64(full.Overall.CI95[0]) > float64(full.Overall.Index) {
				t.Errorf("%s: interval %v around %v", code, full.Overall.CI95, full.Overall.Index)
			}
		}
		// Flagged responses count when asked for.
		withFlagged, _ := svc.Units(ctx, "sipas-2026", survey.Period{}, true)
		snv := all["SNV"]
		if withFlagged["SNV"].Respondents != snv.Respondents+snv.Flagged {
			t.Errorf("with flagged: %d, want %d + %d", withFlagged["SNV"].Respondents, snv.Respondents, snv.Flagged)
		}
		// A period with nothing in it.
		empty, _ := svc.Units(ctx, "sipas-2026", survey.Year(2001), false)
		if len(empty) != 0 {
			t.Errorf("2001 has %d units with results", len(empty))
		}
		if _, err := svc.Unit(ctx, "sipas-2026", "KHONGCO", survey.Period{}, false); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown unit: %v", err)
		}
	})
}
