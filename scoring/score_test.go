package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"parindex/criteria"
)

// naFramework: area 1 (1.1 assessed, max 4; 1.2 boolean, max 2) and area 2
// (2.1 assessed, max 4); total maximum 10.
const naFramework = `  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: 4, method: assessed}
      - {code: "1.2", name: Có không, max: 2, method: boolean}
  - code: "2"
    name: Hai
    children:
      - {code: "2.1", name: Chấm, max: 4, method: assessed}
`

func TestNotApplicable(t *testing.T) {
	f := framework(t, "", naFramework)
	res := mustScore(t, f, Inputs{Agencies: []AgencyInput{
		// X: 1.2 does not apply: 3 + 4 = 7 of 4 + 4 = 8 → 87.5.
		{Code: "X", Points: metrics("1.1", 3, "2.1", 4), NotApplicable: []string{"1.2"}},
		// Y: the whole area 2 does not apply: 4 + 2 = 6 of 6 → 100.
		{Code: "Y", Points: metrics("1.1", 4), Answers: map[string]bool{"1.2": true}, NotApplicable: []string{"2"}},
		// Z: nothing applies: no maximum, so no index, band or rank.
		{Code: "Z", NotApplicable: []string{"2", "1"}},
		// W: 2 + 0 + 1 = 3 of 10 → 30.
		{Code: "W", Points: metrics("1.1", 2, "2.1", 1), Answers: map[string]bool{"1.2": false}},
	}})
	want := []struct {
		code        string
		points, max float64
		index       float64
		rank        int
		band        string
		na          []string
	}{
		{"Y", 6, 6, 100, 1, "A", []string{"2"}},
		{"X", 7, 8, 87.5, 2, "B", []string{"1.2"}},
		{"W", 3, 10, 30, 3, "D", []string{}},
		{"Z", 0, 0, math.NaN(), 0, "", []string{"1", "2"}}, // framework order, not input order
	}
	for i, w := range want {
		a := &res.Agencies[i]
		if a.Code != w.code || a.Points != w.points || a.Max != w.max || a.Rank != w.rank || a.Band != w.band ||
			!slices.Equal(a.NotApplicable, w.na) || (math.IsNaN(w.index) != (a.Index == nil)) || (a.Index != nil && *a.Index != w.index) {
			t.Errorf("agency %d = %s %v/%v index %v rank %d band %q na %v; want %+v", i, a.Code, a.Points, a.Max, index(a), a.Rank, a.Band, a.NotApplicable, w)
		}
	}
	z := agency(t, res, "Z")
	if z.IndexRounded != nil || z.IndexNote == "" || z.PointsToNextBand != nil || len(z.Missing) != 0 {
		t.Errorf("Z without applicable criteria: %+v", z)
	}
	// The not-applicable leaf and every node of a not-applicable area leave
	// the denominator and are not missing.
	for _, c := range []struct{ agency, node string }{{"X", "1.2"}, {"Y", "2"}, {"Y", "2.1"}, {"Z", "1"}, {"Z", "1.1"}} {
		n := nodeOf(t, res, c.agency, c.node)
		if n.Status != StatusNotApplicable || n.Points != 0 || n.Max != 0 {
			t.Errorf("%s %s = %v of %v (%v), want not applicable with 0 of 0", c.agency, c.node, n.Points, n.Max, n.Status)
		}
	}
	if n := nodeOf(t, res, "X", "1"); n.Points != 3 || n.Max != 4 || n.Status != StatusGroup {
		t.Errorf("X area 1 = %v of %v, want 3 of 4", n.Points, n.Max)
	}
}

func TestMissingPolicyNearestOnPath(t *testing.T) {
	// The framework excludes; area 1 says zero; leaf 1.2 says exclude again.
	f := framework(t, "missing: exclude\n", `  - code: "1"
    name: Một
    missing: zero
    children:
      - {code: "1.1", name: Chấm, max: 4, method: assessed}
      - {code: "1.2", name: Chấm, max: 2, method: assessed, missing: exclude}
  - code: "2"
    name: Hai
    children:
      - {code: "2.1", name: Chấm, max: 4, method: assessed}
      - {code: "2.2", name: Chấm, max: 6, method: assessed}
`)
	res := mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("2.1", 4)}}})
	a := agency(t, res, "X")
	// 1.1 missing under zero (max 4 stays), 1.2 and 2.2 excluded: 4 of 4 + 4 = 8 → 50.
	if a.Points != 4 || a.Max != 8 || *a.Index != 50 || !slices.Equal(a.Missing, []string{"1.1", "1.2", "2.2"}) {
		t.Errorf("X = %v of %v, index %v, missing %v; want 4 of 8, 50, [1.1 1.2 2.2]", a.Points, a.Max, index(a), a.Missing)
	}
	for code, want := range map[string]NodeStatus{"1.1": StatusMissing, "1.2": StatusExcluded, "2.2": StatusExcluded, "2.1": StatusScored} {
		if n := nodeOf(t, res, "X", code); n.Status != want {
			t.Errorf("%s status %v, want %v", code, n.Status, want)
		}
	}
}

func TestIndexCap(t *testing.T) {
	f := framework(t, "cap_index: 100\n", `  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: 10, method: assessed}
  - code: "T"
    name: Thưởng
    adjustment: true
    children:
      - {code: "T.1", name: Thưởng, method: bonus, cap: 2}
`)
	res := mustScore(t, f, Inputs{Agencies: []AgencyInput{
		{Code: "X", Points: metrics("1.1", 10, "T.1", 2)},    // 12 of 10 → 120 → capped at 100
		{Code: "Y", Points: metrics("1.1", 9.5, "T.1", 0.5)}, // 10 of 10 → 100, no cap needed
	}})
	x, y := agency(t, res, "X"), agency(t, res, "Y")
	if *x.Index != 100 || *x.IndexRounded != 100 || x.IndexUncapped == nil || *x.IndexUncapped != 120 || x.Points != 12 || x.Band != "A" {
		t.Errorf("X = %+v", x)
	}
	if *y.Index != 100 || y.IndexUncapped != nil {
		t.Errorf("Y index %v uncapped %v", index(y), y.IndexUncapped)
	}
	// Both publish 100.00: a tie at rank 1; the top band has no next band.
	if x.Rank != 1 || y.Rank != 1 || x.NextBand != "" || x.PointsToNextBand != nil {
		t.Errorf("ranks %d %d, next band %q %v", x.Rank, y.Rank, x.NextBand, x.PointsToNextBand)
	}
}

// oneLeaf is a framework of one assessed leaf with the given max and step.
func oneLeaf(t *testing.T, settings, max, step string) *criteria.Framework {
	return framework(t, settings, `  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: `+max+`, method: assessed, step: `+step+`}
`)
}

func TestRankTies(t *testing.T) {
	f := oneLeaf(t, "", "100", "0.001")
	res := mustScore(t, f, Inputs{Agencies: []AgencyInput{
		{Code: "D", Points: metrics("1.1", 80)},
		{Code: "C", Points: metrics("1.1", 85.504)}, // publishes 85.50: ties with B
		{Code: "B", Points: metrics("1.1", 85.5)},
		{Code: "A", Points: metrics("1.1", 90)},
		{Code: "E", Points: metrics("1.1", 85.506)}, // publishes 85.51
	}})
	// Competition ranks by the published index: 90.00, 85.51, 85.50, 85.50, 80.00 → 1, 2, 3, 3, 5.
	var got []string
	for _, a := range res.Agencies {
		got = append(got, a.Code+":"+string(rune('0'+a.Rank)))
	}
	if want := []string{"A:1", "E:2", "B:3", "C:3", "D:5"}; !slices.Equal(got, want) {
		t.Errorf("ranking %v, want %v (ties by code)", got, want)
	}
}

func TestBandCutOffAfterRounding(t *testing.T) {
	f := oneLeaf(t, "", "200", "0.001")
	tests := []struct {
		points  float64
		rounded float64
		band    string
	}{
		{179.99, 90, "A"},     // 179.99 ÷ 200 × 100 = 89.995 → 90.00 → A
		{179.988, 89.99, "B"}, // 89.994 → 89.99 → B
		{180, 90, "A"},        // 90 exactly
		{179.98, 89.99, "B"},  // 89.99
		{159.99, 80, "B"},     // 79.995 → 80.00 → B
		{139.989, 69.99, "D"}, // 69.9945 → 69.99 → D
	}
	for _, tt := range tests {
		res := mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", tt.points)}}})
		a := agency(t, res, "X")
		if *a.IndexRounded != tt.rounded || a.Band != tt.band {
			t.Errorf("%v points: index %v → %v band %s; want %v band %s", tt.points, *a.Index, *a.IndexRounded, a.Band, tt.rounded, tt.band)
		}
	}
}

// Floating-point noise must not move a published index: 60 + 0.025 + 0.3
// is 60.325 in decimal but 60.324999999999996 in binary, which would
// round to 60.32.
func TestRoundingIgnoresFloatingPointNoise(t *testing.T) {
	f := framework(t, "", `  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: 60, method: assessed}
      - {code: "1.2", name: Chấm, max: 1, method: assessed, step: 0.025}
      - {code: "1.3", name: Chấm, max: 39, method: assessed, step: 0.1}
`)
	res := mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", 60, "1.2", 0.025, "1.3", 0.3)}}})
	a := agency(t, res, "X")
	if *a.Index >= 60.325 {
		t.Fatalf("test premise: the raw index %v should carry the binary noise", *a.Index)
	}
	if *a.IndexRounded != 60.33 {
		t.Errorf("index %v published as %v, want 60.33 (60.325 rounded half up)", *a.Index, *a.IndexRounded)
	}
}

func TestPointsToNextBand(t *testing.T) {
	f := oneLeaf(t, "", "10", "0.001")
	tests := []struct {
		points float64
		next   string
		need   float64 // NaN: none
	}{
		{7.5, "B", 0.4995},   // 75 (C): B needs 79.995, i.e. 7.9995 points: 0.4995 more
		{3, "C", 3.9995},     // 30 (D): C needs 69.995 → 6.9995 − 3
		{0, "C", 6.9995},     // 0 (D)
		{7.999, "B", 0.0005}, // 79.99 (C): 7.9995 − 7.999
		{9, "", math.NaN()},  // A: the top band has no next band
	}
	for _, tt := range tests {
		res := mustScore(t, f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", tt.points)}}})
		a := agency(t, res, "X")
		if math.IsNaN(tt.need) {
			if a.PointsToNextBand != nil || a.NextBand != "" {
				t.Errorf("%v points: next band %q, %v; want none", tt.points, a.NextBand, *a.PointsToNextBand)
			}
			continue
		}
		if a.NextBand != tt.next || a.PointsToNextBand == nil || !near(*a.PointsToNextBand, tt.need) {
			t.Errorf("%v points: next band %q needs %v, want %q needs %v", tt.points, a.NextBand, a.PointsToNextBand, tt.next, tt.need)
		}
	}

	// With a smaller applicable maximum (8, 2 points not applicable): 6 of 8 = 75;
	// B needs 79.995 % of 8 = 6.3996 points: 0.3996 more.
	g := framework(t, "", naFramework)
	res := mustScore(t, g, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", 3, "2.1", 3), NotApplicable: []string{"1.2"}}}})
	if a := agency(t, res, "X"); a.NextBand != "B" || !near(*a.PointsToNextBand, 0.3996) {
		t.Errorf("next band %q needs %v, want B needs 0.3996", a.NextBand, *a.PointsToNextBand)
	}

	// A cap below the next band makes it unreachable: cap 85, index 82 (B) → no A.
	capped := oneLeaf(t, "cap_index: 85\n", "10", "0.001")
	if a := agency(t, mustScore(t, capped, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", 8.2)}}}), "X"); a.PointsToNextBand != nil {
		t.Errorf("cap 85: next band %q needs %v, want none", a.NextBand, *a.PointsToNextBand)
	}
	// A cap of 89.996 publishes as 90.00, so A stays reachable: 8.9995 − 8.2 = 0.7995.
	capped = oneLeaf(t, "cap_index: 89.996\n", "10", "0.001")
	if a := agency(t, mustScore(t, capped, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", 8.2)}}}), "X"); a.PointsToNextBand == nil || !near(*a.PointsToNextBand, 0.7995) {
		t.Errorf("cap 89.996: next band %q needs %v, want A needs 0.7995", a.NextBand, a.PointsToNextBand)
	}
}

// The points to the next band are the smallest that work: adding them
// reaches the band, adding a hair less does not.
func TestPointsToNextBandIsMinimal(t *testing.T) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	res := mustScore(t, f, randomInputs(f, 300, 11))
	checked := 0
	for i := range res.Agencies {
		a := &res.Agencies[i]
		if a.PointsToNextBand == nil {
			continue
		}
		need := *a.PointsToNextBand
		sum := a.ScoredPoints + a.Bonus - a.Penalty
		publish := func(extra float64) float64 {
			return publishedIndex(f, f.ApplyCap(math.Max(0, sum+extra)/a.Max*100))
		}
		band, _ := f.BandFor(publish(need))
		next, _ := f.BandFor(publish(need - 1e-6))
		if band.Code != a.NextBand || next.Code != a.Band {
			t.Errorf("%s: index %v (%s) + %v points publishes %v (%s), a hair less %v (%s)",
				a.Code, *a.IndexRounded, a.Band, need, publish(need), band.Code, publish(need-1e-6), next.Code)
		}
		checked++
	}
	if checked < 100 {
		t.Errorf("only %d agencies had a next band", checked)
	}
}

func TestInputErrorsAllAtOnce(t *testing.T) {
	f := framework(t, "", naFramework+`  - code: "3"
    name: Ba
    children:
      - {code: "3.1", name: Tỷ lệ, max: 2, method: ratio, numerator: done, denominator: total}
      - {code: "3.2", name: Khảo sát, max: 2, method: survey, instrument: sipas-2026, element: access}
  - code: "T"
    name: Thưởng
    adjustment: true
    children:
      - {code: "T.1", name: Thưởng, method: bonus, cap: 2}
`)
	in := Inputs{Framework: "other-2026", Agencies: []AgencyInput{
		{Code: "SNV",
			Points:  metrics("1.1", 1.3, "2.1", 5, "9.9", 1, "1", 2, "1.2", 1, "T.1", -1, "3.1", 1),
			Answers: map[string]bool{"2.1": true, "8.8": false},
			Metrics: metrics("done", -3, "total", 10),
			Survey: map[string]map[string]SurveyValue{"sipas-2026": {
				"access":  {Satisfaction: f64(1.2), N: -3},
				"overall": {Mean100: f64(120)},
			}},
			NotApplicable: []string{"7"},
		},
		{Code: "SNV", Points: metrics("1.1", -0.25)},
		{Code: "", Points: metrics("2.1", 2), NotApplicable: []string{"2"}},
	}}
	_, err := Score(f, in)
	ie := inputErrors(t, err)
	want := []string{
		"framework = other-2026: the inputs are for framework other-2026, not test-2026",
		"agency SNV, node 7, not_applicable = 7: \"7\" is not a node of framework test-2026; list the codes of criteria that do not apply",
		"agency SNV, node 1, points = 2: node 1 is a group: its points are the sum of its sub-criteria (1.1, 1.2); enter values on those",
		"agency SNV, node 1.1, points = 1.3: points 1.3 are not a multiple of the step 0.25; allowed: 0, 0.25, 0.5, … up to 4",
		"agency SNV, node 1.2, points = 1: node 1.2 uses method boolean, which does not take entered points: enter it under answers (true or false)",
		"agency SNV, node 2.1, points = 5: points 5 are outside 0..4 (the criterion's maximum)",
		"agency SNV, node 3.1, points = 1: node 3.1 uses method ratio, which does not take entered points: it is computed from the metrics done and total",
		"agency SNV, node 9.9, points = 1: \"9.9\" is not a node of framework test-2026",
		"agency SNV, node T.1, points = -1: a bonus amount cannot be negative; enter the amount as a positive number (a penalty is subtracted)",
		"agency SNV, node 2.1, answers = true: node 2.1 uses method assessed, not boolean, so it takes no yes/no answer: enter it under points",
		"agency SNV, node 8.8, answers = false: \"8.8\" is not a node of framework test-2026",
		"agency SNV, metrics.done = -3: metric done is -3; metrics are counts or amounts and cannot be negative",
		"agency SNV, survey.sipas-2026.access.n = -3: n (the number of valid answers) cannot be negative; leave it out when unknown",
		"agency SNV, survey.sipas-2026.access.satisfaction = 1.2: a satisfaction share must be between 0 and 1 (0.84 means 84 %)",
		"agency SNV, survey.sipas-2026.overall.mean100 = 120: a mean100 score must be between 0 and 100",
		"agency SNV, code = SNV: agency code SNV is repeated (first used by agency #1); each agency appears once",
		"agency SNV, node 1.1, points = -0.25: points -0.25 are outside 0..4 (the criterion's maximum)",
		"agency #3, code: the agency has no code",
		"agency #3, node 2.1, points = 2: node 2.1 is marked not applicable for this agency; remove its points or the not_applicable entry",
	}
	got := make([]string, len(ie))
	for i, e := range ie {
		got[i] = e.Error()
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range ie {
		if e.MessageVI == "" || strings.Contains(e.Vietnamese(), "%!") || strings.Contains(e.Error(), "%!") {
			t.Errorf("bad message: %q / %q", e.Error(), e.Vietnamese())
		}
	}
	if got, want := ie[3].Vietnamese(), "đơn vị SNV, tiêu chí 1.1, points = 1.3: điểm 1.3 không phải bội số của bước 0.25; được phép: 0, 0.25, 0.5, … đến 4"; got != want {
		t.Errorf("Vietnamese = %q, want %q", got, want)
	}
}

func TestAssessedStep(t *testing.T) {
	// Step 0.5 with max 1.25: multiples of 0.5 and max itself are accepted.
	f := oneLeaf(t, "", "1.25", "0.5")
	for _, tt := range []struct {
		points float64
		ok     bool
	}{{0, true}, {0.5, true}, {1, true}, {1.25, true}, {0.25, false}, {0.75, false}, {1.5, false}} {
		_, err := Score(f, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", tt.points)}}})
		if (err == nil) != tt.ok {
			t.Errorf("points %v: err %v, want ok=%v", tt.points, err, tt.ok)
		}
	}
	// The default step is 0.25; 0.1 + 0.15 is not exactly 0.25 in binary
	// but is accepted as a multiple.
	g := oneLeaf(t, "", "2", "0.25")
	if _, err := Score(g, Inputs{Agencies: []AgencyInput{{Code: "X", Points: metrics("1.1", 0.1+0.15)}}}); err != nil {
		t.Errorf("0.1 + 0.15: %v", err)
	}
}

func TestInvalidFrameworkIsNotAnInputError(t *testing.T) {
	f := framework(t, "", naFramework)
	f.Nodes[0].Children[0].Max = f64(-1)
	_, err := Score(f, Inputs{Agencies: []AgencyInput{{Code: "X"}}})
	var ie InputErrors
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("err = %v", err)
	}
	if _, err := Score(nil, Inputs{}); err == nil {
		t.Error("nil framework accepted")
	}
}

func TestNoAgencies(t *testing.T) {
	res := mustScore(t, framework(t, "", naFramework), Inputs{})
	if len(res.Agencies) != 0 || res.Framework != "test-2026" || res.FrameworkHash == "" {
		t.Errorf("result = %+v", res)
	}
}

// The result's JSON keeps the contract's names, the nodes in framework
// order, and reads back to the same JSON.
func TestResultJSON(t *testing.T) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	res, err := ScoreWith(f, randomInputs(f, 20, 3), Options{Uncertainty: &UncertaintyOptions{Draws: 50, Seed: 1, Correlation: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var generic struct {
		Framework string                       `json:"framework"`
		Agencies  []map[string]json.RawMessage `json:"agencies"`
	}
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"code", "points", "max", "index", "index_rounded", "rank", "band", "missing", "not_applicable", "nodes", "rank_interval"} {
		if _, ok := generic.Agencies[0][key]; !ok {
			t.Errorf("agency JSON lacks %q", key)
		}
	}
	// Node keys in framework order: "1", "1.1", …, "8.1.6", "T", "T.1", "T.2".
	dec := json.NewDecoder(bytes.NewReader(generic.Agencies[0]["nodes"]))
	dec.Token()
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	var codes []string
	for _, n := range f.All() {
		codes = append(codes, n.Code)
	}
	if !slices.Equal(keys, codes) {
		t.Errorf("node keys %v, want framework order %v", keys, codes)
	}
	var back Result
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("the result does not read back to the same JSON")
	}
}

func TestDeterministic(t *testing.T) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	in := randomInputs(f, 50, 5)
	first, _ := json.Marshal(mustScore(t, f, in))
	for range 3 {
		again, _ := json.Marshal(mustScore(t, f, in))
		if !bytes.Equal(first, again) {
			t.Fatal("two runs on the same inputs differ")
		}
	}
	// The order of the agencies in the inputs changes nothing but nothing.
	slices.Reverse(in.Agencies)
	reversed, _ := json.Marshal(mustScore(t, f, in))
	if !bytes.Equal(first, reversed) {
		t.Error("reversing the agencies changed the result")
	}
}
