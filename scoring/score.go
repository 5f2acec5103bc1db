package scoring

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"parindex/criteria"
	"parindex/stats"
)

// Options are the optional parts of a run.
type Options struct {
	// Uncertainty, when set, adds the Monte Carlo rank intervals.
	Uncertainty *UncertaintyOptions
}

// Score scores every agency of inputs with the framework. It is a pure,
// deterministic function of its arguments. When an input is wrong it
// returns InputErrors listing every problem (agency, node, field, value)
// and no result; a framework that fails criteria.Validate is an ordinary
// error.
func Score(f *criteria.Framework, inputs Inputs) (*Result, error) {
	return ScoreWith(f, inputs, Options{})
}

// ScoreWith is Score with options (the rank uncertainty).
func ScoreWith(f *criteria.Framework, inputs Inputs, opts Options) (*Result, error) {
	if f == nil {
		return nil, errors.New("scoring: no framework")
	}
	if err := criteria.Validate(f); err != nil {
		return nil, fmt.Errorf("scoring: framework %s is not valid: %w", f.Code, err)
	}
	if o := opts.Uncertainty; o != nil {
		if err := o.check(); err != nil {
			return nil, err
		}
		if int64(o.Draws)*int64(len(inputs.Agencies)) > MaxRankCells {
			return nil, fmt.Errorf("scoring: %d draws × %d agencies is more than the %d ranks the simulation keeps; use fewer draws",
				o.Draws, len(inputs.Agencies), MaxRankCells)
		}
	}
	p, err := compile(f)
	if err != nil {
		return nil, err
	}
	problems, na, metrics := p.check(inputs)
	if len(problems) > 0 {
		return nil, problems
	}
	r := p.run(inputs, na, metrics)
	result := r.result()
	if opts.Uncertainty != nil {
		r.rankUncertainty(result, *opts.Uncertainty)
	}
	return result, nil
}

// run is one scoring run in progress: the per-agency node results before
// they are ranked and ordered.
type run struct {
	p         *plan
	inputs    []AgencyInput
	agencies  []agencyScore
	bestRates map[string]float64
}

type agencyScore struct {
	nodes                         []NodeResult
	scored, bonus, penalty, max   float64
	index, indexUncapped, rounded float64 // NaN when max is 0
	rank                          int
	missing, notApplicable        []string
}

func (p *plan) run(in Inputs, na [][]bool, metrics [][]float64) *run {
	r := &run{p: p, inputs: in.Agencies, agencies: make([]agencyScore, len(in.Agencies))}
	// Relative leaves compare agencies: their best rates come first, so that
	// each agency is then scored in one pass while its nodes are in cache.
	best := r.bestRelativeRates(na, metrics)
	// One block for every agency's nodes: one allocation instead of one per agency.
	block := make([]NodeResult, len(in.Agencies)*len(p.nodes))
	parallel(len(in.Agencies), func(k int) {
		a := &in.Agencies[k]
		nodes := block[k*len(p.nodes) : (k+1)*len(p.nodes) : (k+1)*len(p.nodes)]
		var formulaValues map[string]float64
		for i := range p.nodes {
			nodes[i].Code = p.nodes[i].node.Code
			if na[k][i] {
				nodes[i].Status = StatusNotApplicable
				if p.nodes[i].leaf {
					nodes[i].Spec = p.nodes[i].spec
					nodes[i].Inputs = blankInputs()
				}
				continue
			}
			if p.nodes[i].leaf {
				p.evalLeaf(&p.nodes[i], a, metrics[k], &nodes[i], &formulaValues, best)
			}
		}
		r.agencies[k].nodes = nodes
		r.total(k)
	})
	r.rank()
	return r
}

// parallel runs fn(0) … fn(n−1) on up to GOMAXPROCS goroutines. Each call
// writes only its own slot, so the result does not depend on scheduling.
func parallel(n int, fn func(k int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64)
	if workers <= 1 {
		for k := range n {
			fn(k)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := lo; k < hi; k++ {
				fn(k)
			}
		}()
	}
	wg.Wait()
}

// missingInput applies the leaf's missing policy.
func missingInput(pn *planNode, r *NodeResult, why *Reason) {
	r.Points = 0
	r.Reason = why
	if pn.policy == criteria.MissingExclude {
		r.Status, r.Max = StatusExcluded, 0
		return
	}
	r.Status, r.Max = StatusMissing, pn.spec.Max
}

func scored(pn *planNode, r *NodeResult, points float64) {
	r.Status, r.Points, r.Max = StatusScored, points, pn.spec.Max
}

func (p *plan) evalLeaf(pn *planNode, a *AgencyInput, metrics []float64, r *NodeResult, formulaValues *map[string]float64, best []float64) {
	s := pn.spec
	code := pn.node.Code
	r.Spec = s
	r.Inputs = blankInputs()
	in := &r.Inputs
	switch s.Method {
	case criteria.MethodAssessed:
		v, ok := a.Points[code]
		if !ok {
			missingInput(pn, r, &reasonNoPoints)
			return
		}
		in.Value = v
		scored(pn, r, v)
	case criteria.MethodBoolean:
		v, ok := a.Answers[code]
		if !ok {
			missingInput(pn, r, &reasonNoAnswer)
			return
		}
		in.Answer = answerPointer(v)
		if v {
			scored(pn, r, s.Max)
		} else {
			scored(pn, r, 0)
		}
	case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative:
		rate, ok := leafRate(pn, metrics, r)
		if !ok {
			return
		}
		switch s.Method {
		case criteria.MethodRelative:
			// This agency has a rate, so the best rate exists.
			b := best[pn.relative]
			in.BestRate = b
			if b == 0 {
				scored(pn, r, 0)
			} else {
				scored(pn, r, rate/b*s.Max)
			}
			return
		case criteria.MethodRatio:
			scored(pn, r, s.Max*math.Min(1, rate/s.Target))
			return
		}
		for _, t := range pn.node.Tiers {
			if rate >= t.Min {
				in.TierMin = t.Min
				scored(pn, r, t.Points)
				return
			}
		}
		// Validation guarantees a tier with min 0 and rates are never
		// negative, so this is only reached by a framework built in code
		// that skipped Validate.
		scored(pn, r, 0)
	case criteria.MethodCount:
		v := metrics[pn.metric]
		if math.IsNaN(v) {
			missingInput(pn, r, &pn.reasons.noMetric)
			return
		}
		in.Value = v
		scored(pn, r, math.Min(s.Max, v*s.PerUnit))
	case criteria.MethodFormula:
		// One map per agency holds the values every formula leaf of the
		// agency read (each leaf names its own in Spec.FormulaMetrics).
		var absent []string
		for _, m := range pn.formula.Metrics {
			if v := metrics[p.metricIndex[m]]; !math.IsNaN(v) {
				if *formulaValues == nil {
					*formulaValues = make(map[string]float64, p.formulaMetrics)
				}
				(*formulaValues)[m] = v
			} else {
				absent = append(absent, m)
			}
		}
		in.Metrics = *formulaValues
		if len(absent) > 0 {
			missingInput(pn, r, absentMetrics(absent))
			return
		}
		v, err := pn.formula.Eval(a.Metrics, s.Max)
		switch {
		case errors.Is(err, criteria.ErrNotFinite):
			missingInput(pn, r, &reasonFormulaUndefined)
			return
		case err != nil:
			missingInput(pn, r, &Reason{"the formula could not be computed: " + err.Error(), "không tính được công thức: " + err.Error()})
			return
		}
		in.Value = v
		points := math.Min(s.Max, math.Max(0, v))
		in.Capped = points != v
		scored(pn, r, points)
	case criteria.MethodSurvey:
		sv, ok := a.Survey[s.Instrument][s.SurveyKey]
		var value *float64
		if ok {
			if s.Measure == criteria.MeasureMean100 {
				value = sv.Mean100
			} else {
				value = sv.Satisfaction
			}
		}
		if value == nil {
			missingInput(pn, r, &pn.reasons.noSurvey)
			return
		}
		in.Value, in.N = *value, int32(min(sv.N, math.MaxInt32))
		scored(pn, r, s.Max*surveyShare(s.Measure, *value))
	case criteria.MethodBonus, criteria.MethodPenalty:
		v, ok := a.Points[code]
		if !ok {
			r.Status = StatusNoInput
			return
		}
		in.Value = v
		amount := math.Min(v, s.Cap)
		in.Capped = amount != v
		r.Status, r.Max = StatusScored, 0
		if s.Method == criteria.MethodPenalty {
			r.Points = 0 - amount // not -amount, which would write a penalty of 0 as -0
		} else {
			r.Points = amount
		}
	}
}

// The answers of boolean leaves point to these two values rather than to
// a copy per leaf and agency; LeafInputs.Answer is read-only.
var answerTrue, answerFalse = true, false

func answerPointer(v bool) *bool {
	if v {
		return &answerTrue
	}
	return &answerFalse
}

// surveyShare is the survey value on the 0–1 scale the points multiply.
func surveyShare(m criteria.Measure, value float64) float64 {
	if m == criteria.MeasureMean100 {
		return value / 100
	}
	return value
}

// leafRate reads the leaf's rate into the explanation, or applies the
// missing policy (ok false) when it has none.
func leafRate(pn *planNode, metrics []float64, r *NodeResult) (float64, bool) {
	rate, num, den, why := rateOf(pn, metrics)
	r.Inputs.Numerator, r.Inputs.Denominator = num, den
	if why != nil {
		missingInput(pn, r, why)
		return 0, false
	}
	r.Inputs.Rate = rate
	return rate, true
}

// rateOf computes numerator ÷ denominator as one division (so that a rate
// written as 98/100 compares equal to a tier bound written 0.98). num and
// den are NaN when absent; why says why there is no rate.
func rateOf(pn *planNode, metrics []float64) (rate, num, den float64, why *Reason) {
	s := pn.spec
	num, den = metrics[pn.numerator], metrics[pn.denominator]
	okNum, okDen := !math.IsNaN(num), !math.IsNaN(den)
	switch {
	case !okNum && !okDen && s.NumeratorMetric != s.DenominatorMetric:
		return 0, num, den, &pn.reasons.noBoth
	case !okNum:
		return 0, num, den, &pn.reasons.noNumerator
	case !okDen:
		return 0, num, den, &pn.reasons.noDenominator
	case den == 0:
		return 0, num, den, &pn.reasons.zeroDenominator
	}
	return num / den, num, den, nil
}

func absentMetrics(names []string) *Reason {
	list := strings.Join(names, ", ")
	if len(names) == 1 {
		return &Reason{"metric " + list + " has no value", "chỉ số " + list + " chưa có giá trị"}
	}
	return &Reason{"metrics " + list + " have no value", "các chỉ số " + list + " chưa có giá trị"}
}

// Reasons that do not depend on the leaf.
var (
	reasonNoPoints         = Reason{"no points entered", "chưa có điểm"}
	reasonNoAnswer         = Reason{"no answer (true or false)", "chưa có câu trả lời có/không"}
	reasonFormulaUndefined = Reason{"the formula divides by zero or is not finite, so its value is undefined",
		"công thức chia cho 0 hoặc không hữu hạn nên không xác định được giá trị"}
)

// bestRelativeRates returns, per relative leaf (in p.relative order), the
// best rate among the agencies for which the leaf applies and has a rate
// (NaN when none has), and records them for the result.
func (r *run) bestRelativeRates(na [][]bool, metrics [][]float64) []float64 {
	best := make([]float64, len(r.p.relative))
	for j, i := range r.p.relative {
		pn := &r.p.nodes[i]
		best[j] = math.NaN()
		for k := range r.inputs {
			if na[k][i] {
				continue
			}
			if rate, _, _, why := rateOf(pn, metrics[k]); why == nil && !(rate <= best[j]) {
				best[j] = rate
			}
		}
		if !math.IsNaN(best[j]) {
			if r.bestRates == nil {
				r.bestRates = map[string]float64{}
			}
			r.bestRates[pn.node.Code] = best[j]
		}
	}
	return best
}

// total sums the tree of one agency and computes its index.
func (r *run) total(k int) {
	p := r.p
	as := &r.agencies[k]
	nodes := as.nodes
	// Groups, deepest first (reverse file order), each summing its direct
	// children in file order.
	for i := len(p.nodes) - 1; i >= 0; i-- {
		pn := &p.nodes[i]
		if pn.leaf {
			continue
		}
		var points, max float64
		for j := i + 1; j < pn.end; j = p.nodes[j].end {
			if p.nodes[j].adjustment && !pn.adjustment {
				continue // an adjustment block sits outside its parent's points and maximum
			}
			points += nodes[j].Points
			max += nodes[j].Max
		}
		nodes[i].Points, nodes[i].Max = points, max
	}
	for i := range p.nodes {
		pn := &p.nodes[i]
		n := &nodes[i]
		switch {
		case pn.parent < 0 && !pn.adjustment:
			as.scored += n.Points
			as.max += n.Max
		case pn.leaf && pn.spec.Method == criteria.MethodBonus:
			as.bonus += n.Points
		case pn.leaf && pn.spec.Method == criteria.MethodPenalty:
			as.penalty -= n.Points
		}
		if n.Status == StatusMissing || n.Status == StatusExcluded {
			as.missing = append(as.missing, n.Code)
		}
	}
	as.missing = nonNil(as.missing)
	// The codes marked not applicable, in framework order, once each.
	positions := make([]int, 0, len(r.inputs[k].NotApplicable))
	for _, code := range r.inputs[k].NotApplicable {
		positions = append(positions, p.byCode[code])
	}
	slices.Sort(positions)
	as.notApplicable = make([]string, 0, len(positions))
	for _, i := range slices.Compact(positions) {
		as.notApplicable = append(as.notApplicable, p.nodes[i].node.Code)
	}
	as.index, as.indexUncapped, as.rounded = math.NaN(), math.NaN(), math.NaN()
	if as.max > 0 {
		raw := as.points() / as.max * 100
		as.indexUncapped = raw
		as.index = p.f.ApplyCap(raw)
		as.rounded = publishedIndex(p.f, as.index)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sum is the agency's points before the floor at 0.
func (as *agencyScore) sum() float64 { return as.scored + as.bonus - as.penalty }

// points is the total, never below 0.
func (as *agencyScore) points() float64 { return math.Max(0, as.sum()) }

// publishedIndex is the index as published: capped by the caller, then
// criteria.Framework.RoundIndex, the one rounding rule (noise removal, then
// half-up rounding).
func publishedIndex(f *criteria.Framework, capped float64) float64 {
	// Away from a rounding boundary plain rounding gives the same result
	// and skips the noise removal (a second decimal rounding).
	if _, clear := bucket(capped, math.Pow10(f.Rounding)); clear {
		return stats.RoundHalfUp(capped, f.Rounding)
	}
	return f.RoundIndex(capped)
}

// rank gives competition ranks by the published (rounded) index.
func (r *run) rank() {
	values := make([]float64, len(r.agencies))
	for k := range r.agencies {
		values[k] = r.agencies[k].rounded
	}
	ranks := stats.CompetitionRanks(values)
	for k := range r.agencies {
		r.agencies[k].rank = ranks[k]
	}
}

// order lists the agencies' positions in rank order, ties and the unranked
// by code.
func (r *run) order() []int {
	order := make([]int, len(r.agencies))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int {
		rx, ry := r.agencies[x].rank, r.agencies[y].rank
		if (rx == 0) != (ry == 0) {
			if rx == 0 {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(rx, ry); c != 0 {
			return c
		}
		return strings.Compare(r.inputs[x].Code, r.inputs[y].Code)
	})
	return order
}

func (r *run) result() *Result {
	f := r.p.f
	res := &Result{Framework: f.Code, FrameworkHash: f.Hash(), FrameworkYear: f.Year, Rounding: f.Rounding,
		BestRates: r.bestRates}
	agencies := make([]AgencyResult, len(r.agencies))
	parallel(len(r.agencies), func(k int) { agencies[k] = r.agencyResult(k) })
	res.Agencies = make([]AgencyResult, 0, len(r.agencies))
	for _, k := range r.order() {
		res.Agencies = append(res.Agencies, agencies[k])
	}
	return res
}

func (r *run) agencyResult(k int) AgencyResult {
	f := r.p.f
	as := &r.agencies[k]
	in := &r.inputs[k]
	a := AgencyResult{Code: in.Code, Name: in.Name, Points: as.points(), PointsFloored: as.sum() < 0,
		ScoredPoints: as.scored, Bonus: as.bonus, Penalty: as.penalty, Max: as.max, Rank: as.rank,
		Missing: as.missing, NotApplicable: as.notApplicable, Nodes: as.nodes}
	if math.IsNaN(as.index) {
		a.IndexNote = "no criterion applies to the agency (the applicable maximum is 0), so it has no index, band or rank"
		return a
	}
	a.Index, a.IndexRounded = ptr(as.index), ptr(as.rounded)
	if as.index != as.indexUncapped {
		a.IndexUncapped = ptr(as.indexUncapped)
	}
	band, _ := f.BandFor(as.rounded)
	a.Band, a.BandName = band.Code, band.Name
	if next, need, ok := r.p.pointsToNextBand(as.sum(), as.max, band); ok {
		a.NextBand, a.NextBandName, a.PointsToNextBand = next.Code, next.Name, ptr(need)
	}
	return a
}

func ptr(x float64) *float64 { return &x }
