package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
)

// The self-assessment and appraisal of agencies (docs/assessment.md). The
// rules are the model's (package assessment: states, transitions, entry
// checks, decisions) and the framework's (criteria); the store reads the
// model's values, asks its rules inside one transaction, writes what they
// allow and audits every change in the same transaction. This file loads;
// assessment_entries.go, assessment_states.go, assessment_appraisal.go and
// assessment_deadlines.go write.

// frameworkCache keeps parsed frameworks by hash: a hash names one content,
// so a parsed framework never goes stale.
var frameworkCache sync.Map // hash → *criteria.Framework

func parsedFramework(rec *FrameworkRecord) (*criteria.Framework, error) {
	if f, ok := frameworkCache.Load(rec.Hash); ok {
		return f.(*criteria.Framework), nil
	}
	f, err := rec.Framework()
	if err != nil {
		return nil, err
	}
	frameworkCache.Store(rec.Hash, f)
	return f, nil
}

// AssessedFramework returns a published framework, parsed, for
// assessments; a draft is not found: no one is assessed against it.
func (db *DB) AssessedFramework(ctx context.Context, code string) (*FrameworkRecord, *criteria.Framework, error) {
	return assessedFramework(ctx, db.db, code)
}

func assessedFramework(ctx context.Context, q queryer, code string) (*FrameworkRecord, *criteria.Framework, error) {
	rec, err := frameworkByCode(ctx, q, code)
	if err != nil {
		return nil, nil, err
	}
	if !rec.Published() {
		return nil, nil, parindex.Errorf(parindex.ECodeNotFound,
			"Bộ tiêu chí %s chưa ban hành nên chưa thể tự đánh giá (framework %s is not published)", code, code)
	}
	f, err := parsedFramework(rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, f, nil
}

// assessedUnits returns the units scored with the framework: those of its
// agency types that exist at the end of its year (as the score snapshot
// counts them), in code order.
func assessedUnits(ctx context.Context, q queryer, rec *FrameworkRecord) ([]*parindex.OrgUnit, error) {
	all, err := findOrgUnits(ctx, q, OrgFilter{ValidOn: parindex.Date{Year: rec.Year, Month: time.December, Day: 31}})
	if err != nil {
		return nil, err
	}
	var out []*parindex.OrgUnit
	for _, u := range all {
		if slices.Contains(rec.AgencyTypes, u.Type) {
			out = append(out, u)
		}
	}
	return out, nil
}

func checkAssessedUnit(rec *FrameworkRecord, u *parindex.OrgUnit) error {
	if !slices.Contains(rec.AgencyTypes, u.Type) {
		return parindex.Errorf(parindex.ECodeInvalid,
			"Đơn vị %s (loại %s) không được đánh giá theo bộ tiêu chí %s (dành cho: %s) (unit %s is not of the framework's agency types)",
			u.Code, u.Type, rec.Code, strings.Join(rec.AgencyTypes, ", "), u.Code)
	}
	return nil
}

// today is the store clock's day in Vietnam, the day deadlines count in.
func (db *DB) today() parindex.Date { return parindex.DateOf(db.now().In(vietnam)) }

// assessmentRow is the assessments table's part of an Assessment.
const assessmentSelect = `
	SELECT id, org_unit_id, state, reopened_until, reopen_reason, submitted_at, submitted_by, updated_at
	FROM assessments WHERE framework_id = $1 AND ($2 = 0 OR org_unit_id = $2)`

// loadAssessments reads the stored assessments of a framework (of one
// unit when unitID is not 0) with their entries, metrics, appraisals and
// evidence, keyed by unit id.
func loadAssessments(ctx context.Context, q queryer, frameworkID, unitID int64) (map[int64]*assessment.Assessment, error) {
	rows, err := q.QueryContext(ctx, assessmentSelect, frameworkID, unitID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read assessments: %w", err)
	}
	byUnit := map[int64]*assessment.Assessment{}
	byID := map[int64]*assessment.Assessment{}
	for rows.Next() {
		a := assessment.New()
		var state string
		var submitted sql.NullTime
		if err := rows.Scan(&a.ID, &a.UnitID, &state, &a.ReopenedUntil, &a.ReopenReason, &submitted, &a.SubmittedBy, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read an assessment: %w", err)
		}
		a.State = assessment.State(state)
		if submitted.Valid {
			a.SubmittedAt = submitted.Time
		}
		byUnit[a.UnitID], byID[a.ID] = a, a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read assessments: %w", err)
	}
	if len(byID) == 0 {
		return byUnit, nil
	}
	scope := ` JOIN assessments a ON a.id = x.assessment_id WHERE a.framework_id = $1 AND ($2 = 0 OR a.org_unit_id = $2)`
	if err := eachRow(ctx, q, `SELECT x.assessment_id, x.node_code, x.points, x.answer, x.not_applicable, x.note, x.explanation,
		x.explained_at, x.explained_by, x.updated_at, x.updated_by FROM assessment_entries x`+scope, frameworkID, unitID,
		func(rs *sql.Rows) error {
			var id int64
			var pts sql.NullFloat64
			var ans sql.NullBool
			var explained sql.NullTime
			e := &assessment.Entry{}
			if err := rs.Scan(&id, &e.Node, &pts, &ans, &e.NotApplicable, &e.Note, &e.Explanation, &explained, &e.ExplainedBy, &e.UpdatedAt, &e.UpdatedBy); err != nil {
				return err
			}
			e.Points, e.Answer = floatPtr(pts), boolPtr(ans)
			if explained.Valid {
				e.ExplainedAt = explained.Time
			}
			if a := byID[id]; a != nil {
				a.Entries[e.Node] = e
			}
			return nil
		}); err != nil {
		return nil, fmt.Errorf("store: unable to read assessment entries: %w", err)
	}
	if err := eachRow(ctx, q, `SELECT x.assessment_id, x.metric, x.value, x.appraised_value, x.updated_at, x.updated_by
		FROM assessment_metrics x`+scope, frameworkID, unitID, func(rs *sql.Rows) error {
		var id int64
		var appraised sql.NullFloat64
		m := &assessment.MetricValue{}
		if err := rs.Scan(&id, &m.Metric, &m.Value, &appraised, &m.UpdatedAt, &m.UpdatedBy); err != nil {
			return err
		}
		m.Appraised = floatPtr(appraised)
		if a := byID[id]; a != nil {
			a.Metrics[m.Metric] = m
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: unable to read assessment metrics: %w", err)
	}
	if err := eachRow(ctx, q, `SELECT x.assessment_id, x.node_code, x.round, x.decision, x.points, x.answer, x.not_applicable,
		x.metrics_json, x.comment, x.appraiser, x.decided_at FROM appraisals x`+scope, frameworkID, unitID, func(rs *sql.Rows) error {
		var id int64
		var pts sql.NullFloat64
		var ans sql.NullBool
		var metrics string
		ap := &assessment.Appraisal{}
		if err := rs.Scan(&id, &ap.Node, &ap.Round, &ap.Decision, &pts, &ans, &ap.NotApplicable, &metrics, &ap.Comment, &ap.Appraiser, &ap.At); err != nil {
			return err
		}
		ap.Points, ap.Answer = floatPtr(pts), boolPtr(ans)
		if metrics != "" {
			if err := json.Unmarshal([]byte(metrics), &ap.Metrics); err != nil {
				return fmt.Errorf("metrics of the appraisal of %s: %w", ap.Node, err)
			}
		}
		a := byID[id]
		if a == nil || ap.Round < 1 || ap.Round > 2 {
			return nil
		}
		pair := a.Appraisals[ap.Node]
		pair[ap.Round-1] = ap
		a.Appraisals[ap.Node] = pair
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: unable to read appraisals: %w", err)
	}
	if err := eachRow(ctx, q, `SELECT x.assessment_id, x.id, x.node_code, x.sha256, x.size, x.content_type, x.file_name,
		x.uploaded_at, x.uploaded_by FROM evidence_files x`+scope+` AND x.removed_at IS NULL ORDER BY x.id`, frameworkID, unitID,
		func(rs *sql.Rows) error {
			var id int64
			ev := &assessment.Evidence{}
			if err := rs.Scan(&id, &ev.ID, &ev.Node, &ev.SHA256, &ev.Size, &ev.ContentType, &ev.Name, &ev.UploadedAt, &ev.UploadedBy); err != nil {
				return err
			}
			if a := byID[id]; a != nil {
				a.Evidence[ev.Node] = append(a.Evidence[ev.Node], ev)
			}
			return nil
		}); err != nil {
		return nil, fmt.Errorf("store: unable to read evidence files: %w", err)
	}
	return byUnit, nil
}

// eachRow runs a query with the framework and unit parameters and calls fn
// for each row.
func eachRow(ctx context.Context, q queryer, query string, frameworkID, unitID int64, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, frameworkID, unitID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	x := v.Float64
	return &x
}

func boolPtr(v sql.NullBool) *bool {
	if !v.Valid {
		return nil
	}
	b := v.Bool
	return &b
}

// nullable turns an optional value into a statement parameter.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// complete fills what an assessment knows of its framework, unit and
// deadlines, and whether it is locked today.
func (db *DB) complete(a *assessment.Assessment, rec *FrameworkRecord, u *parindex.OrgUnit, due map[string]parindex.Date) {
	a.Framework, a.FrameworkHash, a.FrameworkYear = rec.Code, rec.Hash, rec.Year
	a.UnitID, a.UnitCode, a.UnitName, a.UnitType = u.ID, u.Code, u.Name, u.Type
	a.Deadline = due[a.State.DeadlineStage()]
	a.Locked = assessment.Locked(a.State, a.Deadline, a.ReopenedUntil, db.today())
}

// loadAssessment reads one assessment with its framework (a virtual draft
// when none is stored yet).
func (db *DB) loadAssessment(ctx context.Context, q queryer, ref assessment.Ref) (*assessment.Assessment, *FrameworkRecord, *criteria.Framework, error) {
	rec, f, err := assessedFramework(ctx, q, ref.Framework)
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := orgUnitByCode(ctx, q, ref.Unit)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkAssessedUnit(rec, u); err != nil {
		return nil, nil, nil, err
	}
	stored, err := loadAssessments(ctx, q, rec.ID, u.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	a := stored[u.ID]
	if a == nil {
		a = assessment.New()
	}
	due, err := deadlines(ctx, q, rec.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	db.complete(a, rec, u, due)
	return a, rec, f, nil
}

// Assessment returns one agency's assessment against a published
// framework, with its framework parsed. An agency that has entered nothing
// yet gets an empty draft (ID 0).
func (db *DB) Assessment(ctx context.Context, ref assessment.Ref) (*assessment.Assessment, *criteria.Framework, error) {
	a, _, f, err := db.loadAssessment(ctx, db.db, ref)
	return a, f, err
}

// ListAssessments returns the assessment of every agency scored with the
// published framework (its agency types, existing in its year), stored or
// not, in unit code order.
func (db *DB) ListAssessments(ctx context.Context, framework string) ([]*assessment.Assessment, *criteria.Framework, error) {
	rec, f, err := assessedFramework(ctx, db.db, framework)
	if err != nil {
		return nil, nil, err
	}
	units, err := assessedUnits(ctx, db.db, rec)
	if err != nil {
		return nil, nil, err
	}
	stored, err := db.storedAssessments(ctx, rec.ID)
	if err != nil {
		return nil, nil, err
	}
	due, err := deadlines(ctx, db.db, rec.ID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*assessment.Assessment, 0, len(units))
	for _, u := range units {
		a := assessment.New()
		if s := stored[u.ID]; s != nil {
			c := *s // the cached one is shared: complete fills the copy
			a = &c
		}
		db.complete(a, rec, u, due)
		out = append(out, a)
	}
	return out, f, nil
}

// storedAssessments returns the framework's stored assessments by unit id,
// from the cache while no assessment was written since (the list, the
// inbox and the progress page read every framework's at each view: 70 ms
// of decoding rows on PostgreSQL for the demo province). The maps and what
// they hold are shared: callers must not change them.
func (db *DB) storedAssessments(ctx context.Context, frameworkID int64) (map[int64]*assessment.Assessment, error) {
	version, err := db.dataVersion(ctx, assessmentsVersion)
	if err != nil {
		return nil, err
	}
	if stored, ok := db.assessmentLists.get(version, frameworkID); ok {
		return stored, nil
	}
	stored, err := loadAssessments(ctx, db.db, frameworkID, 0)
	if err != nil {
		return nil, err
	}
	db.assessmentLists.put(version, frameworkID, stored)
	return stored, nil
}

// ensureStored creates the assessment row of a virtual draft. It and touch,
// one of which every write of an assessment calls in its transaction, raise
// assessmentsVersion, so that every server's cached lists are dropped.
func (db *DB) ensureStored(ctx context.Context, tx *sqlx.Tx, a *assessment.Assessment, rec *FrameworkRecord, now time.Time) error {
	if err := bumpDataVersion(ctx, tx, assessmentsVersion); err != nil {
		return err
	}
	if a.ID != 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO assessments (framework_id, org_unit_id, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, rec.ID, a.UnitID, string(assessment.StateDraft), now).Scan(&a.ID); err != nil {
		return fmt.Errorf("store: unable to start the assessment of %s: %w", a.UnitCode, err)
	}
	return nil
}

func (db *DB) touch(ctx context.Context, tx *sqlx.Tx, a *assessment.Assessment, now time.Time) error {
	if err := bumpDataVersion(ctx, tx, assessmentsVersion); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE assessments SET updated_at = $1 WHERE id = $2`, now, a.ID); err != nil {
		return fmt.Errorf("store: unable to update the assessment of %s: %w", a.UnitCode, err)
	}
	return nil
}

// FinalAssessments returns, keyed by unit code, the inputs of every
// agency with a stored assessment against the framework.
//
// Only an assessment in state final carries values: the final appraised
// value of each leaf (round 2 where the agency explained it, else round
// 1), and every metric the agency reported, as corrected by appraisal
// where an appraiser corrected it. Every other stored assessment is
// returned with its State and no values at all (nil maps), so that a
// caller that ignores State scores those agencies as having no input
// (every leaf missing); agencies that never entered anything are absent.
// Survey leaves are never included: their figures come from the survey.
func (db *DB) FinalAssessments(ctx context.Context, frameworkCode string) (map[string]assessment.Inputs, error) {
	rec, f, err := assessedFramework(ctx, db.db, frameworkCode)
	if err != nil {
		return nil, err
	}
	stored, err := loadAssessments(ctx, db.db, rec.ID, 0)
	if err != nil {
		return nil, err
	}
	units, err := findOrgUnits(ctx, db.db, OrgFilter{})
	if err != nil {
		return nil, err
	}
	codes := map[int64]string{}
	for _, u := range units {
		codes[u.ID] = u.Code
	}
	out := make(map[string]assessment.Inputs, len(stored))
	for unitID, a := range stored {
		out[codes[unitID]] = a.ScoringInputs(f)
	}
	return out, nil
}
