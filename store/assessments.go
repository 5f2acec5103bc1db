package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
	"parindex/criteria"
)

// The self-assessment and appraisal of agencies (docs/assessment.md). The
// rules about states and transitions are parindex's (assessment.go); the
// rules about values are the framework's (criteria); this file gathers the
// facts in one transaction, enforces both, writes, and audits every change.

// AssessmentRef names one assessment: an agency against a framework.
type AssessmentRef struct {
	Framework string // framework code
	Unit      string // unit code
}

// ObjectID is the assessment's id in the audit log: "FRAMEWORK/UNIT".
func (r AssessmentRef) ObjectID() string { return r.Framework + "/" + r.Unit }

// LeafValue is what one leaf carries: points (assessed) or an amount
// (bonus, penalty), a yes/no answer (boolean), or "does not apply".
// Metric-based leaves carry their metrics at the assessment level instead.
type LeafValue struct {
	Points        *float64
	Answer        *bool
	NotApplicable bool
}

// Empty reports whether the value holds nothing.
func (v LeafValue) Empty() bool { return v.Points == nil && v.Answer == nil && !v.NotApplicable }

// Equal compares two values (points to within 1e-9).
func (v LeafValue) Equal(o LeafValue) bool {
	if v.NotApplicable != o.NotApplicable || (v.Points == nil) != (o.Points == nil) || (v.Answer == nil) != (o.Answer == nil) {
		return false
	}
	if v.Points != nil && math.Abs(*v.Points-*o.Points) > 1e-9 {
		return false
	}
	return v.Answer == nil || *v.Answer == *o.Answer
}

// Entry is the agency's input for one leaf.
type Entry struct {
	Node string
	LeafValue
	Note        string
	Explanation string // written in the explanation stage
	ExplainedAt time.Time
	ExplainedBy string
	UpdatedAt   time.Time
	UpdatedBy   string
}

// MetricValue is one metric the agency reports, and an appraiser's
// correction when there is one.
type MetricValue struct {
	Metric    string
	Value     float64
	Appraised *float64
	UpdatedAt time.Time
	UpdatedBy string
}

// Effective is the appraised value when there is one, else the reported one.
func (m *MetricValue) Effective() float64 {
	if m.Appraised != nil {
		return *m.Appraised
	}
	return m.Value
}

// Appraisal is one decision on one leaf in one round. The value is the
// whole resulting value: an accepted score copies what it accepted.
type Appraisal struct {
	Node     string
	Round    int
	Decision string // parindex.DecisionAccepted or DecisionAdjusted
	LeafValue
	Metrics   map[string]float64 // metric leaves: the values decided
	Comment   string
	Appraiser string
	At        time.Time
}

// Evidence is one evidence file of a leaf.
type Evidence struct {
	ID          int64
	Node        string
	SHA256      string
	Size        int64
	ContentType string
	Name        string
	UploadedAt  time.Time
	UploadedBy  string
}

// Assessment is one agency's self-assessment against one published
// framework, with everything entered and decided so far. An assessment
// that was never written has ID 0 and state draft.
type Assessment struct {
	ID            int64
	Framework     string
	FrameworkHash string
	FrameworkYear int
	UnitID        int64
	UnitCode      string
	UnitName      string
	UnitType      string
	State         parindex.AssessmentState
	// Deadline is DoHA's deadline for the current state's stage (zero
	// when none is set); Locked says whether it has passed for this agency
	// (by the store clock, in Vietnam), taking ReopenedUntil into account.
	Deadline      parindex.Date
	ReopenedUntil parindex.Date
	ReopenReason  string
	Locked        bool
	SubmittedAt   time.Time
	SubmittedBy   string
	UpdatedAt     time.Time

	Entries    map[string]*Entry        // by node code
	Metrics    map[string]*MetricValue  // by metric name
	Appraisals map[string][2]*Appraisal // by node code: round 1, round 2
	Evidence   map[string][]*Evidence   // by node code, oldest first, removed files left out
}

// Ref is the assessment's reference.
func (a *Assessment) Ref() AssessmentRef { return AssessmentRef{a.Framework, a.UnitCode} }

// SelfValue is the agency's value of a leaf (empty when none).
func (a *Assessment) SelfValue(node string) LeafValue {
	if e := a.Entries[node]; e != nil {
		return e.LeafValue
	}
	return LeafValue{}
}

// Appraisal returns the decision on a leaf in a round (1 or 2), or nil.
func (a *Assessment) Appraisal(node string, round int) *Appraisal {
	if round < 1 || round > 2 {
		return nil
	}
	return a.Appraisals[node][round-1]
}

// Explained reports whether the agency wrote an explanation for the leaf.
func (a *Assessment) Explained(node string) bool {
	e := a.Entries[node]
	return e != nil && strings.TrimSpace(e.Explanation) != ""
}

// AppraisedValue is the latest decided value of a leaf: round 2, else
// round 1; ok is false when no round has decided it.
func (a *Assessment) AppraisedValue(node string) (v LeafValue, ok bool) {
	if ap := a.Appraisal(node, 2); ap != nil {
		return ap.LeafValue, true
	}
	if ap := a.Appraisal(node, 1); ap != nil {
		return ap.LeafValue, true
	}
	return LeafValue{}, false
}

// Leaf kinds: how the agency enters a leaf's input.
const (
	KindPoints  = "points"  // assessed points, bonus and penalty amounts
	KindAnswer  = "answer"  // boolean
	KindMetrics = "metrics" // ratio, tiers, relative, count, formula: metric values
	KindSurvey  = "survey"  // read from the survey, not entered
)

// LeafKind says how the agency enters the input of leaf n.
func LeafKind(n *criteria.Node) string {
	switch n.Method {
	case criteria.MethodAssessed, criteria.MethodBonus, criteria.MethodPenalty:
		return KindPoints
	case criteria.MethodBoolean:
		return KindAnswer
	case criteria.MethodSurvey:
		return KindSurvey
	}
	return KindMetrics
}

// Appraisable reports whether appraisers decide leaf n: every leaf but the
// survey's, whose figure no one enters.
func Appraisable(n *criteria.Node) bool { return n.IsLeaf() && LeafKind(n) != KindSurvey }

// SelfAssessed reports whether agencies score themselves on the framework:
// whether it has a leaf whose points or answer the agency enters. One
// computed only from metrics and the survey has no self-assessment cycle.
func SelfAssessed(f *criteria.Framework) bool {
	for _, n := range f.Leaves() {
		if k := LeafKind(n); k == KindPoints || k == KindAnswer {
			return true
		}
	}
	return false
}

// AreaOf returns the code of the area (top-level node) holding the node.
func AreaOf(f *criteria.Framework, node string) string {
	if p := f.Path(node); len(p) > 0 {
		return p[0].Code
	}
	return ""
}

// PendingLeaves lists, in framework order, the leaves that wait for the
// round open in the assessment's state: every appraisable leaf without a
// round-1 decision in appraisal_1, every explained leaf without a round-2
// decision in appraisal_2; nothing in other states.
func (a *Assessment) PendingLeaves(f *criteria.Framework) []string {
	switch a.State.AppraisalRound() {
	case 1:
		return a.pendingRound(f, 1)
	case 2:
		return a.pendingRound(f, 2)
	}
	return nil
}

func (a *Assessment) pendingRound(f *criteria.Framework, round int) []string {
	var out []string
	for _, n := range f.Leaves() {
		if !Appraisable(n) || a.Appraisal(n.Code, round) != nil {
			continue
		}
		if round == 2 && !a.Explained(n.Code) {
			continue
		}
		out = append(out, n.Code)
	}
	return out
}

// Unscored lists the leaves the agency has not self-scored although a
// missing input would count 0 against it: what stops a submission.
// Survey leaves, bonus and penalty leaves, leaves marked not applicable
// and leaves whose missing policy is exclude are never listed.
// A metric the one-stop-shop system already reports for the unit and the
// year (system, from YearMetrics) counts as given.
func (a *Assessment) Unscored(f *criteria.Framework, system map[string]float64) []string {
	var out []string
	for _, n := range f.Leaves() {
		if n.Method.IsAdjustment() || f.MissingFor(n.Code) == criteria.MissingExclude {
			continue
		}
		v := a.SelfValue(n.Code)
		if v.NotApplicable {
			continue
		}
		switch LeafKind(n) {
		case KindPoints:
			if v.Points == nil {
				out = append(out, n.Code)
			}
		case KindAnswer:
			if v.Answer == nil {
				out = append(out, n.Code)
			}
		case KindMetrics:
			for _, m := range n.Metrics() {
				if _, reported := system[m]; a.Metrics[m] == nil && !reported {
					out = append(out, n.Code)
					break
				}
			}
		}
	}
	return out
}

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

// Deadlines returns DoHA's deadline for each stage of the framework that
// has one, keyed by stage (parindex.StageSelfAssessment, …).
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
	if !slices.Contains(parindex.DeadlineStages, stage) {
		return parindex.Errorf(parindex.ECodeInvalid, "Không có giai đoạn %q; các giai đoạn: %s (unknown stage)", stage, strings.Join(parindex.DeadlineStages, ", "))
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

// assessmentRow is the assessments table's part of an Assessment.
const assessmentSelect = `
	SELECT id, org_unit_id, state, reopened_until, reopen_reason, submitted_at, submitted_by, updated_at
	FROM assessments WHERE framework_id = $1 AND ($2 = 0 OR org_unit_id = $2)`

// loadAssessments reads the stored assessments of a framework (of one
// unit when unitID is not 0) with their entries, metrics, appraisals and
// evidence, keyed by unit id.
func loadAssessments(ctx context.Context, q queryer, frameworkID, unitID int64) (map[int64]*Assessment, error) {
	rows, err := q.QueryContext(ctx, assessmentSelect, frameworkID, unitID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read assessments: %w", err)
	}
	byUnit := map[int64]*Assessment{}
	byID := map[int64]*Assessment{}
	for rows.Next() {
		a := newAssessment()
		var state string
		var submitted sql.NullTime
		if err := rows.Scan(&a.ID, &a.UnitID, &state, &a.ReopenedUntil, &a.ReopenReason, &submitted, &a.SubmittedBy, &a.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read an assessment: %w", err)
		}
		a.State = parindex.AssessmentState(state)
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
			e := &Entry{}
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
		m := &MetricValue{}
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
		ap := &Appraisal{}
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
			ev := &Evidence{}
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

func newAssessment() *Assessment {
	return &Assessment{State: parindex.AssessmentDraft, Entries: map[string]*Entry{}, Metrics: map[string]*MetricValue{},
		Appraisals: map[string][2]*Appraisal{}, Evidence: map[string][]*Evidence{}}
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
func (db *DB) complete(a *Assessment, rec *FrameworkRecord, u *parindex.OrgUnit, due map[string]parindex.Date) {
	a.Framework, a.FrameworkHash, a.FrameworkYear = rec.Code, rec.Hash, rec.Year
	a.UnitID, a.UnitCode, a.UnitName, a.UnitType = u.ID, u.Code, u.Name, u.Type
	a.Deadline = due[a.State.DeadlineStage()]
	a.Locked = parindex.AssessmentLocked(a.State, a.Deadline, a.ReopenedUntil, db.today())
}

// loadAssessment reads one assessment with its framework (a virtual draft
// when none is stored yet).
func (db *DB) loadAssessment(ctx context.Context, q queryer, ref AssessmentRef) (*Assessment, *FrameworkRecord, *criteria.Framework, error) {
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
		a = newAssessment()
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
func (db *DB) Assessment(ctx context.Context, ref AssessmentRef) (*Assessment, *criteria.Framework, error) {
	a, _, f, err := db.loadAssessment(ctx, db.db, ref)
	return a, f, err
}

// ListAssessments returns the assessment of every agency scored with the
// published framework (its agency types, existing in its year), stored or
// not, in unit code order.
func (db *DB) ListAssessments(ctx context.Context, framework string) ([]*Assessment, *criteria.Framework, error) {
	rec, f, err := assessedFramework(ctx, db.db, framework)
	if err != nil {
		return nil, nil, err
	}
	units, err := assessedUnits(ctx, db.db, rec)
	if err != nil {
		return nil, nil, err
	}
	stored, err := loadAssessments(ctx, db.db, rec.ID, 0)
	if err != nil {
		return nil, nil, err
	}
	due, err := deadlines(ctx, db.db, rec.ID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*Assessment, 0, len(units))
	for _, u := range units {
		a := stored[u.ID]
		if a == nil {
			a = newAssessment()
		}
		db.complete(a, rec, u, due)
		out = append(out, a)
	}
	return out, f, nil
}

// ensureStored creates the assessment row of a virtual draft.
func (db *DB) ensureStored(ctx context.Context, tx *sqlx.Tx, a *Assessment, rec *FrameworkRecord, now time.Time) error {
	if a.ID != 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO assessments (framework_id, org_unit_id, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, rec.ID, a.UnitID, string(parindex.AssessmentDraft), now).Scan(&a.ID); err != nil {
		return fmt.Errorf("store: unable to start the assessment of %s: %w", a.UnitCode, err)
	}
	return nil
}

func (db *DB) touch(ctx context.Context, tx *sqlx.Tx, a *Assessment, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE assessments SET updated_at = $1 WHERE id = $2`, now, a.ID); err != nil {
		return fmt.Errorf("store: unable to update the assessment of %s: %w", a.UnitCode, err)
	}
	return nil
}

// EntryError is one problem with a value entered for a leaf or a metric.
type EntryError struct {
	Node   string // the leaf ("" for a metric)
	Metric string // the metric, for a metric value
	Field  string // points, answer, not_applicable, note, metric, explanation, comment
	VI, EN string
}

func (e EntryError) Error() string {
	where := e.Node
	if e.Metric != "" {
		where = e.Metric
	}
	return fmt.Sprintf("%s: %s (%s)", where, e.VI, e.EN)
}

// EntryErrors is every problem of one save; nothing was written.
type EntryErrors []EntryError

func (es EntryErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// num writes a number for messages: shortest form, decimal comma in
// Vietnamese.
func num(x float64, vi bool) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if vi {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// MaxNoteLength bounds notes, explanations and comments, in characters.
const MaxNoteLength = 4000

// CheckLeafValue checks a value for leaf n against the framework: points
// of an assessed leaf between 0 and its maximum in steps of its step (the
// maximum itself always accepted), an amount of a bonus or penalty leaf
// between 0 and its cap, an answer for a boolean leaf, nothing for a
// metric or survey leaf, and nothing but "not applicable" when it is set.
func CheckLeafValue(n *criteria.Node, v LeafValue) []EntryError {
	if n == nil || !n.IsLeaf() {
		return []EntryError{{Field: "points", VI: "tiêu chí này là nhóm, không nhập điểm", EN: "a group takes no input"}}
	}
	var out []EntryError
	bad := func(field, vi, en string, args ...any) {
		out = append(out, EntryError{Node: n.Code, Field: field, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)})
	}
	kind := LeafKind(n)
	if kind == KindSurvey {
		if !v.Empty() {
			bad("points", "tiêu chí %s lấy kết quả khảo sát, không nhập", "leaf %s reads the survey; it takes no input", n.Code)
		}
		return out
	}
	if v.NotApplicable {
		if v.Points != nil || v.Answer != nil {
			bad("not_applicable", "tiêu chí đã đánh dấu không áp dụng thì không nhập điểm", "a leaf marked not applicable takes no points")
		}
		return out
	}
	if v.Answer != nil && kind != KindAnswer {
		bad("answer", "tiêu chí %s không chấm theo có/không", "leaf %s is not a yes/no criterion", n.Code)
	}
	if v.Points == nil {
		return out
	}
	p := *v.Points
	switch {
	case kind != KindPoints:
		bad("points", "tiêu chí %s không nhập điểm trực tiếp", "leaf %s takes no points", n.Code)
	case math.IsNaN(p) || math.IsInf(p, 0):
		bad("points", "điểm phải là một số", "points must be a number")
	case n.Method.IsAdjustment():
		if p < 0 || p > n.Cap+1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("số điểm %s nằm ngoài khoảng 0 đến %s (mức tối đa của tiêu chí)", num(p, true), num(n.Cap, true)),
				EN: fmt.Sprintf("amount %s is outside 0 to %s (the leaf's cap)", num(p, false), num(n.Cap, false))})
		}
	default:
		max := n.MaxPoints()
		step := n.InputStep()
		if p < 0 || p > max+1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("điểm %s nằm ngoài khoảng 0 đến %s (điểm tối đa)", num(p, true), num(max, true)),
				EN: fmt.Sprintf("points %s are outside 0 to %s (the maximum)", num(p, false), num(max, false))})
			break
		}
		if q := p / step; math.Abs(q-math.Round(q)) > 1e-9 && math.Abs(p-max) > 1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("điểm %s không phải bội số của %s (bước chấm điểm của tiêu chí)", num(p, true), num(step, true)),
				EN: fmt.Sprintf("points %s are not a multiple of %s (the leaf's step)", num(p, false), num(step, false))})
		}
	}
	return out
}

// CheckMetricValue checks a reported metric value: a finite number, not
// negative.
func CheckMetricValue(metric string, v float64) *EntryError {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return &EntryError{Metric: metric, Field: "metric",
			VI: fmt.Sprintf("số liệu %s phải là số không âm, nhận được %s", metric, num(v, true)),
			EN: fmt.Sprintf("metric %s must be a number ≥ 0, got %s", metric, num(v, false))}
	}
	return nil
}

// EntryUpdate is the agency's new input for one leaf: its value and note
// replace the stored ones. Metrics sets the values of metrics the leaf
// reads (a nil value clears the metric).
type EntryUpdate struct {
	Node    string
	Value   LeafValue
	Note    string
	Metrics map[string]*float64
}

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
// transaction: all are checked first and nothing is written when one is
// wrong (EntryErrors lists every problem). Only in draft, while the sheet
// is not locked. Each changed leaf and each changed metric writes an
// audit row; unchanged ones write nothing. It returns how many leaves and
// metrics changed.
func (db *DB) SaveEntries(ctx context.Context, actor parindex.Actor, ref AssessmentRef, updates []EntryUpdate, reason string) (changed int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !parindex.AgencyMayEdit(a.State, a.Locked) {
			return editRefused(a)
		}
		var problems EntryErrors
		metrics := map[string]*float64{}
		seen := map[string]bool{}
		for i := range updates {
			up := &updates[i]
			up.Note = strings.TrimSpace(up.Note)
			n := f.Find(up.Node)
			if n == nil || !n.IsLeaf() {
				problems = append(problems, EntryError{Node: up.Node, Field: "node",
					VI: fmt.Sprintf("%q không phải là tiêu chí chấm điểm của bộ %s", up.Node, f.Code),
					EN: fmt.Sprintf("%q is not a leaf of framework %s", up.Node, f.Code)})
				continue
			}
			if seen[up.Node] {
				problems = append(problems, EntryError{Node: up.Node, Field: "node", VI: "tiêu chí được nhập hai lần", EN: "the leaf is given twice"})
				continue
			}
			seen[up.Node] = true
			problems = append(problems, CheckLeafValue(n, up.Value)...)
			if len([]rune(up.Note)) > MaxNoteLength {
				problems = append(problems, EntryError{Node: up.Node, Field: "note",
					VI: fmt.Sprintf("ghi chú dài hơn %d ký tự", MaxNoteLength), EN: fmt.Sprintf("the note is longer than %d characters", MaxNoteLength)})
			}
			reads := n.Metrics()
			for m, v := range up.Metrics {
				if !slices.Contains(reads, m) {
					problems = append(problems, EntryError{Node: up.Node, Metric: m, Field: "metric",
						VI: fmt.Sprintf("tiêu chí %s không dùng số liệu %s", up.Node, m), EN: fmt.Sprintf("leaf %s does not read metric %s", up.Node, m)})
					continue
				}
				if v != nil {
					if p := CheckMetricValue(m, *v); p != nil {
						p.Node = up.Node
						problems = append(problems, *p)
						continue
					}
				}
				if prev, dup := metrics[m]; dup && !sameFloat(prev, v) {
					problems = append(problems, EntryError{Node: up.Node, Metric: m, Field: "metric",
						VI: fmt.Sprintf("số liệu %s được nhập hai giá trị khác nhau", m), EN: fmt.Sprintf("metric %s is given two different values", m)})
					continue
				}
				metrics[m] = v
			}
		}
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

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// editRefused says why the agency may not change its sheet now.
func editRefused(a *Assessment) error {
	if a.Locked {
		return parindex.Errorf(parindex.ECodeConflict,
			"Đã quá hạn %s, hồ sơ của %s đã khóa; đề nghị Sở Nội vụ mở lại nếu cần (the deadline has passed; the sheet is locked)",
			a.Deadline.VietnameseString(), a.UnitCode)
	}
	return parindex.Errorf(parindex.ECodeConflict,
		"Hồ sơ của %s đang ở trạng thái %q nên không sửa được điểm tự chấm (the assessment is %s; self-scores can change only in draft)",
		a.UnitCode, a.State, a.State)
}

// stateAudit is the audited form of a transition.
type stateAudit struct {
	State         string `json:"state"`
	ReopenedUntil string `json:"reopened_until,omitempty"`
}

// Transition moves an assessment to its next state by the rules of
// parindex.NextState, with the facts gathered in the transaction, audited
// with the reason. It does not decide who may ask: the caller checks
// parindex.Can with t.Action().
func (db *DB) Transition(ctx context.Context, actor parindex.Actor, ref AssessmentRef, t parindex.Transition, reason string) (*Assessment, error) {
	var out *Assessment
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		facts := parindex.TransitionFacts{Locked: a.Locked, Reason: reason}
		switch t {
		case parindex.TransitionSubmit:
			system, err := db.UnitYearMetrics(ctx, f.Year, a.UnitID)
			if err != nil {
				return err
			}
			facts.Unscored = a.Unscored(f, system)
		case parindex.TransitionSendResults:
			facts.PendingRound1 = a.pendingRound(f, 1)
		case parindex.TransitionFinalise:
			facts.PendingRound2 = a.pendingRound(f, 2)
		}
		next, err := parindex.NextState(a.State, t, facts)
		if err != nil {
			return err
		}
		now := db.now()
		if err := db.ensureStored(ctx, tx, a, rec, now); err != nil {
			return err
		}
		set := `state = $1, reopened_until = NULL, reopen_reason = '', updated_at = $2`
		args := []any{string(next), now}
		if t == parindex.TransitionSubmit {
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
func (db *DB) Reopen(ctx context.Context, actor parindex.Actor, ref AssessmentRef, until parindex.Date, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return parindex.Errorf(parindex.ECodeInvalid, "Cần ghi lý do mở lại (a reason is required)")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, rec, _, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !a.State.AgencyStage() {
			return parindex.Errorf(parindex.ECodeConflict,
				"Chỉ mở lại được hồ sơ đang ở giai đoạn tự chấm điểm hoặc giải trình; hồ sơ của %s đang ở trạng thái %q (only draft or explanation can be reopened)",
				ref.Unit, a.State)
		}
		if until.IsZero() || until.Before(db.today()) {
			return parindex.Errorf(parindex.ECodeInvalid, "Ngày mở lại đến phải từ hôm nay trở đi (the reopening must last until today or later)")
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

// Explain stores the agency's explanation (giải trình) of a leaf's
// round-1 decision, audited; an empty text withdraws it. Only in the
// explanation stage while the sheet is not locked, and only for leaves
// that round 1 adjusted or commented on.
func (db *DB) Explain(ctx context.Context, actor parindex.Actor, ref AssessmentRef, node, text string) error {
	text = strings.TrimSpace(text)
	if len([]rune(text)) > MaxNoteLength {
		return parindex.Errorf(parindex.ECodeInvalid, "Nội dung giải trình dài hơn %d ký tự (the explanation is too long)", MaxNoteLength)
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		a, _, f, err := db.loadAssessment(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !parindex.AgencyMayExplain(a.State, a.Locked) {
			if a.Locked {
				return editRefused(a)
			}
			return parindex.Errorf(parindex.ECodeConflict,
				"Chỉ giải trình được khi hồ sơ ở giai đoạn giải trình; hồ sơ đang ở trạng thái %q (explanations are written in the explanation stage)", a.State)
		}
		n := f.Find(node)
		r1 := a.Appraisal(node, 1)
		if n == nil || r1 == nil || (r1.Decision != parindex.DecisionAdjusted && strings.TrimSpace(r1.Comment) == "") {
			return parindex.Errorf(parindex.ECodeInvalid,
				"Tiêu chí %s không có ý kiến thẩm định vòng 1 để giải trình (leaf %s has no round-1 adjustment or comment to explain)", node, node)
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

// AppraisalInput is an appraiser's decision on one leaf in the round open
// now. Accept keeps the score as it stands; otherwise Value (points,
// answer, not applicable) or Metrics (metric leaves: the corrected values
// of the metrics the leaf reads) is the appraised value, and a Comment is
// required when it differs from the score it appraises.
type AppraisalInput struct {
	Node    string
	Accept  bool
	Value   LeafValue
	Metrics map[string]float64
	Comment string
}

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

// baseValue is what a round appraises: the agency's score in round 1, the
// round-1 decision in round 2.
func (a *Assessment) baseValue(node string, round int) LeafValue {
	if round == 2 {
		if r1 := a.Appraisal(node, 1); r1 != nil {
			return r1.LeafValue
		}
	}
	return a.SelfValue(node)
}

// Appraise records an appraiser's decision on one leaf, audited with the
// comment as its reason. Round 1 decides any appraisable leaf in
// appraisal_1; round 2 decides, in appraisal_2, the leaves the agency
// explained. A decision may be changed until the round closes. It does
// not decide who may appraise the leaf: the caller asks parindex.Can with
// ActionAppraise on parindex.AppraisalTarget of the assessment's unit and
// the leaf's area (AreaOf), which refuses a member of the unit.
func (db *DB) Appraise(ctx context.Context, actor parindex.Actor, ref AssessmentRef, in AppraisalInput) error {
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
func (db *DB) AcceptPending(ctx context.Context, actor parindex.Actor, ref AssessmentRef, nodes []string) (int, error) {
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
			if err := db.appraise(ctx, tx, actor, a, f, AppraisalInput{Node: node, Accept: true}); err != nil {
				return err
			}
			accepted++
		}
		return nil
	})
	return accepted, err
}

func (db *DB) appraise(ctx context.Context, tx *sqlx.Tx, actor parindex.Actor, a *Assessment, f *criteria.Framework, in AppraisalInput) error {
	round := a.State.AppraisalRound()
	if round == 0 {
		return parindex.Errorf(parindex.ECodeConflict,
			"Hồ sơ của %s đang ở trạng thái %q, không có vòng thẩm định nào đang mở (no appraisal round is open)", a.UnitCode, a.State)
	}
	n := f.Find(in.Node)
	if n == nil || !Appraisable(n) {
		return parindex.Errorf(parindex.ECodeInvalid, "%q không phải là tiêu chí cần thẩm định của bộ %s (not an appraisable leaf)", in.Node, f.Code)
	}
	if round == 2 && !a.Explained(in.Node) {
		return parindex.Errorf(parindex.ECodeConflict,
			"Vòng 2 chỉ thẩm định các tiêu chí đơn vị đã giải trình; %s không có giải trình (round 2 decides explained leaves only)", in.Node)
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if len([]rune(in.Comment)) > MaxNoteLength {
		return parindex.Errorf(parindex.ECodeInvalid, "Ý kiến thẩm định dài hơn %d ký tự (the comment is too long)", MaxNoteLength)
	}
	base := a.baseValue(in.Node, round)
	value := base
	kind := LeafKind(n)
	// metric leaves: the values the decision sets, and the changes.
	reads := n.Metrics()
	decided := map[string]float64{}
	changedMetrics := map[string]float64{}
	for _, m := range reads {
		if mv := a.Metrics[m]; mv != nil {
			decided[m] = mv.Effective()
		}
	}
	if !in.Accept {
		switch kind {
		case KindMetrics:
			for m, v := range in.Metrics {
				if !slices.Contains(reads, m) {
					return parindex.Errorf(parindex.ECodeInvalid, "Tiêu chí %s không dùng số liệu %s (leaf %s does not read %s)", in.Node, m, in.Node, m)
				}
				if p := CheckMetricValue(m, v); p != nil {
					return parindex.Errorf(parindex.ECodeInvalid, "%s (%s)", p.VI, p.EN)
				}
				if old, ok := decided[m]; !ok || math.Abs(old-v) > 1e-12 {
					changedMetrics[m] = v
				}
				decided[m] = v
			}
			value = LeafValue{NotApplicable: in.Value.NotApplicable}
		default:
			if problems := CheckLeafValue(n, in.Value); len(problems) > 0 {
				return parindex.Errorf(parindex.ECodeInvalid, "Tiêu chí %s: %s (%s)", in.Node, problems[0].VI, problems[0].EN)
			}
			value = in.Value
		}
	}
	decision := parindex.DecisionAccepted
	if !value.Equal(base) || len(changedMetrics) > 0 {
		decision = parindex.DecisionAdjusted
		if in.Comment == "" {
			return parindex.Errorf(parindex.ECodeInvalid,
				"Cần ghi ý kiến thẩm định khi điều chỉnh điểm của tiêu chí %s (a comment is required when the score changes)", in.Node)
		}
	}
	var metricsJSON string
	if kind == KindMetrics && len(decided) > 0 {
		data, err := json.Marshal(decided)
		if err != nil {
			return fmt.Errorf("store: unable to encode metrics: %w", err)
		}
		metricsJSON = string(data)
	}
	now := db.now()
	names := make([]string, 0, len(changedMetrics))
	for m := range changedMetrics {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		v := changedMetrics[m]
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
		} else {
			a.Metrics[m] = &MetricValue{Metric: m}
		}
		a.Metrics[m].Appraised = &v
		if err := writeAudit(ctx, tx, now, actor, "appraisal.metric", "assessment", a.Ref().ObjectID(), before, after, in.Comment); err != nil {
			return err
		}
	}
	prev := a.Appraisal(in.Node, round)
	var before any
	if prev != nil {
		before = appraisalAudit{prev.Node, prev.Round, prev.Decision, prev.Points, prev.Answer, prev.NotApplicable, prev.Metrics, prev.Comment}
		if prev.Decision == decision && prev.LeafValue.Equal(value) && prev.Comment == in.Comment && len(changedMetrics) == 0 {
			return nil
		}
	} else {
		b := appraisalAudit{Node: in.Node, Round: round, Points: base.Points, Answer: base.Answer, NotApplicable: base.NotApplicable}
		before = b
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO appraisals (assessment_id, node_code, round, decision, points, answer, not_applicable, metrics_json, comment, appraiser, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (assessment_id, node_code, round) DO UPDATE SET decision = excluded.decision, points = excluded.points,
			answer = excluded.answer, not_applicable = excluded.not_applicable, metrics_json = excluded.metrics_json,
			comment = excluded.comment, appraiser = excluded.appraiser, decided_at = excluded.decided_at`,
		a.ID, in.Node, round, decision, nullable(value.Points), nullable(value.Answer), value.NotApplicable, metricsJSON,
		in.Comment, actor.Name, now); err != nil {
		return fmt.Errorf("store: unable to record the appraisal of %s: %w", in.Node, err)
	}
	var metricsCopy map[string]float64
	if metricsJSON != "" {
		metricsCopy = decided
	}
	after := appraisalAudit{in.Node, round, decision, value.Points, value.Answer, value.NotApplicable, metricsCopy, in.Comment}
	if err := writeAudit(ctx, tx, now, actor, "appraisal.decide", "assessment", a.Ref().ObjectID(), before, after, in.Comment); err != nil {
		return err
	}
	// Keep the in-memory assessment current for the next decision of a batch.
	pair := a.Appraisals[in.Node]
	pair[round-1] = &Appraisal{Node: in.Node, Round: round, Decision: decision, LeafValue: value, Metrics: metricsCopy,
		Comment: in.Comment, Appraiser: actor.Name, At: now}
	a.Appraisals[in.Node] = pair
	return db.touch(ctx, tx, a, now)
}

// AssessmentInputs are one agency's inputs for scoring, from its
// assessment. Points holds the points of assessed leaves and the amounts
// of bonus and penalty leaves; Answers the boolean leaves; Metrics the
// metric values of metric-based leaves; NotApplicable the leaves that do
// not apply. State is the assessment's state.
type AssessmentInputs struct {
	Points        map[string]float64
	Answers       map[string]bool
	Metrics       map[string]float64
	NotApplicable []string
	State         string
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
func (db *DB) FinalAssessments(ctx context.Context, frameworkCode string) (map[string]AssessmentInputs, error) {
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
	out := make(map[string]AssessmentInputs, len(stored))
	for unitID, a := range stored {
		in := AssessmentInputs{State: string(a.State)}
		if a.State == parindex.AssessmentFinal {
			in = a.finalInputs(f)
		}
		out[codes[unitID]] = in
	}
	return out, nil
}

// finalInputs are the inputs of a final assessment.
func (a *Assessment) finalInputs(f *criteria.Framework) AssessmentInputs {
	in := AssessmentInputs{State: string(a.State), Points: map[string]float64{}, Answers: map[string]bool{}, Metrics: map[string]float64{}}
	for _, n := range f.Leaves() {
		if !Appraisable(n) {
			continue
		}
		v, ok := a.AppraisedValue(n.Code)
		if !ok {
			v = a.SelfValue(n.Code)
		}
		switch {
		case v.NotApplicable:
			in.NotApplicable = append(in.NotApplicable, n.Code)
		case v.Points != nil:
			in.Points[n.Code] = *v.Points
		case v.Answer != nil:
			in.Answers[n.Code] = *v.Answer
		}
	}
	for m, mv := range a.Metrics {
		in.Metrics[m] = mv.Effective()
	}
	return in
}
