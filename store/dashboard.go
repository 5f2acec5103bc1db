package store

import (
	"context"
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
// and to inclusive, in day order; days without responses are absent.
func (db *DB) ResponsesPerDay(ctx context.Context, from, to parindex.Date) ([]ResponseTally, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT day, COUNT(*), SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END)
		FROM responses WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count responses per day: %w", err)
	}
	defer rows.Close()
	var out []ResponseTally
	for rows.Next() {
		var t ResponseTally
		if err := rows.Scan(&t.Day, &t.Responses, &t.Flagged); err != nil {
			return nil, fmt.Errorf("store: unable to read a day's responses: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ResponsesPerUnit counts responses (all instruments) per unit between from
// and to inclusive, keyed by unit id.
func (db *DB) ResponsesPerUnit(ctx context.Context, from, to parindex.Date) (map[int64]ResponseTally, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT org_unit_id, COUNT(*), SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END)
		FROM responses WHERE day >= $1 AND day <= $2 GROUP BY org_unit_id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count responses per unit: %w", err)
	}
	defer rows.Close()
	out := map[int64]ResponseTally{}
	for rows.Next() {
		var t ResponseTally
		if err := rows.Scan(&t.UnitID, &t.Responses, &t.Flagged); err != nil {
			return nil, fmt.Errorf("store: unable to read a unit's responses: %w", err)
		}
		out[t.UnitID] = t
	}
	return out, rows.Err()
}
