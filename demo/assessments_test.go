package demo_test

import (
	"context"
	"testing"

	"parindex/assessment"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/store/storetest"
)

// TestDemoAssessmentYear: the demo's current year has departments in every
// state of the cycle, with evidence, comments and explanations, and work
// waits for the demo logins; last year's agencies are all final, and the
// communes have their assessments too.
func TestDemoAssessmentYear(t *testing.T) {
	ctx := context.Background()
	opts := demo.Options{SurveyVolume: 0.01, SkipSnapshots: true}
	db := storetest.MustOpenSQLite(t)
	s := demotest.Seed(t, db, opts)
	// 20 departments and 60 communes, in each of two years.
	if s.Assessment.Assessments != 160 || s.Assessment.Evidence < 100 {
		t.Errorf("assessment demo: %+v", s.Assessment)
	}
	list, f, err := db.ListAssessments(ctx, "province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	states := map[assessment.State]int{}
	var comments, explanations, evidence int
	pending := map[[2]string]int{} // state, area → leaves waiting
	byUnit := map[string]*assessment.Assessment{}
	for _, a := range list {
		byUnit[a.UnitCode] = a
		states[a.State]++
		for node, pair := range a.Appraisals {
			if pair[0] != nil && pair[0].Comment != "" {
				comments++
			}
			if a.Explained(node) {
				explanations++
			}
		}
		for _, files := range a.Evidence {
			evidence += len(files)
		}
		for _, node := range a.PendingLeaves(f) {
			pending[[2]string{string(a.State), assessment.AreaOf(f, node)}]++
		}
	}
	for _, st := range assessment.States {
		if states[st] == 0 {
			t.Errorf("no demo agency in state %s", st)
		}
	}
	// Most departments are final; a few stay in the cycle.
	if states[assessment.StateFinal] < 14 {
		t.Errorf("%d final departments, want most: %v", states[assessment.StateFinal], states)
	}
	if comments == 0 || explanations == 0 || evidence == 0 {
		t.Errorf("comments %d, explanations %d, evidence %d", comments, explanations, evidence)
	}
	// The Justice (area 2) and Finance (area 6) appraisers have leaves
	// waiting in both rounds.
	for _, st := range []assessment.State{assessment.StateAppraisal1, assessment.StateAppraisal2} {
		for _, area := range []string{"2", "6"} {
			if pending[[2]string{string(st), area}] == 0 {
				t.Errorf("no leaf of area %s waits in %s: %v", area, st, pending)
			}
		}
	}
	// SNV's clerk and leader have a reopened draft, four criteria short of
	// submitting.
	snv := byUnit["SNV"]
	system, err := db.UnitYearMetrics(ctx, 2026, snv.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	if unscored := snv.Unscored(f, system); snv.State != assessment.StateDraft || snv.Locked || snv.ReopenedUntil.IsZero() || len(unscored) != 4 {
		t.Errorf("SNV: %s, locked %v, reopened until %s, unscored %v", snv.State, snv.Locked, snv.ReopenedUntil, unscored)
	}
	if a := byUnit["STP"]; a.State != assessment.StateExplanation || a.Locked || len(a.Appraisals) == 0 {
		t.Errorf("STP: %s, locked %v", a.State, a.Locked)
	}
	final, err := db.FinalAssessments(ctx, "province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	if in := final["VPUB"]; in.State != "final" || len(in.Points) == 0 || len(in.Metrics) == 0 {
		t.Errorf("VPUB final inputs: %+v", in)
	}

	// The communes: X001's leader has explanations to submit, a late
	// draft is locked, the rest are final.
	communes, _, err := db.ListAssessments(ctx, "communes-2026")
	if err != nil {
		t.Fatal(err)
	}
	finals := 0
	for _, a := range communes {
		switch a.UnitCode {
		case "X001":
			explained := 0
			for node := range a.Entries {
				if a.Explained(node) {
					explained++
				}
			}
			if a.State != assessment.StateExplanation || a.Locked || explained == 0 {
				t.Errorf("X001: %s, locked %v, %d explanations", a.State, a.Locked, explained)
			}
		case "X037":
			if a.State != assessment.StateDraft || !a.Locked {
				t.Errorf("X037: %s, locked %v; want a late draft, locked", a.State, a.Locked)
			}
		}
		if a.State == assessment.StateFinal {
			finals++
		}
	}
	if len(communes) != 60 || finals < 55 {
		t.Errorf("%d of %d communes final, want most", finals, len(communes))
	}
	// Last year every agency finished the cycle.
	for _, code := range []string{"province-departments-2025", "communes-2025"} {
		last, _, err := db.ListAssessments(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range last {
			if a.State != assessment.StateFinal {
				t.Errorf("%s: %s is %s, want final", code, a.UnitCode, a.State)
			}
		}
	}

	if again := demotest.Seed(t, db, opts); again.Assessment != (demo.AssessmentSummary{}) {
		t.Errorf("a second seed changed the assessments: %+v", again.Assessment)
	}
}
