package survey

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

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

// mapping is one mapping of the file, checked by fields: its values by key,
// and the path and label that place the messages about them, so that the
// value of key is read at join(path, key) under the label "label: key".
type mapping struct {
	d           *decoder
	values      map[string]*yaml.Node
	path, label string
}

func (d *decoder) mapping(n *yaml.Node, path, label string, allowed []string) mapping {
	return mapping{d: d, values: d.fields(n, path, label, allowed), path: path, label: label}
}

func (m mapping) str(key string) string {
	return m.d.str(m.values[key], join(m.path, key), prefix(m.label)+key)
}

func (m mapping) text(key string) Text {
	return m.d.text(m.values[key], join(m.path, key), prefix(m.label)+key)
}

func (m mapping) integer(key string) int {
	return m.d.integer(m.values[key], join(m.path, key), prefix(m.label)+key)
}

func (m mapping) list(key string) []*yaml.Node {
	return m.d.list(m.values[key], join(m.path, key), prefix(m.label)+key)
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
		m := d.mapping(n, path, label, textKeys)
		return Text{VI: strings.TrimSpace(m.str("vi")), EN: strings.TrimSpace(m.str("en"))}
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
	f := d.mapping(root, "", "", instrumentKeys)
	in.Code = f.str("code")
	in.Name = f.text("name")
	in.Year = f.integer("year")
	for i, item := range f.list("scale") {
		level := d.mapping(item, index("scale", i), fmt.Sprintf("scale level %d", i+1), scaleLevelKeys)
		in.Scale = append(in.Scale, ScaleLevel{Value: level.integer("value"), Label: level.text("label")})
	}
	if n := f.values["not_applicable"]; n != nil {
		in.NotApplicable = &NotApplicable{Label: d.mapping(n, "not_applicable", "not_applicable", labelKeys).text("label")}
	}
	for i, item := range f.list("elements") {
		in.Elements = append(in.Elements, d.element(item, i))
	}
	for i, item := range f.list("profile") {
		in.Profile = append(in.Profile, d.profileQuestion(item, i))
	}
	if n := f.values["comment"]; n != nil {
		cf := d.mapping(n, "comment", "comment", commentKeys)
		in.Comment = &CommentField{Label: cf.text("label"), MaxLength: DefaultCommentMaxLength}
		if cf.values["max_length"] != nil {
			in.Comment.MaxLength = cf.integer("max_length")
		}
	}
	if n := f.values["aggregation"]; n != nil {
		af := d.mapping(n, "aggregation", "aggregation", aggregationKeys)
		in.Aggregation = Aggregation{Question: Rule(af.str("question")), Element: Rule(af.str("element")), Overall: Rule(af.str("overall"))}
	}
	return in
}

func (d *decoder) element(n *yaml.Node, i int) Element {
	label := elementLabel(i, peekCode(n))
	f := d.mapping(n, index("elements", i), label, elementKeys)
	element := Element{Code: f.str("code"), Name: f.text("name"), Description: f.text("description")}
	questionsPath := join(f.path, "questions")
	for j, item := range f.list("questions") {
		q := d.mapping(item, index(questionsPath, j), questionLabel(label, j, peekCode(item)), questionKeys)
		element.Questions = append(element.Questions, Question{Code: q.str("code"), Text: q.text("text")})
	}
	return element
}

func (d *decoder) profileQuestion(n *yaml.Node, i int) ProfileQuestion {
	label := profileLabel(i, peekCode(n))
	f := d.mapping(n, index("profile", i), label, profileKeys)
	question := ProfileQuestion{Code: f.str("code"), Text: f.text("text")}
	choicesPath := join(f.path, "choices")
	for j, item := range f.list("choices") {
		c := d.mapping(item, index(choicesPath, j), choiceLabel(label, j, peekCode(item)), choiceKeys)
		question.Choices = append(question.Choices, Choice{Code: c.str("code"), Label: c.text("label")})
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
