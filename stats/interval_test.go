package stats

import (
	"math"
	"testing"
)

// At the switch-over (DefaultLinearizationFrom respondents) the bootstrap's
// variance and the linearized one must give the same intervals, so that a
// unit crossing the threshold does not see its interval jump: here within
// 10% of the half-width (the Monte Carlo error of 2,000 replicates' variance
// is about 3%, of its square root 1.6%) and 0.5 points at either end.
func TestVarianceSourcesAgreeAtSwitchOver(t *testing.T) {
	population, elements := syntheticPopulation(DefaultLinearizationFrom, 3)
	for _, rule := range []AggregationRule{RuleSatisfaction, RuleMean100} {
		boot, err := AggregateBattery(population, elements, BatteryOptions{Rule: rule, Seed: 1, LinearizationFrom: DefaultLinearizationFrom + 1})
		if err != nil {
			t.Fatal(err)
		}
		lin, err := AggregateBattery(population, elements, BatteryOptions{Rule: rule, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if boot.VarianceSource != VarianceBootstrap || lin.VarianceSource != VarianceLinearization {
			t.Fatalf("variance sources %q and %q", boot.VarianceSource, lin.VarianceSource)
		}
		compare := func(name string, bLo, bHi, lLo, lHi, bSE, lSE float64) {
			t.Logf("%s %-7s bootstrap [%.4f, %.4f] se %.5f · linearization [%.4f, %.4f] se %.5f", rule, name, bLo, bHi, bSE, lLo, lHi, lSE)
			halfB, halfL := (bHi-bLo)/2, (lHi-lLo)/2
			if math.Abs(halfB-halfL) > 0.10*halfL || math.Abs(bLo-lLo) > 0.005 || math.Abs(bHi-lHi) > 0.005 {
				t.Errorf("%s %s: bootstrap [%v, %v], linearization [%v, %v]", rule, name, bLo, bHi, lLo, lHi)
			}
		}
		for e := range elements {
			b, l := boot.Elements[e], lin.Elements[e]
			compare(elements[e].Name, b.Low, b.High, l.Low, l.High, b.SE, l.SE)
		}
		compare("overall", boot.OverallLow, boot.OverallHigh, lin.OverallLow, lin.OverallHigh, boot.OverallSE, lin.OverallSE)
	}
}

func TestScoreInterval(t *testing.T) {
	// With a whole n it is Wilson's interval.
	for _, c := range [][2]int{{45, 50}, {0, 20}, {20, 20}, {160, 200}} {
		lo, hi := ScoreInterval(float64(c[0])/float64(c[1]), float64(c[1]), Z95)
		wlo, whi := Wilson(c[0], c[1], Z95)
		if math.Abs(lo-wlo) > 1e-15 || math.Abs(hi-whi) > 1e-15 {
			t.Errorf("%d/%d: (%v, %v), Wilson (%v, %v)", c[0], c[1], lo, hi, wlo, whi)
		}
	}
	if lo, hi := ScoreInterval(0.7, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("n = 0: (%v, %v)", lo, hi)
	}
	if lo, hi := ScoreInterval(1, 3.5, Z95); hi != 1 || !(lo > 0 && lo < 1) {
		t.Errorf("p = 1, n = 3.5: (%v, %v)", lo, hi)
	}
	if lo, _ := ScoreInterval(1.2, 3, Z95); !math.IsNaN(lo) {
		t.Error("p > 1 must give NaN")
	}
}

// One form, or identical forms, never give a zero-width interval.
func TestScoreIntervalsNeverCollapse(t *testing.T) {
	elements := []BatteryElement{{Name: "E1", Questions: []int{0, 1, 2}}, {Name: "E2", Questions: []int{3, 4}}}
	for _, rows := range [][][]int{
		{{5, 5, 5, 5, 5}},
		{{5, 5, 5, 5, 5}, {5, 5, 5, 5, 5}},
		{{4, 4, 2, 5, 3}, {4, 4, 2, 5, 3}, {4, 4, 2, 5, 3}, {4, 4, 2, 5, 3}, {4, 4, 2, 5, 3}, {4, 4, 2, 5, 3}},
	} {
		for _, from := range []int{0, -1} {
			result, err := AggregateBattery(rows, elements, BatteryOptions{LinearizationFrom: from})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range result.Elements {
				if !(e.High > e.Low) {
					t.Errorf("%d forms, element %s: [%v, %v]", len(rows), e.Name, e.Low, e.High)
				}
			}
			if !(result.OverallHigh > result.OverallLow) {
				t.Errorf("%d forms, overall [%v, %v]", len(rows), result.OverallLow, result.OverallHigh)
			}
			if len(rows) == 1 && (result.OverallLow != 0 || result.OverallHigh != 1) {
				t.Errorf("one form: overall [%v, %v], want [0, 1]", result.OverallLow, result.OverallHigh)
			}
		}
	}
}

// The threshold score interval is Wilson's on n when there is no design
// effect; with one, it leans toward the centre (wider there, narrower
// toward the nearer end than Wilson's on the same effective size), mirrors
// at ½, and keeps Wilson's conventions at n = 0 and at the ends.
func TestThresholdScoreInterval(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, p := range []float64{0.3, 0.8, 0.97} {
		wlo, whi := ScoreInterval(p, 50, Z95)
		if lo, hi := thresholdScoreInterval(p, 50, 50, Z95); !near(lo, wlo) || !near(hi, whi) {
			t.Errorf("share %v, no design effect: [%v, %v], Wilson [%v, %v]", p, lo, hi, wlo, whi)
		}
		// Design effect 4: 200 answers worth 50.
		lo, hi := thresholdScoreInterval(p, 50, 200, Z95)
		towardCentre, towardEnd := p-lo, hi-p
		wCentre, wEnd := p-wlo, whi-p
		if p < 0.5 {
			towardCentre, towardEnd, wCentre, wEnd = hi-p, p-lo, whi-p, p-wlo
		}
		if !(towardCentre > wCentre && towardEnd < wEnd) {
			t.Errorf("share %v: [%v, %v] against Wilson's [%v, %v] does not lean toward the centre", p, lo, hi, wlo, whi)
		}
		mlo, mhi := thresholdScoreInterval(1-p, 50, 200, Z95)
		if !near(mlo, 1-hi) || !near(mhi, 1-lo) {
			t.Errorf("share %v: [%v, %v], its mirror [%v, %v]", p, lo, hi, mlo, mhi)
		}
		if !(lo < p && p < hi) {
			t.Errorf("share %v: [%v, %v] misses it", p, lo, hi)
		}
	}
	if lo, hi := thresholdScoreInterval(0.9, 0, 100, Z95); lo != 0 || hi != 1 {
		t.Errorf("n = 0: [%v, %v]", lo, hi)
	}
	if lo, hi := thresholdScoreInterval(1, 20, 100, Z95); hi != 1 || !(lo < 1) {
		t.Errorf("index 1: [%v, %v]", lo, hi)
	}
}

// The degrees of freedom of a variance come from its values' fourth
// moment: m − 1 for values no more peaked than normal, fewer when a few
// large values carry the variance, never below 1.
func TestVarianceDegrees(t *testing.T) {
	// Three influences of −9 and twenty-seven of +1 (mean zero): Σu² = 270,
	// Σu⁴ = 19,710, κ = 30·19,710/270² = 8.111, κ − 27/29 = 7.180,
	// 2·30/7.180 = 8.36: 8 degrees of freedom, not 29.
	var few []float64
	for i := range 30 {
		few = append(few, map[bool]float64{true: -9, false: 1}[i < 3])
	}
	// Fifteen of −1 and fifteen of +1: κ = 1, flatter than normal: 29.
	var flat []float64
	for i := range 30 {
		flat = append(flat, float64(1-2*(i%2)))
	}
	sums := func(u []float64) (squares, fourth float64) {
		for _, v := range u {
			squares += v * v
			fourth += v * v * v * v
		}
		return squares, fourth
	}
	for _, c := range []struct {
		name   string
		values []float64
		want   int
	}{{"three large of thirty", few, 8}, {"flat", flat, 29}, {"all zero", make([]float64, 30), 29}, {"one value", []float64{0}, 0}} {
		squares, fourth := sums(c.values)
		if got := varianceDegrees(len(c.values), squares, fourth); got != c.want {
			t.Errorf("%s: %d degrees of freedom, want %d", c.name, got, c.want)
		}
	}
	// One influence carrying everything of a thousand: κ = 1,000, and
	// 2,000/(1,000 − 997/999) = 2.002.
	if got := varianceDegrees(1000, 1e6, 1e12); got != 2 {
		t.Errorf("one influence carrying everything: %d degrees of freedom, want 2", got)
	}
}

// Fewer degrees of freedom widen only the end toward the centre, never
// beyond the interval of perfect correlation, and change nothing at ½.
func TestIndexIntervalWidensTowardTheCentre(t *testing.T) {
	base := indexPrecision{variance: 0.0004, respondents: 30, minimumN: 30, maximumN: 660, binomialN: 660}
	for _, rule := range []AggregationRule{RuleSatisfaction, RuleMean100} {
		for _, index := range []float64{0.97, 0.8, 0.2, 0.5} {
			full := base
			full.varianceDF = 29
			few := base
			few.varianceDF = 4
			lo, hi, n := indexInterval(index, full, rule, 0.95)
			fLo, fHi, fN := indexInterval(index, few, rule, 0.95)
			if fN != n {
				t.Errorf("%s %v: effective size %v with 4 degrees of freedom, %v with 29: it is the far end's and must not change", rule, index, fN, n)
			}
			switch {
			case index > 0.5:
				if !(fLo < lo) || fHi != hi {
					t.Errorf("%s %v: [%v, %v] with 4 degrees of freedom, [%v, %v] with 29: want a lower low end and the same high one", rule, index, fLo, fHi, lo, hi)
				}
			case index < 0.5:
				if !(fHi > hi) || fLo != lo {
					t.Errorf("%s %v: [%v, %v] with 4 degrees of freedom, [%v, %v] with 29: want a higher high end and the same low one", rule, index, fLo, fHi, lo, hi)
				}
			default:
				if fLo != lo || fHi != hi {
					t.Errorf("%s ½: [%v, %v] with 4 degrees of freedom, [%v, %v] with 29: want the same", rule, fLo, fHi, lo, hi)
				}
			}
			// One degree of freedom would make the effective size tiny; the
			// end stops at the perfect-correlation interval's.
			one := base
			one.varianceDF = 1
			widest := indexPrecision{variance: math.NaN(), respondents: 30, minimumN: 30, maximumN: 30, binomialN: 660}
			oLo, oHi, _ := indexInterval(index, one, rule, 0.95)
			wLo, wHi, _ := indexInterval(index, widest, rule, 0.95)
			if index > 0.5 && oLo != wLo || index < 0.5 && oHi != wHi {
				t.Errorf("%s %v: [%v, %v] with one degree of freedom, the perfect-correlation interval is [%v, %v]", rule, index, oLo, oHi, wLo, wHi)
			}
		}
	}
}
