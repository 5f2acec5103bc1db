package assessment

import (
	"math"
	"strings"
	"time"

	"parindex"
	"parindex/criteria"
)

// Ref names one assessment: an agency against a framework.
type Ref struct {
	Framework string // framework code
	Unit      string // unit code
}

// ObjectID is the assessment's id in the audit log: "FRAMEWORK/UNIT".
func (r Ref) ObjectID() string { return r.Framework + "/" + r.Unit }

// LeafValue is what one leaf carries: points (assessed) or an amount
// (bonus, penalty), a yes/no answer (boolean), or "does not apply".
// Metric-based leaves carry their metrics at the assessment level instead.
type LeafValue struct {
	Points        *float64
	Answer        *bool
	NotApplicable bool
}

// Empty reports whether the value holds nothing.
func (v LeafValue) Empty() bool { return v.Points == nil && v.Answer == nil && !v.NotApplicable }

// Equal compares two values (points to within 1e-9).
func (v LeafValue) Equal(o LeafValue) bool {
	if v.NotApplicable != o.NotApplicable || (v.Points == nil) != (o.Points == nil) || (v.Answer == nil) != (o.Answer == nil) {
		return false
	}
	if v.Points != nil && math.Abs(*v.Points-*o.Points) > 1e-9 {
		return false
	}
	return v.Answer == nil || *v.Answer == *o.Answer
}

// Entry is the agency's input for one leaf.
type Entry struct {
	Node string
	LeafValue
	Note        string
	Explanation string // written in the explanation stage
	ExplainedAt time.Time
	ExplainedBy string
	UpdatedAt   time.Time
	UpdatedBy   string
}

// MetricValue is one metric the agency reports, and an appraiser's
// correction when there is one.
type MetricValue struct {
	Metric    string
	Value     float64
	Appraised *float64
	UpdatedAt time.Time
	UpdatedBy string
}

// Effective is the appraised value when there is one, else the reported one.
func (m *MetricValue) Effective() float64 {
	if m.Appraised != nil {
		return *m.Appraised
	}
	return m.Value
}

// Appraisal is one decision on one leaf in one round. The value is the
// whole resulting value: an accepted score copies what it accepted.
type Appraisal struct {
	Node     string
	Round    int
	Decision string // DecisionAccepted or DecisionAdjusted
	LeafValue
	Metrics   map[string]float64 // metric leaves: the values decided
	Comment   string
	Appraiser string
	At        time.Time
}

// Evidence is one evidence file of a leaf.
type Evidence struct {
	ID          int64
	Node        string
	SHA256      string
	Size        int64
	ContentType string
	Name        string
	UploadedAt  time.Time
	UploadedBy  string
}

// Assessment is one agency's self-assessment against one published
// framework, with everything entered and decided so far. An assessment
// that was never written has ID 0 and state draft.
type Assessment struct {
	ID            int64
	Framework     string
	FrameworkHash string
	FrameworkYear int
	UnitID        int64
	UnitCode      string
	UnitName      string
	UnitType      string
	State         State
	// Deadline is DoHA's deadline for the current state's stage (zero
	// when none is set); Locked says whether it had passed for this agency
	// on the day the assessment was loaded (the function Locked, on the
	// store clock's day in Vietnam), taking ReopenedUntil into account.
	Deadline      parindex.Date
	ReopenedUntil parindex.Date
	ReopenReason  string
	Locked        bool
	SubmittedAt   time.Time
	SubmittedBy   string
	UpdatedAt     time.Time

	Entries    map[string]*Entry        // by node code
	Metrics    map[string]*MetricValue  // by metric name
	Appraisals map[string][2]*Appraisal // by node code: round 1, round 2
	Evidence   map[string][]*Evidence   // by node code, oldest first, removed files left out
}

// Ref is the assessment's reference.
func (a *Assessment) Ref() Ref { return Ref{a.Framework, a.UnitCode} }

// SelfValue is the agency's value of a leaf (empty when none).
func (a *Assessment) SelfValue(node string) LeafValue {
	if e := a.Entries[node]; e != nil {
		return e.LeafValue
	}
	return LeafValue{}
}

// Appraisal returns the decision on a leaf in a round (1 or 2), or nil.
func (a *Assessment) Appraisal(node string, round int) *Appraisal {
	if round < 1 || round > 2 {
		return nil
	}
	return a.Appraisals[node][round-1]
}

// Explained reports whether the agency wrote an explanation for the leaf.
func (a *Assessment) Explained(node string) bool {
	e := a.Entries[node]
	return e != nil && strings.TrimSpace(e.Explanation) != ""
}

// AppraisedValue is the latest decided value of a leaf: round 2, else
// round 1; ok is false when no round has decided it.
func (a *Assessment) AppraisedValue(node string) (v LeafValue, ok bool) {
	if ap := a.Appraisal(node, 2); ap != nil {
		return ap.LeafValue, true
	}
	if ap := a.Appraisal(node, 1); ap != nil {
		return ap.LeafValue, true
	}
	return LeafValue{}, false
}

// FinalValue is a leaf's value once the assessment is final: the latest
// decided value (AppraisedValue), else the agency's own; ok is false
// before the assessment is final.
func (a *Assessment) FinalValue(node string) (v LeafValue, ok bool) {
	if a.State != StateFinal {
		return LeafValue{}, false
	}
	if v, decided := a.AppraisedValue(node); decided {
		return v, true
	}
	return a.SelfValue(node), true
}

// Leaf kinds: how the agency enters a leaf's input.
const (
	KindPoints  = "points"  // assessed points, bonus and penalty amounts
	KindAnswer  = "answer"  // boolean
	KindMetrics = "metrics" // ratio, tiers, relative, count, formula: metric values
	KindSurvey  = "survey"  // read from the survey, not entered
)

// LeafKind says how the agency enters the input of leaf n.
func LeafKind(n *criteria.Node) string {
	switch n.Method {
	case criteria.MethodAssessed, criteria.MethodBonus, criteria.MethodPenalty:
		return KindPoints
	case criteria.MethodBoolean:
		return KindAnswer
	case criteria.MethodSurvey:
		return KindSurvey
	}
	return KindMetrics
}

// Appraisable reports whether appraisers decide leaf n: every leaf but the
// survey's, whose figure no one enters.
func Appraisable(n *criteria.Node) bool { return n.IsLeaf() && LeafKind(n) != KindSurvey }

// SelfAssessed reports whether agencies score themselves on the framework:
// whether it has a leaf whose points or answer the agency enters. One
// computed only from metrics and the survey has no self-assessment cycle.
func SelfAssessed(f *criteria.Framework) bool {
	for _, n := range f.Leaves() {
		if k := LeafKind(n); k == KindPoints || k == KindAnswer {
			return true
		}
	}
	return false
}

// AreaOf returns the code of the area (top-level node) holding the node.
func AreaOf(f *criteria.Framework, node string) string {
	if p := f.Path(node); len(p) > 0 {
		return p[0].Code
	}
	return ""
}

// PendingLeaves lists, in framework order, the leaves that wait for the
// round open in the assessment's state: every appraisable leaf without a
// round-1 decision in appraisal_1, every explained leaf without a round-2
// decision in appraisal_2; nothing in other states.
func (a *Assessment) PendingLeaves(f *criteria.Framework) []string {
	switch a.State.AppraisalRound() {
	case 1:
		return a.pendingRound(f, 1)
	case 2:
		return a.pendingRound(f, 2)
	}
	return nil
}

func (a *Assessment) pendingRound(f *criteria.Framework, round int) []string {
	var out []string
	for _, n := range f.Leaves() {
		if !Appraisable(n) || a.Appraisal(n.Code, round) != nil {
			continue
		}
		if round == 2 && !a.Explained(n.Code) {
			continue
		}
		out = append(out, n.Code)
	}
	return out
}

// Unscored lists the leaves the agency has not self-scored although a
// missing input would count 0 against it: what stops a submission.
// Survey leaves, bonus and penalty leaves, leaves marked not applicable
// and leaves whose missing policy is exclude are never listed.
// A metric the one-stop-shop system already reports for the unit and the
// year (system, from YearMetrics) counts as given.
func (a *Assessment) Unscored(f *criteria.Framework, system map[string]float64) []string {
	var out []string
	for _, n := range f.Leaves() {
		if n.Method.IsAdjustment() || f.MissingFor(n.Code) == criteria.MissingExclude {
			continue
		}
		v := a.SelfValue(n.Code)
		if v.NotApplicable {
			continue
		}
		switch LeafKind(n) {
		case KindPoints:
			if v.Points == nil {
				out = append(out, n.Code)
			}
		case KindAnswer:
			if v.Answer == nil {
				out = append(out, n.Code)
			}
		case KindMetrics:
			for _, m := range n.Metrics() {
				if _, reported := system[m]; a.Metrics[m] == nil && !reported {
					out = append(out, n.Code)
					break
				}
			}
		}
	}
	return out
}

// New is the assessment of an agency that has entered nothing yet: an
// empty draft, its maps ready to fill.
func New() *Assessment {
	return &Assessment{State: StateDraft, Entries: map[string]*Entry{}, Metrics: map[string]*MetricValue{},
		Appraisals: map[string][2]*Appraisal{}, Evidence: map[string][]*Evidence{}}
}

// BaseValue is what a round appraises: the agency's score in round 1, the
// round-1 decision in round 2.
func (a *Assessment) BaseValue(node string, round int) LeafValue {
	if round == 2 {
		if r1 := a.Appraisal(node, 1); r1 != nil {
			return r1.LeafValue
		}
	}
	return a.SelfValue(node)
}

// Inputs are one agency's inputs for scoring, from its
// assessment. Points holds the points of assessed leaves and the amounts
// of bonus and penalty leaves; Answers the boolean leaves; Metrics the
// metric values of metric-based leaves; NotApplicable the leaves that do
// not apply. State is the assessment's state.
type Inputs struct {
	Points        map[string]float64
	Answers       map[string]bool
	Metrics       map[string]float64
	NotApplicable []string
	State         string
}

// View says which values of an assessment count.
type View int

const (
	// ViewSelf: the agency's own values and the metrics it reported.
	ViewSelf View = iota
	// ViewAppraised: the latest decided value of each leaf where one was
	// decided, else the agency's own; metrics as appraisal corrected them.
	ViewAppraised
)

// Values are the assessment's leaf values and metrics in view v, as
// scoring reads them (State is left empty). Survey leaves have no value
// here: their figures come from the survey.
func (a *Assessment) Values(f *criteria.Framework, v View) Inputs {
	in := Inputs{Points: map[string]float64{}, Answers: map[string]bool{}, Metrics: map[string]float64{}}
	for _, n := range f.Leaves() {
		if !Appraisable(n) {
			continue
		}
		value := a.SelfValue(n.Code)
		if v == ViewAppraised {
			if decided, ok := a.AppraisedValue(n.Code); ok {
				value = decided
			}
		}
		switch {
		case value.NotApplicable:
			in.NotApplicable = append(in.NotApplicable, n.Code)
		case value.Points != nil:
			in.Points[n.Code] = *value.Points
		case value.Answer != nil:
			in.Answers[n.Code] = *value.Answer
		}
	}
	for m, mv := range a.Metrics {
		if v == ViewAppraised {
			in.Metrics[m] = mv.Effective()
		} else {
			in.Metrics[m] = mv.Value
		}
	}
	return in
}

// ScoringInputs are the assessment's inputs for scoring. Only a final
// assessment carries values, its appraised ones (ViewAppraised: each
// leaf's FinalValue); any other is its State with no values at all (nil
// maps), so that a caller that ignores State scores the agency as having
// no input.
func (a *Assessment) ScoringInputs(f *criteria.Framework) Inputs {
	if a.State != StateFinal {
		return Inputs{State: string(a.State)}
	}
	in := a.Values(f, ViewAppraised)
	in.State = string(a.State)
	return in
}
