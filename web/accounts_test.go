package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex/store"
	"parindex/store/storetest"
)

func TestLoginRenewLogout(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
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
		audit, _ := ts.DB.FindAudit(context.Background(), store.AuditFilter{ObjectType: "user", ObjectID: "snv.editor"})
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
		c.wantStatus(t, "/app", http.StatusSeeOther, "/app after logout")
		// The old token is dead on the server, not only forgotten by the browser.
		c3 := ts.client(t)
		c3.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: token}})
		c3.wantStatus(t, "/app", http.StatusSeeOther, "replayed token after logout")
	})
}

func TestIdleTimeout(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	ts.Srv.Sessions().IdleTimeout = 700 * time.Millisecond
	c := ts.loggedIn(t, "viewer")
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
		c := ts.loggedIn(t, user)
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
	c := ts.loggedIn(t, "admin")
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
	wantNoNewAudit(t, ts.DB, before, "the refused POST")
}

func TestAdminCreatesAgencyUserWhoSeesOnlyThatAgency(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		admin := ts.loggedIn(t, "admin")
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
		before := countAudit(t, ts.DB)
		if r := admin.post("/admin/users", url.Values{"username": {"stp.canbo"}, "display_name": {"Trùng"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã có") {
			t.Errorf("duplicate = %d", r.Status)
		}
		wantNoNewAudit(t, ts.DB, before, "a failed change")

		u := ts.client(t)
		if r := u.login("stp.canbo", m[1]); r.Status != http.StatusSeeOther {
			t.Fatalf("new user login = %d", r.Status)
		}
		home := u.get("/app").Body
		if !strings.Contains(home, `href="/app/units/STP"`) || strings.Contains(home, `href="/app/units/SNV"`) {
			t.Errorf("home of the STP clerk shows the wrong units")
		}
		u.wantStatus(t, "/app/units/STP", 200, "own unit")
		u.wantStatus(t, "/app/units/SNV", 403, "other unit")
		if strings.Contains(home, `href="/admin/users"`) || strings.Contains(home, `href="/admin/audit"`) {
			t.Error("the agency clerk's menu shows admin pages")
		}
	})
}

func TestLogoutEverywhereAndDisable(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	phone, desk := ts.loggedIn(t, "snv.leader"), ts.loggedIn(t, "snv.leader")
	if r := desk.post("/account/logout-all", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout-all = %d", r.Status)
	}
	if r := phone.get("/app"); r.Status != http.StatusSeeOther {
		t.Errorf("the other device is still logged in: %d", r.Status)
	}

	phone.mustLogin("snv.leader")
	admin := ts.loggedIn(t, "admin")
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
	c := ts.loggedIn(t, "viewer")
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
