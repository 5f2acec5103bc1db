package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
)

// appraisalAudit is the audited form of a decision.
type appraisalAudit struct {
	Node          string             `json:"node"`
	Round         int                `json:"round"`
	Decision      string             `json:"decision,omitempty"`
	Points        *float64           `json:"points,omitempty"`
	Answer        *bool              `json:"answer,omitempty"`
	NotApplicable bool               `json:"not_applicable,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	Comment       string             `json:"comment,omitempty"`
}

// Appraise records an appraiser's decision on one leaf by the rules of
// assessment.Assessment.Decide, audited with the comment as its reason. It
// does not decide who may appraise the leaf: the caller asks parindex.Can
// with ActionAppraise on parindex.AppraisalTarget of the assessment's unit
// and the leaf's area (assessment.AreaOf), which refuses a member of the
// unit.
func (db *DB) Appraise(ctx context.Context, actor parindex.Actor, ref assessment.Ref, in assessment.AppraisalInput) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, _, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		return db.appraise(ctx, tx, actor, a, f, in)
	})
}

// AcceptPending accepts, in one transaction, every leaf of the list that
// waits for the round open now (one audit row each), and returns how many
// it accepted. The caller passes the leaves the appraiser may decide (the
// policy asked as for Appraise).
func (db *DB) AcceptPending(ctx context.Context, actor parindex.Actor, ref assessment.Ref, nodes []string) (int, error) {
	accepted := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, _, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		for _, node := range a.PendingLeaves(f) {
			if !slices.Contains(nodes, node) {
				continue
			}
			if err := db.appraise(ctx, tx, actor, a, f, assessment.AppraisalInput{Node: node, Accept: true}); err != nil {
				return err
			}
			accepted++
		}
		return nil
	})
	return accepted, err
}

// appraise writes a decision the model allows (Assessment.Decide): the
// metrics it corrects and the round's appraisal, each audited with the
// comment as its reason.
func (db *DB) appraise(ctx context.Context, tx *sqlx.Tx, actor parindex.Actor, a *assessment.Assessment, f *criteria.Framework, in assessment.AppraisalInput) error {
	d, err := a.Decide(f, in)
	if err != nil || d.Unchanged {
		return err
	}
	var metricsJSON string
	if d.Metrics != nil {
		data, err := json.Marshal(d.Metrics)
		if err != nil {
			return fmt.Errorf("store: unable to encode metrics: %w", err)
		}
		metricsJSON = string(data)
	}
	now := db.now()
	names := make([]string, 0, len(d.Changed))
	for m := range d.Changed {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		v := d.Changed[m]
		old := a.Metrics[m]
		var before any
		var err error
		if old != nil {
			before = &metricAudit{Metric: m, Value: &old.Value, Appraised: old.Appraised}
			_, err = tx.ExecContext(ctx, `UPDATE assessment_metrics SET appraised_value = $1, updated_at = $2, updated_by = $3 WHERE assessment_id = $4 AND metric = $5`,
				v, now, actor.Name, a.ID, m)
		} else {
			// The agency reported nothing: the appraiser's value is the only one.
			_, err = tx.ExecContext(ctx, `INSERT INTO assessment_metrics (assessment_id, metric, value, appraised_value, updated_at, updated_by)
				VALUES ($1, $2, 0, $3, $4, $5)`, a.ID, m, v, now, actor.Name)
		}
		if err != nil {
			return fmt.Errorf("store: unable to correct metric %s: %w", m, err)
		}
		after := &metricAudit{Metric: m, Appraised: &v}
		if old != nil {
			after.Value = &old.Value
		}
		if err := writeAudit(ctx, tx, now, actor, "appraisal.metric", "assessment", a.Ref().ObjectID(), before, after, d.Comment); err != nil {
			return err
		}
	}
	var before any
	if prev := a.Appraisal(d.Node, d.Round); prev != nil {
		before = appraisalAudit{prev.Node, prev.Round, prev.Decision, prev.Points, prev.Answer, prev.NotApplicable, prev.Metrics, prev.Comment}
	} else {
		before = appraisalAudit{Node: d.Node, Round: d.Round, Points: d.Base.Points, Answer: d.Base.Answer, NotApplicable: d.Base.NotApplicable}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO appraisals (assessment_id, node_code, round, decision, points, answer, not_applicable, metrics_json, comment, appraiser, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (assessment_id, node_code, round) DO UPDATE SET decision = excluded.decision, points = excluded.points,
			answer = excluded.answer, not_applicable = excluded.not_applicable, metrics_json = excluded.metrics_json,
			comment = excluded.comment, appraiser = excluded.appraiser, decided_at = excluded.decided_at`,
		a.ID, d.Node, d.Round, d.Decision, nullable(d.Value.Points), nullable(d.Value.Answer), d.Value.NotApplicable, metricsJSON,
		d.Comment, actor.Name, now); err != nil {
		return fmt.Errorf("store: unable to record the appraisal of %s: %w", d.Node, err)
	}
	after := appraisalAudit{d.Node, d.Round, d.Decision, d.Value.Points, d.Value.Answer, d.Value.NotApplicable, d.Metrics, d.Comment}
	if err := writeAudit(ctx, tx, now, actor, "appraisal.decide", "assessment", a.Ref().ObjectID(), before, after, d.Comment); err != nil {
		return err
	}
	a.Record(d, actor.Name, now)
	return db.touch(ctx, tx, a, now)
}
