package demo

import (
	"context"
	"fmt"

	"parindex"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// snapshotFrameworks are the frameworks the demo scores and publishes.
var snapshotFrameworks = []string{"province-departments-2026", "communes-2026"}

// seedSnapshots scores each demo framework for its year and publishes the
// result, unless a published snapshot of it exists, so the dashboards have
// real numbers to show.
func seedSnapshots(ctx context.Context, db *store.DB, actor parindex.Actor) (int, error) {
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	n := 0
	for _, code := range snapshotFrameworks {
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
		if err := snapshot.Publish(ctx, db, actor, s.ID, demoDecision(s)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// demoDecision publishes a complete year as final and a year with
// incomplete items as provisional, as DoHA would before appraisal ends.
func demoDecision(s *parindex.Snapshot) snapshot.Decision {
	rec, err := snapshot.DecodeRecord(s)
	if err == nil && len(rec.Preflight) == 0 {
		return snapshot.Decision{As: parindex.PublicationFinal, Note: "công bố kết quả minh họa (demo)"}
	}
	return snapshot.Decision{As: parindex.PublicationProvisional,
		Note: "kết quả tạm thời: một số hồ sơ tự đánh giá đang thẩm định (minh họa)"}
}
