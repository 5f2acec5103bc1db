package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// CreateSnapshot stores a draft snapshot with its units, audited.
func (db *DB) CreateSnapshot(ctx context.Context, actor parindex.Actor, s *parindex.Snapshot) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.now()
		s.Status, s.CreatedAt, s.CreatedBy = parindex.StatusDraft, now, actor.Name
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO score_snapshots (framework_code, framework_hash, year, status, inputs, results, record, seed, note, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			s.FrameworkCode, s.FrameworkHash, s.Year, s.Status, string(s.Inputs), string(s.Results), string(s.Record), int64(s.Seed), s.Note, now, actor.Name).Scan(&s.ID); err != nil {
			return fmt.Errorf("store: unable to create a snapshot of %s: %w", s.FrameworkCode, err)
		}
		for _, u := range s.Units {
			var rank any
			if u.Rank > 0 {
				rank = u.Rank
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO snapshot_units (snapshot_id, unit_code, unit_name, points, max_points, index_value, index_rounded, rank, band)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				s.ID, u.UnitCode, u.UnitName, u.Points, u.MaxPoints, u.Index, u.IndexRounded, rank, u.Band); err != nil {
				return fmt.Errorf("store: unable to store snapshot unit %s: %w", u.UnitCode, err)
			}
		}
		return writeAudit(ctx, tx, now, actor, "snapshot.create", "snapshot", fmt.Sprint(s.ID), nil,
			map[string]any{"framework": s.FrameworkCode, "hash": s.FrameworkHash, "year": s.Year, "units": len(s.Units)}, s.Note)
	})
}

// PublishSnapshot freezes a draft snapshot under a publication decision,
// audited with the decision and the accepted exceptions. Whether the
// decision fits the snapshot's preflight is package snapshot's rule
// (snapshot.Publish); the store only refuses what is not a decision.
func (db *DB) PublishSnapshot(ctx context.Context, actor parindex.Actor, id int64, as parindex.Publication, exceptions []string, note string) error {
	if !as.Valid() {
		return parindex.Errorf(parindex.ECodeInvalid, "Hình thức công bố %q không hợp lệ (unknown publication %q)", as, as)
	}
	if as != parindex.PublicationFinalWithExceptions && len(exceptions) > 0 {
		return parindex.Errorf(parindex.ECodeInvalid, "Chỉ công bố chính thức kèm ngoại lệ mới có danh sách ngoại lệ (exceptions belong to a final publication with exceptions)")
	}
	if exceptions == nil {
		exceptions = []string{}
	}
	listed, err := json.Marshal(exceptions)
	if err != nil {
		return fmt.Errorf("store: encoding exceptions: %w", err)
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var status, framework string
		err := tx.QueryRowContext(ctx, `SELECT status, framework_code FROM score_snapshots WHERE id = $1`, id).Scan(&status, &framework)
		if errors.Is(err, sql.ErrNoRows) {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có bản chốt điểm số %d (no snapshot %d)", id, id)
		}
		if err != nil {
			return fmt.Errorf("store: unable to read snapshot %d: %w", id, err)
		}
		if status == parindex.StatusPublished {
			return parindex.Errorf(parindex.ECodeConflict, "Bản chốt điểm số %d đã công bố (already published)", id)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE score_snapshots SET status = $1, published_at = $2, published_by = $3, publication = $4, exceptions = $5, publication_note = $6 WHERE id = $7`,
			parindex.StatusPublished, now, actor.Name, string(as), string(listed), note, id); err != nil {
			return fmt.Errorf("store: unable to publish snapshot %d: %w", id, err)
		}
		return writeAudit(ctx, tx, now, actor, "snapshot.publish", "snapshot", fmt.Sprint(id),
			map[string]string{"status": status, "framework": framework},
			map[string]any{"status": parindex.StatusPublished, "framework": framework, "publication": as, "exceptions": exceptions}, note)
	})
}

// SnapshotFilter selects snapshots; zero fields do not filter.
type SnapshotFilter struct {
	ID            int64
	FrameworkCode string
	Year          int
	Status        string
	WithDocuments bool // also read the inputs and results documents
	WithUnits     bool // also read the unit rows
}

// FindSnapshots returns snapshots, newest first.
func (db *DB) FindSnapshots(ctx context.Context, f SnapshotFilter) ([]*parindex.Snapshot, error) {
	var c conditions
	equal(&c, "id", f.ID)
	equal(&c, "framework_code", f.FrameworkCode)
	equal(&c, "year", f.Year)
	equal(&c, "status", f.Status)
	docs := `'', '', ''`
	if f.WithDocuments {
		docs = `inputs, results, record`
	}
	query := `SELECT id, framework_code, framework_hash, year, status, ` + docs + `, seed, note, created_at, created_by, published_at, published_by,
		publication, exceptions, publication_note FROM score_snapshots` + c.where() + " ORDER BY id DESC"
	rows, err := db.db.QueryContext(ctx, query, c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to find snapshots: %w", err)
	}
	defer rows.Close()
	var out []*parindex.Snapshot
	for rows.Next() {
		s := &parindex.Snapshot{}
		var inputs, results, record, publication, exceptions string
		var seed int64
		var published sql.NullTime
		if err := rows.Scan(&s.ID, &s.FrameworkCode, &s.FrameworkHash, &s.Year, &s.Status, &inputs, &results, &record, &seed, &s.Note,
			&s.CreatedAt, &s.CreatedBy, &published, &s.PublishedBy, &publication, &exceptions, &s.PublicationNote); err != nil {
			return nil, fmt.Errorf("store: unable to read a snapshot: %w", err)
		}
		s.Inputs, s.Results, s.Record, s.Seed, s.PublishedAt = []byte(inputs), []byte(results), []byte(record), uint64(seed), published.Time
		if !f.WithDocuments {
			s.Inputs, s.Results, s.Record = nil, nil, nil
		}
		s.Publication = parindex.Publication(publication)
		if exceptions != "" {
			if err := json.Unmarshal([]byte(exceptions), &s.Exceptions); err != nil {
				return nil, fmt.Errorf("store: snapshot %d exceptions: %w", s.ID, err)
			}
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.WithUnits {
		for _, s := range out {
			if s.Units, err = db.snapshotUnits(ctx, s.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Snapshot returns one snapshot with its documents and units.
func (db *DB) Snapshot(ctx context.Context, id int64) (*parindex.Snapshot, error) {
	found, err := db.FindSnapshots(ctx, SnapshotFilter{ID: id, WithDocuments: true, WithUnits: true})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Không có bản chốt điểm số %d (no snapshot %d)", id, id)
	}
	return found[0], nil
}

func (db *DB) snapshotUnits(ctx context.Context, id int64) ([]parindex.SnapshotUnit, error) {
	return listAll(ctx, db.db, "read snapshot units", "read a snapshot unit", func(row interface{ Scan(...any) error }) (u parindex.SnapshotUnit, err error) {
		var index, rounded sql.NullFloat64
		if err := row.Scan(&u.UnitCode, &u.UnitName, &u.Points, &u.MaxPoints, &index, &rounded, &u.Rank, &u.Band); err != nil {
			return u, err
		}
		if index.Valid {
			v := index.Float64
			u.Index = &v
		}
		if rounded.Valid {
			v := rounded.Float64
			u.IndexRounded = &v
		}
		return u, nil
	}, `
		SELECT unit_code, unit_name, COALESCE(points, 0), COALESCE(max_points, 0), index_value, index_rounded, COALESCE(rank, 0), band
		FROM snapshot_units WHERE snapshot_id = $1 ORDER BY COALESCE(rank, 1000000), unit_code`, id)
}
