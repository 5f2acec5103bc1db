package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// Metrics returns the metrics catalogue in display order.
func (db *DB) Metrics(ctx context.Context) ([]*parindex.Metric, error) {
	return findMetrics(ctx, db.db)
}

func findMetrics(ctx context.Context, q queryer) ([]*parindex.Metric, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT code, name_vi, name_en, unit, description, combine, self_report, sort_order
		FROM metrics ORDER BY sort_order, code`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the metrics catalogue: %w", err)
	}
	defer rows.Close()
	var out []*parindex.Metric
	for rows.Next() {
		m := &parindex.Metric{}
		var combine string
		if err := rows.Scan(&m.Code, &m.NameVI, &m.NameEN, &m.Unit, &m.Description, &combine, &m.SelfReport, &m.SortOrder); err != nil {
			return nil, fmt.Errorf("store: unable to read a metric: %w", err)
		}
		m.Combine = parindex.Combine(combine)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the metrics catalogue: %w", err)
	}
	return out, nil
}

func metricMap(ms []*parindex.Metric) map[string]*parindex.Metric {
	out := make(map[string]*parindex.Metric, len(ms))
	for _, m := range ms {
		out[m.Code] = m
	}
	return out
}

// catalogueEntryAudit is the audited form of a catalogue entry.
type catalogueEntryAudit struct {
	Code        string `json:"code"`
	NameVI      string `json:"name_vi"`
	NameEN      string `json:"name_en"`
	Unit        string `json:"unit"`
	Description string `json:"description,omitempty"`
	Combine     string `json:"combine"`
	SelfReport  bool   `json:"self_report"`
}

func catalogueEntryAuditOf(m *parindex.Metric) *catalogueEntryAudit {
	return &catalogueEntryAudit{m.Code, m.NameVI, m.NameEN, m.Unit, m.Description, string(m.Combine), m.SelfReport}
}

// SaveMetric adds a metric to the catalogue or changes one (by code),
// audited. The code of an existing metric never changes: frameworks and
// stored observations name it.
func (db *DB) SaveMetric(ctx context.Context, actor parindex.Actor, m *parindex.Metric, reason string) error {
	m.Code = strings.TrimSpace(m.Code)
	m.NameVI, m.NameEN = strings.TrimSpace(m.NameVI), strings.TrimSpace(m.NameEN)
	m.Unit, m.Description = strings.TrimSpace(m.Unit), strings.TrimSpace(m.Description)
	switch {
	case !parindex.ValidMetricCode(m.Code):
		return parindex.Errorf(parindex.ECodeInvalid,
			"Mã chỉ số %q không hợp lệ: chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ, tối đa 64 ký tự (invalid metric code)", m.Code)
	case m.NameVI == "" || m.NameEN == "" || len(m.NameVI) > 300 || len(m.NameEN) > 300:
		return parindex.Errorf(parindex.ECodeInvalid, "Cần tên tiếng Việt và tiếng Anh, tối đa 300 ký tự (names in both languages required)")
	case !m.Combine.Valid():
		return parindex.Errorf(parindex.ECodeInvalid, "Cách cộng dồn phải là sum, last hoặc mean (combine must be sum, last or mean)")
	case len(m.Unit) > 100 || len(m.Description) > 2000:
		return parindex.Errorf(parindex.ECodeInvalid, "Đơn vị tính tối đa 100 ký tự, mô tả tối đa 2000 (unit or description too long)")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		all, err := findMetrics(ctx, tx)
		if err != nil {
			return err
		}
		now := db.now()
		old := metricMap(all)[m.Code]
		if old == nil {
			if m.SortOrder == 0 {
				for _, x := range all {
					m.SortOrder = max(m.SortOrder, x.SortOrder+10)
				}
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO metrics (code, name_vi, name_en, unit, description, combine, self_report, sort_order)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				m.Code, m.NameVI, m.NameEN, m.Unit, m.Description, string(m.Combine), m.SelfReport, m.SortOrder); err != nil {
				return fmt.Errorf("store: unable to add metric %s: %w", m.Code, err)
			}
			if err := bumpDataVersion(ctx, tx, metricsVersion); err != nil {
				return err
			}
			return writeAudit(ctx, tx, now, actor, "metric.create", "metric", m.Code, nil, catalogueEntryAuditOf(m), reason)
		}
		if m.SortOrder == 0 {
			m.SortOrder = old.SortOrder
		}
		if *catalogueEntryAuditOf(old) == *catalogueEntryAuditOf(m) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE metrics SET name_vi = $1, name_en = $2, unit = $3, description = $4, combine = $5, self_report = $6, sort_order = $7
			WHERE code = $8`, m.NameVI, m.NameEN, m.Unit, m.Description, string(m.Combine), m.SelfReport, m.SortOrder, m.Code); err != nil {
			return fmt.Errorf("store: unable to change metric %s: %w", m.Code, err)
		}
		if err := bumpDataVersion(ctx, tx, metricsVersion); err != nil {
			return err
		}
		return writeAudit(ctx, tx, now, actor, "metric.update", "metric", m.Code, catalogueEntryAuditOf(old), catalogueEntryAuditOf(m), reason)
	})
}

// PutOptions say where a batch of observations comes from.
type PutOptions struct {
	Source string // parindex.MetricSource…
	File   string // for messages and the audit row: the file imported
	Sheet  string
	Reason string
	// DryRun checks and counts but writes nothing.
	DryRun bool
}

// Outcomes of one observation in a batch.
const (
	ObservationInserted  = "inserted"
	ObservationUpdated   = "updated" // a correction: the old value went to history
	ObservationUnchanged = "unchanged"
)

// PutResult says what a batch did; Outcomes are in the order of the rows.
type PutResult struct {
	Inserted, Updated, Unchanged int
	Outcomes                     []string
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("store: dry run")

// observationAudit is the audited form of one value.
type observationAudit struct {
	Value      float64 `json:"value"`
	Source     string  `json:"source"`
	RecordedAt string  `json:"recorded_at,omitempty"`
	RecordedBy string  `json:"recorded_by,omitempty"`
}

// PutObservations checks every row (parindex.PlanObservations) and, only
// when all are valid, stores them in one transaction: a new key is
// inserted, an unchanged value writes nothing (so re-sending a batch is
// harmless), and a changed value is a correction: the replaced row goes to
// metric_observation_history and an audit row records from what to what.
// One more audit row records the batch when it stored anything. Invalid
// rows return parindex.InputErrors naming each, and nothing is written.
func (db *DB) PutObservations(ctx context.Context, actor parindex.Actor, rows []parindex.ObservationRow, opts PutOptions) (PutResult, error) {
	var res PutResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res = PutResult{}
		// On PostgreSQL two batches could both find a key absent and both
		// insert it, the second silently overwriting the first without
		// history; one transaction-scoped lock puts metric writes in a
		// queue. SQLite's immediate transactions queue them already.
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7170500)`); err != nil {
				return fmt.Errorf("store: unable to lock metric writes: %w", err)
			}
		}
		catalog, err := findMetrics(ctx, tx)
		if err != nil {
			return err
		}
		all, err := findOrgUnits(ctx, tx, OrgFilter{})
		if err != nil {
			return err
		}
		units := make(map[string]*parindex.OrgUnit, len(all))
		for _, u := range all {
			units[u.Code] = u
		}
		now := db.now()
		planned, errs := parindex.PlanObservations(opts.File, opts.Sheet, rows, metricMap(catalog), units, opts.Source, parindex.DateOf(now.In(vietnam)))
		if len(errs) > 0 {
			return errs
		}
		existing, err := db.currentObservations(ctx, tx, planned)
		if err != nil {
			return err
		}
		var write, corrected []parindex.Observation
		var replacedBy []*parindex.Observation // the new value of each corrected one
		res.Outcomes = make([]string, len(planned))
		for i := range planned {
			o := &planned[i]
			o.RecordedAt, o.RecordedBy = now, actor.Name
			old, ok := existing[observationKey{o.UnitID, o.Period.String(), o.Metric}]
			switch {
			case !ok:
				res.Inserted++
				res.Outcomes[i] = ObservationInserted
				write = append(write, *o)
			case old.Value == o.Value:
				res.Unchanged++
				res.Outcomes[i] = ObservationUnchanged
			default:
				res.Updated++
				res.Outcomes[i] = ObservationUpdated
				write = append(write, *o)
				old.SupersededAt, old.SupersededBy = now, actor.Name
				corrected = append(corrected, *old)
				replacedBy = append(replacedBy, o)
			}
		}
		if opts.DryRun {
			return errDryRun
		}
		if err := db.insertHistory(ctx, tx, corrected); err != nil {
			return err
		}
		if err := db.upsertObservations(ctx, tx, write); err != nil {
			return err
		}
		if err := bumpDataVersion(ctx, tx, metricsVersion); err != nil {
			return err
		}
		for i, old := range corrected {
			o := replacedBy[i]
			if err := writeAudit(ctx, tx, now, actor, "metric.correct", "metric_observation", old.Key(),
				observationAudit{old.Value, old.Source, old.RecordedAt.UTC().Format(time.RFC3339), old.RecordedBy},
				observationAudit{Value: o.Value, Source: o.Source}, opts.Reason); err != nil {
				return err
			}
		}
		if len(write) > 0 {
			batch := opts.File
			if batch == "" {
				batch = opts.Source
			}
			return writeAudit(ctx, tx, now, actor, "metrics.put", "metric_batch", batch, nil,
				map[string]any{"source": opts.Source, "file": opts.File, "inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged}, opts.Reason)
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return PutResult{}, err
	}
	return res, nil
}

type observationKey struct {
	unit           int64
	period, metric string
}

// currentObservations reads the stored values for the planned keys: the
// rows of the planned units in the planned years, a few hundred queries'
// worth of keys in one statement per chunk of units.
func (db *DB) currentObservations(ctx context.Context, tx *sqlx.Tx, planned []parindex.Observation) (map[observationKey]*parindex.Observation, error) {
	wanted := map[observationKey]bool{}
	unitSet, yearSet := map[int64]bool{}, map[int]bool{}
	for _, o := range planned {
		wanted[observationKey{o.UnitID, o.Period.String(), o.Metric}] = true
		unitSet[o.UnitID], yearSet[o.Period.Year] = true, true
	}
	var unitIDs []int64
	for id := range unitSet {
		unitIDs = append(unitIDs, id)
	}
	years := db.newRows(1, "integer")
	for y := range yearSet {
		years.add(y)
	}
	inYears, yearArgs := years.clause()
	out := map[observationKey]*parindex.Observation{}
	for start := 0; start < len(unitIDs); start += insertChunk {
		units := db.newRows(len(yearArgs)+1, "bigint")
		for _, id := range unitIDs[start:min(start+insertChunk, len(unitIDs))] {
			units.add(id)
		}
		inUnits, unitArgs := units.clause()
		rows, err := tx.QueryContext(ctx, `
			SELECT o.org_unit_id, u.code, o.period, o.metric_code, o.value, o.source, o.recorded_at, o.recorded_by
			FROM metric_observations o JOIN org_units u ON u.id = o.org_unit_id
			WHERE o.year IN (`+inYears+`) AND o.org_unit_id IN (`+inUnits+`)`, append(append([]any{}, yearArgs...), unitArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read stored metrics: %w", err)
		}
		obs, err := scanObservations(rows, false)
		if err != nil {
			return nil, err
		}
		for _, o := range obs {
			k := observationKey{o.UnitID, o.Period.String(), o.Metric}
			if wanted[k] {
				out[k] = o
			}
		}
	}
	return out, nil
}

func (db *DB) upsertObservations(ctx context.Context, tx *sqlx.Tx, obs []parindex.Observation) error {
	for start := 0; start < len(obs); start += insertChunk {
		set := db.newRows(1, "bigint", "text", "text", "integer", "double precision", "text", "timestamptz", "text")
		for _, o := range obs[start:min(start+insertChunk, len(obs))] {
			set.add(o.UnitID, o.Period.String(), o.Metric, o.Period.Year, o.Value, o.Source, o.RecordedAt, o.RecordedBy)
		}
		values, args := set.clause()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO metric_observations (org_unit_id, period, metric_code, year, value, source, recorded_at, recorded_by)
			`+values+`
			ON CONFLICT (org_unit_id, period, metric_code) DO UPDATE SET
				value = excluded.value, source = excluded.source, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
			args...); err != nil {
			return fmt.Errorf("store: unable to store metrics: %w", err)
		}
	}
	return nil
}

func (db *DB) insertHistory(ctx context.Context, tx *sqlx.Tx, old []parindex.Observation) error {
	for start := 0; start < len(old); start += insertChunk {
		set := db.newRows(1, "bigint", "text", "text", "double precision", "text", "timestamptz", "text", "timestamptz", "text")
		for _, o := range old[start:min(start+insertChunk, len(old))] {
			set.add(o.UnitID, o.Period.String(), o.Metric, o.Value, o.Source, o.RecordedAt.UTC(), o.RecordedBy, o.SupersededAt, o.SupersededBy)
		}
		values, args := set.clause()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO metric_observation_history (org_unit_id, period, metric_code, value, source, recorded_at, recorded_by, superseded_at, superseded_by)
			`+values, args...); err != nil {
			return fmt.Errorf("store: unable to keep the history of corrected metrics: %w", err)
		}
	}
	return nil
}

// scanObservations reads rows of (unit id, unit code, period, metric,
// value, source, recorded at, recorded by[, superseded at, superseded by]).
func scanObservations(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, history bool) ([]*parindex.Observation, error) {
	defer rows.Close()
	var out []*parindex.Observation
	for rows.Next() {
		o := &parindex.Observation{}
		var period string
		var at, superseded timeValue
		dest := []any{&o.UnitID, &o.UnitCode, &period, &o.Metric, &o.Value, &o.Source, &at, &o.RecordedBy}
		if history {
			dest = append(dest, &superseded, &o.SupersededBy)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: unable to read a metric value: %w", err)
		}
		p, err := parindex.ParsePeriod(period)
		if err != nil {
			return nil, fmt.Errorf("store: stored period %q: %w", period, err)
		}
		o.Period, o.RecordedAt, o.SupersededAt = p, at.t, superseded.t
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read metric values: %w", err)
	}
	return out, nil
}

// ObservationFilter selects current observations; zero fields do not filter.
type ObservationFilter struct {
	UnitID int64
	Year   int
	Period string // exact period text
	Metric string
	Source string
	// After is the key of the last observation of the previous page:
	// results continue after it in (unit id, period, metric) order.
	After *ObservationCursor
	Limit int // 0: no limit
}

// ObservationCursor is a position in (unit id, period, metric) order.
type ObservationCursor struct {
	UnitID int64
	Period string
	Metric string
}

const observationSelect = `
	SELECT o.org_unit_id, u.code, o.period, o.metric_code, o.value, o.source, o.recorded_at, o.recorded_by
	FROM metric_observations o JOIN org_units u ON u.id = o.org_unit_id`

// FindObservations returns current observations in (unit id, period,
// metric) order, the order of the table's key, so that a page continues
// cheaply after the cursor.
func (db *DB) FindObservations(ctx context.Context, f ObservationFilter) ([]*parindex.Observation, error) {
	var c conditions
	equal(&c, "o.org_unit_id", f.UnitID)
	equal(&c, "o.year", f.Year)
	equal(&c, "o.period", f.Period)
	equal(&c, "o.metric_code", f.Metric)
	equal(&c, "o.source", f.Source)
	if after := f.After; after != nil {
		u, p, m := c.arg(after.UnitID), c.arg(after.Period), c.arg(after.Metric)
		c.add("(o.org_unit_id > " + u + " OR (o.org_unit_id = " + u + " AND (o.period > " + p + " OR (o.period = " + p + " AND o.metric_code > " + m + "))))")
	}
	query := observationSelect + c.where() + " ORDER BY o.org_unit_id, o.period, o.metric_code"
	if f.Limit > 0 {
		query += " LIMIT " + c.arg(f.Limit)
	}
	rows, err := db.db.QueryContext(ctx, query, c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find metric values: %w", err)
	}
	return scanObservations(rows, false)
}

// ObservationHistory returns the current value of (unit, period, metric)
// first, then the values it replaced, newest first.
func (db *DB) ObservationHistory(ctx context.Context, unitID int64, period parindex.Period, metric string) ([]*parindex.Observation, error) {
	current, err := db.FindObservations(ctx, ObservationFilter{UnitID: unitID, Period: period.String(), Metric: metric})
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT h.org_unit_id, u.code, h.period, h.metric_code, h.value, h.source, h.recorded_at, h.recorded_by, h.superseded_at, h.superseded_by
		FROM metric_observation_history h JOIN org_units u ON u.id = h.org_unit_id
		WHERE h.org_unit_id = $1 AND h.period = $2 AND h.metric_code = $3
		ORDER BY h.id DESC`, unitID, period.String(), metric)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the history of %s: %w", metric, err)
	}
	old, err := scanObservations(rows, true)
	if err != nil {
		return nil, err
	}
	return append(current, old...), nil
}

// PeriodValue is a metric's value for a unit and period with where it came
// from: reported for the period, or derived by the catalogue's rule.
type PeriodValue struct {
	parindex.MetricValue
	// LastRecorded is the newest observation that went into the value (of
	// those recorded at the same time, the latest period's).
	LastRecorded *parindex.Observation
}

// PeriodValues returns, for each unit with data (all units, or only those
// listed), each metric's value for period p by the catalogue's combine
// rule: the value reported for p itself when there is one, else derived
// from the months and quarters inside p (parindex.DeriveValue). Keys are
// unit ids, then metric codes.
//
// Every unit's values come from a cache while the metrics are unchanged
// (metricValueCache); the maps returned are shared and must not be changed.
func (db *DB) PeriodValues(ctx context.Context, p parindex.Period, unitIDs ...int64) (map[int64]map[string]PeriodValue, error) {
	version, err := db.dataVersion(ctx, metricsVersion)
	if err != nil {
		return nil, err
	}
	if all, ok := db.metricValues.get(version, p); ok {
		return pickUnits(all, unitIDs), nil
	}
	if len(unitIDs) > 0 {
		// One unit's page reads its own rows rather than fill the cache
		// with the province's.
		return db.readPeriodValues(ctx, p, unitIDs)
	}
	all, err := db.readPeriodValues(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	db.metricValues.put(version, p, all)
	return all, nil
}

func (db *DB) readPeriodValues(ctx context.Context, p parindex.Period, unitIDs []int64) (map[int64]map[string]PeriodValue, error) {
	catalog, err := db.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	rules := metricMap(catalog)
	args := []any{p.Year}
	query := observationSelect + ` WHERE o.year = $1`
	if len(unitIDs) > 0 {
		var ids []string
		for _, id := range unitIDs {
			args = append(args, id)
			ids = append(ids, fmt.Sprintf("$%d", len(args)))
		}
		query += ` AND o.org_unit_id IN (` + strings.Join(ids, ", ") + `)`
	}
	rows, err := db.db.QueryContext(ctx, query+` ORDER BY o.org_unit_id, o.metric_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the metrics of %s: %w", p, err)
	}
	obs, err := scanObservations(rows, false)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string]PeriodValue{}
	// Rows arrive grouped by (unit, metric): derive each group's value.
	for start := 0; start < len(obs); {
		end := start + 1
		for end < len(obs) && obs[end].UnitID == obs[start].UnitID && obs[end].Metric == obs[start].Metric {
			end++
		}
		group := obs[start:end]
		start = end
		m := rules[group[0].Metric]
		if m == nil {
			continue
		}
		reported := make(map[parindex.Period]float64, len(group))
		var last *parindex.Observation
		for _, o := range group {
			if !p.Contains(o.Period) {
				continue
			}
			reported[o.Period] = o.Value
			if last == nil || last.RecordedAt.Before(o.RecordedAt) || (last.RecordedAt.Equal(o.RecordedAt) && last.Period.Before(o.Period)) {
				last = o
			}
		}
		v, ok := parindex.DeriveValue(m.Combine, p, reported)
		if !ok {
			continue
		}
		unit := out[group[0].UnitID]
		if unit == nil {
			unit = map[string]PeriodValue{}
			out[group[0].UnitID] = unit
		}
		unit[m.Code] = PeriodValue{MetricValue: v, LastRecorded: last}
	}
	return out, nil
}

// YearMetrics returns each unit's value of each metric for the calendar
// year, keyed by unit code, then metric code: the yearly value when one was
// reported, else the months and quarters combined by the catalogue's rule.
// The scoring snapshot reads its metric inputs here.
func (db *DB) YearMetrics(ctx context.Context, year int) (map[string]map[string]float64, error) {
	values, err := db.PeriodValues(ctx, parindex.YearPeriod(year))
	if err != nil {
		return nil, err
	}
	units, err := db.FindOrgUnits(ctx, OrgFilter{})
	if err != nil {
		return nil, err
	}
	codes := make(map[int64]string, len(units))
	for _, u := range units {
		codes[u.ID] = u.Code
	}
	out := make(map[string]map[string]float64, len(values))
	for id, byMetric := range values {
		out[codes[id]] = plainValues(byMetric)
	}
	return out, nil
}

// UnitYearMetrics is one unit's part of YearMetrics, read without the
// others'.
func (db *DB) UnitYearMetrics(ctx context.Context, year int, unitID int64) (map[string]float64, error) {
	values, err := db.PeriodValues(ctx, parindex.YearPeriod(year), unitID)
	if err != nil {
		return nil, err
	}
	return plainValues(values[unitID]), nil
}

func plainValues(byMetric map[string]PeriodValue) map[string]float64 {
	m := make(map[string]float64, len(byMetric))
	for code, v := range byMetric {
		m[code] = v.Value
	}
	return m
}

// CountObservations counts current observations, by source when given.
func (db *DB) CountObservations(ctx context.Context, source string) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM metric_observations WHERE $1 = '' OR source = $1`, source).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count metric values: %w", err)
	}
	return n, nil
}
