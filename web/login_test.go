package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex/store"
	"parindex/store/storetest"
	"parindex/web"
)

// TestLoginNextStaysOnSite logs in with the right password and each target
// of the open-redirect corpus as next: the answer sends the browser to /app,
// never off the site. The language switch, which takes the same next, sends
// it to /. The app's own targets come back unchanged.
func TestLoginNextStaysOnSite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
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
