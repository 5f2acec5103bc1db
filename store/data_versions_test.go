package store_test

import (
	"context"
	"testing"
	"time"

	"parindex"
	"parindex/assessment"
	"parindex/store"
	"parindex/store/storetest"
)

// A server's cached metric values follow a change another server made on
// the same database: new observations, a correction and a change of the
// catalogue's combine rule, on both dialects.
func TestMetricValuesFollowOtherServersWrites(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, url string) {
		writer := storetest.MustOpen(t, url)
		ctx := metricsDB(t, writer)
		reader, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		read := func(want float64, when string) {
			t.Helper()
			got, err := reader.YearMetrics(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if v := got["SNV"]["records_received"]; v != want {
				t.Errorf("%s: records_received = %v, want %v", when, v, want)
			}
		}
		put := func(lines ...string) {
			t.Helper()
			if _, err := writer.PutObservations(ctx, cli, obsRows(lines...), store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
				t.Fatal(err)
			}
		}
		put("SNV 2026-01 records_received 120", "SNV 2026-02 records_received 80")
		read(200, "first read")
		read(200, "read again from the cache")
		put("SNV 2026-03 records_received 10")
		read(210, "a month added")
		put("SNV 2026-03 records_received 30")
		read(230, "a month corrected")
		// A dry run writes nothing and leaves the cache current.
		if _, err := writer.PutObservations(ctx, cli, obsRows("SNV 2026-04 records_received 1000"),
			store.PutOptions{Source: parindex.MetricSourceImport, DryRun: true}); err != nil {
			t.Fatal(err)
		}
		read(230, "after a dry run")

		metrics, err := writer.Metrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range metrics {
			if m.Code == "records_received" {
				m.Combine = parindex.CombineLast
				if err := writer.SaveMetric(ctx, cli, m, "a stock after all"); err != nil {
					t.Fatal(err)
				}
			}
		}
		read(30, "combine rule changed to last")
		// One unit's values, from the cache, as read on their own.
		snv, _ := reader.OrgUnitByCode(ctx, "SNV")
		one, err := reader.PeriodValues(ctx, parindex.YearPeriod(2026), snv.ID)
		if err != nil || len(one) != 1 || one[snv.ID]["records_received"].Value != 30 {
			t.Errorf("SNV alone = %+v, %v", one, err)
		}
	})
}

// A server's cached answer counts follow what another server stored on the
// same database: new responses, flags added by screening and count rows
// added directly, on both dialects.
func TestResponseCountsFollowOtherServersWrites(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, url string) {
		writer := storetest.MustOpen(t, url)
		ctx := context.Background()
		in, links := miniLinks(t, writer, "SNV/Quầy 1")
		reader, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		questions := []string{"A1", "A2"}
		day := parindex.Date{Year: 2026, Month: 3, Day: 10}
		read := func(respondents, flagged int, when string) {
			t.Helper()
			for range 2 { // the second from the cache
				got, err := reader.ResponseCounts(ctx, in.ID, day, day, false, questions)
				if err != nil {
					t.Fatal(err)
				}
				c := got[links[0].UnitID]
				if c == nil && respondents+flagged > 0 || c != nil && (c.Respondents != respondents || c.Flagged != flagged) {
					t.Errorf("%s: counts %+v, want %d respondents and %d flagged", when, c, respondents, flagged)
				}
			}
		}
		var ids []int64
		put := func(key string) {
			t.Helper()
			r := &parindex.Response{InstrumentID: in.ID, UnitID: links[0].UnitID, Day: day, IdempotencyKey: key, Answers: "35",
				LinkID: links[0].ID, SubmittedHour: time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC), Source: parindex.SourceQR}
			if _, err := writer.InsertResponses(ctx, []*parindex.Response{r}, map[int64][]string{in.ID: questions}, 0); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		read(0, 0, "empty")
		put("k1")
		read(1, 0, "one response")
		put("k2")
		read(2, 0, "two responses")
		if n, err := writer.AddResponseFlags(ctx, in.ID, map[int64][]string{ids[0]: {parindex.FlagDuplicateDevice}}); err != nil || n != 1 {
			t.Fatalf("AddResponseFlags = %d, %v", n, err)
		}
		read(1, 1, "one flagged by screening")
		counts := make([]int64, 24)
		counts[5] = 3 // A1 answered 5 three times
		if err := writer.AddCountRows(ctx, []store.CountRow{{InstrumentID: in.ID, UnitID: links[0].UnitID, Day: day, Counts: counts}}); err != nil {
			t.Fatal(err)
		}
		got, err := reader.ResponseCounts(ctx, in.ID, day, day, false, questions)
		if err != nil || got[links[0].UnitID].Questions["A1"][5] != 3 {
			t.Errorf("after rows added directly: %+v, %v", got[links[0].UnitID], err)
		}
	})
}

// A server's cached list of a framework's assessments follows what another
// server writes on the same database (an entry saved, then corrected), on
// both dialects, and changing what one list returned does not change the
// next.
func TestAssessmentListsFollowOtherServersWrites(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		writer := storetest.MustOpen(t, dbURL)
		clock := setUpAssessments(t, writer)
		reader := storetest.MustOpen(t, dbURL)
		reader.Now = clock.now
		snv := func(when string) *assessment.Assessment {
			t.Helper()
			list, _, err := reader.ListAssessments(ctx, assessRef.Framework)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				if a.UnitCode == assessRef.Unit {
					return a
				}
			}
			t.Fatalf("%s: SNV is not in the list", when)
			return nil
		}
		if a := snv("first read"); a.ID != 0 || len(a.Entries) != 0 {
			t.Fatalf("first read: stored %d, %d entries; want a virtual draft", a.ID, len(a.Entries))
		}
		if _, err := writer.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.5)}}}, ""); err != nil {
			t.Fatal(err)
		}
		a := snv("after an entry")
		if a.ID == 0 || a.Entries["1.2"] == nil || *a.Entries["1.2"].Points != 2.5 {
			t.Fatalf("after an entry: the list still shows %+v", a.Entries)
		}
		a.UnitName, a.State = "changed by a caller", assessment.StateFinal
		if again := snv("read again"); again.UnitName == "changed by a caller" || again.State != assessment.StateDraft {
			t.Errorf("read again: %q in state %s, want the stored draft", again.UnitName, again.State)
		}
		if _, err := writer.SaveEntries(ctx, assessActor, assessRef, []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(3)}}}, ""); err != nil {
			t.Fatal(err)
		}
		if a := snv("after a correction"); *a.Entries["1.2"].Points != 3 {
			t.Errorf("after a correction: %v points, want 3", *a.Entries["1.2"].Points)
		}
	})
}
