package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/demo"
	"parindex/export"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// exportServer is a test server over the demo province with its published
// snapshots and responses.
func exportServer(t *testing.T) (*testServer, int64) {
	t.Helper()
	db := storetest.MustOpenSQLite(t)
	ts := newTestServer(t, db)
	seedDemo(t, db, demo.Options{SurveyVolume: 0.05})
	snaps, err := db.FindSnapshots(context.Background(), store.SnapshotFilter{FrameworkCode: "province-departments-2026", Status: parindex.StatusPublished})
	if err != nil || len(snaps) == 0 {
		t.Fatalf("demo snapshots: %v, %v", snaps, err)
	}
	return ts, snaps[0].ID
}

func openXLSX(t *testing.T, r response) *excelize.File {
	t.Helper()
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("download = %d %s: %.300s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestScorecardDownloadIsScopedToTheAgency(t *testing.T) {
	ts, id := exportServer(t)
	ctx := context.Background()
	sc, err := export.LoadSnapshot(ctx, ts.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	snv := sc.Result.Agency("SNV")

	editor := ts.loggedIn(t, "snv.editor")
	r := editor.get("/app/units/SNV/scorecard.xlsx")
	f := openXLSX(t, r)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''Phi%E1%BA%BFu%20%C4%91i%E1%BB%83m%20CCHC%202026") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	rows, _ := f.GetRows(export.SheetSummary, excelize.Options{RawCellValue: true})
	got := ""
	for _, row := range rows {
		if len(row) > 1 && row[0] == export.LabelIndex {
			// The label spans the code and name columns, the value the
			// figures': the value is the first cell filled after it.
			for _, v := range row[1:] {
				if v != "" {
					got = v
					break
				}
			}
		}
	}
	if want := formatFloat(*snv.IndexRounded); got != want {
		t.Errorf("index in the download = %q, snapshot %q", got, want)
	}
	// Another agency's scorecard, the ranking and a malformed id.
	editor.wantStatus(t, "/app/units/STP/scorecard.xlsx", http.StatusForbidden, "editor of SNV downloading STP")
	editor.wantStatus(t, "/app/units/NO-SUCH/scorecard.xlsx", http.StatusForbidden, "editor probing an unknown unit")
	editor.wantStatus(t, "/app/ranking.xlsx", http.StatusForbidden, "editor downloading the ranking")
	editor.wantStatus(t, "/app/units/SNV/scorecard.xlsx?snapshot=abc", http.StatusBadRequest, "bad snapshot id")
	editor.wantStatus(t, "/app/units/SNV/scorecard.xlsx?snapshot=999999", http.StatusNotFound, "unknown snapshot")
	if r := ts.client(t).get("/app/units/SNV/scorecard.xlsx"); r.Status == http.StatusOK {
		t.Errorf("anonymous download = %d", r.Status)
	}

	// A draft snapshot is DoHA's: the agency cannot see it, the admin can.
	rn := &snapshot.Runner{DB: ts.DB, Survey: survey.NewService(ts.DB, survey.ResultOptions{})}
	draft, _, err := rn.Score(ctx, parindex.Actor{Name: "test"}, "province-departments-2026", snapshot.Options{Draws: 20})
	if err != nil {
		t.Fatal(err)
	}
	path := "/app/units/SNV/scorecard.xlsx?snapshot=" + itoa(draft.ID)
	editor.wantStatus(t, path, http.StatusNotFound, "agency downloading a draft")
	admin := ts.loggedIn(t, "admin")
	openXLSX(t, admin.get(path))

	// A commune's scorecard comes from the communes' framework.
	openXLSX(t, admin.get("/app/units/X001/scorecard.xlsx"))

	viewer := ts.loggedIn(t, "viewer")
	rf := openXLSX(t, viewer.get("/app/ranking.xlsx?snapshot="+itoa(id)))
	if n := len(rf.GetSheetList()); n != 1 {
		t.Errorf("ranking sheets = %d", n)
	}
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func TestResponsesDownloadFollowsTheBrowserScoping(t *testing.T) {
	ts, _ := exportServer(t)
	ctx := context.Background()
	snv := storetest.Unit(t, ts.DB, "SNV")
	want, err := ts.DB.CountResponses(ctx, store.ResponseFilter{UnitID: snv.ID})
	if err != nil || want == 0 {
		t.Fatalf("SNV responses = %d, %v", want, err)
	}
	editor := ts.loggedIn(t, "snv.editor")
	// Without a unit an agency user gets its own unit's responses only.
	f := openXLSX(t, editor.get("/admin/survey/responses.xlsx"))
	rows, err := f.GetRows(export.SheetResponses)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != want+1 {
		t.Errorf("%d rows, want %d and the header", len(rows), want)
	}
	for _, r := range rows[1:] {
		if r[0] != "SNV" {
			t.Fatalf("row of unit %s in SNV's export", r[0])
		}
	}
	editor.wantStatus(t, "/admin/survey/responses.xlsx?unit=STP", http.StatusForbidden, "SNV exporting STP")
	editor.wantStatus(t, "/admin/survey/responses.xlsx?flag=bogus", http.StatusBadRequest, "unknown flag")
	admin := ts.loggedIn(t, "admin")
	all, err := ts.DB.CountResponses(ctx, store.ResponseFilter{Flag: "none", From: parindex.Date{Year: 2026, Month: 6, Day: 1}})
	if err != nil {
		t.Fatal(err)
	}
	f = openXLSX(t, admin.get("/admin/survey/responses.xlsx?flag=none&from=2026-06-01"))
	rows, _ = f.GetRows(export.SheetResponses)
	if len(rows) != all+1 {
		t.Errorf("admin export = %d rows, want %d and the header", len(rows), all)
	}
}

// The pages offer the downloads: the overview its ranking, the responses
// browser its filtered rows.
func TestDownloadLinksOnPages(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServer(t, db)
	seedDemo(t, db, demo.Options{SurveyVolume: 0.02})
	c := ts.loggedIn(t, "admin")
	page := c.get("/app/dashboard")
	link := regexp.MustCompile(`href="(/app/ranking\.xlsx\?snapshot=\d+)"`).FindStringSubmatch(page.Body)
	if link == nil {
		t.Fatalf("no ranking download on the overview (%d)", page.Status)
	}
	if r := c.get(link[1]); r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("ranking download = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	page = c.get("/admin/survey/responses?flag=any")
	link = regexp.MustCompile(`href="(/admin/survey/responses\.xlsx\?[^"]*)"`).FindStringSubmatch(page.Body)
	if link == nil || !strings.Contains(link[1], "flag=any") {
		t.Fatalf("no filtered responses download: %v", link)
	}
	c.wantStatus(t, html.UnescapeString(link[1]), 200, "responses download")
}

// The survey results download is the command line's workbook, scoped as
// the responses download is: DoHA sees every unit, an agency its own.
func TestSurveyResultsDownloadIsScoped(t *testing.T) {
	ts, _ := exportServer(t)
	unitsOf := func(f *excelize.File) []string {
		rows, err := f.GetRows(export.SheetSurveyUnits, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, r := range rows {
			if len(r) > 2 {
				if _, err := strconv.Atoi(r[2]); err == nil {
					codes = append(codes, r[0])
				}
			}
		}
		return codes
	}
	admin := ts.loggedIn(t, "admin")
	all := unitsOf(openXLSX(t, admin.get("/admin/survey/results.xlsx?instrument=sipas-2026&year=2026")))
	if len(all) < 20 {
		t.Errorf("admin's workbook has %d units", len(all))
	}
	editor := ts.loggedIn(t, "snv.editor")
	r := editor.get("/admin/survey/results.xlsx?instrument=sipas-2026&year=2026")
	if own := unitsOf(openXLSX(t, r)); strings.Join(own, ",") != "SNV" {
		t.Errorf("SNV's workbook has units %q", own)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "sipas-2026") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	// The form's box "count the flagged forms too" names the workbook so.
	flagged := editor.get("/admin/survey/results.xlsx?instrument=sipas-2026&year=2026&include_flagged=1")
	if cd := flagged.Header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("kể cả phiếu bị gắn cờ")) || strings.Contains(r.Header.Get("Content-Disposition"), url.PathEscape("gắn cờ")) {
		t.Errorf("with the flagged forms, Content-Disposition = %q; without, %q", cd, r.Header.Get("Content-Disposition"))
	}
	editor.wantStatus(t, "/admin/survey/results.xlsx?instrument=sipas-2026&year=2026&unit=STP", http.StatusForbidden, "SNV downloading STP's results")
	editor.wantStatus(t, "/admin/survey/results.xlsx?instrument=sipas-2026", http.StatusBadRequest, "no year")
	admin.wantStatus(t, "/admin/survey/results.xlsx?instrument=no-such&year=2026", http.StatusNotFound, "unknown instrument")
	if r := ts.client(t).get("/admin/survey/results.xlsx?instrument=sipas-2026&year=2026"); r.Status == http.StatusOK {
		t.Errorf("anonymous download = %d", r.Status)
	}
}
