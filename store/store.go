package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"parindex/assessment"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // PostgreSQL driver, registered as "postgres"
	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"

	"parindex"
)

// Dialects this store speaks.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is an open parindex database.
type DB struct {
	db      *sqlx.DB
	dialect string
	dsn     string // the driver's connection string, for WatchChanges' own connection
	stmts   preparedStmts
	// local carries SQLite's changes to this process's watchers (notify).
	local   localChanges
	upserts sync.Map // PostgreSQL count upserts by rows clause and number of counts
	// schemaCurrent caches a positive SchemaCurrent answer.
	schemaCurrent atomic.Bool
	// metricValues keeps every unit's metric values per period
	// (PeriodValues).
	metricValues metricValueCache
	// responseCountCache keeps ResponseCounts' sums.
	responseCountCache versionCache[countsVersionPair, countsKey, map[int64]*UnitCounts]
	// assessmentLists keeps each framework's stored assessments, by unit id,
	// for ListAssessments (assessmentsVersion); shared, never changed.
	assessmentLists versionCache[int64, int64, map[int64]*assessment.Assessment]
	// Now is the clock used for timestamps written by the store; tests replace it.
	Now func() time.Time
}

// Open connects to the database named by rawURL:
//
//	sqlite:PATH, sqlite://PATH or sqlite:///ABSOLUTE/PATH  (the parent folder is created)
//	postgres://user@host:port/db?sslmode=disable|require|verify-full…
//
// Open does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var db *sqlx.DB
	switch dialect {
	case SQLite:
		path := dsn
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: unable to create the folder of %s: %w", path, err)
			}
		}
		// WAL lets readers proceed during a write; busy_timeout makes writers
		// wait instead of failing; _txlock=immediate takes the write lock at
		// BEGIN so two writers never deadlock upgrading read locks.
		q := url.Values{}
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		// Times as "2006-01-02 15:04:05.999999999-07:00", a form SQLite's own
		// date functions read; the store writes UTC, so text order is time order.
		q.Set("_time_format", "sqlite")
		db, err = sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: unable to open SQLite %s: %w", path, err)
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
	case Postgres:
		db, err = sqlx.Open("postgres", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: unable to open PostgreSQL: %w", err)
		}
		// Explicit limits: the default is unlimited open connections, which a
		// load spike turns into "too many clients" on the server.
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxLifetime(30 * time.Minute)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, &parindex.Error{Code: parindex.ECodeUnavailable,
			Message: "Không kết nối được cơ sở dữ liệu (cannot reach the database)", Detail: err.Error()}
	}
	return &DB{db: db, dialect: dialect, dsn: dsn, Now: time.Now}, nil
}

// ParseURL splits a database URL into its dialect and the driver's DSN.
func ParseURL(rawURL string) (dialect, dsn string, err error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			return "", "", fmt.Errorf("store: SQLite URL %q must not carry parameters: the store sets them", rawURL)
		}
		if path == "" {
			return "", "", fmt.Errorf("store: SQLite URL %q names no file; use sqlite:PATH", rawURL)
		}
		return SQLite, path, nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		u, err := url.Parse(rawURL)
		if err != nil {
			return "", "", fmt.Errorf("store: PostgreSQL URL is malformed: %w", err)
		}
		// lib/pq silently defaults to sslmode=require; a production URL
		// must say what it means.
		if u.Query().Get("sslmode") == "" {
			return "", "", errors.New("store: PostgreSQL URL must set sslmode explicitly (for example ?sslmode=verify-full, or ?sslmode=disable on a local socket)")
		}
		return Postgres, rawURL, nil
	default:
		return "", "", fmt.Errorf("store: database URL must start with sqlite: or postgres:// (got %q)", MaskURL(rawURL))
	}
}

// MaskURL hides the password of a database URL for logs and `parindex config`.
func MaskURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// SQL returns the underlying pool, for health checks and pool metrics only:
// queries belong in store methods.
func (db *DB) SQL() *sql.DB { return db.db.DB }

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// now returns the store clock in UTC, truncated to microseconds so that a
// time written and read back compares equal on both dialects.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in one transaction, committed when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin a transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		db.local.ended(tx, false)
		return err
	}
	if err := tx.Commit(); err != nil {
		db.local.ended(tx, false)
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	db.local.ended(tx, true)
	return nil
}

// timeValue scans a timestamp column on both dialects, and SQLite's
// timestamps read as text (see EachResponse).
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.t = x
	case string:
		t, err := parseSQLiteTime(x)
		if err != nil {
			return fmt.Errorf("store: cannot scan %q as a time: %w", x, err)
		}
		v.t = t
	case nil:
		v.t = time.Time{}
	default:
		return fmt.Errorf("store: cannot scan %T as a time", src)
	}
	return nil
}

// parseSQLiteTime reads a timestamp as SQLite holds it: the driver writes
// "2006-01-02 15:04:05.999999999-07:00" (the _time_format set in Open),
// in UTC since the store writes UTC. Whole seconds in UTC, nearly every
// row, are read at fixed positions; anything else goes through
// time.Parse, with or without a zone (UTC when there is none, as SQLite's
// own datetime() writes).
func parseSQLiteTime(s string) (time.Time, error) {
	if len(s) == len("2006-01-02 15:04:05+00:00") && s[19:] == "+00:00" &&
		s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && s[16] == ':' {
		y, okY := atoiDigits(s[0:4])
		mo, okMo := atoiDigits(s[5:7])
		d, okD := atoiDigits(s[8:10])
		h, okH := atoiDigits(s[11:13])
		mi, okMi := atoiDigits(s[14:16])
		sec, okS := atoiDigits(s[17:19])
		if okY && okMo && okD && okH && okMi && okS && 1 <= mo && mo <= 12 && 1 <= d &&
			d <= time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() && h < 24 && mi < 60 && sec < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), nil
		}
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999Z07:00", s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02 15:04:05.999999999", s)
}

// atoiDigits reads a number written in ASCII digits only.
func atoiDigits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
