package stats

import "math"

// Z95 is the two-sided 95% standard normal quantile, NormalQuantile(0.975),
// written out so that it can be used in constant expressions; the tests
// check that the two agree bit for bit. It is the double nearest to the true
// value 1.95996398454005423552…; the worked examples in the shared test
// vectors quote 1.9599639845400536, two units in the last place lower, which
// changes no published figure. Intervals use this exact value, never 1.96.
const Z95 = 1.959963984540054

// Coefficients of Acklam's rational approximation to the inverse normal CDF
// (relative error below 1.15e-9), which we then polish with Halley steps.
var (
	acklamA = [6]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	acklamB = [5]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01}
	acklamC = [6]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	acklamD = [4]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00}
)

// NormalQuantile returns x such that P(Z ≤ x) = p for a standard normal Z.
// p = 0 and p = 1 give −Inf and +Inf; p outside [0,1] or NaN gives NaN.
//
// Acklam's approximation is only good to about 1e-9, which is not enough for
// exact interval end points, so two Halley steps against math.Erfc bring it
// to full double precision (about 1e-15 relative). We always work in the
// lower tail (p ≤ 0.5, where 1−p is exact in floating point) so that the
// residual is computed from erfc of a positive argument without cancellation.
func NormalQuantile(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p == 0.5:
		return 0
	}
	if p > 0.5 {
		return -lowerNormalQuantile(1 - p)
	}
	return lowerNormalQuantile(p)
}

// lowerNormalQuantile handles 0 < p < 0.5 and returns a negative x.
func lowerNormalQuantile(p float64) float64 {
	const pLow = 0.02425
	var x float64
	if p < pLow {
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((acklamC[0]*q+acklamC[1])*q+acklamC[2])*q+acklamC[3])*q+acklamC[4])*q + acklamC[5]) /
			((((acklamD[0]*q+acklamD[1])*q+acklamD[2])*q+acklamD[3])*q + 1)
	} else {
		q := p - 0.5
		r := q * q
		x = (((((acklamA[0]*r+acklamA[1])*r+acklamA[2])*r+acklamA[3])*r+acklamA[4])*r + acklamA[5]) * q /
			(((((acklamB[0]*r+acklamB[1])*r+acklamB[2])*r+acklamB[3])*r+acklamB[4])*r + 1)
	}
	central := p >= 0.25 // then p−0.5 is exact (Sterbenz) and erf keeps relative accuracy near 0
	for range 2 {
		var residual float64
		if central {
			residual = 0.5*math.Erf(x/math.Sqrt2) - (p - 0.5)
		} else {
			residual = 0.5*math.Erfc(-x/math.Sqrt2) - p
		}
		density := math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
		if density == 0 || math.IsInf(density, 0) {
			break // beyond about 1e-300 the density underflows; keep Acklam's value
		}
		u := residual / density
		x -= u / (1 + 0.5*x*u)
	}
	return x
}
