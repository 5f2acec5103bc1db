package store

import (
	"context"
	"database/sql"
	"fmt"

	"parindex"
)

// LatestResponseID returns the highest response id (0 when there are none):
// a cheap fingerprint of the responses table that the dashboards use to
// know whether cached survey figures are still current. Response ids only
// grow, and a response's flags are set when it is stored.
func (db *DB) LatestResponseID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM responses`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: unable to read the latest response id: %w", err)
	}
	return id, nil
}

// ResponseTally is a number of responses and how many of them are flagged.
type ResponseTally struct {
	Day       parindex.Date // per-day tallies only
	UnitID    int64         // per-unit tallies only
	Responses int
	Flagged   int
}

// ResponsesPerDay counts responses (all instruments) per day between from
// and to inclusive, in day order.
func (db *DB) ResponsesPerDay(ctx context.Context, from, to parindex.Date) ([]ResponseTally, error) {
	var out []ResponseTally
	var day parindex.Date
	err := db.eachTally(ctx, "day", from, to, &day, func(responses, flagged int) {
		if n := len(out); n > 0 && out[n-1].Day == day {
			out[n-1].Responses += responses
			out[n-1].Flagged += flagged
			return
		}
		out = append(out, ResponseTally{Day: day, Responses: responses, Flagged: flagged})
	})
	return out, err
}

// ResponsesPerUnit counts responses (all instruments) per unit between from
// and to inclusive, keyed by unit id.
func (db *DB) ResponsesPerUnit(ctx context.Context, from, to parindex.Date) (map[int64]ResponseTally, error) {
	out := map[int64]ResponseTally{}
	var unit int64
	err := db.eachTally(ctx, "org_unit_id", from, to, &unit, func(responses, flagged int) {
		t := out[unit]
		t.UnitID, t.Responses, t.Flagged = unit, t.Responses+responses, t.Flagged+flagged
		out[unit] = t
	})
	return out, err
}

// eachTally reads the count table's rows between from and to inclusive in
// the order of column group, scanning group into key and calling each with
// their responses (flagged included) and the flagged ones. A response answers every question of
// its form once (not applicable counts), so its first question's counts
// count the responses. The survey monitor read the raw responses of its
// thirty days at every view: under 2,000 submissions a second, hundreds of
// thousands of rows (issue 23); the count table holds one row per
// instrument, unit and day.
func (db *DB) eachTally(ctx context.Context, group string, from, to parindex.Date, key any, each func(responses, flagged int)) error {
	if db.dialect == Postgres {
		rows, err := db.db.QueryContext(ctx, `SELECT `+group+`,
			SUM(counts[1] + counts[2] + counts[3] + counts[4] + counts[5] + counts[6]),
			SUM(counts[7] + counts[8] + counts[9] + counts[10] + counts[11] + counts[12])
			FROM response_counts WHERE day >= $1 AND day <= $2 GROUP BY `+group+` ORDER BY `+group, from, to)
		if err != nil {
			return fmt.Errorf("store: unable to count responses by %s: %w", group, err)
		}
		defer rows.Close()
		for rows.Next() {
			var clean, flagged int
			if err := rows.Scan(key, &clean, &flagged); err != nil {
				return fmt.Errorf("store: unable to read responses by %s: %w", group, err)
			}
			each(clean+flagged, flagged)
		}
		return rows.Err()
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+group+`, counts FROM response_counts
		WHERE day >= $1 AND day <= $2 ORDER BY `+group, from, to)
	if err != nil {
		return fmt.Errorf("store: unable to count responses by %s: %w", group, err)
	}
	defer rows.Close()
	var raw sql.RawBytes
	var first []int64
	for rows.Next() {
		if err := rows.Scan(key, &raw); err != nil {
			return fmt.Errorf("store: unable to read responses by %s: %w", group, err)
		}
		clear(first)
		if first, err = parseCounts(raw, first, countSlots); err != nil {
			return err
		}
		var clean, flagged int64
		for v := range countSlots / 2 {
			clean, flagged = clean+first[v], flagged+first[countSlots/2+v]
		}
		each(int(clean+flagged), int(flagged))
	}
	return rows.Err()
}
