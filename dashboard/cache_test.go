package dashboard

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"parindex/store/storetest"
)

// A value stays cached while no response arrives; once outdated (flags or
// links changed, on this server or another) the next read answers with it
// and refreshes it behind, and the read after that has the new value.
func TestFreshCacheOutdate(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	c := newFreshCache[string, int64](0)
	var loads atomic.Int64
	load := func(context.Context) (int64, error) { return loads.Add(1), nil }
	for range 3 {
		if v, err := c.get(ctx, db, "k", load); err != nil || v != 1 {
			t.Fatalf("get = %d, %v; want the first load's 1", v, err)
		}
	}
	c.outdate()
	if v, _ := c.get(ctx, db, "k", load); v != 1 {
		t.Errorf("the first get after outdate = %d, want the stale 1 while it refreshes", v)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, _ := c.get(ctx, db, "k", load)
		if v == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after outdate the value is still %d", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
}
