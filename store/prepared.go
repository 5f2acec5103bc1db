package store

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The survey's group commit runs the same few statements for every batch.
// On PostgreSQL each would otherwise be parsed and planned again every time
// (lib/pq sends a query with arguments as an unnamed statement): for the
// small batches of a steady stream of citizens, about a third of the
// server's time per batch. Their text does not depend on the number of rows
// (a rowSet sends one array per column), so they are prepared once per
// connection and reused. SQLite's multi-row statements change with the
// number of rows, and preparing costs it little: it runs them directly.
//
// Only statements without a choice of plan are prepared: the INSERTs and
// the notification. After five runs PostgreSQL may keep a generic plan for
// a prepared statement, chosen with the table's size at that time; the
// lookups of devices and of repeated forms, prepared while their tables
// were small, kept scanning them whole once they had grown (3.6 ms a batch
// instead of 0.1). They are planned for each batch instead.

// preparedStmts holds the statements prepared so far, by query text;
// database/sql prepares each on a connection the first time a transaction
// on that connection uses it, and remembers it there.
type preparedStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if s, ok := db.stmts.m[query]; ok {
		return s, nil
	}
	s, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts.m == nil {
		db.stmts.m = map[string]*sql.Stmt{}
	}
	db.stmts.m[query] = s
	return s, nil
}

// txQuery runs a hot query in tx, prepared on PostgreSQL.
func (db *DB) txQuery(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (*sql.Rows, error) {
	if db.dialect != Postgres {
		return tx.QueryContext(ctx, query, args...)
	}
	s, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

// txExec runs a hot statement in tx, prepared on PostgreSQL.
func (db *DB) txExec(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (sql.Result, error) {
	if db.dialect != Postgres {
		return tx.ExecContext(ctx, query, args...)
	}
	s, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}
