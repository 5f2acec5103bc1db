package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// SessionStore keeps web sessions in our own database, for both dialects,
// so that app servers hold no state. It implements scs.Store and scs.CtxStore.
//
// Rows are keyed by the SHA-256 of the session token (the cookie), never the
// token itself: whoever reads the table (a backup, a replica, an SQL
// account) cannot turn a row into a working cookie. The token carries 256
// random bits, so an unsalted fast hash is enough; a lookup stays one index
// probe.
type SessionStore struct{ db *DB }

// sessionKey is the stored key of a session token.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Sessions returns the session store of db.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db} }

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.db.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		sessionKey(token), s.db.Now().UnixMilli()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: unable to read a session: %w", err)
	}
	return data, true, nil
}

// CommitCtx creates or replaces a session.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := s.db.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		sessionKey(token), data, expiry.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: unable to save a session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, sessionKey(token)); err != nil {
		return fmt.Errorf("store: unable to delete a session: %w", err)
	}
	return nil
}

// Find, Commit and Delete satisfy scs.Store for callers without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes expired sessions and returns how many.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, s.db.Now().UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: unable to delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
