package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
)

// Deadlines returns DoHA's deadline for each stage of the framework that
// has one, keyed by stage (assessment.StageSelfAssessment, …).
func (db *DB) Deadlines(ctx context.Context, framework string) (map[string]parindex.Date, error) {
	rec, err := frameworkByCode(ctx, db.db, framework)
	if err != nil {
		return nil, err
	}
	return deadlines(ctx, db.db, rec.ID)
}

func deadlines(ctx context.Context, q queryer, frameworkID int64) (map[string]parindex.Date, error) {
	rows, err := q.QueryContext(ctx, `SELECT stage, due FROM assessment_deadlines WHERE framework_id = $1`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read deadlines: %w", err)
	}
	defer rows.Close()
	out := map[string]parindex.Date{}
	for rows.Next() {
		var stage string
		var due parindex.Date
		if err := rows.Scan(&stage, &due); err != nil {
			return nil, fmt.Errorf("store: unable to read a deadline: %w", err)
		}
		out[stage] = due
	}
	return out, rows.Err()
}

// SetDeadline sets (or moves) DoHA's deadline of one stage of a framework,
// audited. A zero date removes it.
func (db *DB) SetDeadline(ctx context.Context, actor parindex.Actor, framework, stage string, due parindex.Date, reason string) error {
	if err := assessment.CheckStage(stage); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		rec, _, err := assessedFramework(ctx, tx, framework)
		if err != nil {
			return err
		}
		old, err := deadlines(ctx, tx, rec.ID)
		if err != nil {
			return err
		}
		if old[stage] == due {
			return nil
		}
		now := db.now()
		if due.IsZero() {
			_, err = tx.ExecContext(ctx, `DELETE FROM assessment_deadlines WHERE framework_id = $1 AND stage = $2`, rec.ID, stage)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO assessment_deadlines (framework_id, stage, due, set_at, set_by) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (framework_id, stage) DO UPDATE SET due = excluded.due, set_at = excluded.set_at, set_by = excluded.set_by`,
				rec.ID, stage, due, now, actor.Name)
		}
		if err != nil {
			return fmt.Errorf("store: unable to set the %s deadline of %s: %w", stage, framework, err)
		}
		var before, after any
		if d := old[stage]; !d.IsZero() {
			before = map[string]string{"stage": stage, "due": d.String()}
		}
		if !due.IsZero() {
			after = map[string]string{"stage": stage, "due": due.String()}
		}
		return writeAudit(ctx, tx, now, actor, "assessment.deadline", "framework", framework, before, after, reason)
	})
}
