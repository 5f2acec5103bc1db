package stats

import (
	"math"
	"math/big"
	"sort"
	"strconv"
)

// CompetitionRanks ranks values with higher is better using standard
// competition ranking ("1, 2, 2, 4"): tied values share the best rank of
// their group, and the next value skips the places they took. That is how
// provinces publish league tables: two units tied for second leave no third.
//
// Ties are exact equality of the float64 values. When ranks should follow
// the figures people see, round first with RoundHalfUp at the published
// precision, so that 88.104 and 88.1 tie on a table that shows 88.10.
// NaN values (units without a result) get rank 0, meaning "not ranked", and
// take no place from the others.
func CompetitionRanks(values []float64) []int {
	order := make([]int, 0, len(values))
	for i, v := range values {
		if !math.IsNaN(v) {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return values[order[a]] > values[order[b]] })
	ranks := make([]int, len(values))
	for position, index := range order {
		if position > 0 && values[index] == values[order[position-1]] {
			ranks[index] = ranks[order[position-1]]
		} else {
			ranks[index] = position + 1
		}
	}
	return ranks
}

// RoundHalfUp rounds x to the given number of decimals, with halves going
// away from zero (89.995 → 90.00, −89.995 → −90.00, 84.125 → 84.13), as
// Excel's ROUND and the provinces' decisions do. It is the project's one
// rounding helper for points and percentages; use it only at the edges
// (display, banding, ranking on published figures), never inside a
// computation.
//
// The rounding is decimal-exact: x is taken as the shortest decimal that
// reads back as the same float64 (what strconv and every UI print), so the
// binary 89.99499999999999744… that stands for 89.995 still rounds up.
// Rounding x·100 in binary would give 89.99. Negative decimals round to
// tens, hundreds, …; NaN and ±Inf are returned unchanged.
func RoundHalfUp(x float64, decimals int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	value, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		return x
	}
	negative := value.Sign() < 0
	value.Abs(value)
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(decimals))), nil))
	if decimals >= 0 {
		value.Mul(value, scale)
	} else {
		value.Quo(value, scale)
	}
	// floor(value + ½) = floor((2·num + den) / (2·den))
	numerator := new(big.Int).Lsh(value.Num(), 1)
	numerator.Add(numerator, value.Denom())
	denominator := new(big.Int).Lsh(value.Denom(), 1)
	rounded := new(big.Rat).SetInt(numerator.Quo(numerator, denominator))
	if decimals >= 0 {
		rounded.Quo(rounded, scale)
	} else {
		rounded.Mul(rounded, scale)
	}
	result, _ := rounded.Float64()
	if negative && result != 0 { // −0.001 rounds to 0, not −0
		result = -result
	}
	return result
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
