package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// data_versions holds one counter per kind of data that pages cache,
// raised in the transaction that changes that data. A server reads the
// counter (one row) to know whether what it cached is current, whichever
// server made the change. The counter is read before the data: a change
// committed in between makes the cached copy look older than it is, never
// newer.

// metricsVersion names the counter of the metric catalogue and the
// observations.
const metricsVersion = "metrics"

// bumpDataVersion raises name's counter inside tx.
func bumpDataVersion(ctx context.Context, tx *sqlx.Tx, name string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE data_versions SET version = version + 1 WHERE name = $1`, name); err != nil {
		return fmt.Errorf("store: unable to note a change of %s: %w", name, err)
	}
	return nil
}

// dataVersion reads name's counter.
func (db *DB) dataVersion(ctx context.Context, name string) (int64, error) {
	var v int64
	if err := db.db.QueryRowContext(ctx, `SELECT version FROM data_versions WHERE name = $1`, name).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: unable to read the version of %s: %w", name, err)
	}
	return v, nil
}

// metricValueCache keeps every unit's PeriodValues per period for one
// metrics version. Deriving a year's values reads every observation of the
// year (about 20,000 on the demo province, 0.1–0.3 s on SQLite), and the
// assessments list, an assessment's sheet, the progress page and the
// metrics overview each asked for them at every view (issue 23).
type metricValueCache struct {
	mu      sync.Mutex
	version int64
	periods map[parindex.Period]map[int64]map[string]PeriodValue
}

// metricValuePeriods bounds the periods kept: staff ask for a few years,
// quarters and months.
const metricValuePeriods = 64

func (c *metricValueCache) get(version int64, p parindex.Period) (map[int64]map[string]PeriodValue, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	v, ok := c.periods[p]
	return v, ok
}

func (c *metricValueCache) put(version int64, p parindex.Period, values map[int64]map[string]PeriodValue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.periods == nil || len(c.periods) >= metricValuePeriods {
		c.version, c.periods = version, map[parindex.Period]map[int64]map[string]PeriodValue{}
	}
	c.periods[p] = values
}

// pickUnits is the part of every unit's values that belongs to unitIDs
// (all of it without unitIDs).
func pickUnits(all map[int64]map[string]PeriodValue, unitIDs []int64) map[int64]map[string]PeriodValue {
	if len(unitIDs) == 0 {
		return all
	}
	out := make(map[int64]map[string]PeriodValue, len(unitIDs))
	for _, id := range unitIDs {
		if v, ok := all[id]; ok {
			out[id] = v
		}
	}
	return out
}
