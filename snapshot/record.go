package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/survey"
	"parindex/vn"
)

// Record is everything a snapshot's outputs show beside the engine's
// result, taken when the snapshot was scored: per unit, its
// self-assessment's state and values at every stage, its reported and
// appraised metrics and its survey figures with n and intervals; and the
// preflight, the list of what was incomplete. Scorecards, rankings,
// dashboards and the API read the snapshot alone (its inputs, results and
// record), so what was published never changes with the live data.
type Record struct {
	// Draws is the number of rank-uncertainty draws, with the snapshot's
	// seed what `parindex score check` needs to score it again.
	Draws int                    `json:"draws"`
	Units map[string]*UnitRecord `json:"units"`
	// SurveyResponses is the framework's survey_responses setting the
	// survey figures were counted under; "" in records written before
	// 2026-12-07 (issue 22), which counted the clean responses.
	SurveyResponses criteria.SurveyResponses `json:"survey_responses,omitempty"`
	// IntegrityPolicy is the version of the counter-integrity policy that
	// labelled the QR links (not_doubtful only).
	IntegrityPolicy int `json:"integrity_policy,omitempty"`
	// Preflight lists what was incomplete, by unit and leaf, in unit and
	// framework order; empty when nothing was.
	Preflight []PreflightItem `json:"preflight"`
}

// UnitRecord is one unit's part of a Record.
type UnitRecord struct {
	// Assessment is the state of the unit's self-assessment against the
	// framework; "" when the framework has no self-assessment or the unit
	// never entered anything.
	Assessment assessment.State `json:"assessment,omitempty"`
	// Leaves holds the values of the leaves the agency entered, by stage.
	Leaves map[string]LeafRecord `json:"leaves,omitempty"`
	// Metrics holds the metrics the agency reported in its assessment.
	Metrics map[string]MetricRecord `json:"metrics,omitempty"`
	// Survey holds, by instrument, the unit's survey result for the year
	// (over the responses the record's SurveyResponses keeps; comments not
	// kept).
	Survey map[string]survey.GroupResult `json:"survey,omitempty"`
	// SurveyLeftOut holds, by instrument, the unit's responses of the year
	// its survey figures left out under the snapshot's SurveyResponses,
	// and why; absent when nothing was left out.
	SurveyLeftOut map[string]SurveyLeftOut `json:"survey_left_out,omitempty"`
}

// SurveyLeftOut is what one unit's survey figures of one instrument left
// out, with the explanation in Vietnamese and English.
type SurveyLeftOut struct {
	// Flagged are the responses batch screening flagged (left out under
	// clean and not_doubtful; a flagged response from a doubtful link
	// counts here).
	Flagged int `json:"flagged,omitempty"`
	// DoubtfulLinks are the unit's QR links the integrity report labelled
	// doubtful, with the clean responses each lost (not_doubtful only).
	DoubtfulLinks []LeftOutLink `json:"doubtful_links,omitempty"`
	VI            string        `json:"vi"`
	EN            string        `json:"en"`
}

// LeftOutLink is one doubtful QR link and its clean responses left out.
type LeftOutLink struct {
	Link      int64  `json:"link"`
	Counter   string `json:"counter"` // the counter's label, as shown to people
	Responses int    `json:"responses"`
}

// Responses is the number of responses left out.
func (l SurveyLeftOut) Responses() int {
	n := l.Flagged
	for _, link := range l.DoubtfulLinks {
		n += link.Responses
	}
	return n
}

// Text is the explanation in lang ("vi" or "en").
func (l SurveyLeftOut) Text(lang string) string {
	if lang == i18n.EN {
		return l.EN
	}
	return l.VI
}

// leftOut describes the responses left out of a unit's figures: flagged
// ones, and those of its doubtful links.
func leftOut(flagged int, links []LeftOutLink) SurveyLeftOut {
	out := SurveyLeftOut{Flagged: flagged, DoubtfulLinks: links}
	text := func(lang string) string {
		var parts []string
		if flagged > 0 {
			parts = append(parts, i18n.N(lang, "results.left_out.flagged", flagged))
		}
		if len(links) > 0 {
			n := 0
			var each []string
			for _, l := range links {
				n += l.Responses
				counter := l.Counter
				if counter == "" {
					counter = i18n.T(lang, "results.left_out.link_unnamed", l.Link)
				}
				each = append(each, i18n.T(lang, "results.left_out.link", counter, l.Responses))
			}
			parts = append(parts, i18n.N(lang, "results.left_out.doubtful", n, n, strings.Join(each, ", ")))
		}
		return i18n.T(lang, "results.left_out", strings.Join(parts, "; "))
	}
	out.VI, out.EN = text(i18n.VI), text(i18n.EN)
	return out
}

// LeafRecord is one leaf's value at each stage of the assessment.
type LeafRecord struct {
	Self   *Value `json:"self,omitempty"`
	Round1 *Value `json:"round1,omitempty"`
	Round2 *Value `json:"round2,omitempty"`
	// Final is the value scored: set only when the assessment was final.
	Final *Value `json:"final,omitempty"`
}

// Value is one leaf value: points (or a bonus or penalty amount), a yes/no
// answer, or "does not apply".
type Value struct {
	Points        *float64 `json:"points,omitempty"`
	Answer        *bool    `json:"answer,omitempty"`
	NotApplicable bool     `json:"not_applicable,omitempty"`
}

// MetricRecord is one metric the agency reported and its appraised value.
type MetricRecord struct {
	Reported  float64  `json:"reported"`
	Appraised *float64 `json:"appraised,omitempty"`
}

// Kinds of incomplete items.
const (
	// IncompleteAssessment: the unit's self-assessment is not final (the
	// unit as a whole, and each leaf that waits for it).
	IncompleteAssessment = "assessment"
	// IncompleteMetric: a metric the leaf reads has no value.
	IncompleteMetric = "metric"
	// IncompleteDenominator: a rate whose denominator is 0.
	IncompleteDenominator = "denominator"
	// IncompleteSurvey: the leaf's survey result is missing, or has too
	// few respondents or too wide an interval to be relied on.
	IncompleteSurvey = "survey"
	// IncompleteValue: any other leaf with no value (a final assessment
	// without it, a formula that cannot be computed).
	IncompleteValue = "value"
)

// PreflightItem is one incomplete thing in a snapshot.
type PreflightItem struct {
	Unit string `json:"unit"`
	Node string `json:"node,omitempty"` // the leaf; "" for the unit as a whole
	Kind string `json:"kind"`
	// State is the assessment's state (IncompleteAssessment).
	State assessment.State `json:"state,omitempty"`
	// N and HalfWidth describe a survey result (IncompleteSurvey): its
	// respondents and the half-width of its overall 95 % interval.
	N         int      `json:"n,omitempty"`
	HalfWidth *float64 `json:"half_width,omitempty"`
	// Scored is true when the leaf still earned points (a survey figure
	// with few respondents); false when it had no value.
	Scored bool   `json:"scored,omitempty"`
	VI     string `json:"vi"`
	EN     string `json:"en"`
}

// Key names the item in a publication's exceptions: "UNIT" or "UNIT/LEAF".
func (p PreflightItem) Key() string {
	if p.Node == "" {
		return p.Unit
	}
	return p.Unit + "/" + p.Node
}

// Text is the item's explanation in lang ("vi" or "en").
func (p PreflightItem) Text(lang string) string {
	if lang == i18n.EN {
		return p.EN
	}
	return p.VI
}

// PreflightItems counts the items of a snapshot's preflight without
// decoding the rest of its record: the list of snapshots shows only that,
// and decoding every record's units took most of its time (issue 23).
func PreflightItems(s *parindex.Snapshot) (int, error) {
	if len(s.Record) == 0 {
		return 0, nil
	}
	var rec struct {
		Preflight []json.RawMessage `json:"preflight"`
	}
	if err := json.Unmarshal(s.Record, &rec); err != nil {
		return 0, fmt.Errorf("snapshot %d: record does not decode: %w", s.ID, err)
	}
	return len(rec.Preflight), nil
}

// DecodeRecord reads a snapshot's record; a snapshot scored before records
// existed gives an empty one.
func DecodeRecord(s *parindex.Snapshot) (*Record, error) {
	rec := &Record{Units: map[string]*UnitRecord{}}
	if len(s.Record) == 0 {
		return rec, nil
	}
	if err := json.Unmarshal(s.Record, rec); err != nil {
		return nil, fmt.Errorf("snapshot %d: record does not decode: %w", s.ID, err)
	}
	if rec.Units == nil {
		rec.Units = map[string]*UnitRecord{}
	}
	return rec, nil
}

// SurveyResponsesUsed is the survey_responses setting the survey figures
// were counted under: clean for records written before the setting.
func (r *Record) SurveyResponsesUsed() criteria.SurveyResponses {
	if r.SurveyResponses == "" {
		return criteria.ResponsesClean
	}
	return r.SurveyResponses
}

// Unit returns the unit's record, never nil.
func (r *Record) Unit(code string) *UnitRecord {
	if u := r.Units[code]; u != nil {
		return u
	}
	return &UnitRecord{}
}

// Incomplete returns the preflight items of one unit.
func (r *Record) Incomplete(unit string) []PreflightItem {
	var out []PreflightItem
	for _, p := range r.Preflight {
		if p.Unit == unit {
			out = append(out, p)
		}
	}
	return out
}

// Item returns the preflight item of a unit's leaf, if any.
func (r *Record) Item(unit, node string) (PreflightItem, bool) {
	for _, p := range r.Preflight {
		if p.Unit == unit && p.Node == node {
			return p, true
		}
	}
	return PreflightItem{}, false
}

// Keys lists the keys of every preflight item.
func (r *Record) Keys() []string {
	out := make([]string, 0, len(r.Preflight))
	for _, p := range r.Preflight {
		out = append(out, p.Key())
	}
	return out
}

func (r *Run) unitRecord(code string) *UnitRecord {
	u := r.Record.Units[code]
	if u == nil {
		u = &UnitRecord{}
		r.Record.Units[code] = u
	}
	return u
}

// recordAssessments keeps every scored agency's assessment values by
// stage, whatever its state.
func recordAssessments(ctx context.Context, r *Run) error {
	if !assessment.SelfAssessed(r.Framework) {
		return nil
	}
	list, _, err := r.DB.ListAssessments(ctx, r.Framework.Code)
	if parindex.ErrorCode(err) == parindex.ECodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	for _, a := range list {
		if r.Agency(a.UnitCode) == nil || a.ID == 0 {
			continue
		}
		u := r.unitRecord(a.UnitCode)
		u.Assessment = a.State
		for _, n := range r.Framework.Leaves() {
			if !assessment.Appraisable(n) {
				continue
			}
			var lr LeafRecord
			if v := a.SelfValue(n.Code); !v.Empty() {
				lr.Self = valueOf(v)
			}
			for round, dst := range []**Value{&lr.Round1, &lr.Round2} {
				if ap := a.Appraisal(n.Code, round+1); ap != nil && !ap.LeafValue.Empty() {
					*dst = valueOf(ap.LeafValue)
				}
			}
			if v, final := a.FinalValue(n.Code); final && !v.Empty() {
				lr.Final = valueOf(v)
			}
			if lr != (LeafRecord{}) {
				if u.Leaves == nil {
					u.Leaves = map[string]LeafRecord{}
				}
				u.Leaves[n.Code] = lr
			}
		}
		for name, m := range a.Metrics {
			if u.Metrics == nil {
				u.Metrics = map[string]MetricRecord{}
			}
			u.Metrics[name] = MetricRecord{Reported: m.Value, Appraised: m.Appraised}
		}
	}
	return nil
}

func valueOf(v assessment.LeafValue) *Value {
	return &Value{Points: v.Points, Answer: v.Answer, NotApplicable: v.NotApplicable}
}

// preflight lists, for every scored unit, what was incomplete: its
// assessment when not final, then each leaf without a value (missing or
// excluded) with why, and each survey leaf scored from a result that is
// not reliable.
//
// The engine's reasons name metrics by their codes; names maps each code to
// its catalogue name in Vietnamese and English, so that the items read as
// sentences (a code not in names stays as it is).
func preflight(f *criteria.Framework, res *scoring.Result, rec *Record, names map[string][2]string) []PreflightItem {
	selfAssessed := assessment.SelfAssessed(f)
	var out []PreflightItem
	agencies := slices.Clone(res.Agencies)
	slices.SortFunc(agencies, func(a, b scoring.AgencyResult) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	for _, a := range agencies {
		u := rec.Unit(a.Code)
		state := u.Assessment
		pending := selfAssessed && state != assessment.StateFinal
		if pending {
			out = append(out, assessmentItem(a.Code, state))
		}
		for _, n := range a.Nodes {
			if n.Spec == nil {
				continue
			}
			switch n.Status {
			case scoring.StatusMissing, scoring.StatusExcluded:
				out = append(out, missingItem(f, a.Code, n, pending, state, names, u))
			case scoring.StatusScored:
				if n.Spec.Method == criteria.MethodSurvey {
					if item, ok := surveyItem(a.Code, n, u); ok {
						out = append(out, item)
					}
				}
			}
		}
	}
	return out
}

func stateName(lang string, state assessment.State) string {
	if state == "" {
		return i18n.T(lang, "preflight.not_started")
	}
	return i18n.T(lang, "assess.state."+string(state))
}

func assessmentItem(unit string, state assessment.State) PreflightItem {
	it := PreflightItem{Unit: unit, Kind: IncompleteAssessment, State: state}
	it.VI = i18n.T(i18n.VI, "preflight.assessment", stateName(i18n.VI, state))
	it.EN = i18n.T(i18n.EN, "preflight.assessment", stateName(i18n.EN, state))
	return it
}

// metricWord finds the metric codes in a reason's text.
var metricWord = regexp.MustCompile(`[a-z][a-z0-9_]*`)

func nameMetrics(text string, names map[string][2]string, lang int) string {
	return metricWord.ReplaceAllStringFunc(text, func(w string) string {
		if name, ok := names[w]; ok && name[lang] != "" {
			return "“" + name[lang] + "”"
		}
		return w
	})
}

func missingItem(f *criteria.Framework, unit string, n scoring.NodeResult, pending bool, state assessment.State, names map[string][2]string, u *UnitRecord) PreflightItem {
	it := PreflightItem{Unit: unit, Node: n.Code}
	node := f.Find(n.Code)
	switch {
	case pending && node != nil && assessment.Appraisable(node):
		it.Kind, it.State = IncompleteAssessment, state
		it.VI = i18n.T(i18n.VI, "preflight.leaf_waits", stateName(i18n.VI, state))
		it.EN = i18n.T(i18n.EN, "preflight.leaf_waits", stateName(i18n.EN, state))
		return it
	case n.Spec.Method == criteria.MethodSurvey:
		it.Kind = IncompleteSurvey
		it.VI, it.EN = i18n.T(i18n.VI, "preflight.no_survey"), i18n.T(i18n.EN, "preflight.no_survey")
		return withLeftOut(it, u, n)
	case n.Spec.NumeratorMetric != "" && n.Inputs.Denominator == 0:
		it.Kind = IncompleteDenominator
	case n.Spec.NumeratorMetric != "" || n.Spec.Metric != "" || len(n.Spec.FormulaMetrics) > 0:
		it.Kind = IncompleteMetric
	default:
		it.Kind = IncompleteValue
	}
	if n.Reason != nil {
		it.VI, it.EN = nameMetrics(n.Reason.VI, names, 0), nameMetrics(n.Reason.EN, names, 1)
	} else {
		it.VI, it.EN = i18n.T(i18n.VI, "preflight.no_value"), i18n.T(i18n.EN, "preflight.no_value")
	}
	return it
}

// withLeftOut adds to a survey leaf's item what the unit's figures left
// out, which may be why they are missing or thin.
func withLeftOut(it PreflightItem, u *UnitRecord, n scoring.NodeResult) PreflightItem {
	if l, ok := u.SurveyLeftOut[n.Spec.Instrument]; ok {
		it.VI += " " + l.VI
		it.EN += " " + l.EN
	}
	return it
}

// surveyItem flags a survey leaf scored from a result that is not
// reliable (too few respondents, or an interval too wide).
func surveyItem(unit string, n scoring.NodeResult, u *UnitRecord) (PreflightItem, bool) {
	g := u.Survey[n.Spec.Instrument]
	if g.Adequacy == "" || g.Adequacy == survey.AdequacyReliable {
		return PreflightItem{}, false
	}
	it := PreflightItem{Unit: unit, Node: n.Code, Kind: IncompleteSurvey, N: g.Respondents, Scored: true}
	hw := math.NaN()
	if ci := g.Overall.CI95; ci != nil {
		hw = float64(ci[1]-ci[0]) / 2
	}
	if math.IsNaN(hw) {
		it.VI = i18n.N(i18n.VI, "preflight.survey_n", g.Respondents)
		it.EN = i18n.N(i18n.EN, "preflight.survey_n", g.Respondents)
		return withLeftOut(it, u, n), true
	}
	it.HalfWidth = &hw
	it.VI = i18n.T(i18n.VI, "preflight.survey_n_hw", g.Respondents, vn.FormatNumber(i18n.VI, hw*100, 1))
	it.EN = i18n.T(i18n.EN, "preflight.survey_n_hw", g.Respondents, vn.FormatNumber(i18n.EN, hw*100, 1))
	return withLeftOut(it, u, n), true
}
