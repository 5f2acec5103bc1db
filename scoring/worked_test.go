package scoring

import (
	"math"
	"slices"
	"testing"

	"parindex/criteria"
)

// workedFramework is small enough to score by hand: 25 points in three
// areas, one leaf of most methods, a bonus and a penalty.
const workedFramework = `code: worked-2026
name: "Ví dụ tính tay"
year: 2026
agency_types: [department]
rounding: 2
cap_index: 100
missing: zero
bands:
  - {code: A, name: "Tốt", min: 90}
  - {code: B, name: "Khá", min: 80}
  - {code: C, name: "Trung bình", min: 70}
  - {code: D, name: "Yếu", min: 0}
nodes:
  - code: "1"
    name: "Chỉ đạo, điều hành"
    children:
      - {code: "1.1", name: "Kế hoạch", max: 2, method: boolean}
      - {code: "1.2", name: "Hoàn thành kế hoạch", max: 3, method: ratio, numerator: plan_done, denominator: plan_total, target: 0.8}
      - {code: "1.3", name: "Đúng hạn", max: 2, method: tiers, numerator: on_time, denominator: resolved,
         tiers: [{min: 0.95, points: 2}, {min: 0.9, points: 1}, {min: 0, points: 0}]}
  - code: "2"
    name: "Thủ tục hành chính"
    children:
      - {code: "2.1", name: "Trực tuyến so với đơn vị cao nhất", max: 4, method: relative, numerator: online, denominator: received}
      - {code: "2.2", name: "Sáng kiến", max: 1, method: count, metric: initiatives, per_unit: 0.5}
      - {code: "2.3", name: "Rà soát thủ tục", max: 3, method: assessed, step: 0.5, missing: exclude}
  - code: "3"
    name: "Khảo sát"
    children:
      - {code: "3.1", name: "Tiếp cận dịch vụ", max: 5, method: survey, instrument: sipas-2026, element: access}
      - {code: "3.2", name: "Hài lòng chung", max: 5, method: survey, instrument: sipas-2026, measure: mean100}
  - code: "T"
    name: "Thưởng, trừ"
    adjustment: true
    children:
      - {code: "T.1", name: "Thưởng", method: bonus, cap: 1}
      - {code: "T.2", name: "Trừ", method: penalty, cap: 2}
`

func TestWorkedExample(t *testing.T) {
	f, _, err := criteria.Parse("worked.yaml", []byte(workedFramework))
	if err != nil {
		t.Fatal(err)
	}
	survey := func(access, mean100 float64) map[string]map[string]SurveyValue {
		return map[string]map[string]SurveyValue{"sipas-2026": {"access": {Satisfaction: f64(access), N: 100}, "overall": {Mean100: f64(mean100), N: 100}}}
	}
	p := AgencyInput{Code: "P", Name: "Sở P",
		Answers: map[string]bool{"1.1": true},
		Points:  metrics("2.3", 2.5, "T.1", 1.5),
		Metrics: metrics("plan_done", 18, "plan_total", 20, "on_time", 95, "resolved", 100, "online", 60, "received", 100, "initiatives", 1),
		Survey:  survey(0.9, 80)}
	s := p
	s.Code, s.Name = "S", "Sở S (giống P)"
	in := Inputs{Framework: "worked-2026", Agencies: []AgencyInput{
		{Code: "R", Name: "Sở R",
			Answers:       map[string]bool{"1.1": true},
			Points:        metrics("2.3", 1, "T.2", 5),
			Metrics:       metrics("plan_done", 0, "plan_total", 0, "on_time", 0, "resolved", 10, "received", 50, "initiatives", 0),
			NotApplicable: []string{"3"}},
		{Code: "Q", Name: "Sở Q",
			Answers: map[string]bool{"1.1": false},
			Points:  metrics("T.2", 0.5),
			Metrics: metrics("plan_done", 12, "plan_total", 20, "on_time", 92, "resolved", 100, "online", 30, "received", 100, "initiatives", 5),
			Survey:  survey(0.8, 70)},
		p, s,
	}}
	res := mustScore(t, f, in)

	// 2.1 relative: rates P 60/100 = 0.6, S 0.6, Q 30/100 = 0.3; R has no
	// "online" metric, so no rate. Best = 0.6.
	if res.BestRates["2.1"] != 0.6 {
		t.Errorf("best rate of 2.1 = %v, want 0.6", res.BestRates["2.1"])
	}

	type node struct {
		points, max float64
		status      NodeStatus
	}
	tests := []struct {
		code                          string
		nodes                         map[string]node
		scored, bonus, penalty, total float64
		max, index, rounded           float64
		rank                          int
		band, next                    string
		need                          float64
		missing, na                   []string
	}{
		{
			// P: area 1: 1.1 yes → 2; 1.2 18/20 = 0.9, ÷ 0.8 = 1.125 → min 1 → 3;
			//    1.3 95/100 = 0.95 reaches the 0.95 tier → 2; area 1 = 7 of 7.
			// area 2: 2.1 0.6 ÷ 0.6 × 4 = 4; 2.2 1 × 0.5 = 0.5; 2.3 2.5; = 7 of 8.
			// area 3: 3.1 5 × 0.9 = 4.5; 3.2 5 × 80 ÷ 100 = 4; = 8.5 of 10.
			// scored 7 + 7 + 8.5 = 22.5; bonus 1.5 capped at 1; total 23.5;
			// index 23.5 ÷ 25 × 100 = 94 → 94.00 → A, the top band.
			code: "P", nodes: map[string]node{
				"1": {7, 7, StatusGroup}, "1.2": {3, 3, StatusScored}, "1.3": {2, 2, StatusScored},
				"2": {7, 8, StatusGroup}, "2.1": {4, 4, StatusScored}, "2.2": {0.5, 1, StatusScored},
				"3": {8.5, 10, StatusGroup}, "3.1": {4.5, 5, StatusScored}, "3.2": {4, 5, StatusScored},
				"T": {1, 0, StatusGroup}, "T.1": {1, 0, StatusScored}, "T.2": {0, 0, StatusNoInput},
			},
			scored: 22.5, bonus: 1, penalty: 0, total: 23.5, max: 25, index: 94, rounded: 94,
			rank: 1, band: "A", next: "", need: math.NaN(), missing: []string{}, na: []string{},
		},
		{
			// S: the same inputs as P → the same figures and a shared rank 1.
			code: "S", nodes: map[string]node{"2.1": {4, 4, StatusScored}},
			scored: 22.5, bonus: 1, penalty: 0, total: 23.5, max: 25, index: 94, rounded: 94,
			rank: 1, band: "A", next: "", need: math.NaN(), missing: []string{}, na: []string{},
		},
		{
			// Q: area 1: 1.1 no → 0; 1.2 12/20 = 0.6, ÷ 0.8 = 0.75 → 3 × 0.75 = 2.25;
			//    1.3 92/100 = 0.92 → the 0.9 tier → 1; = 3.25 of 7.
			// area 2: 2.1 0.3 ÷ 0.6 × 4 = 2; 2.2 5 × 0.5 = 2.5 → capped at 1;
			//    2.3 no points, policy exclude → leaves the maximum; = 3 of 5.
			// area 3: 3.1 5 × 0.8 = 4; 3.2 5 × 70 ÷ 100 = 3.5; = 7.5 of 10.
			// scored 3.25 + 3 + 7.5 = 13.75; penalty 0.5; total 13.25; max 22;
			// index 13.25 ÷ 22 × 100 = 60.2272… → 60.23 → D (rank 3 after P and S).
			// C needs 69.995: 69.995 × 22 ÷ 100 = 15.3989 points, 15.3989 − 13.25 = 2.1489 more.
			code: "Q", nodes: map[string]node{
				"1": {3.25, 7, StatusGroup}, "1.1": {0, 2, StatusScored}, "1.2": {2.25, 3, StatusScored}, "1.3": {1, 2, StatusScored},
				"2": {3, 5, StatusGroup}, "2.1": {2, 4, StatusScored}, "2.2": {1, 1, StatusScored}, "2.3": {0, 0, StatusExcluded},
				"3": {7.5, 10, StatusGroup}, "T": {-0.5, 0, StatusGroup}, "T.2": {-0.5, 0, StatusScored},
			},
			scored: 13.75, bonus: 0, penalty: 0.5, total: 13.25, max: 22, index: 1325.0 / 22, rounded: 60.23,
			rank: 3, band: "D", next: "C", need: 2.1489, missing: []string{"2.3"}, na: []string{},
		},
		{
			// R: area 1: 1.1 yes → 2; 1.2 0/0: the rate is undefined → missing,
			//    policy zero → 0 of 3; 1.3 0/10 = 0 → floor tier 0; = 2 of 7.
			// area 2: 2.1 no "online" → missing, zero → 0 of 4; 2.2 0 × 0.5 = 0;
			//    2.3 1 of 3; = 1 of 8.
			// area 3 not applicable: 0 of 0.
			// scored 3; penalty 5 capped at 2; total 1; max 15;
			// index 1 ÷ 15 × 100 = 6.666… → 6.67 → D, rank 4.
			// C needs 69.995 × 15 ÷ 100 = 10.49925 points: 9.49925 more.
			code: "R", nodes: map[string]node{
				"1": {2, 7, StatusGroup}, "1.2": {0, 3, StatusMissing}, "1.3": {0, 2, StatusScored},
				"2": {1, 8, StatusGroup}, "2.1": {0, 4, StatusMissing}, "2.2": {0, 1, StatusScored},
				"3": {0, 0, StatusNotApplicable}, "3.1": {0, 0, StatusNotApplicable}, "T.2": {-2, 0, StatusScored},
			},
			scored: 3, bonus: 0, penalty: 2, total: 1, max: 15, index: 100.0 / 15, rounded: 6.67,
			rank: 4, band: "D", next: "C", need: 9.49925, missing: []string{"1.2", "2.1"}, na: []string{"3"},
		},
	}
	var order []string
	for _, a := range res.Agencies {
		order = append(order, a.Code)
	}
	if !slices.Equal(order, []string{"P", "S", "Q", "R"}) {
		t.Errorf("order %v, want P S Q R", order)
	}
	for _, tt := range tests {
		a := agency(t, res, tt.code)
		if !near(a.ScoredPoints, tt.scored) || a.Bonus != tt.bonus || a.Penalty != tt.penalty || !near(a.Points, tt.total) ||
			a.Max != tt.max || !near(*a.Index, tt.index) || *a.IndexRounded != tt.rounded || a.Rank != tt.rank || a.Band != tt.band ||
			a.NextBand != tt.next || !slices.Equal(a.Missing, tt.missing) || !slices.Equal(a.NotApplicable, tt.na) {
			t.Errorf("%s: scored %v bonus %v penalty %v total %v max %v index %v (%v) rank %d band %s next %q missing %v na %v",
				tt.code, a.ScoredPoints, a.Bonus, a.Penalty, a.Points, a.Max, *a.Index, *a.IndexRounded, a.Rank, a.Band, a.NextBand, a.Missing, a.NotApplicable)
		}
		if math.IsNaN(tt.need) != (a.PointsToNextBand == nil) || (a.PointsToNextBand != nil && !near(*a.PointsToNextBand, tt.need)) {
			t.Errorf("%s: points to next band %v, want %v", tt.code, a.PointsToNextBand, tt.need)
		}
		for code, want := range tt.nodes {
			n := nodeOf(t, res, tt.code, code)
			if !near(n.Points, want.points) || n.Max != want.max || n.Status != want.status {
				t.Errorf("%s %s = %v of %v (%v), want %v of %v (%v)", tt.code, code, n.Points, n.Max, n.Status, want.points, want.max, want.status)
			}
		}
	}
	// The explanation of Q's ratio leaf carries its inputs.
	n := nodeOf(t, res, "Q", "1.2")
	if n.Inputs.Numerator != 12 || n.Inputs.Denominator != 20 || n.Inputs.Rate != 0.6 || n.Spec.Target != 0.8 || n.Spec.NumeratorMetric != "plan_done" {
		t.Errorf("Q 1.2 explanation: %+v %+v", n.Inputs, *n.Spec)
	}
	if n := nodeOf(t, res, "R", "1.2"); reasonEN(n) != "the denominator plan_total is 0, so the rate is undefined" {
		t.Errorf("R 1.2 reason %q", reasonEN(n))
	}
	if n := nodeOf(t, res, "Q", "1"); !near(n.Percent(), 3.25/7*100) {
		t.Errorf("Q area 1 percent %v", n.Percent())
	}
}
