package stats

import (
	"fmt"
	"math"
)

// CronbachResult describes the internal consistency of a set of items
// (the questions of one survey element).
type CronbachResult struct {
	Cases int     // rows used
	Items int     // columns
	Alpha float64 // Cronbach's alpha
	// CorrectedItemTotal[j] is the Pearson correlation of item j with the
	// sum of the other items ("corrected" because item j is left out of
	// the total it is compared with). NaN when item j or the rest is constant.
	CorrectedItemTotal []float64
	// AlphaIfDeleted[j] is alpha recomputed without item j. NaN when only
	// one item would remain or the remaining total is constant.
	AlphaIfDeleted []float64
}

// Cronbach computes Cronbach's alpha for rows of cases × items:
//
//	α = k/(k−1) · (1 − Σ s²_j / s²_total)
//
// with sample variances (divisor n−1; the choice cancels in the ratio).
// DoHA reads alpha to judge whether an element's questions measure one
// thing; the item diagnostics say which question to rewrite.
//
// The caller passes complete cases only: how to treat "not applicable"
// answers (listwise deletion in the survey battery) is a survey decision.
// At least two items and two cases are required and every row must have
// the same length. When the total score does not vary at all alpha is
// 0/0 and the error wraps ErrUndefined.
func Cronbach(rows [][]float64) (CronbachResult, error) {
	cases := len(rows)
	if cases < 2 {
		return CronbachResult{}, fmt.Errorf("cronbach: need at least 2 cases, got %d: %w", cases, ErrInvalidInput)
	}
	items := len(rows[0])
	if items < 2 {
		return CronbachResult{}, fmt.Errorf("cronbach: need at least 2 items, got %d: %w", items, ErrInvalidInput)
	}
	for i, row := range rows {
		if len(row) != items {
			return CronbachResult{}, fmt.Errorf("cronbach: row %d has %d items, row 0 has %d: %w", i, len(row), items, ErrInvalidInput)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return CronbachResult{}, fmt.Errorf("cronbach: row %d item %d is %v: %w", i, j, v, ErrInvalidInput)
			}
		}
	}

	// scale bounds the size of any total; it lets us tell real variation
	// from the rounding dust that centring leaves on constant data.
	scale := 0.0
	for _, row := range rows {
		for _, v := range row {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	scale *= float64(items)

	// Centre every item once; all variances and covariances below are
	// computed from centred values to avoid the cancellation of Σx² − n·x̄².
	centred := make([][]float64, items)
	for j := range items {
		mean := 0.0
		for _, row := range rows {
			mean += row[j]
		}
		mean /= float64(cases)
		column := make([]float64, cases)
		for i, row := range rows {
			column[i] = row[j] - mean
		}
		centred[j] = column
	}
	totals := make([]float64, cases)
	for _, column := range centred {
		for i, v := range column {
			totals[i] += v
		}
	}
	itemVariances := make([]float64, items)
	sumItemVariances := 0.0
	for j, column := range centred {
		itemVariances[j] = sumSquares(column) / float64(cases-1)
		sumItemVariances += itemVariances[j]
	}
	totalVariance := sumSquares(totals) / float64(cases-1)
	if isNumericallyZero(totalVariance, scale) {
		return CronbachResult{}, fmt.Errorf("cronbach: every case has the same total score, so alpha is 0/0: %w", ErrUndefined)
	}

	result := CronbachResult{
		Cases:              cases,
		Items:              items,
		Alpha:              alphaFrom(items, sumItemVariances, totalVariance),
		CorrectedItemTotal: make([]float64, items),
		AlphaIfDeleted:     make([]float64, items),
	}
	rest := make([]float64, cases)
	for j, column := range centred {
		for i := range rest {
			rest[i] = totals[i] - column[i]
		}
		restVariance := sumSquares(rest) / float64(cases-1)
		result.CorrectedItemTotal[j] = correlation(column, rest, scale)
		if items-1 < 2 || isNumericallyZero(restVariance, scale) {
			result.AlphaIfDeleted[j] = math.NaN()
		} else {
			result.AlphaIfDeleted[j] = alphaFrom(items-1, sumItemVariances-itemVariances[j], restVariance)
		}
	}
	return result, nil
}

func alphaFrom(items int, sumItemVariances, totalVariance float64) float64 {
	k := float64(items)
	return k / (k - 1) * (1 - sumItemVariances/totalVariance)
}

// correlation of two centred vectors; NaN when either is constant.
func correlation(x, y []float64, scale float64) float64 {
	var sxy, sxx, syy float64
	for i := range x {
		sxy += x[i] * y[i]
		sxx += x[i] * x[i]
		syy += y[i] * y[i]
	}
	n := float64(len(x))
	if isNumericallyZero(sxx/n, scale) || isNumericallyZero(syy/n, scale) {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

func sumSquares(values []float64) float64 {
	s := 0.0
	for _, v := range values {
		s += v * v
	}
	return s
}

// isNumericallyZero reports whether a variance computed from centred values
// is zero up to rounding, given the scale of the raw data. Centring constant
// data that are not exactly representable (0.1, 0.1, 0.1) leaves dust around
// 1e-17, which must not be mistaken for variation and divided by.
func isNumericallyZero(variance, scale float64) bool {
	return !(variance > 0) || math.Sqrt(variance) <= 1e-12*scale
}
