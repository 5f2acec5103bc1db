package stats

import (
	"fmt"
	"math"
	"slices"
)

// AggregationRule says how a question's answers become its index. Under
// either rule every index (question, element, overall) is a fraction in
// [0,1], as the shared worked examples state rates; display multiplies by
// 100. Keeping one scale means a consumer never has to know the rule to
// read an index.
type AggregationRule string

const (
	// RuleSatisfaction: the question index is the share of valid answers at
	// level 4 or 5 (the SIPAS convention).
	RuleSatisfaction AggregationRule = "satisfaction"
	// RuleMean100: the question index is the mean level rescaled so that
	// 1 → 0 and 5 → 1, i.e. (mean − 1)/4 (shown ×100 as "mean100").
	RuleMean100 AggregationRule = "mean100"
)

// DefaultBootstrapReps is the number of bootstrap replicates used when
// BatteryOptions leaves it zero: enough for stable 2.5% / 97.5% percentiles
// (their Monte Carlo error is then well below the displayed precision).
const DefaultBootstrapReps = 2000

// Answer levels: 0 is "not applicable / don't know", 1..5 the scale.
const (
	answerNotApplicable = 0
	answerLevels        = 5
)

// AnswerLevels is the number of levels of the answer scale (1..5).
const AnswerLevels = answerLevels

// BatteryElement groups question columns into one element (yếu tố).
type BatteryElement struct {
	Name      string
	Questions []int // column indices into the answer matrix
}

// BatteryOptions configures AggregateBattery. The zero value means: the
// satisfaction rule, 95% intervals, DefaultBootstrapReps replicates, seed 0.
type BatteryOptions struct {
	Rule          AggregationRule
	Confidence    float64 // for Wilson and bootstrap intervals; 0 means 0.95
	BootstrapReps int     // 0 means DefaultBootstrapReps
	Seed          uint64  // bootstrap seed; store it with published intervals
	SkipBootstrap bool    // point estimates only; element and overall intervals are NaN
	// Method of the element and overall intervals: MethodScore (the
	// default, "") or MethodPercentile (the method before issue 21).
	Method string
	// LinearizationFrom is the number of answering respondents from which
	// a score interval's variance comes from linearization instead of the
	// bootstrap; 0 means DefaultLinearizationFrom, a negative value always
	// linearizes.
	LinearizationFrom int
}

// QuestionResult summarises one question (one column).
type QuestionResult struct {
	Question      int     // column index
	Counts        [5]int  // Counts[k] = answers at level k+1
	Valid         int     // answers on the 1..5 scale (the n)
	NotApplicable int     // answers 0, left out of every denominator
	Satisfaction  float64 // share of valid answers at 4 or 5; NaN when Valid == 0
	Mean          float64 // mean level; NaN when Valid == 0
	Mean100       float64 // (Mean − 1)/4 × 100
	WilsonLow     float64 // Wilson interval of Satisfaction; (0,1) when Valid == 0
	WilsonHigh    float64
	Index         float64 // under the rule, as a fraction in [0,1]; NaN when Valid == 0
}

// ElementResult summarises one element.
type ElementResult struct {
	Name string
	// Index is the mean of the indices of its questions that have at least
	// one valid answer; NaN when none has.
	Index                float64
	QuestionsWithAnswers int
	// Low and High are the interval of Index under the options' Method
	// (by default a score interval on an effective sample size); NaN when
	// SkipBootstrap is set or the index is NaN.
	Low, High float64
	// Respondents is the number who answered at least one of the
	// element's questions on the scale.
	Respondents int
	// SE is the estimated standard error of Index (bootstrap or
	// linearization, see VarianceSource); EffectiveN the effective sample
	// size of the score interval (0: no information, the interval is
	// [0, 1]). Both NaN when no interval was computed.
	SE, EffectiveN float64
	// Alpha is Cronbach's alpha of the element's questions on complete
	// cases (respondents who answered all of them on the scale), computed on
	// the raw 1..5 levels; NaN when the element has fewer than two
	// questions, fewer than two complete cases, or a constant total.
	Alpha              float64
	AlphaCompleteCases int
}

// BatteryResult is the aggregation of a survey battery.
type BatteryResult struct {
	Rule          AggregationRule
	Confidence    float64
	BootstrapReps int // 0 when the bootstrap was not used
	Seed          uint64
	Method        string // MethodScore or MethodPercentile; "" when no interval was computed
	// VarianceSource is VarianceBootstrap or VarianceLinearization for a
	// score interval.
	VarianceSource string
	Respondents    int // rows of the answer matrix (forms)
	// AnsweringRespondents is the number of forms with at least one answer
	// on the scale: the n that decides whether a result is sufficient.
	AnsweringRespondents int
	Questions            []QuestionResult // one per column of the answer matrix
	Elements             []ElementResult  // in the order given
	// Overall is the mean of the element indices that are not NaN.
	Overall                 float64
	OverallLow, OverallHigh float64
	// OverallRespondents, OverallSE and OverallEffectiveN are the
	// overall index's counterparts of the element fields.
	OverallRespondents           int
	OverallSE, OverallEffectiveN float64
}

// MeanOfIndices is the aggregation step from questions to an element and
// from elements to the overall index: the plain mean of the indices that
// exist. NaN entries (a question nobody answered on the scale) are left
// out, the same way "not applicable" leaves a denominator; used says how
// many entered. With none, the mean is NaN.
func MeanOfIndices(indices []float64) (mean float64, used int) {
	sum := 0.0
	for _, v := range indices {
		if !math.IsNaN(v) {
			sum += v
			used++
		}
	}
	if used == 0 {
		return math.NaN(), 0
	}
	return sum / float64(used), used
}

// AggregateBattery turns a respondent × question matrix of answers (0 = not
// applicable, 1..5 = the scale) into question, element and overall indices
// with their uncertainty:
//
//   - per question: counts per level, n, NA, satisfaction, mean, mean100,
//     a Wilson interval for satisfaction and the index under the rule;
//   - per element: the mean of its question indices, Cronbach's alpha on
//     complete cases, and a bootstrap interval;
//   - overall: the mean of the element indices and a bootstrap interval.
//
// The element and overall intervals come from a respondent-level
// percentile bootstrap: whole respondents are resampled and every index is
// recomputed from the resample. One respondent's answers to different
// questions are correlated (a pleased citizen is pleased throughout), so
// treating questions as independent (say, averaging Wilson intervals) would
// make intervals too narrow; resampling respondents keeps that correlation,
// the varying n per question caused by NA, and the nonlinear mean-of-ratios
// structure, without a formula for any of them.
func AggregateBattery(answers [][]int, elements []BatteryElement, options BatteryOptions) (BatteryResult, error) {
	columns := 0
	for _, element := range elements {
		for _, q := range element.Questions {
			columns = max(columns, q+1)
		}
	}
	if len(answers) > 0 {
		columns = len(answers[0])
	}
	packed := Answers{Questions: columns, Packed: make([]uint8, 0, len(answers)*columns)}
	for r, row := range answers {
		if len(row) != columns {
			return BatteryResult{}, fmt.Errorf("battery: respondent %d has %d answers, respondent 0 has %d: %w", r, len(row), columns, ErrInvalidInput)
		}
		for q, v := range row {
			if v < answerNotApplicable || v > answerLevels {
				return BatteryResult{}, fmt.Errorf("battery: respondent %d question %d: answer %d, allowed 0 (not applicable) or 1–5: %w", r, q, v, ErrInvalidInput)
			}
			packed.Packed = append(packed.Packed, uint8(v))
		}
	}
	return AggregateAnswers(packed, elements, options)
}

// Answers is a respondent × question matrix of answers, 0 (not applicable)
// or 1..5, packed one byte per answer, respondent after respondent: an
// eighth of the memory of [][]int, so millions of respondents fit.
type Answers struct {
	Questions int
	Packed    []uint8 // respondent r's answers at Packed[r*Questions : (r+1)*Questions]
}

// Respondents is the number of rows.
func (a Answers) Respondents() int {
	if a.Questions == 0 {
		return 0
	}
	return len(a.Packed) / a.Questions
}

// AppendDigitBytes is AppendDigits for answers held in bytes.
func (a *Answers) AppendDigitBytes(s []byte) error {
	if len(s) != a.Questions {
		return fmt.Errorf("battery: %d answers, the matrix has %d questions: %w", len(s), a.Questions, ErrInvalidInput)
	}
	for _, c := range s {
		if c < '0' || c > '0'+answerLevels {
			return fmt.Errorf("battery: answer %q, allowed 0 (not applicable) or 1–5: %w", c, ErrInvalidInput)
		}
	}
	for _, c := range s {
		a.Packed = append(a.Packed, c-'0')
	}
	return nil
}

// AppendDigits adds one respondent whose answers are the digits of s,
// '0' (not applicable) to '5'.
func (a *Answers) AppendDigits(s string) error {
	if len(s) != a.Questions {
		return fmt.Errorf("battery: %d answers, the matrix has %d questions: %w", len(s), a.Questions, ErrInvalidInput)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '0'+answerLevels {
			return fmt.Errorf("battery: answer %q, allowed 0 (not applicable) or 1–5: %w", s[i], ErrInvalidInput)
		}
	}
	for i := 0; i < len(s); i++ {
		a.Packed = append(a.Packed, s[i]-'0')
	}
	return nil
}

// AggregateAnswers is AggregateBattery over packed answers.
func AggregateAnswers(answers Answers, elements []BatteryElement, options BatteryOptions) (BatteryResult, error) {
	rule := options.Rule
	if rule == "" {
		rule = RuleSatisfaction
	}
	if rule != RuleSatisfaction && rule != RuleMean100 {
		return BatteryResult{}, fmt.Errorf("battery: unknown rule %q, allowed: %q, %q: %w", rule, RuleSatisfaction, RuleMean100, ErrInvalidInput)
	}
	confidence := options.Confidence
	if confidence == 0 {
		confidence = 0.95
	}
	if !(confidence > 0 && confidence < 1) {
		return BatteryResult{}, fmt.Errorf("battery: confidence must be in (0,1), got %v: %w", confidence, ErrInvalidInput)
	}
	reps := options.BootstrapReps
	if reps == 0 {
		reps = DefaultBootstrapReps
	}
	if reps < 0 {
		return BatteryResult{}, fmt.Errorf("battery: bootstrap replicates must be positive, got %d: %w", reps, ErrInvalidInput)
	}
	if len(elements) == 0 {
		return BatteryResult{}, fmt.Errorf("battery: no elements: %w", ErrInvalidInput)
	}
	method := options.Method
	if method == "" {
		method = MethodScore
	}
	if method != MethodScore && method != MethodPercentile {
		return BatteryResult{}, fmt.Errorf("battery: unknown interval method %q, allowed: %q, %q: %w", method, MethodScore, MethodPercentile, ErrInvalidInput)
	}
	linearizationFrom := options.LinearizationFrom
	if linearizationFrom == 0 {
		linearizationFrom = DefaultLinearizationFrom
	}

	columns := answers.Questions
	if columns <= 0 || len(answers.Packed)%columns != 0 {
		if len(answers.Packed) > 0 || columns < 0 {
			return BatteryResult{}, fmt.Errorf("battery: %d packed answers do not make rows of %d questions: %w", len(answers.Packed), columns, ErrInvalidInput)
		}
	}
	for i, v := range answers.Packed {
		if v > answerLevels {
			return BatteryResult{}, fmt.Errorf("battery: respondent %d question %d: answer %d, allowed 0 (not applicable) or 1–5: %w", i/columns, i%columns, v, ErrInvalidInput)
		}
	}
	n := answers.Respondents()
	for e, element := range elements {
		if len(element.Questions) == 0 {
			return BatteryResult{}, fmt.Errorf("battery: element %d (%s) has no questions: %w", e, element.Name, ErrInvalidInput)
		}
		for _, q := range element.Questions {
			if q < 0 || q >= columns {
				return BatteryResult{}, fmt.Errorf("battery: element %d (%s) refers to question %d, the matrix has %d columns: %w", e, element.Name, q, columns, ErrInvalidInput)
			}
		}
	}

	z := NormalQuantile(1 - (1-confidence)/2)
	result := BatteryResult{
		Rule:        rule,
		Confidence:  confidence,
		Seed:        options.Seed,
		Respondents: n,
		Questions:   make([]QuestionResult, columns),
		Elements:    make([]ElementResult, len(elements)),
	}
	levels := make([][answerLevels + 1]int, columns)
	for i, v := range answers.Packed {
		levels[i%columns][v]++
	}
	for q := range result.Questions {
		counts := [5]int(levels[q][1:])
		result.Questions[q] = QuestionFromCounts(counts, levels[q][answerNotApplicable], rule, z)
		result.Questions[q].Question = q
	}

	questionIndices := make([]float64, 0, columns)
	elementIndices := make([]float64, len(elements))
	for e, element := range elements {
		questionIndices = questionIndices[:0]
		for _, q := range element.Questions {
			questionIndices = append(questionIndices, result.Questions[q].Index)
		}
		index, used := MeanOfIndices(questionIndices)
		alpha, completeCases := elementAlpha(answers, element.Questions)
		result.Elements[e] = ElementResult{
			Name:                 element.Name,
			Index:                index,
			QuestionsWithAnswers: used,
			Low:                  math.NaN(),
			High:                 math.NaN(),
			Alpha:                alpha,
			AlphaCompleteCases:   completeCases,
		}
		elementIndices[e] = index
	}
	result.Overall, _ = MeanOfIndices(elementIndices)
	result.OverallLow, result.OverallHigh = math.NaN(), math.NaN()
	result.OverallSE, result.OverallEffectiveN = math.NaN(), math.NaN()
	for e := range result.Elements {
		result.Elements[e].SE, result.Elements[e].EffectiveN = math.NaN(), math.NaN()
	}

	// One pass gives the answering respondents and the linearized
	// variances; the intervals need the first, the score interval at large
	// n the second.
	lin := linearize(answers, elements, result)
	result.AnsweringRespondents = lin.answering
	for e := range result.Elements {
		result.Elements[e].Respondents = lin.precision[e].respondents
	}
	result.OverallRespondents = lin.precision[len(elements)].respondents

	if options.SkipBootstrap || n == 0 {
		return result, nil
	}
	result.Method = method
	useBootstrap := method == MethodPercentile || lin.precision[len(elements)].respondents < linearizationFrom
	var replicates [][]float64
	if useBootstrap {
		result.BootstrapReps = reps
		replicates = bootstrapReplicates(n, reps, options.Seed, len(elements)+1,
			newBatteryResampler(answers, elements, rule).fill)
	}
	interval := func(k int, index float64) (lo, hi, se, effective float64) {
		if math.IsNaN(index) {
			return math.NaN(), math.NaN(), math.NaN(), math.NaN()
		}
		if method == MethodPercentile {
			lo, hi = percentileInterval(replicates[k], confidence)
			return lo, hi, math.NaN(), math.NaN()
		}
		precision := lin.precision[k]
		if useBootstrap {
			// The bootstrap's variance is the plug-in one, Σu²; the
			// factor m/(m−1) puts it on the scale of the linearized one.
			variance, _ := sampleVariance(replicates[k])
			if m := precision.respondents; m > 1 {
				variance *= float64(m) / float64(m-1)
			}
			precision.variance = variance
		}
		lo, hi, effective = indexInterval(index, precision, rule, confidence)
		return lo, hi, math.Sqrt(precision.variance), effective
	}
	result.VarianceSource = VarianceLinearization
	if useBootstrap {
		result.VarianceSource = VarianceBootstrap
	}
	if method == MethodPercentile {
		result.VarianceSource = ""
	}
	for e := range result.Elements {
		element := &result.Elements[e]
		element.Low, element.High, element.SE, element.EffectiveN = interval(e, element.Index)
	}
	result.OverallLow, result.OverallHigh, result.OverallSE, result.OverallEffectiveN = interval(len(elements), result.Overall)
	return result, nil
}

// linearization holds, for each element and then the overall index, what a
// score interval needs, and the number of forms with any answer.
type linearization struct {
	answering int
	precision []indexPrecision // elements, then overall
}

// linearize estimates the variance of every element index and of the
// overall index by linearization (the delta method) in one pass over the
// answers. An index is a weighted mean of question rates, I = Σ w_q p_q
// with p_q = Σ_i y_iq / n_q over the n_q valid answers; respondent i's
// influence on it is u_i = Σ_q w_q (y_iq − p_q)/n_q over the questions i
// answered, and V = m/(m−1)·Σ_i u_i², m the respondents with any answer to
// the index's questions. Squaring the sum over questions for each
// respondent carries every covariance between two questions over the
// respondents who answered both; not applicable answers contribute
// nothing, as they leave the denominators. The same pass sums u_i⁴ for the
// degrees of freedom of V (varianceDegrees).
//
// The influence of a level on a question is a table lookup, so the pass
// costs one lookup per answer.
func linearize(answers Answers, elements []BatteryElement, result BatteryResult) linearization {
	columns := answers.Questions
	k := len(elements)
	out := linearization{precision: make([]indexPrecision, k+1)}
	// influence[e][j][level] is the term of element e's j-th question.
	influence := make([][][answerLevels + 1]float64, k)
	overallWeights := make([]float64, columns)
	elementsWithIndex := 0
	for e := range elements {
		if !math.IsNaN(result.Elements[e].Index) {
			elementsWithIndex++
		}
	}
	for e, element := range elements {
		influence[e] = make([][answerLevels + 1]float64, len(element.Questions))
		used := result.Elements[e].QuestionsWithAnswers
		weights := make([]float64, columns)
		for j, q := range element.Questions {
			question := result.Questions[q]
			if question.Valid == 0 {
				continue
			}
			w := 1 / float64(used)
			weights[q] += w
			overallWeights[q] += w / float64(elementsWithIndex)
			for level := 1; level <= answerLevels; level++ {
				influence[e][j][level] = w * (levelScore(result.Rule, level) - question.Index) / float64(question.Valid)
			}
		}
		out.precision[e].minimumN, out.precision[e].maximumN, out.precision[e].binomialN = precisionBounds(result.Elements[e].Index, weights, result.Questions, result.Rule)
	}
	out.precision[k].minimumN, out.precision[k].maximumN, out.precision[k].binomialN = precisionBounds(result.Overall, overallWeights, result.Questions, result.Rule)

	squares := make([]float64, k+1)
	fourth := make([]float64, k+1)
	for start := 0; start+columns <= len(answers.Packed) && columns > 0; start += columns {
		row := answers.Packed[start : start+columns]
		anyAnswer := false
		for _, level := range row {
			if level != answerNotApplicable {
				anyAnswer = true
				break
			}
		}
		if !anyAnswer {
			continue
		}
		out.answering++
		overall, overallAnswered := 0.0, false
		for e, element := range elements {
			sum, answered := 0.0, false
			for j, q := range element.Questions {
				level := row[q]
				if level != answerNotApplicable {
					answered = true
					sum += influence[e][j][level]
				}
			}
			if answered {
				out.precision[e].respondents++
				squares[e] += sum * sum
				fourth[e] += sum * sum * sum * sum
				if !math.IsNaN(result.Elements[e].Index) {
					overall += sum / float64(elementsWithIndex)
					overallAnswered = true
				}
			}
		}
		if overallAnswered {
			out.precision[k].respondents++
			squares[k] += overall * overall
			fourth[k] += overall * overall * overall * overall
		}
	}
	for i := range out.precision {
		m := out.precision[i].respondents
		out.precision[i].variance = math.NaN()
		out.precision[i].varianceDF = varianceDegrees(m, squares[i], fourth[i])
		if m > 1 {
			out.precision[i].variance = squares[i] * float64(m) / float64(m-1)
		}
	}
	return out
}

// levelScore is an answer's contribution to its question index: 1 for a
// satisfied answer (levels 4–5) under the satisfaction rule, (level − 1)/4
// under mean100.
func levelScore(rule AggregationRule, level int) float64 {
	if rule == RuleMean100 {
		return float64(level-1) / 4
	}
	if level >= 4 {
		return 1
	}
	return 0
}

// QuestionFromCounts summarises one question from its answer counts (level
// k+1 in counts[k]) and not-applicable count: the one definition of a
// question's figures, used for raw answers and for stored count tables.
func QuestionFromCounts(counts [5]int, na int, rule AggregationRule, z float64) QuestionResult {
	summary := QuestionResult{Counts: counts, NotApplicable: na}
	sum := 0
	for k, c := range counts {
		summary.Valid += c
		sum += c * (k + 1)
	}
	satisfied := counts[3] + counts[4]
	summary.Satisfaction, summary.Mean = math.NaN(), math.NaN()
	if summary.Valid > 0 {
		summary.Satisfaction = float64(satisfied) / float64(summary.Valid)
		summary.Mean = float64(sum) / float64(summary.Valid)
	}
	summary.Mean100 = (summary.Mean - 1) / 4 * 100
	summary.WilsonLow, summary.WilsonHigh = Wilson(satisfied, summary.Valid, z)
	summary.Index = questionIndex(rule, summary.Valid, satisfied, sum)
	return summary
}

// questionIndex is the single definition of a question's index, shared by
// the point estimate and every bootstrap replicate.
func questionIndex(rule AggregationRule, valid, satisfied, sum int) float64 {
	if valid == 0 {
		return math.NaN()
	}
	if rule == RuleMean100 {
		return (float64(sum)/float64(valid) - 1) / 4
	}
	return float64(satisfied) / float64(valid)
}

// elementAlpha computes Cronbach's alpha of the given questions on the
// respondents who answered all of them on the scale (listwise deletion:
// alpha needs one covariance matrix from one set of people). Answers are
// small integers, so every sum is kept exactly in int64 and the variances'
// common factor 1/(n(n−1)) cancels in the ratio: alpha is exact up to one
// rounding, without holding the complete cases (Cronbach gives the same
// figure from rows, with item diagnostics besides).
func elementAlpha(answers Answers, questions []int) (alpha float64, completeCases int) {
	k := len(questions)
	sum := make([]int64, k)
	squares := make([]int64, k)
	var n, totalSum, totalSquares int64
	width := answers.Questions
	for start := 0; start+width <= len(answers.Packed); start += width {
		row := answers.Packed[start : start+width]
		complete := true
		for _, q := range questions {
			if row[q] == answerNotApplicable {
				complete = false
				break
			}
		}
		if !complete {
			continue
		}
		n++
		var total int64
		for j, q := range questions {
			v := int64(row[q])
			sum[j] += v
			squares[j] += v * v
			total += v
		}
		totalSum += total
		totalSquares += total * total
	}
	if k < 2 || n < 2 {
		return math.NaN(), int(n)
	}
	// (n−1)·n·s² = n·Σx² − (Σx)², exactly.
	var items int64
	for j := range k {
		items += n*squares[j] - sum[j]*sum[j]
	}
	total := n*totalSquares - totalSum*totalSum
	if total == 0 {
		return math.NaN(), int(n)
	}
	return alphaFrom(k, float64(items), float64(total)), int(n)
}

// batteryResampler recomputes all element indices and the overall index
// for one bootstrap resample. The answers of the questions that elements
// use are packed into one byte slice, respondent by respondent, and a
// replicate only counts, per question, how many resampled answers fall on
// each level: one increment per answer is the whole inner loop, which
// dominates the cost of the aggregation (reps × n × questions).
type batteryResampler struct {
	rule           AggregationRule
	width          int     // packed questions per respondent
	packed         []uint8 // respondent r's answers at packed[r*width : (r+1)*width]
	elements       [][]int // element → packed question positions
	levelCounts    []int   // levelCounts[p*(answerLevels+1)+level]
	indices        []float64
	elementIndices []float64
}

func newBatteryResampler(answers Answers, elements []BatteryElement, rule AggregationRule) *batteryResampler {
	var used []int
	for _, element := range elements {
		used = append(used, element.Questions...)
	}
	slices.Sort(used)
	used = slices.Compact(used)
	position := make(map[int]int, len(used))
	for p, q := range used {
		position[q] = p
	}
	width := len(used)
	packed := answers.Packed
	if width != answers.Questions {
		// Pack only the questions elements use; when they all are, the
		// answers are used as they are, not copied.
		n := answers.Respondents()
		packed = make([]uint8, n*width)
		for r := range n {
			row := answers.Packed[r*answers.Questions : (r+1)*answers.Questions]
			for p, q := range used {
				packed[r*width+p] = row[q]
			}
		}
	}
	packedElements := make([][]int, len(elements))
	for e, element := range elements {
		for _, q := range element.Questions {
			packedElements[e] = append(packedElements[e], position[q])
		}
	}
	return &batteryResampler{
		rule:           rule,
		width:          width,
		packed:         packed,
		elements:       packedElements,
		levelCounts:    make([]int, width*(answerLevels+1)),
		indices:        make([]float64, 0, width),
		elementIndices: make([]float64, len(elements)),
	}
}

// fill writes the element indices, then the overall index, into out.
func (b *batteryResampler) fill(sample []int, out []float64) {
	b.countLevels(sample)
	for e, positions := range b.elements {
		b.indices = b.indices[:0]
		for _, p := range positions {
			counts := b.levelCounts[p*(answerLevels+1) : (p+1)*(answerLevels+1)]
			valid, satisfied, sum := 0, counts[4]+counts[5], 0
			for level := 1; level <= answerLevels; level++ {
				valid += counts[level]
				sum += level * counts[level]
			}
			b.indices = append(b.indices, questionIndex(b.rule, valid, satisfied, sum))
		}
		b.elementIndices[e], _ = MeanOfIndices(b.indices)
		out[e] = b.elementIndices[e]
	}
	out[len(b.elements)], _ = MeanOfIndices(b.elementIndices)
}

// countLevels tallies the resampled answers per question and level.
//
// It is exempt from race instrumentation: it touches only slices owned by
// this resampler, which lives inside one AggregateBattery call and is never
// shared between goroutines, so the detector has nothing to find here,
// while instrumenting this loop (reps × n × questions increments) made the
// -race test run about four times slower.
//
//go:norace
func (b *batteryResampler) countLevels(sample []int) {
	clear(b.levelCounts)
	counts, packed, width := b.levelCounts, b.packed, b.width
	for _, r := range sample {
		row := packed[r*width : (r+1)*width]
		for p, level := range row {
			counts[p*(answerLevels+1)+int(level)]++
		}
	}
}
