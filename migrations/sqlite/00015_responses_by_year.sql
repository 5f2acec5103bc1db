-- +goose Up
-- PostgreSQL partitions responses by year in its 00015 (issue 23); SQLite
-- keeps one table, as a file of a province's decade stays small enough,
-- and `survey retention` deletes old rows there. This file keeps the two
-- dialects' numbering in step.
SELECT 1;

-- +goose Down
SELECT 1;
