package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"parindex/store"
	"parindex/store/storetest"
)

// TestSessionFixationPlantedAndStolenTokens extends TestLoginRenewLogout:
// a token planted before login is not only replaced, it grants nothing
// afterwards; and a real session of the attacker's own account, planted in
// the victim's browser, does not become the victim's session at login and
// is dead on the server afterwards.
func TestSessionFixationPlantedAndStolenTokens(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		u, _ := url.Parse(ts.URL)
		plant := func(c *client, token string) {
			c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: token}})
		}
		sessionRows := func(token string) int { // rows are keyed by the token's SHA-256
			t.Helper()
			sum := sha256.Sum256([]byte(token))
			var n int
			if err := ts.DB.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = $1`, hex.EncodeToString(sum[:])).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// An invented token: after the victim's login, it opens nothing.
		const invented = "planted-token-abcdefghijklmnopqrstuvwxyz012"
		victim := ts.client(t)
		plant(victim, invented)
		victim.mustLogin("admin")
		if got := sessionCookie(victim); got == invented || got == "" {
			t.Fatalf("the session token after login = %q", got)
		}
		if sessionRows(invented) != 0 {
			t.Error("the invented token was stored as a session")
		}
		attacker := ts.client(t)
		plant(attacker, invented)
		for _, path := range []string{"/app", "/admin/users"} {
			if r := attacker.get(path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
				t.Errorf("GET %s with the planted token = %d %q, want the login page", path, r.Status, r.Location)
			}
		}

		// A real session: the attacker logs in as a viewer and plants that
		// token in the victim's browser before the victim logs in as admin.
		attacker = ts.client(t)
		attacker.mustLogin("viewer")
		stolen := sessionCookie(attacker)
		if r := attacker.get("/app"); r.Status != http.StatusOK || sessionRows(stolen) != 1 {
			t.Fatalf("the attacker's own session does not work: %d", r.Status)
		}
		victim = ts.client(t)
		plant(victim, stolen)
		if r := victim.get("/app"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Lãnh đạo") {
			t.Fatalf("the planted real session is not in use before login: %d", r.Status)
		}
		victim.mustLogin("admin")
		if got := sessionCookie(victim); got == stolen {
			t.Fatal("the login kept the planted session token")
		}
		victim.wantStatus(t, "/admin/users", http.StatusOK, "the victim's admin session")
		if sessionRows(stolen) != 0 {
			t.Error("the planted token still has a session row after the login")
		}
		for _, path := range []string{"/admin/users", "/app"} {
			if r := attacker.get(path); r.Status != http.StatusSeeOther {
				t.Errorf("GET %s with the token planted before the admin's login = %d, want a redirect to the login", path, r.Status)
			}
		}
	})
}

// sessionTexts returns every value of every row of the sessions table as
// text, whatever its columns are called.
func sessionTexts(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, row := range storetest.Rows(t, db, `SELECT * FROM sessions`) {
		for _, v := range row {
			out = append(out, v)
		}
	}
	return out
}

// TestSessionTokensHashedAtRest: the sessions table keeps the SHA-256 of
// each session cookie, never the cookie itself, so a copy of the database
// (a backup, a replica, a read-only SQL account) opens no session.
func TestSessionTokensHashedAtRest(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		u, _ := url.Parse(ts.URL)
		c := ts.loggedIn(t, "admin")
		cookie := sessionCookie(c)
		if cookie == "" {
			t.Fatal("no session cookie after login")
		}
		sum := sha256.Sum256([]byte(cookie))
		hashed := hex.EncodeToString(sum[:])
		texts := sessionTexts(t, ts.DB)
		for _, v := range texts {
			if strings.Contains(v, cookie) {
				t.Fatalf("the sessions table holds the cookie value %q", cookie)
			}
		}
		if !slices.Contains(texts, hashed) {
			t.Fatalf("the sessions table does not hold the cookie's SHA-256 %s: %q", hashed, texts)
		}
		if r := c.get("/admin/users"); r.Status != http.StatusOK {
			t.Fatalf("the hashed session does not work: %d", r.Status)
		}
		// A thief with a copy of the table sends the stored key as a cookie.
		thief := ts.client(t)
		thief.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: hashed}})
		for _, path := range []string{"/app", "/admin/users"} {
			if r := thief.get(path); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
				t.Errorf("GET %s with the stored key as the cookie = %d %q, want the login page", path, r.Status, r.Location)
			}
		}
		// Logging out deletes the row that the cookie's hash names.
		if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("logout = %d", r.Status)
		}
		if slices.Contains(sessionTexts(t, ts.DB), hashed) {
			t.Error("the session row is still there after logout")
		}
	})
}
