package snapshot_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

func TestRunScoresThePublishedFrameworkAndFreezes(t *testing.T) {
	demotest.Each(t, demo.Options{SurveyVolume: 0.05, SkipSnapshots: true}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
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
		if err := db.PublishSnapshot(ctx, parindex.Actor{Name: "test"}, s.ID, parindex.PublicationFinal, nil, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rn.Build(ctx, "khong-co", 0); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown framework: %v", err)
		}
	})
}

func TestYearOverYearOnMappedCriteria(t *testing.T) {
	db := demotest.SQLite(t, demo.Options{SurveyVolume: 0.05})
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	published, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: "province-departments-2026", Status: parindex.StatusPublished})
	if err != nil || len(published) != 1 {
		t.Fatalf("demo snapshots: %v, %v", published, err)
	}
	s, res := demotest.ScoreNextYear(t, db, actor, 50)
	yoy, err := snapshot.CompareWithPrevious(ctx, db, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if yoy == nil || yoy.Previous.ID != published[0].ID || len(yoy.Units) != 20 {
		t.Fatalf("comparison = %+v", yoy)
	}
	prev, _ := snapshot.Result(yoy.Previous)
	snv := yoy.Units["SNV"]
	// 2027 has no survey answers yet: the access criterion falls to 0% from
	// whatever share of its maximum it earned in 2026.
	var access snapshot.NodeChange
	for _, n := range snv.Nodes {
		if n.Node == "8.1.1" {
			access = n
		}
	}
	before, _ := prev.Agency("SNV").Node("8.1.1")
	now, _ := res.Agency("SNV").Node("8.1.1")
	if access.Node != "8.1.1" || !near(access.PreviousPercent, before.Points/before.Max*100) || !near(access.Percent, now.Points/now.Max*100) ||
		!near(access.Change, access.Percent-access.PreviousPercent) || access.PreviousPercent <= 0 {
		t.Errorf("8.1.1 of SNV = %+v (2026 %v/%v, 2027 %v/%v)", access, before.Points, before.Max, now.Points, now.Max)
	}
	if !near(snv.Change, snv.Index-snv.PreviousIndex) {
		t.Errorf("SNV index change = %+v", snv)
	}
	// The demo's 2026 framework was copied from its 2025 one: 2026 compares
	// with the 2025 snapshot, and 2025 with nothing.
	last, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: "province-departments-2025", Status: parindex.StatusPublished})
	if err != nil || len(last) != 1 {
		t.Fatalf("demo 2025 snapshots: %v, %v", last, err)
	}
	if prev, err := snapshot.CompareWithPrevious(ctx, db, published[0].ID); err != nil || prev == nil || prev.Previous.ID != last[0].ID {
		t.Errorf("2026 comparison = %v, %v", prev, err)
	}
	if none, err := snapshot.CompareWithPrevious(ctx, db, last[0].ID); err != nil || none != nil {
		t.Errorf("2025 comparison = %v, %v", none, err)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// A run reads the year's metrics and the final appraised scores: the demo
// has monthly metrics for every unit and agencies in every state.
func TestRunReadsMetricsAndFinalScores(t *testing.T) {
	db := demotest.SQLite(t, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true})
	ctx := context.Background()
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	run, err := rn.Build(ctx, "province-departments-2026", 0)
	if err != nil {
		t.Fatal(err)
	}
	year, err := db.YearMetrics(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	final, err := db.FinalAssessments(ctx, "province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	finals := 0
	for _, a := range run.Inputs.Agencies {
		fa, isFinal := final[a.Code]
		if isFinal && fa.State == "final" {
			finals++
			for node, p := range fa.Points {
				if a.Points[node] != p {
					t.Errorf("%s %s: run has %v, the final appraisal %v", a.Code, node, a.Points[node], p)
				}
			}
		}
		for metric, v := range year[a.Code] {
			if _, reported := fa.Metrics[metric]; !reported && a.Metrics[metric] != v {
				t.Errorf("%s %s: run has %v, the year's metrics %v", a.Code, metric, a.Metrics[metric], v)
			}
		}
	}
	if finals == 0 {
		t.Error("no demo agency has a final assessment to score")
	}
	if _, err := scoring.Score(run.Framework, run.Inputs); err != nil {
		t.Errorf("the demo's inputs do not score: %v", err)
	}
}

// Every snapshot the demo publishes passes `parindex score check`.
func TestCheckPassesOnEveryDemoSnapshot(t *testing.T) {
	demotest.Each(t, demo.Options{SurveyVolume: 0.05}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all, err := db.FindSnapshots(ctx, store.SnapshotFilter{})
		if err != nil || len(all) < 2 {
			t.Fatalf("demo snapshots: %d, %v", len(all), err)
		}
		for _, s := range all {
			c, problems, err := snapshot.Check(ctx, db, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) > 0 || c.Units == 0 || c.Leaves == 0 {
				t.Errorf("snapshot %d (%s %d): %d units, %d leaves, problems %v", s.ID, s.FrameworkCode, s.Year, c.Units, c.Leaves, problems)
			}
			if s.Status != parindex.StatusPublished || !s.Publication.Valid() {
				t.Errorf("snapshot %d is %s, published as %q", s.ID, s.Status, s.Publication)
			}
		}
	})
}
