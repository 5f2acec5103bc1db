package store_test

import (
	"context"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// importTree stores the test organisation tree, treeRows.
func importTree(tb testing.TB, db *store.DB) {
	tb.Helper()
	if _, err := db.ImportOrgUnits(context.Background(), cli, "", treeRows(), ""); err != nil {
		tb.Fatal(err)
	}
}

// importReference stores the reference framework of code as a draft and
// returns it.
func importReference(t *testing.T, db *store.DB, code string) *criteria.Framework {
	t.Helper()
	f := reference(t, code)
	if _, err := db.ImportFramework(context.Background(), cli, f, ""); err != nil {
		t.Fatal(err)
	}
	return f
}

// storeMini stores rs, forms of mini-2026 answering its two questions, and
// returns their outcomes.
func storeMini(t *testing.T, db *store.DB, in *parindex.StoredInstrument, rs []*parindex.Response) []store.InsertOutcome {
	t.Helper()
	outcomes, err := db.InsertResponses(context.Background(), rs, map[int64][]string{in.ID: {"A1", "A2"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return outcomes
}

// storeMiniNew stores rs as storeMini does, failing the test unless every
// form is stored as new.
func storeMiniNew(t *testing.T, db *store.DB, in *parindex.StoredInstrument, rs []*parindex.Response) {
	t.Helper()
	for i, o := range storeMini(t, db, in, rs) {
		if o != store.Inserted {
			t.Fatalf("response %d: outcome %v, want inserted", i, o)
		}
	}
}

// miniForm is a form of mini-2026 for the unit of unitID on day, submitted
// in the hour of 09:00 that day in Vietnam.
func miniForm(in *parindex.StoredInstrument, unitID int64, day parindex.Date, key, answers, source string) *parindex.Response {
	return &parindex.Response{InstrumentID: in.ID, UnitID: unitID, Day: day,
		SubmittedHour:  time.Date(day.Year, day.Month, day.Day, 2, 0, 0, 0, time.UTC),
		IdempotencyKey: key, Answers: answers, Source: source}
}
