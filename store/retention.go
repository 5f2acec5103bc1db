package store

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"parindex"
)

// AddResponseYears creates the partitions of responses (PostgreSQL,
// migration 00015) for the current year in Vietnam, the next, and every
// year that has rows in responses_default (moved into their year's table),
// so that a year's responses sit in their own table. Migrate calls it, so
// every command and every start of serve does, and serve again each night.
// responses_add_year waits for another server doing the same and does
// nothing for a year that exists; the default partition is empty unless a
// server ran past a new year without a restart or forms of an old year
// arrived (paper imports), so reading it costs nothing.
func (db *DB) AddResponseYears(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	year := db.now().In(vietnam).Year()
	if _, err := db.db.ExecContext(ctx, `SELECT responses_add_year(y::integer) FROM (
		SELECT $1::integer AS y UNION SELECT $1::integer + 1 UNION SELECT DISTINCT EXTRACT(YEAR FROM day) FROM responses_default) years
		ORDER BY y`, year); err != nil {
		if isReadOnly(err) {
			return fmt.Errorf("store: unable to create the responses' partitions: %w: %w", ErrReadOnly, err)
		}
		return fmt.Errorf("store: unable to create the responses' partitions: %w", err)
	}
	return nil
}

// RetentionYear is what retention removes, or would remove, of one year.
type RetentionYear struct {
	Year      int
	Responses int64
	// Partition is the PostgreSQL table dropped whole; empty where rows are
	// deleted (SQLite, PostgreSQL's default partition).
	Partition string
}

// Retention is the outcome of RemoveRawResponses.
type Retention struct {
	Before parindex.Date // responses of earlier days are removed
	Years  []RetentionYear
	DryRun bool
}

// Responses is the number of raw responses removed in all.
func (r Retention) Responses() int64 {
	var n int64
	for _, y := range r.Years {
		n += y.Responses
	}
	return n
}

// RetentionCutoff is the first day retention keeps when keepYears whole
// years are kept before the current year in Vietnam: on 7 December 2026,
// keeping 10 years keeps 2016 to 2026 and removes what came before
// 1 January 2016.
func RetentionCutoff(now time.Time, keepYears int) parindex.Date {
	return parindex.Date{Year: now.In(vietnam).Year() - keepYears, Month: time.January, Day: 1}
}

// partitionYear reads the year of a yearly partition's name.
var partitionYear = regexp.MustCompile(`^responses_(\d{4})$`)

// RemoveRawResponses removes the raw responses (answers, comments, flags,
// hashes) of the days before cutoff, with the idempotency keys and dossiers
// they claimed, and writes one audit row in the same transaction. The count
// table (response_counts), the QR links' arrival slots and the snapshots,
// which keep the inputs they were scored on, stay: survey results read from
// the counts do not change. What reads raw answers (a unit's intervals,
// results that leave out doubtful links, the integrity report, the raw
// export) has nothing left for those days. On PostgreSQL each year wholly
// before cutoff is its own partition, dropped whole (no row by row delete,
// no dead rows to vacuum); rows left in the default partition are deleted.
// With dryRun nothing changes and nothing is audited.
func (db *DB) RemoveRawResponses(ctx context.Context, actor parindex.Actor, cutoff parindex.Date, dryRun bool, reason string) (Retention, error) {
	out := Retention{Before: cutoff, DryRun: dryRun}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out.Years, err = db.retentionPlan(ctx, tx, cutoff); err != nil {
			return err
		}
		if dryRun || len(out.Years) == 0 {
			return nil
		}
		for _, y := range out.Years {
			if y.Partition == "" {
				continue
			}
			// The name comes from pg_inherits and matched partitionYear.
			if _, err := tx.ExecContext(ctx, `DROP TABLE `+y.Partition); err != nil {
				return fmt.Errorf("store: unable to drop the responses of %d: %w", y.Year, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM responses WHERE day < $1`, cutoff); err != nil {
			return fmt.Errorf("store: unable to delete the responses before %s: %w", cutoff, err)
		}
		if db.dialect == Postgres {
			for _, table := range []string{"response_keys", "response_dossiers"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE day < $1`, cutoff); err != nil {
					return fmt.Errorf("store: unable to release the %s before %s: %w", table, cutoff, err)
				}
			}
		}
		after := map[string]any{"before": cutoff.String(), "responses": out.Responses(), "years": out.Years}
		return writeAudit(ctx, tx, db.now(), actor, "survey.retention", "responses", cutoff.String(), nil, after, reason)
	})
	if err != nil {
		return Retention{}, err
	}
	return out, nil
}

// retentionPlan counts the responses before cutoff per year, and names the
// PostgreSQL partitions that hold only such days.
func (db *DB) retentionPlan(ctx context.Context, tx *sqlx.Tx, cutoff parindex.Date) ([]RetentionYear, error) {
	byYear := map[int]*RetentionYear{}
	if db.dialect == Postgres {
		rows, err := tx.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'responses'::regclass`)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list the responses' partitions: %w", err)
		}
		var names []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to list the responses' partitions: %w", err)
			}
			names = append(names, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: unable to list the responses' partitions: %w", err)
		}
		for _, name := range names {
			m := partitionYear.FindStringSubmatch(name)
			if m == nil {
				continue
			}
			year, _ := strconv.Atoi(m[1])
			if cutoff.Before(parindex.Date{Year: year + 1, Month: time.January, Day: 1}) {
				continue // the year has days from cutoff on: its rows are deleted below
			}
			y := &RetentionYear{Year: year, Partition: name}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+name).Scan(&y.Responses); err != nil {
				return nil, fmt.Errorf("store: unable to count the responses of %d: %w", year, err)
			}
			byYear[year] = y
		}
	}
	// Rows deleted one by one: every row on SQLite; on PostgreSQL those of
	// the default partition and of a year cut in the middle.
	query := `SELECT CAST(substr(CAST(day AS TEXT), 1, 4) AS INTEGER), COUNT(*) FROM responses WHERE day < $1 GROUP BY 1`
	args := []any{cutoff}
	if db.dialect == Postgres {
		// A year's days are all in its partition or all in the default one.
		dropped := make([]int64, 0, len(byYear))
		for year := range byYear {
			dropped = append(dropped, int64(year))
		}
		query = `SELECT EXTRACT(YEAR FROM day)::integer, COUNT(*) FROM responses
			WHERE day < $1 AND EXTRACT(YEAR FROM day)::integer <> ALL($2::integer[]) GROUP BY 1`
		args = append(args, pq.Array(dropped))
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count the responses before %s: %w", cutoff, err)
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		var n int64
		if err := rows.Scan(&year, &n); err != nil {
			return nil, fmt.Errorf("store: unable to count the responses before %s: %w", cutoff, err)
		}
		if byYear[year] == nil {
			byYear[year] = &RetentionYear{Year: year}
		}
		byYear[year].Responses += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to count the responses before %s: %w", cutoff, err)
	}
	out := make([]RetentionYear, 0, len(byYear))
	for _, y := range byYear {
		out = append(out, *y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}
