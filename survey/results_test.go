package survey_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"parindex/stats"
	"parindex/stats/statstest"
	"parindex/survey"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Question figures from stored counts equal the shared worked examples.
func TestFromCountsMatchesVectors(t *testing.T) {
	in := mustReference(t)
	for i, item := range statstest.Load(t).Items {
		c := item.Counts
		counts := map[string][6]int64{"A1": {int64(item.NA), int64(c[0]), int64(c[1]), int64(c[2]), int64(c[3]), int64(c[4])}}
		r := survey.FromCounts(in, "X", counts, item.N+item.NA, 0, survey.ResultOptions{})
		q := r.Questions["A1"]
		if q.N != item.N || q.NA != item.NA || !near(float64(q.Satisfaction), item.Satisfaction) || !near(float64(q.Mean), item.Mean) ||
			!near(float64(q.Mean100), item.Mean100) || !near(float64(q.CI95[0]), item.Wilson95[0]) || !near(float64(q.CI95[1]), item.Wilson95[1]) {
			t.Errorf("item %d: %+v, want %+v", i, q, item)
		}
	}
}

func mustReference(t *testing.T) *survey.Instrument {
	t.Helper()
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// answersOf expands one answer string per respondent ("4444…") into a matrix.
func answersOf(rows ...string) stats.Answers {
	out := stats.Answers{Questions: len(rows[0])}
	for _, r := range rows {
		if err := out.AppendDigits(r); err != nil {
			panic(err)
		}
	}
	return out
}

func TestSummariseByHand(t *testing.T) {
	in := mustReference(t)
	// Four respondents over the 22 questions (A1-A4, B1-B5, C1-C5, D1-D5, E1-E3).
	rows := answersOf(
		"5555"+"44444"+"55555"+"44444"+"000",
		"4444"+"33333"+"44444"+"44444"+"000",
		"2222"+"44444"+"55555"+"33333"+"450",
		"5555"+"44444"+"55555"+"44444"+"000",
	)
	r, err := survey.Summarise(in, survey.Group{Unit: "SNV", Answers: rows, Flagged: 2, Comments: []string{"Tốt", ""}}, survey.ResultOptions{Seed: 1, BootstrapReps: 200})
	if err != nil {
		t.Fatal(err)
	}
	// A1: answers 5, 4, 2, 5 → 3 of 4 satisfied, mean 4, mean100 75.
	if q := r.Questions["A1"]; q.N != 4 || q.Counts != [5]int{0, 1, 0, 1, 2} || float64(q.Satisfaction) != 0.75 || float64(q.Mean) != 4 || float64(q.Mean100) != 75 {
		t.Errorf("A1 = %+v", q)
	}
	// E1 answered once (4), E2 once (5), E3 never: the element is the mean of
	// E1 and E2 (both satisfied) = 1; E3 has no index.
	if q := r.Questions["E3"]; q.N != 0 || q.NA != 4 || !math.IsNaN(float64(q.Satisfaction)) {
		t.Errorf("E3 = %+v", q)
	}
	if e := r.Elements["feedback"]; float64(e.Index) != 1 {
		t.Errorf("feedback = %+v", e)
	}
	// access: A1..A4 all 3/4 satisfied → 0.75; procedure: B 3/4 → 0.75;
	// civil_servant: C 4/4 → 1; result: D 3/4 → 0.75; feedback 1.
	// Overall = (0.75 + 0.75 + 1 + 0.75 + 1) / 5 = 0.85.
	if !near(float64(r.Overall.Index), 0.85) || !near(float64(r.Elements["access"].Index), 0.75) {
		t.Errorf("overall = %v, access = %v", r.Overall.Index, r.Elements["access"].Index)
	}
	if r.Respondents != 4 || r.Flagged != 2 || r.Adequacy != survey.AdequacyInsufficient {
		t.Errorf("respondents %d, flagged %d, adequacy %s", r.Respondents, r.Flagged, r.Adequacy)
	}
	if r.Overall.CI95 == nil || float64(r.Overall.CI95[0]) > 0.85 || float64(r.Overall.CI95[1]) < 0.85 {
		t.Errorf("overall interval = %v", r.Overall.CI95)
	}
	// Fewer than 5 respondents: comments are withheld.
	if len(r.Comments) != 0 {
		t.Errorf("comments shown for 4 respondents: %v", r.Comments)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"E3":{"n":0,"na":4,"counts":[0,0,0,0,0],"satisfaction":null`) {
		t.Errorf("JSON of an unanswered question: %s", data)
	}
}

func TestAdequacyAndComments(t *testing.T) {
	in := mustReference(t)
	var rows []string
	for i := 0; i < 40; i++ {
		rows = append(rows, strings.Repeat(string(rune('3'+i%3)), 22))
	}
	comments := []string{"Một", "Hai", "Ba", "Bốn", "Năm"}
	r, err := survey.Summarise(in, survey.Group{Unit: "X", Answers: answersOf(rows...), Comments: comments}, survey.ResultOptions{Seed: 3, BootstrapReps: 300})
	if err != nil {
		t.Fatal(err)
	}
	half := (float64(r.Overall.CI95[1]) - float64(r.Overall.CI95[0])) / 2
	want := survey.AdequacyReliable
	if half > 0.10 {
		want = survey.AdequacyIndicative
	}
	if r.Adequacy != want || len(r.Comments) != 5 {
		t.Errorf("40 respondents, half-width %.3f: adequacy %s, %d comments", half, r.Adequacy, len(r.Comments))
	}
	// A stricter threshold turns the same group indicative.
	r2, _ := survey.Summarise(in, survey.Group{Unit: "X", Answers: answersOf(rows...)}, survey.ResultOptions{Seed: 3, BootstrapReps: 300, MaxHalfWidth: half / 2})
	if r2.Adequacy != survey.AdequacyIndicative {
		t.Errorf("with max half-width %.3f: %s", half/2, r2.Adequacy)
	}
	// Point estimates from counts and from raw answers agree.
	counts := map[string][6]int64{}
	for _, q := range in.Questions() {
		counts[q.Code] = [6]int64{0, 0, 0, 14, 13, 13}
	}
	fc := survey.FromCounts(in, "X", counts, 40, 0, survey.ResultOptions{})
	if !near(float64(fc.Overall.Index), float64(r.Overall.Index)) || fc.Questions["C3"] != r.Questions["C3"] {
		t.Errorf("from counts %v / %+v, from answers %v / %+v", fc.Overall.Index, fc.Questions["C3"], r.Overall.Index, r.Questions["C3"])
	}
}
