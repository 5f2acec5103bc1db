package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"parindex/criteria"
)

// The method mixes of the synthetic frameworks. Each is a cycle of method
// kinds (see syntheticLeaf) repeated over the 150 leaves.
var (
	// evenMix gives every kind the same share: 15 formula leaves, 30 survey.
	evenMix = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	// referenceMix follows roughly the proportions of
	// province-departments-2026 (38 leaves: 6 assessed, 4 boolean, 14 ratio,
	// 5 tiers, 2 relative, 1 count, 1 formula, 6 survey): over 150 leaves,
	// 25 assessed, 16 boolean, 63 ratio, 15 tiers, 9 relative, 3 count,
	// 3 formula, 16 survey (TestSyntheticFramework logs the counts).
	referenceMix = []int{
		0, 2, 1, 3, 4, 2, 8, 0, 2, 5, 3, 1, 2, 8, 4, 0, 3, 2, 6, 9, 2, 0, 3, 1, 4, 2, 8, 0, 3, 2,
		0, 2, 1, 3, 4, 2, 8, 0, 2, 5, 3, 1, 2, 8, 4, 0, 3, 2, 7, 9, 2, 0, 3, 1, 4, 2, 8, 0, 3, 2,
		0, 2, 1, 3, 4, 2, 8, 0, 2, 5, 3, 1, 2, 8, 4, 0, 3, 2, 6, 9, 2, 0, 3, 1, 4, 2, 8, 0, 3, 2,
		0, 2, 1, 3, 4, 2, 8, 0, 2, 5, 3, 1, 2, 8, 4, 0, 3, 2, 7, 9, 2, 0, 3, 1, 4, 2, 1, 0, 3, 2,
		0, 2, 1, 3, 4, 2, 6, 0, 2, 5, 3, 1, 2, 7, 4, 0, 3, 2, 5, 9, 2, 0, 3, 1, 4, 2, 5, 0, 5, 5,
	}
)

// syntheticFramework writes a framework of 10 areas × 3 criteria × 5
// sub-criteria = 150 scored leaves whose methods follow mix (with both
// missing policies and every option), plus a bonus and a penalty.
func syntheticFramework(t testing.TB, mix []int) *criteria.Framework {
	t.Helper()
	var b strings.Builder
	b.WriteString("code: synthetic-150\nname: Tổng hợp\nyear: 2026\nagency_types: [department]\nrounding: 2\ncap_index: 100\n")
	b.WriteString("bands:\n  - {code: A, name: Tốt, min: 90}\n  - {code: B, name: Khá, min: 80}\n  - {code: C, name: Trung bình, min: 70}\n  - {code: D, name: Yếu, min: 0}\nnodes:\n")
	leaf := 0
	for area := 1; area <= 10; area++ {
		fmt.Fprintf(&b, "  - code: \"%d\"\n    name: Lĩnh vực %d\n    children:\n", area, area)
		for crit := 1; crit <= 3; crit++ {
			fmt.Fprintf(&b, "      - code: \"%d.%d\"\n        name: Tiêu chí %d.%d\n        children:\n", area, crit, area, crit)
			for sub := 1; sub <= 5; sub++ {
				code := fmt.Sprintf("%d.%d.%d", area, crit, sub)
				max := 0.25 * float64(2+leaf%7)
				fmt.Fprintf(&b, "          - {code: \"%s\", name: Tiêu chí %s, max: %g, %s}\n", code, code, max, syntheticLeaf(mix[leaf%len(mix)], leaf, max))
				leaf++
			}
		}
	}
	b.WriteString("  - code: \"T\"\n    name: Thưởng, trừ\n    adjustment: true\n    children:\n")
	b.WriteString("      - {code: \"T.1\", name: Thưởng, method: bonus, cap: 2}\n      - {code: \"T.2\", name: Trừ, method: penalty, cap: 3}\n")
	f, _, err := criteria.Parse("synthetic.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("synthetic framework: %v", err)
	}
	return f
}

// syntheticLeaf writes the method part of leaf number leaf, of kind 0–9.
func syntheticLeaf(kind, leaf int, max float64) string {
	m := fmt.Sprintf("m%d", leaf%40)
	d := fmt.Sprintf("d%d", leaf%25)
	switch kind {
	case 0:
		return "method: assessed"
	case 1:
		return "method: boolean"
	case 2:
		return fmt.Sprintf("method: ratio, numerator: %s, denominator: %s", m, d)
	case 3:
		return fmt.Sprintf("method: ratio, numerator: %s, denominator: %s, target: 0.8, missing: exclude", m, d)
	case 4:
		return fmt.Sprintf("method: tiers, numerator: %s, denominator: %s, tiers: [{min: 0.95, points: %g}, {min: 0.8, points: %g}, {min: 0, points: 0}]", m, d, max, max/2)
	case 5:
		return fmt.Sprintf("method: relative, numerator: %s, denominator: %s", m, d)
	case 6:
		return fmt.Sprintf("method: count, metric: %s, per_unit: 0.25", m)
	case 7:
		return fmt.Sprintf("method: formula, formula: \"max * min(1, %s / (%s + 1))\"", m, d)
	case 8:
		return fmt.Sprintf("method: survey, instrument: sipas-2026, element: %s", []string{"access", "procedure", "civil_servant", "result", "feedback"}[leaf%5])
	default:
		return "method: survey, instrument: sipas-2026, measure: mean100, missing: exclude"
	}
}

// randomInputs makes n agencies of valid but varied inputs for any
// framework: values at and beyond the edges (0, max, numerators above
// denominators, zero denominators), absent inputs and not-applicable
// nodes, all from a fixed seed.
func randomInputs(f *criteria.Framework, n int, seed uint64) Inputs {
	random := rand.New(rand.NewPCG(seed, 0x5eed))
	all := f.All()
	var in Inputs
	for k := range n {
		a := AgencyInput{Code: fmt.Sprintf("A%04d", k), Name: fmt.Sprintf("Đơn vị %d", k),
			Points: map[string]float64{}, Answers: map[string]bool{}, Metrics: map[string]float64{},
			Survey: map[string]map[string]SurveyValue{}}
		quality := random.Float64()
		for _, m := range f.Metrics() {
			switch r := random.Float64(); {
			case r < 0.03: // absent
			case r < 0.06:
				a.Metrics[m] = 0
			default:
				a.Metrics[m] = math.Floor(random.Float64() * 1000 * (0.5 + quality))
			}
		}
		na := map[string]bool{}
		if random.Float64() < 0.3 {
			code := all[random.IntN(len(all))].Code
			a.NotApplicable = append(a.NotApplicable, code)
			for _, node := range f.Path(code) {
				na[node.Code] = true
			}
			// Everything under code is not applicable too.
			var mark func(*criteria.Node)
			mark = func(nd *criteria.Node) {
				na[nd.Code] = true
				for _, c := range nd.Children {
					mark(c)
				}
			}
			mark(f.Find(code))
		}
		for _, leaf := range f.Leaves() {
			if na[leaf.Code] || random.Float64() < 0.05 {
				continue // not applicable, or no input
			}
			max := leaf.MaxPoints()
			switch leaf.Method {
			case criteria.MethodAssessed:
				step := leaf.InputStep()
				steps := math.Floor(max/step + 1e-9)
				v := step * math.Floor(random.Float64()*(steps+1)*math.Min(1, quality+0.3))
				if random.Float64() < 0.1 {
					v = max
				}
				a.Points[leaf.Code] = math.Min(v, max)
			case criteria.MethodBoolean:
				a.Answers[leaf.Code] = random.Float64() < quality+0.2
			case criteria.MethodBonus, criteria.MethodPenalty:
				if random.Float64() < 0.3 {
					a.Points[leaf.Code] = math.Floor(random.Float64()*2*leaf.Cap*4) / 4
				}
			case criteria.MethodSurvey:
				key := leaf.Element
				if key == "" {
					key = leaf.Question
				}
				if key == "" {
					key = Overall
				}
				values := a.Survey[leaf.Instrument]
				if values == nil {
					values = map[string]SurveyValue{}
					a.Survey[leaf.Instrument] = values
				}
				sv := values[key]
				p := math.Min(1, math.Max(0, quality*0.5+0.5+random.NormFloat64()*0.05))
				switch r := random.Float64(); {
				case r < 0.05:
					p = 1
				case r < 0.07:
					p = 0
				}
				if leaf.SurveyMeasure() == criteria.MeasureMean100 {
					sv.Mean100 = f64(p * 100)
				} else {
					sv.Satisfaction = f64(p)
				}
				if random.Float64() < 0.9 {
					sv.N = 10 + random.IntN(400)
				}
				values[key] = sv
			}
		}
		in.Agencies = append(in.Agencies, a)
	}
	return in
}

func TestSyntheticFramework(t *testing.T) {
	for name, mix := range map[string][]int{"even": evenMix, "reference": referenceMix} {
		f := syntheticFramework(t, mix)
		counts := map[criteria.Method]int{}
		for _, l := range f.Leaves() {
			if !l.Method.IsAdjustment() {
				counts[l.Method]++
			}
		}
		total := 0
		for _, m := range criteria.Methods {
			total += counts[m]
			if !m.IsAdjustment() && counts[m] == 0 {
				t.Errorf("%s mix has no %s leaf", name, m)
			}
		}
		if total != 150 {
			t.Errorf("%s mix: %d scored leaves, want 150", name, total)
		}
		t.Logf("%s mix: %v", name, counts)
	}
}
