package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// countsOf computes the count table that answers (instrument, unit, day →
// each response's digits and whether it is flagged) should give: twelve
// counts per question.
func countsOf(questions int, responses map[[3]string][]string) map[[3]string][]int64 {
	out := map[[3]string][]int64{}
	for k, answers := range responses {
		c := make([]int64, 12*questions)
		for _, a := range answers {
			offset := 0
			if a[0] == 'f' {
				offset, a = 6, a[1:]
			}
			for q := range a {
				c[12*q+offset+int(a[q]-'0')]++
			}
		}
		out[k] = c
	}
	return out
}

func countTable(t *testing.T, db *store.DB) map[[3]string][]int64 {
	t.Helper()
	rows, err := db.CountRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[[3]string][]int64{}
	for _, r := range rows {
		got[[3]string{fmt.Sprint(r.InstrumentID), fmt.Sprint(r.UnitID), r.Day.String()}] = r.Counts
	}
	return got
}

// The migration to one count row per unit and day rebuilds the table from
// the stored responses, on both dialects.
func TestCountsMigrationRebuildsFromResponses(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		db, p := openUpTo(t, dbURL, 7)
		in := miniInstrument(t, db)
		units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		responses := map[[3]string][]string{}
		for i := range 300 {
			unit := units[rng.IntN(len(units))].ID
			day := parindex.Date{Year: 2026, Month: 3, Day: 1 + rng.IntN(3)}
			answers := fmt.Sprintf("%d%d%d", rng.IntN(6), rng.IntN(6), rng.IntN(6))
			flags, mark := "", ""
			if rng.IntN(5) == 0 {
				flags, mark = "speeder", "f"
			}
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO responses (instrument_id, org_unit_id, submitted_hour, day,
				idempotency_key, answers, flags, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'qr')`,
				in.ID, unit, "2026-03-01 02:00:00", day.String(), fmt.Sprintf("k%d", i), answers, flags); err != nil {
				t.Fatal(err)
			}
			k := [3]string{fmt.Sprint(in.ID), fmt.Sprint(unit), day.String()}
			responses[k] = append(responses[k], mark+answers)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		want := countsOf(3, responses)
		if got := countTable(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("after the migration the count table holds\n%v\nwant\n%v", got, want)
		}
	})
}

// Counts added through the batch path and through AddCountRows add up, in
// one statement per batch, as the raw responses say.
func TestAddCountRowsAddsUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		unit := storetest.Unit(t, db, "SNV")
		day := parindex.Date{Year: 2026, Month: 3, Day: 10}
		row := func(c ...int64) store.CountRow {
			return store.CountRow{InstrumentID: in.ID, UnitID: unit.ID, Day: day, Counts: c}
		}
		a := make([]int64, 24)
		b := make([]int64, 24)
		for i := range a {
			a[i], b[i] = int64(i), int64(1000*i+7)
		}
		if err := db.AddCountRows(ctx, []store.CountRow{row(a...)}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddCountRows(ctx, []store.CountRow{row(b...)}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.CountRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d rows, want 1", len(rows))
		}
		for i, n := range rows[0].Counts {
			if n != a[i]+b[i] {
				t.Errorf("count %d = %d, want %d", i, n, a[i]+b[i])
			}
		}
		if q := rows[0].Question(1); q[0] != a[12]+b[12] || q[11] != a[23]+b[23] {
			t.Errorf("question 2's counts %v", q)
		}
		if err := db.AddCountRows(ctx, []store.CountRow{row(1, 2, 3)}); err == nil {
			t.Error("13 counts per question were accepted")
		}
	})
}

// CountResponses answers from the count table where it can, and agrees with
// counting the responses themselves for every filter.
func TestCountResponsesAgreesWithTheResponses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		var rs []*parindex.Response
		for i := range 400 {
			r := &parindex.Response{InstrumentID: in.ID, UnitID: units[rng.IntN(3)].ID,
				Day: parindex.Date{Year: 2026, Month: 3, Day: 1 + rng.IntN(5)}, IdempotencyKey: fmt.Sprintf("k%d", i),
				Answers: fmt.Sprintf("%d%d", rng.IntN(6), rng.IntN(6)), Source: parindex.SourceQR}
			if rng.IntN(4) == 0 {
				r.Flags = []string{parindex.FlagSpeeder}
			}
			if rng.IntN(5) == 0 {
				r.Source = parindex.SourcePaper
			}
			r.SubmittedHour = time.Date(2026, 3, r.Day.Day, 2, 0, 0, 0, time.UTC)
			rs = append(rs, r)
		}
		storeMini(t, db, in, rs)
		filters := []store.ResponseFilter{
			{},
			{Flag: "any"},
			{Flag: "none"},
			{UnitID: units[1].ID},
			{UnitID: units[2].ID, Flag: "any", From: parindex.Date{Year: 2026, Month: 3, Day: 2}},
			{InstrumentID: in.ID, To: parindex.Date{Year: 2026, Month: 3, Day: 3}, Flag: "none"},
			{Source: parindex.SourcePaper},
			{Flag: parindex.FlagSpeeder},
			{UnitID: units[0].ID + 1000},
		}
		for _, f := range filters {
			want := 0
			for _, r := range rs {
				if (f.UnitID == 0 || r.UnitID == f.UnitID) && (f.InstrumentID == 0 || r.InstrumentID == f.InstrumentID) &&
					(f.From.IsZero() || !r.Day.Before(f.From)) && (f.To.IsZero() || !f.To.Before(r.Day)) &&
					(f.Source == "" || r.Source == f.Source) &&
					(f.Flag == "" || (f.Flag == "none") == (len(r.Flags) == 0)) {
					want++
				}
			}
			if got, err := db.CountResponses(ctx, f); err != nil || got != want {
				t.Errorf("CountResponses(%+v) = %d, %v; want %d", f, got, err, want)
			}
		}
	})
}
