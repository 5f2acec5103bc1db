package assessment

import (
	"math"
	"slices"
	"strings"
	"time"

	"parindex"
	"parindex/criteria"
)

// AppraisalInput is an appraiser's decision on one leaf in the round open
// now. Accept keeps the score as it stands; otherwise Value (points,
// answer, not applicable) or Metrics (metric leaves: the corrected values
// of the metrics the leaf reads) is the appraised value, and a Comment is
// required when it differs from the score it appraises.
type AppraisalInput struct {
	Node    string
	Accept  bool
	Value   LeafValue
	Metrics map[string]float64
	Comment string
}

// Decision is what an appraiser's input decides on one leaf, checked
// against the rules: the store writes it and its audit rows.
type Decision struct {
	Node     string
	Round    int
	Decision string // DecisionAccepted or DecisionAdjusted
	// Base is the value the round appraises (BaseValue).
	Base    LeafValue
	Value   LeafValue
	Comment string
	// Metrics are the values decided for the metrics a metric leaf reads
	// (nil for other leaves, or when none has a value).
	Metrics map[string]float64
	// Changed are the metrics whose appraised value this decision sets
	// or changes, by metric.
	Changed map[string]float64
	// Unchanged: the round's stored decision is already this one; nothing
	// needs writing.
	Unchanged bool
}

// Decide checks an appraiser's input on one leaf of framework f against
// the rules and returns the decision. Round 1 decides any appraisable leaf
// in appraisal_1; round 2 decides, in appraisal_2, the leaves the agency
// explained; a decision may change until the round closes. Accepting
// keeps the value the round appraises; a different value or a corrected
// metric makes the decision "adjusted", which needs a comment. It does not
// decide who may appraise the leaf: the caller asks parindex.Can with
// ActionAppraise on parindex.AppraisalTarget of the unit and the leaf's
// area (AreaOf), which refuses a member of the unit.
func (a *Assessment) Decide(f *criteria.Framework, in AppraisalInput) (Decision, error) {
	round := a.State.AppraisalRound()
	if round == 0 {
		return Decision{}, parindex.Errorf(parindex.ECodeConflict,
			"Hồ sơ của %s đang ở trạng thái %q, không có vòng thẩm định nào đang mở (no appraisal round is open)", a.UnitCode, a.State)
	}
	n := f.Find(in.Node)
	if n == nil || !Appraisable(n) {
		return Decision{}, parindex.Errorf(parindex.ECodeInvalid, "%q không phải là tiêu chí cần thẩm định của bộ %s (not an appraisable leaf)", in.Node, f.Code)
	}
	if round == 2 && !a.Explained(in.Node) {
		return Decision{}, parindex.Errorf(parindex.ECodeConflict,
			"Vòng 2 chỉ thẩm định các tiêu chí đơn vị đã giải trình; %s không có giải trình (round 2 decides explained leaves only)", in.Node)
	}
	d := Decision{Node: in.Node, Round: round, Comment: strings.TrimSpace(in.Comment), Changed: map[string]float64{}}
	if len([]rune(d.Comment)) > MaxNoteLength {
		return Decision{}, parindex.Errorf(parindex.ECodeInvalid, "Ý kiến thẩm định dài hơn %d ký tự (the comment is too long)", MaxNoteLength)
	}
	d.Base = a.BaseValue(in.Node, round)
	d.Value = d.Base
	kind := LeafKind(n)
	reads := n.Metrics()
	decided := map[string]float64{}
	for _, m := range reads {
		if mv := a.Metrics[m]; mv != nil {
			decided[m] = mv.Effective()
		}
	}
	if !in.Accept {
		switch kind {
		case KindMetrics:
			for m, v := range in.Metrics {
				if !slices.Contains(reads, m) {
					return Decision{}, parindex.Errorf(parindex.ECodeInvalid, "Tiêu chí %s không dùng số liệu %s (leaf %s does not read %s)", in.Node, m, in.Node, m)
				}
				if p := CheckMetricValue(m, v); p != nil {
					return Decision{}, parindex.Errorf(parindex.ECodeInvalid, "%s (%s)", p.VI, p.EN)
				}
				if old, ok := decided[m]; !ok || math.Abs(old-v) > 1e-12 {
					d.Changed[m] = v
				}
				decided[m] = v
			}
			d.Value = LeafValue{NotApplicable: in.Value.NotApplicable}
		default:
			if problems := CheckLeafValue(n, in.Value); len(problems) > 0 {
				return Decision{}, parindex.Errorf(parindex.ECodeInvalid, "Tiêu chí %s: %s (%s)", in.Node, problems[0].VI, problems[0].EN)
			}
			d.Value = in.Value
		}
	}
	d.Decision = DecisionAccepted
	if !d.Value.Equal(d.Base) || len(d.Changed) > 0 {
		d.Decision = DecisionAdjusted
		if d.Comment == "" {
			return Decision{}, parindex.Errorf(parindex.ECodeInvalid,
				"Cần ghi ý kiến thẩm định khi điều chỉnh điểm của tiêu chí %s (a comment is required when the score changes)", in.Node)
		}
	}
	if kind == KindMetrics && len(decided) > 0 {
		d.Metrics = decided
	}
	if prev := a.Appraisal(in.Node, round); prev != nil {
		d.Unchanged = prev.Decision == d.Decision && prev.LeafValue.Equal(d.Value) && prev.Comment == d.Comment && len(d.Changed) == 0
	}
	return d, nil
}

// Record applies a decision the store has written to the assessment in
// memory, so that the next decision of a batch sees it: the corrected
// metrics and the round's appraisal.
func (a *Assessment) Record(d Decision, appraiser string, at time.Time) {
	for m, v := range d.Changed {
		mv := a.Metrics[m]
		if mv == nil {
			mv = &MetricValue{Metric: m}
			a.Metrics[m] = mv
		}
		mv.Appraised = &v
		mv.UpdatedAt, mv.UpdatedBy = at, appraiser
	}
	pair := a.Appraisals[d.Node]
	pair[d.Round-1] = &Appraisal{Node: d.Node, Round: d.Round, Decision: d.Decision, LeafValue: d.Value, Metrics: d.Metrics,
		Comment: d.Comment, Appraiser: appraiser, At: at}
	a.Appraisals[d.Node] = pair
}
