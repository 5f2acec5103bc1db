// Package storetest opens real, migrated databases for tests: a SQLite file
// in a temporary folder, and a PostgreSQL schema of its own per test, dropped
// afterwards. The PostgreSQL half runs when PARINDEX_TEST_POSTGRES names a
// server; it is skipped with a visible reason otherwise, and fails instead of
// skipping when PARINDEX_TEST_POSTGRES_REQUIRED=1 (as in CI).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"parindex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parindex/store"
)

// PostgresURL returns the test server's URL, or skips (or fails, when it is
// required) when none is configured.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PARINDEX_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("PARINDEX_TEST_POSTGRES_REQUIRED") == "1" {
			tb.Fatal("PARINDEX_TEST_POSTGRES_REQUIRED=1 but PARINDEX_TEST_POSTGRES is not set")
		}
		tb.Skip("PostgreSQL half skipped: set PARINDEX_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run it")
	}
	return u
}

// SQLiteURL returns the URL of a fresh SQLite file removed after the test.
func SQLiteURL(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "parindex.db")
}

// createForTest creates on the test server an empty schema or database
// (kind) named prefix and a random suffix, drops it after the test by the
// statement drop (its name in place of %s), and returns its name and the
// server's URL.
func createForTest(tb testing.TB, kind, prefix, drop string) (string, *url.URL) {
	tb.Helper()
	base := PostgresURL(tb)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("storetest: open PostgreSQL: %v", err)
	}
	if err := admin.Ping(); err != nil {
		admin.Close()
		tb.Fatalf("storetest: PostgreSQL at PARINDEX_TEST_POSTGRES does not answer: %v", err)
	}
	buf := make([]byte, 8)
	rand.Read(buf)
	name := prefix + hex.EncodeToString(buf)
	if _, err := admin.Exec(`CREATE ` + strings.ToUpper(kind) + ` ` + name); err != nil {
		admin.Close()
		tb.Fatalf("storetest: create %s: %v", kind, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(fmt.Sprintf(drop, name)); err != nil {
			tb.Errorf("storetest: drop %s %s: %v", kind, name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("storetest: PARINDEX_TEST_POSTGRES is not a URL: %v", err)
	}
	return name, u
}

// PostgresSchemaURL creates an empty schema for this test and returns a URL
// whose connections use it (search_path), dropping the schema afterwards.
func PostgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	schema, u := createForTest(tb, "schema", "test_", `DROP SCHEMA %s CASCADE`)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresDatabaseURL creates an empty database of its own for this test
// and returns its URL, dropping it (and closing the sessions left on it)
// afterwards. A schema is enough for most tests; a database is for what is
// per database: processes started by the test as a production server
// would be, whose notification channels no other test shares.
func PostgresDatabaseURL(tb testing.TB) string {
	tb.Helper()
	name, u := createForTest(tb, "database", "parindex_test_", `DROP DATABASE IF EXISTS %s WITH (FORCE)`)
	u.Path = "/" + name
	return u.String()
}

// MustOpen opens and migrates the database at rawURL, closing it after the test.
func MustOpen(tb testing.TB, rawURL string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, rawURL)
	if err != nil {
		tb.Fatalf("storetest: open %s: %v", store.MaskURL(rawURL), err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// MustOpenSQLite opens a fresh, migrated SQLite database.
func MustOpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, SQLiteURL(tb))
}

// MustOpenPostgres opens a fresh, migrated PostgreSQL schema.
func MustOpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, PostgresSchemaURL(tb))
}

// Each runs fn once per dialect as subtests (or sub-benchmarks) "sqlite"
// and "postgres", each with a fresh migrated database.
func Each[T interface {
	testing.TB
	Run(string, func(T)) bool
}](t T, fn func(t T, db *store.DB)) {
	t.Helper()
	t.Run(store.SQLite, func(t T) { fn(t, MustOpenSQLite(t)) })
	t.Run(store.Postgres, func(t T) { fn(t, MustOpenPostgres(t)) })
}

// Slots of CountTotals: not applicable and levels 1..5 of clean responses,
// then the same of flagged ones.
const (
	NA        = 0
	FlaggedNA = 6
)

// CountTotals sums the count table over every instrument, unit, day and
// question: element v (1..5) is the answers of level v of clean responses,
// FlaggedNA+v of flagged ones.
func CountTotals(tb testing.TB, db *store.DB) (sum [12]int64) {
	tb.Helper()
	rows, err := db.CountRows(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rows {
		for i, n := range r.Counts {
			sum[i%12] += n
		}
	}
	return sum
}

// ReadOnlyURL turns the migrated database at rawURL into one that answers
// reads and refuses every write, and returns the URL to open it by. It works
// when the tests run as root, where file permissions stop nothing:
//
//   - SQLite: the file's header says so. Byte 18 is the format version a
//     writer needs; above 2, SQLite opens the file read-only ("attempt to
//     write a readonly database"), as it would a file it may not write.
//     The write-ahead log is emptied into the file first: a page 1 still in
//     the log would be read instead of the file's and undo the mark. No
//     other connection to the file may be writing.
//   - PostgreSQL: the URL starts every session with
//     default_transaction_read_only on, as on a standby or a database an
//     administrator made read-only.
func ReadOnlyURL(tb testing.TB, rawURL string) string {
	tb.Helper()
	dialect, dsn, err := store.ParseURL(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	if dialect == store.Postgres {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("default_transaction_read_only", "on")
		u.RawQuery = q.Encode()
		return u.String()
	}
	lite, err := sql.Open("sqlite", dsn)
	if err != nil {
		tb.Fatalf("storetest: open the SQLite file: %v", err)
	}
	var busy, logPages, moved int
	err = lite.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved)
	lite.Close()
	if err != nil || busy != 0 {
		tb.Fatalf("storetest: empty the SQLite write-ahead log: busy %d, %v (is a connection still writing?)", busy, err)
	}
	f, err := os.OpenFile(dsn, os.O_RDWR, 0)
	if err != nil {
		tb.Fatalf("storetest: open the SQLite file: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{3}, 18); err != nil {
		tb.Fatalf("storetest: mark the SQLite file read-only: %v", err)
	}
	return rawURL
}

// Rows runs query and returns its rows as text by column name, whatever the
// columns are: bytes as text, times in UTC as RFC 3339, NULL as "".
func Rows(tb testing.TB, db *store.DB, query string, args ...any) []map[string]string {
	tb.Helper()
	rows, err := db.SQL().Query(query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			switch v := vals[i].(type) {
			case []byte:
				m[c] = string(v)
			case time.Time:
				m[c] = v.UTC().Format(time.RFC3339)
			case nil:
				m[c] = ""
			default:
				m[c] = fmt.Sprint(v)
			}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// EachURL runs fn once on SQLite and once on PostgreSQL, each with the URL
// of a fresh database that nothing has opened yet: for the tests that open,
// migrate step by step or serve a database themselves.
func EachURL(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	t.Run(store.SQLite, func(t *testing.T) { fn(t, SQLiteURL(t)) })
	t.Run(store.Postgres, func(t *testing.T) { fn(t, PostgresSchemaURL(t)) })
}

// Unit returns the stored organisation unit of code, failing the test when
// there is none.
func Unit(tb testing.TB, db *store.DB, code string) *parindex.OrgUnit {
	tb.Helper()
	u, err := db.OrgUnitByCode(context.Background(), code)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
