package stats

import "testing"

// Results are kept in package variables so the compiler cannot drop the
// benchmarked calls.
var benchmarkSink float64

func BenchmarkWilson(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		lo, hi := Wilson(i%200, 200, Z95)
		benchmarkSink += lo + hi
	}
}

func BenchmarkNormalQuantile(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		benchmarkSink += NormalQuantile(float64(i%999+1) / 1000)
	}
}

func BenchmarkTQuantile(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		benchmarkSink += TQuantile(0.975, i%200+1)
	}
}

// BenchmarkAggregateBattery5000 aggregates a battery of 5,000 respondents
// × 17 questions in 5 elements, the size of a busy agency's year.
func BenchmarkAggregateBattery5000(b *testing.B) {
	answers, elements := syntheticPopulation(5000, 1)
	for _, c := range []struct {
		name    string
		options BatteryOptions
	}{
		{"point-estimates", BatteryOptions{SkipBootstrap: true}},
		{"bootstrap-400", BatteryOptions{BootstrapReps: 400, Seed: 1}},
		{"bootstrap-default", BatteryOptions{Seed: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				result, err := AggregateBattery(answers, elements, c.options)
				if err != nil {
					b.Fatal(err)
				}
				benchmarkSink += result.Overall
			}
		})
	}
}
