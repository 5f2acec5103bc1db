package stats

import "math"

// Interval methods of element and overall indices (BatteryOptions.Method).
const (
	// MethodScore: a Wilson score interval on an effective sample size
	// (docs/statistics.md, "Intervals of element and overall indices"). The
	// variance behind the effective size comes from the bootstrap below
	// BatteryOptions.LinearizationFrom answering respondents and from
	// linearization at and above it. The default.
	MethodScore = "score"
	// MethodPercentile: the respondent-level percentile bootstrap, the
	// method used before the score interval. Kept for comparison (the
	// coverage table) and for reproducing intervals published with it; it
	// collapses to a point when answers are few or identical.
	MethodPercentile = "percentile"
)

// Variance sources of a score interval.
const (
	VarianceBootstrap     = "bootstrap"
	VarianceLinearization = "linearization"
)

// DefaultLinearizationFrom is the number of answering respondents from
// which the variance of element and overall indices comes from
// linearization (one pass over the answers) rather than from the bootstrap
// (reps passes). Below it the bootstrap costs a few milliseconds; the two
// agree there (TestVarianceSourcesAgreeAtSwitchOver).
const DefaultLinearizationFrom = 100

// ScoreInterval is Wilson's score interval for a rate p estimated with the
// precision of n independent yes/no answers, n real (an effective sample
// size): centre (p + z²/2n)/(1 + z²/n), half-width
// z/(1 + z²/n)·√(p(1−p)/n + z²/4n²). Unlike Wilson it takes p and n rather
// than counts, because an index's effective size is rarely a whole number.
//
// n = 0 gives (0, 1); p = 0 gives lo exactly 0 and p = 1 hi exactly 1; a
// finite n never gives a zero-width interval. p outside [0,1], n negative
// or NaN, or z negative give NaN.
func ScoreInterval(p, n, z float64) (lo, hi float64) {
	if !(p >= 0 && p <= 1) || !(n >= 0) || !(z >= 0) {
		return math.NaN(), math.NaN()
	}
	if n == 0 {
		return 0, 1
	}
	if math.IsInf(n, 1) {
		return p, p
	}
	z2 := z * z
	denominator := 1 + z2/n
	center := (p + z2/(2*n)) / denominator
	halfWidth := z / denominator * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	lo = math.Max(0, center-halfWidth)
	hi = math.Min(1, center+halfWidth)
	if p == 0 {
		lo = 0
	}
	if p == 1 {
		hi = 1
	}
	return lo, hi
}

// thresholdScoreInterval is the score interval of a share estimated with
// the precision of n independent yes/no answers (an effective size), whose
// design effect deff = binomialN/n is not held fixed but follows the share
// as correlated yes/no answers make it do: {p0 : (I − p0)² ≤ z²·p0(1 − p0)·
// deff(p0)/binomialN}. Answers of one citizen are correlated through a
// latent contentment; cut at the share's threshold, that correlation gives
// a correlation between two answers of about ρ·ϕ(c_p)²/(p(1 − p)) (first
// order in the latent ρ, ϕ the normal density at the threshold c_p), so
// deff(p0) = 1 + (deff − 1)·r(p0), r the ratio of that factor at p0 to its
// value at I: larger toward ½, smaller toward 0 and 1. The interval is
// therefore wider on the side of the centre and narrower on the side of
// the nearer end than Wilson's on a fixed n — the skew of a share near 1
// drawn from clustered answers (docs/statistics.md).
//
// n = 0 gives (0, 1); an index at 0 or 1, or no design effect above 1,
// gives ScoreInterval(index, n, z). Never of zero width for a finite n.
func thresholdScoreInterval(index, n, binomialN, z float64) (lo, hi float64) {
	deff := binomialN / n
	if n == 0 || !(index > 0 && index < 1) || !(deff > 1) || math.IsInf(binomialN, 0) {
		return ScoreInterval(index, n, z)
	}
	atIndex := thresholdFactor(index)
	outside := func(p0 float64) bool { // p0 lies outside the interval
		d := 1 + (deff-1)*thresholdFactor(p0)/atIndex
		return (index-p0)*(index-p0) > z*z*p0*(1-p0)*d/binomialN
	}
	const ends = 1e-12
	lo, hi = 0, 1
	if outside(ends) {
		a, b := ends, index
		for range 60 {
			if m := (a + b) / 2; outside(m) {
				a = m
			} else {
				b = m
			}
		}
		lo = (a + b) / 2
	}
	if outside(1 - ends) {
		a, b := index, 1-ends
		for range 60 {
			if m := (a + b) / 2; outside(m) {
				b = m
			} else {
				a = m
			}
		}
		hi = (a + b) / 2
	}
	return lo, hi
}

// WidestIndexInterval is the interval of an index (I = Σ w_q p_q over the
// questions' results, weights summing to 1 over those with answers) at the
// least information its answers can carry: every respondent answering all
// its questions alike (the effective size n_min of perfect correlation),
// with the degrees-of-freedom shrinkage of respondents respondents. A
// full computation from the answers gets an effective size at least that
// large and an interval no wider, whatever the correlation, so a label
// from counts alone (no respondent-level data) that uses it is never more
// confident than one from the answers. respondents should not exceed the
// true number (the count table's largest n of one question is a lower
// bound). It is (NaN, NaN) for a NaN index.
func WidestIndexInterval(index float64, weights []float64, questions []QuestionResult, rule AggregationRule, respondents int, confidence float64) (lo, hi float64) {
	if math.IsNaN(index) {
		return math.NaN(), math.NaN()
	}
	minimumN, _, binomialN := precisionBounds(index, weights, questions, rule)
	precision := indexPrecision{variance: math.NaN(), respondents: respondents, minimumN: minimumN, maximumN: minimumN, binomialN: binomialN}
	lo, hi, _ = indexInterval(index, precision, rule, confidence)
	return lo, hi
}

// indexInterval is the score interval of an element or overall index
// (docs/statistics.md, "Intervals of element and overall indices"), and
// the effective size behind its end away from the centre. Under the
// satisfaction rule the design effect follows the share
// (thresholdScoreInterval); under mean100 it is held fixed (ScoreInterval).
//
// The end toward the centre (the lower end of an index above ½, the upper
// of one below) takes its effective size with the degrees of freedom of
// the variance estimate (varianceDF) rather than m − 1: an index near 1 is
// a mean of scores whose low values are rare, and a sample that drew fewer
// of them shows both a higher index and a smaller variance, so the
// interval's miss is on that side; the other end is held by the
// mean–variance relation of the share itself. It is never given less than
// the effective size of perfect correlation (WidestIndexInterval's).
func indexInterval(index float64, p indexPrecision, rule AggregationRule, confidence float64) (lo, hi, effective float64) {
	z := NormalQuantile(1 - (1-confidence)/2)
	interval := func(n float64) (lo, hi float64) {
		if rule == RuleSatisfaction {
			return thresholdScoreInterval(index, n, p.binomialN, z)
		}
		return ScoreInterval(index, n, z)
	}
	degrees := p.respondents - 1
	effective = effectiveSampleSize(index, p, confidence, degrees)
	lo, hi = interval(effective)
	if p.varianceDF < 1 || p.varianceDF >= degrees || index == 0.5 {
		return lo, hi, effective
	}
	widest := effectiveSampleSize(index, indexPrecision{variance: math.NaN(), respondents: p.respondents, minimumN: p.minimumN}, confidence, degrees)
	centreLo, centreHi := interval(math.Max(widest, effectiveSampleSize(index, p, confidence, p.varianceDF)))
	if index > 0.5 {
		lo = centreLo
	} else {
		hi = centreHi
	}
	return lo, hi, effective
}

// thresholdFactor is ϕ(c_p)²/(p(1 − p)), c_p the normal quantile of p: the
// correlation of two yes/no answers per unit of latent correlation, to
// first order, when both are a latent normal cut at share p.
func thresholdFactor(p float64) float64 {
	c := NormalQuantile(p)
	density := math.Exp(-c*c/2) / math.Sqrt(2*math.Pi)
	return density * density / (p * (1 - p))
}

// indexPrecision is what a score interval of an index needs besides the
// index: the variance estimate, the number of respondents who answered at
// least one of its questions, and the bounds the effective size cannot
// leave whatever the correlation between questions.
type indexPrecision struct {
	variance    float64 // of the index, with the n/(n−1) correction; NaN when unknown
	respondents int     // answering at least one question of the index
	// minimumN is the effective size if every respondent answered all the
	// index's questions alike (perfect correlation): the least information
	// the answers can carry. maximumN is the effective size if answers were
	// independent across questions: the most.
	minimumN, maximumN float64
	// binomialN is (Σ w_q²/n_q)⁻¹, the effective size of independent yes/no
	// answers with one share: binomialN/n* is the design effect.
	binomialN float64
	// varianceDF is the degrees of freedom of the variance estimate from
	// the fourth moment of the respondents' influences (varianceDegrees);
	// 0 when there is no respondent-level data.
	varianceDF int
}

// varianceDegrees is the degrees of freedom of the variance of a mean
// estimated from m values u_i of mean zero with Σu² = squares and
// Σu⁴ = fourth: 2σ⁴/Var(s²) with Var(s²) = σ⁴(κ − (m−3)/(m−1))/m, κ the
// kurtosis estimated as m·Σu⁴/(Σu²)² — m − 1 for normal values (κ = 3),
// fewer when the variance rests on a few large influences (a few
// dissatisfied citizens among many satisfied ones). Kept within [1, m − 1]
// and rounded down to a whole number; m − 1 when the values are all zero.
func varianceDegrees(m int, squares, fourth float64) int {
	if m < 2 {
		return 0
	}
	most := m - 1
	if !(squares > 0) {
		return most
	}
	size := float64(m)
	kurtosis := size * fourth / (squares * squares)
	excess := kurtosis - (size-3)/(size-1)
	if !(excess > 0) {
		return most
	}
	return max(1, min(most, int(2*size/excess)))
}

// effectiveSampleSize is the number of independent yes/no answers that
// would estimate index with the estimated variance: n = p(1−p)/V (Korn and
// Graubard 1998), kept between the bounds of perfect correlation and
// independence, and shrunk by (z/t_df)² so that few respondents widen the
// interval as a t interval would (df = m − 1, or the variance's own degrees
// of freedom on the end toward the centre: indexInterval). Where the data cannot estimate the
// variance (every respondent alike, or an index at 0 or 1) the bound of
// perfect correlation is used: the honest assumption, since identical
// answers are what perfectly correlated answers look like.
func effectiveSampleSize(index float64, p indexPrecision, confidence float64, degrees int) float64 {
	if p.respondents < 2 || math.IsNaN(index) {
		return 0
	}
	spread := index * (1 - index)
	n := p.minimumN
	// A variance below 10⁻¹² of the spread is rounding dust of an exact
	// zero (identical respondents leave it when means are re-added).
	if spread > 0 && p.variance > 1e-12*spread && !math.IsNaN(p.variance) {
		n = math.Min(math.Max(spread/p.variance, p.minimumN), p.maximumN)
	}
	tail := 1 - (1-confidence)/2
	ratio := NormalQuantile(tail) / TQuantile(tail, degrees)
	return n * ratio * ratio
}

// precisionBounds returns minimumN and maximumN for an index that is the
// weighted mean I = Σ w_q p_q of question rates with n_q valid answers each
// (weights summing to 1 over the questions with answers).
//
// minimumN: every respondent's score lies in [0,1], so its variance is at
// most I(1−I); with perfect correlation the standard deviations add,
// √V ≤ √(I(1−I))·Σ w_q/√n_q, whence n ≥ (Σ w_q/√n_q)⁻². It holds for any
// data, identical answers included, and is n itself when every question
// has n answers.
//
// maximumN: with independent questions the variances add,
// V = Σ w_q² s_q²/n_q (s_q² the question's variance, p_q(1−p_q) for a
// share, here with two pseudo answers, see questionVariance), so
// n ≤ I(1−I)/V. A variance estimate below that can only come from negative
// correlation or chance.
func precisionBounds(index float64, weights []float64, questions []QuestionResult, rule AggregationRule) (minimumN, maximumN, binomialN float64) {
	var sumSD, independent, binomial float64
	for q, w := range weights {
		valid := questions[q].Valid
		if w == 0 || valid == 0 {
			continue
		}
		sumSD += w / math.Sqrt(float64(valid))
		independent += w * w * questionVariance(questions[q], rule) / float64(valid)
		binomial += w * w / float64(valid)
	}
	if sumSD == 0 {
		return 0, 0, 0
	}
	binomialN = 1 / binomial
	minimumN = 1 / (sumSD * sumSD)
	maximumN = math.Inf(1)
	if independent > 0 {
		maximumN = math.Max(minimumN, index*(1-index)/independent)
	}
	return minimumN, maximumN, binomialN
}

// pseudoAnswers is the weight of each of the two pseudo answers (one
// scoring 0, one scoring 1) added to a question's answers for its variance
// bound: Jeffreys' half an observation each, (x+½)/(n+1) for a share.
// Laplace's whole one each made intervals near 99% over-cover (98% at
// n = 100); none let them under-cover near 95% (88% at n = 10).
const pseudoAnswers = 0.5

// questionVariance is the variance of one answer's score with two pseudo
// answers added (pseudoAnswers). A question whose answers are all alike then still carries
// some variance: without it, the bound of independence would let a sample
// that happens to show no dissatisfied answer claim infinite precision,
// which is where intervals near 100% lost their coverage.
func questionVariance(q QuestionResult, rule AggregationRule) float64 {
	if q.Valid == 0 {
		return 0
	}
	sum, squares := pseudoAnswers, pseudoAnswers
	for k, c := range q.Counts {
		y := levelScore(rule, k+1)
		sum += float64(c) * y
		squares += float64(c) * y * y
	}
	n := float64(q.Valid) + 2*pseudoAnswers
	mean := sum / n
	return math.Max(0, squares/n-mean*mean)
}

// sampleVariance is the variance of the non-NaN values (divisor m−1) and
// how many there were.
func sampleVariance(values []float64) (variance float64, m int) {
	var sum float64
	for _, v := range values {
		if !math.IsNaN(v) {
			sum += v
			m++
		}
	}
	if m < 2 {
		return math.NaN(), m
	}
	mean := sum / float64(m)
	var squares float64
	for _, v := range values {
		if !math.IsNaN(v) {
			squares += (v - mean) * (v - mean)
		}
	}
	return squares / float64(m-1), m
}
