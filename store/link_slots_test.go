package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/store"
	"parindex/store/storetest"
)

// Arrivals are counted per link and five-minute slot as forms are stored;
// closed slots with fewer than three are forgotten, open ones kept; the
// busiest kept slot is the link's burst figure, and the timeline lists the
// kept slots in the period.
func TestLinkSlotsCountKeepAndForget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, links := miniLinks(t, db, "SNV/Quầy 1", "XN/Quầy A")
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		xn, _ := db.OrgUnitByCode(ctx, "XN")
		ict := time.FixedZone("ICT", 7*3600)
		busy := time.Date(2026, 3, 10, 10, 30, 0, 0, ict)  // 7 forms
		quiet := time.Date(2026, 3, 10, 11, 0, 0, 0, ict)  // 2 forms: forgotten
		third := time.Date(2026, 3, 10, 14, 55, 0, 0, ict) // 3 forms: kept
		open := time.Date(2026, 3, 11, 9, 55, 0, 0, ict)   // 1 form, slot still open
		var rs []*parindex.Response
		add := func(unit *parindex.OrgUnit, link int64, slot time.Time, n int) {
			for range n {
				rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, LinkID: link, Day: parindex.DateOf(slot),
					SubmittedHour: slot.UTC().Truncate(time.Hour), ArrivalSlot: slot.UTC(), IdempotencyKey: "k" + strconv.Itoa(len(rs)),
					Answers: "55", Source: parindex.SourceQR})
			}
		}
		add(snv, links[0].ID, busy, 4)
		add(snv, links[0].ID, quiet, 2)
		add(xn, links[1].ID, third, 3)
		add(snv, 0, busy, 2) // paper forms have no slot
		rs[len(rs)-1].ArrivalSlot, rs[len(rs)-2].ArrivalSlot = time.Time{}, time.Time{}
		// Two batches: the second adds to the first's slot.
		storeMini(t, db, in, rs)
		rs = rs[:0]
		add(snv, links[0].ID, busy, 3)
		add(snv, links[0].ID, open, 1)
		for i, r := range rs {
			r.IdempotencyKey = "second" + strconv.Itoa(i)
		}
		storeMini(t, db, in, rs)
		db.Now = func() time.Time { return open.Add(3 * time.Minute) }
		if err := db.PurgeQuietSlots(ctx); err != nil {
			t.Fatal(err)
		}
		day := parindex.MonthPeriod(2026, time.March)
		got, err := db.LinkSlots(ctx, links[0].ID, day, ict)
		if err != nil {
			t.Fatal(err)
		}
		// The open slot's single form is kept in the table until its slot
		// closes, but a timeline shows only slots of three or more.
		if want := []integrity.Slot{{Start: busy, Responses: 7}}; !reflect.DeepEqual(got, want) {
			t.Errorf("link A's slots %v, want %v", got, want)
		}
		if n := storetest.Rows(t, db, `SELECT COUNT(*) AS n FROM link_slots`); n[0]["n"] != "3" {
			t.Errorf("%s slots kept, want 3 (busy, third, the open one)", n[0]["n"])
		}
		_, aggregated, err := db.IntegrityAggregates(ctx, store.IntegrityFilter{InstrumentID: in.ID, Period: day, Location: ict})
		if err != nil {
			t.Fatal(err)
		}
		busiest := map[int64]int{}
		for _, l := range aggregated {
			busiest[l.ID] = l.BusiestFiveMinutes
		}
		if want := map[int64]int{links[0].ID: 7, links[1].ID: 3}; !reflect.DeepEqual(busiest, want) {
			t.Errorf("busiest slots %v, want %v", busiest, want)
		}
		// Another month holds none of them.
		if got, err := db.LinkSlots(ctx, links[0].ID, parindex.MonthPeriod(2026, time.April), ict); err != nil || len(got) != 0 {
			t.Errorf("April: %v, %v", got, err)
		}
	})
}
