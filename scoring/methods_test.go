package scoring

import (
	"slices"
	"strings"
	"testing"
)

// methodFramework puts one leaf, 1.1, under area 1 beside a boolean leaf 1.9
// (max 1), so that the framework keeps a maximum when 1.1 is excluded.
func methodFramework(leaf string) string {
	return "  - code: \"1\"\n    name: Lĩnh vực\n    children:\n      - " + leaf +
		"\n      - {code: \"1.9\", name: Khác, max: 1, method: boolean}\n"
}

func TestMethods(t *testing.T) {
	const (
		assessed        = `{code: "1.1", name: Chấm, max: 1.5, method: assessed}`
		assessedExclude = `{code: "1.1", name: Chấm, max: 1.5, method: assessed, missing: exclude}`
		boolean         = `{code: "1.1", name: Có không, max: 2, method: boolean}`
		ratio           = `{code: "1.1", name: Tỷ lệ, max: 2.5, method: ratio, numerator: done, denominator: total}`
		ratio08         = `{code: "1.1", name: Tỷ lệ, max: 2, method: ratio, numerator: done, denominator: total, target: 0.8}`
		tiers           = `{code: "1.1", name: Bậc, max: 4, method: tiers, numerator: done, denominator: total, tiers: [{min: 0.98, points: 4}, {min: 0.95, points: 3}, {min: 0.9, points: 2}, {min: 0.8, points: 1}, {min: 0, points: 0}]}`
		relative        = `{code: "1.1", name: So sánh, max: 2, method: relative, numerator: done, denominator: total}`
		count           = `{code: "1.1", name: Đếm, max: 1.5, method: count, metric: items, per_unit: 0.5}`
		formula         = `{code: "1.1", name: Công thức, max: 2, method: formula, formula: "max * done / total"}`
		minus           = `{code: "1.1", name: Công thức, max: 2, method: formula, formula: "done - total"}`
		survey          = `{code: "1.1", name: Khảo sát, max: 5, method: survey, instrument: sipas-2026, element: access}`
		mean100         = `{code: "1.1", name: Khảo sát, max: 4, method: survey, instrument: sipas-2026, measure: mean100}`
		question        = `{code: "1.1", name: Khảo sát, max: 3, method: survey, instrument: sipas-2026, question: A1}`
	)
	sipas := func(key string, v SurveyValue) map[string]map[string]SurveyValue {
		return map[string]map[string]SurveyValue{"sipas-2026": {key: v}}
	}
	x := func(in AgencyInput) AgencyInput { in.Code = "X"; return in }
	bestRate := func(want float64) func(t *testing.T, n NodeResult) {
		return func(t *testing.T, n NodeResult) {
			if n.Inputs.BestRate != want {
				t.Errorf("best rate = %v, want %v", n.Inputs.BestRate, want)
			}
		}
	}
	tests := []struct {
		name     string
		leaf     string
		agencies []AgencyInput // the first is checked; the others are its peers
		points   float64
		max      float64
		status   NodeStatus
		check    func(t *testing.T, n NodeResult)
	}{
		// assessed: the points entered, 0 ≤ p ≤ max.
		{"assessed 0", assessed, []AgencyInput{x(AgencyInput{Points: metrics("1.1", 0)})}, 0, 1.5, StatusScored, nil},
		{"assessed max", assessed, []AgencyInput{x(AgencyInput{Points: metrics("1.1", 1.5)})}, 1.5, 1.5, StatusScored, nil},
		{"assessed 1.25", assessed, []AgencyInput{x(AgencyInput{Points: metrics("1.1", 1.25)})}, 1.25, 1.5, StatusScored, nil},
		// missing under zero: 0 points, the max stays (1.5).
		{"assessed missing zero", assessed, []AgencyInput{x(AgencyInput{})}, 0, 1.5, StatusMissing, nil},
		// missing under exclude: the max leaves (0).
		{"assessed missing exclude", assessedExclude, []AgencyInput{x(AgencyInput{})}, 0, 0, StatusExcluded, nil},

		// boolean: yes → max (2), no → 0.
		{"boolean yes", boolean, []AgencyInput{x(AgencyInput{Answers: map[string]bool{"1.1": true}})}, 2, 2, StatusScored, nil},
		{"boolean no", boolean, []AgencyInput{x(AgencyInput{Answers: map[string]bool{"1.1": false}})}, 0, 2, StatusScored, nil},
		{"boolean missing", boolean, []AgencyInput{x(AgencyInput{})}, 0, 2, StatusMissing, nil},

		// ratio: max × min(1, rate ÷ target).
		// 0/10 = 0 → 0.
		{"ratio 0", ratio, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 0, "total", 10)})}, 0, 2.5, StatusScored, nil},
		// 9/10 = 0.9 → 2.5 × 0.9 = 2.25.
		{"ratio 0.9", ratio, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 9, "total", 10)})}, 2.25, 2.5, StatusScored, nil},
		// 12/10 = 1.2 → min(1, 1.2) = 1 → 2.5 (a rate above 1 earns no more than max).
		{"ratio above 1", ratio, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 12, "total", 10)})}, 2.5, 2.5, StatusScored, nil},
		// target 0.8: 8/10 = 0.8 → 0.8 ÷ 0.8 = 1 → 2 exactly on the target.
		{"ratio on target", ratio08, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 8, "total", 10)})}, 2, 2, StatusScored, nil},
		// target 0.8: 9/10 → min(1, 1.125) → 2 above the target.
		{"ratio above target", ratio08, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 9, "total", 10)})}, 2, 2, StatusScored, nil},
		// target 0.8: 6/10 = 0.6 → 0.6 ÷ 0.8 = 0.75 → 2 × 0.75 = 1.5.
		{"ratio below target", ratio08, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 6, "total", 10)})}, 1.5, 2, StatusScored, nil},
		// denominator 0: undefined rate → missing (zero policy: max stays).
		{"ratio denominator 0", ratio, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 0, "total", 0)})}, 0, 2.5, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if !strings.Contains(reasonEN(n), "denominator total is 0") || reasonVI(n) == "" {
					t.Errorf("reason = %q / %q", reasonEN(n), reasonVI(n))
				}
			}},
		{"ratio numerator absent", ratio, []AgencyInput{x(AgencyInput{Metrics: metrics("total", 10)})}, 0, 2.5, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if reasonEN(n) != "metric done has no value" {
					t.Errorf("reason = %q", reasonEN(n))
				}
			}},
		{"ratio both absent", ratio, []AgencyInput{x(AgencyInput{})}, 0, 2.5, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if reasonEN(n) != "metrics done, total have no value" {
					t.Errorf("reason = %q", reasonEN(n))
				}
			}},

		// tiers: the first tier, highest first, whose min the rate reaches.
		// 98/100 = 0.98 exactly on the top bound → 4.
		{"tiers on bound", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 98, "total", 100)})}, 4, 4, StatusScored,
			func(t *testing.T, n NodeResult) {
				if n.Inputs.TierMin != 0.98 || n.Inputs.Rate != 0.98 {
					t.Errorf("tier hit = %v at rate %v", n.Inputs.TierMin, n.Inputs.Rate)
				}
			}},
		// 9799/10000 = 0.9799, just under 0.98 → the 0.95 tier, 3.
		{"tiers just under", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 9799, "total", 10000)})}, 3, 4, StatusScored, nil},
		// 90/100 = 0.9 exactly → 2.
		{"tiers 0.9 bound", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 90, "total", 100)})}, 2, 4, StatusScored, nil},
		// 0/50 = 0 → the floor tier, 0 points, still scored.
		{"tiers 0", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 0, "total", 50)})}, 0, 4, StatusScored, nil},
		// 5/5 = 1 → 4.
		{"tiers all", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 5, "total", 5)})}, 4, 4, StatusScored, nil},
		{"tiers denominator 0", tiers, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 0, "total", 0)})}, 0, 4, StatusMissing, nil},

		// relative: rate ÷ best rate × max among the agencies scored together.
		// X 25/100 = 0.25, Y 50/100 = 0.5 (best) → 0.25 ÷ 0.5 × 2 = 1.
		{"relative half of best", relative, []AgencyInput{
			x(AgencyInput{Metrics: metrics("done", 25, "total", 100)}),
			{Code: "Y", Metrics: metrics("done", 50, "total", 100)},
		}, 1, 2, StatusScored, bestRate(0.5)},
		// X is the best (0.6); Y has no data and Z does not apply: neither
		// counts (Z's 0.9 is not the best rate) → 2.
		{"relative best", relative, []AgencyInput{
			x(AgencyInput{Metrics: metrics("done", 60, "total", 100)}),
			{Code: "Y", Metrics: metrics("total", 100)},
			{Code: "Z", Metrics: metrics("done", 90, "total", 100), NotApplicable: []string{"1.1"}},
		}, 2, 2, StatusScored, bestRate(0.6)},
		// Every agency at 0: the best rate is 0 → 0 points, scored (not missing).
		{"relative best 0", relative, []AgencyInput{
			x(AgencyInput{Metrics: metrics("done", 0, "total", 100)}),
			{Code: "Y", Metrics: metrics("done", 0, "total", 40)},
		}, 0, 2, StatusScored, bestRate(0)},
		{"relative denominator 0", relative, []AgencyInput{
			x(AgencyInput{Metrics: metrics("done", 0, "total", 0)}),
			{Code: "Y", Metrics: metrics("done", 3, "total", 4)},
		}, 0, 2, StatusMissing, nil},

		// count: min(max, metric × per_unit).
		{"count 0", count, []AgencyInput{x(AgencyInput{Metrics: metrics("items", 0)})}, 0, 1.5, StatusScored, nil},
		// 2 × 0.5 = 1.
		{"count 2", count, []AgencyInput{x(AgencyInput{Metrics: metrics("items", 2)})}, 1, 1.5, StatusScored, nil},
		// 3 × 0.5 = 1.5, exactly max.
		{"count at max", count, []AgencyInput{x(AgencyInput{Metrics: metrics("items", 3)})}, 1.5, 1.5, StatusScored, nil},
		// 7 × 0.5 = 3.5 → capped at 1.5.
		{"count above max", count, []AgencyInput{x(AgencyInput{Metrics: metrics("items", 7)})}, 1.5, 1.5, StatusScored, nil},
		{"count missing", count, []AgencyInput{x(AgencyInput{})}, 0, 1.5, StatusMissing, nil},

		// formula: the value clamped to [0, max].
		// 2 × 1 / 4 = 0.5.
		{"formula", formula, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 1, "total", 4)})}, 0.5, 2, StatusScored,
			func(t *testing.T, n NodeResult) {
				if n.Inputs.Value != 0.5 || n.Inputs.Capped || n.Inputs.Metrics["done"] != 1 || n.Inputs.Metrics["total"] != 4 {
					t.Errorf("inputs = %+v", n.Inputs)
				}
			}},
		// 2 × 8 / 4 = 4 → clamped to 2.
		{"formula above max", formula, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 8, "total", 4)})}, 2, 2, StatusScored,
			func(t *testing.T, n NodeResult) {
				if n.Inputs.Value != 4 || !n.Inputs.Capped {
					t.Errorf("inputs = %+v", n.Inputs)
				}
			}},
		// 1 − 4 = −3 → clamped to 0.
		{"formula below 0", minus, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 1, "total", 4)})}, 0, 2, StatusScored, nil},
		// division by zero → missing.
		{"formula divides by 0", formula, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 1, "total", 0)})}, 0, 2, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if !strings.Contains(reasonEN(n), "divides by zero") {
					t.Errorf("reason = %q", reasonEN(n))
				}
			}},
		{"formula metric absent", formula, []AgencyInput{x(AgencyInput{Metrics: metrics("done", 1)})}, 0, 2, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if reasonEN(n) != "metric total has no value" {
					t.Errorf("reason = %q", reasonEN(n))
				}
			}},

		// survey: max × value.
		// 5 × 0.84 = 4.2.
		{"survey satisfaction", survey, []AgencyInput{x(AgencyInput{Survey: sipas("access", SurveyValue{Satisfaction: f64(0.84), N: 120})})}, 4.2, 5, StatusScored,
			func(t *testing.T, n NodeResult) {
				if n.Inputs.Value != 0.84 || n.Inputs.N != 120 {
					t.Errorf("inputs = %+v", n.Inputs)
				}
			}},
		{"survey 0", survey, []AgencyInput{x(AgencyInput{Survey: sipas("access", SurveyValue{Satisfaction: f64(0)})})}, 0, 5, StatusScored, nil},
		{"survey 1", survey, []AgencyInput{x(AgencyInput{Survey: sipas("access", SurveyValue{Satisfaction: f64(1)})})}, 5, 5, StatusScored, nil},
		// mean100 77.5 on the overall index: 4 × 77.5 ÷ 100 = 3.1.
		{"survey mean100 overall", mean100, []AgencyInput{x(AgencyInput{Survey: sipas("overall", SurveyValue{Mean100: f64(77.5)})})}, 3.1, 4, StatusScored, nil},
		// A question: 3 × 0.5 = 1.5.
		{"survey question", question, []AgencyInput{x(AgencyInput{Survey: sipas("A1", SurveyValue{Satisfaction: f64(0.5)})})}, 1.5, 3, StatusScored, nil},
		// The element has only mean100 but the leaf reads satisfaction: no input.
		{"survey measure absent", survey, []AgencyInput{x(AgencyInput{Survey: sipas("access", SurveyValue{Mean100: f64(80)})})}, 0, 5, StatusMissing,
			func(t *testing.T, n NodeResult) {
				if reasonEN(n) != "no survey result for sipas-2026 / access (satisfaction)" {
					t.Errorf("reason = %q", reasonEN(n))
				}
			}},
		{"survey absent", survey, []AgencyInput{x(AgencyInput{})}, 0, 5, StatusMissing, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := framework(t, "", methodFramework(tt.leaf))
			res := mustScore(t, f, Inputs{Agencies: tt.agencies})
			n := nodeOf(t, res, "X", "1.1")
			if !near(n.Points, tt.points) || n.Max != tt.max || n.Status != tt.status {
				t.Errorf("1.1 = %v of %v (%v), want %v of %v (%v); inputs %+v, reason %q",
					n.Points, n.Max, n.Status, tt.points, tt.max, tt.status, n.Inputs, reasonEN(n))
			}
			missing := n.Status == StatusMissing || n.Status == StatusExcluded
			if listed := slices.Contains(agency(t, res, "X").Missing, "1.1"); listed != missing {
				t.Errorf("missing list = %v, status %v", agency(t, res, "X").Missing, n.Status)
			}
			if missing && (reasonEN(n) == "" || reasonVI(n) == "") {
				t.Errorf("missing leaf without a reason")
			}
			if tt.check != nil {
				tt.check(t, n)
			}
		})
	}
}

func TestBonusAndPenalty(t *testing.T) {
	// One assessed leaf of max 10, a bonus capped at 2 and a penalty capped at 3.
	f := framework(t, "", `  - code: "1"
    name: Lĩnh vực
    children:
      - {code: "1.1", name: Chấm, max: 10, method: assessed}
  - code: "T"
    name: Thưởng, trừ
    adjustment: true
    children:
      - {code: "T.1", name: Thưởng, method: bonus, cap: 2}
      - {code: "T.2", name: Trừ, method: penalty, cap: 3}
`)
	tests := []struct {
		name                                  string
		points                                map[string]float64
		bonus, penalty, total, index, rounded float64
		floored, bonusCapped, penaltyCapped   bool
	}{
		// 7 + 1.5 − 1 = 7.5 → 75.
		{"within caps", metrics("1.1", 7, "T.1", 1.5, "T.2", 1), 1.5, 1, 7.5, 75, 75, false, false, false},
		// bonus 5 capped at 2, penalty 4 capped at 3: 7 + 2 − 3 = 6 → 60.
		{"above caps", metrics("1.1", 7, "T.1", 5, "T.2", 4), 2, 3, 6, 60, 60, false, true, true},
		// 1 − 3 = −2 → the total is never below 0 → 0.
		{"never below 0", metrics("1.1", 1, "T.2", 3), 0, 3, 0, 0, 0, true, false, false},
		// No amounts: nothing added, nothing missing.
		{"no amounts", metrics("1.1", 8), 0, 0, 8, 80, 80, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: tt.points}}})
			a := agency(t, res, "X")
			if a.Bonus != tt.bonus || a.Penalty != tt.penalty || a.Points != tt.total || !near(index(a), tt.index) ||
				rounded(a) != tt.rounded || a.PointsFloored != tt.floored || a.Max != 10 || len(a.Missing) != 0 {
				t.Errorf("got bonus %v penalty %v total %v index %v (%v) floored %v max %v missing %v",
					a.Bonus, a.Penalty, a.Points, index(a), rounded(a), a.PointsFloored, a.Max, a.Missing)
			}
			if n := nodeOf(t, res, "X", "T.1"); n.Inputs.Capped != tt.bonusCapped {
				t.Errorf("T.1 capped = %v", n.Inputs.Capped)
			}
			if n := nodeOf(t, res, "X", "T.2"); n.Inputs.Capped != tt.penaltyCapped || (tt.penalty > 0 && n.Points != -tt.penalty) {
				t.Errorf("T.2 = %v capped %v", n.Points, n.Inputs.Capped)
			}
			// The adjustment group sums its signed leaves and has no maximum.
			if n := nodeOf(t, res, "X", "T"); n.Points != tt.bonus-tt.penalty || n.Max != 0 {
				t.Errorf("T = %v of %v", n.Points, n.Max)
			}
			// The area is not affected by the adjustments.
			if n := nodeOf(t, res, "X", "1"); n.Points != tt.points["1.1"] || n.Max != 10 {
				t.Errorf("area 1 = %v of %v", n.Points, n.Max)
			}
		})
	}
	if n := nodeOf(t, mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X"}}}), "X", "T.1"); n.Status != StatusNoInput {
		t.Errorf("a bonus without an amount has status %v, want no_input", n.Status)
	}
}
