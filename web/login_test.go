package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parindex/store"
	"parindex/store/storetest"
	"parindex/web"
)

// TestLoginNextStaysOnSite logs in with the right password and each target
// of the open-redirect corpus as next: the answer sends the browser to /app,
// never off the site. The language switch, which takes the same next, sends
// it to /. The app's own targets come back unchanged.
func TestLoginNextStaysOnSite(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		for _, next := range web.HostileNext {
			c := ts.client(t)
			// (A NUL in the query is refused outright, 400, by refuseNUL.)
			if r := c.get("/login?next=" + url.QueryEscape(next)); r.Status != http.StatusBadRequest &&
				(r.Status != http.StatusOK || !strings.Contains(r.Body, `name="next" value=""`)) {
				t.Errorf("GET /login?next=%q keeps the target in the form (%d)", next, r.Status)
			}
			r := c.post("/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {next}})
			if r.Status != http.StatusSeeOther || r.Location != "/app" {
				t.Errorf("login with next=%q = %d, Location %q; want /app", next, r.Status, r.Location)
			}
			if r := c.post("/lang", url.Values{"lang": {"vi"}, "next": {next}}); r.Status != http.StatusSeeOther || r.Location != "/" {
				t.Errorf("POST /lang with next=%q = %d, Location %q; want /", next, r.Status, r.Location)
			}
		}
		// The red team's request, byte for byte: %09 in the form body is a tab
		// in the value, and browsers read "/\t/evil.example" as "//evil.example".
		for _, body := range []string{
			"username=viewer&password=" + testPassword + "&next=/%09/evil.example",
			"username=viewer&password=" + testPassword + "&next=/%5Cevil.example",
			"username=viewer&password=" + testPassword + "&next=/%252F%252F/evil.example",
		} {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := ts.client(t).do(req); r.Status != http.StatusSeeOther || r.Location != "/app" {
				t.Errorf("POST /login %q = %d, Location %q; want /app", body, r.Status, r.Location)
			}
		}
		for _, next := range web.LegitimateNext {
			c := ts.client(t)
			r := c.post("/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {next}})
			if r.Status != http.StatusSeeOther || r.Location != next {
				t.Errorf("login with next=%q = %d, Location %q; want it unchanged", next, r.Status, r.Location)
			}
		}
	})
}

// --- login throttling (docs/security.md) ---------------------------------------

// throttleServer starts the test server behind a trusted proxy, so that a
// client names its address in X-Forwarded-For, with a clock the test moves.
func throttleServer(t *testing.T, db *store.DB) (*testServer, *testClock) {
	t.Helper()
	clock := &testClock{}
	clock.ns.Store(time.Now().UTC().Truncate(time.Second).UnixNano())
	db.Now = clock.now
	return newTestServerWith(t, db, map[string]string{"trusted-proxies": "127.0.0.1"}), clock
}

// testClock is the store clock of a throttling test; moved with advance,
// never by sleeping. Atomic: the server reads it from its own goroutines.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *testClock) advanceSeconds(header string) {
	n, _ := strconv.Atoi(header)
	c.advance(time.Duration(n) * time.Second)
}

// from is a new browser at a client address.
func (ts *testServer) from(t *testing.T, ip string) *client {
	c := ts.client(t)
	c.http.Transport = forwardedFor{ip}
	return c
}

type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", f.ip)
	return http.DefaultTransport.RoundTrip(req)
}

func retryAfter(r response) int {
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		return -1
	}
	return n
}

// TestLoginGuessingDoesNotLockOutTheAdmin: an attacker guessing the
// administrator's password 50 times from an address of their own used to
// lock the account for everyone (five failures, 15 minutes, extended by
// every further attempt). Now the administrator logs in at once from the
// office, where the account logged in yesterday, and from a new address
// once the account's short delay has passed.
func TestLoginGuessingDoesNotLockOutTheAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts, clock := throttleServer(t, db)
		const office, attacker, home = "192.0.2.10", "203.0.113.66", "198.51.100.20"
		if r := ts.from(t, office).login("admin", testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("yesterday's login from the office = %d", r.Status)
		}
		clock.advance(24 * time.Hour)

		guesser := ts.from(t, attacker)
		attack := func() {
			t.Helper()
			statuses := map[int]int{}
			for i := 0; i < 50; i++ {
				r := guesser.login("admin", "doan-mat-khau-"+strconv.Itoa(i))
				statuses[r.Status]++
			}
			if statuses[http.StatusUnauthorized] != 5 || statuses[http.StatusTooManyRequests] != 45 {
				t.Errorf("50 quick guesses answered %v, want 5 × 401 then 45 × 429", statuses)
			}
		}
		attack()
		if r := ts.from(t, office).login("admin", testPassword); r.Status != http.StatusSeeOther || r.Location != "/app" {
			t.Errorf("the admin at the office during the attack = %d %q, want 303 to /app", r.Status, r.Location)
		}
		// That success reset the account. Guessing again, the attacker gets
		// five failures, then waits; from an address the account never used,
		// the admin waits for the same delay (one second), and only that.
		attack()
		newPlace := ts.from(t, home)
		r := newPlace.login("admin", testPassword)
		if r.Status != http.StatusTooManyRequests || retryAfter(r) != 1 {
			t.Fatalf("the admin from a new address during the delay = %d, Retry-After %q; want 429 and 1", r.Status, r.Header.Get("Retry-After"))
		}
		clock.advanceSeconds(r.Header.Get("Retry-After"))
		if r := newPlace.login("admin", testPassword); r.Status != http.StatusSeeOther {
			t.Errorf("the admin from a new address after the delay = %d, want 303", r.Status)
		}
		// The attacker starts again from the free failures, not from a lock.
		if r := guesser.login("admin", "mot-lan-nua"); r.Status != http.StatusUnauthorized {
			t.Errorf("a guess after the admin's login = %d, want 401", r.Status)
		}
	})
}

// TestLoginDelaysGrowAndRefusedAttemptsDoNotCount: after five free
// failures each failure doubles the wait (1 s, 2 s, 4 s … 15 min). An
// attempt during the wait is answered 429 with Retry-After and a
// Vietnamese message, is not checked, is audited as login.throttled, and
// does not count: the wait does not grow from it. The old code answered
// the sixth attempt with a 15-minute lock that every attempt extended.
func TestLoginDelaysGrowAndRefusedAttemptsDoNotCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts, clock := throttleServer(t, db)
		ctx := context.Background()
		c := ts.from(t, "203.0.113.7")
		before := tableCounts(t, db)
		failures, refused := 0, 0
		fail := func() {
			t.Helper()
			if r := c.login("viewer", "sai-mat-khau"); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", failures+1, r.Status)
			}
			failures++
		}
		for i := 0; i < 5; i++ {
			fail()
		}
		for _, want := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900} {
			// Hammering during the wait: refused, even with the right password, and not counted.
			for i := 0; i < 3; i++ {
				pw := "sai-mat-khau"
				if i == 2 {
					pw = testPassword
				}
				r := c.login("viewer", pw)
				if r.Status != http.StatusTooManyRequests || retryAfter(r) != want {
					t.Fatalf("after %d failures: %d, Retry-After %q; want 429 and %d", failures, r.Status, r.Header.Get("Retry-After"), want)
				}
				says := "Vui lòng thử lại sau " + strconv.Itoa(want) + " giây (lúc "
				if want >= 60 {
					says = "Vui lòng thử lại sau " + strconv.Itoa((want+59)/60) + " phút (lúc "
				}
				if !strings.Contains(r.Body, says) {
					t.Fatalf("the 429 page does not say %q:\n%s", says, r.Body)
				}
				refused++
			}
			clock.advance(time.Duration(want)*time.Second - time.Millisecond)
			if r := c.login("viewer", "sai-mat-khau"); r.Status != http.StatusTooManyRequests || retryAfter(r) != 1 {
				t.Fatalf("a millisecond before the end of a %d s wait: %d, Retry-After %q", want, r.Status, r.Header.Get("Retry-After"))
			}
			refused++
			clock.advance(time.Millisecond)
			fail()
		}
		// The right password after the wait; the success resets the account.
		r := c.login("viewer", "x")
		clock.advanceSeconds(r.Header.Get("Retry-After"))
		refused++
		if r := c.login("viewer", testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("the right password after the wait = %d", r.Status)
		}
		for i := 0; i < 5; i++ {
			fail()
		}

		after := tableCounts(t, db)
		if diff := diffCounts(before, after); len(diff) != 3 {
			t.Errorf("tables written = %v, want audit_log, login_attempts and sessions", diff)
		}
		if n := after["login_attempts"] - before["login_attempts"]; n != failures+1 {
			t.Errorf("%d login attempts stored, want the %d failures and the success: refused attempts are not counted", n, failures)
		}
		if n := after["audit_log"] - before["audit_log"]; n != failures+refused {
			t.Errorf("%d audit rows, want %d failures and %d refusals", n, failures, refused)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectType: "user", ObjectID: "viewer", Limit: 1000})
		byAction := map[string]int{}
		for _, a := range audit {
			if !strings.HasPrefix(a.Action, "login.") {
				continue
			}
			byAction[a.Action]++
			if !strings.Contains(a.After, "203.0.113.7") {
				t.Errorf("audit row %s lacks the client address: %s", a.Action, a.After)
			}
		}
		if byAction["login.failed"] != failures || byAction["login.throttled"] != refused {
			t.Errorf("audit = %v, want %d login.failed and %d login.throttled", byAction, failures, refused)
		}
	})
}

// TestLoginAddressLimitSparesKnownAccounts: twenty failures from one
// address (an office behind one NAT, or someone trying many usernames)
// delay the next attempt from there for any account that has not logged in
// from that address within 30 days; an account that has is judged by its
// own failures only. The old code locked the whole address out.
func TestLoginAddressLimitSparesKnownAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts, clock := throttleServer(t, db)
		const office = "192.0.2.50"
		if r := ts.from(t, office).login("snv.leader", testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("the leader's earlier login = %d", r.Status)
		}
		clock.advance(29 * 24 * time.Hour)
		sprayer := ts.from(t, office)
		for i := 0; i < 20; i++ {
			if r := sprayer.login("khong-co-"+strconv.Itoa(i), "x"); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d from the address = %d, want 401", i+1, r.Status)
			}
		}
		if r := sprayer.login("khong-co-20", "x"); r.Status != http.StatusTooManyRequests || retryAfter(r) != 1 {
			t.Errorf("the 21st attempt from the address = %d, Retry-After %q; want 429 and 1", r.Status, r.Header.Get("Retry-After"))
		}
		if r := ts.from(t, office).login("noroles", testPassword); r.Status != http.StatusTooManyRequests {
			t.Errorf("an account new to the address = %d, want 429", r.Status)
		}
		if r := ts.from(t, office).login("snv.leader", testPassword); r.Status != http.StatusSeeOther {
			t.Errorf("an account that logged in from the address 29 days ago = %d, want 303", r.Status)
		}
		// The address limit is the only one in the way: elsewhere, at once.
		if r := ts.from(t, "198.51.100.30").login("noroles", testPassword); r.Status != http.StatusSeeOther {
			t.Errorf("the new account from another address = %d, want 303", r.Status)
		}
	})
}
