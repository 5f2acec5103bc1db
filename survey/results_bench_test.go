package survey_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// seedProvinceCounts fills the count table as 5 million responses over 150
// units and a year would leave it: one row per unit, day, question and
// flag state. Writing the table directly (not five million forms) keeps the
// set-up to seconds; the read path measured is the one the product runs.
func seedProvinceCounts(b *testing.B, db *store.DB) (responses int) {
	ctx := context.Background()
	var rows []parindex.OrgRow
	rows = append(rows, parindex.OrgRow{Row: 2, Code: "P", Name: "Tỉnh", Type: "province", ValidFrom: "2000-01-01"})
	for i := 0; i < 150; i++ {
		rows = append(rows, parindex.OrgRow{Row: i + 3, Code: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("Đơn vị %d", i), Type: "department", Parent: "P", ValidFrom: "2000-01-01"})
	}
	if _, err := db.ImportOrgUnits(ctx, parindex.Actor{Name: "bench"}, "", rows, ""); err != nil {
		b.Fatal(err)
	}
	stored, err := survey.EnsureReference(ctx, db, parindex.Actor{Name: "bench"}, "sipas-2026")
	if err != nil {
		b.Fatal(err)
	}
	in, _ := survey.ReferenceInstrument("sipas-2026")
	codes := survey.QuestionCodes(in)
	units, _ := db.FindOrgUnits(ctx, store.OrgFilter{Type: "department"})
	rng := rand.New(rand.NewPCG(5, 5_000_000))
	var counts []store.CountRow
	for _, u := range units {
		for d := 0; d < 365; d++ {
			day := parindex.Date{Year: 2026, Month: 1, Day: 1}.AddDays(d)
			clean := 80 + rng.IntN(22) // about 91 a day: 5 million a year over 150 units
			flagged := rng.IntN(4)
			responses += clean + flagged
			c := make([]int64, 12*len(codes))
			for q := range codes {
				for i := 0; i < clean; i++ {
					c[12*q+rng.IntN(6)]++
				}
				for i := 0; i < flagged; i++ {
					c[12*q+6+rng.IntN(6)]++
				}
			}
			counts = append(counts, store.CountRow{InstrumentID: stored.ID, UnitID: u.ID, Day: day, Counts: c})
		}
	}
	if err := db.AddCountRows(ctx, counts); err != nil {
		b.Fatal(err)
	}
	return responses
}

// BenchmarkProvinceYearResults computes every unit's point estimates and
// Wilson intervals for a year of 5 million responses over 150 units.
func BenchmarkProvinceYearResults(b *testing.B) {
	storetest.Each(b, func(b *testing.B, db *store.DB) {
		n := seedProvinceCounts(b, db)
		if db.Dialect() == store.Postgres {
			if _, err := db.SQL().Exec(`ANALYZE response_counts`); err != nil {
				b.Fatal(err)
			}
		}
		svc := survey.NewService(db, survey.ResultOptions{})
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := svc.Units(ctx, "sipas-2026", survey.Year(2026), false)
			if err != nil {
				b.Fatal(err)
			}
			if len(res) != 150 {
				b.Fatalf("%d units", len(res))
			}
		}
		b.ReportMetric(float64(n), "responses")
	})
}

// BenchmarkUnitResult100k is one unit's full result (element and overall
// intervals, alpha) over 100,000 responses, cold: a new Service, so no
// cached result (the database's own cache stays warm). Set-up stores the
// responses through the store, in batches, and is not timed.
func BenchmarkUnitResult100k(b *testing.B) {
	storetest.Each(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		actor := parindex.Actor{Name: "bench"}
		rows := []parindex.OrgRow{
			{Row: 2, Code: "P", Name: "Tỉnh", Type: "province", ValidFrom: "2000-01-01"},
			{Row: 3, Code: "U001", Name: "Đơn vị", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
		}
		if _, err := db.ImportOrgUnits(ctx, actor, "", rows, ""); err != nil {
			b.Fatal(err)
		}
		stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
		if err != nil {
			b.Fatal(err)
		}
		in, _ := survey.ReferenceInstrument("sipas-2026")
		unit := storetest.Unit(b, db, "U001")
		questions := map[int64][]string{stored.ID: survey.QuestionCodes(in)}
		rng := rand.New(rand.NewPCG(100, 100_000))
		const total, batch = 100_000, 5_000
		for start := 0; start < total; start += batch {
			rs := make([]*parindex.Response, batch)
			for i := range rs {
				answers := make([]byte, 22)
				latent := rng.NormFloat64()
				for q := range answers {
					level := 3 + int(latent+rng.NormFloat64()*0.8)
					answers[q] = byte('0' + max(1, min(5, level)))
					if rng.IntN(20) == 0 {
						answers[q] = '0'
					}
				}
				day := parindex.Date{Year: 2026, Month: 1, Day: 1}.AddDays(rng.IntN(365))
				rs[i] = &parindex.Response{InstrumentID: stored.ID, UnitID: unit.ID, Day: day,
					SubmittedHour:  time.Date(day.Year, day.Month, day.Day, 5, 0, 0, 0, time.UTC),
					IdempotencyKey: fmt.Sprintf("bench-%d", start+i), Answers: string(answers), Source: parindex.SourcePaper}
			}
			if _, err := db.InsertResponses(ctx, rs, questions, 0); err != nil {
				b.Fatal(err)
			}
		}
		if db.Dialect() == store.Postgres {
			if _, err := db.SQL().Exec(`ANALYZE responses`); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		cpu := processCPU()
		for b.Loop() {
			svc := survey.NewService(db, survey.ResultOptions{})
			res, err := svc.Unit(ctx, "sipas-2026", "U001", survey.Year(2026), false)
			if err != nil {
				b.Fatal(err)
			}
			if res.Forms != total {
				b.Fatalf("%d forms", res.Forms)
			}
		}
		// The process's CPU per result (the PostgreSQL server's is not in
		// it): on a shared machine wall time varies with the other jobs.
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	})
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
