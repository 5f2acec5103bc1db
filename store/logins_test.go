package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

var throttle = parindex.DefaultLoginThrottle

// loginClock is a store clock that a test moves without sleeping.
type loginClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *loginClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *loginClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newLoginClock(db *store.DB) *loginClock {
	c := &loginClock{t: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)}
	db.Now = c.now
	return c
}

// try runs one login attempt through the store as the web handler does:
// BeginLogin, then FinishLogin with ok when it was let through. It returns
// the wait (zero when the attempt was let through).
func try(t *testing.T, db *store.DB, username, ip string, ok bool) time.Duration {
	t.Helper()
	ctx := context.Background()
	a, wait, err := db.BeginLogin(ctx, throttle, username, ip, "req")
	if err != nil {
		t.Fatal(err)
	}
	if wait > 0 {
		if a != nil {
			t.Fatalf("BeginLogin(%s, %s) returned an attempt and a wait", username, ip)
		}
		return wait
	}
	if err := db.FinishLogin(ctx, a, ok); err != nil {
		t.Fatal(err)
	}
	return 0
}

func countQuery(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLoginDelaysGrowWithoutCountingRefusals: five free failures, then
// 1 s, 2 s, 4 s … 15 min before the next attempt; attempts during a wait
// are refused, audited as login.throttled and not stored as attempts, so
// the wait does not grow from them; a success resets the account; a
// failure is forgotten after a day.
func TestLoginDelaysGrowWithoutCountingRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newLoginClock(db)
		const ip = "10.0.0.1"
		for i := 0; i < 5; i++ {
			if w := try(t, db, "an", ip, false); w != 0 {
				t.Fatalf("free failure %d waited %v", i+1, w)
			}
		}
		refused := 0
		for n, want := range []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900} {
			want *= time.Second
			for i := 0; i < 4; i++ {
				if w := try(t, db, "an", ip, i == 3); w != want {
					t.Fatalf("after %d failures: wait %v, want %v", 5+n, w, want)
				}
				refused++
			}
			clock.advance(want / 2)
			if w := try(t, db, "an", ip, false); w != want-want/2 {
				t.Fatalf("half-way through a %v wait: %v", want, w)
			}
			refused++
			clock.advance(want - want/2)
			if w := try(t, db, "an", ip, false); w != 0 {
				t.Fatalf("after a %v wait: still %v", want, w)
			}
		}
		failures := 5 + 13
		if n := countQuery(t, db, `SELECT COUNT(*) FROM login_attempts WHERE username = 'an'`); n != failures {
			t.Errorf("%d attempts stored, want the %d failures only", n, failures)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "user", ObjectID: "an", Limit: 1000})
		byAction := map[string]int{}
		for _, a := range audit {
			byAction[a.Action]++
			if !strings.Contains(a.After, ip) {
				t.Errorf("%s without the address: %s", a.Action, a.After)
			}
		}
		if byAction["login.failed"] != failures || byAction["login.throttled"] != refused || len(byAction) != 2 {
			t.Errorf("audit = %v, want %d login.failed and %d login.throttled", byAction, failures, refused)
		}
		// Other accounts and addresses are not concerned.
		if w := try(t, db, "binh", "10.0.0.2", false); w != 0 {
			t.Errorf("another account elsewhere waits %v", w)
		}

		// A success resets the account: five free failures again.
		clock.advance(15 * time.Minute)
		if w := try(t, db, "an", ip, true); w != 0 {
			t.Fatalf("the right password after the wait: %v", w)
		}
		for i := 0; i < 5; i++ {
			if w := try(t, db, "an", ip, false); w != 0 {
				t.Fatalf("failure %d after a success waited %v", i+1, w)
			}
		}
		if w := try(t, db, "an", ip, false); w != time.Second {
			t.Errorf("after five failures since the success: %v, want 1s", w)
		}
		// A day later the failures no longer count.
		clock.advance(24 * time.Hour)
		if w := try(t, db, "an", "10.0.0.9", false); w != 0 {
			t.Errorf("a day later: %v", w)
		}
	})
}

// TestLoginKnownAddressIgnoresGuessesFromElsewhere: fifty failures of the
// administrator's password from an attacker's address (each after the wait,
// so that all count and the wait is at its ceiling) delay neither the
// administrator at the office, where the account logged in the day before,
// nor anyone once the ceiling has passed.
func TestLoginKnownAddressIgnoresGuessesFromElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newLoginClock(db)
		const office, attacker, home = "192.0.2.10", "203.0.113.66", "198.51.100.20"
		if w := try(t, db, "admin", office, true); w != 0 {
			t.Fatal(w)
		}
		clock.advance(24 * time.Hour)
		for counted := 0; counted < 50; {
			if w := try(t, db, "admin", attacker, false); w > 0 {
				clock.advance(w)
			} else {
				counted++
			}
		}
		if n := countQuery(t, db, `SELECT COUNT(*) FROM login_attempts WHERE client_ip = $1`, attacker); n != 50 {
			t.Fatalf("%d failures stored, want 50", n)
		}
		if w := try(t, db, "admin", home, false); w != 15*time.Minute {
			t.Errorf("from a new address right after the 50th failure: %v, want 15m", w)
		}
		// At the office, where the account is known, only its own failures
		// there count: none.
		if w := try(t, db, "admin", office, true); w != 0 {
			t.Errorf("the admin at the office waits %v", w)
		}
		// That success reset the account for every address.
		if w := try(t, db, "admin", home, true); w != 0 {
			t.Errorf("from a new address after the office login: %v", w)
		}

		// Known or not, an address gets the account's delay from its own
		// failures: guessing from the office is slowed as anywhere else.
		for i := 0; i < 5; i++ {
			try(t, db, "admin", office, false)
		}
		if w := try(t, db, "admin", office, true); w != time.Second {
			t.Errorf("after five failures at the office: %v, want 1s", w)
		}
		// Those office failures delay the other addresses too.
		if w := try(t, db, "admin", attacker, false); w != time.Second {
			t.Errorf("the attacker after the office's failures: %v, want 1s", w)
		}
	})
}

// TestLoginAddressLimit: twenty failures from one address, over many
// usernames, delay the next attempt from there for any account not known
// at that address; an account that logged in from there within 30 days is
// judged by its own failures only. The address's failures are forgotten
// after an hour.
func TestLoginAddressLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newLoginClock(db)
		const office = "192.0.2.50"
		if w := try(t, db, "binh", office, true); w != 0 {
			t.Fatal(w)
		}
		clock.advance(29 * 24 * time.Hour)
		for i := 0; i < 20; i++ {
			if w := try(t, db, fmt.Sprintf("khong-co-%02d", i), office, false); w != 0 {
				t.Fatalf("failure %d from the address waited %v", i+1, w)
			}
		}
		if w := try(t, db, "khong-co-20", office, false); w != time.Second {
			t.Errorf("the 21st attempt from the address: %v, want 1s", w)
		}
		if w := try(t, db, "chi", office, true); w != time.Second {
			t.Errorf("an account new to the address: %v, want 1s", w)
		}
		if w := try(t, db, "binh", office, true); w != 0 {
			t.Errorf("an account known at the address waits %v", w)
		}
		if w := try(t, db, "chi", "192.0.2.51", true); w != 0 {
			t.Errorf("the new account at another address waits %v", w)
		}
		// The address's delays grow as the account's do, to 15 minutes.
		for n, want := range []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900} {
			want *= time.Second
			if w := try(t, db, "khong-co", office, false); w != want {
				t.Fatalf("after %d failures from the address: %v, want %v", 20+n, w, want)
			}
			clock.advance(want)
			if w := try(t, db, fmt.Sprintf("khong-co-lan-%02d", n), office, false); w != 0 {
				t.Fatalf("after the wait: %v", w)
			}
		}
		clock.advance(time.Hour)
		if w := try(t, db, "chi", office, true); w != 0 {
			t.Errorf("an hour after the last failure from the address: %v", w)
		}
		// 31 days after binh's last login from the office, the address is no
		// longer known for the account.
		clock.advance(31 * 24 * time.Hour)
		for i := 0; i < 20; i++ {
			try(t, db, fmt.Sprintf("lai-khong-co-%02d", i), office, false)
		}
		if w := try(t, db, "binh", office, true); w != time.Second {
			t.Errorf("an account whose last login from the address is 31 days old: %v, want 1s", w)
		}
	})
}

// TestLoginParallelGuessesWaitTheirTurn: when a wait ends, a burst of
// parallel guesses is let through one at a time, each seeing the failures
// before it: one guess, not the whole burst.
func TestLoginParallelGuessesWaitTheirTurn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newLoginClock(db)
		for i := 0; i < 4; i++ {
			try(t, db, "an", "203.0.113.1", false)
		}
		const burst = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		through := 0
		for i := 0; i < burst; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ctx := context.Background()
				a, wait, err := db.BeginLogin(ctx, throttle, "an", fmt.Sprintf("203.0.113.%d", 10+i), "req")
				if err != nil {
					t.Error(err)
					return
				}
				if wait == 0 {
					// Checking a password takes a while.
					time.Sleep(20 * time.Millisecond)
					if err := db.FinishLogin(ctx, a, false); err != nil {
						t.Error(err)
					}
					mu.Lock()
					through++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		if through != 1 {
			t.Errorf("%d of %d parallel guesses were let through, want 1 (the fifth free failure)", through, burst)
		}
	})
}
