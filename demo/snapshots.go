package demo

import (
	"context"
	"fmt"

	"parindex"
	"parindex/integrity"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// seedSnapshots scores each demo framework for its year and publishes the
// result, unless a published snapshot of it exists, so that the dashboards
// and scorecards have real numbers and last year's to compare them with:
// the earlier years first, then the current one, departments before
// communes (the overview opens on the newest).
func seedSnapshots(ctx context.Context, db *store.DB, actor parindex.Actor) (int, error) {
	policy := integrity.DefaultPolicy() // the demo's counters are judged by it (survey.go)
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db),
		Integrity: &policy, Location: vietnamTime}
	n := 0
	for _, year := range demoYears {
		for _, kind := range []string{departmentsKind, communesKind} {
			code := frameworkCode(kind, year)
			published, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: code, Status: parindex.StatusPublished})
			if err != nil {
				return n, err
			}
			if len(published) > 0 {
				continue
			}
			s, _, err := rn.Score(ctx, actor, code, snapshot.Options{Note: "dữ liệu minh họa (demo)"})
			if err != nil {
				return n, fmt.Errorf("demo: scoring %s: %w", code, err)
			}
			if err := publishSnapshot(ctx, db, actor, s, year); err != nil {
				return n, fmt.Errorf("demo: publishing %s: %w", code, err)
			}
			n++
		}
	}
	return n, nil
}

// publishSnapshot publishes a demo year's scoring run under the decision
// DoHA would take. The current year is published while the agencies of
// inCycle are still in the cycle: provisional, and every output says so
// with the reason. An earlier year has every agency final; what may still
// be incomplete there (a small unit's survey result that is not yet
// reliable) is accepted by name: final with exceptions.
func publishSnapshot(ctx context.Context, db *store.DB, actor parindex.Actor, s *parindex.Snapshot, year int) error {
	d := snapshot.Decision{As: parindex.PublicationFinal, Note: fmt.Sprintf("công bố kết quả minh họa năm %d (demo results)", year)}
	rec, err := snapshot.DecodeRecord(s)
	if err != nil {
		return err
	}
	switch {
	case year == currentYear:
		d = snapshot.Decision{As: parindex.PublicationProvisional,
			Note: fmt.Sprintf("kết quả tạm thời năm %d: một số đơn vị chưa thẩm định xong (demo: a few agencies still in appraisal)", year)}
	case len(rec.Preflight) > 0:
		d = snapshot.Decision{As: parindex.PublicationFinalWithExceptions,
			Note: fmt.Sprintf("công bố chính thức năm %d; chấp nhận các mục chưa đầy đủ đã liệt kê (demo)", year)}
	}
	return snapshot.Publish(ctx, db, actor, s.ID, d)
}
