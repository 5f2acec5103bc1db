package web_test

import (
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestSurveyLinksCreateBulkRevoke(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		withSurvey(t, ts)
		ctx := context.Background()
		admin := ts.loggedIn(t, "admin")

		if body := admin.get("/app").Body; !strings.Contains(body, `href="/admin/survey"`) {
			t.Error("the admin's menu has no survey entry")
		}
		r := admin.post("/admin/survey/links", url.Values{"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 1"}, "expires": {"2099-12-31"}})
		if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/links?unit=SNV" {
			t.Fatalf("create = %d %q\n%s", r.Status, r.Location, r.Body)
		}
		links := unitLinks(t, ts.DB, "SNV")
		if len(links) != 1 || links[0].CounterLabel != "Quầy 1" || len(links[0].Token) != 16 ||
			!links[0].ExpiresAt.Equal(time.Date(2099, 12, 31, 17, 0, 0, 0, time.UTC)) {
			t.Fatalf("links of SNV = %+v", links)
		}
		created := auditOf(t, ts.DB, "link.create")
		if len(created) != 1 || created[0].Actor != "admin" || created[0].RequestID == "" || created[0].ObjectID != itoa(links[0].ID) ||
			strings.Contains(created[0].After, links[0].Token) {
			t.Errorf("audit of the created link = %+v", created)
		}
		page := admin.get("/admin/survey/links?unit=SNV")
		if page.Status != 200 || !strings.Contains(page.Body, "Quầy 1") || !strings.Contains(page.Body, "Đang dùng") || !strings.Contains(page.Body, "Đã tạo mã QR.") ||
			!strings.Contains(page.Body, fmt.Sprintf("/admin/survey/links/%d/poster", links[0].ID)) {
			t.Errorf("links page = %d", page.Status)
		}

		// Refused forms write nothing.
		before := countAudit(t, ts.DB)
		for name, form := range map[string]url.Values{
			"no counter":     {"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {" "}},
			"unknown unit":   {"unit": {"KHONGCO"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 2"}},
			"past expiry":    {"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 2"}, "expires": {"2020-01-01"}},
			"bad expiry":     {"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 2"}, "expires": {"31/12/2026"}},
			"old unit":       {"unit": {"H-TANLAP-01"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 2"}},
			"no instrument":  {"unit": {"SNV"}, "instrument": {"khong-co"}, "counter": {"Quầy 2"}},
			"label too long": {"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {strings.Repeat("Q", 101)}},
		} {
			if r := admin.post("/admin/survey/links", form); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `class="error"`) {
				t.Errorf("%s: create = %d", name, r.Status)
			}
		}
		wantNoNewAudit(t, ts.DB, before, "refused forms")

		// Bulk: every current commune and ward gets "Quầy 1", once.
		communes, _ := ts.DB.FindOrgUnits(ctx, store.OrgFilter{Type: parindex.OrgTypeCommune, ValidOn: parindex.DateOf(time.Now())})
		wards, _ := ts.DB.FindOrgUnits(ctx, store.OrgFilter{Type: parindex.OrgTypeWard, ValidOn: parindex.DateOf(time.Now())})
		want := len(communes) + len(wards)
		bulk := url.Values{"type": {"commune", "ward"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 1"}}
		r = admin.post("/admin/survey/links/bulk", bulk)
		if r.Status != http.StatusSeeOther || r.Location != fmt.Sprintf("/admin/survey/links?created=%d&skipped=0", want) || want < 10 {
			t.Fatalf("bulk = %d %q (want %d)", r.Status, r.Location, want)
		}
		if n := len(auditOf(t, ts.DB, "link.create")); n != want+1 {
			t.Errorf("%d link.create audit rows, want %d", n, want+1)
		}
		if body := admin.get(r.Location).Body; !strings.Contains(body, fmt.Sprintf("Đã tạo %d mã QR", want)) {
			t.Error("the bulk result is not shown")
		}
		r = admin.post("/admin/survey/links/bulk", bulk)
		if r.Location != fmt.Sprintf("/admin/survey/links?created=0&skipped=%d", want) {
			t.Errorf("bulk again = %q", r.Location)
		}
		if l := unitLinks(t, ts.DB, "P001"); len(l) != 1 || l[0].CounterLabel != "Quầy 1" {
			t.Errorf("links of ward P001 = %+v", l)
		}
		if r := admin.post("/admin/survey/links/bulk", url.Values{"instrument": {"sipas-2026"}, "counter": {"Quầy 1"}}); r.Status != http.StatusBadRequest {
			t.Errorf("bulk without a type = %d", r.Status)
		}

		// Revoke needs a reason, which the audit keeps.
		id := itoa(links[0].ID)
		if r := admin.post("/admin/survey/links/"+id+"/revoke", url.Values{"reason": {"  "}}); r.Status != http.StatusBadRequest {
			t.Errorf("revoke without a reason = %d", r.Status)
		}
		r = admin.post("/admin/survey/links/"+id+"/revoke", url.Values{"reason": {"Quầy chuyển chỗ, in mã mới"}})
		if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/links?unit=SNV" {
			t.Fatalf("revoke = %d %q %s", r.Status, r.Location, r.Body)
		}
		revoked := auditOf(t, ts.DB, "link.revoke")
		if len(revoked) != 1 || revoked[0].Reason != "Quầy chuyển chỗ, in mã mới" || revoked[0].Actor != "admin" || revoked[0].ObjectID != id {
			t.Errorf("audit of the revocation = %+v", revoked)
		}
		if l := unitLinks(t, ts.DB, "SNV"); l[0].RevokedAt.IsZero() {
			t.Error("the link is still active")
		}
		if body := admin.get("/admin/survey/links?unit=SNV").Body; !strings.Contains(body, "Đã thu hồi mã QR.") || !strings.Contains(body, "Đã thu hồi</span>") || strings.Contains(body, "/admin/survey/links/"+id+"/poster") {
			t.Error("the revoked link is not shown as revoked")
		}
		if r := admin.post("/admin/survey/links/"+id+"/revoke", url.Values{"reason": {"lần nữa"}}); r.Status != http.StatusNotFound {
			t.Errorf("revoke twice = %d", r.Status)
		}

		// Agency users and viewers may not create or revoke.
		stpLink := mustLink(t, ts.DB, "STP", "Quầy 1")
		for _, user := range []string{"snv.editor", "snv.leader", "viewer", "appraiser"} {
			c := ts.loggedIn(t, user)
			before := countAudit(t, ts.DB)
			if r := c.post("/admin/survey/links", url.Values{"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 9"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s create = %d", user, r.Status)
			}
			if r := c.post("/admin/survey/links/bulk", bulk); r.Status != http.StatusForbidden {
				t.Errorf("%s bulk = %d", user, r.Status)
			}
			if r := c.post("/admin/survey/links/"+itoa(stpLink.ID)+"/revoke", url.Values{"reason": {"x"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s revoke = %d", user, r.Status)
			}
			wantNoNewAudit(t, ts.DB, before, user)
		}
		if l := unitLinks(t, ts.DB, "SNV"); len(l) != 1 {
			t.Errorf("SNV has %d links after the refused requests", len(l))
		}

		// An agency user sees its own links, without the forms, and no other unit's.
		c := ts.loggedIn(t, "snv.editor")
		if body := c.get("/app").Body; !strings.Contains(body, `href="/admin/survey"`) {
			t.Error("the agency clerk's menu has no survey entry")
		}
		mustLink(t, ts.DB, "SNV", "Quầy 2")
		r = c.get("/admin/survey/links")
		if r.Status != 200 || !strings.Contains(r.Body, "Quầy 2") || strings.Contains(r.Body, "Sở Tư pháp") || strings.Contains(r.Body, "/admin/survey/links/bulk") ||
			strings.Contains(r.Body, "/revoke") {
			t.Errorf("agency links page = %d", r.Status)
		}
		c.wantStatus(t, "/admin/survey/links?unit=STP", http.StatusForbidden, "agency user, another unit's links")
		c.wantStatus(t, "/admin/survey/links?unit=KHONGCO", http.StatusForbidden, "agency user, unknown unit")
		noroles := ts.loggedIn(t, "noroles")
		noroles.wantStatus(t, "/admin/survey/links", http.StatusForbidden, "noroles")
		if body := noroles.get("/app").Body; strings.Contains(body, `href="/admin/survey"`) {
			t.Error("a user without roles sees the survey entry")
		}
	})
}

func TestPostersAndQRCode(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	own := mustLink(t, ts.DB, "SNV", "Quầy 1")
	second := mustLink(t, ts.DB, "SNV", `Quầy <b>2</b>`)
	gone := mustLink(t, ts.DB, "SNV", "Quầy cũ")
	if err := ts.DB.RevokeLink(context.Background(), testActor, gone.ID, "hỏng"); err != nil {
		t.Fatal(err)
	}
	other := mustLink(t, ts.DB, "STP", "Quầy 1")

	c := ts.loggedIn(t, "snv.editor")
	r := c.get(fmt.Sprintf("/admin/survey/links/%d/poster", own.ID))
	if r.Status != 200 {
		t.Fatalf("own poster = %d", r.Status)
	}
	grouped := own.Token[0:4] + " " + own.Token[4:8] + " " + own.Token[8:12] + " " + own.Token[12:16]
	for _, want := range []string{"Quét mã để đánh giá sự phục vụ", "Sở Nội vụ", "Quầy 1", `class="poster a5"`, "/s/" + own.Token, grouped,
		fmt.Sprintf(`src="/admin/survey/links/%d/qr.png"`, own.ID), "Tỉnh Minh Giang"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("poster lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "<script") || strings.Contains(r.Body, "fonts.googleapis") || strings.Contains(r.Body, "https://") {
		t.Error("the poster loads something from elsewhere or runs a script")
	}
	if r := c.get(fmt.Sprintf("/admin/survey/links/%d/poster?size=a4", own.ID)); r.Status != 200 || !strings.Contains(r.Body, `class="poster a4"`) {
		t.Errorf("A4 poster = %d", r.Status)
	}

	req, _ := http.NewRequest(http.MethodGet, c.base+fmt.Sprintf("/admin/survey/links/%d/qr.png", own.ID), nil)
	qr := c.do(req)
	if qr.Status != 200 || qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG\r\n\x1a\n") {
		t.Fatalf("QR = %d %q", qr.Status, qr.Header.Get("Content-Type"))
	}
	img, err := png.Decode(strings.NewReader(qr.Body))
	if err != nil {
		t.Fatalf("the QR code is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("QR size = %v", b)
	}
	if !strings.Contains(qr.Header.Get("Cache-Control"), "private") {
		t.Errorf("QR Cache-Control = %q", qr.Header.Get("Cache-Control"))
	}

	// Every active counter of the unit, one poster a page; user text escaped.
	r = c.get("/admin/survey/units/SNV/posters")
	if r.Status != 200 || strings.Count(r.Body, `<section class="poster a5"`) != 2 || strings.Contains(r.Body, gone.Token) ||
		!strings.Contains(r.Body, "Quầy &lt;b&gt;2&lt;/b&gt;") || !strings.Contains(r.Body, second.Token) {
		t.Errorf("the unit's sheet = %d, %d posters", r.Status, strings.Count(r.Body, `class="poster`))
	}
	// A revoked link prints no code.
	if r := c.get(fmt.Sprintf("/admin/survey/links/%d/poster", gone.ID)); r.Status != 200 || strings.Contains(r.Body, "qr.png") || !strings.Contains(r.Body, "thu hồi") {
		t.Errorf("revoked poster = %d", r.Status)
	}
	c.wantStatus(t, fmt.Sprintf("/admin/survey/links/%d/qr.png", gone.ID), http.StatusGone, "revoked QR")

	// Another unit's poster, code or sheet, and unknown ids, are forbidden.
	for _, p := range []string{fmt.Sprintf("/admin/survey/links/%d/poster", other.ID), fmt.Sprintf("/admin/survey/links/%d/qr.png", other.ID),
		"/admin/survey/units/STP/posters", "/admin/survey/links/999999/poster", "/admin/survey/links/abc/qr.png"} {
		if r := c.get(p); r.Status != http.StatusForbidden && !(strings.HasSuffix(p, "abc/qr.png") && r.Status == http.StatusNotFound) {
			t.Errorf("agency GET %s = %d, want 403", p, r.Status)
		} else if strings.Contains(r.Body, other.Token) || strings.Contains(r.Body, "Sở Tư pháp") {
			t.Errorf("agency GET %s leaks the other unit", p)
		}
	}
	// DoHA prints for every unit.
	admin := ts.loggedIn(t, "admin")
	if r := admin.get(fmt.Sprintf("/admin/survey/links/%d/poster?size=a4", other.ID)); r.Status != 200 || !strings.Contains(r.Body, "Sở Tư pháp") {
		t.Errorf("admin poster of STP = %d", r.Status)
	}
	admin.wantStatus(t, "/admin/survey/links/999999/poster", http.StatusNotFound, "admin, unknown link")
}
