package integrity

import (
	"math"
	"time"

	"parindex"
	"parindex/stats"
	"parindex/vn"
)

// Indicator names one test of a link's or unit's figures. The values are
// stable: the policy file, the message catalogue (integrity.reason.<name>)
// and the JSON output key on them.
type Indicator string

const (
	ResponseRate    Indicator = "response_rate"    // responses ÷ records returned
	OutsideHours    Indicator = "outside_hours"    // share outside office hours
	Burst           Indicator = "burst"            // busiest five minutes
	TopDevices      Indicator = "top_devices"      // share of the three busiest devices
	SharedDevices   Indicator = "shared_devices"   // devices also seen at other units
	RepeatedAnswers Indicator = "repeated_answers" // one answer vector, beyond the province's share
	Flags           Indicator = "flags"            // a quality flag's share
	TopBox          Indicator = "top_box"          // five-star share above the funnel limit
	IndependentGap  Indicator = "independent_gap"  // QR satisfaction above the independent sample's
)

// Indicators lists every indicator in the order reasons are shown.
var Indicators = []Indicator{ResponseRate, Burst, IndependentGap, OutsideHours, TopDevices, SharedDevices, RepeatedAnswers, Flags, TopBox}

// QualityFlags are the response flags whose shares are judged.
var QualityFlags = []string{parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagBot, parindex.FlagDuplicateDevice, parindex.FlagBatchDuplicate}

// Label is the credibility of a link's or unit's ratings. Its order is its
// severity: a later label is worse.
type Label int

const (
	NotJudged Label = iota // fewer responses than the policy's minimum
	Credible
	Check
	Doubtful
)

var labelNames = [...]string{"not_judged", "credible", "check", "doubtful"}

// String is the label's stable name; the catalogue key is integrity.label.<name>.
func (l Label) String() string { return labelNames[l] }

// MarshalText writes the stable name, for JSON.
func (l Label) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// HourCount is the number of responses a link received in one clock hour.
type HourCount struct {
	Hour  time.Time // the hour's start, local time
	Count int
}

// Slot is a five-minute slot of a link's arrivals that the store kept (at
// least parindex.SlotKeptMinimum forms).
type Slot struct {
	Start     time.Time // local time
	Responses int
}

// Link is what the store gathers about one QR link (or paper batch) for a
// period. Counts are of responses unless said otherwise.
type Link struct {
	ID          int64
	Unit        string // the unit's code
	Label       string // the counter's label, as shown to people
	Independent bool   // DoHA's own sample, the yardstick for the unit's other links
	Responses   int
	Hours       []HourCount
	// BusiestFiveMinutes is the most responses in one five-minute slot of
	// the clock (never more than in the busiest sliding window, so the
	// burst test errs on the counter's side); 0 when no slot was kept.
	BusiestFiveMinutes int
	TopDevices         int // responses from the link's three busiest devices
	SharedDevices      int // responses from devices also seen at other units
	// TopVector is how many responses carry the link's most common answer
	// vector, and TopVectorProvinceShare that vector's share among all the
	// province's responses to the instrument in the period. DistinctVectors
	// counts the link's different vectors: the commonest is picked among
	// them, so its test is corrected for that many chances (Bonferroni).
	TopVector              int
	TopVectorProvinceShare float64
	DistinctVectors        int
	FlagCounts             map[string]int
	// Answers to the scale questions: valid (1–5), satisfied (4–5) and top
	// box (5), summed over questions.
	ValidAnswers, SatisfiedAnswers, TopBoxAnswers int
}

// Unit is a unit with its one-stop records returned in the period.
type Unit struct {
	Code            string
	Name            string
	RecordsReturned int
	RecordsKnown    bool // false when the unit reported no such metric
}

// Finding is one indicator that gave a reason, with the figures that a
// DoHA officer needs to defend it.
type Finding struct {
	Indicator Indicator
	Label     Label   // Check or Doubtful, from the policy
	Flag      string  // the quality flag, for Flags
	Value     float64 // the observed share, ratio or count
	Limit     float64 // what the policy or chance allows
	PValue    float64 // the test's p-value; NaN when the rule is a bound
	Lower     float64 // the lower end of a 95 % interval, when one is used; else NaN
}

// MessageKey is the catalogue key of the reason.
func (f Finding) MessageKey() string { return "integrity.reason." + string(f.Indicator) }

// flagMessagePrefix starts the catalogue key of a quality flag's name,
// which the survey pages show too.
const flagMessagePrefix = "survey.flag_"

// MessageArgs are the reason's arguments, formatted for the language;
// translate gives the catalogue text of a key in that language (a flag's
// name is the message survey.flag_<flag>).
func (f Finding) MessageArgs(lang string, translate func(key string) string) []any {
	switch f.Indicator {
	case Burst:
		return []any{number(lang, f.Value, 0), pValue(lang, f.PValue)}
	case ResponseRate:
		return []any{percent(lang, f.Value), percent(lang, f.Limit)}
	case Flags:
		return []any{translate(flagMessagePrefix + f.Flag), percent(lang, f.Value), percent(lang, f.Limit)}
	case OutsideHours, RepeatedAnswers, TopBox:
		return []any{percent(lang, f.Value), percent(lang, f.Limit), pValue(lang, f.PValue)}
	default: // shares judged by the lower end of their interval
		return []any{percent(lang, f.Value), percent(lang, f.Lower), percent(lang, f.Limit)}
	}
}

// Text is the reason as a sentence in lang; translate is the catalogue's
// lookup (i18n.T), given by the caller so that this package stays pure.
func (f Finding) Text(lang string, translate func(lang, key string, args ...any) string) string {
	return translate(lang, f.MessageKey(), f.MessageArgs(lang, func(key string) string { return translate(lang, key) })...)
}

func number(lang string, x float64, decimals int) string {
	return vn.FormatNumber(lang, stats.RoundHalfUp(x, decimals), decimals)
}

func percent(lang string, share float64) string { return number(lang, share*100, 1) + "%" }

// pValue shows tiny p-values as a bound, since their digits mean nothing.
func pValue(lang string, p float64) string {
	if p < 1e-6 {
		return "< " + number(lang, 0.000001, 6)
	}
	return number(lang, p, int(math.Max(3, math.Ceil(-math.Log10(p))+1)))
}

// Judgement is the label of one link or unit with its reasons, worst first.
type Judgement struct {
	Label     Label
	Responses int
	Findings  []Finding
}

// LinkJudgement is a link's judgement.
type LinkJudgement struct {
	Link Link
	Judgement
}

// UnitJudgement is a unit's own judgement (its QR links together, its
// response rate and its independent sample) and its links', worst first.
// The unit's label is never better than its worst link's.
type UnitJudgement struct {
	Unit Unit
	Judgement
	// The QR share satisfied minus the independent sample's, with its 95 %
	// Newcombe interval; NaN when the unit has no independent sample.
	IndependentGap, GapLower, GapUpper float64
	Links                              []LinkJudgement
}

// Report is the outcome for a period: units ranked worst first.
type Report struct {
	PolicyVersion  int
	ProvinceTopBox float64 // the funnel's centre: top-box answers ÷ valid answers over QR links
	Units          []UnitJudgement
}

// Unit returns the judgement of the unit with code, if the report has it.
func (r Report) Unit(code string) (UnitJudgement, bool) {
	for _, u := range r.Units {
		if u.Unit.Code == code {
			return u, true
		}
	}
	return UnitJudgement{}, false
}

// Link returns the judgement of the link with id and of its unit, if the
// report has it.
func (r Report) Link(id int64) (UnitJudgement, LinkJudgement, bool) {
	for _, u := range r.Units {
		for _, l := range u.Links {
			if l.Link.ID == id {
				return u, l, true
			}
		}
	}
	return UnitJudgement{}, LinkJudgement{}, false
}
