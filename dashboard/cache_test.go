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
	c := newFreshCache[string, int64](0, 0)
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

// A change told while a value is being read may be missing from it: that
// value is kept, but stale, so the next get refreshes it again.
func TestFreshCacheOutdateDuringRead(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	c := newFreshCache[string, int64](0, 0)
	var loads atomic.Int64
	reading, release := make(chan struct{}), make(chan struct{})
	slow := func(context.Context) (int64, error) {
		n := loads.Add(1)
		if n == 1 {
			close(reading)
			<-release
		}
		return n, nil
	}
	done := make(chan int64)
	go func() {
		v, _ := c.get(ctx, db, "k", slow)
		done <- v
	}()
	<-reading
	c.outdate() // told while the first read runs
	close(release)
	if v := <-done; v != 1 {
		t.Fatalf("the first get = %d, want 1", v)
	}
	c.get(ctx, db, "k", slow) // stale: answers 1, refreshes behind
	deadline := time.Now().Add(5 * time.Second)
	for {
		if v, _ := c.get(ctx, db, "k", slow); v == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a value read across an outdate was kept as fresh")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
