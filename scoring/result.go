package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"parindex/criteria"
)

// Result is the score of every agency of one run. Its JSON form is a public
// contract (docs/scoring.md): fields may be added, never renamed.
//
// Figures are kept at full precision; only IndexRounded, the band and the
// rank are rounded (half up, at the framework's Rounding). Display other
// figures with criteria.Framework.RoundIndex or stats.RoundHalfUp; never
// re-round Index to publish it, read IndexRounded.
type Result struct {
	Framework     string `json:"framework"`
	FrameworkHash string `json:"framework_hash"`
	FrameworkYear int    `json:"framework_year"`
	// Rounding is the number of decimals of IndexRounded.
	Rounding int `json:"rounding"`
	// Agencies in rank order (ties by code), agencies without an index last.
	Agencies []AgencyResult `json:"agencies"`
	// BestRates holds, per relative leaf, the best rate among the agencies
	// for which the leaf applies and has data; a leaf that no agency has
	// data for is absent.
	BestRates map[string]float64 `json:"best_rates,omitempty"`
	// Uncertainty describes the rank simulation; nil when none was asked for.
	Uncertainty *UncertaintySummary `json:"uncertainty,omitempty"`
}

// AgencyResult is one agency's score.
type AgencyResult struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	// Points is the total: ScoredPoints + Bonus − Penalty, never below 0.
	Points float64 `json:"points"`
	// PointsFloored is true when penalties took the total below 0 and it
	// was raised to 0.
	PointsFloored bool    `json:"points_floored,omitempty"`
	ScoredPoints  float64 `json:"scored_points"` // points of the applicable scored leaves
	Bonus         float64 `json:"bonus"`         // bonus amounts, each capped at its cap
	Penalty       float64 `json:"penalty"`       // penalty amounts, each capped, as a positive number
	// Max is the applicable maximum: the maxima of the scored leaves that
	// apply to the agency and are not excluded for missing input.
	Max float64 `json:"max"`
	// Index is Points ÷ Max × 100, limited to the framework's cap_index; nil
	// when Max is 0 (nothing applies: the agency has no index, no band and
	// no rank, and IndexNote says why).
	Index *float64 `json:"index"`
	// IndexUncapped is the index before cap_index, present only when the
	// cap lowered it.
	IndexUncapped *float64 `json:"index_uncapped,omitempty"`
	// IndexRounded is the published index: Index rounded half up to the
	// framework's Rounding decimals, after removing floating-point noise
	// (docs/scoring.md). Bands and ranks are read from it.
	IndexRounded *float64 `json:"index_rounded"`
	IndexNote    string   `json:"index_note,omitempty"`
	// Rank is the competition rank (1, 2, 2, 4) by IndexRounded among the
	// agencies scored together; 0 (absent in JSON) when there is no index.
	Rank     int    `json:"rank,omitempty"`
	Band     string `json:"band,omitempty"`
	BandName string `json:"band_name,omitempty"`
	// NextBand is the band above the agency's, and PointsToNextBand the
	// smallest number of additional points (added to Points) that lifts
	// IndexRounded into it, given Max. Both are absent in the top band and
	// when cap_index makes the next band unreachable.
	NextBand         string   `json:"next_band,omitempty"`
	NextBandName     string   `json:"next_band_name,omitempty"`
	PointsToNextBand *float64 `json:"points_to_next_band,omitempty"`
	// Missing lists the leaves with no input (under either missing policy),
	// in framework order; NotApplicable the codes the inputs marked not
	// applicable, in framework order.
	Missing       []string `json:"missing"`
	NotApplicable []string `json:"not_applicable"`
	// The rank simulation, when asked for: the median rank, the 5th–95th
	// percentile interval of the rank, and the agencies whose intervals
	// overlap this one's (not clearly different from it).
	MedianRank          int      `json:"median_rank,omitempty"`
	RankInterval        *[2]int  `json:"rank_interval,omitempty"`
	NotClearlyDifferent []string `json:"not_clearly_different,omitempty"`
	// Nodes holds every node of the framework, in framework order; in JSON
	// an object keyed by node code.
	Nodes NodeResults `json:"nodes"`
}

// Node returns the result of the node with the code.
func (a *AgencyResult) Node(code string) (NodeResult, bool) {
	for _, n := range a.Nodes {
		if n.Code == code {
			return n, true
		}
	}
	return NodeResult{}, false
}

// Agency returns the result of the agency with the code, or nil.
func (r *Result) Agency(code string) *AgencyResult {
	for i := range r.Agencies {
		if r.Agencies[i].Code == code {
			return &r.Agencies[i]
		}
	}
	return nil
}

// NodeStatus says how a node counted for an agency.
type NodeStatus uint8

const (
	// StatusGroup: a group (or an adjustment group) that applies; its points
	// and max are the sums over its applicable children.
	StatusGroup NodeStatus = iota
	// StatusScored: a leaf scored from its input.
	StatusScored
	// StatusMissing: a leaf with no input under the zero policy: 0 points,
	// its maximum stays in the denominator.
	StatusMissing
	// StatusExcluded: a leaf with no input under the exclude policy: its
	// maximum leaves the denominator.
	StatusExcluded
	// StatusNotApplicable: the node, or a node above it, was marked not
	// applicable: it leaves the denominator.
	StatusNotApplicable
	// StatusNoInput: a bonus or penalty leaf with no amount entered; it
	// counts 0 and is not a missing criterion.
	StatusNoInput
)

var statusNames = [...]string{"", "scored", "missing", "excluded", "not_applicable", "no_input"}

func (s NodeStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("NodeStatus(%d)", s)
}

// MarshalText writes the status name.
func (s NodeStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *NodeStatus) UnmarshalText(b []byte) error {
	for i, name := range statusNames {
		if string(b) == name {
			*s = NodeStatus(i)
			return nil
		}
	}
	return fmt.Errorf("scoring: unknown node status %q", b)
}

// NodeResult is one node's score for one agency.
type NodeResult struct {
	Code string
	// Points: for a scored leaf, what it earned; for a group, the sum over
	// its applicable children (adjustment children excluded); for a bonus
	// leaf the capped amount, for a penalty leaf minus the capped amount,
	// and for an adjustment group their sum.
	Points float64
	// Max is the maximum that counts for the agency: the leaf's maximum, or
	// 0 when it is excluded or not applicable; for a group the sum over its
	// children. Adjustment nodes have 0.
	Max    float64
	Status NodeStatus
	// Reason says why a missing or excluded leaf has no input; nil
	// otherwise. Shared between agencies: read-only.
	Reason *Reason
	// Spec describes a leaf's method (shared by all agencies; read-only);
	// nil for a group.
	Spec *LeafSpec
	// Inputs are the values the leaf used; meaningful when Spec is set.
	Inputs LeafInputs
}

// Reason is why a leaf has no input, in English (stable, for logs and
// tools) and Vietnamese (for users).
type Reason struct {
	EN string
	VI string
}

// Percent is Points ÷ Max × 100, or NaN when Max is 0.
func (n NodeResult) Percent() float64 {
	if n.Max == 0 {
		return math.NaN()
	}
	return n.Points / n.Max * 100
}

// LeafSpec is what the framework says about a leaf, repeated in each
// explanation so that a scorecard reads on its own. NaN marks a parameter
// the method does not have.
type LeafSpec struct {
	Method            criteria.Method
	Max               float64 // the leaf's maximum in the framework
	Step              float64 // assessed
	NumeratorMetric   string  // ratio, tiers, relative
	DenominatorMetric string
	Target            float64 // ratio
	Metric            string  // count
	PerUnit           float64
	Formula           string   // formula
	FormulaMetrics    []string // the metrics the formula reads, sorted
	Instrument        string   // survey
	SurveyKey         string   // element code, question code or "overall"
	Measure           criteria.Measure
	Cap               float64 // bonus, penalty
}

// LeafInputs are the agency's values a leaf used. NaN marks a value that is
// absent (not given, or not part of the method).
type LeafInputs struct {
	// Value is the one value of the methods that read a single one: the
	// points entered (assessed), the amount entered (bonus, penalty), the
	// metric counted (count), the formula's value before clamping to
	// [0, max] (formula), or the survey value read (survey: a satisfaction
	// share, or mean100 on 0–100). The JSON names it after the method:
	// entered, count, formula_value or survey_value.
	Value       float64
	Numerator   float64 // ratio, tiers, relative: metric values
	Denominator float64
	Rate        float64 // Numerator ÷ Denominator
	TierMin     float64 // tiers: the min of the tier reached (its points are the leaf's)
	BestRate    float64 // relative: best rate among the agencies
	Answer      *bool   // boolean; shared, do not write through it
	// Metrics holds the metric values the agency's formulas read; this
	// leaf's are those named in Spec.FormulaMetrics. Shared by the
	// agency's formula leaves: read-only.
	Metrics map[string]float64
	N       int32 // survey: valid answers behind the value; 0 unknown
	// Capped is true when a bonus or penalty amount was above its cap, or a
	// formula's value outside [0, max], and was limited.
	Capped bool
}

func blankInputs() LeafInputs {
	nan := math.NaN()
	return LeafInputs{Value: nan, Numerator: nan, Denominator: nan, Rate: nan, TierMin: nan, BestRate: nan}
}

// NodeResults is every node of one agency in framework order. Its JSON is
// an object keyed by node code, written in framework order.
type NodeResults []NodeResult

// nodeJSON is the JSON form of one node.
type nodeJSON struct {
	Points          float64     `json:"points"`
	Max             float64     `json:"max"`
	Percent         *float64    `json:"percent,omitempty"`
	Status          *NodeStatus `json:"status,omitempty"`
	MissingReason   string      `json:"missing_reason,omitempty"`
	MissingReasonVI string      `json:"missing_reason_vi,omitempty"`
	Inputs          *inputsJSON `json:"inputs,omitempty"`
}

type inputsJSON struct {
	Method            criteria.Method    `json:"method"`
	Max               *float64           `json:"leaf_max,omitempty"`
	Step              *float64           `json:"step,omitempty"`
	Entered           *float64           `json:"entered,omitempty"`
	Answer            *bool              `json:"answer,omitempty"`
	NumeratorMetric   string             `json:"numerator_metric,omitempty"`
	Numerator         *float64           `json:"numerator,omitempty"`
	DenominatorMetric string             `json:"denominator_metric,omitempty"`
	Denominator       *float64           `json:"denominator,omitempty"`
	Rate              *float64           `json:"rate,omitempty"`
	Target            *float64           `json:"target,omitempty"`
	TierMin           *float64           `json:"tier_min,omitempty"`
	TierPoints        *float64           `json:"tier_points,omitempty"`
	BestRate          *float64           `json:"best_rate,omitempty"`
	Metric            string             `json:"metric,omitempty"`
	Count             *float64           `json:"count,omitempty"`
	PerUnit           *float64           `json:"per_unit,omitempty"`
	Formula           string             `json:"formula,omitempty"`
	Metrics           map[string]float64 `json:"metrics,omitempty"`
	FormulaValue      *float64           `json:"formula_value,omitempty"`
	Instrument        string             `json:"instrument,omitempty"`
	SurveyKey         string             `json:"survey_key,omitempty"`
	Measure           criteria.Measure   `json:"measure,omitempty"`
	SurveyValue       *float64           `json:"survey_value,omitempty"`
	N                 *int               `json:"n,omitempty"`
	Cap               *float64           `json:"cap,omitempty"`
	Capped            bool               `json:"capped,omitempty"`
}

// present turns a NaN-for-absent float into a JSON-omittable pointer.
func present(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

func absentIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func (n NodeResult) toJSON() nodeJSON {
	out := nodeJSON{Points: n.Points, Max: n.Max, Percent: present(n.Percent())}
	if n.Reason != nil {
		out.MissingReason, out.MissingReasonVI = n.Reason.EN, n.Reason.VI
	}
	if n.Status != StatusGroup {
		s := n.Status
		out.Status = &s
	}
	if s := n.Spec; s != nil {
		in := n.Inputs
		j := &inputsJSON{Method: s.Method, Max: present(s.Max), Step: present(s.Step), Answer: in.Answer,
			NumeratorMetric: s.NumeratorMetric, Numerator: present(in.Numerator), DenominatorMetric: s.DenominatorMetric,
			Denominator: present(in.Denominator), Rate: present(in.Rate), Target: present(s.Target),
			TierMin: present(in.TierMin), BestRate: present(in.BestRate),
			Metric: s.Metric, PerUnit: present(s.PerUnit), Formula: s.Formula,
			Metrics: formulaMetrics(s.FormulaMetrics, in.Metrics), Instrument: s.Instrument, SurveyKey: s.SurveyKey,
			Measure: s.Measure, Cap: present(s.Cap), Capped: in.Capped}
		if j.TierMin != nil {
			j.TierPoints = present(n.Points)
		}
		*valueField(j, s.Method) = present(in.Value)
		if in.N > 0 {
			nn := int(in.N)
			j.N = &nn
		}
		out.Inputs = j
	}
	return out
}

// formulaMetrics picks the values one formula read out of the agency's.
func formulaMetrics(names []string, values map[string]float64) map[string]float64 {
	var out map[string]float64
	for _, m := range names {
		if v, ok := values[m]; ok {
			if out == nil {
				out = make(map[string]float64, len(names))
			}
			out[m] = v
		}
	}
	return out
}

// valueField is where LeafInputs.Value goes in the JSON of a method.
func valueField(j *inputsJSON, m criteria.Method) **float64 {
	switch m {
	case criteria.MethodCount:
		return &j.Count
	case criteria.MethodFormula:
		return &j.FormulaValue
	case criteria.MethodSurvey:
		return &j.SurveyValue
	}
	return &j.Entered
}

func (j nodeJSON) toResult(code string) NodeResult {
	n := NodeResult{Code: code, Points: j.Points, Max: j.Max}
	if j.MissingReason != "" || j.MissingReasonVI != "" {
		n.Reason = &Reason{EN: j.MissingReason, VI: j.MissingReasonVI}
	}
	if j.Status != nil {
		n.Status = *j.Status
	}
	if in := j.Inputs; in != nil {
		n.Spec = &LeafSpec{Method: in.Method, Max: absentIfNil(in.Max), Step: absentIfNil(in.Step),
			NumeratorMetric: in.NumeratorMetric, DenominatorMetric: in.DenominatorMetric, Target: absentIfNil(in.Target),
			Metric: in.Metric, PerUnit: absentIfNil(in.PerUnit), Formula: in.Formula, Instrument: in.Instrument,
			FormulaMetrics: slices.Sorted(maps.Keys(in.Metrics)),
			SurveyKey:      in.SurveyKey, Measure: in.Measure, Cap: absentIfNil(in.Cap)}
		n.Inputs = LeafInputs{Value: absentIfNil(*valueField(in, in.Method)), Answer: in.Answer, Numerator: absentIfNil(in.Numerator),
			Denominator: absentIfNil(in.Denominator), Rate: absentIfNil(in.Rate), TierMin: absentIfNil(in.TierMin),
			BestRate: absentIfNil(in.BestRate), Metrics: in.Metrics, Capped: in.Capped}
		if in.N != nil {
			n.Inputs.N = int32(*in.N)
		}
	}
	return n
}

// MarshalJSON writes the nodes as one object keyed by code, in framework
// order (encoding/json would sort a map's keys, putting "1.10" before "1.2").
func (ns NodeResults) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, n := range ns {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(n.Code)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		value, err := json.Marshal(n.toJSON())
		if err != nil {
			return nil, err
		}
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads the object written by MarshalJSON, keeping its order.
func (ns *NodeResults) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*ns = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("scoring: nodes must be a JSON object keyed by node code")
	}
	var out NodeResults
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return err
		}
		var j nodeJSON
		if err := dec.Decode(&j); err != nil {
			return fmt.Errorf("scoring: node %v: %w", keyTok, err)
		}
		out = append(out, j.toResult(keyTok.(string)))
	}
	*ns = out
	return nil
}
