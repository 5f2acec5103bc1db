package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

// benchSurvey prepares one published instrument of 22 questions, one unit
// and one link.
func benchSurvey(b *testing.B, db *store.DB) (*parindex.SurveyLink, []string) {
	ctx := context.Background()
	importTree(b, db)
	in := &parindex.StoredInstrument{Code: "bench", Name: "Bench", Year: 2026, Source: "x", Hash: "h"}
	if err := db.SaveInstrument(ctx, cli, in); err != nil {
		b.Fatal(err)
	}
	if err := db.PublishInstrument(ctx, cli, "bench"); err != nil {
		b.Fatal(err)
	}
	links, err := db.CreateLinks(ctx, cli, []store.LinkSpec{{Token: "tok", InstrumentCode: "bench", UnitCode: "SNV"}})
	if err != nil {
		b.Fatal(err)
	}
	codes := make([]string, 22)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%d", i)
	}
	return links[0], codes
}

// BenchmarkInsertResponses stores batches of 64 responses, as the group
// committer does under load; ns/op is per batch.
func BenchmarkInsertResponses(b *testing.B) {
	storetest.Each(b, func(b *testing.B, db *store.DB) {
		link, codes := benchSurvey(b, db)
		ctx := context.Background()
		n := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			batch := make([]*parindex.Response, 64)
			for j := range batch {
				n++
				batch[j] = &parindex.Response{LinkID: link.ID, InstrumentID: link.InstrumentID, UnitID: link.UnitID,
					SubmittedHour: time.Now().UTC().Truncate(time.Hour), Day: parindex.DateOf(time.Now()),
					IdempotencyKey: fmt.Sprintf("k%d", n), DeviceHash: fmt.Sprintf("d%d", n), DeviceKey: fmt.Sprintf("s%d", n),
					Answers: "4444444444444444444444", Source: parindex.SourceQR}
			}
			if _, err := db.InsertResponses(ctx, batch, map[int64][]string{link.InstrumentID: codes}, 10*time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "responses/s")
	})
}
