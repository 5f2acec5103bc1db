package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func closeRel(got, want, tolerance float64) bool {
	return math.Abs(got-want) <= tolerance*math.Max(1, math.Abs(want))
}

func TestZ95IsNormalQuantile(t *testing.T) {
	if got := NormalQuantile(0.975); got != Z95 {
		t.Fatalf("NormalQuantile(0.975) = %.17g, Z95 = %.17g: they must agree bit for bit", got, Z95)
	}
}

func TestNormalQuantileInvertsErfc(t *testing.T) {
	for _, p := range []float64{1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.02425, 0.025, 0.1, 0.25, 0.3, 0.4999, 0.5 - 1e-12} {
		x := NormalQuantile(p)
		// Lower tail: 0.5·erfc(−x/√2) is computed without cancellation.
		// A relative error ε in x moves Φ by about x²·ε relatively.
		if back := 0.5 * math.Erfc(-x/math.Sqrt2); !closeRel(back/p, 1, 1e-15*math.Max(4, x*x)) {
			t.Errorf("Φ(NormalQuantile(%g)) = %.17g, relative error %.2g", p, back, back/p-1)
		}
		// 1 − (1 − p) is exact, so the mirror image must be bit for bit.
		complement := 1 - p
		if upper, lower := NormalQuantile(complement), NormalQuantile(1-complement); upper != -lower {
			t.Errorf("NormalQuantile(%v) = %.17g, want %.17g (symmetry)", complement, upper, -lower)
		}
	}
	for p, want := range map[float64]float64{0: math.Inf(-1), 1: math.Inf(1), 0.5: 0} {
		if got := NormalQuantile(p); got != want {
			t.Errorf("NormalQuantile(%v) = %v, want %v", p, got, want)
		}
	}
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		if got := NormalQuantile(p); !math.IsNaN(got) {
			t.Errorf("NormalQuantile(%v) = %v, want NaN", p, got)
		}
	}
	// Near the centre the answer must be relatively, not just absolutely,
	// accurate: Φ⁻¹(½+δ) ≈ δ√(2π).
	delta := 1.0 / (1 << 40)
	if got, want := NormalQuantile(0.5+delta), delta*math.Sqrt(2*math.Pi); !closeRel(got/want, 1, 1e-12) {
		t.Errorf("NormalQuantile(½+2⁻⁴⁰) = %.17g, want ≈ %.17g", got, want)
	}
}

// Reference values computed independently with mpmath at 40 digits
// (bisection on the regularised incomplete beta).
var tQuantileReference = []struct {
	df   int
	p    float64
	want float64
}{
	{3, 0.975, 3.1824463052837084359},
	{3, 0.995, 5.8409093097333554113},
	{3, 0.9999999, 222.57159098625124254},
	{3, 0.6, 0.27667066233268984701},
	{5, 0.975, 2.5705818356363147828},
	{5, 0.995, 4.0321429835552271793},
	{5, 0.9999999, 39.341819621052610484},
	{5, 0.6, 0.26718086570414506569},
	{9, 0.995, 3.2498355415921257205},
	{9, 0.9999999, 14.040718740925183265},
	{9, 0.6, 0.26095533647391095206},
	{30, 0.975, 2.0422724563012378878},
	{30, 0.995, 2.7499956535672249664},
	{30, 0.9999999, 6.7013995123793148175},
	{30, 0.6, 0.25560536495191271444},
	{100, 0.975, 1.9839715185235518946},
	{100, 0.995, 2.625890521438017607},
	{100, 0.9999999, 5.586900474706952946},
	{100, 0.6, 0.25402218245822775892},
	{1000, 0.975, 1.9623390808264081039},
	{1000, 0.995, 2.5807546980659507706},
	{1000, 0.9999999, 5.2359984693922194369},
	{1000, 0.6, 0.25341451583949870728},
	{10000, 0.975, 1.9602012398906258778},
	{10000, 0.995, 2.5763210466685285853},
	{10000, 0.9999999, 5.202983638365323661},
	{10000, 0.6, 0.25335384344572679407},
}

func TestTQuantileReference(t *testing.T) {
	for _, c := range tQuantileReference {
		got := TQuantile(c.p, c.df)
		if math.Abs(got/c.want-1) > 2e-13 {
			t.Errorf("TQuantile(%v, %d) = %.17g, want %.17g (relative error %.2g)", c.p, c.df, got, c.want, got/c.want-1)
		}
		if lower := TQuantile(1-c.p, c.df); lower != -got {
			t.Errorf("TQuantile(1−%v, %d) = %.17g, want %.17g (symmetry)", c.p, c.df, lower, -got)
		}
	}
}

func TestTQuantileClosedForms(t *testing.T) {
	for _, p := range []float64{1e-12, 0.001, 0.025, 0.2, 0.5000001, 0.6, 0.9, 0.975, 0.995, 0.9999999} {
		// df = 1 is the Cauchy distribution: t = tan(π(p − ½)), written in
		// the tails as −1/tan(πp) or 1/tan(π(1−p)) to stay accurate there.
		want := math.Tan(math.Pi * (p - 0.5))
		switch {
		case p < 0.25:
			want = -1 / math.Tan(math.Pi*p)
		case p > 0.75:
			want = 1 / math.Tan(math.Pi*(1-p))
		}
		if got := TQuantile(p, 1); !closeRel(got/want, 1, 1e-13) {
			t.Errorf("TQuantile(%v, 1) = %.17g, want %.17g", p, got, want)
		}
		// df = 2: t = (2p − 1)/sqrt(2p(1 − p)).
		if got, want := TQuantile(p, 2), (2*p-1)/math.Sqrt(2*p*(1-p)); !closeRel(got/want, 1, 1e-12) {
			t.Errorf("TQuantile(%v, 2) = %.17g, want %.17g", p, got, want)
		}
	}
}

func TestTQuantileRoundTripAndLimits(t *testing.T) {
	for _, df := range []int{1, 2, 4, 7, 25, 250, 5000} {
		for _, p := range []float64{0.01, 0.3, 0.7, 0.95} {
			if back := TCDF(TQuantile(p, df), df); !closeRel(back, p, 1e-13) {
				t.Errorf("TCDF(TQuantile(%v, %d)) = %.17g", p, df, back)
			}
		}
	}
	// Heavier tails than the normal, approaching it as df grows.
	previous := math.Inf(1)
	for _, df := range []int{1, 2, 5, 10, 100, 1000, 100000} {
		q := TQuantile(0.975, df)
		if !(q < previous && q > Z95) {
			t.Errorf("TQuantile(0.975, %d) = %v, want between Z95 and %v", df, q, previous)
		}
		previous = q
	}
	if q := TQuantile(0.975, 1_000_000); math.Abs(q-Z95) > 1e-5 {
		t.Errorf("TQuantile(0.975, 1e6) = %v, want ≈ Z95", q)
	}
	for _, c := range []struct {
		p  float64
		df int
	}{{0.5, 0}, {0.975, -3}, {math.NaN(), 5}, {1.5, 5}, {-0.5, 5}} {
		if got := TQuantile(c.p, c.df); !math.IsNaN(got) {
			t.Errorf("TQuantile(%v, %d) = %v, want NaN", c.p, c.df, got)
		}
	}
	if TQuantile(0, 4) != math.Inf(-1) || TQuantile(1, 4) != math.Inf(1) || TQuantile(0.5, 4) != 0 {
		t.Error("TQuantile end points: want −Inf, +Inf and 0 at p = 0, 1, ½")
	}
}

func TestTIntervalEdges(t *testing.T) {
	constant, err := TInterval([]float64{4, 4, 4}, 0.95)
	if err != nil || constant.SD != 0 || constant.Lo != 4 || constant.Hi != 4 {
		t.Errorf("constant values: %+v, %v; want a zero-width interval at 4", constant, err)
	}
	two, err := TInterval([]float64{1, 3}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// n = 2 → df = 1, t = tan(0.475π) = 12.706…; sd = √2; half-width = t.
	if want := math.Tan(0.475 * math.Pi); !closeRel(two.T, want, 1e-13) || !closeRel(two.Hi-two.Mean, want, 1e-13) {
		t.Errorf("n = 2: %+v, want t = half-width = %v", two, want)
	}
	for _, c := range []struct {
		values     []float64
		confidence float64
	}{{[]float64{1}, 0.95}, {nil, 0.95}, {[]float64{1, 2}, 0}, {[]float64{1, 2}, 1}, {[]float64{1, math.NaN()}, 0.95}} {
		if _, err := TInterval(c.values, c.confidence); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("TInterval(%v, %v): err = %v, want ErrInvalidInput", c.values, c.confidence, err)
		}
	}
}

func TestWilsonEdges(t *testing.T) {
	for _, n := range []int{1, 2, 20, 1000} {
		lo, hi := Wilson(0, n, Z95)
		if lo != 0 || !(hi > 0 && hi < 1) {
			t.Errorf("Wilson(0, %d) = (%v, %v), want lo exactly 0", n, lo, hi)
		}
		lo, hi = Wilson(n, n, Z95)
		if hi != 1 || !(lo > 0 && lo < 1) {
			t.Errorf("Wilson(%d, %d) = (%v, %v), want hi exactly 1", n, n, lo, hi)
		}
		// x and n − x mirror each other.
		l1, h1 := Wilson(n/3, n, Z95)
		l2, h2 := Wilson(n-n/3, n, Z95)
		if !closeRel(l1, 1-h2, 1e-14) || !closeRel(h1, 1-l2, 1e-14) {
			t.Errorf("Wilson(%d, %d) and Wilson(%d, %d) are not mirror images", n/3, n, n-n/3, n)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("Wilson(0, 0) = (%v, %v), want (0, 1)", lo, hi)
	}
	if lo, hi := Wilson(3, 10, 0); lo != 0.3 || hi != 0.3 {
		t.Errorf("Wilson(3, 10, z = 0) = (%v, %v), want the point 0.3", lo, hi)
	}
	for _, c := range [][3]float64{{-1, 10, Z95}, {11, 10, Z95}, {0, -1, Z95}, {3, 10, -1}, {3, 10, math.NaN()}} {
		if lo, hi := Wilson(int(c[0]), int(c[1]), c[2]); !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("Wilson(%v) = (%v, %v), want NaN", c, lo, hi)
		}
	}
	// Wider at higher confidence.
	lo95, hi95 := Wilson(30, 40, Z95)
	lo99, hi99 := Wilson(30, 40, NormalQuantile(0.995))
	if !(lo99 < lo95 && hi99 > hi95) {
		t.Errorf("99%% interval (%v, %v) does not contain the 95%% interval (%v, %v)", lo99, hi99, lo95, hi95)
	}
}

func TestTwoProportionEdges(t *testing.T) {
	same, err := TwoProportionZTest(50, 50, 30, 30)
	if err != nil || same.Z != 0 || same.PValue != 1 || same.Diff != 0 {
		t.Errorf("both 100%%: %+v, %v; want z 0, p 1", same, err)
	}
	swapped, _ := TwoProportionZTest(170, 200, 180, 200)
	straight, _ := TwoProportionZTest(180, 200, 170, 200)
	if swapped.Z != -straight.Z || swapped.PValue != straight.PValue {
		t.Errorf("swapping the samples must flip z only: %+v vs %+v", swapped, straight)
	}
	for _, c := range [][4]int{{0, 0, 1, 2}, {1, 2, 0, 0}, {3, 2, 1, 2}, {-1, 2, 1, 2}} {
		if _, err := TwoProportionZTest(c[0], c[1], c[2], c[3]); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("TwoProportionZTest(%v): err = %v, want ErrInvalidInput", c, err)
		}
	}
	lo, hi := NewcombeDifference(20, 20, 0, 20, Z95)
	if !(lo > 0 && lo < 1 && hi == 1) {
		t.Errorf("Newcombe(20/20 − 0/20) = (%v, %v), want (0 < lo, hi = 1)", lo, hi)
	}
	lo, hi = NewcombeDifference(10, 20, 10, 20, Z95)
	if !(closeRel(lo, -hi, 1e-15) && hi > 0) {
		t.Errorf("Newcombe of equal rates = (%v, %v), want symmetric around 0", lo, hi)
	}
	if lo, hi := NewcombeDifference(5, 4, 1, 2, Z95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Newcombe with x > n = (%v, %v), want NaN", lo, hi)
	}
}

func TestCronbachEdges(t *testing.T) {
	// Every respondent gives the same total: alpha is 0/0.
	if _, err := Cronbach([][]float64{{3, 3}, {3, 3}, {3, 3}}); !errors.Is(err, ErrUndefined) {
		t.Errorf("constant answers: err = %v, want ErrUndefined", err)
	}
	if _, err := Cronbach([][]float64{{0.1, 0.2}, {0.1, 0.2}, {0.1, 0.2}}); !errors.Is(err, ErrUndefined) {
		t.Errorf("constant non-binary answers: err = %v, want ErrUndefined, not rounding dust", err)
	}
	// One constant item: alpha exists, its correlation does not.
	result, err := Cronbach([][]float64{{1, 4, 2}, {2, 4, 3}, {3, 4, 3}, {4, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(result.CorrectedItemTotal[1]) || math.IsNaN(result.CorrectedItemTotal[0]) {
		t.Errorf("corrected item-total = %v, want NaN only for the constant item", result.CorrectedItemTotal)
	}
	// Two items: deleting one leaves no alpha.
	two, err := Cronbach([][]float64{{1, 2}, {2, 3}, {4, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(two.AlphaIfDeleted[0]) || !math.IsNaN(two.AlphaIfDeleted[1]) {
		t.Errorf("alpha if deleted with 2 items = %v, want NaN", two.AlphaIfDeleted)
	}
	// Identical items are perfectly consistent.
	perfect, err := Cronbach([][]float64{{1, 1, 1}, {3, 3, 3}, {5, 5, 5}, {2, 2, 2}})
	if err != nil || !closeRel(perfect.Alpha, 1, 1e-14) {
		t.Errorf("identical items: alpha %v, %v; want 1", perfect.Alpha, err)
	}
	for _, rows := range [][][]float64{nil, {{1, 2}}, {{1}, {2}}, {{1, 2}, {1}}, {{1, 2}, {math.NaN(), 1}}} {
		if _, err := Cronbach(rows); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Cronbach(%v): err = %v, want ErrInvalidInput", rows, err)
		}
	}
}

func TestStratifiedEdges(t *testing.T) {
	one, err := StratifiedRate([]float64{500}, []float64{0.8}, []int{100})
	if err != nil || one.Estimate != 0.8 || !closeRel(one.SE, math.Sqrt(0.8*0.2/100), 1e-15) {
		t.Errorf("one stratum: %+v, %v; want the simple rate and its SE", one, err)
	}
	for _, c := range []struct {
		populations, rates []float64
		samples            []int
	}{
		{nil, nil, nil},
		{[]float64{1, 2}, []float64{0.5}, []int{1, 1}},
		{[]float64{1}, []float64{1.2}, []int{3}},
		{[]float64{-1, 2}, []float64{0.5, 0.5}, []int{1, 1}},
		{[]float64{1, 2}, []float64{0.5, 0.5}, []int{0, 1}},
		{[]float64{0, 0}, []float64{0.5, 0.5}, []int{1, 1}},
	} {
		if _, err := StratifiedRate(c.populations, c.rates, c.samples); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("StratifiedRate(%v, %v, %v): err = %v, want ErrInvalidInput", c.populations, c.rates, c.samples, err)
		}
	}
}

func TestKishEdges(t *testing.T) {
	nEff, deff, err := KishEffectiveSampleSize([]float64{2, 2, 2, 2})
	if err != nil || nEff != 4 || deff != 1 {
		t.Errorf("equal weights: n_eff %v deff %v %v; want 4 and 1", nEff, deff, err)
	}
	nEff, deff, err = KishEffectiveSampleSize([]float64{1, 1, 0})
	if err != nil || nEff != 2 || deff != 1 {
		t.Errorf("a zero weight: n_eff %v deff %v %v; want 2 and 1 (zero weights are not in n)", nEff, deff, err)
	}
	for _, w := range [][]float64{nil, {0, 0}, {1, -1}, {1, math.Inf(1)}, {math.NaN()}} {
		if _, _, err := KishEffectiveSampleSize(w); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Kish(%v): err = %v, want ErrInvalidInput", w, err)
		}
	}
}

func TestYamaneEdges(t *testing.T) {
	for _, c := range []struct{ population, want int }{{0, 0}, {1, 1}, {400, 200}, {1_000_000, 400}} {
		if got, err := YamaneSampleSize(c.population, 0.05); err != nil || got != c.want {
			t.Errorf("YamaneSampleSize(%d, 0.05) = %d, %v; want %d (exact, not pushed up by binary rounding)", c.population, got, err, c.want)
		}
	}
	for _, margin := range []float64{0, 1, -0.05, math.NaN()} {
		if _, err := YamaneSampleSize(100, margin); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("YamaneSampleSize(100, %v): err = %v, want ErrInvalidInput", margin, err)
		}
	}
	if _, err := YamaneSampleSize(-1, 0.05); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("negative population: err = %v, want ErrInvalidInput", err)
	}
}

func TestRakeNonConvergence(t *testing.T) {
	// Only M|young and F|old exist, so "M" and "young" are the same people:
	// a 50/50 sex margin and a 20/80 age margin cannot both hold.
	cells := []Cell{{Keys: []string{"M", "young"}, Count: 10}, {Keys: []string{"F", "old"}, Count: 10}}
	margins := []map[string]float64{{"M": 0.5, "F": 0.5}, {"young": 0.2, "old": 0.8}}
	result, err := Rake(cells, margins, RakeOptions{MaxIterations: 50})
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("incompatible margins: err = %v, want ErrNotConverged", err)
	}
	if result.Iterations != 50 || !(result.MaxDeviation > 0.1) {
		t.Errorf("result %+v, want 50 sweeps and the deviation left", result)
	}
	if !strings.Contains(err.Error(), "50 sweeps") {
		t.Errorf("error %q should say how many sweeps ran", err)
	}
}

func TestRakeBehaviour(t *testing.T) {
	cells := []Cell{
		{Keys: ParseCellKey("M|young|urban"), Count: 12}, {Keys: ParseCellKey("M|young|rural"), Count: 8},
		{Keys: ParseCellKey("M|old|urban"), Count: 20}, {Keys: ParseCellKey("M|old|rural"), Count: 10},
		{Keys: ParseCellKey("F|young|urban"), Count: 15}, {Keys: ParseCellKey("F|young|rural"), Count: 15},
		{Keys: ParseCellKey("F|old|urban"), Count: 9}, {Keys: ParseCellKey("F|old|rural"), Count: 11},
	}
	margins := []map[string]float64{{"M": 0.48, "F": 0.52}, {"young": 0.35, "old": 0.65}, {"urban": 0.3, "rural": 0.7}}
	result, err := Rake(cells, margins, RakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total, rakedTotal := 0.0, 0.0
	shares := []map[string]float64{{}, {}, {}}
	for i, cell := range cells {
		total += cell.Count
		raked := cell.Count * result.Weights[i]
		rakedTotal += raked
		for d, key := range cell.Keys {
			shares[d][key] += raked
		}
	}
	if !closeRel(rakedTotal, total, 1e-12) {
		t.Errorf("raked total %v, want the original %v", rakedTotal, total)
	}
	for d, margin := range margins {
		for key, target := range margin {
			if got := shares[d][key] / total; math.Abs(got-target) > 1e-9 {
				t.Errorf("margin %d %s: share %v, want %v", d, key, got, target)
			}
		}
	}

	// Margins that already hold need no sweep and leave weights at 1.
	balanced := []Cell{{Keys: []string{"a", "x"}, Count: 1}, {Keys: []string{"b", "x"}, Count: 1}, {Keys: []string{"a", "y"}, Count: 1}, {Keys: []string{"b", "y"}, Count: 1}}
	flat, err := Rake(balanced, []map[string]float64{{"a": 0.5, "b": 0.5}, {"x": 0.5, "y": 0.5}}, RakeOptions{})
	if err != nil || flat.Iterations != 0 || slices.ContainsFunc(flat.Weights, func(w float64) bool { return w != 1 }) {
		t.Errorf("balanced sample: %+v, %v; want weights 1 after 0 sweeps", flat, err)
	}

	for name, c := range map[string]struct {
		cells   []Cell
		margins []map[string]float64
	}{
		"shares not summing to 1": {balanced, []map[string]float64{{"a": 0.5, "b": 0.4}, {"x": 0.5, "y": 0.5}}},
		"unknown category":        {balanced, []map[string]float64{{"a": 0.5, "c": 0.5}, {"x": 0.5, "y": 0.5}}},
		"too few keys":            {[]Cell{{Keys: []string{"a"}, Count: 1}}, []map[string]float64{{"a": 1}, {"x": 1}}},
		"empty cell":              {[]Cell{{Keys: []string{"a"}, Count: 0}}, []map[string]float64{{"a": 1}}},
		"target without cells":    {[]Cell{{Keys: []string{"a"}, Count: 3}}, []map[string]float64{{"a": 0.5, "b": 0.5}}},
		"no margins":              {balanced, nil},
	} {
		if _, err := Rake(c.cells, c.margins, RakeOptions{}); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func TestCompetitionRanksEdges(t *testing.T) {
	for _, c := range []struct {
		values []float64
		want   []int
	}{
		{nil, []int{}},
		{[]float64{5}, []int{1}},
		{[]float64{7, 7, 7}, []int{1, 1, 1}},
		{[]float64{1, 2, 2, 2, 3}, []int{5, 2, 2, 2, 1}},
		{[]float64{90, math.NaN(), 95, 90}, []int{2, 0, 1, 2}},
		{[]float64{-1, 0, -1}, []int{2, 1, 2}},
	} {
		if got := CompetitionRanks(c.values); !slices.Equal(got, c.want) {
			t.Errorf("CompetitionRanks(%v) = %v, want %v", c.values, got, c.want)
		}
	}
}

func TestRoundHalfUpEdges(t *testing.T) {
	for _, c := range []struct {
		x        float64
		decimals int
		want     float64
	}{
		{1.005, 2, 1.01},  // binary 1.00499999999999989…
		{2.675, 2, 2.68},  // binary 2.67499999999999982…
		{0.125, 2, 0.13},  // exact binary half
		{-89.995, 2, -90}, // half away from zero
		{-84.125, 2, -84.13},
		{-0.001, 2, 0}, // and never −0
		{2.5, 0, 3},
		{-2.5, 0, -3},
		{1249.99, -2, 1200},
		{1250, -2, 1300},
		{0.1 + 0.2, 1, 0.3}, // 0.30000000000000004
		{1e20, 2, 1e20},
		{123.456, 10, 123.456},
		{5e-324, 2, 0},
	} {
		got := RoundHalfUp(c.x, c.decimals)
		if got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("RoundHalfUp(%v, %d) = %v, want %v", c.x, c.decimals, got, c.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := RoundHalfUp(x, 2); !(got == x || math.IsNaN(got) && math.IsNaN(x)) {
			t.Errorf("RoundHalfUp(%v) = %v, want it unchanged", x, got)
		}
	}
}

func TestBootstrapDeterminism(t *testing.T) {
	data := []float64{3, 5, 4, 4, 2, 5, 5, 3, 4, 1, 5, 4, 3, 4, 5}
	mean := func(sample []int) float64 {
		s := 0.0
		for _, i := range sample {
			s += data[i]
		}
		return s / float64(len(sample))
	}
	lo1, hi1, err := Bootstrap(len(data), 999, 42, mean, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	lo2, hi2, _ := Bootstrap(len(data), 999, 42, mean, 0.95)
	if lo1 != lo2 || hi1 != hi2 {
		t.Errorf("same seed gave (%v, %v) and (%v, %v)", lo1, hi1, lo2, hi2)
	}
	lo3, hi3, _ := Bootstrap(len(data), 999, 43, mean, 0.95)
	if lo1 == lo3 && hi1 == hi3 {
		t.Errorf("seeds 42 and 43 gave the same interval (%v, %v)", lo1, hi1)
	}
	sampleMean := mean([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
	if !(lo1 < sampleMean && sampleMean < hi1) {
		t.Errorf("interval (%v, %v) misses the sample mean %v", lo1, hi1, sampleMean)
	}
	// A 50% interval sits inside the 95% one from the same resamples.
	lo50, hi50, _ := Bootstrap(len(data), 999, 42, mean, 0.5)
	if !(lo1 <= lo50 && hi50 <= hi1) {
		t.Errorf("50%% interval (%v, %v) not inside 95%% (%v, %v)", lo50, hi50, lo1, hi1)
	}

	constant, _, _ := Bootstrap(5, 10, 1, func([]int) float64 { return 7 }, 0.9)
	if constant != 7 {
		t.Errorf("constant statistic: lo %v, want 7", constant)
	}
	lo, hi, err := Bootstrap(5, 10, 1, func([]int) float64 { return math.NaN() }, 0.9)
	if err != nil || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("all-NaN statistic: (%v, %v, %v), want NaN", lo, hi, err)
	}
	for _, c := range []struct {
		n, reps    int
		confidence float64
		statistic  func([]int) float64
	}{{0, 10, 0.95, mean}, {5, 0, 0.95, mean}, {5, 10, 1, mean}, {5, 10, 0.95, nil}} {
		if _, _, err := Bootstrap(c.n, c.reps, 1, c.statistic, c.confidence); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Bootstrap(n %d, reps %d, confidence %v): err = %v, want ErrInvalidInput", c.n, c.reps, c.confidence, err)
		}
	}
}

func TestQuantileSorted(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5}
	for q, want := range map[float64]float64{0: 1, 1: 5, 0.5: 3, 0.25: 2, 0.1: 1.4} {
		if got := quantileSorted(sorted, q); !closeRel(got, want, 1e-15) {
			t.Errorf("quantile %v = %v, want %v (type 7)", q, got, want)
		}
	}
}

func TestBatteryNotApplicableAndErrors(t *testing.T) {
	answers := [][]int{
		{5, 0, 4, 0},
		{4, 0, 0, 0},
		{2, 0, 5, 0},
		{0, 0, 3, 0},
	}
	elements := []BatteryElement{
		{Name: "A", Questions: []int{0, 1}}, // question 1 has no valid answer
		{Name: "B", Questions: []int{2}},
		{Name: "C", Questions: []int{3}}, // no valid answer at all
	}
	result, err := AggregateBattery(answers, elements, BatteryOptions{Seed: 9, BootstrapReps: 300})
	if err != nil {
		t.Fatal(err)
	}
	q0 := result.Questions[0]
	if q0.Valid != 3 || q0.NotApplicable != 1 || q0.Counts != [5]int{0, 1, 0, 1, 1} || !closeRel(q0.Satisfaction, 2.0/3, 1e-15) || !closeRel(q0.Mean, 11.0/3, 1e-15) {
		t.Errorf("question 0: %+v", q0)
	}
	q1 := result.Questions[1]
	if q1.Valid != 0 || !math.IsNaN(q1.Index) || !math.IsNaN(q1.Satisfaction) || q1.WilsonLow != 0 || q1.WilsonHigh != 1 {
		t.Errorf("all-NA question: %+v, want NaN index and Wilson (0, 1)", q1)
	}
	a, b, c := result.Elements[0], result.Elements[1], result.Elements[2]
	if a.Index != q0.Index || a.QuestionsWithAnswers != 1 {
		t.Errorf("element A = %+v, want question 0's index from 1 question", a)
	}
	if !math.IsNaN(c.Index) || c.QuestionsWithAnswers != 0 {
		t.Errorf("element C = %+v, want NaN", c)
	}
	if want, _ := MeanOfIndices([]float64{a.Index, b.Index}); result.Overall != want {
		t.Errorf("overall %v, want the mean of A and B, %v (C has no answers)", result.Overall, want)
	}
	if !math.IsNaN(a.Alpha) || a.AlphaCompleteCases != 0 {
		t.Errorf("element A alpha %v on %d cases, want NaN on 0", a.Alpha, a.AlphaCompleteCases)
	}
	if !(a.Low <= a.Index && a.Index <= a.High) || !math.IsNaN(c.Low) {
		t.Errorf("bootstrap intervals A (%v, %v), C (%v, %v)", a.Low, a.High, c.Low, c.High)
	}

	skipped, err := AggregateBattery(answers, elements, BatteryOptions{SkipBootstrap: true})
	if err != nil || !math.IsNaN(skipped.OverallLow) || skipped.BootstrapReps != 0 || skipped.Overall != result.Overall {
		t.Errorf("SkipBootstrap: %+v, %v", skipped, err)
	}
	empty, err := AggregateBattery(nil, elements, BatteryOptions{})
	if err != nil || empty.Respondents != 0 || len(empty.Questions) != 4 || !math.IsNaN(empty.Overall) {
		t.Errorf("no respondents: %+v, %v; want NaN indices, no error", empty, err)
	}

	for name, c := range map[string]struct {
		answers  [][]int
		elements []BatteryElement
		options  BatteryOptions
		mention  string
	}{
		"answer 6":           {[][]int{{1, 6}}, []BatteryElement{{Name: "A", Questions: []int{0, 1}}}, BatteryOptions{}, "respondent 0 question 1: answer 6"},
		"negative answer":    {[][]int{{1, 2}, {-1, 2}}, []BatteryElement{{Name: "A", Questions: []int{0}}}, BatteryOptions{}, "respondent 1 question 0"},
		"ragged rows":        {[][]int{{1, 2}, {1}}, []BatteryElement{{Name: "A", Questions: []int{0}}}, BatteryOptions{}, "respondent 1 has 1 answers"},
		"question too far":   {[][]int{{1, 2}}, []BatteryElement{{Name: "A", Questions: []int{2}}}, BatteryOptions{}, "question 2"},
		"empty element":      {[][]int{{1, 2}}, []BatteryElement{{Name: "A"}}, BatteryOptions{}, "no questions"},
		"no elements":        {[][]int{{1, 2}}, nil, BatteryOptions{}, "no elements"},
		"unknown rule":       {[][]int{{1}}, []BatteryElement{{Name: "A", Questions: []int{0}}}, BatteryOptions{Rule: "median"}, "median"},
		"bad confidence":     {[][]int{{1}}, []BatteryElement{{Name: "A", Questions: []int{0}}}, BatteryOptions{Confidence: 95}, "confidence"},
		"negative bootstrap": {[][]int{{1}}, []BatteryElement{{Name: "A", Questions: []int{0}}}, BatteryOptions{BootstrapReps: -1}, "replicates"},
	} {
		_, err := AggregateBattery(c.answers, c.elements, c.options)
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: err = %v, want ErrInvalidInput mentioning %q", name, err, c.mention)
		}
	}
}

func TestBatteryAlphaAndDeterminism(t *testing.T) {
	answers := [][]int{
		{4, 5, 4, 3}, {3, 4, 3, 0}, {5, 5, 4, 4}, {2, 3, 2, 2}, {4, 4, 5, 5},
		{0, 4, 4, 4}, {5, 4, 5, 5}, {3, 3, 3, 1}, {4, 5, 0, 3}, {1, 2, 1, 2},
	}
	elements := []BatteryElement{{Name: "E1", Questions: []int{0, 1, 2}}, {Name: "E2", Questions: []int{3}}}
	result, err := AggregateBattery(answers, elements, BatteryOptions{Seed: 11, BootstrapReps: 500, Method: MethodPercentile})
	if err != nil {
		t.Fatal(err)
	}
	var complete [][]float64
	for _, row := range answers {
		if row[0] != 0 && row[1] != 0 && row[2] != 0 {
			complete = append(complete, []float64{float64(row[0]), float64(row[1]), float64(row[2])})
		}
	}
	want, err := Cronbach(complete)
	if err != nil {
		t.Fatal(err)
	}
	e1 := result.Elements[0]
	if e1.AlphaCompleteCases != len(complete) || e1.Alpha != want.Alpha {
		t.Errorf("E1 alpha %v on %d cases, want %v on %d", e1.Alpha, e1.AlphaCompleteCases, want.Alpha, len(complete))
	}
	if e2 := result.Elements[1]; !math.IsNaN(e2.Alpha) || e2.AlphaCompleteCases != 9 {
		t.Errorf("E2 (one question) alpha %v on %d cases, want NaN on 9", e2.Alpha, e2.AlphaCompleteCases)
	}

	again, _ := AggregateBattery(answers, elements, BatteryOptions{Seed: 11, BootstrapReps: 500, Method: MethodPercentile})
	other, _ := AggregateBattery(answers, elements, BatteryOptions{Seed: 12, BootstrapReps: 500, Method: MethodPercentile})
	if again.OverallLow != result.OverallLow || again.OverallHigh != result.OverallHigh || again.Elements[0].Low != e1.Low {
		t.Error("the same seed must give the same bootstrap intervals")
	}
	if other.OverallLow == result.OverallLow && other.OverallHigh == result.OverallHigh && other.Elements[0].Low == e1.Low && other.Elements[0].High == e1.High {
		t.Error("seeds 11 and 12 gave identical intervals")
	}

	// The battery's bootstrap is the generic Bootstrap with the battery's
	// statistic: the same seed must give the same interval.
	packed := Answers{Questions: len(answers[0])}
	for _, row := range answers {
		for _, v := range row {
			packed.Packed = append(packed.Packed, uint8(v))
		}
	}
	resampler := newBatteryResampler(packed, elements, RuleSatisfaction)
	out := make([]float64, len(elements)+1)
	lo, hi, err := Bootstrap(len(answers), 500, 11, func(sample []int) float64 {
		resampler.fill(sample, out)
		return out[len(elements)]
	}, 0.95)
	if err != nil || lo != result.OverallLow || hi != result.OverallHigh {
		t.Errorf("generic bootstrap (%v, %v), battery (%v, %v)", lo, hi, result.OverallLow, result.OverallHigh)
	}

	mean, err := AggregateBattery(answers, elements, BatteryOptions{Rule: RuleMean100, SkipBootstrap: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range mean.Questions {
		if !closeRel(q.Index*100, q.Mean100, 1e-13) {
			t.Errorf("mean100 rule: question %d index %v, Mean100 %v", q.Question, q.Index, q.Mean100)
		}
	}
}

// The battery's alpha comes from exact integer sums over packed answers; it
// must be the figure Cronbach computes from the complete cases' rows.
func TestElementAlphaAgreesWithCronbach(t *testing.T) {
	random := rand.New(rand.NewPCG(7, 7))
	for trial := range 200 {
		n, k := 2+random.IntN(300), 2+random.IntN(5)
		answers := Answers{Questions: k + 1}
		var rows [][]float64
		for range n {
			row := make([]uint8, k+1)
			complete := true
			for j := range row {
				// Mostly agreeable citizens, some "not applicable".
				row[j] = uint8(min(5, 3+random.IntN(4)))
				if random.IntN(10) == 0 {
					row[j] = 0
				}
				if j < k && row[j] == 0 {
					complete = false
				}
			}
			answers.Packed = append(answers.Packed, row...)
			if complete {
				values := make([]float64, k)
				for j := range k {
					values[j] = float64(row[j])
				}
				rows = append(rows, values)
			}
		}
		questions := make([]int, k)
		for j := range questions {
			questions[j] = j
		}
		alpha, cases := elementAlpha(answers, questions)
		if cases != len(rows) {
			t.Fatalf("trial %d: %d complete cases, want %d", trial, cases, len(rows))
		}
		want, err := Cronbach(rows)
		if err != nil {
			if !math.IsNaN(alpha) {
				t.Errorf("trial %d: alpha %v where Cronbach says %v", trial, alpha, err)
			}
			continue
		}
		if math.Abs(alpha-want.Alpha) > 1e-13*math.Max(1, math.Abs(want.Alpha)) {
			t.Errorf("trial %d: alpha %.17g, Cronbach %.17g", trial, alpha, want.Alpha)
		}
	}
}

func TestBinomialUpperTail(t *testing.T) {
	// P(K ≥ 3) for Binomial(5, 0.5) = 16/32.
	if got := BinomialUpperTail(3, 5, 0.5); math.Abs(got-0.5) > 1e-14 {
		t.Errorf("P(K ≥ 3 | 5, ½) = %v, want 0.5", got)
	}
	// P(K ≥ 10 | 10, 0.3) = 0.3^10.
	if got := BinomialUpperTail(10, 10, 0.3); math.Abs(got-math.Pow(0.3, 10))/math.Pow(0.3, 10) > 1e-12 {
		t.Errorf("P(K ≥ 10 | 10, 0.3) = %v", got)
	}
	if BinomialUpperTail(0, 4, 0.2) != 1 || BinomialUpperTail(5, 4, 0.2) != 0 || !math.IsNaN(BinomialUpperTail(1, 4, 2)) {
		t.Error("edge cases")
	}
}
