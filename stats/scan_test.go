package stats

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// Values from the Poisson sums written out by hand (1 − e^−1(1 + 1 + 1/2)
// for the first) and, for the far tail, Σ_{j≥60} e^−1.5·1.5^j/j! summed
// term by term outside this code.
func TestPoissonUpperTail(t *testing.T) {
	cases := []struct {
		k    int
		mean float64
		want float64
	}{
		{3, 1, 1 - 2.5/math.E},
		{10, 2, 4.6498075017109564e-05},
		{60, 1.5, 1.0108050331095187e-72},
		{0, 3, 1},
		{1, 0, 0},
	}
	for _, c := range cases {
		got := PoissonUpperTail(c.k, c.mean)
		if math.Abs(got-c.want) > 1e-12*math.Max(c.want, 1e-300) && math.Abs(got-c.want) > 1e-15 {
			t.Errorf("PoissonUpperTail(%d, %g) = %g, want %g", c.k, c.mean, got, c.want)
		}
	}
	if !math.IsNaN(PoissonUpperTail(2, -1)) {
		t.Error("a negative mean must give NaN")
	}
}

// The busiest window of simulated Poisson arrivals: ScanPValue must agree
// with the share of seeded simulations whose busiest window reaches k.
func TestScanPValueAgreesWithSimulation(t *testing.T) {
	const runs = 4000
	cases := []struct {
		k                  int
		rate, window, span float64
	}{
		{5, 10.0 / 60, 5, 600}, // ten an hour for ten hours, 5-minute windows
		{4, 10.0 / 60, 5, 600},
		{8, 30.0 / 60, 5, 1200},
		{3, 2.0 / 60, 5, 480},
		{7, 10.0 / 60, 5, 600}, // the tail the integrity checks judge in
		{11, 30.0 / 60, 5, 1200},
	}
	rng := rand.New(rand.NewPCG(22, 2026))
	for _, c := range cases {
		hits := 0
		for range runs {
			if busiestWindow(rng, c.rate, c.window, c.span) >= c.k {
				hits++
			}
		}
		simulated := float64(hits) / runs
		got := ScanPValue(c.k, c.rate, c.window, c.span)
		se := math.Sqrt(simulated*(1-simulated)/runs) + 0.005
		if math.Abs(got-simulated) > 4*se {
			t.Errorf("ScanPValue(%d, %g, %g, %g) = %.4f, simulation %.4f", c.k, c.rate, c.window, c.span, got, simulated)
		}
		t.Logf("k=%d ψ=%.2f L=%.0f: approximation %.4f, simulation %.4f", c.k, c.rate*c.window, c.span/c.window, got, simulated)
	}
}

// A clerk's 60 forms in one 5-minute window, at a link that gets 20 forms
// in a working day, cannot come from chance arrivals.
func TestScanPValueOfABurst(t *testing.T) {
	p := ScanPValue(60, 80.0/(22*8*60), 5, 22*8*60)
	if !(p < 1e-30) {
		t.Errorf("p = %g for 60 forms in 5 minutes at 80 a month", p)
	}
	if got := ScanPValue(1, 0.1, 5, 100); got != 1 {
		t.Errorf("one event is always in some window: got %g", got)
	}
	if !math.IsNaN(ScanPValue(3, 0.1, 0, 100)) {
		t.Error("a zero window must give NaN")
	}
}

func busiestWindow(rng *rand.Rand, rate, window, span float64) int {
	n := poissonDraw(rng, rate*span)
	times := make([]float64, n)
	for i := range times {
		times[i] = rng.Float64() * span
	}
	sort.Float64s(times)
	best, start := 0, 0
	for end := range times {
		for times[end]-times[start] > window {
			start++
		}
		best = max(best, end-start+1)
	}
	return best
}

func poissonDraw(rng *rand.Rand, mean float64) int {
	// Counting exponential gaps: exact and fast enough for these means.
	n, t := 0, rng.ExpFloat64()
	for t < mean {
		n++
		t += rng.ExpFloat64()
	}
	return n
}

func TestFunnelLimits(t *testing.T) {
	// 0.8 ± 1.96·sqrt(0.8·0.2/100) = 0.8 ± 0.0784
	lo, hi := FunnelLimits(0.8, 100, 1.96)
	if math.Abs(lo-0.7216) > 1e-12 || math.Abs(hi-0.8784) > 1e-12 {
		t.Errorf("FunnelLimits(0.8, 100, 1.96) = %g, %g", lo, hi)
	}
	if lo, hi := FunnelLimits(0.99, 4, 3.09); lo < 0 || hi != 1 {
		t.Errorf("limits must stay in [0,1]: %g, %g", lo, hi)
	}
}
