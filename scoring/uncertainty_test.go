package scoring

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"parindex/criteria"
	"parindex/stats"
)

func TestAgrestiCoullSE(t *testing.T) {
	tests := []struct {
		p    float64
		n    int
		want float64
	}{
		// p̃ = (0.5·96 + 2) ÷ 100 = 0.5; SE = √(0.5 × 0.5 ÷ 100) = 0.05.
		{0.5, 96, 0.05},
		// p = 1, n = 20: p̃ = 22 ÷ 24 = 0.91666…; SE = √(0.91666… × 0.08333… ÷ 24) = √0.0031828… = 0.0564168…
		// (not 0, as the plain binomial SE would be).
		{1, 20, math.Sqrt(22.0 / 24 * 2.0 / 24 / 24)},
		// p = 0, n = 0: p̃ = 2 ÷ 4 = 0.5; SE = √(0.25 ÷ 4) = 0.25.
		{0, 0, 0.25},
	}
	for _, tt := range tests {
		if got := agrestiCoullSE(tt.p, tt.n); !near(got, tt.want) {
			t.Errorf("SE(%v, %d) = %v, want %v", tt.p, tt.n, got, tt.want)
		}
	}
}

// competitionRanks (which skips rounding where it cannot matter) gives the
// ranks stats.CompetitionRanks gives on the published indices, including
// indices on and next to rounding boundaries.
func TestFastRanksMatchCompetitionRanks(t *testing.T) {
	random := rand.New(rand.NewPCG(3, 4))
	for _, rounding := range []int{0, 1, 2, 3} {
		f := &criteria.Framework{Rounding: rounding}
		unit := math.Pow(10, -float64(rounding))
		for trial := range 300 {
			n := 1 + random.IntN(60)
			index := make([]float64, n)
			for k := range index {
				switch r := random.Float64(); {
				case r < 0.1:
					index[k] = math.NaN() // no index
				case r < 0.3: // exactly on a half: x.xx5
					index[k] = (math.Floor(random.Float64()*100/unit) + 0.5) * unit
				case r < 0.4: // a binary unit beside a half, as sums leave it
					half := (math.Floor(random.Float64()*100/unit) + 0.5) * unit
					index[k] = math.Nextafter(half, float64(random.IntN(2))*1000)
				case r < 0.6 && k > 0: // a hair from a neighbour
					index[k] = index[k-1] + (random.Float64()-0.5)*unit*1.5
				default:
					index[k] = random.Float64() * 100
				}
			}
			published := make([]float64, n)
			order := make([]int32, 0, n)
			for k := range index {
				published[k] = math.NaN()
				if !math.IsNaN(index[k]) {
					order = append(order, int32(k))
				}
			}
			got := make([]int32, n)
			competitionRanks(order, index, published, func(x float64) float64 { return publishedIndex(f, x) }, rounding, got)
			values := make([]float64, n)
			for k := range index {
				values[k] = math.NaN()
				if !math.IsNaN(index[k]) {
					values[k] = publishedIndex(f, index[k])
				}
			}
			want := stats.CompetitionRanks(values)
			for k := range want {
				if int(got[k]) != want[k] {
					t.Fatalf("rounding %d trial %d: ranks %v, want %v for %v", rounding, trial, got, want, index)
				}
			}
		}
	}
}

func uncertaintyInputs(t *testing.T) (*criteria.Framework, Inputs) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	return f, randomInputs(f, 40, 21)
}

func TestRankUncertaintyDeterministic(t *testing.T) {
	f, in := uncertaintyInputs(t)
	run := func(seed uint64, workers int) []byte {
		res, err := ScoreWith(f, in, Options{Uncertainty: &UncertaintyOptions{Draws: 300, Seed: seed, Correlation: 0.7, Workers: workers}})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := run(42, 1)
	if !bytes.Equal(first, run(42, 1)) {
		t.Error("the same seed gave different results")
	}
	if !bytes.Equal(first, run(42, 4)) {
		t.Error("the number of workers changed the result")
	}
	if bytes.Equal(first, run(43, 1)) {
		t.Error("another seed gave the very same intervals (suspicious for 40 agencies)")
	}
}

func TestRankUncertaintySanity(t *testing.T) {
	f := framework(t, "", `  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: 50, method: assessed, step: 0.5}
      - {code: "1.2", name: Khảo sát, max: 50, method: survey, instrument: sipas-2026, element: access}
`)
	agencyWith := func(code string, points, satisfaction float64, n int) AgencyInput {
		return AgencyInput{Code: code, Points: metrics("1.1", points),
			Survey: map[string]map[string]SurveyValue{"sipas-2026": {"access": {Satisfaction: f64(satisfaction), N: n}}}}
	}
	in := Inputs{Agencies: []AgencyInput{
		agencyWith("FAR", 50, 0.95, 400),             // 97.5: far ahead of everyone
		agencyWith("B1", 35, 0.80, 60),               // 75
		agencyWith("B2", 35, 0.81, 50),               // 75.5: within sampling error of B1
		agencyWith("LOW", 10, 0.50, 400),             // 35: far behind
		agencyWith("FIXED", 20, 0.90, 0),             // 65: n unknown, its survey value is fixed
		{Code: "NONE", NotApplicable: []string{"1"}}, // no index: never ranked
	}}
	res, err := ScoreWith(f, in, Options{Uncertainty: &UncertaintyOptions{Draws: 1000, Seed: 7, Correlation: DefaultSurveyCorrelation}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"FAR": {1, 1}, "LOW": {5, 5}, "FIXED": {4, 4}}
	for code, interval := range want {
		a := agency(t, res, code)
		if a.RankInterval == nil || *a.RankInterval != interval || a.MedianRank != interval[0] || len(a.NotClearlyDifferent) != 0 {
			t.Errorf("%s: interval %v median %d overlaps %v, want %v alone", code, a.RankInterval, a.MedianRank, a.NotClearlyDifferent, interval)
		}
	}
	b1, b2 := agency(t, res, "B1"), agency(t, res, "B2")
	if *b1.RankInterval != [2]int{2, 3} || *b2.RankInterval != [2]int{2, 3} ||
		!slices.Equal(b1.NotClearlyDifferent, []string{"B2"}) || !slices.Equal(b2.NotClearlyDifferent, []string{"B1"}) {
		t.Errorf("B1 %v %v, B2 %v %v: want both [2 3], not clearly different from each other",
			b1.RankInterval, b1.NotClearlyDifferent, b2.RankInterval, b2.NotClearlyDifferent)
	}
	if none := agency(t, res, "NONE"); none.RankInterval != nil || none.MedianRank != 0 {
		t.Errorf("NONE has an interval %v", none.RankInterval)
	}
	u := res.Uncertainty
	if u == nil || u.Draws != 1000 || u.Seed != 7 || u.DrawnValues != 4 || u.FixedValues != 1 || u.Percentiles != [2]int{5, 95} {
		t.Errorf("summary %+v", u)
	}
	// The point ranks stay those of the published indices.
	if b2.Rank != 2 || b1.Rank != 3 {
		t.Errorf("ranks B2 %d B1 %d", b2.Rank, b1.Rank)
	}
}

// With every survey n unknown, nothing varies: each interval is the rank.
func TestRankUncertaintyWithoutSampleSizes(t *testing.T) {
	f, in := uncertaintyInputs(t)
	for i := range in.Agencies {
		for _, values := range in.Agencies[i].Survey {
			for key, v := range values {
				v.N = 0
				values[key] = v
			}
		}
	}
	res, err := ScoreWith(f, in, Options{Uncertainty: &UncertaintyOptions{Draws: 20, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Agencies {
		if a.Rank == 0 {
			continue
		}
		if *a.RankInterval != [2]int{a.Rank, a.Rank} || a.MedianRank != a.Rank {
			t.Errorf("%s: rank %d, interval %v", a.Code, a.Rank, *a.RankInterval)
		}
	}
	if res.Uncertainty.DrawnValues != 0 {
		t.Errorf("drawn values %d", res.Uncertainty.DrawnValues)
	}
}

func TestUncertaintyOptionsChecked(t *testing.T) {
	f, in := uncertaintyInputs(t)
	for _, o := range []UncertaintyOptions{{Draws: 0}, {Draws: 10, Correlation: 1.5}, {Draws: 10, Correlation: math.NaN()}, {Draws: 10, Workers: -1},
		{Draws: MaxRankCells}} {
		if _, err := ScoreWith(f, in, Options{Uncertainty: &o}); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

// publishedIndex skips the noise removal away from rounding boundaries; it
// must give what rounding the denoised index gives, on and beside every
// kind of boundary.
func TestPublishedIndexShortcut(t *testing.T) {
	random := rand.New(rand.NewPCG(8, 9))
	for _, rounding := range []int{0, 1, 2, 4, 6} {
		f := &criteria.Framework{Rounding: rounding}
		unit := math.Pow(10, -float64(rounding))
		for range 20000 {
			var x float64
			switch r := random.Float64(); {
			case r < 0.3:
				x = (math.Floor(random.Float64()*1000/unit) + 0.5) * unit
			case r < 0.6:
				half := (math.Floor(random.Float64()*1000/unit) + 0.5) * unit
				x = half + float64(random.IntN(21)-10)*half*1e-16
			default:
				x = random.Float64() * 1000
			}
			if got, want := publishedIndex(f, x), f.RoundIndex(x); got != want {
				t.Fatalf("rounding %d: publishedIndex(%v) = %v, want %v", rounding, x, got, want)
			}
		}
	}
}
