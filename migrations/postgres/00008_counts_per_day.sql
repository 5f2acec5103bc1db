-- +goose Up
-- The count table keeps one row per instrument, unit and day instead of one
-- per question: a response then changes one row, not one per question (see
-- store/counts.go). counts holds, for each question in form order, not
-- applicable and levels 1..5 of clean responses, then the same of flagged
-- ones.
DROP TABLE response_counts;
CREATE TABLE response_counts (
    instrument_id BIGINT NOT NULL REFERENCES instruments (id),
    org_unit_id   BIGINT NOT NULL REFERENCES org_units (id),
    day           DATE NOT NULL,
    counts        INTEGER[] NOT NULL,
    PRIMARY KEY (instrument_id, org_unit_id, day)
);

-- Rebuilt from the stored responses, the source of truth: answers holds one
-- digit per question in form order.
WITH sums AS (
    SELECT r.instrument_id, r.org_unit_id, r.day,
           (q.i - 1) * 12 + CASE WHEN r.flags <> '' THEN 6 ELSE 0 END + substr(r.answers, q.i, 1)::integer AS slot,
           COUNT(*) AS n
    FROM responses r CROSS JOIN LATERAL generate_series(1, length(r.answers)) AS q(i)
    GROUP BY 1, 2, 3, 4
), groups AS (
    SELECT instrument_id, org_unit_id, day, MAX(length(answers)) AS questions FROM responses GROUP BY 1, 2, 3
)
INSERT INTO response_counts (instrument_id, org_unit_id, day, counts)
SELECT g.instrument_id, g.org_unit_id, g.day, array_agg(COALESCE(s.n, 0)::integer ORDER BY x.slot)
FROM groups g CROSS JOIN LATERAL generate_series(0, 12 * g.questions - 1) AS x(slot)
LEFT JOIN sums s ON s.instrument_id = g.instrument_id AND s.org_unit_id = g.org_unit_id AND s.day = g.day AND s.slot = x.slot
GROUP BY g.instrument_id, g.org_unit_id, g.day;

-- +goose Down
-- The former layout needs the question codes, which only the instruments'
-- sources hold: it comes back empty.
DROP TABLE response_counts;
CREATE TABLE response_counts (
    instrument_id BIGINT NOT NULL REFERENCES instruments (id),
    org_unit_id   BIGINT NOT NULL REFERENCES org_units (id),
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
);
