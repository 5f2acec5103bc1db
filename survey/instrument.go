package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

// Limits and defaults of the instrument format (docs/survey-format.md).
const (
	// ScaleLevels is the number of points of the answer scale; values run 1..ScaleLevels.
	ScaleLevels = 5
	// SatisfiedFrom is the lowest scale value that counts as satisfied for RuleSatisfaction.
	SatisfiedFrom = 4
	// DefaultCommentMaxLength applies when the comment block omits max_length.
	DefaultCommentMaxLength = 1000
	// MaxCommentMaxLength is the largest max_length an instrument may set.
	MaxCommentMaxLength = 5000
	// MaxInstrumentSize bounds the YAML file; real instruments are a few kilobytes.
	MaxInstrumentSize = 1 << 20
	// maxCodeLength keeps codes usable as CSV headers and URL parts.
	maxCodeLength = 40
	minYear       = 2000
	maxYear       = 2100
	minChoices    = 2
)

// Rule names an aggregation step.
type Rule string

// Aggregation rules. A question index is RuleSatisfaction (share of valid
// answers at SatisfiedFrom or above, in percent) or RuleMean100 (mean answer
// rescaled to 0..100 as (mean−1)/4×100); element and overall indices are
// RuleMean of the level below.
const (
	RuleSatisfaction Rule = "satisfaction"
	RuleMean100      Rule = "mean100"
	RuleMean         Rule = "mean"
)

var (
	questionRules = []Rule{RuleSatisfaction, RuleMean100}
	meanRules     = []Rule{RuleMean}
)

// Text is a user-visible text: Vietnamese is required, English optional.
type Text struct {
	VI string
	EN string
}

// Instrument is one version of a survey questionnaire. Once published it is
// immutable: any edit makes a new Code. Treat a parsed Instrument as
// read-only; the slices are shared with the values its helpers return.
// Build one in code completely before calling its methods (Questions keeps
// its first answer), and pass it by pointer.
type Instrument struct {
	Code          string
	Name          Text
	Year          int
	Scale         []ScaleLevel
	NotApplicable *NotApplicable // nil: the form offers no "not applicable" choice
	Elements      []Element
	Profile       []ProfileQuestion // never scored
	Comment       *CommentField     // nil: no free-text comment
	Aggregation   Aggregation

	// questions is the flat list Questions returns, built on its first
	// call: every submitted form asks for it several times. It is built
	// lazily, not by ParseInstrument, so that a parsed instrument still
	// equals one written out in code (reflect.DeepEqual in tests).
	questionsOnce sync.Once
	questions     []Question
}

// ScaleLevel is one point of the answer scale.
type ScaleLevel struct {
	Value int
	Label Text
}

// NotApplicable is the "not applicable / don't know" choice. It is never a
// scale point: such an answer leaves the denominator of every index.
type NotApplicable struct {
	Label Text
}

// Element groups the questions about one aspect of the service (yếu tố).
type Element struct {
	Code        string
	Name        Text
	Description Text // optional; zero when absent
	Questions   []Question
}

// Question is one scored item, answered on the scale.
type Question struct {
	Code string
	Text Text
}

// ProfileQuestion describes the respondent (gender, age group, …); it is
// never scored.
type ProfileQuestion struct {
	Code    string
	Text    Text
	Choices []Choice
}

// Choice is one answer of a profile question.
type Choice struct {
	Code  string
	Label Text
}

// CommentField is the optional free-text comment.
type CommentField struct {
	Label     Text
	MaxLength int // in characters (Unicode code points)
}

// Aggregation says how answers become question, element and overall indices.
type Aggregation struct {
	Question Rule
	Element  Rule
	Overall  Rule
}

// Questions returns every scored question, element by element, in order.
// The slice is built once and shared by every caller: do not modify its
// elements (copy it first, e.g. with slices.Clone). Its capacity ends at
// its length, so an append copies it.
func (in *Instrument) Questions() []Question {
	in.questionsOnce.Do(func() {
		n := 0
		for _, element := range in.Elements {
			n += len(element.Questions)
		}
		questions := make([]Question, 0, n)
		for _, element := range in.Elements {
			questions = append(questions, element.Questions...)
		}
		in.questions = questions
	})
	return in.questions
}

// QuestionByCode finds a scored question. Codes are unique without regard
// to case, so the lookup ignores case too (paper-form headers vary).
func (in *Instrument) QuestionByCode(code string) (Question, bool) {
	_, question, ok := in.findQuestion(code)
	return question, ok
}

// ElementOf returns the element that holds the question with the given code.
func (in *Instrument) ElementOf(questionCode string) (Element, bool) {
	element, _, ok := in.findQuestion(questionCode)
	return element, ok
}

// findQuestion finds the scored question of code, ignoring case, and the
// element that holds it.
func (in *Instrument) findQuestion(code string) (Element, Question, bool) {
	for _, element := range in.Elements {
		for _, question := range element.Questions {
			if strings.EqualFold(question.Code, code) {
				return element, question, true
			}
		}
	}
	return Element{}, Question{}, false
}

// Hash returns the hex SHA-256 of the canonical YAML (MarshalInstrument), so
// two files that differ only in layout, comments or key order hash alike.
func (in *Instrument) Hash() string {
	sum := sha256.Sum256(canonicalYAML(in))
	return hex.EncodeToString(sum[:])
}
