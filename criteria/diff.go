package criteria

import (
	"parindex/stats"

	"fmt"
	"strings"
)

// ChangeKind says what happened to a node or a framework setting.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one difference between two frameworks. Node is empty for a
// framework-level setting. For Added and Removed, Field is empty and
// New/Old summarise the node as "name (max N)"; for Changed, Field is the
// key as the file writes it (or "total_max" and "parent", which are
// computed) and Old/New are the values as the file writes them, empty when
// unset.
type Change struct {
	Kind  ChangeKind
	Node  string
	Field string
	Old   string
	New   string
}

// String renders the change on one line, e.g.
// "changed node 1.2 max: 2 → 2.5" or "added node 7.8: Số hóa (max 1)".
func (c Change) String() string {
	where := "framework"
	if c.Node != "" {
		where = "node " + c.Node
	}
	switch c.Kind {
	case Added:
		return fmt.Sprintf("added %s: %s", where, c.New)
	case Removed:
		return fmt.Sprintf("removed %s: %s", where, c.Old)
	}
	return fmt.Sprintf("changed %s %s: %s → %s", where, c.Field, orNone(c.Old), orNone(c.New))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

type field struct{ name, value string }

// Diff lists the differences from a to b, nodes matched by code:
// framework-level settings first (including the computed total maximum),
// then removed nodes in a's order, then added and changed nodes in b's
// order. Maxima are compared after rounding to 9 decimals, so sums that
// differ only by floating-point noise are equal. Node.Line is ignored.
func Diff(a, b *Framework) []Change {
	if a == nil {
		a = &Framework{}
	}
	if b == nil {
		b = &Framework{}
	}
	var out []Change
	out = append(out, diffFields("", frameworkFields(a), frameworkFields(b))...)

	aPaths, bPaths := parents(a), parents(b)
	for _, n := range a.All() {
		if _, ok := bPaths[n.Code]; !ok {
			out = append(out, Change{Kind: Removed, Node: n.Code, Old: summary(n)})
		}
	}
	for _, n := range b.All() {
		parent, ok := aPaths[n.Code]
		if !ok {
			out = append(out, Change{Kind: Added, Node: n.Code, New: summary(n)})
			continue
		}
		old := a.Find(n.Code)
		oldFields := append([]field{{"parent", parent}}, nodeFields(old)...)
		newFields := append([]field{{"parent", bPaths[n.Code]}}, nodeFields(n)...)
		out = append(out, diffFields(n.Code, oldFields, newFields)...)
	}
	return out
}

func diffFields(node string, old, new []field) []Change {
	oldByName := map[string]string{}
	for _, f := range old {
		oldByName[f.name] = f.value
	}
	var out []Change
	seen := map[string]bool{}
	for _, f := range new {
		seen[f.name] = true
		if oldByName[f.name] != f.value {
			out = append(out, Change{Kind: Changed, Node: node, Field: f.name, Old: oldByName[f.name], New: f.value})
		}
	}
	for _, f := range old {
		if !seen[f.name] && f.value != "" {
			out = append(out, Change{Kind: Changed, Node: node, Field: f.name, Old: f.value})
		}
	}
	return out
}

// parents maps each node code to its parent's code ("" for an area).
func parents(f *Framework) map[string]string {
	out := map[string]string{}
	f.Walk(func(n *Node, ancestors []*Node) bool {
		if _, dup := out[n.Code]; dup {
			return true
		}
		parent := ""
		if len(ancestors) > 0 {
			parent = ancestors[len(ancestors)-1].Code
		}
		out[n.Code] = parent
		return true
	})
	return out
}

func summary(n *Node) string {
	switch {
	case n.Method.IsAdjustment():
		return fmt.Sprintf("%s (%s, cap %s)", n.Name, n.Method, formatNumber(n.Cap))
	case n.Adjustment:
		return fmt.Sprintf("%s (adjustment)", n.Name)
	}
	return fmt.Sprintf("%s (max %s)", n.Name, maxString(n.MaxPoints()))
}

func maxString(v float64) string { return formatNumber(stats.RoundHalfUp(v, 9)) }

func frameworkFields(f *Framework) []field {
	capIndex := ""
	if f.CapIndex != nil {
		capIndex = formatNumber(*f.CapIndex)
	}
	missing := f.Missing
	if missing == "" {
		missing = DefaultMissing
	}
	bands := make([]string, len(f.Bands))
	for i, b := range f.Bands {
		bands[i] = fmt.Sprintf("%s %s ≥ %s", b.Code, b.Name, formatNumber(b.Min))
	}
	year := ""
	if f.Year != 0 {
		year = fmt.Sprint(f.Year)
	}
	return []field{
		{"code", f.Code},
		{"name", f.Name},
		{"description", f.Description},
		{"year", year},
		{"agency_types", strings.Join(f.AgencyTypes, ", ")},
		{"source", f.Source},
		{"rounding", fmt.Sprint(f.Rounding)},
		{"cap_index", capIndex},
		{"missing", string(missing)},
		{"survey_responses", string(f.SurveyResponsesUsed())},
		{"bands", strings.Join(bands, "; ")},
		{"total_max", maxString(f.TotalMax())},
	}
}

// nodeFields renders the settings of a node that matter for its method;
// parameters of other methods are left empty so that a method change
// reports the parameters that came and went.
func nodeFields(n *Node) []field {
	fields := []field{
		{"name", n.Name},
		{"short_name", n.ShortName},
		{"description", n.Description},
		{"adjustment", map[bool]string{true: "true"}[n.Adjustment]},
		{"max", ""},
		{"method", string(n.Method)},
		{"missing", string(n.Missing)},
	}
	if !n.Adjustment && !n.Method.IsAdjustment() {
		fields[4].value = maxString(n.MaxPoints())
	}
	add := func(name, value string) { fields = append(fields, field{name, value}) }
	switch n.Method {
	case MethodAssessed:
		add("step", formatNumber(n.InputStep()))
	case MethodRatio:
		add("numerator", n.Numerator)
		add("denominator", n.Denominator)
		add("target", formatNumber(n.RatioTarget()))
	case MethodTiers:
		add("numerator", n.Numerator)
		add("denominator", n.Denominator)
		tiers := make([]string, len(n.Tiers))
		for i, t := range n.Tiers {
			tiers[i] = fmt.Sprintf("≥ %s: %s", formatNumber(t.Min), formatNumber(t.Points))
		}
		add("tiers", strings.Join(tiers, "; "))
	case MethodRelative:
		add("numerator", n.Numerator)
		add("denominator", n.Denominator)
	case MethodCount:
		add("metric", n.Metric)
		add("per_unit", formatNumber(n.PerUnit))
	case MethodFormula:
		add("formula", n.Formula)
	case MethodSurvey:
		add("instrument", n.Instrument)
		add("element", n.Element)
		add("question", n.Question)
		add("measure", string(n.SurveyMeasure()))
	case MethodBonus, MethodPenalty:
		add("cap", formatNumber(n.Cap))
	}
	return fields
}
