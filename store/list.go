package store

import (
	"context"
	"fmt"
)

// listAll runs query through q and reads every row with scan, for the
// lists read whole; all and one say what failed, for the query and for a
// row ("list users", "read a user").
func listAll[T any](ctx context.Context, q queryer, all, one string, scan func(row interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to %s: %w", all, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to %s: %w", one, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
