package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestUserControlledTextIsEscapedEverywhere(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	ctx := context.Background()
	if _, err := ts.DB.ImportOrgUnits(ctx, parindex.Actor{Name: evil}, "", []parindex.OrgRow{
		{Code: "XSS", Name: evil, Type: "department", Parent: "MG", ValidFrom: "2025-07-01"},
	}, evil); err != nil {
		t.Fatal(err)
	}
	evilUser := &parindex.User{Username: "xss.user", DisplayName: evil, Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "XSS"}}}
	addUsers(t, ts.DB, evilUser)
	admin := ts.loggedIn(t, "admin")
	x := ts.loggedIn(t, "xss.user")
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
	c := ts.loggedIn(t, "admin")
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
	c := ts.loggedIn(t, "admin")
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
	srv := newWebServer(t, db, map[string]string{"addr": "127.0.0.1:0", "data-dir": t.TempDir(), "base-url": "https://cchc.example.gov.vn"})
	addUsers(t, db, &parindex.User{Username: "admin", DisplayName: "A", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}})
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=admin&password="+testPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Secure") {
		t.Errorf("login over an https site: %d, cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}
