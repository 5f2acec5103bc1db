-- +goose Up
-- Survey instruments; a published instrument is immutable (edits make a new code).
CREATE TABLE instruments (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    source       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    published_at TIMESTAMP,
    published_by TEXT NOT NULL DEFAULT ''
);

-- A QR link ties an instrument to a unit and a counter.
CREATE TABLE survey_links (
    id            INTEGER PRIMARY KEY,
    token         TEXT NOT NULL UNIQUE,
    instrument_id INTEGER NOT NULL REFERENCES instruments (id),
    org_unit_id   INTEGER NOT NULL REFERENCES org_units (id),
    counter_label TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE INDEX survey_links_unit_idx ON survey_links (org_unit_id);

-- One row per answered form, append-only. Anonymous by construction: no
-- address, user agent or minute; device and dossier only as keyed hashes.
-- answers holds one digit per question in instrument order (0 = not
-- applicable / don't know, 1..5 the scale).
CREATE TABLE responses (
    id              INTEGER PRIMARY KEY,
    link_id         INTEGER REFERENCES survey_links (id),
    instrument_id   INTEGER NOT NULL REFERENCES instruments (id),
    org_unit_id     INTEGER NOT NULL REFERENCES org_units (id),
    submitted_hour  TIMESTAMP NOT NULL,
    day             DATE NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    device_hash     TEXT NOT NULL DEFAULT '',
    dossier_hash    TEXT,
    answers         TEXT NOT NULL,
    profile         TEXT NOT NULL DEFAULT '',
    comment         TEXT NOT NULL DEFAULT '',
    fill_seconds    INTEGER NOT NULL DEFAULT 0,
    flags           TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'qr' CHECK (source IN ('qr', 'paper', 'demo'))
);
CREATE UNIQUE INDEX responses_dossier_idx ON responses (org_unit_id, dossier_hash) WHERE dossier_hash IS NOT NULL;
CREATE INDEX responses_unit_day_idx ON responses (org_unit_id, day);
CREATE INDEX responses_day_idx ON responses (day);
CREATE INDEX responses_link_idx ON responses (link_id);

-- Answer counts per unit, day and question, kept current in the transaction
-- that stores the responses, so results never rescan raw answers. Clean and
-- flagged responses are counted in separate columns of one row.
CREATE TABLE response_counts (
    instrument_id INTEGER NOT NULL REFERENCES instruments (id),
    org_unit_id   INTEGER NOT NULL REFERENCES org_units (id),
    question_code TEXT NOT NULL,
    day           DATE NOT NULL,
    na            BIGINT NOT NULL DEFAULT 0,
    n1            BIGINT NOT NULL DEFAULT 0,
    n2            BIGINT NOT NULL DEFAULT 0,
    n3            BIGINT NOT NULL DEFAULT 0,
    n4            BIGINT NOT NULL DEFAULT 0,
    n5            BIGINT NOT NULL DEFAULT 0,
    flagged_na    BIGINT NOT NULL DEFAULT 0,
    flagged_n1    BIGINT NOT NULL DEFAULT 0,
    flagged_n2    BIGINT NOT NULL DEFAULT 0,
    flagged_n3    BIGINT NOT NULL DEFAULT 0,
    flagged_n4    BIGINT NOT NULL DEFAULT 0,
    flagged_n5    BIGINT NOT NULL DEFAULT 0,
    -- Key order = the order results read it in: an instrument's year is one
    -- range, grouped by unit and question without sorting.
    PRIMARY KEY (instrument_id, org_unit_id, question_code, day)
) WITHOUT ROWID;

-- Devices seen in the last minutes, to flag repeats; rows older than the
-- window are purged. The key is a keyed hash different from
-- responses.device_hash, so the two cannot be joined.
CREATE TABLE device_seen (
    device_key  TEXT NOT NULL,
    org_unit_id INTEGER NOT NULL,
    seen_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (device_key, org_unit_id)
);
CREATE INDEX device_seen_at_idx ON device_seen (seen_at);

-- +goose Down
DROP TABLE device_seen;
DROP TABLE response_counts;
DROP TABLE responses;
DROP TABLE survey_links;
DROP TABLE instruments;
