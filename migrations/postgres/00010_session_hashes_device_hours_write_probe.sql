-- +goose Up
-- Sessions are keyed by the SHA-256 (hex) of their cookie, never by the
-- cookie itself, so that a copy of the database (a backup, a replica, an
-- account that may read it) opens no session. Sessions stored under their
-- raw cookie are deleted, not rehashed: SQLite has no SHA-256 built in, both
-- dialects do the same, and the cost is that everyone logs in once more.
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN token TO token_hash;

-- device_seen keeps the hour only, as responses.submitted_hour does: a finer
-- time could tie a device to one response and its comment. The repeat check
-- compares hours (store/survey.go). The hour is UTC's, as the store writes it.
UPDATE device_seen SET seen_at = date_trunc('hour', seen_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';

-- /readyz and `parindex serve` prove that the database accepts writes by
-- writing this one row in a transaction they roll back (store/health.go).
CREATE TABLE write_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE write_probe;
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN token_hash TO token;
