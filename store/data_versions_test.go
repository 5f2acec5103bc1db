package store_test

import (
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// A server's cached metric values follow a change another server made on
// the same database: new observations, a correction and a change of the
// catalogue's combine rule, on both dialects.
func TestMetricValuesFollowOtherServersWrites(t *testing.T) {
	urls := map[string]func(testing.TB) string{store.SQLite: storetest.SQLiteURL, store.Postgres: storetest.PostgresSchemaURL}
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			url := urls[dialect](t)
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
}
