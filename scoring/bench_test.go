package scoring

import (
	"testing"
	"time"

	"parindex/criteria"
)

// measure runs op in a b.Loop and reports, beside ns/op, the process CPU
// time per operation (cpu-ms/op), which shared machines disturb less.
func measure(b *testing.B, op func() error) {
	b.ReportAllocs()
	start, n := processCPUTime(), 0
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if used := processCPUTime() - start; used > 0 && n > 0 {
		b.ReportMetric(float64(used)/float64(n)/float64(time.Millisecond), "cpu-ms/op")
	}
}

// Scoring 1,000 agencies against a synthetic 150-leaf framework whose
// methods follow the proportions of the reference framework (explanations
// included). Budget: 50 ms.
func BenchmarkScore1000Agencies150Leaves(b *testing.B) {
	f := syntheticFramework(b, referenceMix)
	in := randomInputs(f, 1000, 1)
	measure(b, func() error { _, err := Score(f, in); return err })
}

// The same with every method in equal shares (15 formula leaves, whose
// evaluation by the expression engine is the most costly step).
func BenchmarkScore1000Agencies150LeavesEvenMix(b *testing.B) {
	f := syntheticFramework(b, evenMix)
	in := randomInputs(f, 1000, 1)
	measure(b, func() error { _, err := Score(f, in); return err })
}

// 1,000 rank-uncertainty draws over 1,000 agencies of the synthetic
// framework, scoring included. Budget: 2 s.
func BenchmarkRankUncertainty1000Draws1000Agencies(b *testing.B) {
	f := syntheticFramework(b, referenceMix)
	in := randomInputs(f, 1000, 1)
	o := &UncertaintyOptions{Draws: 1000, Seed: 1, Correlation: DefaultSurveyCorrelation}
	measure(b, func() error { _, err := ScoreWith(f, in, Options{Uncertainty: o}); return err })
}

// The same on one worker, to show the cost without parallelism.
func BenchmarkRankUncertainty1000Draws1000AgenciesOneWorker(b *testing.B) {
	f := syntheticFramework(b, referenceMix)
	in := randomInputs(f, 1000, 1)
	o := &UncertaintyOptions{Draws: 1000, Seed: 1, Correlation: DefaultSurveyCorrelation, Workers: 1}
	measure(b, func() error { _, err := ScoreWith(f, in, Options{Uncertainty: o}); return err })
}

// A province-sized run: 150 departments on the reference framework, 1,000 draws.
func BenchmarkRankUncertainty1000Draws150AgenciesReference(b *testing.B) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		b.Fatal(err)
	}
	in := randomInputs(f, 150, 1)
	o := &UncertaintyOptions{Draws: 1000, Seed: 1, Correlation: DefaultSurveyCorrelation}
	measure(b, func() error { _, err := ScoreWith(f, in, Options{Uncertainty: o}); return err })
}
