package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"parindex"
	"parindex/assessment"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// The security checks of the web server, each driven over real HTTP
// against a real database: session fixation, cross-site POSTs on every
// state-changing route, stored XSS through every displayed field, path
// traversal on downloads, SQL metacharacters in filters, oversized bodies.

// crossOriginRefusal is what http.CrossOriginProtection answers (Server.Handler).
const crossOriginRefusal = "Cross-origin request refused"

// tableCounts returns the number of rows of every table of the schema,
// goose's own excepted: a before/after comparison proves a request changed
// nothing, and a missing table shows up as a changed key set.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`
	if db.Dialect() == store.Postgres {
		query = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`
	}
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, name := range names {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM "` + name + `"`).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		counts[name] = n
	}
	return counts
}

// diffCounts lists the tables whose row count differs (or that exist on one
// side only), sorted.
func diffCounts(before, after map[string]int) []string {
	var out []string
	for name, n := range before {
		if m, ok := after[name]; !ok {
			out = append(out, name+" is gone")
		} else if m != n {
			out = append(out, fmt.Sprintf("%s %d → %d", name, n, m))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			out = append(out, name+" is new")
		}
	}
	sort.Strings(out)
	return out
}

// --- 1. session fixation -----------------------------------------------------

// TestSessionFixationPlantedAndStolenTokens extends TestLoginRenewLogout:
// a token planted before login is not only replaced, it grants nothing
// afterwards; and a real session of the attacker's own account, planted in
// the victim's browser, does not become the victim's session at login and
// is dead on the server afterwards.
func TestSessionFixationPlantedAndStolenTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		u, _ := url.Parse(ts.URL)
		plant := func(c *client, token string) {
			c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "parindex_session", Value: token}})
		}
		sessionRows := func(token string) int { // rows are keyed by the token's SHA-256
			t.Helper()
			sum := sha256.Sum256([]byte(token))
			var n int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = $1`, hex.EncodeToString(sum[:])).Scan(&n); err != nil {
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
		if r := victim.get("/admin/users"); r.Status != http.StatusOK {
			t.Errorf("the victim's admin session = %d", r.Status)
		}
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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		u, _ := url.Parse(ts.URL)
		c := ts.client(t)
		c.mustLogin("admin")
		cookie := sessionCookie(c)
		if cookie == "" {
			t.Fatal("no session cookie after login")
		}
		sum := sha256.Sum256([]byte(cookie))
		hashed := hex.EncodeToString(sum[:])
		texts := sessionTexts(t, db)
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
		if slices.Contains(sessionTexts(t, db), hashed) {
			t.Error("the session row is still there after logout")
		}
	})
}

// --- 2. cross-site POSTs ---------------------------------------------------

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
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	setUpE2E(t, ts)
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

	admin := ts.client(t)
	admin.mustLogin("admin")
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
		get := func(name string) string {
			m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("the form has no %s", name)
			}
			return m[1]
		}
		return get("k"), get("ts")
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

// --- 3. stored XSS -----------------------------------------------------------

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

// checkInert fails when a page holds the hostile text as markup: a script
// or img element of it, inline script other than JSON data blocks, or the
// function marker's alert outside the marker.
func checkInert(t *testing.T, who, path string, r response) {
	t.Helper()
	if r.Status >= 500 {
		t.Errorf("%s GET %s = %d", who, path, r.Status)
	}
	for _, raw := range []string{"<script>alert(1)", "<img src=x", "onerror=alert(2)>"} {
		if strings.Contains(r.Body, raw) && !(raw == "onerror=alert(2)>" && strings.Contains(r.Body, "onerror=alert(2)&gt;")) {
			t.Errorf("%s GET %s holds %q unescaped", who, path, raw)
		}
	}
	if strings.Count(r.Body, "alert(3)") != strings.Count(r.Body, "__f__alert(3)__f__") {
		t.Errorf("%s GET %s: alert(3) appears outside its marked text", who, path)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return
	}
	for _, m := range scriptTag.FindAllStringSubmatch(r.Body, -1) {
		attrs, content := m[1], m[2]
		switch {
		case jsonBlock.MatchString(attrs):
			if !json.Valid([]byte(content)) {
				t.Errorf("%s GET %s: a data block is not JSON", who, path)
			}
		case staticScript.MatchString(attrs) && strings.TrimSpace(content) == "":
		default:
			t.Errorf("%s GET %s: unexpected script element <script%s>%.80s", who, path, attrs, content)
		}
	}
}

// staticScript is a script element that loads an embedded file and has no
// inline code.
var staticScript = regexp.MustCompile(`^\s*src="/static/[a-z./0-9]+"( nonce="[^"]+")?( defer)?\s*$`)

// TestStoredXSSThroughEveryField puts hostile text into every field people
// type that other people read, through the real forms (the survey comment
// through the public form, the framework through its upload), then reads
// every page that shows it: the text is always escaped, in HTML and in
// JSON. TestUserControlledTextIsEscapedEverywhere and the dashboard test
// cover names written through the store; this covers the forms and the
// fields they do not.
func TestStoredXSSThroughEveryField(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	ctx := context.Background()
	setUpE2E(t, ts) // a framework to compare the hostile one with
	withSurvey(t, ts)
	admin := ts.client(t)
	admin.mustLogin("admin")
	must := func(what string, r response, status int) { t.Helper(); wantStatus(t, what, r, status) }

	// Units, with the reason kept in the audit log.
	must("create unit", admin.post("/admin/units", url.Values{"code": {"XSSU"}, "name": {hostileText}, "type": {"department"}, "parent": {"MG"},
		"valid_from": {"2025-07-01"}, "reason": {hostileText}}), http.StatusSeeOther)
	// An account with a hostile display name, its password shown once.
	r := admin.post("/admin/users", url.Values{"username": {"xss.canbo"}, "display_name": {hostileText}, "role": {"agency_editor"}, "unit": {"XSSU"}})
	must("create user", r, http.StatusCreated)
	checkInert(t, "admin", "POST /admin/users", r)
	pw := regexp.MustCompile(`<strong class="code">([A-Za-z0-9]{14})</strong>`).FindStringSubmatch(r.Body)
	if pw == nil {
		t.Fatal("the new password is not shown")
	}
	xssUser, _, err := ts.DB.UserCredentials(ctx, "xss.canbo")
	if err != nil {
		t.Fatal(err)
	}
	// A QR link with a hostile counter label, answered with a hostile comment.
	must("create link", admin.post("/admin/survey/links", url.Values{"unit": {"XSSU"}, "instrument": {"sipas-2026"}, "counter": {hostileText}}), http.StatusSeeOther)
	links := unitLinks(t, ts.DB, "XSSU")
	if len(links) != 1 {
		t.Fatalf("links of XSSU: %d", len(links))
	}
	citizen := ts.client(t)
	form := citizen.get("/s/" + links[0].Token)
	checkInert(t, "citizen", "/s/{token}", form)
	mustContain(t, "the public form", form, escapedScript)
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(form.Body)
		if m == nil {
			t.Fatalf("the form has no %s", name)
		}
		return m[1]
	}
	answers := url.Values{"k": {field("k")}, "ts": {field("ts")}, "lang": {"vi"}, "comment": {hostileText}}
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	codes := survey.QuestionCodes(sipas)
	for _, code := range codes[1:] {
		answers.Set(code, "4")
	}
	// First with a question missing: the comment comes back in the form.
	r = citizen.post("/s/"+links[0].Token, answers)
	must("form with an error", r, http.StatusUnprocessableEntity)
	checkInert(t, "citizen", "POST /s/{token}", r)
	answers.Set(codes[0], "4")
	must("submit", citizen.post("/s/"+links[0].Token, answers), http.StatusOK)

	// A framework whose name and a leaf name are hostile, uploaded and published.
	quoted := strconv.Quote(hostileText)
	yaml := strings.Replace(e2eFramework, "code: e2e-2026", "code: xss-2026", 1)
	yaml = strings.Replace(yaml, `name: "Bộ chỉ số thử nghiệm các sở năm 2026"`, "name: "+quoted, 1)
	yaml = strings.Replace(yaml, `name: "Theo dõi thi hành pháp luật"`, "name: "+quoted, 1)
	yaml = strings.Replace(yaml, `{code: "2.3", name: "Theo dõi thi hành pháp luật"`, `{code: "2.3", name: `+quoted, 1)
	if !strings.Contains(yaml, "xss-2026") || strings.Count(yaml, quoted) != 2 {
		t.Fatalf("the hostile framework was not built:\n%s", yaml)
	}
	r = criteriaUpload(admin, hostileText+".yaml", []byte(yaml), url.Values{"reason": {hostileText}})
	must("upload framework", r, http.StatusSeeOther)
	must("publish framework", admin.post("/admin/criteria/xss-2026/publish", url.Values{"confirm": {"1"}, "reason": {hostileText}}), http.StatusSeeOther)
	// A broken upload echoes the file name in its report.
	r = criteriaUpload(admin, hostileText+".yaml", []byte("code: [\n"), nil)
	must("broken upload", r, http.StatusBadRequest)
	checkInert(t, "admin", "POST /admin/criteria/upload", r)

	// A metric with hostile names, unit and description, reported by an agency with a hostile reason.
	must("save metric", admin.post("/admin/metrics/catalog", url.Values{"code": {"xss_metric"}, "name_vi": {hostileText}, "name_en": {hostileText},
		"unit": {hostileText}, "description": {hostileText}, "combine": {"sum"}, "self_report": {"1"}, "reason": {hostileText}}), http.StatusSeeOther)
	editor, leader, appraiser := ts.client(t), ts.client(t), ts.client(t)
	editor.mustLogin("snv.editor")
	leader.mustLogin("snv.leader")
	appraiser.mustLogin("appraiser")
	must("report metric", editor.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"xss_metric"}, "period": {"2026"}, "value": {"3"}}), http.StatusSeeOther)
	must("correct metric", editor.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"xss_metric"}, "period": {"2026"}, "value": {"4"},
		"reason": {hostileText}}), http.StatusSeeOther)

	// The self-assessment: a hostile note and evidence file name; an
	// appraiser's hostile comment.
	sheet := "/app/assessments/xss-2026/SNV"
	leaf := sheet + "/leaf/2.3"
	must("save sheet", editor.post(sheet, sheetForm(map[string]string{"a.2.1": "yes", "m.legal_docs_self_checked": "8", "m.legal_docs_issued": "10",
		"p.2.3": "2.5", "note.2.3": hostileText, "m.initiatives_adopted": "1", "p.6.2": "2", "p.T.1": "1"})), http.StatusSeeOther)
	// The server keeps only the base name of an uploaded file, so this
	// name has no slash or backslash; its quotes and markup are kept.
	evidenceName := `<img src=x onerror=alert(2)>"' bằng chứng.pdf`
	escapedEvidence := "&lt;img src=x onerror=alert(2)&gt;&#34;&#39; bằng chứng.pdf"
	must("evidence", postFile(editor, leaf+"/evidence", evidenceName, []byte("%PDF-1.4\n% bằng chứng\n"), nil), http.StatusSeeOther)
	must("submit", leader.post(sheet+"/transition", url.Values{"t": {"submit"}}), http.StatusSeeOther)
	must("start appraisal", admin.post("/admin/assessments/xss-2026/start", nil), http.StatusSeeOther)
	// The queue shows the pending leaf with its hostile name and note.
	r = appraiser.get("/app/appraisal")
	must("queue", r, http.StatusOK)
	checkInert(t, "appraiser", "/app/appraisal", r)
	mustContain(t, "queue", r, escapedScript)
	must("appraise", appraiser.post(leaf+"/appraise", url.Values{"decision": {"adjust"}, "p": {"2"}, "comment": {hostileText}}), http.StatusSeeOther)

	xss := ts.client(t)
	if r := xss.login("xss.canbo", pw[1]); r.Status != http.StatusSeeOther {
		t.Fatalf("login of the hostile account = %d", r.Status)
	}
	type page struct {
		c     *client
		who   string
		path  string
		shows []string // what must be on the page, escaped, so the check is not vacuous
	}
	pages := []page{
		{admin, "admin", "/app/units", []string{escapedScript}},
		{admin, "admin", "/app/units/XSSU", []string{escapedScript}},
		{admin, "admin", "/admin/units/XSSU/edit", []string{escapedScript}},
		{admin, "admin", "/admin/users", []string{escapedScript}},
		{admin, "admin", "/admin/users/" + itoa(xssUser.ID), []string{escapedScript}},
		{admin, "admin", "/admin/audit", []string{escapedScript}},
		{admin, "admin", "/admin/audit?object_type=org_unit&object_id=XSSU", []string{escapedScript}},
		{admin, "admin", "/admin/audit?object_type=framework", []string{escapedScript}},
		{admin, "admin", "/admin/audit?object_type=metric_observation", []string{escapedScript}},
		{admin, "admin", "/admin/survey", nil},
		{admin, "admin", "/admin/survey/today.json", nil},
		{admin, "admin", "/admin/survey/links?unit=XSSU", []string{escapedScript}},
		{admin, "admin", "/admin/survey/links/" + itoa(links[0].ID) + "/poster", []string{escapedScript}},
		{admin, "admin", "/admin/survey/units/XSSU/posters", []string{escapedScript}},
		{admin, "admin", "/admin/survey/responses", []string{escapedScript}},
		{admin, "admin", "/admin/survey/responses?unit=XSSU", []string{escapedScript}},
		{admin, "admin", "/app/criteria", []string{escapedScript}},
		{admin, "admin", "/app/criteria/xss-2026", []string{escapedScript}},
		{admin, "admin", "/app/criteria/diff?a=e2e-2026&b=xss-2026", []string{escapedScript}},
		{admin, "admin", "/app/assessments", []string{escapedScript}},
		{admin, "admin", sheet, []string{escapedScript}},
		{admin, "admin", leaf, []string{escapedScript, escapedImg, escapedEvidence}},
		{admin, "admin", "/admin/assessments/xss-2026", []string{escapedScript}},
		{appraiser, "appraiser", "/app/appraisal", nil},
		{appraiser, "appraiser", leaf, []string{escapedScript, escapedImg, escapedEvidence}},
		{editor, "snv.editor", "/app/inbox", nil},
		{editor, "snv.editor", sheet, []string{escapedScript}},
		{editor, "snv.editor", leaf, []string{escapedScript, escapedImg, escapedEvidence}},
		{admin, "admin", "/app/metrics", nil},
		{admin, "admin", "/app/metrics/catalog", []string{escapedScript}},
		{admin, "admin", "/app/metrics/catalog?edit=xss_metric", []string{escapedScript}},
		{admin, "admin", "/app/metrics/units/SNV?period=2026", []string{escapedScript}},
		{editor, "snv.editor", "/app/metrics/units/SNV?period=2026", []string{escapedScript}},
		{admin, "admin", "/admin/metrics/import", nil},
		{admin, "admin", "/app/dashboard/survey", nil},
		{admin, "admin", "/app/units/XSSU/dashboard", []string{escapedScript}},
		{xss, "xss.canbo", "/app", []string{escapedScript}},
		{xss, "xss.canbo", "/account", []string{escapedScript}},
		{xss, "xss.canbo", "/admin/survey/links", []string{escapedScript}},
	}
	for _, p := range pages {
		r := p.c.get(p.path)
		if r.Status != http.StatusOK {
			t.Errorf("%s GET %s = %d", p.who, p.path, r.Status)
			continue
		}
		checkInert(t, p.who, p.path, r)
		for _, want := range p.shows {
			if !strings.Contains(r.Body, want) {
				t.Errorf("%s GET %s does not show the hostile text as text (%s)", p.who, p.path, want)
			}
		}
		// JSON answers and chart data escape markup characters.
		if strings.Contains(r.Body, "alert(1)") && !strings.Contains(r.Body, escapedScript) && !strings.Contains(r.Body, jsonScript) {
			t.Errorf("%s GET %s holds the script neither HTML- nor JSON-escaped", p.who, p.path)
		}
	}
}

// --- 4. path traversal ---------------------------------------------------

// TestPathTraversalOnDownloads asks every download route for files outside
// what it serves (dot segments raw and encoded, absolute paths,
// backslashes, NUL) and for another agency's evidence: never a file,
// always 4xx. A hostile evidence file name does not escape its
// Content-Disposition header.
func TestPathTraversalOnDownloads(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	setUpE2E(t, ts)
	in := withSurvey(t, ts)
	insertResponses(t, ts.DB, in, &parindex.Response{UnitID: unitID(t, ts.DB, "SNV"), Day: parindex.Date{Year: 2026, Month: 3, Day: 1}, Comment: "góp ý SNV"},
		&parindex.Response{UnitID: unitID(t, ts.DB, "STP"), Day: parindex.Date{Year: 2026, Month: 3, Day: 2}, Comment: "góp ý STP"})
	editor, other := ts.client(t), ts.client(t)
	editor.mustLogin("snv.editor")
	other.mustLogin("stp.editor")
	leaf := e2eSheet + "/leaf/2.3"
	pdf := []byte("%PDF-1.4\n% tài liệu kiểm chứng của SNV\n")
	wantStatus(t, "evidence", postFile(editor, leaf+"/evidence", "bao-cao.pdf", pdf, nil), http.StatusSeeOther)
	m := regexp.MustCompile(`/app/evidence/(\d+)">bao-cao.pdf`).FindStringSubmatch(editor.get(leaf).Body)
	if m == nil {
		t.Fatal("the leaf page lists no evidence")
	}
	id := m[1]
	if r := editor.get("/app/evidence/" + id); r.Status != http.StatusOK || r.Body != string(pdf) {
		t.Fatalf("the agency's own evidence = %d", r.Status)
	}

	// raw sends a path exactly as written: no client-side cleaning.
	raw := func(c *client, method, path string) response {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path
		return c.do(req)
	}
	leaks := []string{string(pdf[:12]), "package web", "root:x:", "module parindex", "góp ý STP"}
	refuse := func(c *client, who, path string) {
		t.Helper()
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := raw(c, method, path)
			// gin redirects a trailing slash away; the target is checked on its own.
			redirect := r.Status >= 300 && r.Status < 400 && strings.HasPrefix(r.Location, "/") && !strings.HasPrefix(r.Location, "//")
			if (r.Status < 400 || r.Status >= 500) && !redirect {
				t.Errorf("%s %s %s = %d %q, want 4xx", who, method, path, r.Status, r.Location)
			}
			for _, leak := range leaks {
				if strings.Contains(r.Body, leak) {
					t.Errorf("%s %s %s leaks %q", who, method, path, leak)
				}
			}
		}
	}
	// Another agency asks for SNV's file by its id, and by every disguise of it.
	for _, p := range []string{"/app/evidence/" + id, "/app/evidence/%2B" + id, "/app/evidence/0" + id, "/app/evidence/" + id + "%00",
		"/app/evidence/" + id + "/", "/app/evidence/" + id + ".pdf"} {
		refuse(other, "stp.editor", p)
	}
	traversals := []string{
		"/../../../../etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e%2f%2e%2e%2fgo.mod",
		"/..%5c..%5c..%5cweb%5cserver.go", `/..\..\..\web\server.go`, "//etc/passwd", "/%2fetc%2fpasswd", "/C:%5cWindows%5cwin.ini",
		"/" + id + "%00.pdf", "/%00", "/..%00/" + id, "/-1", "/99999999999999999999",
	}
	for _, tr := range traversals {
		refuse(editor, "snv.editor", "/app/evidence"+tr)
		refuse(editor, "snv.editor", "/static"+tr)
		refuse(editor, "snv.editor", "/app/criteria"+tr+"/download")
		refuse(editor, "snv.editor", "/admin/survey/instruments"+tr+"/yaml")
		refuse(editor, "snv.editor", "/app/units"+tr+"/scorecard.xlsx")
	}
	// Static files: only the embedded, hashed URLs.
	asset := regexp.MustCompile(`/static/app\.[0-9a-f]{12}\.css`).FindString(editor.get("/app").Body)
	if r := editor.get(asset); asset == "" || r.Status != http.StatusOK {
		t.Fatalf("the stylesheet %q = %d", asset, r.Status)
	}
	for _, p := range []string{"/static/app.css", "/static/static/app.css", asset + "%00.js", asset + "/..", asset + "/../../go.mod",
		"/static/../web/server.go", "/static/./" + strings.TrimPrefix(asset, "/static/"), "/static/%2e/" + strings.TrimPrefix(asset, "/static/")} {
		refuse(editor, "snv.editor", p)
	}
	// The responses export: a unit filter of another agency, disguised, is refused.
	if r := editor.get("/admin/survey/responses.xlsx?unit=SNV"); r.Status != http.StatusOK {
		t.Fatalf("own responses export = %d", r.Status)
	}
	for _, unit := range []string{"STP", "SNV/../STP", "../STP", "SNV%00STP", `SNV\..\STP`, "/STP", "SNV,STP"} {
		r := editor.get("/admin/survey/responses.xlsx?unit=" + url.QueryEscape(unit))
		if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest {
			t.Errorf("responses export of unit %q = %d", unit, r.Status)
		}
	}

	// A file name with quotes, a line break, backslashes and dot segments.
	// Go's multipart reader keeps the base name after the last slash, so
	// the name is sent in RFC 2231 form to bring the rest through.
	hostileName := "..\\..\\etc\\\"bao cao\"; filename=evil.exe\r\nX-Injected: 1 ..pdf"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {`form-data; name="file"; filename*=UTF-8''` + percentEncode(hostileName)},
		"Content-Type":        {"application/pdf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	part.Write(pdf)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+leaf+"/evidence", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	wantStatus(t, "evidence with a hostile name", editor.do(req), http.StatusSeeOther)
	ids := regexp.MustCompile(`/app/evidence/(\d+)"`).FindAllStringSubmatch(editor.get(leaf).Body, -1)
	var hostileID string
	for _, m := range ids {
		if m[1] != id {
			hostileID = m[1]
		}
	}
	if hostileID == "" {
		t.Fatal("the evidence with a hostile name is not listed")
	}
	r := editor.get("/app/evidence/" + hostileID)
	cd := r.Header.Get("Content-Disposition")
	if r.Status != http.StatusOK || r.Header.Get("X-Injected") != "" {
		t.Fatalf("download = %d, X-Injected %q", r.Status, r.Header.Get("X-Injected"))
	}
	plain := regexp.MustCompile(`^attachment; filename="([^"]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_` + "`" + `|~%-]+)$`).FindStringSubmatch(cd)
	if plain == nil {
		t.Fatalf("Content-Disposition %q is not one attachment with a plain and an encoded name", cd)
	}
	if strings.ContainsAny(plain[1], "\\/\r\n\"") {
		t.Errorf("the plain file name %q holds a separator, quote or line break", plain[1])
	}
	decoded, err := url.PathUnescape(plain[2])
	if !strings.Contains(decoded, "bao cao") || !strings.Contains(decoded, "X-Injected") {
		t.Errorf("the hostile name did not reach the header, the check proves nothing: %q", cd)
	}
	if err != nil || strings.ContainsAny(decoded, "\\/\r\n\"") || !strings.HasSuffix(decoded, ".pdf") {
		t.Errorf("the encoded file name %q (%v) holds a separator, quote or line break", decoded, err)
	}
}

// percentEncode encodes every byte but letters and digits, as RFC 2231
// allows.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// --- 5. SQL metacharacters -------------------------------------------------

// sqlProbes are filter values that would change a query built by pasting
// text: quotes, comments, LIKE wildcards, an escape character, a second
// statement, Vietnamese text and a very long value.
var sqlProbes = []string{
	`' OR 1=1 --`, `' OR '1'='1`, `%`, `_`, `\`, `%' OR '%'='`, `"; DROP TABLE users; --`, `'); DROP TABLE org_units; --`,
	"Sở Nội vụ", "Nguyễn Văn Ả'", "SNV\x00", strings.Repeat("x' OR '1'='1 ", 800),
}

// TestSQLMetacharactersInEveryFilter sends every filter of every page and
// API list hostile values: no 500, no rows from units the value does not
// name, and every table is still there with its rows afterwards.
func TestSQLMetacharactersInEveryFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		in := withSurvey(t, ts)
		snv, stp := unitID(t, db, "SNV"), unitID(t, db, "STP")
		d := parindex.Date{Year: 2026, Month: 3, Day: 2}
		insertResponses(t, db, in, &parindex.Response{UnitID: snv, Day: d, Comment: "Góp ý của SNV"},
			&parindex.Response{UnitID: stp, Day: d, Comment: "Góp ý của STP", Flags: []string{parindex.FlagSpeeder}})
		putRows(t, db, "SNV 2026-01 records_received 10", "STP 2026-01 records_received 20")
		mustLink(t, db, "SNV", "Quầy SNV")
		mustLink(t, db, "STP", "Quầy STP")
		// The API allows a token a burst of requests: one token per probe
		// and endpoint keeps every probe under it.
		token := mustToken(t, db, "probe", "", false)
		tokens := map[string]string{}
		for i := range sqlProbes {
			for _, a := range []string{"units", "metrics", "catalog", "frameworks", "snapshots", "results", "unit-metrics"} {
				tokens[fmt.Sprint(i, a)] = mustToken(t, db, fmt.Sprint("probe-", i, "-", a), "", false)
			}
		}
		admin, agency := ts.client(t), ts.client(t)
		admin.mustLogin("admin")
		agency.mustLogin("snv.editor")
		before := tableCounts(t, db)

		type filter struct {
			c      *client
			who    string
			path   string
			params []string
			absent []string // text a correct filter never returns for these values
		}
		filters := []filter{
			{admin, "admin", "/admin/audit", []string{"actor", "object_type", "object_id"}, []string{"org.create"}},
			{admin, "admin", "/admin/survey/responses", []string{"unit", "from", "to", "flag"}, []string{"Góp ý của"}},
			// A page number that is not one shows the first page.
			{admin, "admin", "/admin/audit", []string{"page"}, nil},
			{admin, "admin", "/admin/survey/responses", []string{"page"}, nil},
			{agency, "snv.editor", "/admin/survey/responses", []string{"unit", "flag", "from"}, []string{"Góp ý của STP"}},
			{admin, "admin", "/admin/survey/responses.xlsx", []string{"unit", "from", "to", "flag"}, nil},
			{agency, "snv.editor", "/admin/survey/responses.xlsx", []string{"unit", "flag"}, nil},
			{admin, "admin", "/app/units", []string{"on"}, nil},
			{agency, "snv.editor", "/app/units", []string{"on", "all"}, []string{"Sở Tư pháp"}},
			{admin, "admin", "/admin/survey/links", []string{"unit"}, []string{"Quầy SNV", "Quầy STP"}},
			{agency, "snv.editor", "/admin/survey/links", []string{"unit"}, []string{"Quầy STP"}},
			{admin, "admin", "/app/metrics", []string{"period"}, nil},
			{admin, "admin", "/app/metrics/units/SNV", []string{"period", "metric"}, nil},
			{admin, "admin", "/app/metrics/catalog", []string{"edit"}, nil},
			{admin, "admin", "/app/dashboard", []string{"framework", "type", "parent", "year"}, nil},
			{admin, "admin", "/app/dashboard/table.csv", []string{"framework", "table", "year"}, nil},
			{admin, "admin", "/app/dashboard/survey", []string{"year"}, nil},
			{agency, "snv.editor", "/app/units/SNV/dashboard", []string{"year", "framework"}, nil},
			{admin, "admin", "/app/criteria/diff", []string{"a", "b"}, nil},
			{admin, "admin", "/app/ranking.xlsx", []string{"snapshot", "framework", "year"}, nil},
			{agency, "snv.editor", "/app/units/SNV/scorecard.xlsx", []string{"snapshot", "year"}, nil},
		}
		apis := []struct {
			name   string
			path   string
			params []string
		}{
			{"units", "/api/v1/units", []string{"type", "valid_on", "all", "limit", "cursor"}},
			{"metrics", "/api/v1/metrics", []string{"metric", "source", "unit", "period", "year", "limit", "cursor"}},
			{"catalog", "/api/v1/metrics/catalog", []string{"limit"}},
			{"frameworks", "/api/v1/frameworks", []string{"year", "limit"}},
			{"snapshots", "/api/v1/snapshots", []string{"framework", "year", "limit", "cursor"}},
			{"results", "/api/v1/survey/results", []string{"instrument", "period", "include_flagged"}},
			{"unit-metrics", "/api/v1/units/SNV/metrics", []string{"period"}},
		}
		// Controls first: the same filters with real values do return
		// rows, so the absences below mean something.
		if r := admin.get("/admin/survey/responses?unit=STP"); !strings.Contains(r.Body, "Góp ý của STP") || strings.Contains(r.Body, "Góp ý của SNV") {
			t.Error("the responses filter by unit does not work")
		}
		if r := admin.get("/admin/audit?object_type=org_unit"); !strings.Contains(r.Body, "org.create") {
			t.Error("the audit filter does not work")
		}
		if r := admin.api(http.MethodGet, "/api/v1/metrics?metric=records_received", token, nil); r.Status != http.StatusOK || len(r.list()) != 2 {
			t.Errorf("the API metric filter = %d, %d items", r.Status, len(r.list()))
		}
		if r := admin.get("/admin/survey/links?unit=STP"); !strings.Contains(r.Body, "Quầy STP") || strings.Contains(r.Body, "Quầy SNV") {
			t.Error("the links filter by unit does not work")
		}
		for i, probe := range sqlProbes {
			short := probe
			if len(short) > 30 {
				short = short[:30] + "…"
			}
			for _, f := range filters {
				for _, p := range f.params {
					path := f.path + "?" + url.Values{p: {probe}}.Encode()
					r := f.c.get(path)
					if r.Status >= 500 {
						t.Errorf("%s GET %s?%s=%q = %d", f.who, f.path, p, short, r.Status)
					}
					for _, a := range f.absent {
						if strings.Contains(r.Body, a) {
							t.Errorf("%s GET %s?%s=%q returns %q", f.who, f.path, p, short, a)
						}
					}
				}
			}
			// Path parameters too.
			for _, p := range []string{"/app/units/", "/admin/units/", "/app/criteria/", "/admin/survey/instruments/", "/app/metrics/units/"} {
				suffix := map[string]string{"/admin/units/": "/edit"}[p]
				r := admin.get(p + url.PathEscape(probe) + suffix)
				if r.Status >= 500 || strings.Contains(r.Body, "Góp ý của") {
					t.Errorf("admin GET %s%q = %d", p, short, r.Status)
				}
			}
			for _, a := range apis {
				for _, p := range a.params {
					r := admin.api(http.MethodGet, a.path+"?"+url.Values{p: {probe}}.Encode(), tokens[fmt.Sprint(i, a.name)], nil)
					if r.Status >= 500 || r.Status == http.StatusTooManyRequests {
						t.Errorf("GET %s?%s=%q = %d", a.path, p, short, r.Status)
					}
					// A filter that names nothing returns nothing.
					if r.Status == http.StatusOK && slices.Contains([]string{"type", "metric", "source", "unit", "framework", "instrument"}, p) && len(r.list()) != 0 {
						t.Errorf("GET %s?%s=%q returns %d items", a.path, p, short, len(r.list()))
					}
				}
			}
		}
		after := tableCounts(t, db)
		// Reading pages writes nothing but the API's own request log.
		delete(before, "api_requests")
		delete(after, "api_requests")
		if d := diffCounts(before, after); len(d) > 0 {
			t.Errorf("tables changed under hostile filters: %v", d)
		}
		if _, _, err := db.UserCredentials(context.Background(), "admin"); err != nil {
			t.Errorf("the users table no longer answers: %v", err)
		}
	})
}

// --- 6. oversized bodies -----------------------------------------------------

// TestOversizedBodiesAndUploads sends every body with a limit more than
// its limit: each gets a clear 4xx in Vietnamese and nothing is stored.
func TestOversizedBodiesAndUploads(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	setUpE2E(t, ts)
	withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")
	token := mustToken(t, ts.DB, "lon", "", true)
	admin, editor := ts.client(t), ts.client(t)
	admin.mustLogin("admin")
	editor.mustLogin("snv.editor")
	before := tableCounts(t, ts.DB)
	unchanged := func(what string, tables ...string) {
		t.Helper()
		after := tableCounts(t, ts.DB)
		for _, table := range tables {
			if after[table] != before[table] {
				t.Errorf("%s: %s %d → %d", what, table, before[table], after[table])
			}
		}
	}
	big := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }
	check := func(what string, r response, statuses []int, message string) {
		t.Helper()
		if !slices.Contains(statuses, r.Status) || !strings.Contains(r.Body, message) {
			t.Errorf("%s = %d, want %v with %q\n%.300s", what, r.Status, statuses, message, r.Body)
		}
	}

	// The public form: 64 KiB.
	citizen := ts.client(t)
	form := citizen.get("/s/" + link.Token)
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(form.Body)
		if m == nil {
			t.Fatalf("the form has no %s", name)
		}
		return m[1]
	}
	answers := url.Values{"k": {field("k")}, "ts": {field("ts")}, "comment": {string(big(80 << 10))}}
	check("survey form of 80 KiB", citizen.post("/s/"+link.Token, answers), []int{http.StatusRequestEntityTooLarge}, "Nội dung gửi lên quá lớn")
	unchanged("survey form", "responses", "response_counts")

	before = tableCounts(t, ts.DB)
	// The login: a password of 11 MB, over the standard library's own
	// 10 MB, and one of 100 KiB.
	for _, n := range []int{11 << 20, 100 << 10} {
		r := ts.client(t).post("/login", url.Values{"username": {"admin"}, "password": {string(big(n))}})
		check(fmt.Sprintf("login of %d bytes", n), r, []int{http.StatusRequestEntityTooLarge}, "Nội dung gửi lên quá lớn")
	}
	unchanged("login", "sessions", "login_attempts", "audit_log")

	before = tableCounts(t, ts.DB)
	// Evidence: over the configured limit (PARINDEX_EVIDENCE_MAX_MB, here
	// 1 MiB), within and beyond the slack of the body limit.
	ts.Srv.SetMaxEvidenceSize(1 << 20)
	leaf := e2eSheet + "/leaf/2.3"
	pdf := append([]byte("%PDF-1.4\n"), big(1<<20)...)
	check("evidence of 1 MiB + 9 B", postFile(editor, leaf+"/evidence", "lon.pdf", pdf, nil), []int{http.StatusRequestEntityTooLarge}, "Tệp quá lớn")
	check("evidence of 3 MiB", postFile(editor, leaf+"/evidence", "lon.pdf", append(pdf, big(2<<20)...), nil), []int{http.StatusRequestEntityTooLarge}, "Tệp quá lớn")
	ts.Srv.SetMaxEvidenceSize(0)
	unchanged("evidence", "evidence_files", "audit_log", "assessments")

	// Imports: criteria (4 MiB), metrics (16 MiB), paper forms (4 MiB),
	// instruments (1 MiB), the assessment workbook (4 MiB).
	yaml := append([]byte("code: lon-2026\n# "), big(5<<20)...)
	check("framework of 5 MiB", criteriaUpload(admin, "lon.yaml", yaml, nil), []int{http.StatusRequestEntityTooLarge}, "quá")
	unchanged("framework", "frameworks", "audit_log")
	csv := append([]byte("unit,period,metric,value\n"), big(17<<20)...)
	check("metrics import of 17 MiB", postFile(admin, "/admin/metrics/import", "lon.csv", csv, url.Values{"reason": {"x"}}),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("metrics import", "metric_observations", "audit_log")
	// A body far over the limit is not read to its end (it once was: the
	// form was parsed before the limit was set).
	sent := postStream(t, admin, "/admin/metrics/import", "file", "lon.csv", 96<<20, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge})
	if sent > 64<<20 {
		t.Errorf("the metrics import read %d MiB of a 96 MiB body; its limit is 32 MiB", sent>>20)
	}
	unchanged("metrics import streamed", "metric_observations", "audit_log")
	check("paper import of 5 MiB", postFile(admin, "/admin/survey/paper", "lon.csv", big(5<<20), url.Values{"instrument": {"sipas-2026"}}),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("paper import", "responses", "audit_log")
	check("instrument of 2 MiB", postFile(admin, "/admin/survey/instruments", "lon.yaml", big(2<<20), nil),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("instrument", "instruments", "audit_log")
	check("assessment workbook of 5 MiB", postFile(editor, e2eSheet+"/upload", "lon.xlsx", big(5<<20), nil),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "")
	unchanged("assessment workbook", "assessments", "audit_log")

	// The API: 8 MiB of JSON.
	var huge bytes.Buffer
	huge.WriteString(`{"observations":[`)
	for huge.Len() < 9<<20 {
		huge.WriteString(`{"unit":"SNV","period":"2026-01","metric":"records_received","value":1},`)
	}
	huge.WriteString(`{"unit":"SNV","period":"2026-01","metric":"records_received","value":1}]}`)
	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/api/v1/metrics", &huge)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	check("API PUT of 9 MiB", admin.do(req), []int{http.StatusRequestEntityTooLarge}, "Nội dung quá lớn")
	unchanged("API PUT", "metric_observations", "audit_log")

	// The server still answers.
	if r := admin.get("/admin/users"); r.Status != http.StatusOK {
		t.Errorf("after the oversized requests: %d", r.Status)
	}
}

// countingReader counts the bytes the server took from the client.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// postStream posts a multipart file of size bytes without holding it in
// memory and returns how many bytes the server read before it answered.
func postStream(t *testing.T, c *client, path, field, name string, size int64, statuses []int) int64 {
	t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile(field, name); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(repeatByte('a'), size), strings.NewReader(tail))}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		// The server may close the connection while the client still writes.
		return body.n.Load()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if !slices.Contains(statuses, resp.StatusCode) || !strings.Contains(string(msg), "quá lớn") {
		t.Errorf("POST %s of %d MiB = %d, want %v with a clear message", path, size>>20, resp.StatusCode, statuses)
	}
	return body.n.Load()
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
