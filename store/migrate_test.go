package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"parindex/migrations"
	"parindex/store"
	"parindex/store/storetest"
)

// migrateUpTo applies the embedded migrations of db's dialect up to version.
func migrateUpTo(t *testing.T, db *store.DB, version int64) *goose.Provider {
	t.Helper()
	fsys, err := migrations.FS(db.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	gooseDialect := goose.DialectSQLite3
	if db.Dialect() == store.Postgres {
		gooseDialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gooseDialect, db.SQL(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return p
}

// openUpTo opens the database at dbURL, closed after the test, and applies
// the migrations of its dialect up to version.
func openUpTo(t *testing.T, dbURL string, version int64) (*store.DB, *goose.Provider) {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, migrateUpTo(t, db, version)
}

// Migration 00010 forgets the sessions stored under their raw cookie value
// (everyone logs in again once) and keeps only the hour of each device_seen
// row, on both dialects.
func TestMigration10ForgetsRawSessionsAndKeepsDeviceHours(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		db, p := openUpTo(t, dbURL, 9)
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)`,
			"a-raw-cookie-value", []byte("data"), time.Now().Add(time.Hour).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		seen := time.Date(2026, 3, 10, 8, 47, 31, 123456000, time.UTC)
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO device_seen (device_key, org_unit_id, seen_at) VALUES ($1, $2, $3)`,
			"device", 1, seen); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		var sessions int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		if sessions != 0 {
			t.Errorf("%d sessions kept under their raw cookie value", sessions)
		}
		var at time.Time
		if err := db.SQL().QueryRowContext(ctx, `SELECT seen_at FROM device_seen`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC); !at.Equal(want) {
			t.Errorf("device_seen.seen_at = %s after the migration, want %s", at.UTC(), want)
		}
		// What the store now writes reads back the same way.
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO device_seen (device_key, org_unit_id, seen_at) VALUES ($1, $2, $3)`,
			"device", 2, seen.Truncate(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var same int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM device_seen WHERE seen_at = $1`, seen.Truncate(time.Hour)).Scan(&same); err != nil {
			t.Fatal(err)
		}
		if same != 2 {
			t.Errorf("%d device_seen rows equal to the hour as the store writes it, want 2", same)
		}
	})
}
