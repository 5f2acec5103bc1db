package scoring

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"parindex/criteria"
)

// The example of the contract in docs/scoring.md.
const contractExample = `{"agencies": [
  {"code": "SNV", "name": "Sở Nội vụ",
   "points":  {"1.4": 1.25, "T.1": 1.5},
   "answers": {"1.1": true},
   "metrics": {"plan_tasks_done": 18, "plan_tasks_total": 20, "records_on_time": 950, "records_total": 1000},
   "survey":  {"sipas-2026": {"access": {"satisfaction": 0.84, "mean100": 77.5, "n": 120}, "overall": {"satisfaction": 0.8}}},
   "not_applicable": ["1.6"]}]}`

func TestParseInputsContractExample(t *testing.T) {
	in, err := ParseInputs([]byte(contractExample))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Agencies) != 1 {
		t.Fatalf("%d agencies", len(in.Agencies))
	}
	a := in.Agencies[0]
	access := a.Survey["sipas-2026"]["access"]
	overall := a.Survey["sipas-2026"]["overall"]
	if a.Code != "SNV" || a.Name != "Sở Nội vụ" || a.Points["1.4"] != 1.25 || a.Points["T.1"] != 1.5 || !a.Answers["1.1"] ||
		a.Metrics["records_total"] != 1000 || *access.Satisfaction != 0.84 || *access.Mean100 != 77.5 || access.N != 120 ||
		*overall.Satisfaction != 0.8 || overall.Mean100 != nil || overall.N != 0 || !slices.Equal(a.NotApplicable, []string{"1.6"}) || a.Line != 2 {
		t.Errorf("parsed %+v", a)
	}
}

func TestParseInputsErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string
	}{
		{"empty", "  \n", []string{"the inputs are empty; expected {\"agencies\": [...]}"}},
		{"syntax", "{\"agencies\": [\n  {\"code\": \"A\",}\n]}", []string{"line 2: the inputs are not valid JSON: invalid character '}' looking for beginning of object key string"}},
		{"truncated", "{\"agencies\": [\n", []string{"line 2: the inputs are not valid JSON: unexpected end of the file"}},
		{"not an object", "[1, 2]", []string{"line 1: the inputs must be a JSON object {\"agencies\": [...]}"}},
		{"no agencies", "{}", []string{"line 1, agencies: the inputs have no \"agencies\" list"}},
		{"unknown top field", "{\"agencies\": [],\n \"period\": 2026}", []string{
			"line 2, period: unknown field \"period\"; allowed fields: framework, agencies"}},
		{"agencies not a list", "{\"agencies\": {}}", []string{"line 1, agencies: agencies must be a list of objects, got {}"}},
		{"agency not an object", "{\"agencies\": [\"SNV\"]}", []string{"line 1, agency #1: each agency must be a JSON object, got \"SNV\""}},
		{"unknown agency field", "{\"agencies\": [\n {\"code\": \"SNV\",\n  \"pionts\": {}}]}", []string{
			"line 3, agency SNV, pionts: unknown field \"pionts\"; allowed fields: code, name, points, answers, metrics, survey, not_applicable"}},
		{"wrong types", `{"agencies": [{"code": "SNV",
  "points": {"1.4": "1.25", "1.5": null},
  "answers": {"1.1": "yes"},
  "metrics": [1],
  "not_applicable": "1.6"}]}`, []string{
			`line 2, agency SNV, points.1.4: points.1.4 must be a number, got "1.25"`,
			`line 2, agency SNV, points.1.5: points.1.5 must be a number, got null`,
			`line 3, agency SNV, answers.1.1: answers.1.1 must be true or false, got "yes"`,
			`line 4, agency SNV, metrics: metrics must be an object of metric name → number, got [1]`,
			`line 5, agency SNV, not_applicable: not_applicable must be a list of node codes (texts), got "1.6"`,
		}},
		{"survey", `{"agencies": [{"code": "SNV", "survey": {"sipas-2026": {
  "access": {"satisfction": 0.8},
  "result": {"n": 12.5},
  "overall": 0.8}}}]}`, []string{
			`line 2, agency SNV, survey.sipas-2026.access.satisfction: unknown field "satisfction"; allowed fields: satisfaction, mean100, n`,
			`line 3, agency SNV, survey.sipas-2026.result.n: survey.sipas-2026.result.n must be a whole number (the number of valid answers), got 12.5`,
			`line 4, agency SNV, survey.sipas-2026.overall: survey.sipas-2026.overall must be an object {satisfaction, mean100, n}, got 0.8`,
		}},
		{"repeated key", "{\"agencies\": [{\"code\": \"A\", \"points\": {\"1.1\": 1,\n \"1.1\": 2}}]}", []string{
			"line 2, 1.1: key \"1.1\" is written twice in the same object"}},
		{"code not text", `{"agencies": [{"code": 12}]}`, []string{"line 1, agency #1, code: code must be a text, got 12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseInputs([]byte(tt.json))
			if err == nil {
				t.Fatal("accepted")
			}
			ie := inputErrors(t, err)
			var got []string
			for _, e := range ie {
				got = append(got, e.Error())
				if e.MessageVI == "" {
					t.Errorf("no Vietnamese message for %q", e.Error())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Nulls for whole optional fields mean "none".
func TestParseInputsNullFields(t *testing.T) {
	in, err := ParseInputs([]byte(`{"agencies": [{"code": "A", "points": null, "answers": null, "metrics": null, "survey": null, "not_applicable": null}]}`))
	if err != nil || len(in.Agencies) != 1 || in.Agencies[0].Points != nil {
		t.Errorf("in %+v, err %v", in, err)
	}
}

// json.Unmarshal into Inputs goes through ParseInputs: unknown fields are
// refused wherever the inputs are decoded.
func TestInputsUnmarshalJSON(t *testing.T) {
	var in Inputs
	err := json.Unmarshal([]byte(`{"agencies": [{"code": "A", "extra": 1}]}`), &in)
	if err == nil || !strings.Contains(err.Error(), `unknown field "extra"`) {
		t.Errorf("err = %v", err)
	}
	if err := json.Unmarshal([]byte(contractExample), &in); err != nil || in.Agencies[0].Code != "SNV" {
		t.Errorf("err = %v", err)
	}
}

// Problems found by Score in parsed inputs carry the line of the value.
func TestScoreErrorsCarryLines(t *testing.T) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseInputs([]byte(`{"agencies": [
  {"code": "SNV",
   "points": {"2.3": 1.3},
   "metrics": {"records_total": -5},
   "survey": {"sipas-2026": {"access": {"satisfaction": 84}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Score(f, in)
	var got []string
	for _, e := range inputErrors(t, err) {
		got = append(got, e.Error())
	}
	want := []string{
		"line 3, agency SNV, node 2.3, points = 1.3: points 1.3 are not a multiple of the step 0.25; allowed: 0, 0.25, 0.5, … up to 3",
		"line 4, agency SNV, metrics.records_total = -5: metric records_total is -5; metrics are counts or amounts and cannot be negative",
		"line 5, agency SNV, survey.sipas-2026.access.satisfaction = 84: a satisfaction share must be between 0 and 1 (0.84 means 84 %)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The demo inputs score cleanly against the reference framework they are
// written for.
func TestDemoInputs(t *testing.T) {
	data, err := os.ReadFile("testdata/demo-inputs.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseInputs(data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := criteria.Reference(in.Framework)
	if err != nil {
		t.Fatal(err)
	}
	res := mustScore(t, f, in)
	if n := len(res.Agencies); n < 10 || n > 15 {
		t.Errorf("%d demo agencies, want 10–15", n)
	}
	bands := map[string]bool{}
	for _, a := range res.Agencies {
		bands[a.Band] = true
	}
	if len(bands) < 3 {
		t.Errorf("demo agencies fall in only %d bands", len(bands))
	}
}
