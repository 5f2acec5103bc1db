package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// CleanCountsWithout gives each unit's clean counts less the clean
// responses of the links asked for, and those links' counts, in the
// period; the expected counts are tallied here from the rows written.
func TestCleanCountsWithout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, links := miniLinks(t, db, "SNV/Quầy 1", "SNV/Quầy 2", "XN/Quầy A", "XN/Quầy B")
		a, b, c, d := links[0].ID, links[1].ID, links[2].ID, links[3].ID
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		xn, _ := db.OrgUnitByCode(ctx, "XN")
		type row struct {
			unit    *parindex.OrgUnit
			link    int64
			day     parindex.Date
			answers string
			flags   []string
		}
		march, lastYear := parindex.Date{Year: 2026, Month: 3, Day: 10}, parindex.Date{Year: 2025, Month: 12, Day: 31}
		written := []row{
			{snv, a, march, "54", nil}, {snv, a, march, "50", nil}, {snv, a, march, "05", nil},
			{snv, a, march, "11", []string{parindex.FlagSpeeder}}, // flagged: not counted
			{snv, a, lastYear, "33", nil},                         // outside the period
			{snv, b, march, "44", nil}, {snv, b, march, "42", nil},
			{snv, 0, march, "55", nil}, // paper: no link
			{xn, c, march, "21", nil}, {xn, c, march, "30", nil},
			{xn, d, march, "44", nil}, {xn, d, march, "13", []string{parindex.FlagBot}},
		}
		var rs []*parindex.Response
		for i, r := range written {
			hour := time.Date(r.day.Year, time.Month(r.day.Month), r.day.Day, 2, 0, 0, 0, time.UTC)
			rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: r.unit.ID, LinkID: r.link, Day: r.day, SubmittedHour: hour,
				IdempotencyKey: "k" + string(rune('a'+i)), Answers: r.answers, Flags: r.flags, Source: parindex.SourceQR})
			if r.link == 0 {
				rs[i].Source = parindex.SourcePaper
			}
		}
		questions := []string{"A1", "A2"}
		if _, err := db.InsertResponses(ctx, rs, map[int64][]string{in.ID: questions}, 0); err != nil {
			t.Fatal(err)
		}

		asked := []int64{a, c}
		leftOut := func(r row) bool { return r.link == a || r.link == c }
		wantLinks := map[int64]*store.LinkCounts{}
		wantUnits := map[int64]*store.UnitCounts{}
		for _, r := range written {
			if r.day.Year != 2026 {
				continue
			}
			u := wantUnits[r.unit.ID]
			if u == nil {
				u = &store.UnitCounts{UnitID: r.unit.ID, Questions: map[string][6]int64{"A1": {}, "A2": {}}}
				wantUnits[r.unit.ID] = u
			}
			if len(r.flags) > 0 {
				u.Flagged++
				continue
			}
			into := u.Questions
			if leftOut(r) {
				l := wantLinks[r.link]
				if l == nil {
					l = &store.LinkCounts{LinkID: r.link, UnitID: r.unit.ID, Questions: map[string][6]int64{}}
					wantLinks[r.link] = l
				}
				l.Responses++
				into = l.Questions
			} else {
				u.Respondents++
			}
			for i, q := range questions {
				counts := into[q]
				counts[r.answers[i]-'0']++
				into[q] = counts
			}
		}
		units, got, err := db.CleanCountsWithout(ctx, in.ID, parindex.Date{Year: 2026, Month: 1, Day: 1}, parindex.Date{Year: 2026, Month: 12, Day: 31}, questions, asked)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, wantLinks) {
			for id, w := range wantLinks {
				t.Errorf("link %d: got %+v, want %+v", id, got[id], w)
			}
		}
		if !reflect.DeepEqual(units, wantUnits) {
			for id, w := range wantUnits {
				t.Errorf("unit %d: got %+v, want %+v", id, units[id], w)
			}
		}
		// Link a's three clean answers to A1 in 2026 are 5, 5 and 0; SNV
		// keeps Quầy 2's and the paper form's.
		if got[a] == nil || got[a].Questions["A1"] != [6]int64{1, 0, 0, 0, 0, 2} || units[snv.ID].Questions["A1"] != [6]int64{0, 0, 0, 0, 2, 1} {
			t.Errorf("link a A1 = %+v, SNV = %+v", got[a], units[snv.ID])
		}
		if _, none, err := db.CleanCountsWithout(ctx, in.ID, parindex.Date{}, parindex.Date{}, questions, nil); err != nil || len(none) != 0 {
			t.Errorf("no links: %v, %v", none, err)
		}
	})
}
