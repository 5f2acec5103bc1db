package survey_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"parindex"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/store/storetest"
	"parindex/survey"
)

// A unit's result is exact by default; with ServeStale the dashboards get
// the cached one at once after a new response, and the fresh one shortly.
func TestServeStale(t *testing.T) {
	ctx := context.Background()
	db := demotest.SQLite(t, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true})
	exact := survey.NewService(db, survey.ResultOptions{BootstrapReps: 50, Seed: 7})
	stale := survey.NewService(db, survey.ResultOptions{BootstrapReps: 50, Seed: 7})
	stale.ServeStale(time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	unit := func(svc *survey.Service) int {
		t.Helper()
		g, err := svc.Unit(ctx, "sipas-2026", "SNV", survey.Period{}, true)
		if err != nil {
			t.Fatal(err)
		}
		return g.Respondents
	}
	before := unit(exact)
	if got := unit(stale); got != before {
		t.Fatalf("first read: %d respondents, want %d", got, before)
	}

	// One more response for SNV.
	stored, err := db.InstrumentByCode(ctx, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ParseInstrument("sipas-2026.yaml", []byte(stored.Source))
	if err != nil {
		t.Fatal(err)
	}
	snv := storetest.Unit(t, db, "SNV")
	codes := survey.QuestionCodes(in)
	answers := make([]byte, len(codes))
	for i := range answers {
		answers[i] = '4'
	}
	now := time.Now().UTC()
	r := &parindex.Response{InstrumentID: stored.ID, UnitID: snv.ID, Day: parindex.DateOf(now), SubmittedHour: now.Truncate(time.Hour),
		IdempotencyKey: "stale-test", Answers: string(answers), Source: parindex.SourcePaper}
	if _, err := db.InsertResponses(ctx, []*parindex.Response{r}, map[int64][]string{stored.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}

	if got := unit(exact); got != before+1 {
		t.Errorf("exact service after a new response: %d respondents, want %d", got, before+1)
	}
	if got := unit(stale); got != before {
		t.Errorf("stale service right after a new response: %d respondents, want the cached %d", got, before)
	}
	deadline := time.Now().Add(20 * time.Second)
	for unit(stale) != before+1 {
		if time.Now().After(deadline) {
			t.Fatalf("the stale service never caught up with the new response")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
