package survey

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits and defaults of the instrument format (docs/survey-format.md).
const (
	// ScaleLevels is the number of points of the answer scale; values run 1..ScaleLevels.
	ScaleLevels = 5
	// SatisfiedFrom is the lowest scale value that counts as satisfied for RuleSatisfaction.
	SatisfiedFrom = 4
	// DefaultCommentMaxLength applies when the comment block omits max_length.
	DefaultCommentMaxLength = 1000
	// MaxCommentMaxLength is the largest max_length an instrument may set.
	MaxCommentMaxLength = 5000
	// MaxInstrumentSize bounds the YAML file; real instruments are a few kilobytes.
	MaxInstrumentSize = 1 << 20
	// maxCodeLength keeps codes usable as CSV headers and URL parts.
	maxCodeLength = 40
	minYear       = 2000
	maxYear       = 2100
	minChoices    = 2
)

// Rule names an aggregation step.
type Rule string

// Aggregation rules. A question index is RuleSatisfaction (share of valid
// answers at SatisfiedFrom or above, in percent) or RuleMean100 (mean answer
// rescaled to 0..100 as (mean−1)/4×100); element and overall indices are
// RuleMean of the level below.
const (
	RuleSatisfaction Rule = "satisfaction"
	RuleMean100      Rule = "mean100"
	RuleMean         Rule = "mean"
)

var (
	questionRules = []Rule{RuleSatisfaction, RuleMean100}
	meanRules     = []Rule{RuleMean}
)

// Text is a user-visible text: Vietnamese is required, English optional.
type Text struct {
	VI string
	EN string
}

// Instrument is one version of a survey questionnaire. Once published it is
// immutable: any edit makes a new Code. Treat a parsed Instrument as
// read-only; the slices are shared with the values its helpers return.
// Build one in code completely before calling its methods (Questions keeps
// its first answer), and pass it by pointer.
type Instrument struct {
	Code          string
	Name          Text
	Year          int
	Scale         []ScaleLevel
	NotApplicable *NotApplicable // nil: the form offers no "not applicable" choice
	Elements      []Element
	Profile       []ProfileQuestion // never scored
	Comment       *CommentField     // nil: no free-text comment
	Aggregation   Aggregation

	// questions is the flat list Questions returns, built on its first
	// call: every submitted form asks for it several times. It is built
	// lazily, not by ParseInstrument, so that a parsed instrument still
	// equals one written out in code (reflect.DeepEqual in tests).
	questionsOnce sync.Once
	questions     []Question
}

// ScaleLevel is one point of the answer scale.
type ScaleLevel struct {
	Value int
	Label Text
}

// NotApplicable is the "not applicable / don't know" choice. It is never a
// scale point: such an answer leaves the denominator of every index.
type NotApplicable struct {
	Label Text
}

// Element groups the questions about one aspect of the service (yếu tố).
type Element struct {
	Code        string
	Name        Text
	Description Text // optional; zero when absent
	Questions   []Question
}

// Question is one scored item, answered on the scale.
type Question struct {
	Code string
	Text Text
}

// ProfileQuestion describes the respondent (gender, age group, …); it is
// never scored.
type ProfileQuestion struct {
	Code    string
	Text    Text
	Choices []Choice
}

// Choice is one answer of a profile question.
type Choice struct {
	Code  string
	Label Text
}

// CommentField is the optional free-text comment.
type CommentField struct {
	Label     Text
	MaxLength int // in characters (Unicode code points)
}

// Aggregation says how answers become question, element and overall indices.
type Aggregation struct {
	Question Rule
	Element  Rule
	Overall  Rule
}

// Questions returns every scored question, element by element, in order.
// The slice is built once and shared by every caller: do not modify its
// elements (copy it first, e.g. with slices.Clone). Its capacity ends at
// its length, so an append copies it.
func (in *Instrument) Questions() []Question {
	in.questionsOnce.Do(func() {
		n := 0
		for _, element := range in.Elements {
			n += len(element.Questions)
		}
		questions := make([]Question, 0, n)
		for _, element := range in.Elements {
			questions = append(questions, element.Questions...)
		}
		in.questions = questions
	})
	return in.questions
}

// QuestionByCode finds a scored question. Codes are unique without regard
// to case, so the lookup ignores case too (paper-form headers vary).
func (in *Instrument) QuestionByCode(code string) (Question, bool) {
	for _, element := range in.Elements {
		for _, question := range element.Questions {
			if strings.EqualFold(question.Code, code) {
				return question, true
			}
		}
	}
	return Question{}, false
}

// ElementOf returns the element that holds the question with the given code.
func (in *Instrument) ElementOf(questionCode string) (Element, bool) {
	for _, element := range in.Elements {
		for _, question := range element.Questions {
			if strings.EqualFold(question.Code, questionCode) {
				return element, true
			}
		}
	}
	return Element{}, false
}

// Hash returns the hex SHA-256 of the canonical YAML (MarshalInstrument), so
// two files that differ only in layout, comments or key order hash alike.
func (in *Instrument) Hash() string {
	sum := sha256.Sum256(canonicalYAML(in))
	return hex.EncodeToString(sum[:])
}

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

// ParseInstrument reads and validates an instrument. filename only labels
// the messages. On failure the error is an *InstrumentError listing all
// problems found, ordered by line.
func ParseInstrument(filename string, data []byte) (*Instrument, error) {
	if len(data) > MaxInstrumentSize {
		return nil, problemsError(filename, []Problem{{Message: fmt.Sprintf("file too large: %d bytes; at most %d", len(data), MaxInstrumentSize)}})
	}
	root, problems := parseYAML(data)
	if len(problems) > 0 {
		return nil, problemsError(filename, problems)
	}
	d := &decoder{lines: map[string]int{}, bad: map[string]bool{}}
	in := d.instrument(root)
	v := &validator{lines: d.lines, bad: d.bad}
	v.instrument(in)
	if err := problemsError(filename, append(d.problems, v.problems...)); err != nil {
		return nil, err
	}
	return in, nil
}

// parseYAML returns the root node of the single document in data.
func parseYAML(data []byte) (*yaml.Node, []Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []Problem{{Message: "empty file; expected an instrument"}}
		}
		return nil, []Problem{yamlProblem(err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, []Problem{yamlProblem(err)}
		}
		return nil, []Problem{{Line: next.Line, Message: "only one YAML document is allowed"}}
	}
	if len(doc.Content) != 1 {
		return nil, []Problem{{Message: "empty file; expected an instrument"}}
	}
	root := doc.Content[0]
	if isNull(root) {
		return nil, []Problem{{Line: root.Line, Message: "empty file; expected an instrument"}}
	}
	// Anchors and aliases are refused outright: shared subtrees would make
	// positions ambiguous, and expanding them is how "billion laughs" files
	// blow up. Nothing else is checked once they are found.
	var problems []Problem
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			problems = append(problems, Problem{Line: n.Line, Message: "anchors and aliases (&, *) are not supported; write the value out"})
			return
		}
		for _, child := range n.Content {
			walk(child)
		}
	}
	walk(root)
	return root, problems
}

// yamlParserProblems are the messages of the YAML parser (as opposed to its
// scanner). For them the library prints a 0-based line: that of the
// construct being parsed (an unclosed "[" say) or, failing that, of the
// problem. Adding one gives the 1-based line a user expects.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlProblem turns "yaml: line 3: did not find expected key" into a Problem.
func yamlProblem(err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if number, after, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(number); convErr == nil {
				if slices.Contains(yamlParserProblems, after) {
					line++
				}
				return Problem{Line: line, Message: "invalid YAML: " + after}
			}
		}
	}
	return Problem{Message: "invalid YAML: " + msg}
}

// Allowed keys, in canonical order.
var (
	instrumentKeys  = []string{"code", "name", "year", "scale", "not_applicable", "elements", "profile", "comment", "aggregation"}
	scaleLevelKeys  = []string{"value", "label"}
	labelKeys       = []string{"label"}
	elementKeys     = []string{"code", "name", "description", "questions"}
	questionKeys    = []string{"code", "text"}
	profileKeys     = []string{"code", "text", "choices"}
	choiceKeys      = []string{"code", "label"}
	commentKeys     = []string{"label", "max_length"}
	aggregationKeys = []string{"question", "element", "overall"}
	textKeys        = []string{"vi", "en"}
)

// decoder turns the node tree into an Instrument, reporting wrong types,
// unknown and duplicate keys. It records the line of every key and list
// item under a path such as "elements[1].questions[0].code" so the
// validator can place its messages; the model itself carries no lines, so
// parsed and re-parsed instruments compare equal.
type decoder struct {
	problems []Problem
	lines    map[string]int
	bad      map[string]bool // paths whose value had the wrong type: no "missing" message for them
}

func (d *decoder) addf(line int, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

// wrong reports a value of the wrong type at path.
func (d *decoder) wrong(n *yaml.Node, path, label, want string) {
	d.bad[path] = true
	d.addf(n.Line, "%s: expected %s, got %s", label, want, describe(n))
}

// fields checks that n is a mapping of allowed keys, each given once, and
// returns the values by key. A null value counts as absent.
func (d *decoder) fields(n *yaml.Node, path, label string, allowed []string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.wrong(n, path, label, "a mapping with keys "+strings.Join(allowed, ", "))
		return nil
	}
	values := map[string]*yaml.Node{}
	firstLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.addf(key.Line, "%skeys must be plain names; allowed: %s", prefix(label), strings.Join(allowed, ", "))
			continue
		}
		name := key.Value
		if first, seen := firstLine[name]; seen {
			d.addf(key.Line, "%sduplicate key %q (first at line %d)", prefix(label), name, first)
			continue
		}
		firstLine[name] = key.Line
		if !slices.Contains(allowed, name) {
			d.addf(key.Line, "%sunknown key %q; allowed: %s", prefix(label), name, strings.Join(allowed, ", "))
			continue
		}
		d.lines[join(path, name)] = key.Line
		if !isNull(value) {
			values[name] = value
		}
	}
	return values
}

// list returns the items of a sequence, recording each item's line.
func (d *decoder) list(n *yaml.Node, path, label string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.wrong(n, path, label, "a list")
		return nil
	}
	for i, item := range n.Content {
		d.lines[index(path, i)] = item.Line
	}
	return n.Content
}

// str reads a scalar as a string. Numbers, booleans and dates are taken as
// written, so `code: 2026x` and `vi: 2026` need no quotes.
func (d *decoder) str(n *yaml.Node, path, label string) string {
	if n == nil {
		return ""
	}
	if s, ok := scalarString(n); ok {
		return s
	}
	d.wrong(n, path, label, "a string")
	return ""
}

func (d *decoder) integer(n *yaml.Node, path, label string) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int
		if err := n.Decode(&i); err == nil {
			return i
		}
	}
	d.wrong(n, path, label, "a whole number")
	return 0
}

// text reads a {vi, en} mapping or a plain string (taken as Vietnamese).
// Surrounding white space is dropped.
func (d *decoder) text(n *yaml.Node, path, label string) Text {
	if n == nil {
		return Text{}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if s, ok := scalarString(n); ok {
			return Text{VI: strings.TrimSpace(s)}
		}
	case yaml.MappingNode:
		f := d.fields(n, path, label, textKeys)
		return Text{
			VI: strings.TrimSpace(d.str(f["vi"], join(path, "vi"), label+": vi")),
			EN: strings.TrimSpace(d.str(f["en"], join(path, "en"), label+": en")),
		}
	}
	d.wrong(n, path, label, "a text (a string, or a mapping with keys vi, en)")
	return Text{}
}

func (d *decoder) instrument(root *yaml.Node) *Instrument {
	in := &Instrument{}
	d.lines[""] = root.Line
	if root.Kind != yaml.MappingNode {
		d.wrong(root, "", "instrument", "a mapping with keys "+strings.Join(instrumentKeys, ", "))
		return in
	}
	f := d.fields(root, "", "", instrumentKeys)
	in.Code = d.str(f["code"], "code", "code")
	in.Name = d.text(f["name"], "name", "name")
	in.Year = d.integer(f["year"], "year", "year")
	for i, item := range d.list(f["scale"], "scale", "scale") {
		path := index("scale", i)
		label := fmt.Sprintf("scale level %d", i+1)
		lf := d.fields(item, path, label, scaleLevelKeys)
		in.Scale = append(in.Scale, ScaleLevel{
			Value: d.integer(lf["value"], join(path, "value"), label+": value"),
			Label: d.text(lf["label"], join(path, "label"), label+": label"),
		})
	}
	if n := f["not_applicable"]; n != nil {
		nf := d.fields(n, "not_applicable", "not_applicable", labelKeys)
		in.NotApplicable = &NotApplicable{Label: d.text(nf["label"], "not_applicable.label", "not_applicable: label")}
	}
	for i, item := range d.list(f["elements"], "elements", "elements") {
		in.Elements = append(in.Elements, d.element(item, i))
	}
	for i, item := range d.list(f["profile"], "profile", "profile") {
		in.Profile = append(in.Profile, d.profileQuestion(item, i))
	}
	if n := f["comment"]; n != nil {
		cf := d.fields(n, "comment", "comment", commentKeys)
		in.Comment = &CommentField{
			Label:     d.text(cf["label"], "comment.label", "comment: label"),
			MaxLength: DefaultCommentMaxLength,
		}
		if cf["max_length"] != nil {
			in.Comment.MaxLength = d.integer(cf["max_length"], "comment.max_length", "comment: max_length")
		}
	}
	if n := f["aggregation"]; n != nil {
		af := d.fields(n, "aggregation", "aggregation", aggregationKeys)
		in.Aggregation = Aggregation{
			Question: Rule(d.str(af["question"], "aggregation.question", "aggregation: question")),
			Element:  Rule(d.str(af["element"], "aggregation.element", "aggregation: element")),
			Overall:  Rule(d.str(af["overall"], "aggregation.overall", "aggregation: overall")),
		}
	}
	return in
}

func (d *decoder) element(n *yaml.Node, i int) Element {
	path := index("elements", i)
	label := elementLabel(i, peekCode(n))
	f := d.fields(n, path, label, elementKeys)
	element := Element{
		Code:        d.str(f["code"], join(path, "code"), label+": code"),
		Name:        d.text(f["name"], join(path, "name"), label+": name"),
		Description: d.text(f["description"], join(path, "description"), label+": description"),
	}
	questionsPath := join(path, "questions")
	for j, item := range d.list(f["questions"], questionsPath, label+": questions") {
		qPath := index(questionsPath, j)
		qLabel := questionLabel(label, j, peekCode(item))
		qf := d.fields(item, qPath, qLabel, questionKeys)
		element.Questions = append(element.Questions, Question{
			Code: d.str(qf["code"], join(qPath, "code"), qLabel+": code"),
			Text: d.text(qf["text"], join(qPath, "text"), qLabel+": text"),
		})
	}
	return element
}

func (d *decoder) profileQuestion(n *yaml.Node, i int) ProfileQuestion {
	path := index("profile", i)
	label := profileLabel(i, peekCode(n))
	f := d.fields(n, path, label, profileKeys)
	question := ProfileQuestion{
		Code: d.str(f["code"], join(path, "code"), label+": code"),
		Text: d.text(f["text"], join(path, "text"), label+": text"),
	}
	choicesPath := join(path, "choices")
	for j, item := range d.list(f["choices"], choicesPath, label+": choices") {
		cPath := index(choicesPath, j)
		cLabel := choiceLabel(label, j, peekCode(item))
		cf := d.fields(item, cPath, cLabel, choiceKeys)
		question.Choices = append(question.Choices, Choice{
			Code:  d.str(cf["code"], join(cPath, "code"), cLabel+": code"),
			Label: d.text(cf["label"], join(cPath, "label"), cLabel+": label"),
		})
	}
	return question
}

// Labels name a part of the instrument in messages: by its code when it has
// a valid one, else by its position. Decoder and validator share them so a
// file's messages read alike whichever pass found the problem.
func elementLabel(i int, code string) string {
	if validCode(code) {
		return "element " + code
	}
	return fmt.Sprintf("element %d", i+1)
}

func questionLabel(element string, j int, code string) string {
	if validCode(code) {
		return "question " + code
	}
	return fmt.Sprintf("%s, question %d", element, j+1)
}

func profileLabel(i int, code string) string {
	if validCode(code) {
		return "profile " + code
	}
	return fmt.Sprintf("profile question %d", i+1)
}

func choiceLabel(profile string, j int, code string) string {
	if validCode(code) {
		return profile + ", choice " + code
	}
	return fmt.Sprintf("%s, choice %d", profile, j+1)
}

// peekCode returns the raw code of a mapping, for labels only.
func peekCode(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.ScalarNode && n.Content[i].Value == "code" {
			s, _ := scalarString(n.Content[i+1])
			return s
		}
	}
	return ""
}

func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		return n.Value, true
	}
	return "", false
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		value := n.Value
		if utf8.RuneCountInString(value) > 40 {
			value = string([]rune(value)[:40]) + "…"
		}
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("the text %q", value)
		case "!!int", "!!float":
			return "the number " + value
		case "!!bool":
			return "the boolean " + value
		default:
			return fmt.Sprintf("%q tagged %s", value, n.ShortTag())
		}
	}
	return "an unknown node"
}

func prefix(label string) string {
	if label == "" {
		return ""
	}
	return label + ": "
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// parentPath strips the last ".key" or "[i]" of a path.
func parentPath(path string) string {
	cut := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
	if cut < 0 {
		return ""
	}
	return path[:cut]
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

// Output mirrors of the model: their field order is the canonical key order.
type (
	textOut struct {
		VI string `yaml:"vi"`
		EN string `yaml:"en,omitempty"`
	}
	instrumentOut struct {
		Code          string          `yaml:"code"`
		Name          textOut         `yaml:"name"`
		Year          int             `yaml:"year"`
		Scale         []scaleLevelOut `yaml:"scale"`
		NotApplicable *labelOut       `yaml:"not_applicable,omitempty"`
		Elements      []elementOut    `yaml:"elements"`
		Profile       []profileOut    `yaml:"profile,omitempty"`
		Comment       *commentOut     `yaml:"comment,omitempty"`
		Aggregation   aggregationOut  `yaml:"aggregation"`
	}
	scaleLevelOut struct {
		Value int     `yaml:"value"`
		Label textOut `yaml:"label"`
	}
	labelOut struct {
		Label textOut `yaml:"label"`
	}
	elementOut struct {
		Code        string        `yaml:"code"`
		Name        textOut       `yaml:"name"`
		Description *textOut      `yaml:"description,omitempty"`
		Questions   []questionOut `yaml:"questions"`
	}
	questionOut struct {
		Code string  `yaml:"code"`
		Text textOut `yaml:"text"`
	}
	profileOut struct {
		Code    string      `yaml:"code"`
		Text    textOut     `yaml:"text"`
		Choices []choiceOut `yaml:"choices"`
	}
	choiceOut struct {
		Code  string  `yaml:"code"`
		Label textOut `yaml:"label"`
	}
	commentOut struct {
		Label     textOut `yaml:"label"`
		MaxLength int     `yaml:"max_length"`
	}
	aggregationOut struct {
		Question string `yaml:"question"`
		Element  string `yaml:"element"`
		Overall  string `yaml:"overall"`
	}
)

// MarshalInstrument writes the canonical YAML of a valid instrument: keys in
// the documented order, texts always as {vi, en} mappings, max_length
// spelled out, no comments. Reading it back gives an equal Instrument and
// writing that again gives the same bytes.
func MarshalInstrument(in *Instrument) ([]byte, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return canonicalYAML(in), nil
}

func canonicalYAML(in *Instrument) []byte {
	out := instrumentOut{
		Code:        in.Code,
		Name:        textOf(in.Name),
		Year:        in.Year,
		Scale:       []scaleLevelOut{},
		Elements:    []elementOut{},
		Aggregation: aggregationOut{string(in.Aggregation.Question), string(in.Aggregation.Element), string(in.Aggregation.Overall)},
	}
	for _, level := range in.Scale {
		out.Scale = append(out.Scale, scaleLevelOut{level.Value, textOf(level.Label)})
	}
	if in.NotApplicable != nil {
		out.NotApplicable = &labelOut{textOf(in.NotApplicable.Label)}
	}
	for _, element := range in.Elements {
		e := elementOut{Code: element.Code, Name: textOf(element.Name), Questions: []questionOut{}}
		if element.Description != (Text{}) {
			description := textOf(element.Description)
			e.Description = &description
		}
		for _, question := range element.Questions {
			e.Questions = append(e.Questions, questionOut{question.Code, textOf(question.Text)})
		}
		out.Elements = append(out.Elements, e)
	}
	for _, question := range in.Profile {
		p := profileOut{Code: question.Code, Text: textOf(question.Text), Choices: []choiceOut{}}
		for _, choice := range question.Choices {
			p.Choices = append(p.Choices, choiceOut{choice.Code, textOf(choice.Label)})
		}
		out.Profile = append(out.Profile, p)
	}
	if in.Comment != nil {
		out.Comment = &commentOut{textOf(in.Comment.Label), in.Comment.MaxLength}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	// Encoding plain structs of strings and ints into a buffer cannot fail.
	_ = enc.Encode(out)
	_ = enc.Close()
	return b.Bytes()
}

func textOf(t Text) textOut { return textOut(t) }

//go:embed reference/*.yaml
var referenceFiles embed.FS

const referenceDir = "reference"

// ReferenceInstruments lists the codes of the embedded reference
// instruments, sorted.
func ReferenceInstruments() []string {
	entries, err := fs.ReadDir(referenceFiles, referenceDir)
	if err != nil {
		return nil
	}
	var codes []string
	for _, entry := range entries {
		if code, ok := strings.CutSuffix(entry.Name(), ".yaml"); ok {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	return codes
}

// ReferenceInstrument parses the embedded instrument with the given code,
// e.g. "sipas-2026". Each call returns a fresh copy.
func ReferenceInstrument(code string) (*Instrument, error) {
	if !validInstrumentCode(code) || !slices.Contains(ReferenceInstruments(), code) {
		return nil, fmt.Errorf("survey: no reference instrument %q; available: %s", code, strings.Join(ReferenceInstruments(), ", "))
	}
	name := referenceDir + "/" + code + ".yaml"
	data, err := referenceFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("survey: unable to read reference instrument %q: %w", code, err)
	}
	return ParseInstrument(name, data)
}
