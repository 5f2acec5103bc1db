package demo

import (
	"context"
	"fmt"

	"parindex"
	"parindex/store"
)

// Summary says what Seed did, for the command line to print.
type Summary struct {
	Units      store.OrgImportResult
	Accounts   int // demo accounts created
	Frameworks int // reference frameworks stored and published
	Survey     SurveySummary
	Snapshots  int // scoring runs published
	Metrics    int // metric values stored (monthly one-stop-shop figures, yearly self-reported ones)
	Assessment AssessmentSummary
}

// Options scale the demo.
type Options struct {
	// SurveyVolume multiplies the number of demo responses (about 40,000 over
	// the two demo years at 1; tests use less). Zero means 1.
	SurveyVolume float64
	// SkipSnapshots leaves out the scoring runs (tests that run their own).
	SkipSnapshots bool
}

// Seed writes the demo data into db (already migrated). It is idempotent.
func Seed(ctx context.Context, db *store.DB, opts Options) (Summary, error) {
	if opts.SurveyVolume == 0 {
		opts.SurveyVolume = 1
	}
	var s Summary
	var err error
	actor := parindex.Actor{Name: "demo"}
	s.Units, err = db.ImportOrgUnits(ctx, actor, "demo", OrgRows(), "dữ liệu minh họa (demo data)")
	if err != nil {
		return s, fmt.Errorf("demo: organisation tree: %w", err)
	}
	if s.Accounts, err = seedUsers(ctx, db, actor); err != nil {
		return s, err
	}
	if s.Frameworks, err = seedFrameworks(ctx, db, actor); err != nil {
		return s, err
	}
	if s.Survey, err = seedSurvey(ctx, db, actor, opts.SurveyVolume); err != nil {
		return s, err
	}
	if s.Metrics, err = seedMetrics(ctx, db, actor); err != nil {
		return s, err
	}
	if s.Assessment, err = seedAssessments(ctx, db, actor); err != nil {
		return s, err
	}
	if !opts.SkipSnapshots {
		if s.Snapshots, err = seedSnapshots(ctx, db, actor); err != nil {
			return s, err
		}
	}
	return s, nil
}
