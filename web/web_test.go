package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parindex"
	"parindex/config"
	"parindex/demo"
	"parindex/password"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/web"
)

// cheap keeps password hashing fast in tests; the server uses it for new
// hashes too.
var cheap = password.Params{MemoryKiB: 64, Time: 1, Threads: 1}

const testPassword = "mat-khau-thu-nghiem"

type testServer struct {
	URL string
	DB  *store.DB
	Srv *web.Server
}

// newTestServer serves the demo organisation tree and one account per role
// from a real database on a real port.
func newTestServer(t *testing.T, db *store.DB) *testServer {
	t.Helper()
	return newTestServerWith(t, db, nil)
}

// newTestServerWith is newTestServer with more settings (config flags).
func newTestServerWith(t *testing.T, db *store.DB, settings map[string]string) *testServer {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ImportOrgUnits(ctx, parindex.Actor{Name: "test"}, "", demo.OrgRows(), ""); err != nil {
		t.Fatal(err)
	}
	addUsers(t, db,
		&parindex.User{Username: "admin", DisplayName: "Quản trị", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}},
		&parindex.User{Username: "viewer", DisplayName: "Lãnh đạo", Grants: []parindex.RoleGrant{{Role: parindex.RoleViewer}}},
		&parindex.User{Username: "snv.editor", DisplayName: "Cán bộ SNV", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "SNV"}}},
		&parindex.User{Username: "snv.leader", DisplayName: "Lãnh đạo SNV", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyLeader, UnitCode: "SNV"}}},
		&parindex.User{Username: "appraiser", DisplayName: "Thẩm định", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "2"}}},
		&parindex.User{Username: "noroles", DisplayName: "Chưa có vai trò"},
	)
	flags := map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}
	for k, v := range settings {
		flags[k] = v
	}
	return serveOn(t, db, flags)
}

// addUsers creates users, by the actor "test", each with the test password.
func addUsers(t *testing.T, db *store.DB, users ...*parindex.User) {
	t.Helper()
	hash, err := password.Hash(testPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := db.CreateUser(context.Background(), parindex.Actor{Name: "test"}, u, hash); err != nil {
			t.Fatal(err)
		}
	}
}

// seedDemo adds the demo province's data, as demo.Seed does, to a database
// newTestServer has set up.
func seedDemo(t *testing.T, db *store.DB, opts demo.Options) {
	t.Helper()
	if _, err := demo.Seed(context.Background(), db, opts); err != nil {
		t.Fatal(err)
	}
}

// seedingClock sets db's clock to 10:00 on 20 December 2026 in Vietnam, the
// day the demo is seeded as of, while the returned switch is on, and to the
// real clock, which sessions need, while it is off (as it starts). A
// server's live broker reads the clock all along, so the clock is set
// before the server starts and switched through an atomic rather than
// replaced.
func seedingClock(db *store.DB) *atomic.Bool {
	var seeding atomic.Bool
	db.Now = func() time.Time {
		if seeding.Load() {
			return time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC)
		}
		return time.Now()
	}
	return &seeding
}

// eachServer runs fn once on each database storetest.Each opens, against
// the server open sets up on it (newTestServer, newTestServerOnMetricsDay,
// newE2EServer, …).
func eachServer(t *testing.T, open func(*testing.T, *store.DB) *testServer, fn func(t *testing.T, ts *testServer)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fn(t, open(t, db))
	})
}

// serveOn starts another server over a database already set up by
// newTestServer: nothing it caches is shared with the first.
func serveOn(t *testing.T, db *store.DB, flags map[string]string) *testServer {
	t.Helper()
	if flags == nil {
		flags = map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}
	}
	srv := newWebServer(t, db, flags)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{URL: "http://" + ln.Addr().String(), DB: db, Srv: srv}
}

// newWebServer builds a server over db from flags (config flags), its log
// discarded and its new password hashes cheap.
func newWebServer(tb testing.TB, db *store.DB, flags map[string]string) *web.Server {
	tb.Helper()
	cfg, err := config.Load(flags, func(string) string { return "" })
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	srv.SetPasswordParams(cheap)
	return srv
}

// TestReadyzOnReadOnlyDatabase: a database that answers reads but refuses
// every write (a read-only SQLite file; PostgreSQL sessions read-only by
// default, as on a standby) is not ready: /readyz answers 503 and says why,
// and the log has the driver's detail.
func TestReadyzOnReadOnlyDatabase(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, writable string) {
		ctx := context.Background()
		storetest.MustOpen(t, writable).Close()
		db, err := store.Open(ctx, storetest.ReadOnlyURL(t, writable))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		cfg, err := config.Load(map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		var logs safeBuffer
		srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || string(body) != "database is read-only\n" {
			t.Errorf("/readyz on a read-only database = %d %q, want 503 \"database is read-only\"", resp.StatusCode, body)
		}
		if !strings.Contains(logs.String(), "read-only") {
			t.Errorf("the log does not say why:\n%s", logs.String())
		}
	})
}

// safeBuffer collects a server's log, written from its handlers' goroutines.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client is one browser: its own cookies, no automatic redirects.
type client struct {
	t    *testing.T
	http *http.Client
	base string
}

func (ts *testServer) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: ts.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(body), resp.Header, resp.Header.Get("Location")}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(username, pw string) response {
	c.t.Helper()
	return c.post("/login", url.Values{"username": {username}, "password": {pw}})
}

func (c *client) mustLogin(username string) {
	c.t.Helper()
	if r := c.login(username, testPassword); r.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
}

func sessionCookie(c *client) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "parindex_session" {
			return ck.Value
		}
	}
	return ""
}

func countAudit(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantNoNewAudit reports what (a refused or repeated request, in words)
// when the audit log no longer holds exactly before rows.
func wantNoNewAudit(t *testing.T, db *store.DB, before int, what string) {
	t.Helper()
	if n := countAudit(t, db); n != before {
		t.Errorf("%s wrote %d audit rows", what, n-before)
	}
}

// newTestServerOnMetricsDay is newTestServer with the database's clock at
// 10:00 on 26/11/2026 in Vietnam: the metrics and API tests' expected
// periods, deadlines and audit times assume that day.
func newTestServerOnMetricsDay(t *testing.T, db *store.DB) *testServer {
	t.Helper()
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
	return newTestServer(t, db)
}

// wantStatus GETs path and reports what (the request in words) when the
// answer's status is not want.
func (c *client) wantStatus(t *testing.T, path string, want int, what string) {
	t.Helper()
	if r := c.get(path); r.Status != want {
		t.Errorf("%s = %d", what, r.Status)
	}
}

// loggedIn is a new client signed in as username with the test password.
func (ts *testServer) loggedIn(t *testing.T, username string) *client {
	t.Helper()
	c := ts.client(t)
	c.mustLogin(username)
	return c
}
