-- +goose Up
CREATE TABLE org_types (
    code       TEXT PRIMARY KEY,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
);

INSERT INTO org_types (code, name_vi, name_en, sort_order) VALUES
    ('province',        'Tỉnh',                               'Province',              1),
    ('department',      'Sở, ban, ngành',                     'Department',            2),
    ('commune',         'Xã',                                 'Commune',               3),
    ('ward',            'Phường',                             'Ward',                  4),
    ('district',        'Huyện, thị xã (trước 01/7/2025)',    'District (before 2025)', 5),
    ('one_stop_centre', 'Trung tâm phục vụ hành chính công',  'One-stop centre',       6),
    ('other',           'Khác',                               'Other',                 7);

CREATE TABLE org_units (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL REFERENCES org_types (code),
    parent_id  INTEGER REFERENCES org_units (id),
    valid_from DATE NOT NULL,
    valid_to   DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX org_units_parent_idx ON org_units (parent_id);

-- One successor per unit: a merge maps many old units to one new unit.
CREATE TABLE org_successors (
    predecessor_id INTEGER PRIMARY KEY REFERENCES org_units (id),
    successor_id   INTEGER NOT NULL REFERENCES org_units (id),
    CHECK (predecessor_id <> successor_id)
);
CREATE INDEX org_successors_successor_idx ON org_successors (successor_id);

-- Append-only record of every official change, written in the transaction of the change.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE org_successors;
DROP TABLE org_units;
DROP TABLE org_types;
