package snapshot

import (
	"context"
	"maps"

	"parindex"
	"parindex/store"
)

// DatabaseSources are the inputs read from the database besides the
// survey: the year's operational metrics, then the final appraised
// self-assessments, whose agency-reported metric values (checked by the
// appraisers) take precedence over the one-stop-shop figures for the same
// metric; and, for the record, every agency's assessment values by stage.
func DatabaseSources(db *store.DB) []Source {
	return []Source{metricsSource, assessmentsSource, recordAssessments}
}

// metricsSource adds each agency's yearly value of every metric, combined
// from monthly values by the catalogue's rule unless a yearly value was given.
func metricsSource(ctx context.Context, r *Run) error {
	values, err := r.DB.YearMetrics(ctx, r.Year)
	if err != nil {
		return err
	}
	for unit, m := range values {
		if a := r.Agency(unit); a != nil && len(m) > 0 {
			if a.Metrics == nil {
				a.Metrics = map[string]float64{}
			}
			maps.Copy(a.Metrics, m)
		}
	}
	return nil
}

// assessmentsSource adds the final appraised points, answers, agency-reported
// metrics and not-applicable criteria of agencies whose assessment is final.
// Agencies not yet final have no such inputs: their assessed leaves follow
// the framework's missing policy.
func assessmentsSource(ctx context.Context, r *Run) error {
	final, err := r.DB.FinalAssessments(ctx, r.Framework.Code)
	if parindex.ErrorCode(err) == parindex.ECodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	for unit, in := range final {
		a := r.Agency(unit)
		if a == nil {
			continue
		}
		if len(in.Points) > 0 {
			a.Points = maps.Clone(in.Points)
		}
		if len(in.Answers) > 0 {
			a.Answers = maps.Clone(in.Answers)
		}
		if len(in.Metrics) > 0 {
			if a.Metrics == nil {
				a.Metrics = map[string]float64{}
			}
			maps.Copy(a.Metrics, in.Metrics)
		}
		a.NotApplicable = append(a.NotApplicable, in.NotApplicable...)
	}
	return nil
}
