package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"parindex/store/storetest"
	"parindex/survey"
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
	ts := newE2EServer(t, storetest.MustOpenSQLite(t)) // a framework to compare the hostile one with
	ctx := context.Background()
	withSurvey(t, ts)
	admin := ts.loggedIn(t, "admin")
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
	answers := surveyFormKeys(t, form)
	answers.Set("lang", "vi")
	answers.Set("comment", hostileText)
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
	editor, leader, appraiser := ts.loggedIn(t, "snv.editor"), ts.loggedIn(t, "snv.leader"), ts.loggedIn(t, "appraiser")
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
