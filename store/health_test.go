package store_test

import (
	"context"
	"errors"
	"testing"

	"parindex/store"
	"parindex/store/storetest"
)

// CheckWritable passes on a writable database without leaving a row behind,
// and names a read-only one with ErrReadOnly, on both dialects.
func TestCheckWritable(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, writable string) {
		ctx := context.Background()
		db := storetest.MustOpen(t, writable)
		if err := db.CheckWritable(ctx); err != nil {
			t.Fatalf("CheckWritable on a writable database: %v", err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM write_probe`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the probe left %d rows (%v)", n, err)
		}
		db.Close()

		ro, err := store.Open(ctx, storetest.ReadOnlyURL(t, writable))
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if err := ro.Ping(ctx); err != nil {
			t.Fatalf("the read-only database does not answer: %v", err)
		}
		if err := ro.CheckWritable(ctx); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("CheckWritable on a read-only database = %v, want ErrReadOnly", err)
		}
	})
}
