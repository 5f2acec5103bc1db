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
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	hash, err := password.Hash(testPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*parindex.User{
		{Username: "admin", DisplayName: "Quản trị", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}},
		{Username: "viewer", DisplayName: "Lãnh đạo", Grants: []parindex.RoleGrant{{Role: parindex.RoleViewer}}},
		{Username: "snv.editor", DisplayName: "Cán bộ SNV", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "SNV"}}},
		{Username: "snv.leader", DisplayName: "Lãnh đạo SNV", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyLeader, UnitCode: "SNV"}}},
		{Username: "appraiser", DisplayName: "Thẩm định", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "2"}}},
		{Username: "noroles", DisplayName: "Chưa có vai trò"},
	} {
		if err := db.CreateUser(ctx, parindex.Actor{Name: "test"}, u, hash); err != nil {
			t.Fatal(err)
		}
	}
	flags := map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}
	for k, v := range settings {
		flags[k] = v
	}
	return serveOn(t, db, flags)
}

// serveOn starts another server over a database already set up by
// newTestServer: nothing it caches is shared with the first.
func serveOn(t *testing.T, db *store.DB, flags map[string]string) *testServer {
	t.Helper()
	if flags == nil {
		flags = map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir()}
	}
	cfg, err := config.Load(flags, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetPasswordParams(cheap)
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

// TestReadyzOnReadOnlyDatabase: a database that answers reads but refuses
// every write (a read-only SQLite file; PostgreSQL sessions read-only by
// default, as on a standby) is not ready: /readyz answers 503 and says why,
// and the log has the driver's detail.
func TestReadyzOnReadOnlyDatabase(t *testing.T) {
	urls := map[string]func(testing.TB) string{store.SQLite: storetest.SQLiteURL, store.Postgres: storetest.PostgresSchemaURL}
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			writable := urls[dialect](t)
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

func TestLoginRenewLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		c := ts.client(t)

		if r := c.get("/app"); r.Status != http.StatusSeeOther || r.Location != "/login?next=%2Fapp" {
			t.Fatalf("anonymous /app = %d %q", r.Status, r.Location)
		}

		// An attacker plants a session token before login (fixation).
		u, _ := url.Parse(ts.URL)
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: "planted-token-0123456789abcdefghijklmnop"}})

		r := c.login("snv.editor", "wrong password")
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Sai tên đăng nhập hoặc mật khẩu") {
			t.Errorf("wrong password = %d", r.Status)
		}
		audit, _ := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "user", ObjectID: "snv.editor"})
		if len(audit) == 0 || audit[0].Action != "login.failed" {
			t.Errorf("failed login not audited: %+v", audit)
		}

		r = c.post("/login", url.Values{"username": {"SNV.Editor"}, "password": {testPassword}, "next": {"/app/units"}})
		if r.Status != http.StatusSeeOther || r.Location != "/app/units" {
			t.Fatalf("login = %d %q", r.Status, r.Location)
		}
		setCookie := r.Header.Get("Set-Cookie")
		for _, want := range []string{"parindex_session=", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(setCookie, want) {
				t.Errorf("session cookie %q lacks %s", setCookie, want)
			}
		}
		if strings.Contains(setCookie, "Secure") {
			t.Errorf("cookie marked Secure on a plain-http site: %q", setCookie)
		}
		token := sessionCookie(c)
		if token == "" || token == "planted-token-0123456789abcdefghijklmnop" {
			t.Errorf("token not renewed at login: %q", token)
		}
		if r := c.get("/app"); r.Status != 200 || !strings.Contains(r.Body, "Cán bộ SNV") {
			t.Errorf("/app after login = %d", r.Status)
		}
		// An open redirect through ?next is refused.
		c2 := ts.client(t)
		if r := c2.post("/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {"//evil.example/x"}}); r.Location != "/app" {
			t.Errorf("next=//evil.example redirected to %q", r.Location)
		}

		if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
			t.Errorf("logout = %d", r.Status)
		}
		if r := c.get("/app"); r.Status != http.StatusSeeOther {
			t.Errorf("/app after logout = %d", r.Status)
		}
		// The old token is dead on the server, not only forgotten by the browser.
		c3 := ts.client(t)
		c3.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: token}})
		if r := c3.get("/app"); r.Status != http.StatusSeeOther {
			t.Errorf("replayed token after logout = %d", r.Status)
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	ts.Srv.Sessions().IdleTimeout = 700 * time.Millisecond
	c := ts.client(t)
	c.mustLogin("viewer")
	if r := c.get("/app"); r.Status != 200 {
		t.Fatalf("/app = %d", r.Status)
	}
	time.Sleep(1200 * time.Millisecond)
	if r := c.get("/app"); r.Status != http.StatusSeeOther {
		t.Errorf("/app after the idle timeout = %d, want a redirect to login", r.Status)
	}
}

func TestRoleMatrixOverHTTP(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	pages := []string{"/app", "/app/units", "/app/units/SNV", "/app/units/STP", "/admin/users", "/admin/users/new", "/admin/units/new", "/admin/units/SNV/edit", "/admin/audit"}
	want := map[string][]int{
		"admin":      {200, 200, 200, 200, 200, 200, 200, 200, 200},
		"viewer":     {200, 200, 200, 200, 403, 403, 403, 403, 403},
		"appraiser":  {200, 200, 200, 200, 403, 403, 403, 403, 403},
		"snv.editor": {200, 200, 200, 403, 403, 403, 403, 403, 403},
		"snv.leader": {200, 200, 200, 403, 403, 403, 403, 403, 403},
		"noroles":    {200, 200, 403, 403, 403, 403, 403, 403, 403},
	}
	for user, codes := range want {
		c := ts.client(t)
		c.mustLogin(user)
		for i, p := range pages {
			r := c.get(p)
			if r.Status != codes[i] {
				t.Errorf("%s GET %s = %d, want %d", user, p, r.Status, codes[i])
			}
			if r.Status == 403 && strings.Contains(r.Body, "Sở Tư pháp") {
				t.Errorf("%s GET %s: the 403 page leaks the unit", user, p)
			}
		}
		// Agency users see their own agency and nothing else in the tree.
		if strings.HasPrefix(user, "snv.") {
			body := c.get("/app/units").Body
			if !strings.Contains(body, `href="/app/units/SNV"`) || strings.Contains(body, "Sở Tư pháp") || strings.Contains(body, "Tỉnh Minh Giang") {
				t.Errorf("%s sees other units in the tree", user)
			}
			// Probing a code that does not exist looks the same as a forbidden one.
			if r := c.get("/app/units/KHONGCO"); r.Status != 403 {
				t.Errorf("%s GET unknown unit = %d, want 403", user, r.Status)
			}
			for _, form := range []url.Values{{"username": {"x.y.z"}, "display_name": {"X"}}} {
				if r := c.post("/admin/users", form); r.Status != 403 {
					t.Errorf("%s POST /admin/users = %d", user, r.Status)
				}
			}
		}
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	c.mustLogin("admin")
	before := countAudit(t, ts.DB)
	form := url.Values{"username": {"ke.gian"}, "display_name": {"Kẻ gian"}, "role": {"admin"}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := c.do(req); r.Status != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", r.Status)
	}
	if _, _, err := ts.DB.UserCredentials(context.Background(), "ke.gian"); err == nil {
		t.Error("the cross-site POST created a user")
	}
	if n := countAudit(t, ts.DB); n != before {
		t.Errorf("the refused POST wrote %d audit rows", n-before)
	}
}

func TestAdminCreatesAgencyUserWhoSeesOnlyThatAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		admin := ts.client(t)
		admin.mustLogin("admin")
		r := admin.post("/admin/users", url.Values{"username": {"stp.canbo"}, "display_name": {"Cán bộ Tư pháp"},
			"role": {"agency_editor"}, "unit": {"STP"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create user = %d\n%s", r.Status, r.Body)
		}
		m := regexp.MustCompile(`<strong class="code">([A-Za-z0-9]{14})</strong>`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("the new password is not shown once:\n%s", r.Body)
		}
		// A duplicate is refused with 409 and no audit row.
		before := countAudit(t, db)
		if r := admin.post("/admin/users", url.Values{"username": {"stp.canbo"}, "display_name": {"Trùng"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã có") {
			t.Errorf("duplicate = %d", r.Status)
		}
		if n := countAudit(t, db); n != before {
			t.Errorf("a failed change wrote %d audit rows", n-before)
		}

		u := ts.client(t)
		if r := u.login("stp.canbo", m[1]); r.Status != http.StatusSeeOther {
			t.Fatalf("new user login = %d", r.Status)
		}
		home := u.get("/app").Body
		if !strings.Contains(home, `href="/app/units/STP"`) || strings.Contains(home, `href="/app/units/SNV"`) {
			t.Errorf("home of the STP clerk shows the wrong units")
		}
		if r := u.get("/app/units/STP"); r.Status != 200 {
			t.Errorf("own unit = %d", r.Status)
		}
		if r := u.get("/app/units/SNV"); r.Status != 403 {
			t.Errorf("other unit = %d", r.Status)
		}
		if strings.Contains(home, `href="/admin/users"`) || strings.Contains(home, `href="/admin/audit"`) {
			t.Error("the agency clerk's menu shows admin pages")
		}
	})
}

func TestLogoutEverywhereAndDisable(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	phone, desk := ts.client(t), ts.client(t)
	phone.mustLogin("snv.leader")
	desk.mustLogin("snv.leader")
	if r := desk.post("/account/logout-all", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout-all = %d", r.Status)
	}
	if r := phone.get("/app"); r.Status != http.StatusSeeOther {
		t.Errorf("the other device is still logged in: %d", r.Status)
	}

	phone.mustLogin("snv.leader")
	admin := ts.client(t)
	admin.mustLogin("admin")
	u, _, _ := ts.DB.UserCredentials(context.Background(), "snv.leader")
	if r := admin.post("/admin/users/"+itoa(u.ID), url.Values{"do": {"disable"}, "reason": {"chuyển công tác"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable = %d %s", r.Status, r.Body)
	}
	if r := phone.get("/app"); r.Status != http.StatusSeeOther {
		t.Errorf("a disabled user is still logged in: %d", r.Status)
	}
	if r := phone.login("snv.leader", testPassword); r.Status != http.StatusUnauthorized {
		t.Errorf("a disabled user can log in: %d", r.Status)
	}
}

func TestChangePasswordAndLanguage(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	c.mustLogin("viewer")
	if r := c.post("/account/password", url.Values{"current": {"sai"}, "new": {"mat-khau-moi-dai"}}); r.Status != 400 {
		t.Errorf("wrong current password = %d", r.Status)
	}
	if r := c.post("/account/password", url.Values{"current": {testPassword}, "new": {"ngan"}}); r.Status != 400 || !strings.Contains(r.Body, "ít nhất 10") {
		t.Errorf("short new password = %d", r.Status)
	}
	if r := c.post("/account/password", url.Values{"current": {testPassword}, "new": {"mat-khau-moi-dai"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change = %d", r.Status)
	}
	if r := c.get("/account"); r.Status != 200 || !strings.Contains(r.Body, "Đã đổi mật khẩu") {
		t.Errorf("this session did not survive its own password change: %d", r.Status)
	}
	if r := ts.client(t).login("viewer", "mat-khau-moi-dai"); r.Status != http.StatusSeeOther {
		t.Errorf("new password refused: %d", r.Status)
	}

	if r := c.post("/lang", url.Values{"lang": {"en"}, "next": {"/app"}}); r.Status != http.StatusSeeOther || r.Location != "/app" {
		t.Fatalf("switch language = %d %q", r.Status, r.Location)
	}
	if body := c.get("/app").Body; !strings.Contains(body, "Your roles") || !strings.Contains(body, `lang="en"`) {
		t.Error("the page is not in English after the switch")
	}
	// Remembered on the account: a new login elsewhere is in English too.
	other := ts.client(t)
	other.login("viewer", "mat-khau-moi-dai")
	if body := other.get("/app").Body; !strings.Contains(body, "Your roles") {
		t.Error("the language choice is not remembered per user")
	}
}

func TestUserControlledTextIsEscapedEverywhere(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	ctx := context.Background()
	if _, err := ts.DB.ImportOrgUnits(ctx, parindex.Actor{Name: evil}, "", []parindex.OrgRow{
		{Code: "XSS", Name: evil, Type: "department", Parent: "MG", ValidFrom: "2025-07-01"},
	}, evil); err != nil {
		t.Fatal(err)
	}
	hash, _ := password.Hash(testPassword, cheap)
	evilUser := &parindex.User{Username: "xss.user", DisplayName: evil, Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "XSS"}}}
	if err := ts.DB.CreateUser(ctx, parindex.Actor{Name: "test"}, evilUser, hash); err != nil {
		t.Fatal(err)
	}
	admin := ts.client(t)
	admin.mustLogin("admin")
	x := ts.client(t)
	x.mustLogin("xss.user")
	checks := []struct {
		c    *client
		path string
	}{
		{admin, "/app/units"}, {admin, "/app/units/XSS"}, {admin, "/admin/users"}, {admin, "/admin/users/" + itoa(evilUser.ID)},
		{admin, "/admin/audit"}, {admin, "/admin/units/XSS/edit"}, {admin, "/admin/users/new"},
		{x, "/app"}, {x, "/app/units"}, {x, "/account"},
	}
	for _, ch := range checks {
		r := ch.c.get(ch.path)
		if r.Status != 200 {
			t.Errorf("GET %s = %d", ch.path, r.Status)
		}
		if strings.Contains(r.Body, evil) {
			t.Errorf("GET %s renders the script unescaped", ch.path)
		}
		if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(r.Body, `\u003cscript\u003e`) &&
			!strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;\\/script&gt;") && !strings.Contains(r.Body, "&#34;\\u003cscript") && !strings.Contains(r.Body, "\\u003cscript\\u003e") {
			t.Errorf("GET %s does not show the name as text", ch.path)
		}
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	for _, p := range []string{"/", "/login", "/nowhere"} {
		r := c.get(p)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'nonce-") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s CSP = %q", p, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s headers = %v", p, r.Header)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAuditPageFiltersAndPages(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	c.mustLogin("admin")
	// The demo tree wrote one row per unit (93): two pages of 50.
	r := c.get("/admin/audit?object_type=org_unit")
	if r.Status != 200 || strings.Count(r.Body, "org.create") != 50 || !strings.Contains(r.Body, "page=2") {
		t.Fatalf("page 1: %d, %d rows", r.Status, strings.Count(r.Body, "org.create"))
	}
	r = c.get("/admin/audit?object_type=org_unit&page=2")
	if strings.Count(r.Body, "org.create") != 43 || strings.Contains(r.Body, "page=3") || !strings.Contains(r.Body, "page=1") {
		t.Errorf("page 2: %d rows", strings.Count(r.Body, "org.create"))
	}
	r = c.get("/admin/audit?object_id=SNV")
	if strings.Count(r.Body, "org.create") != 1 {
		t.Errorf("filter by object: %d rows", strings.Count(r.Body, "org.create"))
	}
	// Filter values are data, never SQL.
	if r := c.get("/admin/audit?actor=" + url.QueryEscape("x' OR '1'='1")); r.Status != 200 || strings.Contains(r.Body, "org.create") {
		t.Errorf("SQL metacharacters in a filter: %d", r.Status)
	}
}

func TestUnitFormsAreAudited(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	c.mustLogin("admin")
	r := c.post("/admin/units", url.Values{"code": {"SMOI"}, "name": {"Sở Mới"}, "type": {"department"}, "parent": {"MG"}, "valid_from": {"2026-01-01"}, "reason": {"QĐ 12/QĐ-UBND"}})
	if r.Status != http.StatusSeeOther || r.Location != "/app/units/SMOI" {
		t.Fatalf("create unit = %d %s", r.Status, r.Body)
	}
	// A bad edit is refused with the field named and nothing written.
	before := countAudit(t, ts.DB)
	r = c.post("/admin/units/SMOI", url.Values{"name": {"Sở Mới"}, "type": {"department"}, "parent": {"SMOI"}, "valid_from": {"2026-13-01"}})
	if r.Status != 400 || !strings.Contains(r.Body, "valid_from") || !strings.Contains(r.Body, "parent") {
		t.Errorf("bad edit = %d", r.Status)
	}
	if countAudit(t, ts.DB) != before {
		t.Error("a refused edit wrote an audit row")
	}
	r = c.post("/admin/units/SMOI/merge", url.Values{"successor": {"SNV"}, "on": {"2026-07-01"}, "reason": {"sáp nhập"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("merge = %d %s", r.Status, r.Body)
	}
	u, _ := ts.DB.OrgUnitByCode(context.Background(), "SMOI")
	if u.SuccessorCode != "SNV" || u.ValidTo.String() != "2026-06-30" {
		t.Errorf("after merge: %+v", u)
	}
	audit, _ := ts.DB.FindAudit(context.Background(), store.AuditFilter{ObjectID: "SMOI"})
	if len(audit) != 2 || audit[0].Actor != "admin" || audit[0].Reason != "sáp nhập" || audit[0].RequestID == "" || audit[1].Reason != "QĐ 12/QĐ-UBND" {
		t.Errorf("audit of SMOI = %+v", audit)
	}
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	cfg, err := config.Load(map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir(), "base-url": "https://cchc.example.gov.vn"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := password.Hash(testPassword, cheap)
	if err := db.CreateUser(context.Background(), parindex.Actor{Name: "test"}, &parindex.User{Username: "admin", DisplayName: "A",
		Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}, hash); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=admin&password="+testPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("login over an https site: %d, cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}
