package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// ErrReadOnly is in the chain of errors from a database that answers but
// accepts no writes: a read-only SQLite file or file system, a PostgreSQL
// standby, or default_transaction_read_only set for the role or database.
var ErrReadOnly = errors.New("the database is read-only")

// CheckWritable proves that the database accepts writes, for /readyz and
// `parindex serve`: a read-only database answers pings and reads while every
// write fails. It writes the one row of write_probe in a transaction that it
// rolls back, so a probe leaves nothing behind.
//
// On PostgreSQL it first asks transaction_read_only outside any transaction:
// lib/pq opens every transaction READ WRITE, which overrides
// default_transaction_read_only, so the probe's transaction alone would pass
// while the statements run outside a transaction (the session store's) fail.
// A standby answers on as well.
func (db *DB) CheckWritable(ctx context.Context) error {
	if db.dialect == Postgres {
		var readOnly string
		if err := db.db.QueryRowContext(ctx, `SHOW transaction_read_only`).Scan(&readOnly); err != nil {
			return fmt.Errorf("store: unable to ask whether the database is read-only: %w", err)
		}
		if readOnly == "on" {
			return fmt.Errorf("store: %w: transaction_read_only is on (a standby, or default_transaction_read_only set for this role or database)", ErrReadOnly)
		}
	}
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return writeProbeError(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id, probed_at) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, db.now()); err != nil {
		return writeProbeError(err)
	}
	return nil
}

func writeProbeError(err error) error {
	if isReadOnly(err) {
		return fmt.Errorf("store: %w: %w", ErrReadOnly, err)
	}
	return fmt.Errorf("store: the database refuses a write: %w", err)
}

// sqliteReadOnly is SQLITE_READONLY, the primary result code (the low byte)
// of every "attempt to write a readonly database".
const sqliteReadOnly = 8

// isReadOnly recognises the drivers' read-only errors: SQLite's
// SQLITE_READONLY and its extended codes, PostgreSQL's
// read_only_sql_transaction (25006).
func isReadOnly(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "25006"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code()&0xff == sqliteReadOnly
	}
	return false
}
