package assessments

import (
	"context"
	"fmt"
	"maps"

	"parindex/assessment"
	"parindex/criteria"
	"parindex/scoring"
)

// agencyInput turns an assessment's values in a view into the scoring
// engine's input. The one-stop-shop figures of the year (system) come
// first; what the agency reported for the same metric replaces them, as in
// a score snapshot.
func agencyInput(a *assessment.Assessment, f *criteria.Framework, view assessment.View, surveyValues map[string]map[string]scoring.SurveyValue, system map[string]float64) scoring.AgencyInput {
	values := a.Values(f, view)
	in := scoring.AgencyInput{Code: a.UnitCode, Name: a.UnitName, Points: values.Points, Answers: values.Answers,
		NotApplicable: values.NotApplicable, Metrics: maps.Clone(system), Survey: surveyValues}
	if in.Metrics == nil {
		in.Metrics = map[string]float64{}
	}
	maps.Copy(in.Metrics, values.Metrics)
	return in
}

// surveyFigures reads the current survey figures of every agency for
// the framework's survey leaves, for the framework's year, exactly as the
// score snapshot gathers them: unit code → instrument → element, question
// or overall → value.
func (s *Handler) surveyFigures(ctx context.Context, f *criteria.Framework) (map[string]map[string]map[string]scoring.SurveyValue, error) {
	run, err := s.figures.Build(ctx, f.Code, f.Year)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]map[string]scoring.SurveyValue{}
	for _, a := range run.Inputs.Agencies {
		if a.Survey != nil {
			out[a.Code] = a.Survey
		}
	}
	return out, nil
}

// scores is every agency of a framework scored twice: with the agencies'
// own values and with the appraised ones, together (relative leaves
// compare the agencies with each other).
type scores struct {
	List      []*assessment.Assessment
	F         *criteria.Framework
	Self      *scoring.Result
	Appraised *scoring.Result
}

func (s *Handler) scoreFramework(ctx context.Context, framework string) (*scores, error) {
	list, f, err := s.db.ListAssessments(ctx, framework)
	if err != nil {
		return nil, err
	}
	figures, err := s.surveyFigures(ctx, f)
	if err != nil {
		return nil, err
	}
	system, err := s.db.YearMetrics(ctx, f.Year)
	if err != nil {
		return nil, err
	}
	out := &scores{List: list, F: f}
	for _, view := range []assessment.View{assessment.ViewSelf, assessment.ViewAppraised} {
		in := scoring.Inputs{Framework: f.Code}
		for _, a := range list {
			in.Agencies = append(in.Agencies, agencyInput(a, f, view, figures[a.UnitCode], system[a.UnitCode]))
		}
		res, err := scoring.Score(f, in)
		if err != nil {
			return nil, fmt.Errorf("web: scoring %s: %w", framework, err)
		}
		if view == assessment.ViewSelf {
			out.Self = res
		} else {
			out.Appraised = res
		}
	}
	return out, nil
}
