package criteria

import (
	"parindex/stats"

	"math"
	"sort"
	"strings"
)

// Validate checks a framework built in code (or edited after Parse) against
// the same rules Parse applies, except those about the file itself (unknown
// keys, value types). Node.Line, when set, locates the problems. The error
// is a *ValidationError. Zero values stand for absent optional settings, as
// the helpers InputStep, RatioTarget and SurveyMeasure read them.
func Validate(f *Framework) error {
	if f == nil {
		return &ValidationError{Problems: []Problem{newProblem("", 0, "", RuleEmptyFile)}}
	}
	c := &checker{}
	c.check(f)
	if len(c.problems) > 0 {
		return &ValidationError{Problems: c.sorted()}
	}
	return nil
}

// checker applies the semantic rules. With a source (from Parse) it knows
// which keys the file wrote and on which lines; without one (a framework
// built in code) a zero value means absent.
type checker struct {
	file     string
	src      *source
	problems []Problem
	// codeLines remembers where each node code was first used.
	codeLines map[string]int
}

var methodList = func() string {
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}()

func (c *checker) add(line int, node string, rule Rule, args ...any) {
	c.problems = append(c.problems, newProblem(c.file, line, node, rule, args...))
}

func (c *checker) sorted() []Problem {
	out := append([]Problem(nil), c.problems...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// Source lookups. present reports whether the file wrote the key (even with
// a bad value); for a framework built in code it falls back to "the value is
// not zero". bad reports a key whose value was already refused.

func (c *checker) fw() *entrySource {
	if c.src == nil {
		return nil
	}
	return c.src.framework
}

func (c *checker) node(n *Node) *entrySource {
	if c.src == nil {
		return nil
	}
	return c.src.nodes[n]
}

func lineOf(es *entrySource, key string, fallback int) int {
	if es == nil {
		return fallback
	}
	if l, ok := es.keys[key]; ok {
		return l
	}
	if es.line > 0 {
		return es.line
	}
	return fallback
}

func present(es *entrySource, key string, nonZero bool) bool {
	if es == nil {
		return nonZero
	}
	_, ok := es.keys[key]
	return ok
}

func bad(es *entrySource, key string) bool { return es != nil && es.bad[key] }

// usable reports a key that is present with a value of the right type.
func usable(es *entrySource, key string, nonZero bool) bool {
	return present(es, key, nonZero) && !bad(es, key)
}

func (c *checker) check(f *Framework) {
	es := c.fw()
	line := func(key string) int { return lineOf(es, key, 0) }

	if !bad(es, "code") && f.Code == "" {
		c.add(line("code"), "", RuleMissingCode)
	} else if f.Code != "" && !isCode(f.Code) {
		c.add(line("code"), "", RuleBadCode, f.Code)
	}
	if !bad(es, "name") && f.Name == "" {
		c.add(line("name"), "", RuleMissingName)
	}
	if !present(es, "year", f.Year != 0) {
		c.add(line("year"), "", RuleMissingYear)
	} else if !bad(es, "year") && (f.Year < 2000 || f.Year > 2100) {
		c.add(line("year"), "", RuleYearRange, f.Year)
	}
	if !bad(es, "agency_types") {
		if len(f.AgencyTypes) == 0 {
			c.add(line("agency_types"), "", RuleNoAgencyTypes)
		}
		seen := map[string]bool{}
		for _, t := range f.AgencyTypes {
			switch {
			case !IsMetricName(t):
				c.add(line("agency_types"), "", RuleBadAgencyType, t)
			case seen[t]:
				c.add(line("agency_types"), "", RuleDupAgencyType, t)
			}
			seen[t] = true
		}
	}
	if usable(es, "rounding", true) && (f.Rounding < 0 || f.Rounding > 6) {
		c.add(line("rounding"), "", RuleRounding, f.Rounding)
	}
	if f.CapIndex != nil && *f.CapIndex <= 0 {
		c.add(line("cap_index"), "", RuleCapIndex, num(*f.CapIndex))
	}
	if !bad(es, "missing") && present(es, "missing", f.Missing != "") && !f.Missing.Valid() {
		c.add(line("missing"), "", RuleMissingPolicy, string(f.Missing))
	}
	if !bad(es, "survey_responses") && present(es, "survey_responses", f.SurveyResponses != "") && !f.SurveyResponses.Valid() {
		c.add(line("survey_responses"), "", RuleSurveyResponses, string(f.SurveyResponses))
	}
	c.checkBands(f, line("bands"))

	if !bad(es, "nodes") && len(f.Nodes) == 0 {
		c.add(line("nodes"), "", RuleNoNodes)
	}
	c.codeLines = map[string]int{}
	for _, n := range f.Nodes {
		if n != nil {
			c.checkNode(f, n, 1, outsideAdjustment)
		}
	}
	if len(c.problems) == 0 && len(f.Nodes) > 0 && !(f.TotalMax() > 0) {
		c.add(line("nodes"), "", RuleZeroTotal)
	}
}

func (c *checker) checkBands(f *Framework, keyLine int) {
	if bad(c.fw(), "bands") {
		return
	}
	if len(f.Bands) == 0 {
		c.add(keyLine, "", RuleNoBands)
		return
	}
	first := map[string]int{}
	for i, b := range f.Bands {
		var es *entrySource
		if c.src != nil && i < len(c.src.bands) {
			es = c.src.bands[i]
		}
		bl := lineOf(es, "", 0)
		label := b.Code
		switch {
		case b.Code == "" && !bad(es, "code"):
			c.add(bl, "", RuleBandMissingCode, i+1)
			label = "#" + itoa(i+1)
		case b.Code != "" && !isCode(b.Code):
			c.add(lineOf(es, "code", 0), "", RuleBadCode, b.Code)
		case b.Code != "":
			if l, dup := first[b.Code]; dup {
				c.add(lineOf(es, "code", 0), "", RuleBandDuplicate, b.Code, l)
			} else {
				first[b.Code] = lineOf(es, "code", 0)
			}
		}
		if b.Name == "" && !bad(es, "name") {
			c.add(bl, "", RuleBandMissingName, label)
		}
		if !present(es, "min", true) {
			c.add(bl, "", RuleBandMissingMin, label)
			continue
		}
		if bad(es, "min") {
			continue
		}
		if i > 0 {
			prev := f.Bands[i-1]
			var pes *entrySource
			if c.src != nil {
				pes = c.src.bands[i-1]
			}
			if usable(pes, "min", true) && b.Min >= prev.Min {
				c.add(lineOf(es, "min", 0), "", RuleBandOrder, label, num(b.Min), num(prev.Min))
			}
		}
		if i == len(f.Bands)-1 && b.Min != 0 {
			c.add(lineOf(es, "min", 0), "", RuleBandFloor, label, num(b.Min))
		}
	}
}

func itoa(i int) string { return formatNumber(float64(i)) }

// adjustmentState says whether a node sits in an adjustment block. It is
// unknown under a node whose adjustment flag could not be read, so that one
// typo is not reported again on every leaf below it.
type adjustmentState int

const (
	outsideAdjustment adjustmentState = iota
	insideAdjustment
	unknownAdjustment
)

// checkNode applies the node rules; state says whether an ancestor is an
// adjustment node.
func (c *checker) checkNode(f *Framework, n *Node, depth int, state adjustmentState) {
	es := c.node(n)
	nodeLine := n.Line
	if es != nil {
		nodeLine = es.line
	}
	line := func(key string) int { return lineOf(es, key, nodeLine) }
	label := n.Code
	if label != "" && !isCode(label) {
		label = ""
	}

	switch {
	case n.Code == "" && !bad(es, "code"):
		c.add(nodeLine, "", RuleMissingCode)
	case n.Code != "" && !isCode(n.Code):
		c.add(line("code"), "", RuleBadCode, n.Code)
	case n.Code != "":
		if first, dup := c.codeLines[n.Code]; dup {
			c.add(line("code"), n.Code, RuleDuplicateCode, n.Code, first)
		} else {
			c.codeLines[n.Code] = line("code")
		}
	}
	if n.Name == "" && !bad(es, "name") {
		c.add(nodeLine, label, RuleMissingName)
	}
	if !bad(es, "missing") && present(es, "missing", n.Missing != "") && !n.Missing.Valid() {
		c.add(line("missing"), label, RuleMissingPolicy, string(n.Missing))
	}
	if n.Max != nil && *n.Max < 0 {
		c.add(line("max"), label, RuleNegativeMax, num(*n.Max))
	}
	switch {
	case bad(es, "adjustment") && state == outsideAdjustment:
		state = unknownAdjustment
	case n.Adjustment:
		state = insideAdjustment
	}
	adjustment := state == insideAdjustment

	hasChildrenKey := present(es, "children", len(n.Children) > 0)
	if hasChildrenKey {
		if depth > MaxDepth {
			c.add(nodeLine, label, RuleTooDeep, MaxDepth)
			return
		}
		if !bad(es, "children") && len(n.Children) == 0 {
			c.add(line("children"), label, RuleEmptyChildren)
			return
		}
		if present(es, "method", n.Method != "") {
			c.add(line("method"), label, RuleChildrenAndMeth)
		}
		for _, child := range n.Children {
			if child != nil {
				c.checkNode(f, child, depth+1, state)
			}
		}
		switch {
		case adjustment && present(es, "max", n.Max != nil):
			c.add(line("max"), label, RuleAdjustmentMax)
		case state == outsideAdjustment && n.Max != nil && *n.Max >= 0 && !bad(es, "children") && c.maximaKnown(n.Children):
			sum := n.MaxPoints()
			if math.Abs(*n.Max-sum) > Tolerance {
				c.add(line("max"), label, RuleParentMaxSum, num(*n.Max), num(stats.RoundHalfUp(sum, 9)))
			}
		}
		return
	}

	// A leaf.
	m := n.Method
	switch {
	case bad(es, "method"):
		return
	case m == "":
		c.add(nodeLine, label, RuleMissingMethod, methodList)
		return
	case !m.Valid():
		c.add(line("method"), label, RuleUnknownMethod, string(m), methodList)
		return
	}
	switch {
	case m.IsAdjustment() && state == outsideAdjustment:
		c.add(line("method"), label, RuleBonusOutside, string(m))
	case !m.IsAdjustment() && state == insideAdjustment:
		c.add(line("method"), label, RuleScoredInside, string(m))
	case !m.IsAdjustment() && state == outsideAdjustment && n.Max == nil && !bad(es, "max"):
		c.add(nodeLine, label, RuleMissingMax)
	}

	metric := func(key, value string, rule Rule) {
		switch {
		case bad(es, key):
		case value == "":
			c.add(nodeLine, label, rule, string(m))
		case !IsMetricName(value):
			c.add(line(key), label, RuleBadMetric, key, value)
		}
	}
	surveyCode := func(key, value string) {
		if value != "" && !isCode(value) {
			c.add(line(key), label, RuleBadCode, value)
		}
	}

	switch m {
	case MethodAssessed:
		if usable(es, "step", n.Step != 0) && n.Step <= 0 {
			c.add(line("step"), label, RuleStep, num(n.Step))
		}
	case MethodRatio:
		metric("numerator", n.Numerator, RuleMissingNumerator)
		metric("denominator", n.Denominator, RuleMissingDenom)
		if usable(es, "target", n.Target != 0) && n.Target <= 0 {
			c.add(line("target"), label, RuleTarget, num(n.Target))
		}
	case MethodRelative:
		metric("numerator", n.Numerator, RuleMissingNumerator)
		metric("denominator", n.Denominator, RuleMissingDenom)
	case MethodTiers:
		metric("numerator", n.Numerator, RuleMissingNumerator)
		metric("denominator", n.Denominator, RuleMissingDenom)
		c.checkTiers(n, es, nodeLine, label)
	case MethodCount:
		switch {
		case bad(es, "metric"):
		case n.Metric == "":
			c.add(nodeLine, label, RuleCountMetric)
		case !IsMetricName(n.Metric):
			c.add(line("metric"), label, RuleBadMetric, "metric", n.Metric)
		}
		switch {
		case !present(es, "per_unit", true):
			c.add(nodeLine, label, RuleCountPerUnit)
		case !bad(es, "per_unit") && n.PerUnit <= 0:
			c.add(line("per_unit"), label, RulePerUnit, num(n.PerUnit))
		}
	case MethodFormula:
		switch {
		case bad(es, "formula"):
		case n.Formula == "":
			c.add(nodeLine, label, RuleMissingFormula)
		default:
			if _, err := CompileFormula(n.Formula); err != nil {
				fe := err.(*FormulaError)
				p := newProblem(c.file, line("formula"), label, fe.Rule)
				p.Message, p.MessageVI = fe.Message, fe.MessageVI
				c.problems = append(c.problems, p)
			}
		}
	case MethodSurvey:
		if n.Instrument == "" && !bad(es, "instrument") {
			c.add(nodeLine, label, RuleMissingInstr)
		}
		surveyCode("instrument", n.Instrument)
		surveyCode("element", n.Element)
		surveyCode("question", n.Question)
		if n.Element != "" && n.Question != "" {
			c.add(line("question"), label, RuleElementQuestion)
		}
		if !bad(es, "measure") && present(es, "measure", n.Measure != "") && !n.Measure.Valid() {
			c.add(line("measure"), label, RuleBadMeasure, string(n.Measure))
		}
	case MethodBonus, MethodPenalty:
		switch {
		case !present(es, "cap", true):
			c.add(nodeLine, label, RuleMissingCap, string(m))
		case !bad(es, "cap") && n.Cap < 0:
			c.add(line("cap"), label, RuleNegativeCap, num(n.Cap))
		}
	}
}

func (c *checker) checkTiers(n *Node, es *entrySource, nodeLine int, label string) {
	if bad(es, "tiers") {
		return
	}
	if len(n.Tiers) == 0 {
		c.add(lineOf(es, "tiers", nodeLine), label, RuleNoTiers)
		return
	}
	var sources []*entrySource
	if c.src != nil {
		sources = c.src.tiers[n]
	}
	maxKnown := n.Max != nil && *n.Max >= 0
	for i, t := range n.Tiers {
		var ts *entrySource
		if i < len(sources) {
			ts = sources[i]
		}
		tl := lineOf(ts, "", nodeLine)
		minOK, pointsOK := true, true
		if !present(ts, "min", true) {
			c.add(tl, label, RuleTierMissingMin, i+1)
			minOK = false
		} else if bad(ts, "min") {
			minOK = false
		}
		if !present(ts, "points", true) {
			c.add(tl, label, RuleTierMissingPts, i+1)
			pointsOK = false
		} else if bad(ts, "points") {
			pointsOK = false
		}
		if minOK && i > 0 {
			var ps *entrySource
			if i-1 < len(sources) {
				ps = sources[i-1]
			}
			if usable(ps, "min", true) && t.Min >= n.Tiers[i-1].Min {
				c.add(tl, label, RuleTierOrder, i+1, num(t.Min), num(n.Tiers[i-1].Min))
			}
		}
		if minOK && i == len(n.Tiers)-1 && t.Min != 0 {
			c.add(tl, label, RuleTierFloor, num(t.Min))
		}
		if pointsOK {
			switch {
			case t.Points < 0:
				c.add(tl, label, RuleTierPointsNeg, i+1, num(t.Points))
			case maxKnown && t.Points > *n.Max+Tolerance:
				c.add(tl, label, RuleTierPointsAbove, i+1, num(t.Points), num(*n.Max))
			}
		}
	}
}

// maximaKnown reports whether every scored leaf under nodes has a usable
// max, so that comparing a stated group max with the sum means something.
func (c *checker) maximaKnown(nodes []*Node) bool {
	for _, n := range nodes {
		if n == nil || n.Adjustment {
			continue
		}
		es := c.node(n)
		if bad(es, "max") || bad(es, "children") {
			return false
		}
		if len(n.Children) > 0 {
			if !c.maximaKnown(n.Children) {
				return false
			}
			continue
		}
		if n.Method.IsAdjustment() {
			continue
		}
		if n.Max == nil || *n.Max < 0 {
			return false
		}
	}
	return true
}

// sipasElements are the five elements of MoHA's satisfaction survey.
var sipasElements = []string{"access", "procedure", "civil_servant", "result", "feedback"}

// offlineSurveyWarnings flags element codes that are not SIPAS elements:
// probably typos, but only the instrument in the database can tell.
func offlineSurveyWarnings(f *Framework, file string) []Warning {
	if f == nil {
		return nil
	}
	var out []Warning
	f.Walk(func(n *Node, _ []*Node) bool {
		if n.Method == MethodSurvey && n.Element != "" && !contains(sipasElements, n.Element) {
			p := newProblem(file, n.Line, n.Code, RuleSurveyElement, n.Element, n.Instrument)
			out = append(out, Warning(p))
		}
		return true
	})
	return out
}

// CheckSurveyRefs asks known about every survey reference in the framework
// (instrument, and element or question when set; empty strings otherwise)
// and returns a warning for each one it does not know. Callers with a
// database pass a lookup of their instruments; Parse cannot do this itself.
func CheckSurveyRefs(f *Framework, known func(instrument, element, question string) bool) []Warning {
	if f == nil || known == nil {
		return nil
	}
	var out []Warning
	f.Walk(func(n *Node, _ []*Node) bool {
		if n.Method != MethodSurvey || known(n.Instrument, n.Element, n.Question) {
			return true
		}
		ref := "instrument " + n.Instrument
		switch {
		case n.Element != "":
			ref += ", element " + n.Element
		case n.Question != "":
			ref += ", question " + n.Question
		}
		out = append(out, Warning(newProblem("", n.Line, n.Code, RuleSurveyRef, ref)))
		return true
	})
	return out
}
