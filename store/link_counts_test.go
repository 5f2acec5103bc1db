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

// CleanLinkCounts counts the digits of the clean responses of the links
// asked for, in the period, per question and level; the expected counts are
// tallied here from the rows written.
func TestCleanLinkCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		if err := db.PublishInstrument(ctx, cli, in.Code); err != nil {
			t.Fatal(err)
		}
		links, err := db.CreateLinks(ctx, cli, []store.LinkSpec{
			{Token: "t-a", InstrumentCode: in.Code, UnitCode: "SNV", CounterLabel: "Quầy 1"},
			{Token: "t-b", InstrumentCode: in.Code, UnitCode: "SNV", CounterLabel: "Quầy 2"},
			{Token: "t-c", InstrumentCode: in.Code, UnitCode: "XN", CounterLabel: "Quầy A"}})
		if err != nil {
			t.Fatal(err)
		}
		a, b, c := links[0].ID, links[1].ID, links[2].ID
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
			{xn, c, march, "21", nil},  // a link not asked for
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

		asked := []int64{a, b}
		want := map[int64]*store.LinkCounts{}
		for _, r := range written {
			if r.link != a && r.link != b || len(r.flags) > 0 || r.day.Year != 2026 {
				continue
			}
			w := want[r.link]
			if w == nil {
				w = &store.LinkCounts{LinkID: r.link, UnitID: r.unit.ID, Questions: map[string][6]int64{}}
				want[r.link] = w
			}
			w.Responses++
			for i, q := range questions {
				counts := w.Questions[q]
				counts[r.answers[i]-'0']++
				w.Questions[q] = counts
			}
		}
		got, err := db.CleanLinkCounts(ctx, in.ID, parindex.Date{Year: 2026, Month: 1, Day: 1}, parindex.Date{Year: 2026, Month: 12, Day: 31}, questions, asked)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CleanLinkCounts:")
			for id, w := range want {
				t.Errorf("  link %d: got %+v, want %+v", id, got[id], w)
			}
		}
		// Link a's three clean answers to A1 in 2026 are 5, 5 and 0.
		if got[a] == nil || got[a].Questions["A1"] != [6]int64{1, 0, 0, 0, 0, 2} {
			t.Errorf("link a A1 = %+v", got[a])
		}
		if none, err := db.CleanLinkCounts(ctx, in.ID, parindex.Date{}, parindex.Date{}, questions, nil); err != nil || len(none) != 0 {
			t.Errorf("no links: %v, %v", none, err)
		}
	})
}
