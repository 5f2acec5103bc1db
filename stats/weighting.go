package stats

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// StratifiedResult is a stratified estimate of a rate.
type StratifiedResult struct {
	Estimate float64   // Σ W_h p_h
	SE       float64   // standard error of Estimate
	Weights  []float64 // W_h = N_h / Σ N
}

// StratifiedRate combines per-stratum rates into one rate for the whole
// population, weighting each stratum by its population size N_h (for a
// locality: the number of transactions of each agency):
//
//	p̂  = Σ W_h p_h,              W_h = N_h / Σ N
//	SE = sqrt(Σ W_h² p_h(1−p_h)/n_h)
//
// This is how a locality's satisfaction must be built from its agencies,
// never by pooling raw answers from units sampled at different rates
// (Simpson's paradox).
//
// Convention: the variance uses n_h (not n_h−1) and no finite-population
// correction. That is the textbook variance of a stratified proportion when
// sampling fractions are small, and it is the variant the shared worked
// example fixes (se = 0.0225 exactly; with the correction it would be
// 0.0217, with n_h−1 it would be 0.02256). Every stratum needs n_h ≥ 1,
// N_h ≥ 0, a rate in [0,1], and Σ N > 0.
func StratifiedRate(populationSizes, rates []float64, sampleSizes []int) (StratifiedResult, error) {
	strata := len(populationSizes)
	if strata == 0 || len(rates) != strata || len(sampleSizes) != strata {
		return StratifiedResult{}, fmt.Errorf("stratified rate: need equal, non-zero numbers of population sizes (%d), rates (%d) and sample sizes (%d): %w",
			strata, len(rates), len(sampleSizes), ErrInvalidInput)
	}
	populationTotal := 0.0
	for h := range strata {
		switch {
		case !(populationSizes[h] >= 0) || math.IsInf(populationSizes[h], 0):
			return StratifiedResult{}, fmt.Errorf("stratified rate: stratum %d has population size %v, need a finite value ≥ 0: %w", h, populationSizes[h], ErrInvalidInput)
		case !(rates[h] >= 0 && rates[h] <= 1):
			return StratifiedResult{}, fmt.Errorf("stratified rate: stratum %d has rate %v, need 0 ≤ rate ≤ 1: %w", h, rates[h], ErrInvalidInput)
		case sampleSizes[h] < 1:
			return StratifiedResult{}, fmt.Errorf("stratified rate: stratum %d has sample size %d, need at least 1: %w", h, sampleSizes[h], ErrInvalidInput)
		}
		populationTotal += populationSizes[h]
	}
	if populationTotal <= 0 {
		return StratifiedResult{}, fmt.Errorf("stratified rate: total population is 0: %w", ErrInvalidInput)
	}
	result := StratifiedResult{Weights: make([]float64, strata)}
	variance := 0.0
	for h := range strata {
		weight := populationSizes[h] / populationTotal
		result.Weights[h] = weight
		result.Estimate += weight * rates[h]
		variance += weight * weight * rates[h] * (1 - rates[h]) / float64(sampleSizes[h])
	}
	result.SE = math.Sqrt(variance)
	return result, nil
}

// KishEffectiveSampleSize returns Kish's effective sample size
// n_eff = (Σw)² / Σw² and the design effect of unequal weighting
// deff = n / n_eff, where n counts the respondents with a positive weight.
// Weighting (raking, post-stratification) buys unbiasedness with variance;
// n_eff is the n that an interval should honestly be based on.
//
// Convention: zero weights are allowed and do not count in n (a respondent
// weighted to zero is not in the effective sample); negative, NaN or
// infinite weights, or no positive weight at all, are errors.
func KishEffectiveSampleSize(weights []float64) (effectiveSize, designEffect float64, err error) {
	var sum, sumSquares float64
	positive := 0
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return 0, 0, fmt.Errorf("kish: weight %d is %v, need a finite value ≥ 0: %w", i, w, ErrInvalidInput)
		}
		if w > 0 {
			positive++
		}
		sum += w
		sumSquares += w * w
	}
	if positive == 0 {
		return 0, 0, fmt.Errorf("kish: no positive weight among %d: %w", len(weights), ErrInvalidInput)
	}
	effectiveSize = sum * sum / sumSquares
	return effectiveSize, float64(positive) / effectiveSize, nil
}

// YamaneSampleSize returns Yamane's sample size n = N / (1 + N·e²) for a
// population of N transactions and margin of error e (0.05 for the SIPAS
// rule), rounded up to a whole respondent: rounding down would give a
// sample that misses the margin.
//
// The arithmetic is exact (e is taken as the shortest decimal that prints
// as the given float, so 0.05 means 5/100), so an exact integer result such
// as N = 400, e = 0.05 → 200 is not pushed to 201 by binary rounding.
// N = 0 gives 0; N < 0 or e outside (0,1) is an error.
func YamaneSampleSize(population int, margin float64) (int, error) {
	if population < 0 {
		return 0, fmt.Errorf("yamane: population %d is negative: %w", population, ErrInvalidInput)
	}
	if !(margin > 0 && margin < 1) {
		return 0, fmt.Errorf("yamane: margin of error %v must be in (0,1): %w", margin, ErrInvalidInput)
	}
	e, ok := new(big.Rat).SetString(strconv.FormatFloat(margin, 'g', -1, 64))
	if !ok {
		return 0, fmt.Errorf("yamane: cannot read margin %v: %w", margin, ErrInvalidInput)
	}
	N := new(big.Rat).SetInt64(int64(population))
	denominator := new(big.Rat).Mul(e, e)
	denominator.Mul(denominator, N)
	denominator.Add(denominator, big.NewRat(1, 1))
	n := new(big.Rat).Quo(N, denominator)
	return int(ceilRat(n).Int64()), nil
}

// ceilRat returns the smallest integer ≥ r for r ≥ 0.
func ceilRat(r *big.Rat) *big.Int {
	quotient, remainder := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if remainder.Sign() > 0 {
		quotient.Add(quotient, big.NewInt(1))
	}
	return quotient
}

// Cell is one cell of a cross-classification to be raked: Keys holds its
// category in each margin, in margin order (for "M|young": ["M", "young"]),
// and Count the number of respondents (or their base weight) in it.
type Cell struct {
	Keys  []string
	Count float64
}

// ParseCellKey splits an "A|B|…" cell label into its margin categories.
func ParseCellKey(label string) []string {
	return strings.Split(label, "|")
}

// RakeOptions tunes the iterative proportional fitting. Zero values mean
// the defaults: tolerance 1e-10 on every margin share, 1000 sweeps.
type RakeOptions struct {
	Tolerance     float64
	MaxIterations int
}

// RakeResult is the outcome of raking.
type RakeResult struct {
	// Weights[i] = raked count / original count of cells[i]: the factor by
	// which each respondent in that cell is weighted.
	Weights []float64
	// Iterations is the number of full sweeps over the margins.
	Iterations int
	// MaxDeviation is the largest |share − target| left on any margin.
	MaxDeviation float64
}

// Rake adjusts cell counts by iterative proportional fitting until every
// margin's shares equal its target shares (margins[d][category], summing to
// 1 for each d), keeping the grand total. Raking is how a sample whose
// make-up differs from the population (more women, fewer young people) is
// reweighted to known margins when the full cross-table is not known.
//
// Every cell needs a positive count and one key per margin that the margin
// lists; every category with a positive target needs at least one cell.
// When the margins cannot be met (for example structural zeros that make
// them incompatible) the sweeps oscillate, and after MaxIterations the
// error wraps ErrNotConverged.
func Rake(cells []Cell, margins []map[string]float64, options RakeOptions) (RakeResult, error) {
	tolerance := options.Tolerance
	if tolerance == 0 {
		tolerance = 1e-10
	}
	maxIterations := options.MaxIterations
	if maxIterations == 0 {
		maxIterations = 1000
	}
	if !(tolerance > 0) || maxIterations < 0 {
		return RakeResult{}, fmt.Errorf("rake: tolerance %v and max iterations %d must be positive: %w", tolerance, maxIterations, ErrInvalidInput)
	}
	if len(cells) == 0 || len(margins) == 0 {
		return RakeResult{}, fmt.Errorf("rake: need at least one cell (%d) and one margin (%d): %w", len(cells), len(margins), ErrInvalidInput)
	}
	for d, margin := range margins {
		sum := 0.0
		for category, share := range margin {
			if !(share >= 0 && share <= 1) {
				return RakeResult{}, fmt.Errorf("rake: margin %d category %q has share %v, need 0 ≤ share ≤ 1: %w", d, category, share, ErrInvalidInput)
			}
			sum += share
		}
		if math.Abs(sum-1) > 1e-9 {
			return RakeResult{}, fmt.Errorf("rake: margin %d shares sum to %v, need 1: %w", d, sum, ErrInvalidInput)
		}
	}
	total := 0.0
	covered := make([]map[string]bool, len(margins))
	for d := range margins {
		covered[d] = map[string]bool{}
	}
	for i, cell := range cells {
		if !(cell.Count > 0) || math.IsInf(cell.Count, 0) {
			return RakeResult{}, fmt.Errorf("rake: cell %d (%s) has count %v, need a finite positive count (leave empty cells out): %w",
				i, strings.Join(cell.Keys, "|"), cell.Count, ErrInvalidInput)
		}
		if len(cell.Keys) != len(margins) {
			return RakeResult{}, fmt.Errorf("rake: cell %d (%s) has %d keys for %d margins: %w",
				i, strings.Join(cell.Keys, "|"), len(cell.Keys), len(margins), ErrInvalidInput)
		}
		for d, key := range cell.Keys {
			if _, ok := margins[d][key]; !ok {
				return RakeResult{}, fmt.Errorf("rake: cell %d (%s): category %q is not in margin %d: %w",
					i, strings.Join(cell.Keys, "|"), key, d, ErrInvalidInput)
			}
			covered[d][key] = true
		}
		total += cell.Count
	}
	for d, margin := range margins {
		for _, category := range sortedKeys(margin) {
			if margin[category] > 0 && !covered[d][category] {
				return RakeResult{}, fmt.Errorf("rake: margin %d category %q has target %v but no cell: %w", d, category, margin[category], ErrInvalidInput)
			}
		}
	}

	raked := make([]float64, len(cells))
	for i, cell := range cells {
		raked[i] = cell.Count
	}
	current := make(map[string]float64)
	marginTotals := func(d int) map[string]float64 {
		clear(current)
		for i, cell := range cells {
			current[cell.Keys[d]] += raked[i]
		}
		return current
	}
	deviation := func() float64 {
		worst := 0.0
		for d, margin := range margins {
			sums := marginTotals(d)
			for category, share := range margin {
				worst = math.Max(worst, math.Abs(sums[category]/total-share))
			}
		}
		return worst
	}

	result := RakeResult{MaxDeviation: deviation()}
	for result.MaxDeviation > tolerance {
		if result.Iterations == maxIterations {
			return result, fmt.Errorf("rake: margins still off by %.3g after %d sweeps (tolerance %.3g); are they compatible with the empty cells?: %w",
				result.MaxDeviation, result.Iterations, tolerance, ErrNotConverged)
		}
		for d, margin := range margins {
			sums := marginTotals(d)
			for i, cell := range cells {
				key := cell.Keys[d]
				if sums[key] > 0 {
					raked[i] *= margin[key] * total / sums[key]
				}
			}
		}
		result.Iterations++
		result.MaxDeviation = deviation()
	}
	result.Weights = make([]float64, len(cells))
	for i, cell := range cells {
		result.Weights[i] = raked[i] / cell.Count
	}
	return result, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
