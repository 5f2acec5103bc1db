-- +goose Up
-- A link DoHA marks as independent (its own interviewers, a sample it
-- drew) is the yardstick the counter-integrity check compares a unit's other
-- QR links with (integrity/, issue 22). Paper forms are not stored by batch,
-- so only links can be marked.
ALTER TABLE survey_links ADD COLUMN independent BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE survey_links DROP COLUMN independent;
