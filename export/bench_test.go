package export_test

import (
	"context"
	"io"
	"os"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/export"
	"parindex/store"
	"parindex/store/storetest"
)

// TestSeedBenchmarkDatabase prepares the database of the million-row export
// figure in docs/BENCHMARKS.md: the demo province with twenty times its
// responses (about 1,030,000). It runs only when PARINDEX_BENCH_SEED names
// a database URL, e.g. sqlite:/tmp/bench/parindex.db.
func TestSeedBenchmarkDatabase(t *testing.T) {
	url := os.Getenv("PARINDEX_BENCH_SEED")
	if url == "" {
		t.Skip("set PARINDEX_BENCH_SEED=sqlite:PATH to seed the export benchmark database")
	}
	db := storetest.MustOpen(t, url)
	s := demotest.Seed(t, db, demo.Options{SurveyVolume: 20})
	t.Logf("responses added: %d", s.Survey.Responses)
}

// BenchmarkWriteResponses streams the demo's responses (about 2,500 at this
// volume) into a workbook that is thrown away.
func BenchmarkWriteResponses(b *testing.B) {
	db := demotest.SQLite(b, demo.Options{SurveyVolume: 0.05, SkipSnapshots: true})
	b.ReportAllocs()
	benchmarkWriteResponses(b, db)
}

// BenchmarkMillionResponses exports every response of the database seeded
// by TestSeedBenchmarkDatabase; it runs only when PARINDEX_BENCH_DB names
// it. The wall-clock and peak-memory figures of docs/BENCHMARKS.md come
// from the command line (parindex export responses under /usr/bin/time -v).
func BenchmarkMillionResponses(b *testing.B) {
	url := os.Getenv("PARINDEX_BENCH_DB")
	if url == "" {
		b.Skip("set PARINDEX_BENCH_DB=sqlite:PATH (seeded by TestSeedBenchmarkDatabase)")
	}
	db := storetest.MustOpen(b, url)
	benchmarkWriteResponses(b, db)
}

// benchmarkWriteResponses streams every response of db into a workbook that
// is thrown away, and reports the rows of one.
func benchmarkWriteResponses(b *testing.B, db *store.DB) {
	rows := 0
	for b.Loop() {
		sum, err := export.WriteResponses(context.Background(), db, store.ResponseFilter{}, parindex.Clock{}, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		rows = sum.Rows
	}
	b.ReportMetric(float64(rows), "rows/op")
}
