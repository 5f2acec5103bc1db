package survey_test

import (
	"testing"

	"parindex/stats/statstest"
	"parindex/survey"
)

func TestCombineWeightsUnitsNotAnswers(t *testing.T) {
	v := statstest.Load(t).Stratified
	units := []survey.UnitFigure{{"A", v.Rates[0], v.Samples[0]}, {"B", v.Rates[1], v.Samples[1]}}
	c, err := survey.Combine(units, map[string]float64{"A": v.Population[0], "B": v.Population[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !near(c.Index, v.Estimate) || !near(c.SE, v.SE) || c.Weighting != survey.WeightTransactions || c.Units != 2 {
		t.Errorf("combined = %+v, want %v ± %v by transactions", c, v.Estimate, v.SE)
	}
	// One unknown transaction count: equal weights, and it says so.
	eq, _ := survey.Combine(units, map[string]float64{"A": 3000})
	if eq.Weighting != survey.WeightEqual || !near(eq.Index, (v.Rates[0]+v.Rates[1])/2) {
		t.Errorf("equal weighting = %+v", eq)
	}
	// Simpson: a busy office sampled lightly and a quiet one sampled
	// heavily. Weighting by transactions gives 0.9·0.9 + 0.1·0.5 = 0.86;
	// pooling the answers would have given (9 + 500) / 1010 ≈ 0.50.
	s, _ := survey.Combine([]survey.UnitFigure{{"busy", 0.9, 10}, {"quiet", 0.5, 1000}}, map[string]float64{"busy": 900, "quiet": 100})
	if !near(s.Index, 0.86) {
		t.Errorf("Simpson case = %v, want 0.86", s.Index)
	}
}

func TestCompareAndPlan(t *testing.T) {
	v := statstest.Load(t)
	for _, tp := range v.TwoProportions {
		c, err := survey.Compare(tp.A[0], tp.A[1], tp.B[0], tp.B[1])
		if err != nil {
			t.Fatal(err)
		}
		if !near(c.Diff, tp.Diff) || !near(c.PValue, tp.PValue) || !near(float64(c.CI95[0]), tp.Newcombe95[0]) || !near(float64(c.CI95[1]), tp.Newcombe95[1]) {
			t.Errorf("compare %v vs %v = %+v", tp.A, tp.B, c)
		}
		if c.Significant != (tp.Newcombe95[0] > 0 || tp.Newcombe95[1] < 0) {
			t.Errorf("significance of %v vs %v = %v", tp.A, tp.B, c.Significant)
		}
	}
	for _, y := range v.YamaneE05 {
		p, err := survey.PlanSample(y.Population, 100)
		if err != nil || p.Needed != y.SampleSize || p.Short != max(0, y.SampleSize-100) {
			t.Errorf("plan for N=%d: %+v, %v; want %d", y.Population, p, err, y.SampleSize)
		}
	}
}

func TestFunnelLimits(t *testing.T) {
	f := survey.FunnelData([]survey.UnitFigure{
		{"big-low", 0.70, 2000},
		{"big-mid", 0.81, 2000},
		{"small-low", 0.60, 12},
		{"none", 0.5, 0},
	})
	// Center = (0.70·2000 + 0.81·2000 + 0.60·12) / 4012.
	if !near(f.Center, (0.70*2000+0.81*2000+0.60*12)/4012) || len(f.Points) != 3 {
		t.Fatalf("funnel = %+v", f)
	}
	byUnit := map[string]survey.FunnelPoint{}
	for _, p := range f.Points {
		byUnit[p.Unit] = p
	}
	// With 12 answers a rate of 0.60 is within the 99.8% limits (about
	// ±0.34); with 2000, 0.70 is far outside (limits about ±0.03).
	if byUnit["small-low"].Outside998 || !byUnit["big-low"].Outside998 || !byUnit["big-low"].Outside95 {
		t.Errorf("points = %+v", f.Points)
	}
	if f.Points[0].Unit != "small-low" {
		t.Errorf("points not ordered by n: %+v", f.Points)
	}
}
