package store

import (
	"context"
	"fmt"
)

// listAll runs query through q and reads every row with scan, for the
// lists read whole; plural and one name the rows in errors ("users",
// "a user").
func listAll[T any](ctx context.Context, q queryer, plural, one string, scan func(row interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list %s: %w", plural, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read %s: %w", one, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
