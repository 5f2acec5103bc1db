package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"parindex/stats"
)

// Adequacy labels: how far a group's figures can be trusted.
const (
	AdequacyInsufficient = "insufficient" // too few respondents to say anything firm
	AdequacyIndicative   = "indicative"   // enough people, but the overall interval is wide
	AdequacyReliable     = "reliable"
)

// DefaultMinRespondents is the number of respondents (forms with at least
// one answer on the scale) below which a result is insufficient.
const DefaultMinRespondents = 30

// ResultOptions set the thresholds of survey results.
type ResultOptions struct {
	MinRespondents   int     // below: insufficient (0: 30)
	MaxHalfWidth     float64 // overall interval half-width above which a group is indicative (0: 0.10, ten points)
	CommentThreshold int     // comments are shown only for groups with at least this many respondents (0: 5)
	BootstrapReps    int     // 0: stats.DefaultBootstrapReps
	Seed             uint64  // fixed, so a published interval can be reproduced
	// IncludeFlagged keeps the forms that batch screening flags in the
	// figures of TableResults (the service is told per request, as
	// include_flagged); by default they are left out and counted.
	IncludeFlagged bool
}

func (o ResultOptions) withDefaults() ResultOptions {
	if o.MinRespondents == 0 {
		o.MinRespondents = DefaultMinRespondents
	}
	if o.MaxHalfWidth == 0 {
		o.MaxHalfWidth = 0.10
	}
	if o.CommentThreshold == 0 {
		o.CommentThreshold = 5
	}
	return o
}

// Number is a figure that may be undefined (a question nobody answered on
// the scale); undefined figures are written as JSON null.
type Number float64

// MarshalJSON writes NaN and infinities as null.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

// UnmarshalJSON reads null as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Number(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Number(f)
	return nil
}

// Interval is a 95% interval [low, high]. An interval with an undefined
// end (no answer to compute it from) is written as JSON null as a whole.
type Interval [2]Number

// MarshalJSON writes [low, high], or null when either end is undefined.
func (iv Interval) MarshalJSON() ([]byte, error) {
	lo, hi := float64(iv[0]), float64(iv[1])
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return []byte("null"), nil
	}
	return json.Marshal([2]float64{lo, hi})
}

// UnmarshalJSON reads null as an undefined interval (both ends NaN), and
// also [null, null], which records written before issue 21 hold.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*iv = Interval{Number(math.NaN()), Number(math.NaN())}
		return nil
	}
	var ends [2]Number
	if err := json.Unmarshal(b, &ends); err != nil {
		return err
	}
	*iv = Interval(ends)
	return nil
}

// Defined reports whether both ends are numbers.
func (iv Interval) Defined() bool {
	return !math.IsNaN(float64(iv[0])) && !math.IsNaN(float64(iv[1]))
}

// QuestionResult is one question of one group. Rates are fractions in [0,1].
type QuestionResult struct {
	N            int      `json:"n"`
	NA           int      `json:"na"`
	Counts       [5]int   `json:"counts"`
	Satisfaction Number   `json:"satisfaction"`
	Mean         Number   `json:"mean"`
	Mean100      Number   `json:"mean100"`
	CI95         Interval `json:"ci95"` // Wilson interval of the satisfaction share; null when n = 0
}

// ElementResult is one element of one group.
type ElementResult struct {
	Index Number `json:"index"`
	// CI95 is the score interval on an effective sample size (null when
	// the index is undefined); absent for point-only results (counts).
	CI95 *Interval `json:"ci95,omitempty"`
	// Respondents answered at least one of the element's questions on the
	// scale; NEff is the effective sample size behind CI95 (0: no
	// information, the interval is [0, 1]). Both absent for point-only
	// results and for records written before issue 21.
	Respondents   *int    `json:"respondents,omitempty"`
	NEff          *Number `json:"n_eff,omitempty"`
	Alpha         *Number `json:"alpha,omitempty"`          // Cronbach's alpha on complete cases
	CompleteCases *int    `json:"complete_cases,omitempty"` // absent for point-only results; 0 is kept
}

// OverallResult is a group's overall index.
type OverallResult struct {
	Index       Number    `json:"index"`
	CI95        *Interval `json:"ci95,omitempty"`
	Respondents *int      `json:"respondents,omitempty"`
	NEff        *Number   `json:"n_eff,omitempty"`
}

// GroupResult is the survey result of one unit or group of units.
type GroupResult struct {
	Unit string `json:"unit"`
	// Respondents are the forms counted with at least one answer on the
	// scale: the n of the insufficient rule. From the count table (which
	// keeps answers per question, not per form) it is the largest number
	// of valid answers to one question, a lower bound, so a label from
	// counts is never more confident than one from the forms.
	Respondents int `json:"respondents"`
	// Forms are all forms counted, those whose every answer is "not
	// applicable" included (flagged ones only when included).
	Forms   int `json:"forms"`
	Flagged int `json:"flagged"`
	// Adequacy: insufficient below ResultOptions.MinRespondents
	// respondents, then indicative or reliable by the overall interval.
	Adequacy string `json:"adequacy"`
	// IntervalMethod names how the element and overall intervals were
	// computed ("score-bootstrap", "score-linearization"); absent for
	// point-only results and for records written before issue 21 (which
	// used the percentile bootstrap).
	IntervalMethod string                    `json:"interval_method,omitempty"`
	Questions      map[string]QuestionResult `json:"questions"`
	Elements       map[string]ElementResult  `json:"elements"`
	Overall        OverallResult             `json:"overall"`
	Comments       []string                  `json:"comments,omitempty"`
}

// Results is the survey result of several groups under one instrument.
type Results struct {
	Instrument string        `json:"instrument"`
	Groups     []GroupResult `json:"groups"`
}

// Group is the raw material of one group: every respondent's answers in
// instrument question order (0 not applicable, 1..5), with the flagged
// responses already left out (Flagged counts them) and the comments given.
type Group struct {
	Unit     string
	Answers  stats.Answers // one row per respondent, the instrument's questions in form order
	Flagged  int
	Comments []string // blank ones may be left out
}

func rule(in *Instrument) stats.AggregationRule {
	if in.Aggregation.Question == RuleMean100 {
		return stats.RuleMean100
	}
	return stats.RuleSatisfaction
}

func batteryElements(in *Instrument) []stats.BatteryElement {
	var out []stats.BatteryElement
	col := 0
	for _, e := range in.Elements {
		be := stats.BatteryElement{Name: e.Code}
		for range e.Questions {
			be.Questions = append(be.Questions, col)
			col++
		}
		out = append(out, be)
	}
	return out
}

// Summarise computes a group's full result: question figures with Wilson
// intervals, element and overall indices with respondent-level bootstrap
// intervals, Cronbach's alpha per element, and the adequacy label.
func Summarise(in *Instrument, g Group, opts ResultOptions) (GroupResult, error) {
	opts = opts.withDefaults()
	if g.Answers.Questions == 0 {
		g.Answers.Questions = len(in.Questions())
	}
	b, err := stats.AggregateAnswers(g.Answers, batteryElements(in), stats.BatteryOptions{
		Rule: rule(in), BootstrapReps: opts.BootstrapReps, Seed: opts.Seed,
	})
	if err != nil {
		return GroupResult{}, fmt.Errorf("survey: results for %s: %w", g.Unit, err)
	}
	res := fromBattery(in, g.Unit, b, g.Flagged, true)
	res.Respondents, res.Forms = b.AnsweringRespondents, b.Respondents
	if b.VarianceSource != "" {
		res.IntervalMethod = "score-" + b.VarianceSource
	}
	res.Adequacy = adequacy(res.Respondents, b.OverallLow, b.OverallHigh, opts)
	if g.Answers.Respondents() >= opts.CommentThreshold {
		for _, c := range g.Comments {
			if c != "" {
				res.Comments = append(res.Comments, c)
			}
		}
	}
	return res, nil
}

// FromCounts computes a group's point estimates and question intervals from
// answer counts (per question code: not applicable, then levels 1..5), as
// kept at ingestion; fast enough for every unit of a province at once.
// Element and overall intervals need respondent-level data (Summarise); the
// adequacy label here rests on the number of respondents only.
func FromCounts(in *Instrument, unit string, counts map[string][6]int64, respondents, flagged int, opts ResultOptions) GroupResult {
	opts = opts.withDefaults()
	b := stats.BatteryResult{Respondents: respondents}
	z := stats.Z95
	var indices []float64
	for _, e := range in.Elements {
		indices = indices[:0]
		for _, q := range e.Questions {
			c := counts[q.Code]
			qr := stats.QuestionFromCounts([5]int{int(c[1]), int(c[2]), int(c[3]), int(c[4]), int(c[5])}, int(c[0]), rule(in), z)
			b.Questions = append(b.Questions, qr)
			indices = append(indices, qr.Index)
		}
		idx, used := stats.MeanOfIndices(indices)
		b.Elements = append(b.Elements, stats.ElementResult{Name: e.Code, Index: idx, QuestionsWithAnswers: used,
			Low: math.NaN(), High: math.NaN(), Alpha: math.NaN()})
	}
	elementIndices := make([]float64, len(b.Elements))
	for i, e := range b.Elements {
		elementIndices[i] = e.Index
	}
	b.Overall, _ = stats.MeanOfIndices(elementIndices)
	res := fromBattery(in, unit, b, flagged, false)
	res.Forms = respondents
	res.Respondents = 0
	for _, q := range b.Questions {
		res.Respondents = max(res.Respondents, q.Valid)
	}
	// Without respondent-level data the label rests on the widest interval
	// the overall index can have (perfect correlation), so that it is never
	// more confident than the one the answers would give.
	lo, hi := stats.WidestIndexInterval(b.Overall, overallWeights(in, b), b.Questions, rule(in), res.Respondents, 0.95)
	res.Adequacy = adequacy(res.Respondents, lo, hi, opts)
	return res
}

// overallWeights is each question's weight in the overall index: the mean
// of the element indices that exist, each the mean of its questions with
// answers.
func overallWeights(in *Instrument, b stats.BatteryResult) []float64 {
	weights := make([]float64, len(b.Questions))
	elements := 0
	for _, e := range b.Elements {
		if !math.IsNaN(e.Index) {
			elements++
		}
	}
	q := 0
	for i, e := range in.Elements {
		for range e.Questions {
			if used := b.Elements[i].QuestionsWithAnswers; used > 0 && b.Questions[q].Valid > 0 {
				weights[q] = 1 / float64(used) / float64(elements)
			}
			q++
		}
	}
	return weights
}

func fromBattery(in *Instrument, unit string, b stats.BatteryResult, flagged int, withIntervals bool) GroupResult {
	res := GroupResult{Unit: unit, Respondents: b.Respondents, Flagged: flagged,
		Questions: map[string]QuestionResult{}, Elements: map[string]ElementResult{}}
	for i, q := range in.Questions() {
		qr := b.Questions[i]
		res.Questions[q.Code] = QuestionResult{N: qr.Valid, NA: qr.NotApplicable, Counts: qr.Counts,
			Satisfaction: Number(qr.Satisfaction), Mean: Number(qr.Mean), Mean100: Number(qr.Mean100),
			CI95: Interval{Number(qr.WilsonLow), Number(qr.WilsonHigh)}}
		if qr.Valid == 0 {
			// stats.Wilson's (0, 1) for n = 0 keeps its arithmetic simple;
			// the published figure is "no interval" (docs/statistics.md).
			res.Questions[q.Code] = QuestionResult{N: 0, NA: qr.NotApplicable, Counts: qr.Counts,
				Satisfaction: Number(math.NaN()), Mean: Number(math.NaN()), Mean100: Number(math.NaN()),
				CI95: Interval{Number(math.NaN()), Number(math.NaN())}}
		}
	}
	for i, e := range in.Elements {
		er := b.Elements[i]
		out := ElementResult{Index: Number(er.Index)}
		if withIntervals {
			out.CI95 = &Interval{Number(er.Low), Number(er.High)}
			alpha, effective := Number(er.Alpha), Number(er.EffectiveN)
			respondents, complete := er.Respondents, er.AlphaCompleteCases
			out.Alpha, out.CompleteCases = &alpha, &complete
			out.Respondents, out.NEff = &respondents, &effective
		}
		res.Elements[e.Code] = out
	}
	res.Overall = OverallResult{Index: Number(b.Overall)}
	if withIntervals {
		res.Overall.CI95 = &Interval{Number(b.OverallLow), Number(b.OverallHigh)}
		respondents, effective := b.OverallRespondents, Number(b.OverallEffectiveN)
		res.Overall.Respondents, res.Overall.NEff = &respondents, &effective
	}
	return res
}

// adequacy labels a group from its respondents and its overall interval
// (lo, hi).
func adequacy(respondents int, lo, hi float64, opts ResultOptions) string {
	if respondents < opts.MinRespondents {
		return AdequacyInsufficient
	}
	half := (hi - lo) / 2
	if math.IsNaN(half) || half > opts.MaxHalfWidth {
		return AdequacyIndicative
	}
	return AdequacyReliable
}
