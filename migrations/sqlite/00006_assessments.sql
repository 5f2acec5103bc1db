-- +goose Up
-- Self-assessment and appraisal (docs/assessment.md): one assessment per
-- agency and published framework, moving through the states of the yearly
-- cycle; the agency's entries per leaf, the metric values it reports, the
-- appraisers' decisions per leaf and round, DoHA's deadlines per stage, and
-- the evidence files (their bytes live under the data directory by SHA-256).
-- Every change is audited in audit_log by the store.
CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    framework_id   INTEGER NOT NULL REFERENCES frameworks (id),
    org_unit_id    INTEGER NOT NULL REFERENCES org_units (id),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'appraisal_1', 'explanation', 'appraisal_2', 'final')),
    -- DoHA's extension of the current stage's deadline for this agency only;
    -- cleared at every change of state.
    reopened_until DATE,
    reopen_reason  TEXT NOT NULL DEFAULT '',
    submitted_at   TIMESTAMP,
    submitted_by   TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (framework_id, org_unit_id)
);
CREATE INDEX assessments_unit_idx ON assessments (org_unit_id);

-- The agency's input for one leaf: points (assessed) or an amount (bonus,
-- penalty), a yes/no answer (boolean), or "does not apply"; a note, and
-- the explanation written in the explanation stage.
CREATE TABLE assessment_entries (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    node_code      TEXT NOT NULL,
    points         REAL,
    answer         BOOLEAN,
    not_applicable BOOLEAN NOT NULL DEFAULT FALSE,
    note           TEXT NOT NULL DEFAULT '',
    explanation    TEXT NOT NULL DEFAULT '',
    explained_at   TIMESTAMP,
    explained_by   TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMP NOT NULL,
    updated_by     TEXT NOT NULL,
    UNIQUE (assessment_id, node_code)
);

-- Metric values the agency reports (numerators, denominators, counts), one
-- per metric name: a metric read by several leaves has one value. An
-- appraiser's correction is kept beside the reported value.
CREATE TABLE assessment_metrics (
    id              INTEGER PRIMARY KEY,
    assessment_id   INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    metric          TEXT NOT NULL,
    value           REAL NOT NULL,
    appraised_value REAL,
    updated_at      TIMESTAMP NOT NULL,
    updated_by      TEXT NOT NULL,
    UNIQUE (assessment_id, metric)
);

-- One appraiser's decision on one leaf in one round, holding the whole
-- resulting value (an accepted score copies the value it accepted).
CREATE TABLE appraisals (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    node_code      TEXT NOT NULL,
    round          INTEGER NOT NULL CHECK (round IN (1, 2)),
    decision       TEXT NOT NULL CHECK (decision IN ('accepted', 'adjusted')),
    points         REAL,
    answer         BOOLEAN,
    not_applicable BOOLEAN NOT NULL DEFAULT FALSE,
    metrics_json   TEXT NOT NULL DEFAULT '',
    comment        TEXT NOT NULL DEFAULT '',
    appraiser      TEXT NOT NULL,
    decided_at     TIMESTAMP NOT NULL,
    UNIQUE (assessment_id, node_code, round)
);

-- DoHA's deadline for each stage of a framework's cycle.
CREATE TABLE assessment_deadlines (
    id           INTEGER PRIMARY KEY,
    framework_id INTEGER NOT NULL REFERENCES frameworks (id),
    stage        TEXT NOT NULL CHECK (stage IN ('self_assessment', 'appraisal_1', 'explanation', 'appraisal_2')),
    due          DATE NOT NULL,
    set_at       TIMESTAMP NOT NULL,
    set_by       TEXT NOT NULL,
    UNIQUE (framework_id, stage)
);

-- Evidence files (tài liệu kiểm chứng) of one leaf. The bytes are stored
-- once per content under the data directory, named by their SHA-256, or in
-- content when the writer knows no data directory (the demo); a removed
-- file keeps its row (removed_at) for the record.
CREATE TABLE evidence_files (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    node_code     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0),
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    uploaded_at   TIMESTAMP NOT NULL,
    uploaded_by   TEXT NOT NULL,
    removed_at    TIMESTAMP,
    removed_by    TEXT NOT NULL DEFAULT '',
    content       BLOB
);
CREATE INDEX evidence_files_assessment_idx ON evidence_files (assessment_id, node_code);
CREATE INDEX evidence_files_sha_idx ON evidence_files (sha256);

-- +goose Down
DROP TABLE evidence_files;
DROP TABLE assessment_deadlines;
DROP TABLE appraisals;
DROP TABLE assessment_metrics;
DROP TABLE assessment_entries;
DROP TABLE assessments;
