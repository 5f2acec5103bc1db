package stats

import "math"

// PoissonUpperTail is P(X ≥ k) for X ~ Poisson(mean): the regularised
// lower incomplete gamma P(k, mean), computed by its series. k ≤ 0 gives 1;
// a negative or NaN mean gives NaN.
func PoissonUpperTail(k int, mean float64) float64 {
	switch {
	case !(mean >= 0):
		return math.NaN()
	case k <= 0:
		return 1
	case mean == 0:
		return 0
	}
	if float64(k) <= mean+1 {
		// The complement converges fast below the mode and keeps precision.
		return 1 - poissonCDF(k-1, mean)
	}
	// Series for P(k, mean) = e^−mean · Σ_{j≥k} mean^j / j!, started at j = k.
	term := math.Exp(float64(k)*math.Log(mean) - mean - lgamma(float64(k)+1))
	sum := term
	for j := k + 1; term > sum*1e-17; j++ {
		term *= mean / float64(j)
		sum += term
	}
	return math.Min(1, sum)
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// poissonPMF is P(X = j); 0 for j < 0.
func poissonPMF(j int, mean float64) float64 {
	if j < 0 {
		return 0
	}
	if mean == 0 {
		if j == 0 {
			return 1
		}
		return 0
	}
	return math.Exp(float64(j)*math.Log(mean) - mean - lgamma(float64(j)+1))
}

// poissonCDF is P(X ≤ j); 0 for j < 0.
func poissonCDF(j int, mean float64) float64 {
	if j < 0 {
		return 0
	}
	sum, term := 0.0, math.Exp(-mean)
	for i := 0; i <= j; i++ {
		if i > 0 {
			term *= mean / float64(i)
		}
		sum += term
	}
	return math.Min(1, sum)
}

// ScanPValue is the chance that a Poisson process of the given rate,
// watched for a length of time `span`, puts k or more events into some
// window of length `window` (the same unit as span, rate per that unit):
// the p-value of the busiest window's count, the scan statistic.
//
// It uses Naus's (1982) product-limit approximation for the continuous
// Poisson scan statistic, as given by Glaz, Naus and Wallenstein, Scan
// Statistics (2001), ch. 2:
//
//	P(S_w ≥ k) ≈ 1 − Q₂ · (Q₃/Q₂)^(L−2),  L = span/window, ψ = rate·window
//
// where Q₂ and Q₃ are the exact chances that no window reaches k inside
// 2w and 3w, written in Poisson probabilities p(j) and distribution F(j)
// of mean ψ. scan_test.go checks it against seeded simulation, in the
// middle and in the tail below 1 %. The formula needs L ≥ 2; a shorter
// span is taken as two windows, which can only raise the p-value.
// k ≤ 1 gives 1 (one event is always inside some window); invalid
// arguments give NaN.
func ScanPValue(k int, rate, window, span float64) float64 {
	if !(rate >= 0) || !(window > 0) || !(span > 0) || math.IsInf(span, 0) {
		return math.NaN()
	}
	if k <= 1 {
		return 1
	}
	psi := rate * window
	if psi == 0 {
		return 0
	}
	L := math.Max(2, span/window)
	p := func(j int) float64 { return poissonPMF(j, psi) }
	F := func(j int) float64 { return poissonCDF(j, psi) }
	kf := float64(k)
	q2 := F(k-1)*F(k-1) - (kf-1)*p(k)*p(k-2) - (kf-1-psi)*p(k)*F(k-3)
	a1 := 2 * p(k) * F(k-1) * ((kf-1)*F(k-2) - psi*F(k-3))
	a2 := 0.5 * p(k) * p(k) * ((kf-1)*(kf-2)*F(k-3) - 2*(kf-2)*psi*F(k-4) + psi*psi*F(k-5))
	var a3, a4 float64
	for r := 1; r <= k-1; r++ {
		a3 += p(2*k-r) * F(r-1) * F(r-1)
	}
	for r := 2; r <= k-1; r++ {
		a4 += p(2*k-r) * p(r) * (float64(r-1)*F(r-2) - psi*F(r-3))
	}
	q3 := F(k-1)*F(k-1)*F(k-1) - a1 + a2 + a3 - a4
	if !(q2 > 0) || !(q3 > 0) {
		return 1
	}
	// 1 − Q₂·(Q₃/Q₂)^(L−2) through logs, so that tiny tails keep their digits.
	logSurvive := math.Log(q2) + (L-2)*math.Log(q3/q2)
	return math.Min(1, math.Max(0, -math.Expm1(logSurvive)))
}

// FunnelLimits are the control limits of a funnel plot for a rate whose
// expected value is center, at n observations and normal quantile z:
// center ± z·sqrt(center(1−center)/n), clamped to [0,1]. n ≤ 0 gives (0,1).
func FunnelLimits(center float64, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	se := math.Sqrt(center * (1 - center) / float64(n))
	return math.Max(0, center-z*se), math.Min(1, center+z*se)
}
