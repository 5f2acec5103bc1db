package survey

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// small is the base of the table test; the line numbers in the cases refer
// to it (after the case's edit).
const small = `code: small-2026
name: Khảo sát thử
year: 2026
scale:
  - {value: 1, label: Rất không hài lòng}
  - {value: 2, label: Không hài lòng}
  - {value: 3, label: Bình thường}
  - {value: 4, label: Hài lòng}
  - {value: 5, label: Rất hài lòng}
elements:
  - code: access
    name: Tiếp cận
    questions:
      - {code: A1, text: Đủ chỗ ngồi}
      - {code: A2, text: Dễ tìm quầy}
aggregation: {question: satisfaction, element: mean, overall: mean}
`

// edit returns small with old replaced by new; old must occur exactly once.
func edit(tb testing.TB, old, new string) []byte {
	tb.Helper()
	if strings.Count(small, old) != 1 {
		tb.Fatalf("edit: %q occurs %d times in small", old, strings.Count(small, old))
	}
	return []byte(strings.Replace(small, old, new, 1))
}

const secondElement = `  - code: procedure
    name: Thủ tục
    questions:
      - {code: B1, text: Niêm yết công khai}
`

func TestParseInstrumentSmall(t *testing.T) {
	in, err := ParseInstrument("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	want := &Instrument{
		Code: "small-2026",
		Name: Text{VI: "Khảo sát thử"},
		Year: 2026,
		Scale: []ScaleLevel{
			{1, Text{VI: "Rất không hài lòng"}},
			{2, Text{VI: "Không hài lòng"}},
			{3, Text{VI: "Bình thường"}},
			{4, Text{VI: "Hài lòng"}},
			{5, Text{VI: "Rất hài lòng"}},
		},
		Elements: []Element{{
			Code: "access",
			Name: Text{VI: "Tiếp cận"},
			Questions: []Question{
				{"A1", Text{VI: "Đủ chỗ ngồi"}},
				{"A2", Text{VI: "Dễ tìm quầy"}},
			},
		}},
		Aggregation: Aggregation{RuleSatisfaction, RuleMean, RuleMean},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("parsed\n%#v\nwant\n%#v", in, want)
	}
}

func TestParseInstrumentProblems(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string // the whole error text
	}{
		{
			name: "unknown top-level key",
			data: []byte(small + "colour: blue\n"),
			want: `f.yaml:17: unknown key "colour"; allowed: code, name, year, scale, not_applicable, elements, profile, comment, aggregation`,
		},
		{
			name: "unknown element key",
			data: edit(t, "    name: Tiếp cận\n", "    name: Tiếp cận\n    titel: Tiếp cận\n"),
			want: `f.yaml:13: element access: unknown key "titel"; allowed: code, name, description, questions`,
		},
		{
			name: "unknown question key",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: A2, text: Dễ tìm quầy, weight: 2}"),
			want: `f.yaml:15: question A2: unknown key "weight"; allowed: code, text`,
		},
		{
			name: "unknown text language",
			data: edit(t, "name: Khảo sát thử", "name: {vi: Khảo sát thử, fr: Enquête}"),
			want: `f.yaml:2: name: unknown key "fr"; allowed: vi, en`,
		},
		{
			name: "duplicate key",
			data: edit(t, "year: 2026\n", "year: 2026\nyear: 2027\n"),
			want: `f.yaml:4: duplicate key "year" (first at line 3)`,
		},
		{
			name: "missing instrument code",
			data: edit(t, "code: small-2026\n", ""),
			want: `f.yaml:1: missing code`,
		},
		{
			name: "null instrument code",
			data: edit(t, "code: small-2026\n", "code:\n"),
			want: `f.yaml:1: missing code`,
		},
		{
			name: "invalid instrument code",
			data: edit(t, "code: small-2026", "code: Small 2026"),
			want: `f.yaml:1: invalid code "Small 2026"; use lowercase letters, digits and "-", starting with a letter, at most 40 characters`,
		},
		{
			name: "missing name",
			data: edit(t, "name: Khảo sát thử\n", ""),
			want: `f.yaml:1: missing name`,
		},
		{
			name: "missing vi text",
			data: edit(t, "name: Khảo sát thử", "name: {en: Trial survey}"),
			want: `f.yaml:2: name: missing vi text (Vietnamese is required)`,
		},
		{
			name: "empty vi text",
			data: edit(t, "name: Khảo sát thử", "name: {vi: '  ', en: Trial survey}"),
			want: `f.yaml:2: name: missing vi text (Vietnamese is required)`,
		},
		{
			name: "missing year",
			data: edit(t, "year: 2026\n", ""),
			want: `f.yaml:1: missing year`,
		},
		{
			name: "year out of range",
			data: edit(t, "year: 2026", "year: 1999"),
			want: `f.yaml:3: year: 1999 out of range (2000..2100)`,
		},
		{
			name: "year of the wrong type",
			data: edit(t, "year: 2026", `year: "2026"`),
			want: `f.yaml:3: year: expected a whole number, got the text "2026"`,
		},
		{
			name: "name of the wrong type",
			data: edit(t, "name: Khảo sát thử", "name: [Khảo sát thử]"),
			want: `f.yaml:2: name: expected a text (a string, or a mapping with keys vi, en), got a list`,
		},
		{
			name: "vi text of the wrong type",
			data: edit(t, "name: Khảo sát thử", "name: {vi: [Khảo sát thử], en: Trial survey}"),
			want: `f.yaml:2: name: vi: expected a string, got a list`,
		},
		{
			name: "en text of the wrong type",
			data: edit(t, "name: Khảo sát thử", "name: {en: {text: Trial survey}}"),
			want: "f.yaml:2: name: en: expected a string, got a mapping\nf.yaml:2: name: missing vi text (Vietnamese is required)",
		},
		{
			name: "scale of the wrong type",
			data: edit(t, "code: small-2026\n", "code: small-2026\nscale: five\n"),
			want: "f.yaml:2: scale: expected a list, got the text \"five\"\nf.yaml:5: duplicate key \"scale\" (first at line 2)",
		},
		{
			name: "element of the wrong type",
			data: edit(t, "elements:\n", "elements:\n  - access\n"),
			want: `f.yaml:11: element 1: expected a mapping with keys code, name, description, questions, got the text "access"`,
		},
		{
			name: "scale with four levels",
			data: edit(t, "  - {value: 5, label: Rất hài lòng}\n", ""),
			want: `f.yaml:4: scale: has 4 levels; exactly 5 are required (values 1..5)`,
		},
		{
			name: "scale out of order",
			data: edit(t, "{value: 2, label: Không hài lòng}", "{value: 5, label: Không hài lòng}"),
			want: `f.yaml:6: scale level 2: value 5; the scale must list the values 1..5 in order`,
		},
		{
			name: "scale value of the wrong type",
			data: edit(t, "{value: 2, label: Không hài lòng}", "{value: 2.0, label: Không hài lòng}"),
			want: `f.yaml:6: scale level 2: value: expected a whole number, got the number 2.0`,
		},
		{
			name: "scale level without label",
			data: edit(t, "{value: 3, label: Bình thường}", "{value: 3}"),
			want: `f.yaml:7: scale level 3: missing label`,
		},
		{
			name: "missing scale",
			data: edit(t, "scale:\n  - {value: 1, label: Rất không hài lòng}\n  - {value: 2, label: Không hài lòng}\n  - {value: 3, label: Bình thường}\n  - {value: 4, label: Hài lòng}\n  - {value: 5, label: Rất hài lòng}\n", ""),
			want: `f.yaml:1: missing scale; exactly 5 levels with values 1..5 are required`,
		},
		{
			name: "not applicable without label",
			data: edit(t, "elements:\n", "not_applicable: {}\nelements:\n"),
			want: `f.yaml:10: not_applicable: missing label`,
		},
		{
			name: "missing elements",
			data: edit(t, "elements:\n  - code: access\n    name: Tiếp cận\n    questions:\n      - {code: A1, text: Đủ chỗ ngồi}\n      - {code: A2, text: Dễ tìm quầy}\n", ""),
			want: `f.yaml:1: missing elements; at least one element is required`,
		},
		{
			name: "element without code",
			data: edit(t, "  - code: access\n    name: Tiếp cận\n", "  - name: Tiếp cận\n"),
			want: `f.yaml:11: element 1: missing code`,
		},
		{
			name: "element without name",
			data: edit(t, "    name: Tiếp cận\n", ""),
			want: `f.yaml:11: element access: missing name`,
		},
		{
			name: "element description without vi text",
			data: edit(t, "    name: Tiếp cận\n", "    name: Tiếp cận\n    description: {en: Seats and signs}\n"),
			want: `f.yaml:13: element access: description: missing vi text (Vietnamese is required)`,
		},
		{
			name: "duplicate element code",
			data: []byte(small[:strings.Index(small, "aggregation")] + strings.Replace(secondElement, "procedure", "access", 1) + "aggregation: {question: satisfaction, element: mean, overall: mean}\n"),
			want: `f.yaml:16: element access: duplicate code (first at line 11)`,
		},
		{
			name: "empty element",
			data: edit(t, "    questions:\n      - {code: A1, text: Đủ chỗ ngồi}\n      - {code: A2, text: Dễ tìm quầy}\n", "    questions: []\n"),
			want: `f.yaml:13: element access: has no questions; an element needs at least one`,
		},
		{
			name: "question without code",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{text: Dễ tìm quầy}"),
			want: `f.yaml:15: element access, question 2: missing code`,
		},
		{
			name: "invalid question code",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: 2A, text: Dễ tìm quầy}"),
			want: `f.yaml:15: element access, question 2: invalid code "2A"; use letters, digits, "_" and "-", starting with a letter, at most 40 characters`,
		},
		{
			name: "question without text",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: A2}"),
			want: `f.yaml:15: question A2: missing text`,
		},
		{
			name: "question text without vi",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: A2, text: {en: Easy to find the counter}}"),
			want: `f.yaml:15: question A2: text: missing vi text (Vietnamese is required)`,
		},
		{
			name: "duplicate question code",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: A1, text: Dễ tìm quầy}"),
			want: `f.yaml:15: question A1: duplicate code (first at line 14)`,
		},
		{
			name: "duplicate question code differing in case",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: a1, text: Dễ tìm quầy}"),
			want: `f.yaml:15: question a1: duplicate code: same as "A1" at line 14, ignoring case`,
		},
		{
			name: "duplicate question code across elements",
			data: []byte(small[:strings.Index(small, "aggregation")] + strings.Replace(secondElement, "B1", "A2", 1) + "aggregation: {question: satisfaction, element: mean, overall: mean}\n"),
			want: `f.yaml:19: question A2: duplicate code (first at line 15)`,
		},
		{
			name: "reserved question code",
			data: edit(t, "{code: A2, text: Dễ tìm quầy}", "{code: Date, text: Dễ tìm quầy}"),
			want: `f.yaml:15: question Date: code "Date" is reserved for a column of the paper-form CSV (unit, date, comment)`,
		},
		{
			name: "profile code used by a question",
			data: []byte(small + "profile:\n  - code: A1\n    text: Giới tính\n    choices: [{code: male, label: Nam}, {code: female, label: Nữ}]\n"),
			want: `f.yaml:18: profile A1: duplicate code (first at line 14)`,
		},
		{
			name: "duplicate profile code",
			data: []byte(small + "profile:\n" +
				"  - {code: gender, text: Giới tính, choices: [{code: male, label: Nam}, {code: female, label: Nữ}]}\n" +
				"  - {code: gender, text: Độ tuổi, choices: [{code: young, label: Dưới 30}, {code: old, label: Từ 30}]}\n"),
			want: `f.yaml:19: profile gender: duplicate code (first at line 18)`,
		},
		{
			name: "profile with one choice",
			data: []byte(small + "profile:\n  - {code: gender, text: Giới tính, choices: [{code: male, label: Nam}]}\n"),
			want: `f.yaml:18: profile gender: needs at least 2 choices, has 1`,
		},
		{
			name: "duplicate profile choice",
			data: []byte(small + "profile:\n  - code: gender\n    text: Giới tính\n    choices:\n      - {code: male, label: Nam}\n      - {code: male, label: Nữ}\n"),
			want: `f.yaml:22: profile gender, choice male: duplicate code (first at line 21)`,
		},
		{
			name: "profile choice without label",
			data: []byte(small + "profile:\n  - code: gender\n    text: Giới tính\n    choices:\n      - {code: male, label: Nam}\n      - {code: female}\n"),
			want: `f.yaml:22: profile gender, choice female: missing label`,
		},
		{
			name: "comment max_length too large",
			data: []byte(small + "comment: {label: Ý kiến khác, max_length: 6000}\n"),
			want: `f.yaml:17: comment: max_length 6000 out of range (1..5000)`,
		},
		{
			name: "comment max_length zero",
			data: []byte(small + "comment:\n  label: Ý kiến khác\n  max_length: 0\n"),
			want: `f.yaml:19: comment: max_length 0 out of range (1..5000)`,
		},
		{
			name: "comment without label",
			data: []byte(small + "comment: {max_length: 500}\n"),
			want: `f.yaml:17: comment: missing label`,
		},
		{
			name: "unknown question rule",
			data: edit(t, "question: satisfaction", "question: median"),
			want: `f.yaml:16: aggregation: question: unknown rule "median"; allowed: satisfaction, mean100`,
		},
		{
			name: "unknown element rule",
			data: edit(t, "element: mean", "element: sum"),
			want: `f.yaml:16: aggregation: element: unknown rule "sum"; allowed: mean`,
		},
		{
			name: "missing overall rule",
			data: edit(t, ", overall: mean", ""),
			want: `f.yaml:16: aggregation: missing overall; allowed: mean`,
		},
		{
			name: "missing aggregation",
			data: edit(t, "aggregation: {question: satisfaction, element: mean, overall: mean}\n", ""),
			want: `f.yaml:1: missing aggregation; write question: satisfaction|mean100, element: mean, overall: mean`,
		},
		{
			name: "control character in a text",
			data: edit(t, "name: Khảo sát thử", `name: "Khảo sát\athử"`),
			want: `f.yaml:2: name: vi: control character U+0007 not allowed`,
		},
		{
			name: "anchor",
			data: edit(t, "name: Khảo sát thử", "name: &title Khảo sát thử"),
			want: `f.yaml:2: anchors and aliases (&, *) are not supported; write the value out`,
		},
		{
			name: "top level is a list",
			data: []byte("- code: small-2026\n"),
			want: `f.yaml:1: instrument: expected a mapping with keys code, name, year, scale, not_applicable, elements, profile, comment, aggregation, got a list`,
		},
		{
			name: "invalid YAML",
			data: edit(t, "year: 2026", "year: [2026"),
			want: `f.yaml:3: invalid YAML: did not find expected ',' or ']'`,
		},
		{
			name: "invalid YAML, block mapping",
			data: edit(t, "elements:\n", "- stray\nelements:\n"),
			want: `f.yaml:10: invalid YAML: did not find expected key`,
		},
		{
			name: "invalid YAML, scanner error",
			data: edit(t, "year: 2026", "year: 2026: 2027"),
			want: `f.yaml:3: invalid YAML: mapping values are not allowed in this context`,
		},
		{
			name: "empty file",
			data: []byte("# nothing yet\n"),
			want: `f.yaml: empty file; expected an instrument`,
		},
		{
			name: "two documents",
			data: []byte(small + "---\ncode: other-2026\n"),
			want: `f.yaml:17: only one YAML document is allowed`,
		},
		{
			name: "file too large",
			data: bytes.Repeat([]byte("#"), MaxInstrumentSize+1),
			want: `f.yaml: file too large: 1048577 bytes; at most 1048576`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInstrument("f.yaml", tt.data)
			if err == nil {
				t.Fatalf("no error; want\n%s", tt.want)
			}
			if in != nil {
				t.Errorf("instrument returned with an error")
			}
			var instrumentErr *InstrumentError
			if !errors.As(err, &instrumentErr) {
				t.Fatalf("error %T, want *InstrumentError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestParseInstrumentCollectsAllProblems checks that one pass reports every
// problem of a badly broken file, ordered by line.
func TestParseInstrumentCollectsAllProblems(t *testing.T) {
	data := readFile(t, "testdata/broken.yaml")
	_, err := ParseInstrument("broken.yaml", data)
	want := strings.Join([]string{
		`broken.yaml:1: invalid code "Broken 2026"; use lowercase letters, digits and "-", starting with a letter, at most 40 characters`,
		`broken.yaml:2: name: missing vi text (Vietnamese is required)`,
		`broken.yaml:3: year: expected a whole number, got the text "2026"`,
		`broken.yaml:4: scale: has 4 levels; exactly 5 are required (values 1..5)`,
		`broken.yaml:6: scale level 2: value 3; the scale must list the values 1..5 in order`,
		`broken.yaml:7: scale level 3: value 2; the scale must list the values 1..5 in order`,
		`broken.yaml:8: scale level 4: missing label`,
		`broken.yaml:9: not_applicable: missing label`,
		`broken.yaml:13: element access: has no questions; an element needs at least one`,
		`broken.yaml:14: element access: duplicate code (first at line 11)`,
		`broken.yaml:14: element access: missing name`,
		`broken.yaml:15: element access: unknown key "title"; allowed: code, name, description, questions`,
		`broken.yaml:18: question a1: duplicate code: same as "A1" at line 17, ignoring case`,
		`broken.yaml:18: question a1: text: missing vi text (Vietnamese is required)`,
		`broken.yaml:19: question unit: code "unit" is reserved for a column of the paper-form CSV (unit, date, comment)`,
		`broken.yaml:23: profile gender: needs at least 2 choices, has 1`,
		`broken.yaml:25: comment: max_length 6000 out of range (1..5000)`,
		`broken.yaml:26: aggregation: question: unknown rule "median"; allowed: satisfaction, mean100`,
		`broken.yaml:26: aggregation: missing overall; allowed: mean`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
	var instrumentErr *InstrumentError
	if errors.As(err, &instrumentErr) && len(instrumentErr.Problems) != strings.Count(want, "\n")+1 {
		t.Errorf("%d problems, want %d", len(instrumentErr.Problems), strings.Count(want, "\n")+1)
	}
}

func TestTextForms(t *testing.T) {
	// A plain string is Vietnamese; a mapping may add English; white space
	// around a text is dropped.
	plain, err := ParseInstrument("plain.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := ParseInstrument("mapped.yaml", edit(t, "name: Khảo sát thử", "name:\n  vi: \"  Khảo sát thử \"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Name != (Text{VI: "Khảo sát thử"}) || !reflect.DeepEqual(plain, mapped) {
		t.Errorf("plain %#v and mapped %#v differ", plain.Name, mapped.Name)
	}
	if plain.Hash() != mapped.Hash() {
		t.Errorf("layout changed the hash")
	}
	both, err := ParseInstrument("both.yaml", edit(t, "name: Khảo sát thử", "name: {vi: Khảo sát thử, en: Trial survey}"))
	if err != nil {
		t.Fatal(err)
	}
	if both.Name != (Text{VI: "Khảo sát thử", EN: "Trial survey"}) {
		t.Errorf("name %#v", both.Name)
	}
	if both.Hash() == plain.Hash() {
		t.Errorf("English text did not change the hash")
	}
}

func TestCommentDefaultMaxLength(t *testing.T) {
	in, err := ParseInstrument("c.yaml", []byte(small+"comment:\n  label: Ý kiến khác\n"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Comment == nil || in.Comment.MaxLength != DefaultCommentMaxLength {
		t.Errorf("comment %+v, want max_length %d", in.Comment, DefaultCommentMaxLength)
	}
	out, err := MarshalInstrument(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("max_length: 1000")) {
		t.Errorf("canonical form does not spell out max_length:\n%s", out)
	}
}

func TestReferenceInstrumentSIPAS2026(t *testing.T) {
	in, err := ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	if in.Code != "sipas-2026" || in.Year != 2026 {
		t.Errorf("code %q year %d", in.Code, in.Year)
	}
	var elementCodes []string
	for _, element := range in.Elements {
		elementCodes = append(elementCodes, element.Code)
		if element.Description.VI == "" || element.Description.EN == "" {
			t.Errorf("element %s: description needs vi and en", element.Code)
		}
	}
	if want := []string{"access", "procedure", "civil_servant", "result", "feedback"}; !reflect.DeepEqual(elementCodes, want) {
		t.Errorf("elements %v, want %v", elementCodes, want)
	}
	var questionCodes []string
	for _, question := range in.Questions() {
		questionCodes = append(questionCodes, question.Code)
		// A citizen reads each question in a few seconds on a phone.
		if n := utf8.RuneCountInString(question.Text.VI); n > 60 {
			t.Errorf("question %s: %d characters; keep it under 60", question.Code, n)
		}
		if question.Text.EN == "" {
			t.Errorf("question %s: no English text", question.Code)
		}
	}
	wantQuestions := "A1 A2 A3 A4 B1 B2 B3 B4 B5 C1 C2 C3 C4 C5 D1 D2 D3 D4 D5 E1 E2 E3"
	if got := strings.Join(questionCodes, " "); got != wantQuestions {
		t.Errorf("questions %s, want %s", got, wantQuestions)
	}
	labels := []string{"Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"}
	for i, level := range in.Scale {
		if level.Value != i+1 || level.Label.VI != labels[i] || level.Label.EN == "" {
			t.Errorf("scale level %d: %+v", i+1, level)
		}
	}
	if in.NotApplicable == nil || in.NotApplicable.Label.VI != "Không áp dụng / Không biết" {
		t.Errorf("not applicable %+v", in.NotApplicable)
	}
	var profileCodes []string
	for _, question := range in.Profile {
		profileCodes = append(profileCodes, question.Code)
	}
	if want := []string{"gender", "age_group", "respondent_type", "channel"}; !reflect.DeepEqual(profileCodes, want) {
		t.Errorf("profile %v, want %v", profileCodes, want)
	}
	if in.Comment == nil || in.Comment.MaxLength != 1000 {
		t.Errorf("comment %+v", in.Comment)
	}
	if in.Aggregation != (Aggregation{RuleSatisfaction, RuleMean, RuleMean}) {
		t.Errorf("aggregation %+v", in.Aggregation)
	}
	if err := in.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// The reference files are stored in canonical form, so Hash is simply the
// SHA-256 of the file and a reviewer can check it with sha256sum.
func TestReferenceFilesAreCanonical(t *testing.T) {
	codes := ReferenceInstruments()
	if !reflect.DeepEqual(codes, []string{"sipas-2026"}) {
		t.Errorf("ReferenceInstruments() = %v", codes)
	}
	for _, code := range codes {
		data, err := referenceFiles.ReadFile("reference/" + code + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		in, err := ReferenceInstrument(code)
		if err != nil {
			t.Fatal(err)
		}
		if in.Code != code {
			t.Errorf("file %s.yaml holds code %q", code, in.Code)
		}
		out, err := MarshalInstrument(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s.yaml is not in canonical form; canonical:\n%s", code, out)
		}
		sum := sha256.Sum256(data)
		if in.Hash() != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: Hash %s is not the SHA-256 of the file", code, in.Hash())
		}
	}
}

func TestReferenceInstrumentUnknown(t *testing.T) {
	for _, code := range []string{"", "sipas-1999", "../reference/sipas-2026", "SIPAS-2026"} {
		if _, err := ReferenceInstrument(code); err == nil || !strings.Contains(err.Error(), "available: sipas-2026") {
			t.Errorf("ReferenceInstrument(%q) error %v", code, err)
		}
	}
}

func TestReferenceInstrumentIsAFreshCopy(t *testing.T) {
	first, err := ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	first.Elements[0].Questions[0].Text.VI = "changed"
	second, err := ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	if second.Elements[0].Questions[0].Text.VI == "changed" {
		t.Error("a caller's change leaked into the next ReferenceInstrument")
	}
}

func TestQuestionLookups(t *testing.T) {
	in, err := ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	if q, ok := in.QuestionByCode("C5"); !ok || q.Text.VI != "Công chức không gợi ý nộp thêm tiền ngoài quy định" {
		t.Errorf("QuestionByCode(C5) = %+v, %v", q, ok)
	}
	if q, ok := in.QuestionByCode("d1"); !ok || q.Code != "D1" {
		t.Errorf("QuestionByCode(d1) = %+v, %v; lookups ignore case", q, ok)
	}
	if _, ok := in.QuestionByCode("Z9"); ok {
		t.Error("QuestionByCode(Z9) found a question")
	}
	if _, ok := in.QuestionByCode("gender"); ok {
		t.Error("QuestionByCode found a profile question")
	}
	for code, want := range map[string]string{"A1": "access", "B5": "procedure", "C1": "civil_servant", "D5": "result", "E3": "feedback"} {
		if element, ok := in.ElementOf(code); !ok || element.Code != want {
			t.Errorf("ElementOf(%s) = %s, %v; want %s", code, element.Code, ok, want)
		}
	}
	if _, ok := in.ElementOf("Z9"); ok {
		t.Error("ElementOf(Z9) found an element")
	}
	if n := len(in.Questions()); n != 22 {
		t.Errorf("%d questions, want 22", n)
	}
}

func TestValidateInstrumentBuiltInCode(t *testing.T) {
	in := &Instrument{
		Code:  "built-2026",
		Name:  Text{VI: " Khảo sát"},
		Year:  2026,
		Scale: []ScaleLevel{{1, Text{VI: "1"}}, {2, Text{VI: "2"}}, {3, Text{VI: "3"}}, {4, Text{VI: "4"}}, {5, Text{VI: "5"}}},
		Elements: []Element{{
			Code:      "access",
			Name:      Text{VI: "Tiếp cận"},
			Questions: []Question{{"A1", Text{VI: "Đủ chỗ"}}, {"A1", Text{VI: "Đủ bàn"}}},
		}},
		Comment:     &CommentField{Label: Text{VI: "Ý kiến"}},
		Aggregation: Aggregation{RuleMean100, RuleMean, RuleMean},
	}
	want := strings.Join([]string{
		"name: vi: leading or trailing white space",
		"question A1: duplicate code",
		"comment: max_length 0 out of range (1..5000)",
	}, "\n")
	err := in.Validate()
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = \n%v\nwant\n%s", err, want)
	}
	if _, err := MarshalInstrument(in); err == nil {
		t.Error("MarshalInstrument wrote an invalid instrument")
	}
}

func TestRoundTrip(t *testing.T) {
	files := map[string][]byte{
		"small.yaml":   []byte(small),
		"minimal.yaml": readFile(t, "testdata/minimal.yaml"),
	}
	reference, err := referenceFiles.ReadFile("reference/sipas-2026.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files["sipas-2026.yaml"] = reference
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			checkRoundTrip(t, name, data)
		})
	}
}

// checkRoundTrip parses data (which must be valid), writes it, reads it back
// and writes it again: the instruments must be equal and the writes identical.
func checkRoundTrip(t *testing.T, name string, data []byte) {
	t.Helper()
	first, err := ParseInstrument(name, data)
	if err != nil {
		t.Fatal(err)
	}
	written, err := MarshalInstrument(first)
	if err != nil {
		t.Fatalf("MarshalInstrument of a parsed instrument: %v", err)
	}
	second, err := ParseInstrument("canonical.yaml", written)
	if err != nil {
		t.Fatalf("canonical form does not parse: %v\n%s", err, written)
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("round trip changed the instrument\nbefore %#v\nafter  %#v\ncanonical:\n%s", first, second, written)
	}
	rewritten, err := MarshalInstrument(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, rewritten) {
		t.Fatalf("canonical writer is not idempotent\nfirst:\n%s\nsecond:\n%s", written, rewritten)
	}
	if first.Hash() != second.Hash() {
		t.Fatalf("hash changed over a round trip")
	}
}

func FuzzParseInstrument(f *testing.F) {
	f.Add([]byte(small))
	f.Add(readFile(f, "testdata/minimal.yaml"))
	f.Add(readFile(f, "testdata/broken.yaml"))
	if reference, err := referenceFiles.ReadFile("reference/sipas-2026.yaml"); err == nil {
		f.Add(reference)
	}
	f.Add([]byte("code: a\nname: &x b\nyear: *x\n"))
	f.Add([]byte("{code: x-1, name: {vi: \"\\t\"}, year: 0x7e0}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInstrument("fuzz.yaml", data)
		if err != nil {
			var instrumentErr *InstrumentError
			if !errors.As(err, &instrumentErr) || len(instrumentErr.Problems) == 0 {
				t.Fatalf("error %T %v is not an *InstrumentError with problems", err, err)
			}
			return
		}
		checkRoundTrip(t, "fuzz.yaml", data)
		_ = in
	})
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestFuzzSeedCorpus keeps the hand-written seeds meaningful: two of them
// must parse (so the fuzzer starts from the round-trip path) and one must not.
func TestFuzzSeedCorpus(t *testing.T) {
	for name, wantValid := range map[string]bool{
		"seed-plain-texts":         true,
		"seed-flow-both-languages": true,
		"seed-broken-codes":        false,
	} {
		raw := string(readFile(t, "testdata/fuzz/FuzzParseInstrument/"+name))
		header, literal, _ := strings.Cut(raw, "\n")
		literal = strings.TrimSpace(literal)
		if header != "go test fuzz v1" || !strings.HasPrefix(literal, "[]byte(") || !strings.HasSuffix(literal, ")") {
			t.Fatalf("%s: not in the go test fuzz v1 format", name)
		}
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(literal, "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = ParseInstrument(name, []byte(data))
		if (err == nil) != wantValid {
			t.Errorf("%s: valid = %v, want %v (error: %v)", name, err == nil, wantValid, err)
		}
	}
}

// TestDocumentedExample keeps the example in docs/survey-format.md valid.
func TestDocumentedExample(t *testing.T) {
	doc := string(readFile(t, "../docs/survey-format.md"))
	_, rest, found := strings.Cut(doc, "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !found || !closed {
		t.Fatal("no ```yaml block in docs/survey-format.md")
	}
	in, err := ParseInstrument("survey-format.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if in.Elements[0].Description.EN != "Waiting area, equipment and signs." || in.Profile[0].Choices[2].Code != "other" {
		t.Errorf("example parsed as %+v", in)
	}
	checkRoundTrip(t, "survey-format.md", []byte(example))
}
