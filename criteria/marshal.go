package criteria

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Marshal writes the framework in canonical form: keys in a fixed order,
// numbers in their shortest form, defaults (step 0.25, target 1, measure
// satisfaction) left out, bands and tiers on one line each, two-space
// indentation. Parse(Marshal(f)) gives back f, and Marshal is idempotent.
// Node.Line is not written.
func Marshal(f *Framework) ([]byte, error) {
	if f == nil {
		return nil, errors.New("criteria: cannot marshal a nil framework")
	}
	root := mapping(false)
	put(root, "code", str(f.Code))
	put(root, "name", str(f.Name))
	putText(root, "description", f.Description)
	put(root, "year", integer(f.Year))
	types := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, t := range f.AgencyTypes {
		types.Content = append(types.Content, str(t))
	}
	put(root, "agency_types", types)
	putText(root, "source", f.Source)
	put(root, "rounding", integer(f.Rounding))
	if f.CapIndex != nil {
		put(root, "cap_index", number(*f.CapIndex))
	}
	missing := f.Missing
	if missing == "" {
		missing = DefaultMissing
	}
	put(root, "missing", str(string(missing)))
	// Written only when not the default, so that the frameworks written
	// before the key existed keep their canonical form and hash.
	if r := f.SurveyResponsesUsed(); r != DefaultSurveyResponses {
		put(root, "survey_responses", str(string(r)))
	}

	bands := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, b := range f.Bands {
		m := mapping(true)
		put(m, "code", str(b.Code))
		put(m, "name", str(b.Name))
		putText(m, "description", b.Description)
		put(m, "min", number(b.Min))
		bands.Content = append(bands.Content, m)
	}
	put(root, "bands", bands)
	put(root, "nodes", marshalNodes(f.Nodes))

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Hash is the hex SHA-256 of the canonical YAML: two frameworks with the
// same content hash the same, however their files were laid out.
func (f *Framework) Hash() string {
	data, err := Marshal(f)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func marshalNodes(nodes []*Node) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, n := range nodes {
		if n == nil {
			continue
		}
		seq.Content = append(seq.Content, marshalNode(n))
	}
	return seq
}

func marshalNode(n *Node) *yaml.Node {
	m := mapping(false)
	put(m, "code", str(n.Code))
	put(m, "name", str(n.Name))
	putText(m, "short_name", n.ShortName)
	putText(m, "description", n.Description)
	if n.Adjustment {
		put(m, "adjustment", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if n.Max != nil {
		put(m, "max", number(*n.Max))
	}
	putText(m, "method", string(n.Method))
	switch n.Method {
	case MethodAssessed:
		if n.Step != 0 && n.Step != DefaultStep {
			put(m, "step", number(n.Step))
		}
	case MethodRatio:
		putText(m, "numerator", n.Numerator)
		putText(m, "denominator", n.Denominator)
		if n.Target != 0 && n.Target != DefaultTarget {
			put(m, "target", number(n.Target))
		}
	case MethodTiers:
		putText(m, "numerator", n.Numerator)
		putText(m, "denominator", n.Denominator)
		tiers := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, t := range n.Tiers {
			tm := mapping(true)
			put(tm, "min", number(t.Min))
			put(tm, "points", number(t.Points))
			tiers.Content = append(tiers.Content, tm)
		}
		put(m, "tiers", tiers)
	case MethodRelative:
		putText(m, "numerator", n.Numerator)
		putText(m, "denominator", n.Denominator)
	case MethodCount:
		putText(m, "metric", n.Metric)
		put(m, "per_unit", number(n.PerUnit))
	case MethodFormula:
		putText(m, "formula", n.Formula)
	case MethodSurvey:
		putText(m, "instrument", n.Instrument)
		putText(m, "element", n.Element)
		putText(m, "question", n.Question)
		if n.Measure != "" && n.Measure != DefaultMeasure {
			put(m, "measure", str(string(n.Measure)))
		}
	case MethodBonus, MethodPenalty:
		put(m, "cap", number(n.Cap))
	}
	putText(m, "missing", string(n.Missing))
	if len(n.Children) > 0 {
		put(m, "children", marshalNodes(n.Children))
	}
	return m
}

func mapping(flow bool) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		m.Style = yaml.FlowStyle
	}
	return m
}

func put(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, str(key), value)
}

func putText(m *yaml.Node, key, value string) {
	if value != "" {
		put(m, key, str(value))
	}
}

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11Special(s) {
		// YAML 1.2 reads these as text, but spreadsheets' converters and
		// other YAML 1.1 tools read yes/no/on/off as booleans and 1:30 as
		// a number: quote them so every reader sees text.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

var sexagesimal = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)

func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off", "true", "false", "~", "null":
		return true
	}
	return sexagesimal.MatchString(s)
}

func integer(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func number(v float64) *yaml.Node {
	s := formatNumber(v)
	tag := "!!float"
	if isIntegerLiteral(s) {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

func isIntegerLiteral(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// formatNumber writes v in the shortest form that reads back as exactly v:
// plain decimals for everyday magnitudes, exponent form for the extremes.
func formatNumber(v float64) string {
	switch {
	case v == 0:
		return "0" // also folds -0
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	a := math.Abs(v)
	if a >= 1e-4 && a < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
