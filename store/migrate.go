package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"parindex/migrations"
)

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := migrations.FS(db.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read embedded migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Several app servers may start at once against one primary: a
		// session advisory lock makes them migrate one after the other.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("store: unable to create the migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// SQLite needs no extra lock: a file has one writer at a time, and each
	// migration runs in its own immediate transaction.
	p, err := goose.NewProvider(dialect, db.db.DB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to prepare migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the versions it applied (none when the schema is current).
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		if isReadOnly(err) {
			return nil, fmt.Errorf("store: unable to migrate: %w: %w", ErrReadOnly, err)
		}
		return nil, fmt.Errorf("store: unable to migrate: %w", err)
	}
	if err := db.AddResponseYears(ctx); err != nil {
		return nil, err
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	status, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read migration status: %w", err)
	}
	out := make([]MigrationState, 0, len(status))
	for _, s := range status {
		out = append(out, MigrationState{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// SchemaCurrent reports whether every migration is applied, for /readyz.
// Once true it stays true for this process (migrations only run at start-up),
// so a probe costs one ping rather than a migration check under the lock.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	if db.schemaCurrent.Load() {
		return true, nil
	}
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: unable to check pending migrations: %w", err)
	}
	db.schemaCurrent.Store(!pending)
	return !pending, nil
}
