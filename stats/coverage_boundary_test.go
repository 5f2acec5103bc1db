package stats

import (
	"math"
	"testing"
)

// binomialPMF is P(K = k) for K ~ Binomial(n, p), from logarithms.
func binomialPMF(k, n int, p float64) float64 {
	lgN, _ := math.Lgamma(float64(n + 1))
	lgK, _ := math.Lgamma(float64(k + 1))
	lgNK, _ := math.Lgamma(float64(n - k + 1))
	return math.Exp(lgN - lgK - lgNK + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
}

// TestOneSidedCoverageNearOne computes exactly, for n independent answers
// with a true share p near 1, how often the 95% score interval misses the
// truth on each side. Near 1 the interval can lie above the truth only if
// its lower end, at most n/(n+z²) (all n satisfied), exceeds p: never for
// n ≤ p·z²/(1−p) (73 answers at 0.95, 380 at 0.99). Coverage is then
// 100% less the misses below, and an interval that misses below at its
// nominal 2.5% covers 97.5%: the band 93–97% asks such cells to miss below
// more often than nominal (docs/statistics.md, "Coverage measured").
func TestOneSidedCoverageNearOne(t *testing.T) {
	for _, p := range []float64{0.95, 0.99} {
		limit := int(p * Z95 * Z95 / (1 - p))
		for _, n := range []int{30, 50, 73, 100, 200, 380, 1000} {
			var above, below float64
			for x := 0; x <= n; x++ {
				lo, hi := Wilson(x, n, Z95)
				switch {
				case lo > p:
					above += binomialPMF(x, n, p)
				case hi < p:
					below += binomialPMF(x, n, p)
				}
			}
			t.Logf("share %.2f, n %4d: interval above the truth %.2f%%, below %.2f%%, coverage %.2f%%", p, n, 100*above, 100*below, 100*(1-above-below))
			if n <= limit && above != 0 {
				t.Errorf("share %.2f, n %d ≤ %d: the interval lay above the truth with probability %g", p, n, limit, above)
			}
			if n > limit && above == 0 {
				t.Errorf("share %.2f, n %d > %d: the interval never lay above the truth", p, n, limit)
			}
		}
	}
}
