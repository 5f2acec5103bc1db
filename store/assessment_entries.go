package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
)

// The agency's writes: self-scores, notes and metrics (SaveEntries) and
// explanations (Explain).

// entryAudit is the audited form of a leaf's input.
type entryAudit struct {
	Node          string   `json:"node"`
	Points        *float64 `json:"points,omitempty"`
	Answer        *bool    `json:"answer,omitempty"`
	NotApplicable bool     `json:"not_applicable,omitempty"`
	Note          string   `json:"note,omitempty"`
}

type metricAudit struct {
	Metric    string   `json:"metric"`
	Value     *float64 `json:"value,omitempty"`
	Appraised *float64 `json:"appraised_value,omitempty"`
}

// SaveEntries stores the agency's input for several leaves in one
// transaction: all are checked first (assessment.CheckEntries) and nothing
// is written when one is wrong (EntryErrors lists every problem). Only in
// draft, while the sheet is not locked (Assessment.CheckEdit). Each changed
// leaf and each changed metric writes an audit row; unchanged ones write
// nothing. It returns how many leaves and metrics changed.
func (db *DB) SaveEntries(ctx context.Context, actor parindex.Actor, ref assessment.Ref, updates []assessment.EntryUpdate, reason string) (changed int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := a.CheckEdit(); err != nil {
			return err
		}
		metrics, problems := assessment.CheckEntries(f, updates)
		if len(problems) > 0 {
			return problems
		}
		now := db.now()
		for _, up := range updates {
			old := a.Entries[up.Node]
			var before any // nil, not a typed nil: "did not exist"
			if old != nil {
				before = &entryAudit{old.Node, old.Points, old.Answer, old.NotApplicable, old.Note}
				if old.LeafValue.Equal(up.Value) && old.Note == up.Note {
					continue
				}
			} else if up.Value.Empty() && up.Note == "" {
				continue
			}
			if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO assessment_entries (assessment_id, node_code, points, answer, not_applicable, note, updated_at, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (assessment_id, node_code) DO UPDATE SET points = excluded.points, answer = excluded.answer,
					not_applicable = excluded.not_applicable, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				a.ID, up.Node, nullable(up.Value.Points), nullable(up.Value.Answer), up.Value.NotApplicable, up.Note, now, actor.Name); err != nil {
				return fmt.Errorf("store: unable to save leaf %s of %s: %w", up.Node, ref.ObjectID(), err)
			}
			after := &entryAudit{up.Node, up.Value.Points, up.Value.Answer, up.Value.NotApplicable, up.Note}
			if err := writeAudit(ctx, tx, now, actor, "assessment.score", "assessment", ref.ObjectID(), before, after, reason); err != nil {
				return err
			}
			changed++
		}
		names := make([]string, 0, len(metrics))
		for m := range metrics {
			names = append(names, m)
		}
		sort.Strings(names)
		for _, m := range names {
			v := metrics[m]
			old := a.Metrics[m]
			var before any
			if old != nil {
				before = &metricAudit{Metric: m, Value: &old.Value}
				if v != nil && math.Abs(*v-old.Value) <= 1e-12 {
					continue
				}
			} else if v == nil {
				continue
			}
			if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
				return err
			}
			var after any
			if v == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM assessment_metrics WHERE assessment_id = $1 AND metric = $2`, a.ID, m)
			} else {
				after = &metricAudit{Metric: m, Value: v}
				_, err = tx.ExecContext(ctx, `
					INSERT INTO assessment_metrics (assessment_id, metric, value, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (assessment_id, metric) DO UPDATE SET value = excluded.value, appraised_value = NULL,
						updated_at = excluded.updated_at, updated_by = excluded.updated_by`, a.ID, m, *v, now, actor.Name)
			}
			if err != nil {
				return fmt.Errorf("store: unable to save metric %s of %s: %w", m, ref.ObjectID(), err)
			}
			if err := writeAudit(ctx, tx, now, actor, "assessment.metric", "assessment", ref.ObjectID(), before, after, reason); err != nil {
				return err
			}
			changed++
		}
		if changed > 0 {
			return db.touch(ctx, tx, a, now)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}

// Explain stores the agency's explanation (giải trình) of a leaf's
// round-1 decision, audited; an empty text withdraws it. Only in the
// explanation stage while the sheet is not locked, and only for leaves
// that round 1 adjusted or commented on.
func (db *DB) Explain(ctx context.Context, actor parindex.Actor, ref assessment.Ref, node, text string) error {
	text = strings.TrimSpace(text)
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, _, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if err := a.CheckExplanation(f, node, text); err != nil {
			return err
		}
		old := a.Entries[node]
		before := ""
		if old != nil {
			before = old.Explanation
		}
		if before == text {
			return nil
		}
		now := db.now()
		var at any
		if text != "" {
			at = now
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO assessment_entries (assessment_id, node_code, explanation, explained_at, explained_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $5)
			ON CONFLICT (assessment_id, node_code) DO UPDATE SET explanation = excluded.explanation,
				explained_at = excluded.explained_at, explained_by = excluded.explained_by`,
			a.ID, node, text, at, actor.Name, now); err != nil {
			return fmt.Errorf("store: unable to save the explanation of %s: %w", node, err)
		}
		var b, af any
		if before != "" {
			b = map[string]string{"node": node, "explanation": before}
		}
		if text != "" {
			af = map[string]string{"node": node, "explanation": text}
		}
		if err := writeAudit(ctx, tx, now, actor, "assessment.explain", "assessment", ref.ObjectID(), b, af, ""); err != nil {
			return err
		}
		return db.touch(ctx, tx, a, now)
	})
}
