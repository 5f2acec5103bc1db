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
-- compares hours (store/survey.go). Rows whose time SQLite cannot read are
-- dropped rather than kept precise; the table only holds the last minutes.
DELETE FROM device_seen WHERE strftime('%Y-%m-%d %H:00:00+00:00', seen_at) IS NULL;
UPDATE device_seen SET seen_at = strftime('%Y-%m-%d %H:00:00+00:00', seen_at);

-- /readyz and `parindex serve` prove that the database accepts writes by
-- writing this one row in a transaction they roll back (store/health.go).
CREATE TABLE write_probe (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE write_probe;
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN token_hash TO token;
