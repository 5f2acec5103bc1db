package survey

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validate checks an instrument built in code against the same rules as
// ParseInstrument. Its problems carry no line numbers.
func (in *Instrument) Validate() error {
	v := &validator{}
	v.instrument(in)
	return problemsError("", v.problems)
}

// Problem is one finding about an instrument file. Line is 0 when the
// problem has no position (an instrument built in code, an empty file).
type Problem struct {
	Line    int
	Message string
}

// InstrumentError lists every problem found in one instrument file.
type InstrumentError struct {
	File     string
	Problems []Problem
}

// Error formats one problem a line, as FILE:LINE: message.
func (e *InstrumentError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case e.File != "" && p.Line > 0:
			fmt.Fprintf(&b, "%s:%d: ", e.File, p.Line)
		case e.File != "":
			fmt.Fprintf(&b, "%s: ", e.File)
		case p.Line > 0:
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

func problemsError(file string, problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return &InstrumentError{File: file, Problems: problems}
}

// validator applies the rules that do not depend on YAML syntax. lines and
// bad come from the decoder; both are empty for an instrument built in code.
type validator struct {
	problems []Problem
	lines    map[string]int
	bad      map[string]bool
}

// line finds the line of path or, failing that, of its nearest ancestor:
// a missing key is reported where its parent is.
func (v *validator) line(path string) int {
	for {
		if line, ok := v.lines[path]; ok {
			return line
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// isBad reports whether path or one of its ancestors had the wrong type;
// the decoder has already said so, and "missing …" would only add noise.
func (v *validator) isBad(path string) bool {
	for {
		if v.bad[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

func (v *validator) addf(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Line: v.line(path), Message: fmt.Sprintf(format, args...)})
}

// firstSeen remembers codes, keyed without regard to case, for duplicate checks.
type firstSeen map[string]seenCode

type seenCode struct {
	code string // as first written
	path string
}

// duplicate reports code if an earlier item used it; else remembers it.
func (v *validator) duplicate(seen firstSeen, path, label, code string) {
	key := strings.ToLower(code)
	first, dup := seen[key]
	if !dup {
		seen[key] = seenCode{code, path}
		return
	}
	line := v.line(first.path)
	switch {
	case first.code != code && line > 0:
		v.addf(path, "%s: duplicate code: same as %q at line %d, ignoring case", label, first.code, line)
	case first.code != code:
		v.addf(path, "%s: duplicate code: same as %q, ignoring case", label, first.code)
	case line > 0:
		v.addf(path, "%s: duplicate code (first at line %d)", label, line)
	default:
		v.addf(path, "%s: duplicate code", label)
	}
}

// code checks a code; it reports false when the code is missing or invalid.
func (v *validator) code(path, label, code string, valid func(string) bool, rule string) bool {
	if v.isBad(path) {
		return false
	}
	if code == "" {
		v.addf(path, "%smissing code", prefix(label))
		return false
	}
	if !valid(code) {
		v.addf(path, "%sinvalid code %q; %s", prefix(label), code, rule)
		return false
	}
	return true
}

// text checks a text field; field is its key, as in "name".
func (v *validator) text(path, label, field string, t Text, required bool) {
	if v.isBad(path) {
		return
	}
	where := prefix(label) + field
	if t.VI == "" && !v.bad[join(path, "vi")] {
		if t.EN == "" && !v.bad[join(path, "en")] {
			if required {
				v.addf(path, "%smissing %s", prefix(label), field)
			}
			return
		}
		v.addf(join(path, "vi"), "%s: missing vi text (Vietnamese is required)", where)
	}
	for _, lang := range []struct{ key, value string }{{"vi", t.VI}, {"en", t.EN}} {
		if problem := textProblem(lang.value); problem != "" {
			v.addf(join(path, lang.key), "%s: %s: %s", where, lang.key, problem)
		}
	}
}

// textProblem refuses characters that cannot show on a form and would not
// survive a YAML round trip (line breaks other than \n become \n).
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if s != strings.TrimSpace(s) {
		return "leading or trailing white space"
	}
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\n') || r == '\u2028' || r == '\u2029' {
			return fmt.Sprintf("control character %U not allowed", r)
		}
	}
	return ""
}

// rule checks an aggregation rule.
func (v *validator) rule(path, field string, r Rule, allowed []Rule) {
	if v.isBad(path) {
		return
	}
	if r == "" {
		v.addf(path, "aggregation: missing %s; allowed: %s", field, joinRules(allowed))
		return
	}
	if !slices.Contains(allowed, r) {
		v.addf(path, "aggregation: %s: unknown rule %q; allowed: %s", field, string(r), joinRules(allowed))
	}
}

func joinRules(rules []Rule) string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Reserved codes are the fixed columns of the paper-form CSV; a question or
// profile code of the same name would make a header ambiguous.
var reservedCodes = []string{"unit", "date", "comment"}

const (
	instrumentCodeRule = `use lowercase letters, digits and "-", starting with a letter, at most 40 characters`
	codeRule           = `use letters, digits, "_" and "-", starting with a letter, at most 40 characters`
)

// validInstrumentCode: lowercase, so codes read the same in URLs, file
// names and QR links (e.g. sipas-2026).
func validInstrumentCode(code string) bool {
	return validCodeWith(code, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

func validCode(code string) bool {
	return validCodeWith(code, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' })
}

func validCodeWith(code string, letter func(rune) bool) bool {
	if code == "" || len(code) > maxCodeLength {
		return false
	}
	for i, r := range code {
		switch {
		case letter(r) && r != '_':
		case i > 0 && (letter(r) || r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return true
}

func (v *validator) instrument(in *Instrument) {
	v.code("code", "", in.Code, validInstrumentCode, instrumentCodeRule)
	v.text("name", "", "name", in.Name, true)
	switch {
	case v.isBad("year"):
	case in.Year == 0:
		v.addf("year", "missing year")
	case in.Year < minYear || in.Year > maxYear:
		v.addf("year", "year: %d out of range (%d..%d)", in.Year, minYear, maxYear)
	}
	v.scale(in.Scale)
	if in.NotApplicable != nil {
		v.text("not_applicable.label", "not_applicable", "label", in.NotApplicable.Label, true)
	}

	// Question and profile codes share one namespace: both name CSV columns
	// and answers in storage.
	answerCodes := firstSeen{}
	elementCodes := firstSeen{}
	if len(in.Elements) == 0 && !v.isBad("elements") {
		v.addf("elements", "missing elements; at least one element is required")
	}
	for i, element := range in.Elements {
		path := index("elements", i)
		if v.isBad(path) {
			continue
		}
		label := elementLabel(i, element.Code)
		if v.code(join(path, "code"), label, element.Code, validCode, codeRule) {
			v.duplicate(elementCodes, join(path, "code"), label, element.Code)
		}
		v.text(join(path, "name"), label, "name", element.Name, true)
		v.text(join(path, "description"), label, "description", element.Description, false)
		questionsPath := join(path, "questions")
		if len(element.Questions) == 0 && !v.isBad(questionsPath) {
			v.addf(questionsPath, "%s: has no questions; an element needs at least one", label)
		}
		for j, question := range element.Questions {
			qPath := index(questionsPath, j)
			if v.isBad(qPath) {
				continue
			}
			qLabel := questionLabel(label, j, question.Code)
			v.answerCode(answerCodes, join(qPath, "code"), qLabel, question.Code)
			v.text(join(qPath, "text"), qLabel, "text", question.Text, true)
		}
	}

	for i, question := range in.Profile {
		path := index("profile", i)
		if v.isBad(path) {
			continue
		}
		label := profileLabel(i, question.Code)
		v.answerCode(answerCodes, join(path, "code"), label, question.Code)
		v.text(join(path, "text"), label, "text", question.Text, true)
		choicesPath := join(path, "choices")
		if len(question.Choices) < minChoices && !v.isBad(choicesPath) {
			v.addf(choicesPath, "%s: needs at least %d choices, has %d", label, minChoices, len(question.Choices))
		}
		choiceCodes := firstSeen{}
		for j, choice := range question.Choices {
			cPath := index(choicesPath, j)
			if v.isBad(cPath) {
				continue
			}
			cLabel := choiceLabel(label, j, choice.Code)
			if v.code(join(cPath, "code"), cLabel, choice.Code, validCode, codeRule) {
				v.duplicate(choiceCodes, join(cPath, "code"), cLabel, choice.Code)
			}
			v.text(join(cPath, "label"), cLabel, "label", choice.Label, true)
		}
	}

	if c := in.Comment; c != nil && !v.isBad("comment") {
		v.text("comment.label", "comment", "label", c.Label, true)
		if !v.isBad("comment.max_length") && (c.MaxLength < 1 || c.MaxLength > MaxCommentMaxLength) {
			v.addf("comment.max_length", "comment: max_length %d out of range (1..%d)", c.MaxLength, MaxCommentMaxLength)
		}
	}

	_, aggregationGiven := v.lines["aggregation"]
	switch {
	case v.isBad("aggregation"):
	case !aggregationGiven && in.Aggregation == Aggregation{}:
		v.addf("aggregation", "missing aggregation; write question: %s|%s, element: %s, overall: %s",
			RuleSatisfaction, RuleMean100, RuleMean, RuleMean)
	default:
		v.rule("aggregation.question", "question", in.Aggregation.Question, questionRules)
		v.rule("aggregation.element", "element", in.Aggregation.Element, meanRules)
		v.rule("aggregation.overall", "overall", in.Aggregation.Overall, meanRules)
	}
}

// answerCode checks a question or profile code: valid, not reserved, unique.
func (v *validator) answerCode(seen firstSeen, path, label, code string) {
	if !v.code(path, label, code, validCode, codeRule) {
		return
	}
	if slices.Contains(reservedCodes, strings.ToLower(code)) {
		v.addf(path, "%s: code %q is reserved for a column of the paper-form CSV (%s)", label, code, strings.Join(reservedCodes, ", "))
		return
	}
	v.duplicate(seen, path, label, code)
}

func (v *validator) scale(levels []ScaleLevel) {
	if v.isBad("scale") {
		return
	}
	if len(levels) == 0 {
		v.addf("scale", "missing scale; exactly %d levels with values 1..%d are required", ScaleLevels, ScaleLevels)
		return
	}
	if len(levels) != ScaleLevels {
		v.addf("scale", "scale: has %d levels; exactly %d are required (values 1..%d)", len(levels), ScaleLevels, ScaleLevels)
	}
	for i, level := range levels {
		path := index("scale", i)
		if v.isBad(path) {
			continue
		}
		label := fmt.Sprintf("scale level %d", i+1)
		switch valuePath := join(path, "value"); {
		case v.isBad(valuePath):
		case level.Value == 0:
			v.addf(valuePath, "%s: missing value", label)
		case level.Value != i+1:
			v.addf(valuePath, "%s: value %d; the scale must list the values 1..%d in order", label, level.Value, ScaleLevels)
		}
		v.text(join(path, "label"), label, "label", level.Label, true)
	}
}
