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
