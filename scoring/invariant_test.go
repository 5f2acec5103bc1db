package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"parindex/criteria"
	"parindex/stats"
)

// Over thousands of random agencies and every framework at hand, no scored
// node ever has points below 0 or above its maximum, a counted maximum
// never exceeds the framework's, totals add up, and the published index,
// band and rank follow from the index.
func TestInvariants(t *testing.T) {
	frameworks := []*criteria.Framework{syntheticFramework(t, evenMix), syntheticFramework(t, referenceMix)}
	for _, code := range criteria.References() {
		f, err := criteria.Reference(code)
		if err != nil {
			t.Fatal(err)
		}
		frameworks = append(frameworks, f)
	}
	agencies := 0
	for _, f := range frameworks {
		t.Run(f.Code+"-"+strconv.Itoa(len(f.Leaves())), func(t *testing.T) {
			fullMax := map[string]float64{}
			adjustment, area := map[string]bool{}, map[string]bool{}
			for _, n := range f.All() {
				fullMax[n.Code] = n.MaxPoints()
				adjustment[n.Code] = f.InAdjustment(n.Code)
				area[n.Code] = f.Parent(n.Code) == nil
			}
			for batch := range 10 {
				in := randomInputs(f, 100, uint64(1000*batch+len(f.Code)))
				extremes(in, uint64(batch))
				res := mustScore(t, f, in)
				agencies += len(res.Agencies)
				checkInvariants(t, f, res, fullMax, adjustment, area)
			}
		})
	}
	if agencies < 5000 {
		t.Errorf("only %d agencies checked", agencies)
	}
}

// extremes pushes some metrics to very large or very small values.
func extremes(in Inputs, seed uint64) {
	random := rand.New(rand.NewPCG(seed, 77))
	for i := range in.Agencies {
		for m := range in.Agencies[i].Metrics {
			switch r := random.Float64(); {
			case r < 0.02:
				in.Agencies[i].Metrics[m] = 1e12
			case r < 0.04:
				in.Agencies[i].Metrics[m] = 1e-9
			}
		}
	}
}

func checkInvariants(t *testing.T, f *criteria.Framework, res *Result, fullMax map[string]float64, adjustment, area map[string]bool) {
	t.Helper()
	fail := func(a *AgencyResult, format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s", a.Code, fmt.Sprintf(format, args...))
	}
	values := make([]float64, len(res.Agencies))
	for i := range res.Agencies {
		a := &res.Agencies[i]
		var areaPoints, areaMax float64
		for _, n := range a.Nodes {
			if adjustment[n.Code] {
				if n.Max != 0 {
					fail(a, "adjustment node %s has max %v", n.Code, n.Max)
				}
				continue
			}
			if n.Points < 0 || n.Points > n.Max+1e-9 || n.Max < 0 || n.Max > fullMax[n.Code]+1e-9 || math.IsNaN(n.Points) {
				fail(a, "node %s = %v of %v (framework max %v, %v)", n.Code, n.Points, n.Max, fullMax[n.Code], n.Status)
			}
			if area[n.Code] {
				areaPoints += n.Points
				areaMax += n.Max
			}
		}
		if a.ScoredPoints != areaPoints || a.Max != areaMax {
			fail(a, "scored %v of %v, areas add to %v of %v", a.ScoredPoints, a.Max, areaPoints, areaMax)
		}
		if a.Points < 0 || a.Points != math.Max(0, a.ScoredPoints+a.Bonus-a.Penalty) {
			fail(a, "total %v from %v + %v − %v", a.Points, a.ScoredPoints, a.Bonus, a.Penalty)
		}
		values[i] = math.NaN()
		if a.Max == 0 {
			if a.Index != nil || a.Rank != 0 || a.Band != "" {
				fail(a, "no maximum but index %v rank %d band %q", a.Index, a.Rank, a.Band)
			}
			continue
		}
		x := *a.Index
		if x < 0 || (f.CapIndex != nil && x > *f.CapIndex) || x != f.ApplyCap(a.Points/a.Max*100) {
			fail(a, "index %v from %v of %v", x, a.Points, a.Max)
		}
		if *a.IndexRounded != publishedIndex(f, x) || *a.IndexRounded != f.RoundIndex(*a.IndexRounded) {
			fail(a, "published %v for index %v", *a.IndexRounded, x)
		}
		if band, _ := f.BandFor(*a.IndexRounded); band.Code != a.Band {
			fail(a, "band %s for %v, want %s", a.Band, *a.IndexRounded, band.Code)
		}
		values[i] = *a.IndexRounded
	}
	ranks := stats.CompetitionRanks(values)
	for i := range res.Agencies {
		if res.Agencies[i].Rank != ranks[i] {
			t.Errorf("%s: rank %d, want %d", res.Agencies[i].Code, res.Agencies[i].Rank, ranks[i])
		}
		if i > 0 && ranks[i] != 0 && ranks[i] < ranks[i-1] {
			t.Errorf("agencies not in rank order at %d", i)
		}
	}
}
