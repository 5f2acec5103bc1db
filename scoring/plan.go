package scoring

import (
	"fmt"
	"math"

	"parindex/criteria"
)

// plan is a framework flattened for scoring: nodes in depth-first file
// order (so that a node's subtree is the contiguous range [i, end)), with
// everything a leaf needs computed once per run rather than once per
// agency (missing policy, compiled formula, survey key).
type plan struct {
	f         *criteria.Framework
	nodes     []planNode
	byCode    map[string]int
	leaves    []int // every leaf, file order, adjustment leaves included
	relative  []int // relative leaves
	bandSteps []bandStep
	// formulaMetrics counts the metrics formulas read (with repeats), to
	// size each agency's map of formula values.
	formulaMetrics int
	// metricIndex numbers the metrics the leaves read; each agency's values
	// are copied once into a slice in that order (NaN when absent), so that
	// leaves index a slice instead of hashing names.
	metricIndex map[string]int
}

type planNode struct {
	node        *criteria.Node
	parent      int // -1 for an area
	end         int // the subtree is nodes[i:end]
	leaf        bool
	adjustment  bool // the node is an adjustment node or sits under one
	policy      criteria.MissingPolicy
	formula     *criteria.Formula
	relative    int // relative leaves: position in plan.relative
	numerator   int // ratio, tiers, relative: metric positions in metricIndex
	denominator int
	metric      int       // count: metric position
	spec        *LeafSpec // leaves only; shared by every agency's result
	reasons     leafReasons
}

// leafReasons are a leaf's missing-input messages, written once per run
// rather than once per agency.
type leafReasons struct {
	noNumerator, noDenominator, noBoth, zeroDenominator Reason // ratio, tiers, relative
	noMetric                                            Reason // count
	noSurvey                                            Reason // survey
}

func reasonsFor(s *LeafSpec) leafReasons {
	var r leafReasons
	switch s.Method {
	case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative:
		r.noNumerator = *absentMetrics([]string{s.NumeratorMetric})
		r.noDenominator = *absentMetrics([]string{s.DenominatorMetric})
		r.noBoth = *absentMetrics([]string{s.NumeratorMetric, s.DenominatorMetric})
		r.zeroDenominator = Reason{"the denominator " + s.DenominatorMetric + " is 0, so the rate is undefined",
			"mẫu số " + s.DenominatorMetric + " bằng 0 nên không xác định được tỷ lệ"}
	case criteria.MethodCount:
		r.noMetric = *absentMetrics([]string{s.Metric})
	case criteria.MethodSurvey:
		where := s.Instrument + " / " + s.SurveyKey + " (" + string(s.Measure) + ")"
		r.noSurvey = Reason{"no survey result for " + where, "chưa có kết quả khảo sát " + where}
	}
	return r
}

func compile(f *criteria.Framework) (*plan, error) {
	p := &plan{f: f, byCode: map[string]int{}, bandSteps: bandSteps(f), metricIndex: map[string]int{}}
	metric := func(name string) int {
		if name == "" {
			return -1
		}
		i, ok := p.metricIndex[name]
		if !ok {
			i = len(p.metricIndex)
			p.metricIndex[name] = i
		}
		return i
	}
	var add func(n *criteria.Node, parent int, adjustment bool, policy criteria.MissingPolicy) error
	add = func(n *criteria.Node, parent int, adjustment bool, policy criteria.MissingPolicy) error {
		if n == nil {
			return nil
		}
		if n.Missing != "" {
			policy = n.Missing
		}
		adjustment = adjustment || n.Adjustment
		i := len(p.nodes)
		if _, dup := p.byCode[n.Code]; dup {
			return fmt.Errorf("scoring: framework %s: duplicate node code %q", f.Code, n.Code)
		}
		p.byCode[n.Code] = i
		p.nodes = append(p.nodes, planNode{node: n, parent: parent, leaf: n.IsLeaf(), adjustment: adjustment, policy: policy})
		if n.IsLeaf() {
			p.leaves = append(p.leaves, i)
			spec, formula, err := leafSpec(n)
			if err != nil {
				return fmt.Errorf("scoring: framework %s: node %s: %w", f.Code, n.Code, err)
			}
			p.nodes[i].spec = spec
			p.nodes[i].formula = formula
			p.nodes[i].reasons = reasonsFor(spec)
			p.nodes[i].numerator = metric(spec.NumeratorMetric)
			p.nodes[i].denominator = metric(spec.DenominatorMetric)
			p.nodes[i].metric = metric(spec.Metric)
			for _, m := range spec.FormulaMetrics {
				metric(m)
			}
			p.formulaMetrics += len(spec.FormulaMetrics)
			if n.Method == criteria.MethodRelative {
				p.nodes[i].relative = len(p.relative)
				p.relative = append(p.relative, i)
			}
		}
		for _, c := range n.Children {
			if err := add(c, i, adjustment, policy); err != nil {
				return err
			}
		}
		p.nodes[i].end = len(p.nodes)
		return nil
	}
	policy := f.Missing
	if policy == "" {
		policy = criteria.DefaultMissing
	}
	for _, n := range f.Nodes {
		if err := add(n, -1, false, policy); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func leafSpec(n *criteria.Node) (*LeafSpec, *criteria.Formula, error) {
	s := &LeafSpec{Method: n.Method, Max: n.MaxPoints(), Step: math.NaN(), Target: math.NaN(),
		PerUnit: math.NaN(), Cap: math.NaN()}
	var formula *criteria.Formula
	switch n.Method {
	case criteria.MethodAssessed:
		s.Step = n.InputStep()
	case criteria.MethodRatio:
		s.NumeratorMetric, s.DenominatorMetric = n.Numerator, n.Denominator
		s.Target = n.RatioTarget()
	case criteria.MethodTiers, criteria.MethodRelative:
		s.NumeratorMetric, s.DenominatorMetric = n.Numerator, n.Denominator
	case criteria.MethodCount:
		s.Metric = n.Metric
		s.PerUnit = n.PerUnit
	case criteria.MethodFormula:
		s.Formula = n.Formula
		var err error
		if formula, err = criteria.CompileFormula(n.Formula); err != nil {
			return nil, nil, err
		}
		s.FormulaMetrics = formula.Metrics
	case criteria.MethodSurvey:
		s.Instrument = n.Instrument
		s.Measure = n.SurveyMeasure()
		switch {
		case n.Element != "":
			s.SurveyKey = n.Element
		case n.Question != "":
			s.SurveyKey = n.Question
		default:
			s.SurveyKey = Overall
		}
	case criteria.MethodBonus, criteria.MethodPenalty:
		s.Cap = n.Cap
		s.Max = math.NaN() // outside the maximum: it has a cap instead
	case criteria.MethodBoolean:
	default:
		return nil, nil, fmt.Errorf("unknown method %q", n.Method)
	}
	return s, formula, nil
}

// subtreeLeaves lists the codes of the leaves under node i (itself when a
// leaf), for messages.
func (p *plan) subtreeLeaves(i int) []string {
	var out []string
	for j := i; j < p.nodes[i].end; j++ {
		if p.nodes[j].leaf {
			out = append(out, p.nodes[j].node.Code)
		}
	}
	return out
}
