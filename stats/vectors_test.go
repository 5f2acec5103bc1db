package stats

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"parindex/stats/statstest"
)

// vectorTolerance is the agreed tolerance for real-valued vectors; integer
// vectors (counts, ranks, sample sizes) must match exactly.
const vectorTolerance = 1e-9

func assertClose(tb testing.TB, what string, got, want float64) {
	tb.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > vectorTolerance*math.Max(1, math.Abs(want)) {
		tb.Errorf("%s = %.17g, want %.17g (tolerance %g)", what, got, want, vectorTolerance)
	}
}

func requireNonEmpty(tb testing.TB, section string, n int) {
	tb.Helper()
	if n == 0 {
		tb.Fatalf("vectors section %q is empty", section)
	}
}

func TestVectorsZ95(t *testing.T) {
	v := statstest.Load(t)
	if v.Z95 == 0 {
		t.Fatal("vectors: z95 is missing")
	}
	assertClose(t, "Z95", Z95, v.Z95)
	assertClose(t, "NormalQuantile(0.975)", NormalQuantile(0.975), v.Z95)
}

func TestVectorsWilson(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "wilson95", len(v.Wilson95))
	for _, c := range v.Wilson95 {
		lo, hi := Wilson(c.X, c.N, Z95)
		assertClose(t, fmt.Sprintf("Wilson lo %d/%d", c.X, c.N), lo, c.Interval[0])
		assertClose(t, fmt.Sprintf("Wilson hi %d/%d", c.X, c.N), hi, c.Interval[1])
	}
}

func TestVectorsItems(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "items", len(v.Items))
	for i, item := range v.Items {
		// One column holding exactly the vector's counts and NAs.
		var answers [][]int
		for level, count := range item.Counts {
			for range count {
				answers = append(answers, []int{level + 1})
			}
		}
		for range item.NA {
			answers = append(answers, []int{0})
		}
		elements := []BatteryElement{{Name: "item", Questions: []int{0}}}
		for _, rule := range []AggregationRule{RuleSatisfaction, RuleMean100} {
			result, err := AggregateBattery(answers, elements, BatteryOptions{Rule: rule, BootstrapReps: 50})
			if err != nil {
				t.Fatalf("item %d: %v", i, err)
			}
			q := result.Questions[0]
			if q.Counts != item.Counts || q.Valid != item.N || q.NotApplicable != item.NA {
				t.Errorf("item %d: counts %v n %d na %d, want %v n %d na %d", i, q.Counts, q.Valid, q.NotApplicable, item.Counts, item.N, item.NA)
			}
			assertClose(t, "satisfaction", q.Satisfaction, item.Satisfaction)
			assertClose(t, "mean", q.Mean, item.Mean)
			assertClose(t, "mean100", q.Mean100, item.Mean100)
			assertClose(t, "wilson lo", q.WilsonLow, item.Wilson95[0])
			assertClose(t, "wilson hi", q.WilsonHigh, item.Wilson95[1])
			wantIndex := item.Satisfaction
			if rule == RuleMean100 {
				wantIndex = item.Mean100 / 100
			}
			assertClose(t, "index under "+string(rule), q.Index, wantIndex)
			assertClose(t, "element index under "+string(rule), result.Elements[0].Index, wantIndex)
		}
	}
}

func TestVectorsTInterval(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "t_intervals", len(v.TIntervals))
	for _, c := range v.TIntervals {
		got, err := TInterval(c.Values, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if got.N != len(c.Values) {
			t.Errorf("N = %d, want %d", got.N, len(c.Values))
		}
		assertClose(t, "mean", got.Mean, c.Mean)
		assertClose(t, "sd", got.SD, c.SD)
		assertClose(t, "t", got.T, c.T)
		assertClose(t, "lo", got.Lo, c.CI95[0])
		assertClose(t, "hi", got.Hi, c.CI95[1])
		assertClose(t, "TQuantile", TQuantile(0.975, len(c.Values)-1), c.T)
	}
}

func TestVectorsCronbach(t *testing.T) {
	v := statstest.Load(t)
	c := v.Cronbach
	requireNonEmpty(t, "cronbach", len(c.Rows))
	got, err := Cronbach(c.Rows)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "alpha", got.Alpha, c.Alpha)
	if len(got.CorrectedItemTotal) != len(c.CorrectedItemTotal) || len(got.AlphaIfDeleted) != len(c.AlphaIfDeleted) {
		t.Fatalf("got %d/%d item diagnostics, want %d/%d", len(got.CorrectedItemTotal), len(got.AlphaIfDeleted), len(c.CorrectedItemTotal), len(c.AlphaIfDeleted))
	}
	for j := range c.CorrectedItemTotal {
		assertClose(t, "corrected item-total", got.CorrectedItemTotal[j], c.CorrectedItemTotal[j])
		assertClose(t, "alpha if deleted", got.AlphaIfDeleted[j], c.AlphaIfDeleted[j])
	}
}

func TestVectorsTwoProportions(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "two_proportions", len(v.TwoProportions))
	for _, c := range v.TwoProportions {
		got, err := TwoProportionZTest(c.A[0], c.A[1], c.B[0], c.B[1])
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "diff", got.Diff, c.Diff)
		assertClose(t, "z", got.Z, c.Z)
		assertClose(t, "p", got.PValue, c.PValue)
		lo, hi := NewcombeDifference(c.A[0], c.A[1], c.B[0], c.B[1], Z95)
		assertClose(t, "newcombe lo", lo, c.Newcombe95[0])
		assertClose(t, "newcombe hi", hi, c.Newcombe95[1])
	}
}

func TestVectorsStratified(t *testing.T) {
	v := statstest.Load(t)
	s := v.Stratified
	requireNonEmpty(t, "stratified", len(s.Population))
	got, err := StratifiedRate(s.Population, s.Rates, s.Samples)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "estimate", got.Estimate, s.Estimate)
	assertClose(t, "se", got.SE, s.SE)
}

func TestVectorsKish(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "kish", len(v.Kish.Weights))
	nEff, deff, err := KishEffectiveSampleSize(v.Kish.Weights)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "n_eff", nEff, v.Kish.NEff)
	assertClose(t, "deff", deff, v.Kish.Deff)
}

func TestVectorsYamane(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "yamane_e05", len(v.YamaneE05))
	for _, c := range v.YamaneE05 {
		got, err := YamaneSampleSize(c.Population, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.SampleSize {
			t.Errorf("YamaneSampleSize(%d, 0.05) = %d, want %d", c.Population, got, c.SampleSize)
		}
	}
}

func TestVectorsElementOverall(t *testing.T) {
	v := statstest.Load(t)
	eo := v.ElementOverall
	requireNonEmpty(t, "element_overall", len(eo.Items))
	names := sortedKeys(eo.Items)
	if !slices.Equal(names, sortedKeys(eo.Elements)) {
		t.Fatalf("items %v and elements %v name different elements", names, sortedKeys(eo.Elements))
	}

	// The aggregation step on its own.
	var elementIndices []float64
	for _, name := range names {
		index, used := MeanOfIndices(eo.Items[name])
		if used != len(eo.Items[name]) {
			t.Errorf("%s: used %d of %d question indices", name, used, len(eo.Items[name]))
		}
		assertClose(t, "element "+name, index, eo.Elements[name])
		elementIndices = append(elementIndices, index)
	}
	overall, _ := MeanOfIndices(elementIndices)
	assertClose(t, "overall", overall, eo.Overall)

	// The same numbers through the whole battery: 100 respondents, and each
	// question has round(index·100) answers at level 5, the rest at level 2.
	const respondents = 100
	var elements []BatteryElement
	var columns [][]int
	for _, name := range names {
		element := BatteryElement{Name: name}
		for _, index := range eo.Items[name] {
			satisfied := int(math.Round(index * respondents))
			if math.Abs(float64(satisfied)-index*respondents) > 1e-9 {
				t.Fatalf("%s: index %v is not a whole number of %d respondents; choose another respondent count", name, index, respondents)
			}
			column := make([]int, respondents)
			for r := range column {
				column[r] = 2
				if r < satisfied {
					column[r] = 5
				}
			}
			element.Questions = append(element.Questions, len(columns))
			columns = append(columns, column)
		}
		elements = append(elements, element)
	}
	answers := make([][]int, respondents)
	for r := range answers {
		for _, column := range columns {
			answers[r] = append(answers[r], column[r])
		}
	}
	result, err := AggregateBattery(answers, elements, BatteryOptions{BootstrapReps: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for e, name := range names {
		assertClose(t, "battery element "+name, result.Elements[e].Index, eo.Elements[name])
		if !(result.Elements[e].Low <= result.Elements[e].Index && result.Elements[e].Index <= result.Elements[e].High) {
			t.Errorf("battery element %s: bootstrap interval [%v, %v] misses the estimate %v", name, result.Elements[e].Low, result.Elements[e].High, result.Elements[e].Index)
		}
	}
	assertClose(t, "battery overall", result.Overall, eo.Overall)
}

func TestVectorsCompetitionRanks(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "competition_ranks", len(v.CompetitionRanks.Values))
	got := CompetitionRanks(v.CompetitionRanks.Values)
	if !slices.Equal(got, v.CompetitionRanks.Ranks) {
		t.Errorf("CompetitionRanks(%v) = %v, want %v", v.CompetitionRanks.Values, got, v.CompetitionRanks.Ranks)
	}
}

func TestVectorsRoundHalfUp(t *testing.T) {
	v := statstest.Load(t)
	requireNonEmpty(t, "round_half_up_2dp", len(v.RoundHalfUp2dp))
	for _, c := range v.RoundHalfUp2dp {
		// Exact: the rounded value must be the float64 that prints as the
		// decimal, not merely close to it.
		if got := RoundHalfUp(c.Value, 2); got != c.Rounded {
			t.Errorf("RoundHalfUp(%v, 2) = %v, want %v", c.Value, got, c.Rounded)
		}
	}
}

func TestVectorsRaking(t *testing.T) {
	v := statstest.Load(t)
	rk := v.Raking
	requireNonEmpty(t, "raking", len(rk.Cells))
	labels := sortedKeys(rk.Cells)
	cells := make([]Cell, len(labels))
	for i, label := range labels {
		cells[i] = Cell{Keys: ParseCellKey(label), Count: rk.Cells[label]}
	}
	got, err := Rake(cells, rk.Margins, RakeOptions{Tolerance: 1e-13})
	if err != nil {
		t.Fatal(err)
	}
	for i, label := range labels {
		want, ok := rk.Weights[label]
		if !ok {
			t.Fatalf("no expected weight for cell %s", label)
		}
		assertClose(t, "weight "+label, got.Weights[i], want)
	}
	if len(rk.Weights) != len(labels) {
		t.Errorf("expected weights for %d cells, the vector has %d cells", len(rk.Weights), len(labels))
	}
}
