-- +goose Up
-- Arrivals per QR link in five-minute slots, for the counter-integrity
-- burst indicator (integrity/, issue 22; docs/integrity.md). A response
-- keeps only its hour, so bursts cannot be read from responses. A slot is
-- counted as forms arrive and, once closed, kept only if at least three
-- forms arrived in it (store.PurgeQuietSlots): a kept slot speaks of three
-- or more citizens together, never of one. Nothing ties a slot to a
-- response.
CREATE TABLE link_slots (
    link_id   BIGINT NOT NULL REFERENCES survey_links (id),
    slot      TIMESTAMPTZ NOT NULL,
    responses INTEGER NOT NULL,
    PRIMARY KEY (link_id, slot)
);
CREATE INDEX link_slots_quiet_idx ON link_slots (slot) WHERE responses < 3;

-- +goose Down
DROP TABLE link_slots;
