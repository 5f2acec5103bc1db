package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex/criteria"
	"parindex/demo"
	"parindex/store/storetest"
)

// A framework that leaves out doubtful QR links, scored on the results
// page with the server's integrity policy: the demo's clerk's counter is
// doubtful in 2026, and the results page, the unit's scorecard and the API
// say how many of its clean responses were left out, naming the counter.
func TestSurveyResponsesLeftOutAreExplained(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	ts := newTestServer(t, db)
	seedDemo(t, db, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true})
	rec, err := db.FrameworkByCode(ctx, "communes-2026")
	if err != nil {
		t.Fatal(err)
	}
	f, err := rec.Framework()
	if err != nil {
		t.Fatal(err)
	}
	f.Code, f.SurveyResponses = "communes-2026-not-doubtful", criteria.ResponsesNotDoubtful
	publishFramework(t, db, f)
	// The clerk's counter's clean responses of 2026, and the unit's flagged ones.
	unit, counter := demo.ClerkCounter.Unit, demo.ClerkCounter.Counter
	count := func(where string) int {
		rows := storetest.Rows(t, db, `SELECT COUNT(*) AS n FROM responses r JOIN org_units o ON o.id = r.org_unit_id
			LEFT JOIN survey_links l ON l.id = r.link_id
			WHERE o.code = $1 AND r.day BETWEEN '2026-01-01' AND '2026-12-31' AND `+where, unit, counter)
		var n int
		fmt.Sscan(rows[0]["n"], &n)
		return n
	}
	clean := count(`r.flags = '' AND l.counter_label = $2`)
	flagged := count(`r.flags <> '' AND $2 <> ''`)
	if clean == 0 || flagged == 0 {
		t.Fatalf("the demo's clerk's counter has %d clean responses, its unit %d flagged ones", clean, flagged)
	}

	admin := ts.loggedIn(t, "admin")
	r := admin.post("/admin/results", url.Values{"framework": {f.Code}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("scoring = %d: %.300s", r.Status, r.Body)
	}
	path := r.Header.Get("Location")
	id := strings.TrimPrefix(path, "/app/results/")
	vi := fmt.Sprintf("Không tính vào số liệu khảo sát: %d phiếu bị gắn cờ khi sàng lọc; %d phiếu qua mã QR bị đánh giá đáng ngờ (%s: %d).", flagged, clean, counter, clean)
	page := admin.get(path)
	if !strings.Contains(page.Body, htmlEscape("Phiếu không bị gắn cờ, trừ phiếu qua mã QR bị đánh giá đáng ngờ")) || !strings.Contains(page.Body, vi) {
		t.Errorf("the results page does not explain what was left out (%q): %s", vi, page.Body)
	}
	if r := admin.post("/admin/results/"+id+"/publish", url.Values{"as": {"provisional"}, "note": {"thử"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("publishing = %d: %.300s", r.Status, r.Body)
	}
	card := admin.get("/app/units/" + unit + "/dashboard?year=2026")
	if card.Status != http.StatusOK || !strings.Contains(card.Body, vi) {
		t.Errorf("the scorecard does not explain what was left out: %d", card.Status)
	}
	token := mustToken(t, db, "Đọc", "", false)
	if r := admin.api("GET", "/api/v1/frameworks/"+f.Code, token, nil); r.data()["survey_responses"] != "not_doubtful" {
		t.Errorf("the API's framework = %s", r.Body)
	}
	api := admin.api("GET", "/api/v1/snapshots/"+id+"/units/"+unit, token, nil)
	left, _ := api.data()["record"].(map[string]any)["survey_left_out"].(map[string]any)[demo.InstrumentCode].(map[string]any)
	links, _ := left["doubtful_links"].([]any)
	if api.data()["survey_responses"] != "not_doubtful" || left["vi"] != vi || !strings.Contains(fmt.Sprint(left["en"]), fmt.Sprintf("through QR links labelled doubtful (%s: %d)", counter, clean)) ||
		len(links) != 1 || links[0].(map[string]any)["counter"] != counter || links[0].(map[string]any)["responses"] != float64(clean) {
		t.Errorf("the API's unit = %s", api.Body)
	}
}
