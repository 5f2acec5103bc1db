package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
)

// stateAudit is the audited form of a transition.
type stateAudit struct {
	State         string `json:"state"`
	ReopenedUntil string `json:"reopened_until,omitempty"`
}

// Transition moves an assessment to its next state by the rules of the
// model (assessment.Assessment.Next), asked in the transaction, audited
// with the reason. It does not decide who may ask: the caller checks
// parindex.Can with t.Action().
func (db *DB) Transition(ctx context.Context, actor parindex.Actor, ref assessment.Ref, t assessment.Transition, reason string) (*assessment.Assessment, error) {
	var out *assessment.Assessment
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		var system map[string]float64
		if t == assessment.TransitionSubmit {
			// Metrics the one-stop-shop system reports count as given.
			if system, err = db.UnitYearMetrics(ctx, f.Year, a.UnitID); err != nil {
				return err
			}
		}
		next, err := a.Next(f, t, reason, system)
		if err != nil {
			return err
		}
		now := db.now()
		if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
			return err
		}
		set := `state = $1, reopened_until = NULL, reopen_reason = '', updated_at = $2`
		args := []any{string(next), now}
		if t == assessment.TransitionSubmit {
			set += `, submitted_at = $4, submitted_by = $5`
			args = append(args, a.ID, now, actor.Name)
		} else {
			args = append(args, a.ID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assessments SET `+set+` WHERE id = $3`, args...); err != nil {
			return fmt.Errorf("store: unable to move %s to %s: %w", ref.ObjectID(), next, err)
		}
		before := stateAudit{State: string(a.State), ReopenedUntil: a.ReopenedUntil.String()}
		after := map[string]string{"state": string(next), "transition": string(t)}
		if err := writeAudit(ctx, tx, now, actor, "assessment.transition", "assessment", ref.ObjectID(), before, after, reason); err != nil {
			return err
		}
		out, _, _, err = db.loadAssessment(ctx, tx, ref)
		return err
	})
	return out, err
}

// Reopen lets one agency work after its stage's deadline, until the given
// day (inclusive), audited with the reason, which is required. Only in an
// agency stage (draft, explanation); the next change of state ends it.
func (db *DB) Reopen(ctx context.Context, actor parindex.Actor, ref assessment.Ref, until parindex.Date, reason string) error {
	if err := assessment.CheckReopenReason(reason); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, _, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := a.CheckReopen(until, db.today()); err != nil {
			return err
		}
		now := db.now()
		if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assessments SET reopened_until = $1, reopen_reason = $2, updated_at = $3 WHERE id = $4`,
			until, strings.TrimSpace(reason), now, a.ID); err != nil {
			return fmt.Errorf("store: unable to reopen %s: %w", ref.ObjectID(), err)
		}
		return writeAudit(ctx, tx, now, actor, "assessment.reopen", "assessment", ref.ObjectID(),
			stateAudit{State: string(a.State), ReopenedUntil: a.ReopenedUntil.String()},
			stateAudit{State: string(a.State), ReopenedUntil: until.String()}, reason)
	})
}
