-- +goose Up
-- A unit's results read the answers, flags, comment and day of its
-- responses in id order (store.ResponseAnswers). From the unit-and-day
-- index SQLite fetched each row from the table and sorted them (0.6–0.8 s
-- for a unit's 100,000 responses); this index holds every column that read
-- needs, in that order, so the table is not touched.
CREATE INDEX responses_unit_answers_idx ON responses (org_unit_id, instrument_id, id, day, flags, answers, comment);

-- +goose Down
DROP INDEX responses_unit_answers_idx;
