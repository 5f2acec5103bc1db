-- +goose Up
-- A scoring run over the database: the exact inputs scored and the engine's
-- full output, kept as JSON documents, plus one row per unit for queries.
-- A published snapshot is immutable.
CREATE TABLE score_snapshots (
    id             INTEGER PRIMARY KEY,
    framework_code TEXT NOT NULL,
    framework_hash TEXT NOT NULL,
    year           INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    inputs         TEXT NOT NULL,
    results        TEXT NOT NULL,
    seed           BIGINT NOT NULL DEFAULT 0,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL,
    published_at   TIMESTAMP,
    published_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX score_snapshots_framework_idx ON score_snapshots (framework_code, year);

CREATE TABLE snapshot_units (
    snapshot_id   INTEGER NOT NULL REFERENCES score_snapshots (id) ON DELETE CASCADE,
    unit_code     TEXT NOT NULL,
    unit_name     TEXT NOT NULL,
    points        REAL,
    max_points    REAL,
    index_value   REAL,
    index_rounded REAL,
    rank          INTEGER,
    band          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (snapshot_id, unit_code)
);

-- +goose StatementBegin
CREATE TRIGGER score_snapshots_frozen BEFORE UPDATE ON score_snapshots
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published snapshot cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER score_snapshots_kept BEFORE DELETE ON score_snapshots
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published snapshot cannot be deleted');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER snapshot_units_frozen BEFORE UPDATE ON snapshot_units
WHEN (SELECT status FROM score_snapshots WHERE id = OLD.snapshot_id) = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published snapshot cannot change');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER snapshot_units_kept BEFORE DELETE ON snapshot_units
WHEN (SELECT status FROM score_snapshots WHERE id = OLD.snapshot_id) = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published snapshot cannot change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE snapshot_units;
DROP TABLE score_snapshots;
