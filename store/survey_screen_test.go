package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// Flags added to stored responses reach the responses and move their
// answers from the count table's clean counts to its flagged ones: the
// table then equals a recomputation from the rows. A flag a response
// already has, or a second flag of a flagged response, moves nothing.
func TestAddResponseFlagsKeepsTheCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := miniInstrument(t, db)
		unit := storetest.Unit(t, db, "SNV")
		var rs []*parindex.Response
		for i, a := range []string{"51", "42", "51", "05", "33", "51"} {
			day := parindex.Date{Year: 2026, Month: 3, Day: 10 + i%2}
			r := miniForm(in, unit.ID, day, fmt.Sprintf("screen-%d", i), a, parindex.SourceQR)
			if i == 4 {
				r.Flags = []string{parindex.FlagSpeeder}
			}
			rs = append(rs, r)
		}
		storeMini(t, db, in, rs)
		stored := map[string]int64{}
		if err := db.EachScreenedResponse(ctx, in.ID, parindex.Date{}, parindex.Date{}, func(r store.ScreenedResponse) error {
			stored[fmt.Sprint(len(stored))] = r.ID
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 6 {
			t.Fatalf("%d responses read to screen, want 6", len(stored))
		}
		add := map[int64][]string{
			stored["0"]: {parindex.FlagBatchDuplicate},
			stored["2"]: {parindex.FlagBatchDuplicate, parindex.FlagStraightline},
			stored["4"]: {parindex.FlagBatchDuplicate}, // already flagged: no count moves
		}
		changed, err := db.AddResponseFlags(ctx, in.ID, add)
		if err != nil || changed != 3 {
			t.Fatalf("flagged %d, %v; want 3", changed, err)
		}
		if again, err := db.AddResponseFlags(ctx, in.ID, add); err != nil || again != 0 {
			t.Errorf("the same flags again changed %d responses, %v", again, err)
		}
		rows, err := db.FindResponses(ctx, store.ResponseFilter{InstrumentID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		byDay := map[[3]string][]string{}
		flags := map[int64]string{}
		for _, r := range rows {
			k := [3]string{fmt.Sprint(in.ID), fmt.Sprint(unit.ID), r.Day.String()}
			a := r.Answers
			if r.Flags != "" {
				a = "f" + a
			}
			byDay[k] = append(byDay[k], a)
			flags[r.ID] = r.Flags
		}
		if want := countsOf(2, byDay); !reflect.DeepEqual(countTable(t, db), want) {
			t.Errorf("count table %v, recomputed from the rows %v", countTable(t, db), want)
		}
		if flags[stored["0"]] != "batch_duplicate" || flags[stored["2"]] != "batch_duplicate,straightline" ||
			flags[stored["4"]] != "speeder,batch_duplicate" || flags[stored["1"]] != "" {
			t.Errorf("flags stored: %v", flags)
		}
	})
}
