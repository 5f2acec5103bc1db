package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// yearsOfResponses stores forms of mini-2026 for SNV and STC on a day of
// each year given, perYear forms a year, every third with a dossier, and
// returns them.
func yearsOfResponses(t *testing.T, db *store.DB, in *parindex.StoredInstrument, years []int, perYear int) []*parindex.Response {
	t.Helper()
	ctx := context.Background()
	var units []int64
	for _, code := range []string{"SNV", "STC"} {
		u, err := db.OrgUnitByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u.ID)
	}
	var rs []*parindex.Response
	for _, year := range years {
		for i := range perYear {
			day := parindex.Date{Year: year, Month: time.Month(1 + i%12), Day: 1 + i%28}
			r := &parindex.Response{InstrumentID: in.ID, UnitID: units[i%2], Day: day,
				SubmittedHour:  time.Date(year, day.Month, day.Day, 2, 0, 0, 0, time.UTC),
				IdempotencyKey: fmt.Sprintf("form-%d-%d", year, i), Answers: fmt.Sprintf("%d%d", i%6, (i+year)%6),
				Source: parindex.SourcePaper}
			if i%3 == 0 {
				r.DossierHash = fmt.Sprintf("dossier-%d-%d", year, i)
			}
			if i%5 == 0 {
				r.Flags = []string{parindex.FlagSpeeder}
			}
			rs = append(rs, r)
		}
	}
	outcomes, err := db.InsertResponses(ctx, rs, map[int64][]string{in.ID: {"A1", "A2"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outcomes {
		if o != store.Inserted {
			t.Fatalf("form %d: outcome %v", i, o)
		}
	}
	return rs
}

// responseRows reads every response's id, key, day and answers, in id order.
func responseRows(t *testing.T, db *store.DB) []map[string]string {
	t.Helper()
	return storetest.Rows(t, db, `SELECT id, idempotency_key, day, answers, flags, COALESCE(dossier_hash, '') AS dossier
		FROM responses ORDER BY id`)
}

// Migration 00015 turns a PostgreSQL responses table holding several years
// into one partition per year: every row keeps its id and lands in its
// year's table, the counts do not change, a repeated idempotency key or
// dossier is still refused (across years too), new forms land in their
// year's partition, and the way back restores one table.
func TestMigration15PartitionsResponsesByYear(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.PostgresSchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := migrateUpTo(t, db, 14)
	in := miniInstrument(t, db)
	years := []int{2017, 2019, 2020, 2024, 2025, 2026}
	yearsOfResponses(t, db, in, years, 40)
	before := responseRows(t, db)
	countsBefore := storetest.CountTotals(t, db)
	if len(before) != len(years)*40 {
		t.Fatalf("%d responses stored before the migration", len(before))
	}

	if _, err := p.UpTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	if got := responseRows(t, db); !reflect.DeepEqual(got, before) {
		t.Fatalf("responses changed in the migration:\nbefore %v\nafter  %v", before[:3], got[:min(3, len(got))])
	}
	if got := storetest.CountTotals(t, db); got != countsBefore {
		t.Errorf("counts %v after the migration, %v before", got, countsBefore)
	}
	kind := storetest.Rows(t, db, `SELECT relkind::text AS kind FROM pg_class WHERE oid = 'responses'::regclass`)
	if kind[0]["kind"] != "p" {
		t.Fatalf("responses has relkind %q, want a partitioned table", kind[0]["kind"])
	}
	// Every row in its year's table, the year range and the current and
	// next year as tables, and an empty default.
	for _, r := range storetest.Rows(t, db, `SELECT tableoid::regclass::text AS part, EXTRACT(YEAR FROM day)::integer AS year, COUNT(*) AS n
		FROM responses GROUP BY 1, 2`) {
		if r["part"] != "responses_"+r["year"] || r["n"] != "40" {
			t.Errorf("%s responses of %s in %s", r["n"], r["year"], r["part"])
		}
	}
	thisYear := time.Now().Add(7 * time.Hour).Year()
	parts := map[string]bool{}
	for _, r := range storetest.Rows(t, db, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'responses'::regclass`) {
		parts[r["relname"]] = true
	}
	for y := 2017; y <= thisYear+1; y++ {
		if !parts[fmt.Sprint("responses_", y)] {
			t.Errorf("no partition for %d among %v", y, parts)
		}
	}
	if !parts["responses_default"] {
		t.Errorf("no default partition among %v", parts)
	}

	// A repeated key or dossier is refused, whatever the year it came in.
	unit, err := db.OrgUnitByCode(ctx, "SNV")
	if err != nil {
		t.Fatal(err)
	}
	questions := map[int64][]string{in.ID: {"A1", "A2"}}
	day := parindex.Date{Year: thisYear + 1, Month: 2, Day: 3}
	form := func(key, dossier string, day parindex.Date) *parindex.Response {
		return &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: day, DossierHash: dossier,
			SubmittedHour:  time.Date(day.Year, day.Month, day.Day, 2, 0, 0, 0, time.UTC),
			IdempotencyKey: key, Answers: "55", Source: parindex.SourcePaper}
	}
	again := []*parindex.Response{
		form("form-2017-0", "", day),                                   // the key of a 2017 form, another year
		form("new-1", "dossier-2019-0", day),                           // a 2019 dossier of SNV (form 0 went to SNV)
		form("new-2", "dossier-new", day),                              // stored, in next year's partition
		form("new-2", "dossier-new", day),                              // twice in one batch
		form("new-3", "", parindex.Date{Year: 2040, Month: 5, Day: 6}), // no partition yet: the default one
	}
	outcomes, err := db.InsertResponses(ctx, again, questions, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.InsertOutcome{store.DuplicateKey, store.DuplicateDossier, store.Inserted, store.DuplicateKey, store.Inserted}
	if !reflect.DeepEqual(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	if again[0].ID != mustAtoi(t, before[0]["id"]) {
		t.Errorf("a repeated key answered id %d, want the stored form's %s", again[0].ID, before[0]["id"])
	}
	var maxBefore int64
	for _, r := range before {
		maxBefore = max(maxBefore, mustAtoi(t, r["id"]))
	}
	if again[2].ID <= maxBefore {
		t.Errorf("new form got id %d, not above the migrated %d", again[2].ID, maxBefore)
	}
	where := func(key string) string {
		rows := storetest.Rows(t, db, `SELECT tableoid::regclass::text AS part FROM responses WHERE idempotency_key = $1`, key)
		if len(rows) != 1 {
			t.Fatalf("%d rows with key %s", len(rows), key)
		}
		return rows[0]["part"]
	}
	if got := where("new-2"); got != fmt.Sprint("responses_", thisYear+1) {
		t.Errorf("a form of %d landed in %s", thisYear+1, got)
	}
	if got := where("new-3"); got != "responses_default" {
		t.Errorf("a form of 2040 landed in %s", got)
	}
	// A plain INSERT of a repeated key stores nothing either.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO responses (instrument_id, org_unit_id, submitted_hour, day, idempotency_key, answers)
		VALUES ($1, $2, now(), '2025-01-01', 'form-2017-1', '11')`, in.ID, unit.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(storetest.Rows(t, db, `SELECT id FROM responses WHERE idempotency_key = 'form-2017-1'`)); n != 1 {
		t.Errorf("%d rows with a repeated key after a plain INSERT", n)
	}
	// Creating 2040 moves its form out of the default partition.
	if _, err := db.SQL().ExecContext(ctx, `SELECT responses_add_year(2040)`); err != nil {
		t.Fatal(err)
	}
	if got := where("new-3"); got != "responses_2040" {
		t.Errorf("after responses_add_year(2040) the 2040 form is in %s", got)
	}

	// Down again: one table, the same rows, its keys unique by index.
	after := responseRows(t, db)
	if _, err := p.DownTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	if got := responseRows(t, db); !reflect.DeepEqual(got, after) {
		t.Errorf("responses changed on the way down: %d rows, %d before", len(got), len(after))
	}
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO responses (instrument_id, org_unit_id, submitted_hour, day, idempotency_key, answers)
		VALUES ($1, $2, now(), '2025-01-01', 'form-2017-1', '11')`, in.ID, unit.ID); err == nil {
		t.Error("a repeated key was stored after the way down")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again after down: %v", err)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
