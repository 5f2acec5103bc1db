package criteria

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The keys each level of the file accepts, in canonical order.
var (
	frameworkKeys = []string{"code", "name", "description", "year", "agency_types", "source",
		"rounding", "cap_index", "missing", "survey_responses", "bands", "nodes"}
	bandKeys = []string{"code", "name", "description", "min"}
	tierKeys = []string{"min", "points"}
	nodeKeys = []string{"code", "name", "short_name", "description", "adjustment", "max", "method",
		"step", "numerator", "denominator", "target", "tiers", "metric", "per_unit", "formula",
		"instrument", "element", "question", "measure", "cap", "missing", "children"}
	// commonNodeKeys apply to every node, group or leaf.
	commonNodeKeys = []string{"code", "name", "short_name", "description", "adjustment", "missing", "method", "children"}
	// methodKeys are the keys that belong to each method beyond the common ones.
	methodKeys = map[Method][]string{
		MethodAssessed: {"max", "step"},
		MethodBoolean:  {"max"},
		MethodRatio:    {"max", "numerator", "denominator", "target"},
		MethodTiers:    {"max", "numerator", "denominator", "tiers"},
		MethodRelative: {"max", "numerator", "denominator"},
		MethodCount:    {"max", "metric", "per_unit"},
		MethodFormula:  {"max", "formula"},
		MethodSurvey:   {"max", "instrument", "element", "question", "measure"},
		MethodBonus:    {"cap"},
		MethodPenalty:  {"cap"},
	}
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// isCode reports whether s can be a framework, node, band or survey code.
func isCode(s string) bool { return len(s) <= 64 && codePattern.MatchString(s) }

// entrySource remembers where one mapping of the file and its keys are,
// and which keys held a value of the wrong type (so that validation does
// not report them a second time as missing).
type entrySource struct {
	line int
	keys map[string]int
	bad  map[string]bool
}

func newEntrySource(line int) *entrySource {
	return &entrySource{line: line, keys: map[string]int{}, bad: map[string]bool{}}
}

// source maps the parsed model back to the file.
type source struct {
	framework *entrySource
	bands     []*entrySource
	nodes     map[*Node]*entrySource
	tiers     map[*Node][]*entrySource
}

type decoder struct {
	file     string
	lines    int // lines in the file, for clamping the YAML library's lines
	src      *source
	problems []Problem
}

func (d *decoder) add(line int, node string, rule Rule, args ...any) {
	d.problems = append(d.problems, newProblem(d.file, line, node, rule, args...))
}

// Parse reads a framework from YAML. filename is only used in messages.
// On failure the error is a *ValidationError listing every problem found,
// each as FILE:LINE: node CODE: message. Warnings are returned in both
// cases.
func Parse(filename string, data []byte) (f *Framework, warnings []Warning, err error) {
	d := &decoder{file: filename, src: &source{
		nodes: map[*Node]*entrySource{},
		tiers: map[*Node][]*entrySource{},
	}}
	defer func() {
		// The YAML library is fed untrusted bytes; whatever it does, Parse
		// reports a problem instead of crashing the server.
		if r := recover(); r != nil {
			f, warnings = nil, nil
			err = &ValidationError{Problems: []Problem{newProblem(filename, 0, "", RuleYAMLSyntax, fmt.Sprint(r))}}
		}
	}()
	d.lines = bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		d.lines++
	}
	root, ok := d.readDocument(data)
	if !ok {
		return nil, nil, &ValidationError{Problems: d.problems}
	}
	f = d.framework(root)
	c := &checker{file: filename, src: d.src}
	c.problems = d.problems
	c.check(f)
	warnings = offlineSurveyWarnings(f, filename)
	if len(c.problems) > 0 {
		return nil, warnings, &ValidationError{Problems: c.sorted()}
	}
	return f, warnings, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of the YAML library's parser (as
// opposed to its scanner). The library prints the parser's line 0-based,
// and leaves it out on the first line, so they are shifted by one here.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

func (d *decoder) yamlError(err error) {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if contains(yamlParserProblems, msg) {
		line++
	}
	// Without a line the library means the first one; and a construct
	// left open at the end of the file must not point past it.
	if line == 0 || line > d.lines {
		line = max(1, min(line, d.lines))
	}
	d.add(line, "", RuleYAMLSyntax, msg)
}

// readDocument decodes exactly one YAML document and returns its top-level
// mapping.
func (d *decoder) readDocument(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.add(0, "", RuleEmptyFile)
		} else {
			d.yamlError(err)
		}
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.add(extra.Line, "", RuleManyDocuments)
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
		return nil, false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			d.add(0, "", RuleEmptyFile)
			return nil, false
		}
		root = root.Content[0]
	}
	if d.reportAliases(root) {
		return nil, false
	}
	if root.Kind != yaml.MappingNode {
		if isNull(root) {
			d.add(0, "", RuleEmptyFile)
		} else {
			d.add(root.Line, "", RuleTopLevel, describe(root))
		}
		return nil, false
	}
	return root, true
}

// reportAliases rejects anchors' aliases anywhere in the file: they would
// let a small file expand into a huge one, and the canonical writer could
// not keep them anyway.
func (d *decoder) reportAliases(root *yaml.Node) bool {
	found := false
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		if n.Kind == yaml.AliasNode {
			d.add(n.Line, "", RuleAlias, n.Value)
			found = true
			continue
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return found
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what a YAML value is, for "got …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if isNull(n) {
		return "nothing"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:37]) + "…"
	}
	if n.Tag == "!!str" || strings.HasPrefix(n.Tag, "!") && n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!bool" {
		return strconv.Quote(v)
	}
	return v
}

// pairs walks a mapping's keys, reporting bad, duplicate and unknown keys,
// and calls fn for each remaining key whose value is not null. The keys
// seen are recorded in es.
func (d *decoder) pairs(m *yaml.Node, node string, allowed []string, es *entrySource, fn func(key string, k, v *yaml.Node)) {
	first := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.add(k.Line, node, RuleBadKey, describe(k))
			continue
		}
		key := k.Value
		if line, dup := first[key]; dup {
			d.add(k.Line, node, RuleDuplicateKey, key, line)
			continue
		}
		first[key] = k.Line
		if !contains(allowed, key) {
			d.add(k.Line, node, RuleUnknownKey, key, strings.Join(allowed, ", "))
			continue
		}
		if isNull(v) {
			continue
		}
		es.keys[key] = k.Line
		fn(key, k, v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// textTags are the scalar types read as text: what a person typing a name
// or a code may produce unquoted (1.10, true, 2026-01-01). Binary data and
// custom tags are refused.
var textTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!timestamp": true}

// Typed readers. Each reports a wrong type against the key's line and
// returns ok=false; the caller then marks the key bad.

func (d *decoder) text(k, v *yaml.Node, node, label string) (string, bool) {
	if v.Kind != yaml.ScalarNode || !textTags[v.Tag] {
		d.add(k.Line, node, RuleWrongType, label, "text", describe(v))
		return "", false
	}
	// NUL is valid UTF-8 (YAML writes it "\0"), but PostgreSQL refuses it in
	// text: the framework could be checked and then not stored.
	if !utf8.ValidString(v.Value) || strings.ContainsRune(v.Value, 0) {
		d.add(k.Line, node, RuleBadText, label)
		return "", false
	}
	return strings.TrimSpace(v.Value), true
}

func (d *decoder) number(k, v *yaml.Node, node, label string) (float64, bool) {
	if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") {
		d.add(k.Line, node, RuleWrongType, label, "a number", describe(v))
		return 0, false
	}
	var x float64
	if err := v.Decode(&x); err != nil {
		d.add(k.Line, node, RuleWrongType, label, "a number", describe(v))
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		d.add(k.Line, node, RuleNotFinite, label, describe(v))
		return 0, false
	}
	if x == 0 {
		x = 0 // no negative zero in the model
	}
	return x, true
}

func (d *decoder) integer(k, v *yaml.Node, node, label string) (int, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		d.add(k.Line, node, RuleWrongType, label, "a whole number", describe(v))
		return 0, false
	}
	var x int64
	if err := v.Decode(&x); err != nil || x > 1<<31 || x < -(1<<31) {
		d.add(k.Line, node, RuleWrongType, label, "a whole number", describe(v))
		return 0, false
	}
	return int(x), true
}

func (d *decoder) boolean(k, v *yaml.Node, node, label string) (bool, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		d.add(k.Line, node, RuleWrongType, label, "true or false", describe(v))
		return false, false
	}
	var b bool
	if err := v.Decode(&b); err != nil {
		d.add(k.Line, node, RuleWrongType, label, "true or false", describe(v))
		return false, false
	}
	return b, true
}

func (d *decoder) sequence(k, v *yaml.Node, node, label, what string) bool {
	if v.Kind != yaml.SequenceNode {
		d.add(k.Line, node, RuleWrongType, label, what, describe(v))
		return false
	}
	return true
}

func (d *decoder) framework(m *yaml.Node) *Framework {
	f := &Framework{Rounding: DefaultRounding, Missing: DefaultMissing, SurveyResponses: DefaultSurveyResponses}
	es := newEntrySource(m.Line)
	d.src.framework = es
	d.pairs(m, "", frameworkKeys, es, func(key string, k, v *yaml.Node) {
		ok := true
		if p := f.TextField(key); p != nil {
			*p, ok = d.text(k, v, "", key)
		}
		switch key {
		case "year":
			f.Year, ok = d.integer(k, v, "", key)
		case "rounding":
			f.Rounding, ok = d.integer(k, v, "", key)
		case "cap_index":
			var x float64
			if x, ok = d.number(k, v, "", key); ok {
				f.CapIndex = &x
			}
		case "missing":
			var s string
			s, ok = d.text(k, v, "", key)
			f.Missing = MissingPolicy(s)
		case "survey_responses":
			var s string
			s, ok = d.text(k, v, "", key)
			f.SurveyResponses = SurveyResponses(s)
		case "agency_types":
			if ok = d.sequence(k, v, "", key, "a list of agency types"); ok {
				for _, item := range v.Content {
					s, good := d.text(k, item, "", "each agency type")
					if !good {
						ok = false
						continue
					}
					f.AgencyTypes = append(f.AgencyTypes, s)
				}
			}
		case "bands":
			if ok = d.sequence(k, v, "", key, "a list of bands"); ok {
				f.Bands = d.bands(v)
				ok = len(f.Bands) > 0 || len(v.Content) == 0
			}
		case "nodes":
			if ok = d.sequence(k, v, "", key, "a list of nodes"); ok {
				f.Nodes = d.nodes(v, "", "nodes", 1)
				// Entries already refused must not also read as "empty".
				ok = len(f.Nodes) > 0 || len(v.Content) == 0
			}
		}
		if !ok {
			es.bad[key] = true
		}
	})
	return f
}

func (d *decoder) bands(seq *yaml.Node) []Band {
	var out []Band
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			d.add(item.Line, "", RuleNotMapping, "bands", describe(item))
			continue
		}
		var b Band
		es := newEntrySource(item.Line)
		d.pairs(item, "", bandKeys, es, func(key string, k, v *yaml.Node) {
			ok := true
			switch key {
			case "code":
				b.Code, ok = d.text(k, v, "", "band code")
			case "name":
				b.Name, ok = d.text(k, v, "", "band name")
			case "description":
				b.Description, ok = d.text(k, v, "", "band description")
			case "min":
				b.Min, ok = d.number(k, v, "", "band min")
			}
			if !ok {
				es.bad[key] = true
			}
		})
		out = append(out, b)
		d.src.bands = append(d.src.bands, es)
	}
	return out
}

func (d *decoder) nodes(seq *yaml.Node, parent, label string, depth int) []*Node {
	var out []*Node
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			d.add(item.Line, parent, RuleNotMapping, label, describe(item))
			continue
		}
		out = append(out, d.node(item, depth))
	}
	return out
}

func (d *decoder) node(m *yaml.Node, depth int) *Node {
	n := &Node{Line: m.Line}
	es := newEntrySource(m.Line)
	d.src.nodes[n] = es

	// The code is read first so that every later message can name the node.
	type pair struct{ k, v *yaml.Node }
	var present []string
	values := map[string]pair{}
	d.pairs(m, codeOf(m), nodeKeys, es, func(key string, k, v *yaml.Node) {
		present = append(present, key)
		values[key] = pair{k, v}
	})
	label := codeOf(m)

	var method Method
	if p, ok := values["method"]; ok {
		s, good := d.text(p.k, p.v, label, "method")
		if !good {
			es.bad["method"] = true
		}
		method = Method(s)
		n.Method = method
	}
	_, isGroup := values["children"]

	for _, key := range present {
		p := values[key]
		if key == "method" {
			continue
		}
		// Keys that belong to no method of this node are refused here so
		// the model never carries a parameter the method ignores.
		if !contains(commonNodeKeys, key) {
			switch {
			case isGroup && method == "":
				if key != "max" {
					d.add(p.k.Line, label, RuleKeyNotForGroup, key)
					es.bad[key] = true
					continue
				}
			case !isGroup && method.Valid() && !contains(methodKeys[method], key):
				d.add(p.k.Line, label, RuleKeyNotForMethod, key, method, method, strings.Join(methodKeys[method], ", "))
				es.bad[key] = true
				continue
			}
		}
		ok := true
		if field := n.TextField(key); field != nil {
			*field, ok = d.text(p.k, p.v, label, key)
		}
		switch key {
		case "adjustment":
			n.Adjustment, ok = d.boolean(p.k, p.v, label, key)
		case "max":
			var x float64
			if x, ok = d.number(p.k, p.v, label, key); ok {
				n.Max = &x
			}
		case "missing":
			var s string
			s, ok = d.text(p.k, p.v, label, key)
			n.Missing = MissingPolicy(s)
		case "step":
			n.Step, ok = d.number(p.k, p.v, label, key)
		case "target":
			n.Target, ok = d.number(p.k, p.v, label, key)
		case "per_unit":
			n.PerUnit, ok = d.number(p.k, p.v, label, key)
		case "measure":
			var s string
			s, ok = d.text(p.k, p.v, label, key)
			n.Measure = Measure(s)
		case "cap":
			n.Cap, ok = d.number(p.k, p.v, label, key)
		case "tiers":
			if ok = d.sequence(p.k, p.v, label, key, "a list of tiers"); ok {
				n.Tiers = d.tiers(n, p.v, label)
				ok = len(n.Tiers) > 0 || len(p.v.Content) == 0
			}
		case "children":
			if ok = d.sequence(p.k, p.v, label, key, "a list of nodes"); ok {
				if depth >= MaxDepth {
					d.add(p.k.Line, label, RuleTooDeep, MaxDepth)
					ok = false
				} else {
					n.Children = d.nodes(p.v, label, "children", depth+1)
					ok = len(n.Children) > 0 || len(p.v.Content) == 0
				}
			}
		}
		if !ok {
			es.bad[key] = true
		}
	}

	// Defaults for absent keys. A key present with a bad value stays zero
	// so that the problem already reported is not repeated.
	if !isGroup {
		switch method {
		case MethodAssessed:
			if _, ok := es.keys["step"]; !ok {
				n.Step = DefaultStep
			}
		case MethodRatio:
			if _, ok := es.keys["target"]; !ok {
				n.Target = DefaultTarget
			}
		case MethodSurvey:
			if _, ok := es.keys["measure"]; !ok {
				n.Measure = DefaultMeasure
			}
		}
	}
	return n
}

// codeOf peeks at a node mapping's code for use in messages about its
// other keys, before the code itself has been validated.
func codeOf(m *yaml.Node) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "code" && v.Kind == yaml.ScalarNode && !isNull(v) {
			s := strings.TrimSpace(v.Value)
			if isCode(s) {
				return s
			}
			return ""
		}
	}
	return ""
}

func (d *decoder) tiers(n *Node, seq *yaml.Node, label string) []Tier {
	var out []Tier
	var sources []*entrySource
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			d.add(item.Line, label, RuleNotMapping, "tiers", describe(item))
			continue
		}
		var t Tier
		es := newEntrySource(item.Line)
		idx := len(out) + 1
		d.pairs(item, label, tierKeys, es, func(key string, k, v *yaml.Node) {
			ok := true
			switch key {
			case "min":
				t.Min, ok = d.number(k, v, label, fmt.Sprintf("tier %d min", idx))
			case "points":
				t.Points, ok = d.number(k, v, label, fmt.Sprintf("tier %d points", idx))
			}
			if !ok {
				es.bad[key] = true
			}
		})
		out = append(out, t)
		sources = append(sources, es)
	}
	d.src.tiers[n] = sources
	return out
}
