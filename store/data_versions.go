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
// observations; countsVersion the counter of changes to the count table
// other than stored responses (flags added by screening, rows added
// directly), which a new response id does not reveal.
// assessmentsVersion the counter of the stored assessments (entries,
// metrics, appraisals, evidence, states), raised by ensureStored and touch,
// which every function that writes an assessment calls in its transaction.
const (
	metricsVersion     = "metrics"
	countsVersion      = "response_counts"
	assessmentsVersion = "assessments"
)

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

// versionCache keeps values by key for one version of the data they are
// read from (a data_versions counter, with the latest response id for the
// responses' counts); a value read under another version is dropped. It
// holds at most versionCacheKeys keys: staff ask for a few periods.
type versionCache[F comparable, K comparable, V any] struct {
	mu      sync.Mutex
	version F
	values  map[K]V
}

const versionCacheKeys = 64

func (c *versionCache[F, K, V]) get(version F, key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		var zero V
		return zero, false
	}
	v, ok := c.values[key]
	return v, ok
}

func (c *versionCache[F, K, V]) put(version F, key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.values == nil || len(c.values) >= versionCacheKeys {
		c.version, c.values = version, map[K]V{}
	}
	c.values[key] = value
}

// metricValueCache keeps every unit's PeriodValues per period while the
// metrics are unchanged. Deriving a year's values reads every observation
// of the year (about 20,000 on the demo province, 0.1-0.3 s on SQLite),
// and the assessments list, an assessment's sheet, the progress page and
// the metrics overview each asked for them at every view (issue 23).
type metricValueCache = versionCache[int64, parindex.Period, map[int64]map[string]PeriodValue]

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
