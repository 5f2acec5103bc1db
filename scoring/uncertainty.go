package scoring

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"parindex/criteria"
)

// DefaultSurveyCorrelation is the correlation the command assumes between
// the sampling errors of one agency's survey values from the same
// instrument (see UncertaintyOptions.Correlation and docs/scoring.md).
const DefaultSurveyCorrelation = 0.7

// MaxRankCells bounds draws × agencies, the number of ranks the simulation
// keeps (4 bytes each).
const MaxRankCells = 50_000_000

// The percentiles of the rank interval (nearest-rank definition).
const (
	intervalLowPercent  = 5
	intervalHighPercent = 95
)

// UncertaintyOptions configure the Monte Carlo rank uncertainty.
type UncertaintyOptions struct {
	// Draws is the number of simulated survey rounds, at least 1; 1000
	// gives percentiles that move by at most a rank between seeds.
	Draws int
	// Seed fixes the random numbers: the same seed, inputs and framework
	// give the same intervals. Publish it next to the intervals.
	Seed uint64
	// Correlation, in [0, 1], is the correlation between the sampling
	// errors of one agency's survey values from the same instrument (its
	// elements and overall index come from the same respondents, so they
	// move together). 0 draws every value independently; 1 moves them in
	// lockstep. The command uses DefaultSurveyCorrelation.
	Correlation float64
	// Workers is the number of goroutines (0: GOMAXPROCS). The result does
	// not depend on it: every draw has its own random stream.
	Workers int
}

func (o UncertaintyOptions) check() error {
	switch {
	case o.Draws < 1:
		return fmt.Errorf("scoring: the rank uncertainty needs at least 1 draw, got %d", o.Draws)
	case !(o.Correlation >= 0 && o.Correlation <= 1):
		return fmt.Errorf("scoring: the survey correlation must be between 0 and 1, got %v", o.Correlation)
	case o.Workers < 0:
		return fmt.Errorf("scoring: workers must not be negative, got %d", o.Workers)
	}
	return nil
}

// UncertaintySummary records how the rank intervals were simulated, so
// that they can be recomputed.
type UncertaintySummary struct {
	Draws       int     `json:"draws"`
	Seed        uint64  `json:"seed"`
	Correlation float64 `json:"correlation"`
	// Percentiles of the rank interval: [5, 95].
	Percentiles [2]int `json:"percentiles"`
	// DrawnValues counts the survey values drawn (their n is known);
	// FixedValues those treated as exact because their n is unknown. A
	// value is one agency's figure for one instrument, key and measure,
	// however many leaves read it.
	DrawnValues int    `json:"drawn_values"`
	FixedValues int    `json:"fixed_values"`
	Method      string `json:"method"`
}

const uncertaintyMethod = "each survey value with n answers is drawn as p + SE·Z clamped to [0, 1], " +
	"SE the Agresti–Coull standard error sqrt(p̃(1−p̃)/(n+4)) with p̃ = (p·n+2)/(n+4) (for mean100, p = mean100/100: " +
	"the largest variance a 0–1 score with that mean can have); Z standard normal, correlated within an agency and " +
	"instrument; values with unknown n are fixed; indices and competition ranks by the published index are recomputed per draw"

// uncertainValue is one survey value of one agency that varies per draw.
type uncertainValue struct {
	group  int     // index of the agency's instrument, for the shared component
	p, se  float64 // observed share and its standard error
	weight float64 // the maxima of the leaves that read it: their points are weight × share
}

// agencyDraw is what varies for one agency: everything else is summed
// once into base.
type agencyDraw struct {
	base   float64 // points from everything but the drawn survey values (before the floor at 0)
	max    float64
	groups int
	values []uncertainValue
}

// rankUncertainty simulates the survey values, recomputes every index and
// rank per draw, and writes the median rank, the 5th–95th percentile rank
// interval and the overlaps into result.
func (r *run) rankUncertainty(result *Result, o UncertaintyOptions) {
	draws, fixed := r.prepareDraws()
	K := len(draws)
	summary := &UncertaintySummary{Draws: o.Draws, Seed: o.Seed, Correlation: o.Correlation,
		Percentiles: [2]int{intervalLowPercent, intervalHighPercent}, FixedValues: fixed, Method: uncertaintyMethod}
	for _, d := range draws {
		summary.DrawnValues += len(d.values)
	}
	result.Uncertainty = summary
	if K == 0 {
		return
	}
	ranks := make([]int32, o.Draws*K)
	workers := o.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, o.Draws)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sim := newSimulator(r.p.f, draws, o)
			for {
				d := int(next.Add(1) - 1)
				if d >= o.Draws {
					return
				}
				sim.draw(uint64(d), ranks[d*K:(d+1)*K])
			}
		}()
	}
	wg.Wait()
	r.summariseRanks(result, ranks, o.Draws)
}

// prepareDraws splits each agency's points into a fixed base and the
// survey values that vary. Agencies without an index get max 0.
func (r *run) prepareDraws() (draws []agencyDraw, fixed int) {
	draws = make([]agencyDraw, len(r.agencies))
	for k := range r.agencies {
		as := &r.agencies[k]
		d := &draws[k]
		d.max = as.max
		d.base = as.sum()
		if !(as.max > 0) {
			continue
		}
		type valueKey struct {
			instrument, key string
			measure         criteria.Measure
		}
		position := map[valueKey]int{}
		fixedValues := map[valueKey]bool{}
		groups := map[string]int{}
		for _, i := range r.p.leaves {
			n := &as.nodes[i]
			if n.Spec == nil || n.Spec.Method != criteria.MethodSurvey || n.Status != StatusScored {
				continue
			}
			vk := valueKey{n.Spec.Instrument, n.Spec.SurveyKey, n.Spec.Measure}
			if n.Inputs.N <= 0 {
				fixedValues[vk] = true
				continue
			}
			d.base -= n.Points
			if j, ok := position[vk]; ok {
				d.values[j].weight += n.Spec.Max
				continue
			}
			g, ok := groups[n.Spec.Instrument]
			if !ok {
				g = len(groups)
				groups[n.Spec.Instrument] = g
			}
			p := surveyShare(n.Spec.Measure, n.Inputs.Value)
			position[vk] = len(d.values)
			d.values = append(d.values, uncertainValue{group: g, p: p, se: agrestiCoullSE(p, int(n.Inputs.N)), weight: n.Spec.Max})
		}
		d.groups = len(groups)
		fixed += len(fixedValues)
	}
	return draws, fixed
}

// agrestiCoullSE is the standard error of a share p observed on n answers,
// after adding two successes and two failures: unlike the plain binomial
// standard error it is not 0 when p is 0 or 1, where small agencies often
// are, and its ±1.96·SE interval is the Agresti–Coull interval, which
// covers close to 95 %.
func agrestiCoullSE(p float64, n int) float64 {
	nt := float64(n) + 4
	pt := (p*float64(n) + 2) / nt
	return math.Sqrt(pt * (1 - pt) / nt)
}

// simulator holds one worker's buffers.
type simulator struct {
	f         *criteria.Framework
	draws     []agencyDraw
	seed      uint64
	sharedW   float64 // weight of the agency-and-instrument component
	ownW      float64 // weight of the value's own component
	source    *rand.PCG
	random    *rand.Rand
	shared    []float64
	index     []float64 // capped index per agency in this draw; NaN without index
	published []float64 // cache of published indices; NaN until computed
	order     []int32
}

func newSimulator(f *criteria.Framework, draws []agencyDraw, o UncertaintyOptions) *simulator {
	source := rand.NewPCG(0, 0)
	maxGroups := 0
	for _, d := range draws {
		maxGroups = max(maxGroups, d.groups)
	}
	return &simulator{f: f, draws: draws, seed: o.Seed, sharedW: math.Sqrt(o.Correlation), ownW: math.Sqrt(1 - o.Correlation),
		source: source, random: rand.New(source), shared: make([]float64, maxGroups),
		index: make([]float64, len(draws)), published: make([]float64, len(draws)),
		order: make([]int32, 0, len(draws))}
}

// draw simulates draw number d and writes each agency's competition rank
// (0 for agencies without an index) into ranks.
func (s *simulator) draw(d uint64, ranks []int32) {
	// Each draw has its own stream, so the result does not depend on which
	// worker runs it or in what order.
	s.source.Seed(s.seed, d)
	s.order = s.order[:0]
	for k := range s.draws {
		a := &s.draws[k]
		s.published[k] = math.NaN()
		if !(a.max > 0) {
			s.index[k] = math.NaN()
			continue
		}
		for g := 0; g < a.groups; g++ {
			s.shared[g] = s.random.NormFloat64()
		}
		total := a.base
		for _, v := range a.values {
			z := s.sharedW*s.shared[v.group] + s.ownW*s.random.NormFloat64()
			share := min(1, max(0, v.p+v.se*z))
			total += v.weight * share
		}
		s.index[k] = s.f.ApplyCap(math.Max(0, total) / a.max * 100)
		s.order = append(s.order, int32(k))
	}
	competitionRanks(s.order, s.index, s.published, s.publish, s.f.Rounding, ranks)
}

func (s *simulator) publish(x float64) float64 { return publishedIndex(s.f, x) }

// competitionRanks writes into ranks the competition ranks (1, 2, 2, 4) of
// the agencies in order by their published index, which is a monotone
// function of index. It gives the same ranks as stats.CompetitionRanks over
// the published indices, but publishes (a costly decimal rounding) only an
// index that lies next to a close neighbour and near a rounding boundary.
// Agencies not in order get rank 0. published is a cache filled with NaN.
//
// Why the shortcuts are exact: a published index is within unit/2 of the
// index, plus the noise removal (below 5e-12 relative) and one binary unit;
// so two indices more than unit + 1e-9·|index| apart publish differently,
// and publication, being monotone, keeps their order. Closer neighbours
// publish the same value exactly when they fall between the same two
// rounding boundaries (k ± ½)·unit; bucket tells which, and leaves the
// decision to the published values themselves whenever an index lies near
// a boundary, where the binary arithmetic could disagree with the decimal
// rounding. The published figure itself always comes from publish.
func competitionRanks(order []int32, index, published []float64, publish func(float64) float64, rounding int, ranks []int32) {
	unit, scale := math.Pow10(-rounding), math.Pow10(rounding)
	for k := range ranks {
		ranks[k] = 0
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(index[b], index[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	value := func(k int32) float64 {
		if math.IsNaN(published[k]) {
			published[k] = publish(index[k])
		}
		return published[k]
	}
	samePublished := func(a, b int32) bool {
		if x, ok := bucket(index[a], scale); ok {
			if y, ok := bucket(index[b], scale); ok {
				return x == y
			}
		}
		return value(a) == value(b)
	}
	for pos, k := range order {
		if pos == 0 {
			ranks[k] = 1
			continue
		}
		prev := order[pos-1]
		gap := index[prev] - index[k]
		switch {
		case gap == 0:
			ranks[k] = ranks[prev]
		case gap > unit+1e-9*math.Max(1, math.Abs(index[prev])):
			ranks[k] = int32(pos + 1)
		case samePublished(prev, k):
			ranks[k] = ranks[prev]
		default:
			ranks[k] = int32(pos + 1)
		}
	}
}

// summariseRanks turns the ranks of every draw into each agency's median
// rank, rank interval and overlaps.
func (r *run) summariseRanks(result *Result, ranks []int32, draws int) {
	K := len(r.agencies)
	position := make(map[string]int, K)
	for i := range result.Agencies {
		position[result.Agencies[i].Code] = i
	}
	counts := make([]int, K+1)
	lowAt := ceilDiv(intervalLowPercent*draws, 100) - 1
	medianAt := ceilDiv(50*draws, 100) - 1
	highAt := ceilDiv(intervalHighPercent*draws, 100) - 1
	type interval struct{ lo, hi, k int }
	var intervals []interval
	for k := range K {
		if r.agencies[k].rank == 0 {
			continue
		}
		clear(counts)
		for d := range draws {
			counts[ranks[d*K+k]]++
		}
		// Nearest-rank percentiles: the smallest rank whose cumulative
		// count exceeds the position.
		at := func(position int) int {
			cumulative := 0
			for rank := 1; rank <= K; rank++ {
				cumulative += counts[rank]
				if cumulative > position {
					return rank
				}
			}
			return K
		}
		a := &result.Agencies[position[r.inputs[k].Code]]
		lo, hi := at(lowAt), at(highAt)
		a.MedianRank = at(medianAt)
		a.RankInterval = &[2]int{lo, hi}
		intervals = append(intervals, interval{lo, hi, k})
	}
	// Overlapping intervals: after sorting by lower end, an interval can
	// only overlap those that start before it ends.
	slices.SortFunc(intervals, func(x, y interval) int { return cmp.Or(cmp.Compare(x.lo, y.lo), cmp.Compare(x.k, y.k)) })
	overlaps := make([][]string, K)
	for i, x := range intervals {
		for _, y := range intervals[i+1:] {
			if y.lo > x.hi {
				break
			}
			overlaps[x.k] = append(overlaps[x.k], r.inputs[y.k].Code)
			overlaps[y.k] = append(overlaps[y.k], r.inputs[x.k].Code)
		}
	}
	for k := range K {
		if len(overlaps[k]) == 0 {
			continue
		}
		list := overlaps[k]
		slices.SortFunc(list, func(x, y string) int {
			ax, ay := &result.Agencies[position[x]], &result.Agencies[position[y]]
			return cmp.Or(cmp.Compare(ax.Rank, ay.Rank), cmp.Compare(x, y))
		})
		result.Agencies[position[r.inputs[k].Code]].NotClearlyDifferent = list
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// bucket returns k such that x lies strictly between the rounding
// boundaries (k − ½)·unit and (k + ½)·unit, given scale = 1/unit; ok is
// false when x is too close to a boundary for binary arithmetic to tell
// (within 1e-6 units, widened for large values so that it also covers the
// noise removal of publishedIndex). It never produces a figure anyone
// sees: it only tells whether two indices publish the same value, which
// competitionRanks needs for ties, and is tested against publishing both.
func bucket(x, scale float64) (int64, bool) {
	t := x*scale + 0.5
	k := math.Floor(t)
	margin := 1e-6 + 1e-11*math.Abs(t)
	if f := t - k; f < margin || f > 1-margin || math.Abs(t) > 1<<52 {
		return 0, false
	}
	return int64(k), true
}
