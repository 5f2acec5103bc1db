package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store/storetest"
	"parindex/survey"
)

func TestLiveCounterCountsAPostedForm(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	in := withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")

	admin := ts.loggedIn(t, "admin")
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
	answers := surveyFormKeys(t, form)
	answers.Set("lang", "vi")
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
	agency := ts.loggedIn(t, "snv.editor")
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
	noroles := ts.loggedIn(t, "noroles")
	noroles.wantStatus(t, "/admin/survey/today.json", http.StatusForbidden, "noroles today.json")
	ts.client(t).wantStatus(t, "/admin/survey/today.json", http.StatusSeeOther, "anonymous today.json")
}
