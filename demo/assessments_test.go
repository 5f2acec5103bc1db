package demo_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/store"
	"parindex/store/storetest"
)

// TestDemoAssessmentYear: the demo's departments are in every state of the
// cycle, with evidence, comments and explanations, and work waits for the
// demo logins.
func TestDemoAssessmentYear(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSQLite(t)
	s, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.01, SkipSnapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Assessment.Assessments < 15 || s.Assessment.Evidence < 20 {
		t.Errorf("assessment demo: %+v", s.Assessment)
	}
	list, f, err := db.ListAssessments(ctx, "province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	states := map[parindex.AssessmentState]int{}
	var comments, explanations, evidence, pending2, pending6 int
	byUnit := map[string]*store.Assessment{}
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
			switch store.AreaOf(f, node) {
			case "2":
				pending2++
			case "6":
				pending6++
			}
		}
	}
	for _, st := range parindex.AssessmentStates {
		if states[st] == 0 {
			t.Errorf("no demo agency in state %s", st)
		}
	}
	if comments == 0 || explanations == 0 || evidence == 0 || pending2 == 0 || pending6 == 0 {
		t.Errorf("comments %d, explanations %d, evidence %d, waiting in area 2: %d, area 6: %d", comments, explanations, evidence, pending2, pending6)
	}
	if a := byUnit["SNV"]; a.State != parindex.AssessmentDraft || a.Locked || a.ReopenedUntil.IsZero() {
		t.Errorf("SNV: %s, locked %v, reopened until %s", a.State, a.Locked, a.ReopenedUntil)
	}
	if a := byUnit["DPTTH"]; !a.Locked {
		t.Error("a late draft is not locked")
	}
	if a := byUnit["STP"]; a.State != parindex.AssessmentExplanation || a.Locked {
		t.Errorf("STP: %s, locked %v", a.State, a.Locked)
	}
	final, err := db.FinalAssessments(ctx, "province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	if in := final["VPUB"]; in.State != "final" || len(in.Points) == 0 || len(in.Metrics) == 0 {
		t.Errorf("VPUB final inputs: %+v", in)
	}
	again, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.01, SkipSnapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.Assessment != (demo.AssessmentSummary{}) {
		t.Errorf("a second seed changed the assessments: %+v", again.Assessment)
	}
}
