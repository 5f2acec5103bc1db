package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/password"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

var testActor = parindex.Actor{Name: "test"}

// withSurvey publishes the reference instrument on a test server.
func withSurvey(t *testing.T, ts *testServer) *parindex.StoredInstrument {
	t.Helper()
	in, err := survey.EnsureReference(context.Background(), ts.DB, testActor, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func mustLink(t *testing.T, db *store.DB, unit, counter string) *parindex.SurveyLink {
	t.Helper()
	links, err := db.CreateLinks(context.Background(), testActor, []store.LinkSpec{{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: unit, CounterLabel: counter}})
	if err != nil {
		t.Fatal(err)
	}
	return links[0]
}

func unitLinks(t *testing.T, db *store.DB, code string) []*parindex.SurveyLink {
	t.Helper()
	u, err := db.OrgUnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	links, err := db.FindLinks(context.Background(), store.LinkFilter{UnitID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	return links
}

func auditOf(t *testing.T, db *store.DB, action string) []parindex.AuditEntry {
	t.Helper()
	all, err := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "survey_link", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []parindex.AuditEntry
	for _, a := range all {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// postFile sends a multipart form with one file, as a browser does.
func (c *client) postFile(path, field, name string, content []byte, fields map[string]string) response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if field != "" {
		fw, err := w.CreateFormFile(field, name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestSurveyLinksCreateBulkRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		withSurvey(t, ts)
		ctx := context.Background()
		admin := ts.client(t)
		admin.mustLogin("admin")

		if body := admin.get("/app").Body; !strings.Contains(body, `href="/admin/survey"`) {
			t.Error("the admin's menu has no survey entry")
		}
		r := admin.post("/admin/survey/links", url.Values{"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 1"}, "expires": {"2099-12-31"}})
		if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/links?unit=SNV" {
			t.Fatalf("create = %d %q\n%s", r.Status, r.Location, r.Body)
		}
		links := unitLinks(t, db, "SNV")
		if len(links) != 1 || links[0].CounterLabel != "Quầy 1" || len(links[0].Token) != 16 ||
			!links[0].ExpiresAt.Equal(time.Date(2099, 12, 31, 17, 0, 0, 0, time.UTC)) {
			t.Fatalf("links of SNV = %+v", links)
		}
		created := auditOf(t, db, "link.create")
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
		before := countAudit(t, db)
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
		if n := countAudit(t, db); n != before {
			t.Errorf("refused forms wrote %d audit rows", n-before)
		}

		// Bulk: every current commune and ward gets "Quầy 1", once.
		communes, _ := db.FindOrgUnits(ctx, store.OrgFilter{Type: parindex.OrgTypeCommune, ValidOn: parindex.DateOf(time.Now())})
		wards, _ := db.FindOrgUnits(ctx, store.OrgFilter{Type: parindex.OrgTypeWard, ValidOn: parindex.DateOf(time.Now())})
		want := len(communes) + len(wards)
		bulk := url.Values{"type": {"commune", "ward"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 1"}}
		r = admin.post("/admin/survey/links/bulk", bulk)
		if r.Status != http.StatusSeeOther || r.Location != fmt.Sprintf("/admin/survey/links?created=%d&skipped=0", want) || want < 10 {
			t.Fatalf("bulk = %d %q (want %d)", r.Status, r.Location, want)
		}
		if n := len(auditOf(t, db, "link.create")); n != want+1 {
			t.Errorf("%d link.create audit rows, want %d", n, want+1)
		}
		if body := admin.get(r.Location).Body; !strings.Contains(body, fmt.Sprintf("Đã tạo %d mã QR", want)) {
			t.Error("the bulk result is not shown")
		}
		r = admin.post("/admin/survey/links/bulk", bulk)
		if r.Location != fmt.Sprintf("/admin/survey/links?created=0&skipped=%d", want) {
			t.Errorf("bulk again = %q", r.Location)
		}
		if l := unitLinks(t, db, "P001"); len(l) != 1 || l[0].CounterLabel != "Quầy 1" {
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
		revoked := auditOf(t, db, "link.revoke")
		if len(revoked) != 1 || revoked[0].Reason != "Quầy chuyển chỗ, in mã mới" || revoked[0].Actor != "admin" || revoked[0].ObjectID != id {
			t.Errorf("audit of the revocation = %+v", revoked)
		}
		if l := unitLinks(t, db, "SNV"); l[0].RevokedAt.IsZero() {
			t.Error("the link is still active")
		}
		if body := admin.get("/admin/survey/links?unit=SNV").Body; !strings.Contains(body, "Đã thu hồi mã QR.") || !strings.Contains(body, "Đã thu hồi</span>") || strings.Contains(body, "/admin/survey/links/"+id+"/poster") {
			t.Error("the revoked link is not shown as revoked")
		}
		if r := admin.post("/admin/survey/links/"+id+"/revoke", url.Values{"reason": {"lần nữa"}}); r.Status != http.StatusNotFound {
			t.Errorf("revoke twice = %d", r.Status)
		}

		// Agency users and viewers may not create or revoke.
		stpLink := mustLink(t, db, "STP", "Quầy 1")
		for _, user := range []string{"snv.editor", "snv.leader", "viewer", "appraiser"} {
			c := ts.client(t)
			c.mustLogin(user)
			before := countAudit(t, db)
			if r := c.post("/admin/survey/links", url.Values{"unit": {"SNV"}, "instrument": {"sipas-2026"}, "counter": {"Quầy 9"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s create = %d", user, r.Status)
			}
			if r := c.post("/admin/survey/links/bulk", bulk); r.Status != http.StatusForbidden {
				t.Errorf("%s bulk = %d", user, r.Status)
			}
			if r := c.post("/admin/survey/links/"+itoa(stpLink.ID)+"/revoke", url.Values{"reason": {"x"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s revoke = %d", user, r.Status)
			}
			if n := countAudit(t, db); n != before {
				t.Errorf("%s wrote %d audit rows", user, n-before)
			}
		}
		if l := unitLinks(t, db, "SNV"); len(l) != 1 {
			t.Errorf("SNV has %d links after the refused requests", len(l))
		}

		// An agency user sees its own links, without the forms, and no other unit's.
		c := ts.client(t)
		c.mustLogin("snv.editor")
		if body := c.get("/app").Body; !strings.Contains(body, `href="/admin/survey"`) {
			t.Error("the agency clerk's menu has no survey entry")
		}
		mustLink(t, db, "SNV", "Quầy 2")
		r = c.get("/admin/survey/links")
		if r.Status != 200 || !strings.Contains(r.Body, "Quầy 2") || strings.Contains(r.Body, "Sở Tư pháp") || strings.Contains(r.Body, "/admin/survey/links/bulk") ||
			strings.Contains(r.Body, "/revoke") {
			t.Errorf("agency links page = %d", r.Status)
		}
		if r := c.get("/admin/survey/links?unit=STP"); r.Status != http.StatusForbidden {
			t.Errorf("agency user, another unit's links = %d", r.Status)
		}
		if r := c.get("/admin/survey/links?unit=KHONGCO"); r.Status != http.StatusForbidden {
			t.Errorf("agency user, unknown unit = %d", r.Status)
		}
		noroles := ts.client(t)
		noroles.mustLogin("noroles")
		if r := noroles.get("/admin/survey/links"); r.Status != http.StatusForbidden {
			t.Errorf("noroles = %d", r.Status)
		}
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

	c := ts.client(t)
	c.mustLogin("snv.editor")
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
	if r := c.get(fmt.Sprintf("/admin/survey/links/%d/qr.png", gone.ID)); r.Status != http.StatusGone {
		t.Errorf("revoked QR = %d", r.Status)
	}

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
	admin := ts.client(t)
	admin.mustLogin("admin")
	if r := admin.get(fmt.Sprintf("/admin/survey/links/%d/poster?size=a4", other.ID)); r.Status != 200 || !strings.Contains(r.Body, "Sở Tư pháp") {
		t.Errorf("admin poster of STP = %d", r.Status)
	}
	if r := admin.get("/admin/survey/links/999999/poster"); r.Status != http.StatusNotFound {
		t.Errorf("admin, unknown link = %d", r.Status)
	}
}

// insertResponses stores responses directly, with device and dossier hashes
// that the browser must never show.
func insertResponses(t *testing.T, db *store.DB, in *parindex.StoredInstrument, rs ...*parindex.Response) {
	t.Helper()
	codes := make([]string, 22)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%d", i)
	}
	for i, r := range rs {
		r.InstrumentID = in.ID
		if r.Answers == "" {
			r.Answers = strings.Repeat("4", 22)
		}
		if r.IdempotencyKey == "" {
			r.IdempotencyKey = fmt.Sprintf("test-%d-%d-%d", time.Now().UnixNano(), i, r.UnitID)
		}
		if r.SubmittedHour.IsZero() {
			r.SubmittedHour = time.Date(r.Day.Year, r.Day.Month, r.Day.Day, 2, 0, 0, 0, time.UTC)
		}
		if r.Source == "" {
			r.Source = parindex.SourceQR
		}
		if r.DeviceHash == "" {
			r.DeviceHash = "devicehash" + fmt.Sprint(i)
		}
	}
	if _, err := db.InsertResponses(context.Background(), rs, map[int64][]string{in.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}
}

func unitID(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	u, err := db.OrgUnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

var foundRe = regexp.MustCompile(`Tìm thấy (\d+) phiếu`)

// found returns the count the responses page reports, -1 when it shows none.
func found(body string) int {
	m := foundRe.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func TestResponsesBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		in := withSurvey(t, ts)
		snv, stp := unitID(t, db, "SNV"), unitID(t, db, "STP")
		d := func(s string) parindex.Date { x, _ := parindex.ParseDate(s); return x }
		insertResponses(t, db, in,
			&parindex.Response{UnitID: snv, Day: d("2026-03-01"), Answers: "5432105432105432105432", Profile: "gender=female;age_group=age_30_44",
				Comment: `<script>alert(1)</script> Chờ lâu`, DossierHash: "dossierhash-secret", FillSeconds: 140},
			&parindex.Response{UnitID: snv, Day: d("2026-03-02"), Flags: []string{parindex.FlagSpeeder}, FillSeconds: 9},
			&parindex.Response{UnitID: snv, Day: d("2026-03-05"), Source: parindex.SourcePaper},
			&parindex.Response{UnitID: stp, Day: d("2026-03-02"), Flags: []string{parindex.FlagBot, parindex.FlagSpeeder}},
			&parindex.Response{UnitID: stp, Day: d("2026-03-09")},
		)
		admin := ts.client(t)
		admin.mustLogin("admin")
		r := admin.get("/admin/survey/responses")
		if r.Status != 200 || found(r.Body) != 5 {
			t.Fatalf("all responses = %d, found %d", r.Status, found(r.Body))
		}
		for _, secret := range []string{"devicehash", "dossierhash-secret", "<script>alert(1)</script>", "idempotency", "test-"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("the browser shows %q", secret)
			}
		}
		for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; Chờ lâu", "5432 10543 21054 32105 432", "Giới tính: Nữ; Độ tuổi: Từ 30 đến 44 tuổi",
			"01/03/2026", "09h", "Rất hài lòng", "Không áp dụng", "Tiếp cận dịch vụ", "A1 A2 A3 A4", "phiếu giấy", "Điền quá nhanh"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the browser lacks %q", want)
			}
		}
		// Profile answers, elements and flags by their names, not codes.
		for _, code := range []string{"gender=female", "age_30_44", ">access<", ">speeder<"} {
			if strings.Contains(r.Body, code) {
				t.Errorf("the browser shows the code %q", code)
			}
		}
		for query, want := range map[string]int{
			"flag=speeder":                   2,
			"flag=bot":                       1,
			"flag=any":                       2,
			"flag=none":                      3,
			"unit=SNV":                       3,
			"unit=SNV&flag=speeder":          1,
			"unit=STP&flag=none":             1,
			"from=2026-03-02&to=2026-03-05":  3,
			"from=2026-03-06":                1,
			"to=2026-03-01":                  1,
			"unit=STP&from=2026-03-03&to=":   1,
			"flag=duplicate_device":          0,
			"unit=SNV&from=2026-03-02&flag=": 2,
		} {
			r := admin.get("/admin/survey/responses?" + query)
			if r.Status != 200 || found(r.Body) != want {
				t.Errorf("?%s = %d, found %d, want %d", query, r.Status, found(r.Body), want)
			}
		}
		// Filter values are data, never SQL: bad values are refused, with no rows.
		for query, status := range map[string]int{
			"flag=" + url.QueryEscape("x' OR '1'='1"):       http.StatusBadRequest,
			"flag=" + url.QueryEscape("%"):                  http.StatusBadRequest,
			"flag=" + url.QueryEscape("speeder,%"):          http.StatusBadRequest,
			"from=" + url.QueryEscape("2026-01-01' OR 1=1"): http.StatusBadRequest,
			"to=" + url.QueryEscape("2026-13-01"):           http.StatusBadRequest,
			"unit=" + url.QueryEscape("SNV' OR '1'='1"):     http.StatusNotFound,
		} {
			r := admin.get("/admin/survey/responses?" + query)
			if r.Status != status || found(r.Body) != -1 || strings.Contains(r.Body, "Chờ lâu") {
				t.Errorf("?%s = %d (want %d), found %d", query, r.Status, status, found(r.Body))
			}
		}

		viewer := ts.client(t)
		viewer.mustLogin("viewer")
		if r := viewer.get("/admin/survey/responses?unit=STP"); r.Status != 200 || found(r.Body) != 2 {
			t.Errorf("viewer, STP = %d, %d", r.Status, found(r.Body))
		}

		// An agency user sees only its units, whatever it asks.
		agency := ts.client(t)
		agency.mustLogin("snv.editor")
		r = agency.get("/admin/survey/responses")
		if r.Status != 200 || found(r.Body) != 3 || strings.Contains(r.Body, "Sở Tư pháp") || strings.Contains(r.Body, "Mọi đơn vị bạn được xem") {
			t.Errorf("agency, default = %d, found %d", r.Status, found(r.Body))
		}
		if r := agency.get("/admin/survey/responses?flag=speeder"); found(r.Body) != 1 {
			t.Errorf("agency, speeders = %d", found(r.Body))
		}
		for _, q := range []string{"unit=STP", "unit=STP&flag=bot", "unit=KHONGCO"} {
			if r := agency.get("/admin/survey/responses?" + q); r.Status != http.StatusForbidden || found(r.Body) != -1 {
				t.Errorf("agency, ?%s = %d", q, r.Status)
			}
		}

		// Pages of 50.
		var many []*parindex.Response
		for i := 0; i < 52; i++ {
			many = append(many, &parindex.Response{UnitID: stp, Day: d("2026-02-01")})
		}
		insertResponses(t, db, in, many...)
		r = admin.get("/admin/survey/responses?unit=STP")
		if found(r.Body) != 54 || strings.Count(r.Body, `class="digits"`) != 50 || !strings.Contains(r.Body, "page=2") {
			t.Errorf("page 1: found %d, %d rows", found(r.Body), strings.Count(r.Body, `class="digits"`))
		}
		r = admin.get("/admin/survey/responses?unit=STP&page=2")
		if strings.Count(r.Body, `class="digits"`) != 4 || strings.Contains(r.Body, "page=3") {
			t.Errorf("page 2: %d rows", strings.Count(r.Body, `class="digits"`))
		}
	})
}

func TestLiveCounterCountsAPostedForm(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	in := withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")

	admin := ts.client(t)
	admin.mustLogin("admin")
	today := func(c *client) (int64, map[string]int64) {
		t.Helper()
		r := c.get("/admin/survey/today.json")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("today.json = %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		var v struct {
			Day    string `json:"day"`
			Today  int64  `json:"today"`
			ByUnit []struct {
				Code  string `json:"code"`
				Count int64  `json:"count"`
			} `json:"by_unit"`
		}
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
			t.Fatalf("today.json: %v\n%s", err, r.Body)
		}
		if v.Day != parindex.DateOf(time.Now().In(time.FixedZone("ICT", 7*3600))).String() {
			t.Errorf("today.json day = %q", v.Day)
		}
		by := map[string]int64{}
		for _, u := range v.ByUnit {
			by[u.Code] = u.Count
		}
		return v.Today, by
	}
	if n, _ := today(admin); n != 0 {
		t.Fatalf("today before = %d", n)
	}

	// A citizen answers the form of the SNV counter.
	citizen := ts.client(t)
	form := citizen.get("/s/" + link.Token)
	if form.Status != 200 {
		t.Fatalf("form = %d", form.Status)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(form.Body)
		if m == nil {
			t.Fatalf("the form has no %s", name)
		}
		return m[1]
	}
	answers := url.Values{"k": {field("k")}, "ts": {field("ts")}, "lang": {"vi"}}
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	for _, code := range survey.QuestionCodes(sipas) {
		answers.Set(code, "4")
	}
	if r := citizen.post("/s/"+link.Token, answers); r.Status != 200 || !strings.Contains(r.Body, "Cảm ơn") {
		t.Fatalf("submit = %d\n%s", r.Status, r.Body)
	}
	// One more, for another unit, stored directly.
	vn := parindex.DateOf(time.Now().In(time.FixedZone("ICT", 7*3600)))
	insertResponses(t, ts.DB, in, &parindex.Response{UnitID: unitID(t, ts.DB, "STP"), Day: vn})

	n, by := today(admin)
	if n != 2 || by["SNV"] != 1 || by["STP"] != 1 {
		t.Errorf("admin today = %d %v", n, by)
	}
	agency := ts.client(t)
	agency.mustLogin("snv.editor")
	if n, by := today(agency); n != 1 || by["SNV"] != 1 || len(by) != 1 {
		t.Errorf("agency today = %d %v", n, by)
	}

	// The page shows the count at load, reloads by a link, and runs only
	// the embedded script: no inline script, no refresh.
	home := admin.get("/admin/survey")
	if home.Status != 200 || !strings.Contains(home.Body, `data-live-total>2<`) || !strings.Contains(home.Body, `href="/admin/survey">Tải lại</a>`) ||
		!strings.Contains(home.Body, `data-live-url="/admin/survey/today.json"`) {
		t.Errorf("survey home = %d", home.Status)
	}
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(home.Body, -1)
	if len(scripts) != 1 || !regexp.MustCompile(`^<script src="/static/live\.[0-9a-f]{12}\.js" defer>$`).MatchString(scripts[0]) {
		t.Errorf("scripts on the page: %q", scripts)
	}
	if strings.Contains(strings.ToLower(home.Body), "http-equiv") {
		t.Error("the page refreshes itself")
	}
	js := admin.get(regexp.MustCompile(`/static/live\.[0-9a-f]{12}\.js`).FindString(home.Body))
	if js.Status != 200 || !strings.Contains(js.Header.Get("Content-Type"), "javascript") || !strings.Contains(js.Body, "setTimeout(poll, 5000)") {
		t.Errorf("live.js = %d %q", js.Status, js.Header.Get("Content-Type"))
	}
	if home := agency.get("/admin/survey"); !strings.Contains(home.Body, `data-live-total>1<`) || strings.Contains(home.Body, "Sở Tư pháp") {
		t.Error("the agency's live count shows other units")
	}
	noroles := ts.client(t)
	noroles.mustLogin("noroles")
	if r := noroles.get("/admin/survey/today.json"); r.Status != http.StatusForbidden {
		t.Errorf("noroles today.json = %d", r.Status)
	}
	if r := ts.client(t).get("/admin/survey/today.json"); r.Status != http.StatusSeeOther {
		t.Errorf("anonymous today.json = %d", r.Status)
	}
}

const brokenInstrument = `code: hong-2026
name: Khảo sát hỏng
year: "2026"
scale:
  - {value: 1, label: Rất không hài lòng}
elements:
  - code: access
    name: Tiếp cận
    titel: sai khóa
    questions: []
aggregation: {question: median, element: mean, overall: mean}
`

const minimalInstrument = `code: thu-2026
name: {vi: Khảo sát thử, en: Trial survey}
year: 2026
scale:
  - {value: 1, label: Rất không hài lòng}
  - {value: 2, label: Không hài lòng}
  - {value: 3, label: Bình thường}
  - {value: 4, label: Hài lòng}
  - {value: 5, label: Rất hài lòng}
elements:
  - code: access
    name: {vi: Tiếp cận dịch vụ, en: Access}
    questions:
      - {code: A1, text: {vi: Nơi ngồi chờ có đủ chỗ ngồi, en: Enough seats}}
aggregation: {question: satisfaction, element: mean, overall: mean}
`

func TestInstrumentUpload(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	ctx := context.Background()
	admin := ts.client(t)
	admin.mustLogin("admin")
	count := func() int {
		all, err := ts.DB.FindInstruments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	before, audits := count(), countAudit(t, ts.DB)

	r := admin.postFile("/admin/survey/instruments", "file", "hong.yaml", []byte(brokenInstrument), nil)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("broken upload = %d", r.Status)
	}
	for _, want := range []string{"hong.yaml:3</span> year: expected a whole number", "hong.yaml:4</span> scale", `hong.yaml:9</span> element access: unknown key &#34;titel&#34;`,
		"hong.yaml:11</span> aggregation: question: unknown rule &#34;median&#34;"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the problems lack %q", want)
		}
	}
	if count() != before || countAudit(t, ts.DB) != audits {
		t.Error("a broken file stored something")
	}
	if r := admin.postFile("/admin/survey/instruments", "", "", nil, nil); r.Status != http.StatusBadRequest {
		t.Errorf("no file = %d", r.Status)
	}

	r = admin.postFile("/admin/survey/instruments", "file", "thu.yaml", []byte(minimalInstrument), nil)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/instruments/thu-2026" {
		t.Fatalf("upload = %d %q\n%s", r.Status, r.Location, r.Body)
	}
	page := admin.get(r.Location)
	for _, want := range []string{"Đã lưu bản nháp", "Khảo sát thử", "Trial survey", "Nơi ngồi chờ có đủ chỗ ngồi", "Enough seats", "Bản nháp", "/publish"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the instrument page lacks %q", want)
		}
	}
	if r := admin.post("/admin/survey/instruments/thu-2026/publish", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish = %d", r.Status)
	}
	if in, _ := ts.DB.InstrumentByCode(ctx, "thu-2026"); in.Status != parindex.StatusPublished {
		t.Errorf("status = %s", in.Status)
	}
	// A published code never changes.
	changed := strings.Replace(minimalInstrument, "Enough seats", "Enough chairs", 1)
	if r := admin.postFile("/admin/survey/instruments", "file", "thu.yaml", []byte(changed), nil); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã công bố") {
		t.Errorf("re-upload of a published code = %d", r.Status)
	}
	list := admin.get("/admin/survey/instruments")
	if !strings.Contains(list.Body, "thu-2026") || !strings.Contains(list.Body, "sipas-2026") || !regexp.MustCompile(`class="code" title="[0-9a-f]{64}">[0-9a-f]{12}<`).MatchString(list.Body) {
		t.Error("the list lacks the instruments or their hash prefix")
	}

	agency := ts.client(t)
	agency.mustLogin("snv.editor")
	if r := agency.postFile("/admin/survey/instruments", "file", "thu2.yaml", []byte(strings.Replace(minimalInstrument, "thu-2026", "thu2-2026", 1)), nil); r.Status != http.StatusForbidden {
		t.Errorf("agency upload = %d", r.Status)
	}
	if r := agency.post("/admin/survey/instruments/sipas-2026/publish", nil); r.Status != http.StatusForbidden {
		t.Errorf("agency publish = %d", r.Status)
	}
	if r := agency.get("/admin/survey/instruments/sipas-2026"); r.Status != 200 || strings.Contains(r.Body, `type="file"`) {
		t.Errorf("agency instrument page = %d", r.Status)
	}
}

func TestPaperImportPage(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	ctx := context.Background()
	admin := ts.client(t)
	admin.mustLogin("admin")
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	header := "unit,date," + strings.Join(survey.QuestionCodes(sipas), ",") + ",comment\n"
	row := func(unit, date, answer, comment string) string {
		return unit + "," + date + strings.Repeat(","+answer, 22) + "," + comment + "\n"
	}
	paperCount := func() int {
		n, err := ts.DB.CountResponses(ctx, store.ResponseFilter{Source: parindex.SourcePaper})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	good := header + row("SNV", "2026-03-14", "4", "Tốt") + row("P001", "2026-03-15", "5", `"<b>đậm</b>, rất tốt"`)

	r := admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != 200 || !strings.Contains(r.Body, "Tệp hợp lệ: 2 phiếu; sẽ ghi mới 2") {
		t.Fatalf("check = %d\n%s", r.Status, r.Body)
	}
	if paperCount() != 0 {
		t.Fatal("the check stored responses")
	}
	tokenOf := func(body string) string {
		t.Helper()
		m := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no apply form")
		}
		return m[1]
	}
	apply := map[string]string{"step": "apply", "instrument": "sipas-2026", "file_name": "giay.csv", "token": tokenOf(r.Body)}
	// Another user's apply with the token opens nothing.
	hash, err := password.Hash(testPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.DB.CreateUser(ctx, parindex.Actor{Name: "test"}, &parindex.User{Username: "admin2", DisplayName: "Quản trị 2",
		Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}, hash); err != nil {
		t.Fatal(err)
	}
	other := ts.client(t)
	other.mustLogin("admin2")
	if r := other.postFile("/admin/survey/paper", "", "", nil, apply); r.Status != http.StatusBadRequest || paperCount() != 0 {
		t.Fatalf("another user's apply = %d, %d stored", r.Status, paperCount())
	}
	r = admin.postFile("/admin/survey/paper", "", "", nil, apply)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/paper?inserted=2&already=0" {
		t.Fatalf("apply = %d %q\n%s", r.Status, r.Location, r.Body)
	}
	if paperCount() != 2 {
		t.Errorf("%d paper responses stored", paperCount())
	}
	if body := admin.get(r.Location).Body; !strings.Contains(body, "Đã ghi 2 phiếu mới") {
		t.Error("the result is not shown")
	}
	// A token applies once; the same file checked and applied again
	// stores nothing twice.
	if r := admin.postFile("/admin/survey/paper", "", "", nil, apply); r.Status != http.StatusBadRequest || paperCount() != 2 {
		t.Errorf("apply with a spent token = %d, %d stored", r.Status, paperCount())
	}
	r = admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != 200 || !strings.Contains(r.Body, "sẽ ghi mới 0") || strings.Contains(r.Body, `name="token"`) {
		t.Errorf("the same file checked again = %d, want nothing new to apply\n%s", r.Status, r.Body)
	}

	bad := header + row("SNV", "2026-03-14", "6", "") + row("KHONGCO", "14/03/2026", "4", "")
	r = admin.postFile("/admin/survey/paper", "file", "loi.csv", []byte(bad), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Tệp có 24 lỗi") || strings.Contains(r.Body, `name="token"`) {
		t.Errorf("bad check = %d", r.Status)
	}
	for _, want := range []string{`<td>2</td><td class="code">A1</td>`, `<td>3</td><td class="code">unit</td>`, `<td>3</td><td class="code">date</td>`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the problems lack %s", want)
		}
	}
	// An apply with a made-up token has no file to store.
	r = admin.postFile("/admin/survey/paper", "", "", nil, map[string]string{"step": "apply", "instrument": "sipas-2026", "file_name": "loi.csv",
		"token": strings.Repeat("ab", 16)})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "tải tệp lên lại") || paperCount() != 2 {
		t.Errorf("apply with a made-up token = %d, %d stored", r.Status, paperCount())
	}
	if r := admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "khong-co"}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown instrument = %d", r.Status)
	}

	agency := ts.client(t)
	agency.mustLogin("snv.editor")
	if r := agency.get("/admin/survey/paper"); r.Status != http.StatusForbidden {
		t.Errorf("agency paper page = %d", r.Status)
	}
	if r := agency.postFile("/admin/survey/paper", "file", "giay2.csv", []byte(good+row("SNV", "2026-03-16", "3", "")), map[string]string{"step": "check", "instrument": "sipas-2026"}); r.Status != http.StatusForbidden {
		t.Errorf("agency paper import = %d", r.Status)
	}
}
