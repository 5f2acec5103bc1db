-- +goose Up
-- PostgreSQL adds the id to the day indexes of responses, so that the
-- responses browser reads the newest rows in order. SQLite needs nothing:
-- its id is the rowid, which every index already ends with.
SELECT 1;

-- +goose Down
SELECT 1;
