package dashboard_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"parindex/dashboard"
	"parindex/store"
	"parindex/store/storetest"
)

// BenchmarkPages times the server work of the overview and of one agency
// page on the demo province, on SQLite and (with PARINDEX_TEST_POSTGRES)
// PostgreSQL, and reports the 95th percentile beside the mean.
// PARINDEX_BENCH_VOLUME scales the demo survey (1: about 50,000 responses;
// default 0.1). The first call of each page (cold survey cache) is timed
// apart as cold-ms. docs/BENCHMARKS.md records the results.
func BenchmarkPages(b *testing.B) {
	volume, err := strconv.ParseFloat(os.Getenv("PARINDEX_BENCH_VOLUME"), 64)
	if err != nil || volume <= 0 {
		volume = 0.1
	}
	dialects := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{store.SQLite, storetest.MustOpenSQLite}, {store.Postgres, storetest.MustOpenPostgres}}
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			if d.name == store.Postgres && os.Getenv("PARINDEX_TEST_POSTGRES") == "" {
				b.Skip("PARINDEX_TEST_POSTGRES not set")
			}
			db := d.open(b)
			svc := seeded(b, db, volume)
			ctx := context.Background()
			unit := storetest.Unit(b, db, "SNV")
			pages := []struct {
				name string
				run  func() error
			}{
				{"overview-departments", func() error {
					_, err := svc.Overview(ctx, dashboard.Filter{Framework: "province-departments-2026"}, keys)
					return err
				}},
				{"overview-communes", func() error {
					_, err := svc.Overview(ctx, dashboard.Filter{Framework: "communes-2026"}, keys)
					return err
				}},
				{"agency", func() error {
					_, err := svc.Agency(ctx, unit, 0, keys)
					return err
				}},
			}
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					start := time.Now()
					if err := p.run(); err != nil {
						b.Fatal(err)
					}
					cold := time.Since(start)
					var times []time.Duration
					for b.Loop() {
						start := time.Now()
						if err := p.run(); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(start))
					}
					slices.Sort(times)
					b.ReportMetric(float64(times[(len(times)*95)/100].Microseconds())/1000, "p95-ms")
					b.ReportMetric(float64(cold.Microseconds())/1000, "cold-ms")
				})
			}
		})
	}
}
