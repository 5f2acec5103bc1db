package criteria

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// withoutLines returns a copy of f with every Node.Line cleared, so that
// frameworks read from differently laid-out files compare equal.
func withoutLines(f *Framework) *Framework {
	c := f.Clone()
	c.Walk(func(n *Node, _ []*Node) bool {
		n.Line = 0
		return true
	})
	return c
}

// assertRoundTrip checks read → write → read gives the same framework and
// that writing is idempotent.
func assertRoundTrip(tb testing.TB, f *Framework) {
	tb.Helper()
	first, err := Marshal(f)
	if err != nil {
		tb.Fatalf("Marshal: %v", err)
	}
	again, warnings, err := Parse("canonical.yaml", first)
	if err != nil {
		tb.Fatalf("canonical form does not parse: %v\n%s", err, first)
	}
	_ = warnings
	if !reflect.DeepEqual(withoutLines(f), withoutLines(again)) {
		tb.Fatalf("round trip changed the framework\ncanonical:\n%s", first)
	}
	second, err := Marshal(again)
	if err != nil {
		tb.Fatalf("Marshal again: %v", err)
	}
	if !bytes.Equal(first, second) {
		tb.Fatalf("Marshal is not idempotent\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	if f.Hash() != again.Hash() {
		tb.Fatal("hash changed over a round trip")
	}
}

func TestMarshalCanonicalForm(t *testing.T) {
	src := `# comments and layout do not matter
nodes:
  - name: "Chỉ đạo"
    code: "1"
    children:
      - {method: assessed, max: 1.5, name: "Báo cáo", code: "1.1", step: 0.25}
      - {code: "1.2", name: "Kế hoạch", max: 2, method: ratio, numerator: plan_tasks_done, denominator: plan_tasks_total, target: 1}
      - {code: "1.3", name: "Hồ sơ", max: 2, method: tiers, numerator: records_on_time, denominator: records_total,
         tiers: [{min: 0.98, points: 2}, {points: 1, min: 0.90}, {min: 0, points: 0}]}
      - {code: "1.4", name: "Tự chấm", max: 1.5, method: assessed, step: 0.5, missing: exclude}
      - {code: "1.5", name: "So sánh", max: 2, method: relative, numerator: records_online, denominator: records_total}
      - {code: "1.6", name: "Sáng kiến", max: 1, method: count, metric: initiatives_adopted, per_unit: 0.25}
      - {code: "1.7", name: "Công thức", max: 1, method: formula, formula: "max * records_paid_online / records_total"}
      - {code: "1.8", name: "Khảo sát", max: 3, method: survey, instrument: sipas-2026, question: q7, measure: mean100}
  - code: T
    name: "Điểm thưởng: điểm trừ"
    adjustment: true
    children:
      - {code: T.1, name: "yes", method: bonus, cap: 2}
      - {code: T.2, name: "Trừ", description: "Dòng một\ndòng hai", method: penalty, cap: 3}
bands: [{code: A, name: "Tốt", min: 90}, {code: D, name: "Yếu", min: 0.0}]
missing: zero
cap_index: 100
year: 2026
code: dt-departments-2026
agency_types: [department]
name: "Bộ chỉ số CCHC"
rounding: 2
`
	f, _, err := Parse("in.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `code: dt-departments-2026
name: Bộ chỉ số CCHC
year: 2026
agency_types: [department]
rounding: 2
cap_index: 100
missing: zero
bands:
  - {code: A, name: Tốt, min: 90}
  - {code: D, name: Yếu, min: 0}
nodes:
  - code: "1"
    name: Chỉ đạo
    children:
      - code: "1.1"
        name: Báo cáo
        max: 1.5
        method: assessed
      - code: "1.2"
        name: Kế hoạch
        max: 2
        method: ratio
        numerator: plan_tasks_done
        denominator: plan_tasks_total
      - code: "1.3"
        name: Hồ sơ
        max: 2
        method: tiers
        numerator: records_on_time
        denominator: records_total
        tiers: [{min: 0.98, points: 2}, {min: 0.9, points: 1}, {min: 0, points: 0}]
      - code: "1.4"
        name: Tự chấm
        max: 1.5
        method: assessed
        step: 0.5
        missing: exclude
      - code: "1.5"
        name: So sánh
        max: 2
        method: relative
        numerator: records_online
        denominator: records_total
      - code: "1.6"
        name: Sáng kiến
        max: 1
        method: count
        metric: initiatives_adopted
        per_unit: 0.25
      - code: "1.7"
        name: Công thức
        max: 1
        method: formula
        formula: max * records_paid_online / records_total
      - code: "1.8"
        name: Khảo sát
        max: 3
        method: survey
        instrument: sipas-2026
        question: q7
        measure: mean100
  - code: T
    name: 'Điểm thưởng: điểm trừ'
    adjustment: true
    children:
      - code: T.1
        name: "yes"
        method: bonus
        cap: 2
      - code: T.2
        name: Trừ
        description: |-
          Dòng một
          dòng hai
        method: penalty
        cap: 3
`
	if string(got) != want {
		t.Errorf("canonical form\n%s\nwant\n%s", got, want)
	}
	assertRoundTrip(t, f)
}

func TestHashIgnoresLayout(t *testing.T) {
	a := head("  - {code: \"1\", name: A, max: 1, method: ratio, numerator: a, denominator: b}\n")
	b := "# same content, other layout\n" + strings.Replace(head(`  - code: "1"
    method: ratio
    name: A
    target: 1.0
    max: 1.00
    numerator: a
    denominator: b
`), "year: 2026\n", "", 1) + "year: 2026\nrounding: 2\nmissing: zero\nsurvey_responses: clean\n"
	fa, _, err := Parse("a.yaml", []byte(a))
	if err != nil {
		t.Fatal(err)
	}
	fb, _, err := Parse("b.yaml", []byte(b))
	if err != nil {
		t.Fatal(err)
	}
	if fa.Hash() != fb.Hash() || len(fa.Hash()) != 64 {
		t.Errorf("hashes differ: %s %s", fa.Hash(), fb.Hash())
	}
	fb.Nodes[0].Name = "B"
	if fa.Hash() == fb.Hash() {
		t.Error("hash ignores a name change")
	}
	// The default survey_responses is not written, so that frameworks
	// written before the key keep their hash; another setting is.
	fb.Nodes[0].Name = "A"
	for _, r := range []SurveyResponses{ResponsesAll, ResponsesNotDoubtful} {
		fb.SurveyResponses = r
		data, err := Marshal(fb)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "\nmissing: zero\nsurvey_responses: "+string(r)+"\nbands:") || fa.Hash() == fb.Hash() {
			t.Errorf("survey_responses %s is not written in place:\n%s", r, data)
		}
		assertRoundTrip(t, fb)
	}
	if data, _ := Marshal(fa); strings.Contains(string(data), "survey_responses") {
		t.Errorf("the default survey_responses is written:\n%s", data)
	}
	var nilFramework *Framework
	if nilFramework.Hash() != "" {
		t.Error("hash of nil")
	}
}

func TestMarshalNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {2, "2"}, {0.25, "0.25"}, {89.995, "89.995"}, {1e-5, "1e-05"},
		{123456.5, "123456.5"}, {1e20, "1e+20"}, {-1.5, "-1.5"},
	} {
		if got := formatNumber(tc.in); got != tc.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	huge := 1e20
	f := mustReference(t, "service-index-766")
	f.Nodes[0].Children[0].Tiers[2].Min = 1e-5
	f.Nodes[1].Children[0].Target = 1.0 / 3
	f.CapIndex = &huge
	assertRoundTrip(t, f)
}

// TestMarshalTrickyText round-trips names and descriptions made of the
// characters YAML treats specially.
func TestMarshalTrickyText(t *testing.T) {
	pieces := []string{
		"a", "Đ", "ư", " ", "  ", "\t", "\n", "\r", "\r\n", ":", ": ", " #", "#", "-", "- ", "? ", "!", "&", "*",
		"%", "@", "`", "'", "\"", "\\", "{", "}", "[", "]", ",", "|", ">", "~", "null", "yes", "1", "0x1", "1e3",
		"\u0085", "\u2028", "\u2029", "\ufeff", "\u00a0", "\x7f", "\x01", "---", "...", "<<", "=",
	}
	base, _, err := Parse("base.yaml", []byte(head("  - code: \"1\"\n    name: A\n    children:\n      - {code: \"1.1\", name: B, max: 1, method: boolean}\n")))
	if err != nil {
		t.Fatal(err)
	}
	state := uint64(1)
	next := func(n int) int { // a fixed-seed generator keeps the test repeatable
		state = state*6364136223846793005 + 1442695040888963407
		return int(state>>33) % n
	}
	for i := 0; i < 1000; i++ {
		var b strings.Builder
		for j := next(8) + 1; j > 0; j-- {
			b.WriteString(pieces[next(len(pieces))])
		}
		text := strings.TrimSpace(b.String())
		if text == "" {
			continue
		}
		f := base.Clone()
		f.Name = text
		f.Nodes[0].Description = text + "\n" + text
		f.Bands[0].Name = text
		f.Nodes[0].Children[0].Name = text
		data, err := Marshal(f)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		again, _, err := Parse("tricky.yaml", data)
		if err != nil {
			t.Fatalf("%q: %v\n%s", text, err, data)
		}
		if again.Name != f.Name || again.Nodes[0].Description != strings.TrimSpace(f.Nodes[0].Description) ||
			again.Bands[0].Name != f.Bands[0].Name || again.Nodes[0].Children[0].Name != f.Nodes[0].Children[0].Name {
			t.Fatalf("%q changed: %q / %q\n%s", text, again.Name, again.Nodes[0].Description, data)
		}
	}
}
