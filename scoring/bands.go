package scoring

import (
	"math"

	"parindex/criteria"
	"parindex/stats"
)

// bandStep is how to reach one band from the band below it.
type bandStep struct {
	band criteria.Band
	// threshold is the smallest index whose published value reaches
	// band.Min: t = r − ½·10^−d, where r is the smallest value with d
	// decimals that is ≥ band.Min (with d = 2 and a min of 90: t = 89.995).
	threshold float64
	// reachable is false when cap_index keeps every index below threshold.
	reachable bool
}

// bandSteps computes, once per run, the step into each band but the lowest
// (steps[i] leads into f.Bands[i]).
func bandSteps(f *criteria.Framework) []bandStep {
	unit := math.Pow(10, -float64(f.Rounding))
	steps := make([]bandStep, len(f.Bands))
	for i, b := range f.Bands {
		target := f.RoundIndex(b.Min)
		if target < b.Min {
			target = f.RoundIndex(target + unit)
		}
		threshold := stats.RoundHalfUp(target-unit/2, f.Rounding+1)
		steps[i] = bandStep{band: b, threshold: threshold, reachable: f.CapIndex == nil || *f.CapIndex >= threshold}
	}
	return steps
}

// pointsToNextBand returns the band above band and the smallest number of
// points that, added to the agency's points (sum, before the floor at 0),
// lift its published index into it, given its applicable maximum. ok is
// false in the top band and when cap_index keeps the index below the next
// band.
//
// The points needed are threshold × max ÷ 100 − sum; the result is checked
// by publishing the index it gives, and nudged up if floating point left it
// a hair short.
func (p *plan) pointsToNextBand(sum, max float64, band criteria.Band) (next criteria.Band, need float64, ok bool) {
	f := p.f
	pos := -1
	for i, b := range f.Bands {
		if b.Code == band.Code {
			pos = i
			break
		}
	}
	if pos <= 0 || max <= 0 || !p.bandSteps[pos-1].reachable {
		return criteria.Band{}, 0, false
	}
	step := p.bandSteps[pos-1]
	next = step.band
	need = step.threshold*max/100 - sum
	if !(need > 0) {
		need = 0
	}
	reaches := func(extra float64) bool {
		index := f.ApplyCap(math.Max(0, sum+extra) / max * 100)
		return publishedIndex(f, index) >= next.Min
	}
	for range 64 {
		if need > 0 && reaches(need) {
			return next, need, true
		}
		need += math.Max(math.Abs(need), 1e-3) * 1e-12
	}
	return next, need, true
}
