// Package demotest gives the tests of the packages that read the demo
// province (demo) a database holding it, so each test states only how much
// of the demo it needs. It may import what demo does and store/storetest; never
// web or the command line.
package demotest

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// Seed seeds db with the demo at opts, failing the test when it cannot, and
// returns what the seed did.
func Seed(tb testing.TB, db *store.DB, opts demo.Options) demo.Summary {
	tb.Helper()
	s, err := demo.Seed(context.Background(), db, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// SQLite opens a fresh, migrated SQLite database seeded with the demo at opts.
func SQLite(tb testing.TB, opts demo.Options) *store.DB {
	tb.Helper()
	db := storetest.MustOpenSQLite(tb)
	Seed(tb, db, opts)
	return db
}

// Each runs fn once per dialect (storetest.Each), each time on a fresh
// database seeded with the demo at opts.
func Each(t *testing.T, opts demo.Options, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Helper()
		Seed(t, db, opts)
		fn(t, db)
	})
}

// Units imports the demo's organisation tree (demo.OrgRows) into db as
// actor, failing the test when it cannot: for the tests that want the
// demo's units and nothing else of it.
func Units(tb testing.TB, db *store.DB, actor parindex.Actor) {
	tb.Helper()
	if _, err := db.ImportOrgUnits(context.Background(), actor, "", demo.OrgRows(), ""); err != nil {
		tb.Fatal(err)
	}
}

// ScoreNextYear copies the demo's departments' framework of 2026 to a 2027
// one, publishes it and scores it with draws bootstrap draws (no survey
// answers in 2027 yet), failing the test when any step cannot: for the tests
// of what a run shows against the year before. It returns the run and its
// result.
func ScoreNextYear(tb testing.TB, db *store.DB, actor parindex.Actor, draws int) (*parindex.Snapshot, *scoring.Result) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.CopyFramework(ctx, actor, "province-departments-2026", "province-departments-2027", 2027, "năm mới"); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.PublishFramework(ctx, actor, "province-departments-2027", ""); err != nil {
		tb.Fatal(err)
	}
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{})}
	s, res, err := rn.Score(ctx, actor, "province-departments-2027", snapshot.Options{Draws: draws})
	if err != nil {
		tb.Fatal(err)
	}
	return s, res
}
