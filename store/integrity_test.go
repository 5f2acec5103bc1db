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

// Ten responses written out by hand, and the aggregates they must give.
func TestIntegrityAggregates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC) }
		in, links := miniLinks(t, db, "SNV/Quầy 1", "SNV/Phỏng vấn", "XN/Quầy A")
		counter, interviews, xnLink := links[0].ID, links[1].ID, links[2].ID
		if err := db.MarkLinkIndependent(ctx, cli, interviews, true, "Sở tự phỏng vấn"); err != nil {
			t.Fatal(err)
		}
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		xn, _ := db.OrgUnitByCode(ctx, "XN")
		morning := time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)  // 09:00 in Vietnam
		evening := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) // 19:00
		var rs []*parindex.Response
		add := func(unit *parindex.OrgUnit, link int64, hour time.Time, device, answers string, flags ...string) {
			rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, LinkID: link, Day: parindex.DateOf(hour.In(time.FixedZone("ICT", 7*3600))),
				SubmittedHour: hour, IdempotencyKey: "k" + string(rune('a'+len(rs))), DeviceHash: device, Answers: answers, Flags: flags, Source: parindex.SourceQR})
		}
		add(snv, counter, morning, "d1", "55", parindex.FlagSpeeder)
		add(snv, counter, morning, "d1", "55")
		add(snv, counter, evening, "d2", "54")
		add(snv, counter, evening, "d3", "30")
		add(snv, counter, evening, "d4", "21", parindex.FlagStraightline, parindex.FlagBot)
		add(snv, interviews, morning, "d5", "44")
		add(snv, interviews, morning, "d6", "33")
		add(xn, xnLink, morning, "d2", "55")
		add(xn, xnLink, morning, "", "11")
		add(snv, 0, morning, "", "55") // a paper form: judged nowhere, but part of the province
		add(xn, xnLink, time.Date(2025, 12, 31, 2, 0, 0, 0, time.UTC), "d9", "55")
		rs[len(rs)-2].Source = parindex.SourcePaper
		storeMini(t, db, in, rs)
		if _, err := db.PutObservations(ctx, cli, obsRows("SNV 2026-03 records_resolved 4"), store.PutOptions{Source: parindex.MetricSourceAPI}); err != nil {
			t.Fatal(err)
		}

		ict := time.FixedZone("ICT", 7*3600)
		units, got, err := db.IntegrityAggregates(ctx, store.IntegrityFilter{InstrumentID: in.ID, Period: parindex.YearPeriod(2026), Location: ict})
		if err != nil {
			t.Fatal(err)
		}
		wantUnits := []integrity.Unit{{Code: "SNV", Name: "Sở Nội vụ", RecordsReturned: 4, RecordsKnown: true}, {Code: "XN", Name: xn.Name}}
		if !reflect.DeepEqual(units, wantUnits) {
			t.Errorf("units %+v, want %+v", units, wantUnits)
		}
		// The province's 10 responses of 2026: "55" four times, "11" once.
		want := []integrity.Link{
			{ID: counter, Unit: "SNV", Label: "Quầy 1", Responses: 5,
				Hours:      []integrity.HourCount{{Hour: morning.In(ict), Count: 2}, {Hour: evening.In(ict), Count: 3}},
				TopDevices: 4, SharedDevices: 1, TopVector: 2, TopVectorProvinceShare: 0.4, DistinctVectors: 4,
				FlagCounts:   map[string]int{parindex.FlagSpeeder: 1, parindex.FlagStraightline: 1, parindex.FlagBot: 1},
				ValidAnswers: 9, SatisfiedAnswers: 6, TopBoxAnswers: 5},
			{ID: interviews, Unit: "SNV", Label: "Phỏng vấn", Independent: true, Responses: 2,
				Hours:      []integrity.HourCount{{Hour: morning.In(ict), Count: 2}},
				TopDevices: 2, TopVector: 1, TopVectorProvinceShare: 0.1, DistinctVectors: 2,
				FlagCounts: map[string]int{}, ValidAnswers: 4, SatisfiedAnswers: 2},
			{ID: xnLink, Unit: "XN", Label: "Quầy A", Responses: 2,
				Hours:      []integrity.HourCount{{Hour: morning.In(ict), Count: 2}},
				TopDevices: 1, SharedDevices: 1, TopVector: 1, TopVectorProvinceShare: 0.1, DistinctVectors: 2,
				FlagCounts: map[string]int{}, ValidAnswers: 4, SatisfiedAnswers: 2, TopBoxAnswers: 2},
		}
		if len(got) != len(want) {
			t.Fatalf("%d links, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("link %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}

	})
}

// A link's devices ranked by their responses: the busiest first (a tie
// broken the same way on both databases), the rest summed, responses
// without a device apart; other links, other years and paper forms left
// out.
func TestLinkDevices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, links := miniLinks(t, db, "SNV/Quầy 1", "SNV/Quầy 2")
		snv, _ := db.OrgUnitByCode(ctx, "SNV")
		hour := time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC)
		var rs []*parindex.Response
		add := func(link int64, hour time.Time, device string, n int) {
			for range n {
				rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: snv.ID, LinkID: link, Day: parindex.DateOf(hour),
					SubmittedHour: hour, IdempotencyKey: "k" + strconv.Itoa(len(rs)), DeviceHash: device, Answers: "55", Source: parindex.SourceQR})
			}
		}
		add(links[0].ID, hour, "phone-c", 6)
		add(links[0].ID, hour, "phone-b", 3)
		add(links[0].ID, hour, "phone-a", 3) // ties phone-b: ranked before it
		add(links[0].ID, hour, "phone-d", 2)
		add(links[0].ID, hour, "phone-e", 1)
		add(links[0].ID, hour, "", 4)
		add(links[1].ID, hour, "phone-c", 9)                                  // another link
		add(links[0].ID, time.Date(2025, 5, 5, 2, 0, 0, 0, time.UTC), "x", 7) // another year
		add(0, hour, "", 5)                                                   // paper forms
		storeMini(t, db, in, rs)
		for _, c := range []struct {
			top  int
			want store.LinkDevices
		}{
			{3, store.LinkDevices{Busiest: []int{6, 3, 3}, Other: 3, Unrecorded: 4}},
			{10, store.LinkDevices{Busiest: []int{6, 3, 3, 2, 1}, Unrecorded: 4}},
		} {
			got, err := db.LinkDevices(ctx, links[0].ID, parindex.YearPeriod(2026), c.top)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("top %d: %+v, want %+v", c.top, got, c.want)
			}
		}
		if got, err := db.LinkDevices(ctx, links[1].ID, parindex.YearPeriod(2025), 10); err != nil || !reflect.DeepEqual(got, store.LinkDevices{}) {
			t.Errorf("a link's year without responses: %+v, %v", got, err)
		}
	})
}

func TestMarkLinkIndependentIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, links := miniLinks(t, db, "SNV/")
		id := links[0].ID
		for _, mark := range []bool{true, true, false} {
			if err := db.MarkLinkIndependent(ctx, cli, id, mark, "mẫu độc lập"); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.FindAudit(ctx, store.AuditFilter{ObjectType: "survey_link", ObjectID: strconv.FormatInt(id, 10)})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range rows {
			if r.Action == "link.independent" {
				actions = append(actions, r.After)
			}
		}
		// Newest first; marking a marked link again changes and records nothing.
		if !reflect.DeepEqual(actions, []string{`{"independent":false}`, `{"independent":true}`}) {
			t.Errorf("audit of the marks: %q", actions)
		}
		if err := db.MarkLinkIndependent(ctx, cli, id+100, true, ""); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("an unknown link gives %v", err)
		}
	})
}
