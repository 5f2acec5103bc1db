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
