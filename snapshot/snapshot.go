// Package snapshot runs the scoring engine over the database: it gathers
// the inputs of one published framework for one year (the agencies of its
// types, their final appraised scores, their operational metrics and their
// survey results), scores them, and stores the result as a draft snapshot
// that DoHA publishes. It also compares a snapshot with the previous year's
// on the criteria mapped between the two frameworks.
//
// It may import store, survey, integrity, scoring and criteria; never web
// or the command line.
package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/integrity"
	"parindex/scoring"
	"parindex/store"
	"parindex/survey"
)

// Options tune a run.
type Options struct {
	Year  int    // 0: the framework's year
	Draws int    // rank-uncertainty draws (0: 1000)
	Seed  uint64 // 0: the year, so a year's run is reproducible
	Note  string
}

// Source adds one kind of input to the agencies of a run: survey results,
// final appraised scores, operational metrics.
type Source func(ctx context.Context, r *Run) error

// Run is one scoring run being prepared.
type Run struct {
	DB        *store.DB
	Framework *criteria.Framework
	Year      int
	Inputs    scoring.Inputs
	// Record gathers what the outputs show beside the result; Score adds
	// the preflight.
	Record *Record
	byCode map[string]*scoring.AgencyInput
}

// Agency returns the inputs of the agency with the unit code, or nil when the
// unit is not scored in this run.
func (r *Run) Agency(code string) *scoring.AgencyInput { return r.byCode[code] }

// Runner builds and stores snapshots.
type Runner struct {
	DB      *store.DB
	Survey  *survey.Service
	Sources []Source // extra sources, after the survey
	// Integrity is the counter-integrity policy in force
	// (config.Config.IntegrityPolicy) and Location the counters' local
	// time: a framework that leaves out the QR links labelled doubtful
	// (survey_responses: not_doubtful) cannot be scored without them.
	Integrity *integrity.Policy
	Location  *time.Location
}

// Build gathers the inputs of a published framework for a year, without
// scoring or storing anything.
func (rn *Runner) Build(ctx context.Context, frameworkCode string, year int) (*Run, error) {
	rec, err := rn.DB.FrameworkByCode(ctx, frameworkCode)
	if err != nil {
		return nil, err
	}
	if rec.Status != parindex.StatusPublished {
		return nil, parindex.Errorf(parindex.ECodeInvalid, "Bộ tiêu chí %s chưa công bố, chưa chấm điểm được (the framework is not published)", frameworkCode)
	}
	f, err := rec.Framework()
	if err != nil {
		return nil, err
	}
	if year == 0 {
		year = f.Year
	}
	// The agencies scored are the units of the framework's types that exist
	// at the end of the year.
	units, err := rn.DB.FindOrgUnits(ctx, store.OrgFilter{ValidOn: parindex.Date{Year: year, Month: 12, Day: 31}})
	if err != nil {
		return nil, err
	}
	r := &Run{DB: rn.DB, Framework: f, Year: year, Inputs: scoring.Inputs{Framework: f.Code},
		Record: &Record{Units: map[string]*UnitRecord{}}, byCode: map[string]*scoring.AgencyInput{}}
	for _, u := range units {
		if slices.Contains(f.AgencyTypes, u.Type) {
			r.Inputs.Agencies = append(r.Inputs.Agencies, scoring.AgencyInput{Code: u.Code, Name: u.Name})
		}
	}
	for i := range r.Inputs.Agencies {
		r.byCode[r.Inputs.Agencies[i].Code] = &r.Inputs.Agencies[i]
	}
	sources := append([]Source{rn.surveySource}, rn.Sources...)
	for _, src := range sources {
		if err := src(ctx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// surveySource adds, for every instrument the framework's survey leaves
// read, each agency's element, question and overall figures for the year:
// the share satisfied and the mean rescaled to 0–100, with n; counted
// over the responses the framework's survey_responses setting keeps. The
// record keeps the setting and, per unit, what was left out and why.
func (rn *Runner) surveySource(ctx context.Context, r *Run) error {
	setting := r.Framework.SurveyResponsesUsed()
	r.Record.SurveyResponses = setting
	instruments := map[string]bool{}
	for _, leaf := range r.Framework.Leaves() {
		if leaf.Method == criteria.MethodSurvey {
			instruments[leaf.Instrument] = true
		}
	}
	for code := range instruments {
		in, err := rn.Survey.Instrument(ctx, code)
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			continue // no such survey here: the survey leaves have no input
		}
		if err != nil {
			return err
		}
		results, doubtful, err := rn.surveyResults(ctx, r, code, setting)
		if err != nil {
			return err
		}
		for unit, res := range results {
			a := r.Agency(unit)
			if a == nil {
				continue
			}
			flagged := res.Flagged
			if setting == criteria.ResponsesAll {
				flagged = 0 // counted
			}
			if out := leftOut(flagged, doubtful[unit]); out.Responses() > 0 {
				u := r.unitRecord(unit)
				if u.SurveyLeftOut == nil {
					u.SurveyLeftOut = map[string]SurveyLeftOut{}
				}
				u.SurveyLeftOut[code] = out
			}
			if res.Respondents == 0 {
				continue
			}
			if a.Survey == nil {
				a.Survey = map[string]map[string]scoring.SurveyValue{}
			}
			a.Survey[code] = surveyValues(in, res)
			u := r.unitRecord(unit)
			if u.Survey == nil {
				u.Survey = map[string]survey.GroupResult{}
			}
			res.Comments = nil // not a figure, and not to be frozen with them
			u.Survey[code] = res
		}
	}
	return nil
}

// surveyResults reads every unit's figures of the instrument for the run's
// year under the setting. Under not_doubtful it judges the instrument's QR
// links with the counter-integrity policy, leaves out the clean responses
// of those labelled doubtful, and returns them by unit code with how many
// responses each lost (links that lost none are not listed).
func (rn *Runner) surveyResults(ctx context.Context, r *Run, instrument string, setting criteria.SurveyResponses) (map[string]survey.GroupResult, map[string][]LeftOutLink, error) {
	year := survey.Year(r.Year)
	switch setting {
	case criteria.ResponsesAll:
		res, err := rn.Survey.Units(ctx, instrument, year, true)
		return res, nil, err
	case criteria.ResponsesNotDoubtful:
	default:
		res, err := rn.Survey.Units(ctx, instrument, year, false)
		return res, nil, err
	}
	if rn.Integrity == nil || rn.Location == nil {
		return nil, nil, fmt.Errorf("snapshot: %s leaves out doubtful QR links, but the run has no counter-integrity policy or time zone", r.Framework.Code)
	}
	_, report, err := rn.Survey.Integrity(ctx, instrument, r.Year, *rn.Integrity, rn.Location)
	if err != nil {
		return nil, nil, err
	}
	r.Record.IntegrityPolicy = report.PolicyVersion
	var ids []int64
	links := map[int64]LeftOutLink{}
	units := map[int64]string{}
	for _, u := range report.Units {
		for _, l := range u.Links {
			if l.Label == integrity.Doubtful {
				ids = append(ids, l.Link.ID)
				links[l.Link.ID] = LeftOutLink{Link: l.Link.ID, Counter: l.Link.Label}
				units[l.Link.ID] = l.Link.Unit
			}
		}
	}
	slices.Sort(ids)
	res, lost, err := rn.Survey.CleanUnitsWithout(ctx, instrument, year, ids)
	if err != nil {
		return nil, nil, err
	}
	out := map[string][]LeftOutLink{}
	for _, id := range ids {
		if n := lost[id]; n > 0 {
			l := links[id]
			l.Responses = n
			out[units[id]] = append(out[units[id]], l)
		}
	}
	return res, out, nil
}

// surveyValues turns a unit's survey result into the engine's values: per
// question its satisfaction share and mean100; per element and overall the
// mean of the level below, for both measures.
func surveyValues(in *survey.Instrument, res survey.GroupResult) map[string]scoring.SurveyValue {
	out := map[string]scoring.SurveyValue{}
	value := func(sat, m100 float64, n int) scoring.SurveyValue {
		v := scoring.SurveyValue{N: n}
		if !math.IsNaN(sat) {
			v.Satisfaction = &sat
		}
		if !math.IsNaN(m100) {
			v.Mean100 = &m100
		}
		return v
	}
	var elemSat, elemM100 []float64
	for _, e := range in.Elements {
		var sats, m100s []float64
		n := 0
		for _, q := range e.Questions {
			qr := res.Questions[q.Code]
			out[q.Code] = value(float64(qr.Satisfaction), float64(qr.Mean100), qr.N)
			sats, m100s = append(sats, float64(qr.Satisfaction)), append(m100s, float64(qr.Mean100))
			n = max(n, qr.N)
		}
		s, m := meanOf(sats), meanOf(m100s)
		out[e.Code] = value(s, m, n)
		elemSat, elemM100 = append(elemSat, s), append(elemM100, m)
	}
	out[scoring.Overall] = value(meanOf(elemSat), meanOf(elemM100), res.Respondents)
	return out
}

func meanOf(xs []float64) float64 {
	sum, n := 0.0, 0
	for _, x := range xs {
		if !math.IsNaN(x) {
			sum += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Score builds, scores and stores a draft snapshot.
func (rn *Runner) Score(ctx context.Context, actor parindex.Actor, frameworkCode string, opts Options) (*parindex.Snapshot, *scoring.Result, error) {
	r, err := rn.Build(ctx, frameworkCode, opts.Year)
	if err != nil {
		return nil, nil, err
	}
	if opts.Draws == 0 {
		opts.Draws = 1000
	}
	if opts.Seed == 0 {
		opts.Seed = uint64(r.Year)
	}
	res, err := scoring.ScoreWith(r.Framework, r.Inputs, scoring.Options{Uncertainty: &scoring.UncertaintyOptions{Draws: opts.Draws, Seed: opts.Seed}})
	if err != nil {
		return nil, nil, err
	}
	inputs, err := json.Marshal(r.Inputs)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: encoding inputs: %w", err)
	}
	results, err := json.Marshal(res)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: encoding results: %w", err)
	}
	r.Record.Draws = opts.Draws
	names, err := rn.metricNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	r.Record.Preflight = preflight(r.Framework, res, r.Record, names)
	record, err := json.Marshal(r.Record)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: encoding the record: %w", err)
	}
	s := &parindex.Snapshot{FrameworkCode: r.Framework.Code, FrameworkHash: r.Framework.Hash(), Year: r.Year,
		Inputs: inputs, Results: results, Record: record, Seed: opts.Seed, Note: opts.Note}
	for _, a := range res.Agencies {
		s.Units = append(s.Units, parindex.SnapshotUnit{UnitCode: a.Code, UnitName: a.Name, Points: a.Points, MaxPoints: a.Max,
			Index: a.Index, IndexRounded: a.IndexRounded, Rank: a.Rank, Band: a.Band})
	}
	if err := rn.DB.CreateSnapshot(ctx, actor, s); err != nil {
		return nil, nil, err
	}
	return s, res, nil
}

// metricNames maps each metric of the catalogue to its Vietnamese and
// English names.
func (rn *Runner) metricNames(ctx context.Context) (map[string][2]string, error) {
	ms, err := rn.DB.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][2]string, len(ms))
	for _, m := range ms {
		out[m.Code] = [2]string{m.NameVI, m.NameEN}
	}
	return out, nil
}

// Result decodes a stored snapshot's results.
func Result(s *parindex.Snapshot) (*scoring.Result, error) {
	var res scoring.Result
	if err := json.Unmarshal(s.Results, &res); err != nil {
		return nil, fmt.Errorf("snapshot %d: results do not decode: %w", s.ID, err)
	}
	return &res, nil
}
