-- +goose Up
-- A unit's results read the answers, flags, comment and day of its
-- responses in id order (store.ResponseAnswers). This index holds every
-- column that read needs, in that order, so that vacuumed pages are read
-- from the index alone and no sort is needed.
CREATE INDEX responses_unit_answers_idx ON responses (org_unit_id, instrument_id, id) INCLUDE (day, flags, answers, comment);

-- +goose Down
DROP INDEX responses_unit_answers_idx;
