package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// LoginAttempt is a login attempt the throttle let through. It is stored as
// a failure from the start, so that concurrent attempts see it while the
// password is being checked; FinishLogin records the outcome.
type LoginAttempt struct {
	ID        int64
	Username  string
	ClientIP  string
	RequestID string
}

// Advisory lock classes of PostgreSQL (two-key form), one per kind of
// login key, so that an account and an address never share a lock.
const (
	lockClassLoginAccount = 7170501
	lockClassLoginAddress = 7170502
)

// BeginLogin decides under p whether username may try a password from
// clientIP now. When it may, the attempt is stored (as a failure until
// FinishLogin) and returned with a zero wait. When it must wait, the
// refusal is written to the audit log as "login.throttled" and the wait is
// returned; the attempt is not counted as a failure, so refused attempts do
// not make the wait longer.
//
// Deciding and storing are one step: the transaction holds a lock on the
// account and one on the address (SQLite's immediate transactions queue
// every writer; PostgreSQL takes transaction-scoped advisory locks, the
// account's first), so a burst of parallel guesses when a wait ends is let
// through one at a time, each seeing the failures before it.
func (db *DB) BeginLogin(ctx context.Context, p parindex.LoginThrottle, username, clientIP, requestID string) (*LoginAttempt, time.Duration, error) {
	var attempt *LoginAttempt
	var wait time.Duration
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		attempt, wait = nil, 0
		if db.dialect == Postgres {
			for _, k := range []struct {
				class int32
				key   string
			}{{lockClassLoginAccount, username}, {lockClassLoginAddress, clientIP}} {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, k.class, lockKey(k.key)); err != nil {
					return fmt.Errorf("store: unable to lock login attempts: %w", err)
				}
			}
		}
		now := db.now()
		rec, err := loginRecord(ctx, tx, p, username, clientIP, now)
		if err != nil {
			return err
		}
		if wait = p.Wait(rec, now); wait > 0 {
			return writeAudit(ctx, tx, now, parindex.Actor{Name: "anonymous", RequestID: requestID}, "login.throttled", "user", username,
				nil, map[string]any{"client_ip": clientIP, "wait_seconds": int64((wait + time.Second - 1) / time.Second)}, "")
		}
		a := &LoginAttempt{Username: username, ClientIP: clientIP, RequestID: requestID}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO login_attempts (at, username, client_ip, ok) VALUES ($1, $2, $3, FALSE) RETURNING id`,
			now, username, clientIP).Scan(&a.ID); err != nil {
			return fmt.Errorf("store: unable to record a login attempt: %w", err)
		}
		attempt = a
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return attempt, wait, nil
}

// FinishLogin records the outcome of an attempt BeginLogin let through: a
// success clears the account's failures (and makes the address known for
// it); a failure, already counted, is written to the audit log.
//
// Should the server stop between the two, the attempt stays a failure
// without its audit row: the throttle errs on the side of counting it.
func (db *DB) FinishLogin(ctx context.Context, a *LoginAttempt, ok bool) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if ok {
			if _, err := tx.ExecContext(ctx, `UPDATE login_attempts SET ok = TRUE WHERE id = $1`, a.ID); err != nil {
				return fmt.Errorf("store: unable to record a successful login: %w", err)
			}
			return nil
		}
		return writeAudit(ctx, tx, db.now(), parindex.Actor{Name: "anonymous", RequestID: a.RequestID}, "login.failed", "user", a.Username,
			nil, map[string]string{"client_ip": a.ClientIP}, "")
	})
}

// loginRecord reads what p needs to judge an attempt by username from
// clientIP at now. Every query reads one account's or one address's rows
// of a bounded period through an index, and counts no further than the
// failure from which the wait stops growing.
func loginRecord(ctx context.Context, tx *sqlx.Tx, p parindex.LoginThrottle, username, clientIP string, now time.Time) (parindex.LoginRecord, error) {
	var rec parindex.LoginRecord
	accountCap, addressCap := p.Saturation()
	wrap := func(err error) error { return fmt.Errorf("store: unable to read past login attempts: %w", err) }

	if err := tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM login_attempts
		               WHERE username = $1 AND at > $2 AND client_ip = $3 AND ok = TRUE)`,
		username, now.Add(-p.KnownFor), clientIP).Scan(&rec.KnownAddress); err != nil {
		return rec, wrap(err)
	}
	// Failures count from the account's last success; ids, not times, say
	// which came after it (two attempts may share a microsecond), and the
	// account's lock keeps its ids in order.
	var lastSuccess int64
	err := tx.QueryRowContext(ctx, `
		SELECT id FROM login_attempts WHERE username = $1 AND at > $2 AND ok = TRUE
		ORDER BY at DESC, id DESC LIMIT 1`,
		username, now.Add(-p.AccountWindow)).Scan(&lastSuccess)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rec, wrap(err)
	}
	accountQuery := `
		SELECT at FROM login_attempts WHERE username = $1 AND at > $2 AND id > $3 AND ok = FALSE
		ORDER BY at DESC LIMIT $4`
	args := []any{username, now.Add(-p.AccountWindow), lastSuccess, accountCap}
	if rec.KnownAddress {
		accountQuery = `
			SELECT at FROM login_attempts WHERE username = $1 AND at > $2 AND id > $3 AND ok = FALSE AND client_ip = $5
			ORDER BY at DESC LIMIT $4`
		args = append(args, clientIP)
	}
	if rec.AccountFailures, rec.AccountLast, err = countFailures(ctx, tx, accountQuery, args...); err != nil {
		return rec, wrap(err)
	}
	if !rec.KnownAddress {
		rec.AddressFailures, rec.AddressLast, err = countFailures(ctx, tx, `
			SELECT at FROM login_attempts WHERE client_ip = $1 AND at > $2 AND ok = FALSE
			ORDER BY at DESC LIMIT $3`,
			clientIP, now.Add(-p.AddressWindow), addressCap)
		if err != nil {
			return rec, wrap(err)
		}
	}
	return rec, nil
}

// countFailures runs a query of failure times, newest first, and returns
// how many there are and the newest.
func countFailures(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int, time.Time, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, time.Time{}, err
	}
	defer rows.Close()
	var n int
	var last time.Time
	for rows.Next() {
		var at timeValue
		if err := rows.Scan(&at); err != nil {
			return 0, time.Time{}, err
		}
		if n == 0 {
			last = at.t
		}
		n++
	}
	return n, last, rows.Err()
}

// lockKey maps a login key to the second key of an advisory lock; two keys
// that collide merely wait for each other.
func lockKey(s string) int32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int32(h.Sum32())
}
