package survey

import (
	"hash/maphash"
	"math"

	"parindex"
	"parindex/stats"
)

// Batch screening of forms that arrive without timing or device (paper
// forms, and any import of whole forms): identical answer vectors, and
// straight-lined forms, from one unit on one day, in numbers beyond what
// chance explains (docs/statistics.md, "Quality flags of imported forms").
//
// For a unit and day with m forms of which k share an answer vector v,
// the null hypothesis is that the unit's forms that day are m independent
// draws from a population in which v has probability p0, taken as the
// largest of three estimates, so that no honest explanation is left out:
//
//   - v's share among the file's forms of other units and days (how often
//     the province answers exactly so), with Jeffreys' half a form added,
//     (c + ½)/(N + 1): with nothing else in the file it is ½, so that a few
//     equal forms of a small file are not flagged for want of comparison;
//   - v's share among the same unit's forms of other days (a counter whose
//     citizens always answer so is not flagged for one more day of it);
//   - the probability of v if the form held Q_eff independent questions,
//     each question's level drawn from its distribution over the file's
//     forms other than these k copies, with Jeffreys' half a form of every
//     level (so that a vector never seen elsewhere still has a
//     probability): P_ind(v)^(Q_eff/Q), P_ind the product over the Q
//     questions. Answers of one citizen are correlated, so 22 questions
//     carry the information of far fewer independent ones: Q_eff =
//     Q/(1 + (Q−1)ρ̄), ρ̄ the mean correlation between two questions over
//     the file's complete forms (from the variance of their totals, as in
//     Cronbach's alpha), at least 0.2. Without this, two honest citizens
//     who answer alike would look like a fabricated pair.
//
// The copies are flagged batch_duplicate when P(K ≥ k) < ScreenAlpha / D
// for K ~ Binomial(m, p0) and D the number of distinct vectors of the unit
// that day (Bonferroni). Straight-lined forms (at least three answers on
// the scale, all at one level L) are tested the same way, the category
// being "straight-lined at L" rather than an exact vector, without the
// independence term (straight-lining is a correlated answer by nature),
// and flagged straightline. A QR form is flagged straightline when it is
// equal and fast (Handler); a paper form has no time, so only an excess of
// straight-lined forms in one batch can say that something is wrong.
//
// The screen holds one count per distinct vector per unit and day, per
// unit and per file: memory grows with the number of distinct forms (about
// a hundred bytes each), not with the file's size in bytes.
type batchScreen struct {
	questions int
	seed      maphash.Seed
	forms     int
	byVector  map[uint64]int32                // forms per vector, whole file
	byLevel   [][stats.AnswerLevels + 1]int32 // forms per question and level, whole file
	straight  [stats.AnswerLevels + 1]int32   // straight-lined forms per level, whole file
	// Complete forms (every question on the scale), for ρ̄: their number,
	// Σ and Σ² of their totals, and of each question's level.
	complete                     int
	totalSum, totalSquares       float64
	questionSum, questionSquares []float64
	rho                          float64 // ρ̄, once flags are asked for; 0 before
	units                        map[int64]*screenCounts
	days                         map[screenDay]*screenCounts
}

// ScreenAlpha is the family-wise false-alarm rate of batch screening for
// one unit and day.
const ScreenAlpha = 0.001

type screenDay struct {
	unit int64
	day  parindex.Date
}

type screenCounts struct {
	forms    int32
	byVector map[uint64]int32
	straight [stats.AnswerLevels + 1]int32
	distinct int32
}

func newBatchScreen(questions int) *batchScreen {
	return &batchScreen{questions: questions, seed: maphash.MakeSeed(), byVector: map[uint64]int32{},
		byLevel: make([][stats.AnswerLevels + 1]int32, questions), units: map[int64]*screenCounts{}, days: map[screenDay]*screenCounts{},
		questionSum: make([]float64, questions), questionSquares: make([]float64, questions)}
}

// minimumCorrelation is the least mean correlation between two questions
// the screen assumes (see batchScreen).
const minimumCorrelation = 0.2

// correlation is ρ̄: (Var(total) − Σ Var_q) / ((Q−1) Σ Var_q) over the
// complete forms, kept in [minimumCorrelation, 1].
func (s *batchScreen) correlation() float64 {
	if s.complete < 10 || s.questions < 2 {
		return minimumCorrelation
	}
	n := float64(s.complete)
	items := 0.0
	for q := range s.questions {
		items += s.questionSquares[q]/n - (s.questionSum[q]/n)*(s.questionSum[q]/n)
	}
	total := s.totalSquares/n - (s.totalSum/n)*(s.totalSum/n)
	if !(items > 0) {
		return minimumCorrelation
	}
	rho := (total - items) / (float64(s.questions-1) * items)
	return math.Min(1, math.Max(minimumCorrelation, rho))
}

func (s *batchScreen) hash(answers string) uint64      { return maphash.String(s.seed, answers) }
func (s *batchScreen) hashBytes(answers []byte) uint64 { return maphash.Bytes(s.seed, answers) }

// straightLevel is the level of a straight-lined form (at least three
// answers on the scale, all equal), or 0.
func straightLevel[T ~string | ~[]byte](answers T) int {
	level, count := byte(0), 0
	for i := 0; i < len(answers); i++ {
		a := answers[i]
		if a == '0' {
			continue
		}
		if level != 0 && a != level {
			return 0
		}
		level = a
		count++
	}
	if count < 3 {
		return 0
	}
	return int(level - '0')
}

// add counts one form (answers as stored: one digit per question).
func (s *batchScreen) add(unit int64, day parindex.Date, answers string) {
	h := s.hash(answers)
	level := countFile(s, answers)
	s.byVector[h]++
	for _, c := range []*screenCounts{s.counts(s.units, unit), s.dayCounts(unit, day)} {
		c.forms++
		if c.byVector[h] == 0 {
			c.distinct++
		}
		c.byVector[h]++
		c.straight[level]++
	}
}

// countFile counts one form in the whole file's tallies other than its
// vector's (forms, levels per question, complete forms, straight-lined
// forms) and returns its straight-lined level, or 0.
func countFile[T ~string | ~[]byte](s *batchScreen, answers T) int {
	s.forms++
	for q := 0; q < len(answers) && q < s.questions; q++ {
		s.byLevel[q][answers[q]-'0']++
	}
	complete := len(answers) == s.questions
	for q := 0; q < len(answers) && complete; q++ {
		complete = answers[q] != '0'
	}
	if complete {
		s.complete++
		total := 0.0
		for q := 0; q < len(answers); q++ {
			x := float64(answers[q] - '0')
			total += x
			s.questionSum[q] += x
			s.questionSquares[q] += x * x
		}
		s.totalSum += total
		s.totalSquares += total * total
	}
	level := straightLevel(answers)
	s.straight[level]++
	return level
}

// screenHeld screens forms held in memory (offline results: the file is
// read once) with the same test as an import, and returns a bit per form,
// set when the form is flagged. Form i (0 ≤ i < count) was filled on
// days[keyOf(i)] and digitsOf appends its answers, one digit per question.
//
// Counting every vector of every form in maps, as add does, costs about a
// hundred bytes per distinct form: past the memory of survey stats on
// millions of forms. Only vectors repeated within one unit and day can be
// flagged, and a flag needs their counts alone; so the forms are taken day
// by day (a counting sort of their day keys: with the keys themselves,
// eight bytes a form), each
// day's repeated vectors are noted, and a second walk counts those over
// the unit and the file. The counts flags reads are then those add would
// have kept, for every vector it looks up.
func screenHeld(questions, count int, days []screenDay, keyOf func(i int) uint32, digitsOf func(i int, buf []byte) []byte) []uint64 {
	s := newBatchScreen(questions)
	start := make([]int32, len(days)+1)
	for i := range count {
		start[keyOf(i)+1]++
	}
	for k := range days {
		start[k+1] += start[k]
	}
	order := make([]int32, count)
	next := make([]int32, len(days))
	copy(next, start)
	for i := range count {
		k := keyOf(i)
		order[next[k]] = int32(i)
		next[k]++
	}
	buf := make([]byte, 0, questions)
	inDay := map[uint64]int32{}
	for k, key := range days {
		clear(inDay)
		d, u := s.dayCounts(key.unit, key.day), s.counts(s.units, key.unit)
		for _, i := range order[start[k]:start[k+1]] {
			buf = digitsOf(int(i), buf[:0])
			level := countFile(s, buf)
			inDay[s.hashBytes(buf)]++
			d.forms++
			u.forms++
			d.straight[level]++
			u.straight[level]++
		}
		d.distinct = int32(len(inDay))
		for h, c := range inDay {
			if c >= 2 {
				d.byVector[h] = c
				s.byVector[h] = 0 // counted over the file below
			}
		}
	}
	// In the order the forms are held: reading them day by day jumps
	// through all the answers, a cache miss a form.
	for i := 0; i < count && len(s.byVector) > 0; i++ {
		h := s.hashBytes(digitsOf(i, buf[:0]))
		if _, ok := s.byVector[h]; ok {
			s.byVector[h]++
			s.units[days[keyOf(i)].unit].byVector[h]++
		}
	}
	flagged := make([]uint64, (count+63)/64)
	for k, key := range days {
		d := s.days[key]
		candidate := len(d.byVector) > 0
		for level := 1; level <= stats.AnswerLevels; level++ {
			candidate = candidate || d.straight[level] >= 2
		}
		if !candidate {
			continue
		}
		for _, i := range order[start[k]:start[k+1]] {
			if len(s.flags(key.unit, key.day, string(digitsOf(int(i), buf[:0])))) > 0 {
				flagged[i/64] |= 1 << (i % 64)
			}
		}
	}
	return flagged
}

func (s *batchScreen) counts(m map[int64]*screenCounts, unit int64) *screenCounts {
	c, ok := m[unit]
	if !ok {
		c = &screenCounts{byVector: map[uint64]int32{}}
		m[unit] = c
	}
	return c
}

func (s *batchScreen) dayCounts(unit int64, day parindex.Date) *screenCounts {
	k := screenDay{unit, day}
	c, ok := s.days[k]
	if !ok {
		c = &screenCounts{byVector: map[uint64]int32{}}
		s.days[k] = c
	}
	return c
}

// flags returns the flags of one form already counted by add.
func (s *batchScreen) flags(unit int64, day parindex.Date, answers string) []string {
	d, ok := s.days[screenDay{unit, day}]
	if !ok {
		return nil
	}
	u := s.units[unit]
	var flags []string
	h := s.hash(answers)
	if k := d.byVector[h]; k >= 2 {
		p0 := math.Max(smoothedShare(s.byVector[h]-k, s.forms-int(d.forms)), share(u.byVector[h]-k, int(u.forms-d.forms)))
		p0 = math.Max(p0, s.independent(answers, int(k)))
		if excess(int(k), int(d.forms), p0, int(d.distinct)) {
			flags = append(flags, parindex.FlagBatchDuplicate)
		}
	}
	if level := straightLevel(answers); level != 0 {
		k := d.straight[level]
		p0 := math.Max(smoothedShare(s.straight[level]-k, s.forms-int(d.forms)), share(u.straight[level]-k, int(u.forms-d.forms)))
		if k >= 2 && excess(int(k), int(d.forms), p0, 1) {
			flags = append(flags, parindex.FlagStraightline)
		}
	}
	return flags
}

// independent is the probability of answers if the form held Q_eff
// independent questions (see batchScreen), each level's probability taken
// from the file's forms other than the copies being tested, with half a
// form of each level added.
func (s *batchScreen) independent(answers string, copies int) float64 {
	if s.rho == 0 {
		s.rho = s.correlation()
	}
	logP := 0.0
	others := float64(s.forms-copies) + 0.5*(stats.AnswerLevels+1)
	for q := 0; q < len(answers) && q < s.questions; q++ {
		level := answers[q] - '0'
		count := float64(s.byLevel[q][level]-int32(copies)) + 0.5
		logP += math.Log(count / others)
	}
	questions := float64(s.questions)
	effective := questions / (1 + (questions-1)*s.rho)
	return math.Exp(logP * effective / questions)
}

// smoothedShare is (count + ½)/(of + 1), Jeffreys' estimate of a share.
func smoothedShare(count int32, of int) float64 {
	return (float64(max(count, 0)) + 0.5) / (float64(max(of, 0)) + 1)
}

func share(count int32, of int) float64 {
	if of <= 0 || count <= 0 {
		return 0
	}
	return float64(count) / float64(of)
}

// excess reports whether k or more of m forms in one category is beyond
// chance at probability p0, with tests for that unit and day.
func excess(k, m int, p0 float64, tests int) bool {
	return stats.BinomialUpperTail(k, m, p0) < ScreenAlpha/float64(max(tests, 1))
}
