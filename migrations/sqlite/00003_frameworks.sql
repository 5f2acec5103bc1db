-- +goose Up
-- Criteria frameworks (bộ tiêu chí): one row per code, holding the canonical
-- YAML (criteria.Marshal) and its hash. A draft may be replaced; a published
-- framework never changes again (the triggers below back up the store).
CREATE TABLE frameworks (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    agency_types TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    source_yaml  TEXT NOT NULL,
    hash         TEXT NOT NULL,
    copied_from  INTEGER REFERENCES frameworks (id),
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL,
    published_at TIMESTAMP,
    published_by TEXT NOT NULL DEFAULT '',
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX frameworks_year_idx ON frameworks (year);

-- +goose StatementBegin
CREATE TRIGGER frameworks_published_no_update BEFORE UPDATE ON frameworks
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published framework cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER frameworks_published_no_delete BEFORE DELETE ON frameworks
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published framework cannot change');
END;
-- +goose StatementEnd

-- How the nodes of a framework continue those of the framework it was
-- copied from, for year-over-year comparison: an old node mapped to a new
-- one (kind mapped), an old node with no successor (dropped, new_node ''),
-- or a node without predecessor (new, old_node '').
CREATE TABLE framework_mappings (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    previous_id  INTEGER NOT NULL REFERENCES frameworks (id),
    old_node     TEXT NOT NULL DEFAULT '',
    new_node     TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('mapped', 'dropped', 'new')),
    CHECK ((kind = 'mapped' AND old_node <> '' AND new_node <> '')
        OR (kind = 'dropped' AND old_node <> '' AND new_node = '')
        OR (kind = 'new' AND old_node = '' AND new_node <> ''))
);
CREATE INDEX framework_mappings_framework_idx ON framework_mappings (framework_id);

-- +goose Down
DROP TABLE framework_mappings;
DROP TABLE frameworks;
