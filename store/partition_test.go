package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
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
	units := []int64{storetest.Unit(t, db, "SNV").ID, storetest.Unit(t, db, "STC").ID}
	var rs []*parindex.Response
	for _, year := range years {
		for i := range perYear {
			day := parindex.Date{Year: year, Month: time.Month(1 + i%12), Day: 1 + i%28}
			r := miniForm(in, units[i%2], day, fmt.Sprintf("form-%d-%d", year, i), fmt.Sprintf("%d%d", i%6, (i+year)%6), parindex.SourcePaper)
			if i%3 == 0 {
				r.DossierHash = fmt.Sprintf("dossier-%d-%d", year, i)
			}
			if i%5 == 0 {
				r.Flags = []string{parindex.FlagSpeeder}
			}
			rs = append(rs, r)
		}
	}
	storeMiniNew(t, db, in, rs)
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
	db, p := openUpTo(t, storetest.PostgresSchemaURL(t), 14)
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
	unit := storetest.Unit(t, db, "SNV")
	questions := map[int64][]string{in.ID: {"A1", "A2"}}
	day := parindex.Date{Year: thisYear + 1, Month: 2, Day: 3}
	form := func(key, dossier string, day parindex.Date) *parindex.Response {
		r := miniForm(in, unit.ID, day, key, "55", parindex.SourcePaper)
		r.DossierHash = dossier
		return r
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

// Retention removes the raw responses of the years before the cutoff, on
// both dialects (PostgreSQL by dropping their partitions), keeps the count
// table and so every result read from it, releases the removed forms' keys,
// and audits in the same transaction; a dry run changes nothing.
func TestRemoveRawResponsesKeepsCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		yearsOfResponses(t, db, in, []int{2019, 2020, 2021, 2024, 2026}, 30)
		// Their years' partitions made as serve makes them; then one more
		// form of 2018, left in PostgreSQL's default partition.
		if err := db.AddResponseYears(ctx); err != nil {
			t.Fatal(err)
		}
		yearsOfResponses(t, db, in, []int{2018}, 1)
		questions := []string{"A1", "A2"}
		countsBefore := storetest.CountTotals(t, db)
		resultsBefore, err := db.ResponseCounts(ctx, in.ID, parindex.Date{}, parindex.Date{}, true, questions)
		if err != nil {
			t.Fatal(err)
		}
		rowsBefore := responseRows(t, db)
		cutoff := store.RetentionCutoff(time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), 5)
		if cutoff != (parindex.Date{Year: 2021, Month: 1, Day: 1}) {
			t.Fatalf("keeping 5 years on 7/12/2026 removes before %s, want 2021-01-01", cutoff)
		}

		dry, err := db.RemoveRawResponses(ctx, cli, cutoff, true, "")
		if err != nil {
			t.Fatal(err)
		}
		if dry.Responses() != 61 || len(dry.Years) != 3 || dry.Years[0].Responses != 1 || dry.Years[1].Year != 2019 || dry.Years[2].Year != 2020 {
			t.Errorf("dry run plans %+v, want one form of 2018 and 30 of 2019 and of 2020", dry.Years)
		}
		if got := responseRows(t, db); len(got) != len(rowsBefore) {
			t.Fatalf("the dry run removed %d responses", len(rowsBefore)-len(got))
		}

		done, err := db.RemoveRawResponses(ctx, cli, cutoff, false, "Quy chế lưu trữ")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(done.Years, dry.Years) {
			t.Errorf("removed %+v, the dry run said %+v", done.Years, dry.Years)
		}
		if db.Dialect() == store.Postgres {
			if done.Years[0].Partition != "" {
				t.Errorf("the 2018 form of the default partition removed with %q dropped", done.Years[0].Partition)
			}
			for _, y := range done.Years[1:] {
				if y.Partition != fmt.Sprint("responses_", y.Year) {
					t.Errorf("%d removed from %q, want its partition dropped", y.Year, y.Partition)
				}
			}
			gone := storetest.Rows(t, db, `SELECT to_regclass('responses_2019') IS NULL AS a, to_regclass('responses_2020') IS NULL AS b,
				to_regclass('responses_2021') IS NULL AS c`)
			if gone[0]["a"] != "true" || gone[0]["b"] != "true" || gone[0]["c"] != "false" {
				t.Errorf("partitions 2019, 2020, 2021 dropped: %v", gone[0])
			}
		}
		var kept []map[string]string
		for _, r := range rowsBefore {
			if r["day"] >= "2021" {
				kept = append(kept, r)
			}
		}
		if got := responseRows(t, db); !reflect.DeepEqual(got, kept) {
			t.Errorf("%d responses left, want the %d from 2021 on", len(got), len(kept))
		}
		if got := storetest.CountTotals(t, db); got != countsBefore {
			t.Errorf("counts %v after retention, %v before", got, countsBefore)
		}
		resultsAfter, err := db.ResponseCounts(ctx, in.ID, parindex.Date{}, parindex.Date{}, true, questions)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(resultsAfter, resultsBefore) {
			t.Errorf("survey counts changed by retention")
		}
		audit, err := db.FindAudit(ctx, store.AuditFilter{ObjectType: "responses"})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].Action != "survey.retention" || audit[0].ObjectID != "2021-01-01" || audit[0].Reason != "Quy chế lưu trữ" {
			t.Fatalf("audit rows %+v, want one survey.retention of 2021-01-01", audit)
		}
		if !strings.Contains(audit[0].After, `"responses":61`) {
			t.Errorf("audit document %s does not say 61 responses", audit[0].After)
		}
		// The removed forms' keys are free again, as a deleted row frees a
		// unique index; the kept ones are not.
		unit := storetest.Unit(t, db, "SNV")
		day := parindex.Date{Year: 2026, Month: 6, Day: 1}
		form := func(key, dossier string) *parindex.Response {
			r := miniForm(in, unit.ID, day, key, "55", parindex.SourcePaper)
			r.DossierHash = dossier
			return r
		}
		outcomes, err := db.InsertResponses(ctx, []*parindex.Response{form("form-2019-0", "dossier-2019-0"), form("form-2024-0", ""), form("again", "dossier-2024-0")},
			map[int64][]string{in.ID: questions}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.InsertOutcome{store.Inserted, store.DuplicateKey, store.DuplicateDossier}; !reflect.DeepEqual(outcomes, want) {
			t.Errorf("outcomes after retention %v, want %v", outcomes, want)
		}
	})
}
