-- +goose Up
-- The count table keeps one row per instrument, unit and day instead of one
-- per question: a response then changes one row, not one per question (see
-- store/counts.go). counts holds, for each question in form order, not
-- applicable and levels 1..5 of clean responses, then the same of flagged
-- ones.
DROP TABLE response_counts;
CREATE TABLE response_counts (
    instrument_id INTEGER NOT NULL REFERENCES instruments (id),
    org_unit_id   INTEGER NOT NULL REFERENCES org_units (id),
    day           DATE NOT NULL,
    counts        TEXT NOT NULL,
    PRIMARY KEY (instrument_id, org_unit_id, day)
) WITHOUT ROWID;

-- Rebuilt from the stored responses, the source of truth: answers holds one
-- digit per question in form order. counts is the text of an array.
WITH RECURSIVE
q(i) AS (
    SELECT 1 UNION ALL SELECT i + 1 FROM q WHERE i < (SELECT COALESCE(MAX(length(answers)), 0) FROM responses)
), slot(n) AS (
    SELECT 0 UNION ALL SELECT n + 1 FROM slot WHERE n + 1 < 12 * (SELECT COALESCE(MAX(length(answers)), 0) FROM responses)
), sums AS (
    SELECT r.instrument_id, r.org_unit_id, r.day,
           (q.i - 1) * 12 + CASE WHEN r.flags <> '' THEN 6 ELSE 0 END + CAST(substr(r.answers, q.i, 1) AS INTEGER) AS slot,
           COUNT(*) AS n
    FROM responses r JOIN q ON q.i <= length(r.answers)
    GROUP BY 1, 2, 3, 4
), groups AS (
    SELECT instrument_id, org_unit_id, day, MAX(length(answers)) AS questions FROM responses GROUP BY 1, 2, 3
)
INSERT INTO response_counts (instrument_id, org_unit_id, day, counts)
SELECT g.instrument_id, g.org_unit_id, g.day, '{' || group_concat(COALESCE(s.n, 0), ',' ORDER BY slot.n) || '}'
FROM groups g JOIN slot ON slot.n < 12 * g.questions
LEFT JOIN sums s ON s.instrument_id = g.instrument_id AND s.org_unit_id = g.org_unit_id AND s.day = g.day AND s.slot = slot.n
GROUP BY g.instrument_id, g.org_unit_id, g.day;

-- +goose Down
-- The former layout needs the question codes, which only the instruments'
-- sources hold: it comes back empty.
DROP TABLE response_counts;
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
