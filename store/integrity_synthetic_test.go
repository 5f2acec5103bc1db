package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/integrity/integritytest"
	"parindex/store"
	"parindex/store/storetest"
)

// The synthetic provinces of the integrity report's own test, written as
// responses (hour, five-minute slot, device, answers, flags) and records
// returned, read back by IntegrityAggregates and judged: every planted
// counter is found with its reason, and at most 5 % of honest counters are
// labelled anything but credible, on both databases.
func TestSyntheticProvincesThroughTheStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2027, 1, 2, 3, 0, 0, 0, time.UTC) }
		seeds := []uint64{1, 2, 3}
		provinces := make([]integritytest.Province, len(seeds))
		rows := []parindex.OrgRow{{Row: 2, Code: "P", Name: "Tỉnh Thử", Type: "province", ValidFrom: "2000-01-01"}}
		var records []parindex.ObservationRow
		for i, seed := range seeds {
			provinces[i] = integritytest.SyntheticProvince(seed, fmt.Sprintf("S%d-", seed))
			for _, u := range provinces[i].Units {
				rows = append(rows, parindex.OrgRow{Row: len(rows) + 2, Code: u.Code, Name: "Xã " + u.Code, Type: "commune", Parent: "P", ValidFrom: "2000-01-01"})
				records = append(records, parindex.ObservationRow{Row: len(records) + 2, Unit: u.Code, Period: "2026-12",
					Metric: store.RecordsReturnedMetric, Value: strconv.Itoa(u.RecordsReturned)})
			}
		}
		if _, err := db.ImportOrgUnits(ctx, cli, "", rows, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutObservations(ctx, cli, records, store.PutOptions{Source: parindex.MetricSourceAPI}); err != nil {
			t.Fatal(err)
		}
		honest, falseAlarms := 0, 0
		for i, seed := range seeds {
			p := provinces[i]
			in := &parindex.StoredInstrument{Code: fmt.Sprintf("syn%d-2026", seed), Name: "Thử", Year: 2026,
				Source: fmt.Sprintf("code: syn%d-2026", seed), Hash: strconv.FormatUint(seed, 10)}
			if err := db.SaveInstrument(ctx, cli, in); err != nil {
				t.Fatal(err)
			}
			if err := db.PublishInstrument(ctx, cli, in.Code); err != nil {
				t.Fatal(err)
			}
			var specs []store.LinkSpec
			for _, u := range p.Units {
				specs = append(specs, store.LinkSpec{Token: "t-" + u.Code, InstrumentCode: in.Code, UnitCode: u.Code, CounterLabel: "Quầy 1"})
			}
			links, err := db.CreateLinks(ctx, cli, specs)
			if err != nil {
				t.Fatal(err)
			}
			var rs []*parindex.Response
			for _, l := range links {
				for _, a := range p.Arrivals[l.UnitCode] {
					rs = append(rs, &parindex.Response{LinkID: l.ID, InstrumentID: in.ID, UnitID: l.UnitID,
						SubmittedHour: a.At.UTC().Truncate(time.Hour), ArrivalSlot: a.At.UTC().Truncate(parindex.ArrivalSlotLength),
						Day: parindex.DateOf(a.At.In(integritytest.Zone)), IdempotencyKey: fmt.Sprintf("%s-%d", in.Code, len(rs)),
						DeviceHash: a.Device, Answers: a.Answers, Flags: a.Flags, Source: parindex.SourceQR})
				}
			}
			for start := 0; start < len(rs); start += 2000 {
				if _, err := db.InsertResponses(ctx, rs[start:min(start+2000, len(rs))], map[int64][]string{in.ID: {"A1", "A2", "A3", "A4", "A5"}}, 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.PurgeQuietSlots(ctx); err != nil {
				t.Fatal(err)
			}
			units, aggregated, err := db.IntegrityAggregates(ctx, store.IntegrityFilter{InstrumentID: in.ID, Period: parindex.YearPeriod(2026), Location: integritytest.Zone})
			if err != nil {
				t.Fatal(err)
			}
			h, f := p.Tally(t, integrity.Assess(integrity.DefaultPolicy(), units, aggregated))
			honest += h
			falseAlarms += f
		}
		integritytest.CheckFalseAlarms(t, honest, falseAlarms, 150)
	})
}
