package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/snapshot"
)

// DoHA scores a year on the results page, reads its preflight and
// publishes it: final is refused while items are incomplete, provisional
// needs a reason, and the decision is stored, audited and shown.
func TestResultsPageScoresChecksAndPublishes(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		seedDemo(t, ts.DB, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true})
		admin := ts.loggedIn(t, "admin")
		if r := admin.get("/app/results"); r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/admin/results"`) {
			t.Fatalf("results page = %d: %.500s", r.Status, r.Body)
		}
		if r := admin.post("/admin/results", url.Values{"framework": {"province-departments-2026"}, "year": {"năm nay"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "không hợp lệ") {
			t.Errorf("a bad year = %d", r.Status)
		}
		r := admin.post("/admin/results", url.Values{"framework": {"province-departments-2026"}, "note": {"chấm thử"}})
		m := regexp.MustCompile(`^/app/results/(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("scoring = %d %q: %.300s", r.Status, r.Header.Get("Location"), r.Body)
		}
		path := m[1]
		sn, err := ts.DB.Snapshot(ctx, mustInt(t, path))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := snapshot.DecodeRecord(sn)
		if err != nil || len(rec.Preflight) == 0 {
			t.Fatalf("the demo's departments should have incomplete items (%v)", err)
		}
		page := admin.get("/app/results/" + path)
		// Every unit with an incomplete item is listed, with the item's reason.
		for _, it := range rec.Preflight {
			if !strings.Contains(page.Body, it.VI) && !strings.Contains(page.Body, htmlEscape(it.VI)) {
				t.Errorf("the preflight does not show %s %s: %s", it.Unit, it.Node, it.VI)
				break
			}
		}
		if strings.Contains(page.Body, `value="final"`) {
			t.Error("final is offered although items are incomplete")
		}
		// Final is refused; provisional without a reason is refused.
		if r := admin.post("/admin/results/"+path+"/publish", url.Values{"as": {"final"}, "note": {"x"}}); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
			t.Errorf("final with incomplete items = %d", r.Status)
		}
		if r := admin.post("/admin/results/"+path+"/publish", url.Values{"as": {"provisional"}}); r.Status == http.StatusSeeOther || !strings.Contains(r.Body, "lý do") {
			t.Errorf("provisional without a reason = %d", r.Status)
		}
		audits := countAudit(t, ts.DB)
		if r := admin.post("/admin/results/"+path+"/publish", url.Values{"as": {"provisional"}, "note": {"Công bố tạm thời theo QĐ 12"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("provisional publish = %d: %.300s", r.Status, r.Body)
		}
		if countAudit(t, ts.DB) != audits+1 {
			t.Error("the publication was not audited")
		}
		sn, _ = ts.DB.Snapshot(ctx, sn.ID)
		if sn.Status != parindex.StatusPublished || sn.Publication != parindex.PublicationProvisional || sn.PublicationNote != "Công bố tạm thời theo QĐ 12" {
			t.Errorf("stored %s as %q: %q", sn.Status, sn.Publication, sn.PublicationNote)
		}
		page = admin.get("/app/results/" + path)
		if !strings.Contains(page.Body, "Công bố tạm thời") || strings.Contains(page.Body, `action="/admin/results/`+path+`/publish"`) {
			t.Errorf("the published page does not say provisional, or still offers to publish")
		}
		if r := admin.post("/admin/results/"+path+"/publish", url.Values{"as": {"provisional"}, "note": {"lần nữa"}}); r.Status != http.StatusConflict {
			t.Errorf("publishing twice = %d", r.Status)
		}

		// A second draft: leadership sees only the published one.
		r = admin.post("/admin/results", url.Values{"framework": {"communes-2026"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("scoring communes = %d", r.Status)
		}
		draft := strings.TrimPrefix(r.Header.Get("Location"), "/app/results/")
		viewer := ts.loggedIn(t, "viewer")
		list := viewer.get("/app/results")
		if list.Status != http.StatusOK || !strings.Contains(list.Body, `href="/app/results/`+path+`"`) || strings.Contains(list.Body, `href="/app/results/`+draft+`"`) {
			t.Errorf("viewer's list = %d, shows the published %v, shows the draft %v", list.Status,
				strings.Contains(list.Body, `href="/app/results/`+path+`"`), strings.Contains(list.Body, `href="/app/results/`+draft+`"`))
		}
		viewer.wantStatus(t, "/app/results/"+draft, http.StatusNotFound, "viewer reading a draft")
		if r := viewer.post("/admin/results/"+draft+"/publish", url.Values{"as": {"provisional"}, "note": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer publishing = %d", r.Status)
		}
		editor := ts.loggedIn(t, "snv.editor")
		editor.wantStatus(t, "/app/results", http.StatusForbidden, "agency clerk on the results page")
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("%q is not a number", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
