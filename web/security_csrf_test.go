package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"parindex/assessment"
	"parindex/store/storetest"
	"parindex/survey"
)

// stateChangingRoutes are the routes with unsafe methods outside the token
// API (no cookies there) and the public survey form (tested on its own).
func stateChangingRoutes(ts *testServer) []string {
	var out []string
	for _, r := range ts.Srv.Routes() {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/s/:token" {
			continue
		}
		out = append(out, r.Method+" "+r.Path)
	}
	// Logging out ends the admin's session: last.
	sort.SliceStable(out, func(i, j int) bool {
		return !strings.Contains(out[i], "logout") && strings.Contains(out[j], "logout")
	})
	return out
}

var routeParam = regexp.MustCompile(`:[A-Za-z_]+|\*[A-Za-z_]+`)

// TestCrossSitePostsOnEveryStateChangingRoute sends every unsafe route of
// the router, as a logged-in admin with a form that would change things,
// the way a hostile page in the admin's browser would: each is refused
// with 403 and no table changes. The same requests from the site itself
// do change things, so the refusals are not an accident of bad requests.
func TestCrossSitePostsOnEveryStateChangingRoute(t *testing.T) {
	ts := newE2EServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")
	viewer, _, err := ts.DB.UserCredentials(context.Background(), "viewer")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{":code": "SNV", ":id": itoa(viewer.ID), ":fw": "e2e-2026", ":unit": "SNV", ":node": "2.3", ":token": link.Token}
	routes := stateChangingRoutes(ts)
	// The routes counted when this test was written; a new one is covered
	// automatically, a lost one is noticed.
	const routesToday = 36
	if len(routes) < routesToday {
		t.Errorf("%d state-changing routes, want at least %d: %v", len(routes), routesToday, routes)
	}
	form := url.Values{
		"username": {"ke.gian"}, "display_name": {"Kẻ gian"}, "role": {"admin"}, "unit": {"SNV"},
		"code": {"KEGIAN"}, "name": {"Kẻ gian"}, "type": {"department"}, "parent": {"MG"}, "valid_from": {"2026-01-01"},
		"successor": {"STP"}, "on": {"2026-07-01"}, "reason": {"tấn công"}, "do": {"disable"}, "confirm": {"1"},
		"instrument": {"sipas-2026"}, "counter": {"Quầy giả"}, "count": {"3"}, "lang": {"en"}, "next": {"/app"},
		"current": {testPassword}, "new": {"mat-khau-cua-ke-gian"},
		"metric": {"records_received"}, "period": {"2026"}, "value": {"99"}, "name_vi": {"Kẻ gian"}, "name_en": {"Evil"}, "combine": {"sum"},
		"t": {"submit"}, "decision": {"accept"}, "p": {"1"}, "p.2.3": {"1"}, "comment": {"x"}, "explanation": {"x"}, "area": {"2"},
		"until": {"2099-12-31"}, assessment.StageSelfAssessment: {"2099-12-31"}, "node": {"2.3"}, "write": {"1"},
	}
	send := func(c *client, route string, headers map[string]string) response {
		method, path, _ := strings.Cut(route, " ")
		path = routeParam.ReplaceAllStringFunc(path, func(p string) string { return url.PathEscape(params[p]) })
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return c.do(req)
	}

	admin := ts.loggedIn(t, "admin")
	before := tableCounts(t, ts.DB)
	hostile := []map[string]string{
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://other.cchc.example"},
		// Older browsers send no Sec-Fetch-Site; the Origin alone decides.
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
	}
	for _, route := range routes {
		for _, h := range hostile {
			if r := send(admin, route, h); r.Status != http.StatusForbidden || !strings.Contains(r.Body, crossOriginRefusal) {
				t.Errorf("%s with %v = %d, want the cross-origin refusal", route, h, r.Status)
			}
		}
	}
	if d := diffCounts(before, tableCounts(t, ts.DB)); len(d) > 0 {
		t.Errorf("refused cross-site requests changed tables: %v", d)
	}
	if r := admin.get("/admin/users"); r.Status != http.StatusOK {
		t.Fatalf("the admin's session did not survive the refused requests: %d", r.Status)
	}

	// The same requests from the site itself pass the cross-origin check.
	audits := countAudit(t, ts.DB)
	for _, route := range routes {
		for _, h := range []map[string]string{{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"}, {}} {
			if r := send(admin, route, h); strings.Contains(r.Body, crossOriginRefusal) {
				t.Errorf("%s from the site itself (%v) is refused as cross-origin", route, h)
			}
		}
	}
	if countAudit(t, ts.DB) == audits {
		t.Error("the same requests from the site itself changed nothing: the refused ones proved nothing")
	}
}

// TestSurveyFormPostIsProtected checks the public form's own protection:
// cross-site posts are refused by the cross-origin check like every form,
// and a post without the signed render stamp that its link and
// idempotency key were signed with (missing, forged, moved from another
// link, or with another time) is refused with the "open the page again"
// message and stores nothing.
func TestSurveyFormPostIsProtected(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")
	other := mustLink(t, ts.DB, "STP", "Quầy 2")
	citizen := ts.client(t)
	hidden := func(token string) (key, stamp string) {
		t.Helper()
		r := citizen.get("/s/" + token)
		if r.Status != http.StatusOK {
			t.Fatalf("form = %d", r.Status)
		}
		keys := surveyFormKeys(t, r)
		return keys.Get("k"), keys.Get("ts")
	}
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	answers := func(key, stamp string) url.Values {
		v := url.Values{"lang": {"vi"}}
		if key != "" {
			v.Set("k", key)
		}
		if stamp != "" {
			v.Set("ts", stamp)
		}
		for _, code := range survey.QuestionCodes(sipas) {
			v.Set(code, "4")
		}
		return v
	}
	responses := func() int {
		t.Helper()
		var n int
		if err := ts.DB.SQL().QueryRow(`SELECT COUNT(*) FROM responses`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	key, stamp := hidden(link.Token)
	otherKey, otherStamp := hidden(other.Token)
	ms, sig, _ := strings.Cut(stamp, ".")
	n, _ := strconv.ParseInt(ms, 10, 64)
	otherFreshKey, _ := hidden(link.Token)

	post := func(form url.Values, headers map[string]string) response {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/s/"+link.Token, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return citizen.do(req)
	}
	// A hostile page posting a form it fetched itself: refused by the
	// cross-origin check before the stamp is even read.
	for _, h := range []map[string]string{{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		if r := post(answers(key, stamp), h); r.Status != http.StatusForbidden || !strings.Contains(r.Body, crossOriginRefusal) {
			t.Errorf("cross-site post with a valid stamp (%v) = %d", h, r.Status)
		}
	}
	// A forged post (a script, or a page that could not read our form).
	// Refused posts count against the address's rate limit (a burst of
	// 10), so the cases are few enough to leave room for the genuine one.
	for name, form := range map[string]url.Values{
		"no key, no stamp":       answers("", ""),
		"no stamp":               answers(key, ""),
		"forged signature":       answers(key, ms+".AAAAAAAAAAAAAAAAAAAAAA"),
		"earlier time":           answers(key, strconv.FormatInt(n-600000, 10)+"."+sig),
		"another form's key":     answers(otherFreshKey, stamp),
		"another link's stamp":   answers(otherKey, otherStamp),
		"key of the wrong shape": answers("<script>alert(1)</script>", stamp),
	} {
		r := post(form, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Vui lòng mở lại trang và điền lại") ||
			!strings.Contains(r.Body, `href="/s/`+link.Token+`"`) {
			t.Errorf("%s: %d, want 400 with the link to open the form again", name, r.Status)
		}
	}
	if n := responses(); n != 0 {
		t.Fatalf("refused posts stored %d responses", n)
	}
	// The genuine form is accepted once, however often it is sent.
	for i := 0; i < 2; i++ {
		if r := post(answers(key, stamp), map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"}); r.Status != http.StatusOK || !strings.Contains(r.Body, "Cảm ơn") {
			t.Fatalf("genuine post %d = %d", i+1, r.Status)
		}
	}
	if n := responses(); n != 1 {
		t.Errorf("the genuine form stored %d responses, want 1", n)
	}
}

// hostileText breaks out of elements, both attribute quotes and, through
// go-echarts' "__f__…__f__" function marker, out of chart data.
const hostileText = `<script>alert(1)</script>"'><img src=x onerror=alert(2)> __f__alert(3)__f__`

// escapedScript is how hostileText's script looks when escaped for HTML,
// and jsonScript when escaped inside a JSON data block.
const (
	escapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;"
	escapedImg    = "&lt;img src=x onerror=alert(2)&gt;"
	jsonScript    = `\u003cscript\u003ealert(1)\u003c/script\u003e`
)
