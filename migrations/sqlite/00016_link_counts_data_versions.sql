-- +goose Up
-- Responses per QR link, in all and per day, kept in the transaction that
-- stores them (store/link_counts.go), so that the survey monitor and the
-- agency page read one row per link instead of counting the whole responses
-- table by link (issue 23: 2026-12-07).
CREATE TABLE link_counts (
    link_id   INTEGER NOT NULL PRIMARY KEY REFERENCES survey_links (id),
    responses INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE link_day_counts (
    day       DATE NOT NULL,
    link_id   INTEGER NOT NULL REFERENCES survey_links (id),
    responses INTEGER NOT NULL,
    PRIMARY KEY (day, link_id)
) WITHOUT ROWID;

-- From the stored responses, the source of truth.
INSERT INTO link_counts (link_id, responses)
SELECT link_id, COUNT(*) FROM responses WHERE link_id IS NOT NULL GROUP BY link_id;
INSERT INTO link_day_counts (day, link_id, responses)
SELECT day, link_id, COUNT(*) FROM responses WHERE link_id IS NOT NULL GROUP BY day, link_id;

-- A counter per kind of cached data, raised in the transaction that
-- changes it (store/data_versions.go): a server knows by reading one row
-- whether the metric values, the answer counts or the assessments it cached
-- are current, whichever server wrote.
CREATE TABLE data_versions (
    name    TEXT NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('metrics', 0), ('response_counts', 0), ('assessments', 0);

-- The survey monitor counts its thirty days' responses from the count
-- table (store.ResponsesPerDay, ResponsesPerUnit), not from the responses.
CREATE INDEX response_counts_day_idx ON response_counts (day);

-- +goose Down
DROP INDEX response_counts_day_idx;
DROP TABLE data_versions;
DROP TABLE link_day_counts;
DROP TABLE link_counts;
