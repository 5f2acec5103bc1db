package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// writeAudit records one official change inside the caller's transaction, so
// that the change and its record commit or roll back together. before and
// after are marshalled to JSON; nil means "did not exist".
func writeAudit(ctx context.Context, tx *sqlx.Tx, at time.Time, actor parindex.Actor, action, objectType, objectID string, before, after any, reason string) error {
	b, err := auditJSON(before)
	if err != nil {
		return err
	}
	a, err := auditJSON(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, actor, action, object_type, object_id, before_json, after_json, reason, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		at, actor.Name, action, objectType, objectID, b, a, reason, actor.RequestID)
	if err != nil {
		return fmt.Errorf("store: unable to write the audit row for %s %s: %w", objectType, objectID, err)
	}
	return nil
}

func auditJSON(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: unable to encode an audit document: %w", err)
	}
	s := string(data)
	return &s, nil
}

// AuditFilter selects audit rows; zero fields do not filter.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	Actor      string
	Limit      int
	Offset     int
}

// FindAudit returns audit rows, newest first.
func (db *DB) FindAudit(ctx context.Context, f AuditFilter) ([]parindex.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, at, actor, action, object_type, object_id,
		       COALESCE(before_json, ''), COALESCE(after_json, ''), reason, request_id
		FROM audit_log
		WHERE ($1 = '' OR object_type = $1)
		  AND ($2 = '' OR object_id = $2)
		  AND ($3 = '' OR actor = $3)
		ORDER BY id DESC
		LIMIT $4 OFFSET $5`, f.ObjectType, f.ObjectID, f.Actor, limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the audit log: %w", err)
	}
	defer rows.Close()
	var out []parindex.AuditEntry
	for rows.Next() {
		var e parindex.AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.Before, &e.After, &e.Reason, &e.RequestID); err != nil {
			return nil, fmt.Errorf("store: unable to read an audit row: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the audit log: %w", err)
	}
	return out, nil
}
