package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// bootstrapStream is the second PCG seed word. It is fixed so that the
// caller's one seed fully determines the resamples.
const bootstrapStream = 0x5041_5249_4e44_4558 // "PARINDEX"

// Bootstrap returns the percentile bootstrap interval of a statistic over n
// rows: reps times it draws n row indices with replacement, evaluates
// statistic on them, and returns the (1−confidence)/2 and (1+confidence)/2
// quantiles of the replicates.
//
// The statistic receives the resampled row indices rather than data, so
// one function serves any data shape (respondents × questions, agencies
// with weights, …). The slice is reused between replicates: the statistic
// must not keep it.
//
// Reproducibility: the resamples come from math/rand/v2's PCG seeded with
// (seed, a fixed constant), so the same seed gives the same interval on
// the same Go release; store the seed next to any published interval.
//
// Replicates where the statistic is NaN (say, no valid answer in that
// resample) are left out of the quantiles; if all are NaN the interval is
// (NaN, NaN). Quantiles interpolate linearly between order statistics
// (Hyndman–Fan type 7, the default of R and NumPy).
func Bootstrap(n, reps int, seed uint64, statistic func(sample []int) float64, confidence float64) (lo, hi float64, err error) {
	if err := checkBootstrap(n, reps, confidence); err != nil {
		return math.NaN(), math.NaN(), err
	}
	if statistic == nil {
		return math.NaN(), math.NaN(), fmt.Errorf("bootstrap: statistic is nil: %w", ErrInvalidInput)
	}
	replicates := bootstrapReplicates(n, reps, seed, 1, func(sample []int, out []float64) {
		out[0] = statistic(sample)
	})
	lo, hi = percentileInterval(replicates[0], confidence)
	return lo, hi, nil
}

func checkBootstrap(n, reps int, confidence float64) error {
	switch {
	case n < 1:
		return fmt.Errorf("bootstrap: need at least 1 row, got %d: %w", n, ErrInvalidInput)
	case reps < 1:
		return fmt.Errorf("bootstrap: need at least 1 replicate, got %d: %w", reps, ErrInvalidInput)
	case !(confidence > 0 && confidence < 1):
		return fmt.Errorf("bootstrap: confidence must be in (0,1), got %v: %w", confidence, ErrInvalidInput)
	}
	return nil
}

// bootstrapReplicates draws reps resamples of n row indices and lets fill
// compute k statistics from each; it returns k series of reps replicates.
// Computing several statistics from the same resamples keeps their joint
// behaviour (an element and the overall index move together).
func bootstrapReplicates(n, reps int, seed uint64, k int, fill func(sample []int, out []float64)) [][]float64 {
	random := rand.New(rand.NewPCG(seed, bootstrapStream))
	series := make([][]float64, k)
	for s := range series {
		series[s] = make([]float64, reps)
	}
	sample := make([]int, n)
	out := make([]float64, k)
	for r := range reps {
		for i := range sample {
			sample[i] = random.IntN(n)
		}
		fill(sample, out)
		for s := range series {
			series[s][r] = out[s]
		}
	}
	return series
}

// percentileInterval returns the two-sided percentile interval of the
// non-NaN replicates. It sorts replicates in place.
func percentileInterval(replicates []float64, confidence float64) (lo, hi float64) {
	valid := replicates[:0]
	for _, v := range replicates {
		if !math.IsNaN(v) {
			valid = append(valid, v)
		}
	}
	if len(valid) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(valid)
	tail := (1 - confidence) / 2
	return quantileSorted(valid, tail), quantileSorted(valid, 1-tail)
}

// quantileSorted is the type-7 quantile: linear interpolation between the
// order statistics at position (m−1)·q.
func quantileSorted(sorted []float64, q float64) float64 {
	position := float64(len(sorted)-1) * q
	below := int(math.Floor(position))
	if below >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	fraction := position - float64(below)
	return sorted[below] + fraction*(sorted[below+1]-sorted[below])
}
