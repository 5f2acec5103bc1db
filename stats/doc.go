// Package stats owns the pure statistics behind survey indices and
// rankings: confidence intervals for rates and means (Wilson, Student t,
// Newcombe), the exact normal and t quantiles they need, Cronbach's alpha,
// the pooled two-proportion z-test, the Poisson tail and the scan statistic
// of the busiest window (Naus), funnel-plot limits, stratified estimates, Kish's effective
// sample size, Yamane's sample size, raking, the seeded percentile
// bootstrap, competition ranking, the one half-up rounding helper, and the
// aggregation of a survey battery (questions → elements → overall index).
//
// Everything here is a function of its arguments: no clock, no I/O, and
// randomness only from a caller-supplied seed (math/rand/v2 PCG), so that a
// published figure can be recomputed bit for bit.
//
// This package must never import anything outside the standard library:
// no gin, no SQL driver, no store, no criteria or scoring packages. Those
// packages import stats, never the other way round.
package stats
