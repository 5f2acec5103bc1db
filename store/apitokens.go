package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// APITokenPrefix starts every API token secret, so that a leaked token is
// recognisable (secret scanners, logs) as a parindex token.
const APITokenPrefix = "pix_"

// apiTokenTouchEvery bounds how often a token's last-used time is written:
// a busy client costs one small UPDATE a minute, not one per request.
const apiTokenTouchEvery = time.Minute

// newAPITokenSecret returns 256 random bits, URL-safe.
func newAPITokenSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: no randomness for an API token: %w", err)
	}
	return APITokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashAPIToken is what the database keeps of a secret. A plain SHA-256 is
// enough: the secret is 256 random bits, not a password people choose, so
// there is nothing to guess and no need for a slow hash.
func hashAPIToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// APITokenSpec describes a token to create.
type APITokenSpec struct {
	Name     string
	UnitCode string // "" for every unit
	Write    bool
}

// tokenAudit is the audited form of a token: never the secret or its hash.
type tokenAudit struct {
	Name    string `json:"name"`
	Prefix  string `json:"prefix"`
	Unit    string `json:"unit,omitempty"`
	Write   bool   `json:"write"`
	Revoked bool   `json:"revoked,omitempty"`
}

// CreateAPIToken creates a token and returns its secret, which is not kept
// and cannot be shown again. Audited.
func (db *DB) CreateAPIToken(ctx context.Context, actor parindex.Actor, spec APITokenSpec) (string, *parindex.APIToken, error) {
	name := strings.TrimSpace(spec.Name)
	if name == "" || len([]rune(name)) > 100 {
		return "", nil, parindex.Errorf(parindex.ECodeInvalid, "Cần tên mã truy cập, tối đa 100 ký tự, ví dụ tên hệ thống dùng nó (token name required, at most 100 characters)")
	}
	secret, err := newAPITokenSecret()
	if err != nil {
		return "", nil, err
	}
	t := &parindex.APIToken{Name: name, Prefix: secret[:len(APITokenPrefix)+6], CanWrite: spec.Write, CreatedBy: actor.Name}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var unit any
		if code := strings.TrimSpace(spec.UnitCode); code != "" {
			u, err := orgUnitByCode(ctx, tx, code)
			if err != nil {
				return err
			}
			t.UnitID, t.UnitCode, t.UnitName, unit = u.ID, u.Code, u.Name, u.ID
		}
		t.CreatedAt = db.now()
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO api_tokens (name, token_hash, prefix, org_unit_id, can_write, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.Name, hashAPIToken(secret), t.Prefix, unit, t.CanWrite, t.CreatedAt, t.CreatedBy).Scan(&t.ID); err != nil {
			return fmt.Errorf("store: unable to create API token %s: %w", name, err)
		}
		return writeAudit(ctx, tx, t.CreatedAt, actor, "api_token.create", "api_token", fmt.Sprint(t.ID), nil,
			tokenAudit{t.Name, t.Prefix, t.UnitCode, t.CanWrite, false}, "")
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

const apiTokenSelect = `
	SELECT t.id, t.name, t.prefix, COALESCE(t.org_unit_id, 0), COALESCE(u.code, ''), COALESCE(u.name, ''), t.can_write,
	       t.created_at, t.created_by, t.revoked_at, t.revoked_by, t.last_used_at
	FROM api_tokens t LEFT JOIN org_units u ON u.id = t.org_unit_id`

func scanAPIToken(row interface{ Scan(...any) error }) (*parindex.APIToken, error) {
	t := &parindex.APIToken{}
	var created, revoked, used timeValue
	if err := row.Scan(&t.ID, &t.Name, &t.Prefix, &t.UnitID, &t.UnitCode, &t.UnitName, &t.CanWrite,
		&created, &t.CreatedBy, &revoked, &t.RevokedBy, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.RevokedAt, t.LastUsedAt = created.t, revoked.t, used.t
	return t, nil
}

// FindAPITokens lists every token, newest first, revoked ones included.
func (db *DB) FindAPITokens(ctx context.Context) ([]*parindex.APIToken, error) {
	return listAll(ctx, db.db, "list API tokens", "read an API token", scanAPIToken, apiTokenSelect+` ORDER BY t.id DESC`)
}

// errBadToken is the one answer for a secret that is unknown, malformed
// or revoked: the caller learns nothing about which.
var errBadToken = parindex.Errorf(parindex.ECodeUnauthorized,
	"Mã truy cập API không hợp lệ hoặc đã bị thu hồi (invalid or revoked API token)")

// APITokenBySecret finds the active token with this secret and notes that
// it was used (at most once a minute). An unknown or revoked secret is an
// unauthorized error.
func (db *DB) APITokenBySecret(ctx context.Context, secret string) (*parindex.APIToken, error) {
	if !strings.HasPrefix(secret, APITokenPrefix) || len(secret) > 200 {
		return nil, errBadToken
	}
	t, err := scanAPIToken(db.db.QueryRowContext(ctx, apiTokenSelect+` WHERE t.token_hash = $1`, hashAPIToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to read an API token: %w", err)
	}
	if !t.Active() {
		return nil, errBadToken
	}
	now := db.now()
	if now.Sub(t.LastUsedAt) >= apiTokenTouchEvery {
		if _, err := db.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID); err != nil {
			return nil, fmt.Errorf("store: unable to note the use of API token %d: %w", t.ID, err)
		}
		t.LastUsedAt = now
	}
	return t, nil
}

// RevokeAPIToken stops a token from working, for good. Audited.
func (db *DB) RevokeAPIToken(ctx context.Context, actor parindex.Actor, id int64, reason string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		t, err := scanAPIToken(tx.QueryRowContext(ctx, apiTokenSelect+` WHERE t.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return parindex.Errorf(parindex.ECodeNotFound, "Không có mã truy cập API số %d (no API token %d)", id, id)
		}
		if err != nil {
			return fmt.Errorf("store: unable to read API token %d: %w", id, err)
		}
		if !t.Active() {
			return parindex.Errorf(parindex.ECodeConflict, "Mã truy cập API %d đã bị thu hồi trước đó (already revoked)", id)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3`, now, actor.Name, id); err != nil {
			return fmt.Errorf("store: unable to revoke API token %d: %w", id, err)
		}
		before := tokenAudit{t.Name, t.Prefix, t.UnitCode, t.CanWrite, false}
		after := before
		after.Revoked = true
		return writeAudit(ctx, tx, now, actor, "api_token.revoke", "api_token", fmt.Sprint(id), before, after, reason)
	})
}
