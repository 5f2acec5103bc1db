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
	// Progress, when set, is told as each stage of the seed begins: its
	// name, how many stages are done and how many there are in all.
	Progress func(stage string, done, total int)
}

// Seed writes the demo data into db (already migrated). It is idempotent.
func Seed(ctx context.Context, db *store.DB, opts Options) (Summary, error) {
	if opts.SurveyVolume == 0 {
		opts.SurveyVolume = 1
	}
	var s Summary
	actor := parindex.Actor{Name: "demo"}
	stages := []struct {
		name string
		run  func() error
	}{
		{"đơn vị (units)", func() (err error) {
			s.Units, err = db.ImportOrgUnits(ctx, actor, "demo", OrgRows(), "dữ liệu minh họa (demo data)")
			if err != nil {
				err = fmt.Errorf("demo: organisation tree: %w", err)
			}
			return err
		}},
		{"tài khoản (accounts)", func() (err error) { s.Accounts, err = seedUsers(ctx, db, actor); return err }},
		{"bộ tiêu chí (frameworks)", func() (err error) { s.Frameworks, err = seedFrameworks(ctx, db, actor); return err }},
		{"phiếu khảo sát (survey responses)", func() (err error) {
			if s.Survey, err = seedSurvey(ctx, db, actor, opts.SurveyVolume); err != nil {
				return err
			}
			// The demo's responses span last year too: on PostgreSQL its
			// table is made now, not at the next start (store.AddResponseYears).
			return db.AddResponseYears(ctx)
		}},
		{"số liệu (metrics)", func() (err error) { s.Metrics, err = seedMetrics(ctx, db, actor); return err }},
		{"tự chấm điểm (self-assessments)", func() (err error) { s.Assessment, err = seedAssessments(ctx, db, actor); return err }},
	}
	if !opts.SkipSnapshots {
		stages = append(stages, struct {
			name string
			run  func() error
		}{"kết quả chấm điểm (scoring runs)", func() (err error) { s.Snapshots, err = seedSnapshots(ctx, db, actor); return err }})
	}
	for i, stage := range stages {
		if opts.Progress != nil {
			opts.Progress(stage.name, i, len(stages))
		}
		if err := stage.run(); err != nil {
			return s, err
		}
	}
	if opts.Progress != nil {
		opts.Progress("", len(stages), len(stages))
	}
	return s, nil
}
