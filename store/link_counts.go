package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"

	"parindex"
)

// Responses per QR link, in all (link_counts) and per day
// (link_day_counts), added in the transaction that stores them, so that the
// survey monitor reads one row per link. Counting the responses table by
// link grew with every response ever stored: a province's year is millions
// of rows, read at each view of the monitor (issue 23).

// addLinkCounts adds the batch's stored QR forms to their links' counts.
func (db *DB) addLinkCounts(ctx context.Context, tx *sqlx.Tx, rs []*parindex.Response, inserted []bool) error {
	type key struct {
		link int64
		day  parindex.Date
	}
	days := map[key]int{}
	totals := map[int64]int{}
	for i, r := range rs {
		if inserted[i] && r.LinkID != 0 {
			days[key{r.LinkID, r.Day}]++
			totals[r.LinkID]++
		}
	}
	dayKeys := make([]key, 0, len(days))
	for k := range days {
		dayKeys = append(dayKeys, k)
	}
	// One order for every writer, so that concurrent batches lock the
	// same rows in the same order on PostgreSQL.
	sort.Slice(dayKeys, func(i, j int) bool {
		if dayKeys[i].day != dayKeys[j].day {
			return dayKeys[i].day.Before(dayKeys[j].day)
		}
		return dayKeys[i].link < dayKeys[j].link
	})
	links := make([]int64, 0, len(totals))
	for l := range totals {
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool { return links[i] < links[j] })
	totalRows := make([][]any, len(links))
	for i, l := range links {
		totalRows[i] = []any{l, totals[l]}
	}
	if err := db.addResponseCounts(ctx, tx, "link_counts", "link_id", []string{"bigint", "bigint"}, totalRows); err != nil {
		return fmt.Errorf("store: unable to count responses by link: %w", err)
	}
	dayRows := make([][]any, len(dayKeys))
	for i, k := range dayKeys {
		dayRows[i] = []any{k.day, k.link, days[k]}
	}
	if err := db.addResponseCounts(ctx, tx, "link_day_counts", "day, link_id", []string{"date", "bigint", "bigint"}, dayRows); err != nil {
		return fmt.Errorf("store: unable to count responses by link and day: %w", err)
	}
	return nil
}

// addResponseCounts adds rows to the counter table, whose columns are key
// (one or more, as SQL) then responses, with the types given: a row whose
// key the table holds adds its responses to the stored ones. The rows go
// insertChunk to a statement, in the order given, which the callers keep
// the same for every writer so that concurrent batches lock the same rows
// in the same order on PostgreSQL.
func (db *DB) addResponseCounts(ctx context.Context, tx *sqlx.Tx, table, key string, types []string, rows [][]any) error {
	for start := 0; start < len(rows); start += insertChunk {
		set := db.newRows(1, types...)
		for _, r := range rows[start:min(start+insertChunk, len(rows))] {
			set.add(r...)
		}
		values, args := set.clause()
		if _, err := db.txExec(ctx, tx, `INSERT INTO `+table+` (`+key+`, responses) `+values+`
			ON CONFLICT (`+key+`) DO UPDATE SET responses = `+table+`.responses + excluded.responses`, args...); err != nil {
			return err
		}
	}
	return nil
}

// LinkCount is how many responses came through one QR link.
type LinkCount struct {
	Today int64 // on the day asked for
	Total int64
}

// LinkResponseCounts returns the responses of every link (of one unit when
// unitID is not 0) on day and in all, by link id, from the links' counts:
// one row per link that received a response, whatever the number of
// responses stored.
func (db *DB) LinkResponseCounts(ctx context.Context, day parindex.Date, unitID int64) (map[int64]LinkCount, error) {
	query := `SELECT c.link_id, COALESCE(d.responses, 0), c.responses FROM link_counts c
		LEFT JOIN link_day_counts d ON d.day = $1 AND d.link_id = c.link_id`
	args := []any{day}
	if unitID != 0 {
		query += ` JOIN survey_links l ON l.id = c.link_id WHERE l.org_unit_id = $2`
		args = append(args, unitID)
	}
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read responses by link: %w", err)
	}
	defer rows.Close()
	out := map[int64]LinkCount{}
	for rows.Next() {
		var id int64
		var c LinkCount
		if err := rows.Scan(&id, &c.Today, &c.Total); err != nil {
			return nil, fmt.Errorf("store: unable to read a link count: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}
