package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// The links' counts, kept as responses are stored and rebuilt by migration
// 00016 from the stored responses, equal a direct count of the responses by
// link and day, on both dialects: with paper forms (no link), a repeated
// idempotency key, several batches on several days and a unit filter.
func TestLinkCountsEqualDirectCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, links := miniLinks(t, db, "SNV/Quầy 1", "SNV/Quầy 2", "XN/Quầy 1", "XN/Quầy 2")
		questions := map[int64][]string{in.ID: {"A1", "A2"}}
		day := parindex.Date{Year: 2026, Month: 3, Day: 10}
		n := 0
		form := func(link *parindex.SurveyLink, d parindex.Date) *parindex.Response {
			n++
			r := &parindex.Response{InstrumentID: in.ID, UnitID: link.UnitID, Day: d, IdempotencyKey: "k" + strconv.Itoa(n), Answers: "35",
				LinkID: link.ID, SubmittedHour: time.Date(d.Year, d.Month, d.Day, 5, 0, 0, 0, time.UTC), Source: parindex.SourceQR}
			if link.CounterLabel == "" {
				r.LinkID, r.Source = 0, parindex.SourcePaper
			}
			return r
		}
		paper := &parindex.SurveyLink{UnitID: links[0].UnitID}
		for batch := 0; batch < 4; batch++ {
			var rs []*parindex.Response
			for i := 0; i < 3+batch*7; i++ {
				// Link 3 (XN/Quầy 2) never answered; days 10, 9, 8.
				rs = append(rs, form(links[i%3], day.AddDays(-((i+batch)%3))))
			}
			rs = append(rs, form(paper, day), form(links[0], day))
			rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: links[1].UnitID, Day: day, IdempotencyKey: "k1",
				Answers: "35", LinkID: links[1].ID, SubmittedHour: time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC), Source: parindex.SourceQR})
			if _, err := db.InsertResponses(ctx, rs, questions, 0); err != nil {
				t.Fatal(err)
			}
		}

		check := func(when string) {
			t.Helper()
			for _, d := range []parindex.Date{day, day.AddDays(-1), day.AddDays(-2), day.AddDays(1)} {
				for _, unit := range []int64{0, links[0].UnitID, links[2].UnitID} {
					got, err := db.LinkResponseCounts(ctx, d, unit)
					if err != nil {
						t.Fatal(err)
					}
					want := map[int64]store.LinkCount{}
					filter, args := "", []any{d}
					if unit != 0 {
						filter, args = " AND org_unit_id = $2", append(args, unit)
					}
					for _, row := range storetest.Rows(t, db, `SELECT link_id, SUM(CASE WHEN day = $1 THEN 1 ELSE 0 END) AS today, COUNT(*) AS total
						FROM responses WHERE link_id IS NOT NULL`+filter+` GROUP BY link_id`, args...) {
						id, _ := strconv.ParseInt(row["link_id"], 10, 64)
						today, _ := strconv.ParseInt(row["today"], 10, 64)
						total, _ := strconv.ParseInt(row["total"], 10, 64)
						want[id] = store.LinkCount{Today: today, Total: total}
					}
					if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
						t.Errorf("%s, %s, unit %d: LinkResponseCounts = %v, a direct count %v", when, d, unit, got, want)
					}
				}
			}
		}
		check("stored")

		// The survey monitor's tallies per day and per unit, from the count
		// table, equal a direct count of the responses, flagged ones apart
		// (one flagged as stored, one by screening).
		flagged := form(links[2], day)
		flagged.Flags = []string{parindex.FlagDuplicateDevice}
		if _, err := db.InsertResponses(ctx, []*parindex.Response{flagged}, questions, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddResponseFlags(ctx, in.ID, map[int64][]string{1: {parindex.FlagDuplicateDevice}}); err != nil {
			t.Fatal(err)
		}
		from, to := day.AddDays(-1), day
		perDay, err := db.ResponsesPerDay(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		perUnit, err := db.ResponsesPerUnit(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var wantDays []store.ResponseTally
		for _, row := range storetest.Rows(t, db, `SELECT day, COUNT(*) AS n, SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END) AS f
			FROM responses WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day`, from, to) {
			d, _ := parindex.ParseDate(row["day"][:10])
			n, _ := strconv.Atoi(row["n"])
			f, _ := strconv.Atoi(row["f"])
			wantDays = append(wantDays, store.ResponseTally{Day: d, Responses: n, Flagged: f})
		}
		if fmt.Sprint(perDay) != fmt.Sprint(wantDays) || len(wantDays) != 2 || wantDays[1].Flagged != 2 {
			t.Errorf("ResponsesPerDay = %+v, a direct count %+v", perDay, wantDays)
		}
		wantUnits := map[int64]store.ResponseTally{}
		for _, row := range storetest.Rows(t, db, `SELECT org_unit_id, COUNT(*) AS n, SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END) AS f
			FROM responses WHERE day >= $1 AND day <= $2 GROUP BY org_unit_id`, from, to) {
			u, _ := strconv.ParseInt(row["org_unit_id"], 10, 64)
			n, _ := strconv.Atoi(row["n"])
			f, _ := strconv.Atoi(row["f"])
			wantUnits[u] = store.ResponseTally{UnitID: u, Responses: n, Flagged: f}
		}
		if fmt.Sprint(perUnit) != fmt.Sprint(wantUnits) || len(wantUnits) != 2 {
			t.Errorf("ResponsesPerUnit = %+v, a direct count %+v", perUnit, wantUnits)
		}
		if got, _ := db.LinkResponseCounts(ctx, day, 0); got[links[0].ID].Today < 4 || got[links[3].ID] != (store.LinkCount{}) {
			t.Errorf("counts = %v: want link %d's four batches and nothing for link %d", got, links[0].ID, links[3].ID)
		}

		// Migration 00016 builds the same counts from the responses.
		p := migrateUpTo(t, db, 16)
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		check("migrated")
	})
}
