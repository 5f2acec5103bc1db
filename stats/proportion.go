package stats

import (
	"fmt"
	"math"
)

// Wilson returns the Wilson score interval for x successes in n trials at
// normal quantile z (use Z95 for 95%). It is preferred over the Wald
// interval because it stays inside [0,1] and keeps close to nominal coverage
// for the small n and rates near 100% that satisfaction surveys produce.
//
// Conventions:
//   - n == 0 gives (0, 1): with no valid answer every rate is possible. This
//     keeps aggregation code free of special cases, and the caller still
//     sees n == 0 and must mark the unit rather than rank it.
//   - x == 0 gives lo exactly 0 and x == n gives hi exactly 1 (the formula
//     would otherwise leave rounding dust such as 1.4e-17); all end points
//     are clamped to [0,1].
//   - x < 0, x > n, n < 0, or z negative or NaN give (NaN, NaN): such a
//     call is a bug in the caller, and NaN cannot be mistaken for a result.
func Wilson(x, n int, z float64) (lo, hi float64) {
	if n < 0 || x < 0 || x > n || !(z >= 0) {
		return math.NaN(), math.NaN()
	}
	if n == 0 {
		return 0, 1
	}
	trials := float64(n)
	rate := float64(x) / trials
	z2 := z * z
	denominator := 1 + z2/trials
	center := (rate + z2/(2*trials)) / denominator
	halfWidth := z / denominator * math.Sqrt(rate*(1-rate)/trials+z2/(4*trials*trials))
	lo = math.Max(0, center-halfWidth)
	hi = math.Min(1, center+halfWidth)
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return lo, hi
}

// TwoProportionResult is the outcome of comparing two rates x1/n1 and x2/n2.
type TwoProportionResult struct {
	Diff   float64 // x1/n1 − x2/n2
	Z      float64 // pooled z statistic, positive when the first rate is higher
	PValue float64 // two-sided
}

// TwoProportionZTest is the classical pooled two-proportion z-test of
// H0: p1 = p2, used to say whether two units' satisfaction rates differ
// significantly. The standard error pools both samples because it is
// computed under the null hypothesis of equal rates:
//
//	z = (p1 − p2) / sqrt(p̂(1−p̂)(1/n1 + 1/n2)),  p̂ = (x1+x2)/(n1+n2)
//
// and the two-sided p-value is erfc(|z|/√2). When the pooled rate is 0 or 1
// both rates are equal, so z = 0 and p = 1. n1 or n2 of zero is an error.
func TwoProportionZTest(x1, n1, x2, n2 int) (TwoProportionResult, error) {
	if err := checkCount("first sample", x1, n1); err != nil {
		return TwoProportionResult{}, err
	}
	if err := checkCount("second sample", x2, n2); err != nil {
		return TwoProportionResult{}, err
	}
	if n1 == 0 || n2 == 0 {
		return TwoProportionResult{}, fmt.Errorf("two-proportion test needs both samples non-empty (n1=%d, n2=%d): %w", n1, n2, ErrInvalidInput)
	}
	p1 := float64(x1) / float64(n1)
	p2 := float64(x2) / float64(n2)
	pooled := float64(x1+x2) / float64(n1+n2)
	result := TwoProportionResult{Diff: p1 - p2, Z: 0, PValue: 1}
	variance := pooled * (1 - pooled) * (1/float64(n1) + 1/float64(n2))
	if variance > 0 {
		result.Z = result.Diff / math.Sqrt(variance)
		result.PValue = math.Erfc(math.Abs(result.Z) / math.Sqrt2)
	}
	return result, nil
}

// NewcombeDifference returns Newcombe's hybrid-score interval (his method
// 10, without continuity correction) for p1 − p2 at normal quantile z.
// It combines the two Wilson intervals (l1,u1) and (l2,u2):
//
//	lo = d − sqrt((p1−l1)² + (u2−p2)²)
//	hi = d + sqrt((u1−p1)² + (p2−l2)²)
//
// It is chosen over the Wald difference interval because it inherits
// Wilson's good behaviour near 0% and 100%. An empty sample behaves as in
// Wilson (the interval (0,1) for that rate, whose point value is taken as
// 0), so the result is wide rather than an error; invalid counts give NaN.
func NewcombeDifference(x1, n1, x2, n2 int, z float64) (lo, hi float64) {
	l1, u1 := Wilson(x1, n1, z)
	l2, u2 := Wilson(x2, n2, z)
	if math.IsNaN(l1) || math.IsNaN(l2) {
		return math.NaN(), math.NaN()
	}
	p1, p2 := rateOrZero(x1, n1), rateOrZero(x2, n2)
	d := p1 - p2
	lo = d - math.Hypot(p1-l1, u2-p2)
	hi = d + math.Hypot(u1-p1, p2-l2)
	return lo, hi
}

func rateOrZero(x, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(x) / float64(n)
}

func checkCount(what string, x, n int) error {
	if n < 0 || x < 0 || x > n {
		return fmt.Errorf("%s: need 0 ≤ successes ≤ trials, got %d of %d: %w", what, x, n, ErrInvalidInput)
	}
	return nil
}

// BinomialUpperTail is P(K ≥ k) for K ~ Binomial(n, p): the regularised
// incomplete beta I_p(k, n−k+1). k ≤ 0 gives 1, k > n gives 0; p outside
// [0,1] gives NaN. Used to say whether k equal forms among n are more than
// chance explains.
func BinomialUpperTail(k, n int, p float64) float64 {
	switch {
	case !(p >= 0 && p <= 1) || n < 0:
		return math.NaN()
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p == 0:
		return 0
	case p == 1:
		return 1
	}
	return regularizedIncompleteBeta(float64(k), float64(n-k+1), p, 1-p)
}
