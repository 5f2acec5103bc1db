package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/snapshot"
	"parindex/store/storetest"
	"parindex/survey"
)

const (
	scriptName   = `</script><script>alert(1)</script>`
	functionName = `__f__alert(2)__f__`
)

// dashboardServer serves the demo province (small survey) plus two
// departments with hostile names, scored and published.
func dashboardServer(t *testing.T) *testServer {
	t.Helper()
	// The demo is seeded and scored on 20 December 2026; the server then runs
	// on the real clock, which sessions need.
	db := storetest.MustOpenSQLite(t)
	seeding := seedingClock(db)
	ts := newTestServer(t, db)
	ctx := context.Background()
	seeding.Store(true)
	seedDemo(t, ts.DB, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true})
	if _, err := ts.DB.ImportOrgUnits(ctx, parindex.Actor{Name: "test"}, "", []parindex.OrgRow{
		{Row: 2, Code: "XSS1", Name: scriptName, Type: "department", Parent: demo.ProvinceCode, ValidFrom: "2025-07-01"},
		{Row: 3, Code: "XSS2", Name: functionName, Type: "department", Parent: demo.ProvinceCode, ValidFrom: "2025-07-01"},
	}, "test"); err != nil {
		t.Fatal(err)
	}
	rn := &snapshot.Runner{DB: ts.DB, Survey: survey.NewService(ts.DB, survey.ResultOptions{})}
	for _, code := range []string{"province-departments-2026", "communes-2026"} {
		s, _, err := rn.Score(ctx, parindex.Actor{Name: "test"}, code, snapshot.Options{Draws: 100})
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.DB.PublishSnapshot(ctx, parindex.Actor{Name: "test"}, s.ID, parindex.PublicationFinal, nil, "test"); err != nil {
			t.Fatal(err)
		}
	}
	seeding.Store(false)
	return ts
}

var (
	scriptTag = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
	jsonBlock = regexp.MustCompile(`^\s*type="application/json" id="[a-z0-9-]+-option"\s*$`)
	srcOnly   = regexp.MustCompile(`^\s*src="/static/[a-z./0-9]+" nonce="[^"]+"\s*$`)
)

// checkScripts fails when a page holds any executable inline script, or a
// data block that is not valid JSON.
func checkScripts(t *testing.T, path, body string) (blocks int) {
	t.Helper()
	for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
		attrs, content := m[1], m[2]
		switch {
		case jsonBlock.MatchString(attrs):
			var v any
			if err := json.Unmarshal([]byte(content), &v); err != nil {
				t.Errorf("GET %s: chart data block is not JSON: %v", path, err)
			}
			blocks++
		case srcOnly.MatchString(attrs) && strings.TrimSpace(content) == "":
		default:
			t.Errorf("GET %s: unexpected script element <script%s>%.80s", path, attrs, content)
		}
	}
	return blocks
}

// TestDashboard runs the dashboard checks on one seeded server: seeding
// and scoring are the slow part under the race detector.
func TestDashboard(t *testing.T) {
	ts := dashboardServer(t)
	t.Run("hostile names are text", func(t *testing.T) { dashboardHostileNames(t, ts) })
	t.Run("roles", func(t *testing.T) { dashboardRoles(t, ts) })
	t.Run("overview content", func(t *testing.T) { dashboardOverviewContent(t, ts) })
	t.Run("scorecard link only where there is one", func(t *testing.T) { dashboardScorecardLink(t, ts) })
}

// A unit in no published result (the one-stop centre) is not offered a
// scorecard download that would answer 404; a scored unit's link works.
func dashboardScorecardLink(t *testing.T, ts *testServer) {
	admin := ts.loggedIn(t, "admin")
	none := admin.get("/app/units/TTPVHCC/dashboard")
	if none.Status != 200 || !strings.Contains(none.Body, "chưa có trong kết quả chấm điểm") || strings.Contains(none.Body, "scorecard.xlsx") {
		t.Errorf("the one-stop centre's page (%d) offers a scorecard it does not have, or does not say why", none.Status)
	}
	if r := admin.get("/app/units/TTPVHCC/scorecard.xlsx"); r.Status != http.StatusNotFound {
		t.Errorf("the one-stop centre's scorecard = %d; the link is hidden because it is 404", r.Status)
	}
	page := admin.get("/app/units/SNV/dashboard")
	link := regexp.MustCompile(`href="(/app/units/SNV/scorecard\.xlsx\?year=\d+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatal("the department's page offers no scorecard")
	}
	if r := admin.get(link[1]); r.Status != 200 {
		t.Errorf("GET %s = %d", link[1], r.Status)
	}
}

func dashboardHostileNames(t *testing.T, ts *testServer) {
	admin := ts.loggedIn(t, "admin")
	for _, path := range []string{"/app/dashboard?framework=province-departments-2026", "/app/units/XSS1/dashboard", "/app/units/XSS2/dashboard"} {
		r := admin.get(path)
		if r.Status != 200 {
			t.Fatalf("GET %s = %d", path, r.Status)
		}
		if strings.Contains(r.Body, scriptName) || strings.Contains(r.Body, "<script>alert") {
			t.Errorf("GET %s renders the script name unescaped", path)
		}
		if checkScripts(t, path, r.Body) == 0 {
			t.Errorf("GET %s has no chart data", path)
		}
		// The function marker stays a plain string: go-echarts never
		// turned it into code, and nothing in the page evaluates strings.
		if n := strings.Count(r.Body, "alert(2)"); n != strings.Count(r.Body, functionName) {
			t.Errorf("GET %s: alert(2) appears outside its marked name", path)
		}
	}
	r := admin.get("/app/dashboard?framework=province-departments-2026")
	for _, want := range []string{"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", `\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`,
		`"` + functionName + `"`, ">" + functionName + "<"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("overview does not show a hostile name as text: missing %s", want)
		}
	}
	csv := admin.get("/app/dashboard/table.csv?framework=province-departments-2026&table=ranking")
	if csv.Status != 200 || !strings.Contains(csv.Body, scriptName) || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("ranking CSV: %d %s", csv.Status, csv.Header.Get("Content-Type"))
	}
}

func dashboardRoles(t *testing.T, ts *testServer) {
	cases := []struct {
		user string
		want map[string]int
	}{
		{"admin", map[string]int{"/app/dashboard": 200, "/app/dashboard/survey": 200, "/app/dashboard/survey/table.csv?table=monitor-units": 200, "/app/units/SNV/dashboard": 200, "/app/units/STP/dashboard": 200, "/app/dashboard/table.csv?table=bands": 200}},
		{"viewer", map[string]int{"/app/dashboard": 200, "/app/units/STP/dashboard": 200, "/app/units/STP/dashboard/table.csv?table=scorecard": 200}},
		{"appraiser", map[string]int{"/app/dashboard": 200, "/app/units/SNV/dashboard": 200}},
		{"snv.editor", map[string]int{"/app/dashboard": 403, "/app/dashboard/survey": 403, "/app/dashboard/table.csv?table=ranking": 403, "/app/units/SNV/dashboard": 200,
			"/app/units/SNV/dashboard/table.csv?table=scorecard": 200, "/app/units/STP/dashboard": 403, "/app/units/STP/dashboard/table.csv?table=scorecard": 403,
			"/app/units/NO-SUCH/dashboard": 403}},
		{"snv.leader", map[string]int{"/app/dashboard": 403, "/app/units/SNV/dashboard": 200, "/app/units/X001/dashboard": 403}},
		{"noroles", map[string]int{"/app/dashboard": 403, "/app/units/SNV/dashboard": 403}},
	}
	for _, tc := range cases {
		c := ts.loggedIn(t, tc.user)
		for path, want := range tc.want {
			if r := c.get(path); r.Status != want {
				t.Errorf("%s GET %s = %d, want %d", tc.user, path, r.Status, want)
			}
		}
		home := c.get("/app")
		if hasLink := strings.Contains(home.Body, `href="/app/dashboard"`); hasLink != (tc.want["/app/dashboard"] == 200) {
			t.Errorf("%s: overview menu entry shown = %v", tc.user, hasLink)
		}
		if own := strings.Contains(home.Body, `href="/app/units/SNV/dashboard"`); own != strings.HasPrefix(tc.user, "snv.") {
			t.Errorf("%s: own agency menu entry shown = %v", tc.user, own)
		}
	}
	anon := ts.client(t)
	if r := anon.get("/app/dashboard"); r.Status != 303 {
		t.Errorf("anonymous GET /app/dashboard = %d, want a redirect to the login", r.Status)
	}
}

func dashboardOverviewContent(t *testing.T, ts *testServer) {
	c := ts.loggedIn(t, "viewer")
	r := c.get("/app/dashboard?framework=communes-2026&type=ward")
	if r.Status != 200 {
		t.Fatalf("GET overview = %d", r.Status)
	}
	for _, id := range []string{"chart-ranking", "chart-bands", "chart-heatmap", "chart-trend", "chart-funnel", "table-ranking", "table-funnel"} {
		if !strings.Contains(r.Body, `id="`+id+`"`) && !strings.Contains(r.Body, `id="`+id+`-option"`) {
			t.Errorf("overview lacks %s", id)
		}
	}
	if strings.Contains(r.Body, "Xã ") && strings.Contains(r.Body, `data-sort`) && strings.Contains(r.Body, ">Xã Tân") {
		t.Errorf("the ward filter lets communes through")
	}
	en := ts.loggedIn(t, "viewer")
	a := en.get("/app/units/SNV/dashboard")
	if a.Status != 200 || !strings.Contains(a.Body, `href="/app/units/SNV/scorecard.xlsx?year=2026"`) || !strings.Contains(a.Body, "table-scorecard") {
		t.Errorf("agency page: %d, missing the Excel link or the scorecard", a.Status)
	}
}
