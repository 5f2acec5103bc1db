package survey_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"parindex/stats"
	"parindex/survey"
)

// groupOf builds a group from forms written as digit strings.
func groupOf(t *testing.T, in *survey.Instrument, forms ...string) survey.Group {
	t.Helper()
	g := survey.Group{Unit: "X", Answers: stats.Answers{Questions: len(in.Questions())}}
	for _, f := range forms {
		if err := g.Answers.AppendDigits(f); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// Forty identical forms used to get a zero-width "reliable" interval; now
// the interval is that of forty perfectly correlated respondents.
func TestIdenticalFormsGetAnHonestInterval(t *testing.T) {
	in := mustReference(t)
	q := len(in.Questions())
	form := strings.Repeat("4", q-3) + "233"
	forms := make([]string, 40)
	for i := range forms {
		forms[i] = form
	}
	r, err := survey.Summarise(in, groupOf(t, in, forms...), survey.ResultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ci := r.Overall.CI95
	if ci == nil || !(float64(ci[1])-float64(ci[0]) > 0.1) {
		t.Fatalf("forty identical forms: overall %v, interval %v: want one at least 10 points wide", r.Overall.Index, ci)
	}
	if r.Adequacy == survey.AdequacyReliable {
		t.Errorf("forty identical forms are %s", r.Adequacy)
	}
	for code, e := range r.Elements {
		if e.CI95 == nil || !(float64(e.CI95[1]) > float64(e.CI95[0])) {
			t.Errorf("element %s: interval %v for index %v", code, e.CI95, e.Index)
		}
	}
}

// One or two forms all at the top show no certainty.
func TestOneFormShowsNoCertainty(t *testing.T) {
	in := mustReference(t)
	top := strings.Repeat("5", len(in.Questions()))
	for _, forms := range [][]string{{top}, {top, top}} {
		r, err := survey.Summarise(in, groupOf(t, in, forms...), survey.ResultOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ci := r.Overall.CI95
		if ci == nil || float64(ci[1]) != 1 || float64(ci[0]) > 0.2 {
			t.Errorf("%d top forms: interval %v, want from at most 20%% to 100%%", len(forms), ci)
		}
		if r.Adequacy != survey.AdequacyInsufficient {
			t.Errorf("%d forms: %s", len(forms), r.Adequacy)
		}
	}
}

// Forms whose every answer is "not applicable" are forms, not respondents:
// they do not count towards the 30 of the insufficient rule.
func TestNotApplicableFormsAreNotRespondents(t *testing.T) {
	in := mustReference(t)
	q := len(in.Questions())
	var forms []string
	for range 20 {
		forms = append(forms, strings.Repeat("5", q-1)+"3")
	}
	for range 20 {
		forms = append(forms, strings.Repeat("0", q))
	}
	r, err := survey.Summarise(in, groupOf(t, in, forms...), survey.ResultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Respondents != 20 || r.Forms != 40 || r.Adequacy != survey.AdequacyInsufficient {
		t.Errorf("20 answered and 20 all-NA forms: respondents %d, forms %d, %s; want 20, 40, insufficient", r.Respondents, r.Forms, r.Adequacy)
	}
	// From counts: the respondents are at least the most answered
	// question's n, never the forms.
	counts := map[string][6]int64{}
	for code, qr := range r.Questions {
		c := qr.Counts
		counts[code] = [6]int64{int64(qr.NA), int64(c[0]), int64(c[1]), int64(c[2]), int64(c[3]), int64(c[4])}
	}
	fc := survey.FromCounts(in, "X", counts, 40, 0, survey.ResultOptions{})
	if fc.Respondents != 20 || fc.Forms != 40 || fc.Adequacy != survey.AdequacyInsufficient {
		t.Errorf("from counts: respondents %d, forms %d, %s", fc.Respondents, fc.Forms, fc.Adequacy)
	}
}

// The JSON contract: a question nobody answered has null figures and a
// null interval; complete_cases 0 is written; an element nobody answered
// has a null index and interval.
func TestResultJSONContract(t *testing.T) {
	in := mustReference(t)
	q := len(in.Questions())
	first := in.Elements[0]
	// Nobody answers the first element's questions; every form leaves the
	// last question out, so no element is complete for the last element
	// when it has several questions.
	blank := strings.Repeat("0", len(first.Questions))
	form := blank + strings.Repeat("4", q-len(first.Questions)-1) + "0"
	r, err := survey.Summarise(in, groupOf(t, in, form, form, form), survey.ResultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Questions map[string]map[string]json.RawMessage `json:"questions"`
		Elements  map[string]map[string]json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	code := first.Questions[0].Code
	for _, field := range []string{"ci95", "satisfaction", "mean", "mean100"} {
		if got := string(doc.Questions[code][field]); got != "null" {
			t.Errorf("unanswered question %s: %s = %s, want null", code, field, got)
		}
	}
	if got := string(doc.Elements[first.Code]["ci95"]); got != "null" {
		t.Errorf("unanswered element: ci95 = %s, want null", got)
	}
	last := in.Elements[len(in.Elements)-1]
	if got, ok := doc.Elements[last.Code]["complete_cases"]; !ok || string(got) != "0" {
		t.Errorf("element %s: complete_cases = %s (present %v), want 0", last.Code, got, ok)
	}

	// A record written before issue 21 still reads: [null, null] intervals,
	// an int complete_cases, no forms.
	old := `{"unit":"X","respondents":3,"flagged":0,"adequacy":"insufficient","questions":{"A1":{"n":0,"na":3,"counts":[0,0,0,0,0],"satisfaction":null,"mean":null,"mean100":null,"ci95":[0,1]}},"elements":{"E1":{"index":0.5,"ci95":[null,null],"alpha":null,"complete_cases":2}},"overall":{"index":0.5,"ci95":[0.4,0.6]}}`
	var back survey.GroupResult
	if err := json.Unmarshal([]byte(old), &back); err != nil {
		t.Fatalf("an old record does not decode: %v", err)
	}
	if e := back.Elements["E1"]; e.CompleteCases == nil || *e.CompleteCases != 2 || e.CI95 == nil || e.CI95.Defined() {
		t.Errorf("old element decoded as %+v", e)
	}
	if ci := back.Overall.CI95; ci == nil || float64(ci[0]) != 0.4 || !math.IsNaN(float64(back.Questions["A1"].Satisfaction)) {
		t.Errorf("old overall decoded as %+v", back.Overall)
	}
}

// A label from counts is never more confident than one from the answers:
// for groups whose respondents answer every question alike (the least
// information answers can carry) and for others, the widest interval the
// counts allow is at least as wide as the interval from the answers.
func TestLabelFromCountsIsNeverMoreConfident(t *testing.T) {
	in := mustReference(t)
	q := len(in.Questions())
	random := rand.New(rand.NewPCG(26, 5))
	for _, alike := range []bool{true, false} {
		for _, share := range []float64{0.6, 0.9, 0.97} {
			for _, n := range []int{30, 45, 120} {
				var forms []string
				for range n {
					row := make([]byte, q)
					level := byte('1' + random.IntN(3))
					if random.Float64() < share {
						level = byte('4' + random.IntN(2))
					}
					for j := range row {
						row[j] = level
						if !alike && random.IntN(4) == 0 {
							row[j] = byte('1' + random.IntN(5))
						}
					}
					forms = append(forms, string(row))
				}
				r, err := survey.Summarise(in, groupOf(t, in, forms...), survey.ResultOptions{BootstrapReps: 300})
				if err != nil {
					t.Fatal(err)
				}
				counts := map[string][6]int64{}
				for code, qr := range r.Questions {
					c := qr.Counts
					counts[code] = [6]int64{int64(qr.NA), int64(c[0]), int64(c[1]), int64(c[2]), int64(c[3]), int64(c[4])}
				}
				full := float64(r.Overall.CI95[1]) - float64(r.Overall.CI95[0])
				for _, maxHalf := range []float64{full/2 - 1e-9, full / 2 * 1.0001} {
					fc := survey.FromCounts(in, "X", counts, n, 0, survey.ResultOptions{MaxHalfWidth: maxHalf})
					fr, _ := survey.Summarise(in, groupOf(t, in, forms...), survey.ResultOptions{BootstrapReps: 300, MaxHalfWidth: maxHalf})
					if fr.Adequacy == survey.AdequacyIndicative && fc.Adequacy == survey.AdequacyReliable {
						t.Errorf("alike %v, share %v, n %d: reliable from counts, indicative from the answers (half-width %v)", alike, share, n, full/2)
					}
				}
			}
		}
	}
}
