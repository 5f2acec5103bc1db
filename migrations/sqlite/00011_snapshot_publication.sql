-- +goose Up
-- What a published snapshot was published as, and everything its outputs
-- show beside the engine's result (snapshot.Record: the self-assessed and
-- appraised values, survey figures with n and interval, the preflight),
-- so that scorecards, rankings, dashboards and the API read the snapshot
-- alone. publication is '' for a draft, else 'final', 'final_with_exceptions'
-- or 'provisional'; exceptions lists (JSON) the incomplete items accepted by
-- a final publication. Snapshots published before this migration were
-- published as final without a preflight.
ALTER TABLE score_snapshots ADD COLUMN publication TEXT NOT NULL DEFAULT '';
ALTER TABLE score_snapshots ADD COLUMN exceptions TEXT NOT NULL DEFAULT '';
ALTER TABLE score_snapshots ADD COLUMN publication_note TEXT NOT NULL DEFAULT '';
ALTER TABLE score_snapshots ADD COLUMN record TEXT NOT NULL DEFAULT '';

DROP TRIGGER score_snapshots_frozen;
UPDATE score_snapshots SET publication = 'final' WHERE status = 'published';
-- +goose StatementBegin
CREATE TRIGGER score_snapshots_frozen BEFORE UPDATE ON score_snapshots
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published snapshot cannot change');
END;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE score_snapshots DROP COLUMN record;
ALTER TABLE score_snapshots DROP COLUMN publication_note;
ALTER TABLE score_snapshots DROP COLUMN exceptions;
ALTER TABLE score_snapshots DROP COLUMN publication;
