package snapshot_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

func TestRunScoresThePublishedFrameworkAndFreezes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.05, SkipSnapshots: true}); err != nil {
			t.Fatal(err)
		}
		rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{})}
		run, err := rn.Build(ctx, "province-departments-2026", 0)
		if err != nil {
			t.Fatal(err)
		}
		// The 20 demo departments, and only departments.
		if len(run.Inputs.Agencies) != 20 || run.Agency("SNV") == nil || run.Agency("X001") != nil {
			t.Fatalf("agencies: %d", len(run.Inputs.Agencies))
		}
		// Survey leaves read the unit's year of answers: the overall share
		// equals the mean of its element shares.
		snv := run.Agency("SNV").Survey["sipas-2026"]
		if snv == nil || snv["overall"].Satisfaction == nil || snv["access"].Satisfaction == nil || snv["overall"].N == 0 {
			t.Fatalf("SNV survey inputs = %+v", snv)
		}
		units, _ := rn.Survey.Units(ctx, "sipas-2026", survey.Year(2026), false)
		if got, want := *snv["access"].Satisfaction, float64(units["SNV"].Elements["access"].Index); got != want {
			t.Errorf("SNV access = %v, the survey results say %v", got, want)
		}

		s, res, err := rn.Score(ctx, parindex.Actor{Name: "test"}, "province-departments-2026", snapshot.Options{Draws: 200})
		if err != nil {
			t.Fatal(err)
		}
		if s.Status != parindex.StatusDraft || len(s.Units) != 20 || len(res.Agencies) != 20 || s.Seed != 2026 {
			t.Fatalf("snapshot = %+v", s)
		}
		stored, err := db.Snapshot(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		back, err := snapshot.Result(stored)
		if err != nil {
			t.Fatal(err)
		}
		first := back.Agencies[0]
		if first.Rank != 1 || first.IndexRounded == nil || stored.Units[0].UnitCode != first.Code || *stored.Units[0].IndexRounded != *first.IndexRounded {
			t.Errorf("stored ranking disagrees with the results: %+v vs %+v", stored.Units[0], first)
		}
		if first.RankInterval == nil {
			t.Error("no rank interval in the results")
		}
		// The survey points of the survey leaves are in the node results.
		node, ok := first.Node("8.1")
		if !ok || node.Points <= 0 {
			t.Errorf("survey leaf 8.1 of %s: %+v", first.Code, node)
		}
		if err := db.PublishSnapshot(ctx, parindex.Actor{Name: "test"}, s.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rn.Build(ctx, "khong-co", 0); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown framework: %v", err)
		}
	})
}
