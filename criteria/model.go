package criteria

import (
	"math"
	"parindex/stats"

	"slices"
	"sort"
	"strings"
)

// Method says how a leaf earns its points. The scoring engine implements the
// arithmetic; this package only knows which parameters each method needs.
type Method string

// The methods a leaf may use. See docs/criteria-format.md for the arithmetic.
const (
	// MethodAssessed: points entered by the agency and fixed by appraisal,
	// 0 ≤ points ≤ max, in multiples of Step.
	MethodAssessed Method = "assessed"
	// MethodBoolean: yes gives max, no gives 0.
	MethodBoolean Method = "boolean"
	// MethodRatio: max × min(1, (Numerator ÷ Denominator) ÷ Target).
	MethodRatio Method = "ratio"
	// MethodTiers: the first tier whose Min the rate reaches gives its Points.
	MethodTiers Method = "tiers"
	// MethodRelative: rate ÷ best rate among the agencies scored together × max.
	MethodRelative Method = "relative"
	// MethodCount: min(max, Metric × PerUnit).
	MethodCount Method = "count"
	// MethodFormula: an arithmetic expression over metrics and max, clamped to [0, max].
	MethodFormula Method = "formula"
	// MethodSurvey: max × the survey value (a share in [0, 1]).
	MethodSurvey Method = "survey"
	// MethodBonus: the amount entered, capped at Cap; only under an adjustment node.
	MethodBonus Method = "bonus"
	// MethodPenalty: the amount entered, capped at Cap, subtracted; only under an adjustment node.
	MethodPenalty Method = "penalty"
)

// Methods lists every method in the order the documentation presents them.
var Methods = []Method{
	MethodAssessed, MethodBoolean, MethodRatio, MethodTiers, MethodRelative,
	MethodCount, MethodFormula, MethodSurvey, MethodBonus, MethodPenalty,
}

// Valid reports whether m is one of Methods.
func (m Method) Valid() bool { return slices.Contains(Methods, m) }

// IsAdjustment reports whether m adds or removes points outside the maximum
// (bonus or penalty).
func (m Method) IsAdjustment() bool { return m == MethodBonus || m == MethodPenalty }

// MissingPolicy says what a leaf with no input counts for.
type MissingPolicy string

const (
	// MissingZero: a leaf with no input scores 0 and keeps its max in the
	// denominator of the index. This is the default.
	MissingZero MissingPolicy = "zero"
	// MissingExclude: a leaf with no input leaves the denominator (the
	// criterion does not apply to that agency).
	MissingExclude MissingPolicy = "exclude"
)

// Valid reports whether p is zero or exclude.
func (p MissingPolicy) Valid() bool { return p == MissingZero || p == MissingExclude }

// SurveyResponses says which survey responses the survey leaves of a
// framework count (issue 22, counter integrity).
type SurveyResponses string

const (
	// ResponsesAll: every response, the flagged ones too.
	ResponsesAll SurveyResponses = "all"
	// ResponsesClean: the responses batch screening did not flag. The
	// default, and what a framework without the key always meant.
	ResponsesClean SurveyResponses = "clean"
	// ResponsesNotDoubtful: the clean responses, except those that came
	// through a QR link the counter-integrity report labels doubtful for
	// the year (links labelled "check" still count; paper forms have no
	// link and count).
	ResponsesNotDoubtful SurveyResponses = "not_doubtful"
)

// SurveyResponsesSettings lists every setting, the default first.
var SurveyResponsesSettings = []SurveyResponses{ResponsesClean, ResponsesAll, ResponsesNotDoubtful}

// Valid reports whether r is one of SurveyResponsesSettings.
func (r SurveyResponses) Valid() bool { return slices.Contains(SurveyResponsesSettings, r) }

// Measure says which survey figure a survey leaf reads.
type Measure string

const (
	// MeasureSatisfaction: the share of valid answers at level 4 or 5, in [0, 1]. Default.
	MeasureSatisfaction Measure = "satisfaction"
	// MeasureMean100: the mean score rescaled to 0–100; the leaf divides it by 100.
	MeasureMean100 Measure = "mean100"
)

// Valid reports whether m is satisfaction or mean100.
func (m Measure) Valid() bool { return m == MeasureSatisfaction || m == MeasureMean100 }

// Defaults filled in by Parse (and by ApplyDefaults) when a key is absent.
const (
	DefaultRounding = 2
	DefaultStep     = 0.25
	DefaultTarget   = 1.0
	DefaultMissing  = MissingZero
	DefaultMeasure  = MeasureSatisfaction
	// DefaultSurveyResponses is today's behaviour, so that framework
	// files written before the key keep their meaning (and their hash).
	DefaultSurveyResponses = ResponsesClean
)

// Tolerance is how far two sums of points may differ and still count as
// equal (a parent's stated max against the sum of its children's).
const Tolerance = 1e-9

// MaxDepth is how deeply nodes may nest. Real frameworks use three levels
// (area, criterion, sub-criterion); the limit only protects against
// runaway input.
const MaxDepth = 32

// Framework is one criteria set (bộ tiêu chí), frozen per year and per
// agency type once published.
type Framework struct {
	Code        string   // unique, e.g. "province-departments-2026"
	Name        string   // Vietnamese title of the decision's annex
	Description string   // optional
	Year        int      // the year being assessed
	AgencyTypes []string // agency types scored with it, e.g. ["department"]
	Source      string   // optional: the decision it follows
	// Rounding is the number of decimals of the displayed index; banding
	// uses the rounded index. 0..6, default 2.
	Rounding int
	// CapIndex, when set, is the highest index an agency can reach: bonus
	// points cannot lift it past the cap.
	CapIndex *float64
	// Missing is the policy for a leaf with no input, unless a node on its
	// path overrides it.
	Missing MissingPolicy
	// SurveyResponses says which survey responses the survey leaves
	// count; default clean.
	SurveyResponses SurveyResponses
	Bands           []Band  // highest first; the last has Min 0
	Nodes           []*Node // the areas (lĩnh vực)
}

// Band is one grade (xếp loại). An index falls in the first band, highest
// first, whose Min it reaches once rounded.
type Band struct {
	Code        string
	Name        string
	Description string
	Min         float64
}

// Tier is one step of a tiers leaf: a rate ≥ Min earns Points.
type Tier struct {
	Min    float64
	Points float64
}

// Node is an area, a criterion or a sub-criterion. A node with Children is
// a group and its maximum is the sum of theirs; a node without is a leaf and
// has a Method. Only the fields of the leaf's method are meaningful; Parse
// rejects the others.
type Node struct {
	Code string
	Name string
	// ShortName, optional, labels the node where space is short (the axes
	// of charts); Label falls back to a shortened Name.
	ShortName   string
	Description string
	// Adjustment marks a bonus/penalty block: this node and everything
	// under it sit outside the maximum.
	Adjustment bool
	// Max is the maximum as written in the file: required on a scored leaf,
	// optional on a group (and then equal to the sum of its children's).
	// Use MaxPoints for the computed value.
	Max *float64
	// Missing overrides the framework's policy for this node and the nodes
	// under it; empty means inherit.
	Missing MissingPolicy
	Method  Method // empty on a group

	Step        float64 // assessed: input granularity, default 0.25
	Numerator   string  // ratio, tiers, relative: metric name
	Denominator string  // ratio, tiers, relative: metric name
	Target      float64 // ratio: the rate that earns full points, default 1
	Tiers       []Tier  // tiers: highest Min first, the last has Min 0
	Metric      string  // count: metric name
	PerUnit     float64 // count: points per unit counted
	Formula     string  // formula: expression over metrics and max
	Instrument  string  // survey: instrument code, e.g. "sipas-2026"
	Element     string  // survey: element code, or empty
	Question    string  // survey: question code, or empty
	Measure     Measure // survey: satisfaction (default) or mean100
	Cap         float64 // bonus, penalty: the most points the leaf may add or remove

	Children []*Node

	// Line is the line of the node in its source file (0 when the node was
	// built in code). Marshal, Hash and Diff ignore it.
	Line int
}

// TextField is the node's field that the key of that name holds as plain
// text (code, name, short_name, description and the text parameters:
// numerator, denominator, metric, formula, instrument, element, question);
// nil for any other key. The YAML reader and the workbook layout fill and
// write these fields through it (since 2026-12-07, issue 24).
func (n *Node) TextField(key string) *string {
	switch key {
	case "code":
		return &n.Code
	case "name":
		return &n.Name
	case "short_name":
		return &n.ShortName
	case "description":
		return &n.Description
	case "numerator":
		return &n.Numerator
	case "denominator":
		return &n.Denominator
	case "metric":
		return &n.Metric
	case "formula":
		return &n.Formula
	case "instrument":
		return &n.Instrument
	case "element":
		return &n.Element
	case "question":
		return &n.Question
	}
	return nil
}

// TextField is the framework's field that the key of that name holds as
// plain text (code, name, description, source); nil for any other key.
func (f *Framework) TextField(key string) *string {
	switch key {
	case "code":
		return &f.Code
	case "name":
		return &f.Name
	case "description":
		return &f.Description
	case "source":
		return &f.Source
	}
	return nil
}

// labelLength is how many characters a derived short label keeps at most.
const labelLength = 24

// Label names the node where space is short, as a chart's axis: its short
// name, or else its name, cut at a word boundary with "…" past
// labelLength characters.
func (n *Node) Label() string {
	if n.ShortName != "" {
		return n.ShortName
	}
	r := []rune(n.Name)
	if len(r) <= labelLength {
		return n.Name
	}
	cut := labelLength
	for i := labelLength; i > labelLength/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:") + "…"
}

// IsLeaf reports whether n has no children.
func (n *Node) IsLeaf() bool { return len(n.Children) == 0 }

// MaxPoints is the node's maximum: the stated max of a scored leaf, the sum
// of its children's for a group, and 0 for an adjustment node or a
// bonus/penalty leaf, which sit outside the maximum.
func (n *Node) MaxPoints() float64 {
	if n.Adjustment || n.Method.IsAdjustment() {
		return 0
	}
	if n.IsLeaf() {
		if n.Max == nil {
			return 0
		}
		return *n.Max
	}
	var sum float64
	for _, c := range n.Children {
		sum += c.MaxPoints()
	}
	return sum
}

// Metrics lists the operational metrics the leaf reads, in a stable order
// (numerator before denominator; formula metrics sorted). Methods that take
// entered or survey values read none. A formula that does not compile
// yields nil.
func (n *Node) Metrics() []string {
	switch n.Method {
	case MethodRatio, MethodTiers, MethodRelative:
		var out []string
		for _, m := range []string{n.Numerator, n.Denominator} {
			if m != "" && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		return out
	case MethodCount:
		if n.Metric == "" {
			return nil
		}
		return []string{n.Metric}
	case MethodFormula:
		f, err := CompileFormula(n.Formula)
		if err != nil {
			return nil
		}
		return slices.Clone(f.Metrics)
	}
	return nil
}

// InputStep is the granularity of an assessed leaf's points (DefaultStep
// when unset).
func (n *Node) InputStep() float64 {
	if n.Step > 0 {
		return n.Step
	}
	return DefaultStep
}

// RatioTarget is the rate that earns full points on a ratio leaf
// (DefaultTarget when unset).
func (n *Node) RatioTarget() float64 {
	if n.Target > 0 {
		return n.Target
	}
	return DefaultTarget
}

// SurveyMeasure is the measure a survey leaf reads (DefaultMeasure when unset).
func (n *Node) SurveyMeasure() Measure {
	if n.Measure == "" {
		return DefaultMeasure
	}
	return n.Measure
}

// Walk visits every node depth-first in file order. visit receives the node
// and its ancestors (outermost first; the slice is reused, copy it to keep
// it). Returning false skips the node's children.
func (f *Framework) Walk(visit func(n *Node, ancestors []*Node) bool) {
	var ancestors []*Node
	var walk func(nodes []*Node)
	walk = func(nodes []*Node) {
		for _, n := range nodes {
			if n == nil {
				continue
			}
			if visit(n, ancestors) && len(n.Children) > 0 {
				ancestors = append(ancestors, n)
				walk(n.Children)
				ancestors = ancestors[:len(ancestors)-1]
			}
		}
	}
	walk(f.Nodes)
}

// All lists every node depth-first in file order.
func (f *Framework) All() []*Node {
	var out []*Node
	f.Walk(func(n *Node, _ []*Node) bool {
		out = append(out, n)
		return true
	})
	return out
}

// Find returns the node with the code, or nil.
func (f *Framework) Find(code string) *Node {
	var found *Node
	f.Walk(func(n *Node, _ []*Node) bool {
		if found == nil && n.Code == code {
			found = n
		}
		return found == nil
	})
	return found
}

// Path returns the node with the code preceded by its ancestors (outermost
// first), or nil when there is no such node.
func (f *Framework) Path(code string) []*Node {
	var path []*Node
	f.Walk(func(n *Node, ancestors []*Node) bool {
		if path == nil && n.Code == code {
			path = append(slices.Clone(ancestors), n)
		}
		return path == nil
	})
	return path
}

// Parent returns the parent of the node with the code, or nil for an area
// or an unknown code.
func (f *Framework) Parent(code string) *Node {
	path := f.Path(code)
	if len(path) < 2 {
		return nil
	}
	return path[len(path)-2]
}

// Leaves lists the leaves depth-first in file order, adjustment leaves
// included.
func (f *Framework) Leaves() []*Node {
	var out []*Node
	f.Walk(func(n *Node, _ []*Node) bool {
		if n.IsLeaf() {
			out = append(out, n)
		}
		return true
	})
	return out
}

// TotalMax is the framework's maximum: the sum of the areas' maxima,
// adjustment nodes excluded.
func (f *Framework) TotalMax() float64 {
	var sum float64
	for _, n := range f.Nodes {
		if n != nil {
			sum += n.MaxPoints()
		}
	}
	return sum
}

// InAdjustment reports whether the node with the code is an adjustment node
// or sits under one.
func (f *Framework) InAdjustment(code string) bool {
	for _, n := range f.Path(code) {
		if n.Adjustment {
			return true
		}
	}
	return false
}

// MissingFor is the missing policy that applies to the node with the code:
// the nearest setting on its path, else the framework's, else MissingZero.
func (f *Framework) MissingFor(code string) MissingPolicy {
	path := f.Path(code)
	for i := len(path) - 1; i >= 0; i-- {
		if path[i].Missing != "" {
			return path[i].Missing
		}
	}
	if f.Missing != "" {
		return f.Missing
	}
	return DefaultMissing
}

// SurveyResponsesUsed is the framework's survey_responses setting, or
// the default when it has none.
func (f *Framework) SurveyResponsesUsed() SurveyResponses {
	if f.SurveyResponses != "" {
		return f.SurveyResponses
	}
	return DefaultSurveyResponses
}

// Metrics lists, sorted and without repeats, every metric the framework's
// leaves read.
func (f *Framework) Metrics() []string {
	seen := map[string]bool{}
	for _, n := range f.Leaves() {
		for _, m := range n.Metrics() {
			seen[m] = true
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// RoundIndex is the index as published: rounded to the framework's Rounding
// decimals, half away from zero (stats.RoundHalfUp), after floating-point
// noise is removed by keeping IndexDigits significant digits. Apply
// CapIndex before rounding.
//
// An index is a sum of up to a few hundred leaf points, each a product or
// quotient of decimal inputs, so its binary value carries rounding noise:
// an index that is exactly 72.315 in decimal arithmetic can come out as
// 72.31499999999999, which would publish as 72.31. Summing 150 leaves gives
// relative errors up to about 1.2e-15, more than half a unit of the 15th
// significant digit; twelve digits leave three orders of magnitude of
// margin and are still six orders finer than the finest rounding a
// framework may ask for (6 decimals on an index below 1000).
func (f *Framework) RoundIndex(x float64) float64 {
	if x != 0 && !math.IsNaN(x) && !math.IsInf(x, 0) {
		exponent := int(math.Floor(math.Log10(math.Abs(x))))
		x = stats.RoundHalfUp(x, IndexDigits-1-exponent)
	}
	return stats.RoundHalfUp(x, f.Rounding)
}

// IndexDigits is how many significant digits of an index are kept before it
// is rounded for publication (see RoundIndex).
const IndexDigits = 12

// ApplyCap returns x limited to CapIndex when the framework has one.
func (f *Framework) ApplyCap(x float64) float64 {
	if f.CapIndex != nil && x > *f.CapIndex {
		return *f.CapIndex
	}
	return x
}

// BandFor returns the band of an index that has already been capped and
// rounded: the first band, highest first, whose Min it reaches. ok is false
// when the index is below every band (a negative index); the lowest band is
// returned then.
func (f *Framework) BandFor(roundedIndex float64) (band Band, ok bool) {
	for _, b := range f.Bands {
		if roundedIndex >= b.Min {
			return b, true
		}
	}
	if len(f.Bands) == 0 {
		return Band{}, false
	}
	return f.Bands[len(f.Bands)-1], false
}

// ApplyDefaults fills the defaults Parse fills for absent keys into a
// framework built in code: Missing, SurveyResponses, and on leaves Step (assessed), Target
// (ratio) and Measure (survey) when they are zero. Rounding is left alone
// because 0 decimals is a valid choice.
func (f *Framework) ApplyDefaults() {
	if f.Missing == "" {
		f.Missing = DefaultMissing
	}
	if f.SurveyResponses == "" {
		f.SurveyResponses = DefaultSurveyResponses
	}
	f.Walk(func(n *Node, _ []*Node) bool {
		switch n.Method {
		case MethodAssessed:
			if n.Step == 0 {
				n.Step = DefaultStep
			}
		case MethodRatio:
			if n.Target == 0 {
				n.Target = DefaultTarget
			}
		case MethodSurvey:
			if n.Measure == "" {
				n.Measure = DefaultMeasure
			}
		}
		return true
	})
}

// Clone returns a deep copy of f.
func (f *Framework) Clone() *Framework {
	if f == nil {
		return nil
	}
	c := *f
	c.AgencyTypes = slices.Clone(f.AgencyTypes)
	if f.CapIndex != nil {
		v := *f.CapIndex
		c.CapIndex = &v
	}
	c.Bands = slices.Clone(f.Bands)
	c.Nodes = cloneNodes(f.Nodes)
	return &c
}

func cloneNodes(nodes []*Node) []*Node {
	if nodes == nil {
		return nil
	}
	out := make([]*Node, len(nodes))
	for i, n := range nodes {
		if n == nil {
			continue
		}
		c := *n
		if n.Max != nil {
			v := *n.Max
			c.Max = &v
		}
		c.Tiers = slices.Clone(n.Tiers)
		c.Children = cloneNodes(n.Children)
		out[i] = &c
	}
	return out
}
