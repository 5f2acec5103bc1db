package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store/storetest"
	"parindex/survey"
)

// A ratio criterion's points change when a metric is corrected through the
// API and the scores are computed again from the stored year.
func TestAPICorrectionChangesRatioPoints(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, token := ts.apiClient(t, "Một cửa", "SNV", true)
		putEarlyRecords(t, c, token)
		f, err := criteria.Reference("service-index-766")
		if err != nil {
			t.Fatal(err)
		}
		points := func() float64 {
			t.Helper()
			year, err := ts.DB.YearMetrics(context.Background(), 2026)
			if err != nil {
				t.Fatal(err)
			}
			res, err := scoring.Score(f, scoring.Inputs{Agencies: []scoring.AgencyInput{{Code: "SNV", Metrics: year["SNV"]}}})
			if err != nil {
				t.Fatal(err)
			}
			n, ok := res.Agencies[0].Node("2.1") // records_early ÷ records_resolved × 6
			if !ok {
				t.Fatal("no node 2.1")
			}
			return n.Points
		}
		before := points()
		if diff := before - 6*400.0/1000; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("2.1 before = %v, want 2.4", before)
		}
		// March was 90 early, not 40.
		if r := c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_early", 90})); r.Status != 200 || r.data()["updated"] != 1.0 {
			t.Fatal(r.Body)
		}
		after := points()
		if diff := after - 6*450.0/1000; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("2.1 after the correction = %v, want 2.7", after)
		}
	})
}

// The same through the snapshot: metrics sent through the API, the
// snapshot run, a metric corrected through the API, the snapshot run again,
// and the ratio criterion's points read back through the API differ.
func TestAPICorrectionChangesRatioPointsInSnapshot(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServerOnMetricsDay(t, db)
	ctx := context.Background()
	publishReference(t, db, "service-index-766")
	c, token := ts.apiClient(t, "Một cửa", "", true)
	putEarlyRecords(t, c, token)
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	leafPoints := func() float64 {
		t.Helper()
		s, _, err := rn.Score(ctx, parindex.Actor{Name: "test"}, "service-index-766", snapshot.Options{Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, parindex.Actor{Name: "test"}, s.ID, parindex.PublicationFinal, nil, ""); err != nil {
			t.Fatal(err)
		}
		r := c.api("GET", fmt.Sprintf("/api/v1/snapshots/%d/units/SNV", s.ID), token, nil)
		node, _ := r.data()["result"].(map[string]any)["nodes"].(map[string]any)["2.1"].(map[string]any)
		if r.Status != 200 || node == nil {
			t.Fatalf("snapshot unit = %d %s", r.Status, r.Body)
		}
		return node["points"].(float64)
	}
	before := leafPoints()
	if r := c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_early", 90})); r.Status != 200 || r.data()["updated"] != 1.0 {
		t.Fatal(r.Body)
	}
	after := leafPoints()
	if before < 2.4-1e-9 || before > 2.4+1e-9 || after < 2.7-1e-9 || after > 2.7+1e-9 {
		t.Errorf("2.1 (records_early ÷ records_resolved × 6): %v before the correction, %v after; want 2.4 and 2.7", before, after)
	}
}

func TestAPIUnitMetricsAndFrameworks(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServerOnMetricsDay(t, db)
	f, _ := criteria.Reference("service-index-766")
	publishFramework(t, ts.DB, f)
	c, token := ts.apiClient(t, "đọc ghi", "", true)
	var items []obs
	for _, m := range f.Metrics() {
		if m != "records_synced" && m != "records_paid_online" {
			items = append(items, obs{"SNV", "2026-01", m, 10}, obs{"SNV", "2026-02", m, 20})
		}
	}
	if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
		t.Fatal(r.Body)
	}
	r := c.api("GET", "/api/v1/units/SNV/metrics?period=2026", token, nil)
	d := r.data()
	if r.Status != 200 || d["period"] != "2026" {
		t.Fatalf("unit metrics = %d %s", r.Status, r.Body)
	}
	values := map[string]map[string]any{}
	for _, v := range d["values"].([]any) {
		values[v.(map[string]any)["metric"].(string)] = v.(map[string]any)
	}
	rr, pt := values["records_received"], values["procedures_total"]
	if len(values) != len(f.Metrics())-2 || rr["value"] != 30.0 || rr["derived"] != true || rr["parts"] != 2.0 || pt["value"] != 20.0 {
		t.Errorf("values: %v", values) // records are summed, procedures are a stock (the last month)
	}
	comp := d["completeness"].([]any)[0].(map[string]any)
	if comp["framework"] != "service-index-766" || comp["complete"] != false || fmt.Sprint(comp["missing"]) != "[records_synced]" ||
		fmt.Sprint(comp["missing_optional"]) != "[records_paid_online]" {
		t.Errorf("completeness: %v", comp)
	}
	if r := c.api("GET", "/api/v1/units/SNV/metrics?period=2026-13", token, nil); r.Status != 400 || r.JSON["error"].(map[string]any)["field"] != "period" {
		t.Errorf("bad period = %d", r.Status)
	}
	r = c.api("GET", "/api/v1/frameworks", token, nil)
	if r.Status != 200 || len(r.list()) != 1 || r.list()[0]["code"] != "service-index-766" {
		t.Errorf("frameworks: %s", r.Body)
	}
	r = c.api("GET", "/api/v1/frameworks/service-index-766", token, nil)
	if nodes, _ := r.data()["nodes"].([]any); r.Status != 200 || len(nodes) != 5 || r.data()["total_max"] != 100.0 {
		t.Errorf("framework: %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", "/api/v1/frameworks/khong-co", token, nil); r.Status != 404 {
		t.Errorf("unknown framework = %d", r.Status)
	}
}

// Scores and survey results: a few units' citizen ratings, two published
// snapshots and a draft.
func TestAPIScoresAndSurveyResults(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServerOnMetricsDay(t, db)
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	stored := withSurvey(t, ts)
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	codes := survey.QuestionCodes(in)
	var rs []*parindex.Response
	for ui, code := range []string{"SNV", "STP", "STC", "X001", "P001"} {
		link := mustLink(t, db, code, "Quầy 1")
		for i := 0; i < 40; i++ {
			answers := make([]byte, len(codes))
			for q := range answers {
				answers[q] = byte('1' + (i+q+ui)%5)
			}
			day := parindex.Date{Year: 2026, Month: time.Month(1 + i%10), Day: 1 + i%28}
			rs = append(rs, &parindex.Response{LinkID: link.ID, InstrumentID: stored.ID, UnitID: link.UnitID,
				SubmittedHour: time.Date(day.Year, day.Month, day.Day, 3, 0, 0, 0, time.UTC), Day: day,
				IdempotencyKey: fmt.Sprintf("api-test-%s-%d", code, i), Answers: string(answers), Source: parindex.SourceQR,
				Comment: "bình luận riêng tư"})
		}
	}
	if _, err := db.InsertResponses(ctx, rs, map[int64][]string{stored.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	for _, code := range []string{"province-departments-2026", "communes-2026"} {
		publishReference(t, db, code)
		s, _, err := rn.Score(ctx, actor, code, snapshot.Options{Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, actor, s.ID, parindex.PublicationFinal, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A draft is never served.
	if _, _, err := rn.Score(ctx, actor, "communes-2026", snapshot.Options{Draws: 20}); err != nil {
		t.Fatal(err)
	}
	c, all := ts.apiClient(t, "bảng điều khiển", "", false)
	snv := mustToken(t, db, "SNV", "SNV", false)

	r := c.api("GET", "/api/v1/snapshots", all, nil)
	if r.Status != 200 || len(r.list()) != 2 {
		t.Fatalf("snapshots = %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", "/api/v1/snapshots/3", all, nil); r.Status != 404 {
		t.Errorf("a draft snapshot = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/snapshots?limit=1", all, nil); len(r.list()) != 1 || r.list()[0]["id"] != 2.0 {
		t.Errorf("first page: %s", r.Body)
	} else if r := c.api("GET", r.JSON["links"].(map[string]any)["next"].(string), all, nil); len(r.list()) != 1 || r.list()[0]["id"] != 1.0 || r.JSON["next_cursor"] != nil {
		t.Errorf("second page: %s", r.Body)
	}
	var id float64
	for _, s := range r.list() {
		if s["framework"] == "province-departments-2026" {
			id = s["id"].(float64)
		}
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f", id), all, nil)
	if units, _ := r.data()["units"].([]any); r.Status != 200 || len(units) < 18 {
		t.Fatalf("snapshot = %d %s", r.Status, r.Body)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f", id), snv, nil)
	if units, _ := r.data()["units"].([]any); len(units) != 1 || units[0].(map[string]any)["unit"] != "SNV" {
		t.Errorf("the SNV token sees %v", r.data()["units"])
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f/units/SNV", id), snv, nil)
	result, _ := r.data()["result"].(map[string]any)
	nodes, _ := result["nodes"].(map[string]any)
	if r.Status != 200 || result["code"] != "SNV" || len(nodes) < 20 {
		t.Errorf("snapshot unit = %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f/units/STP", id), snv, nil); r.Status != 403 {
		t.Errorf("another unit's score = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/snapshots/999999", all, nil); r.Status != 404 {
		t.Errorf("unknown snapshot = %d", r.Status)
	}

	year := 2026
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results?instrument=%s&period=%d&limit=3", "sipas-2026", year), all, nil)
	d := r.data()
	units, _ := d["units"].([]any)
	if r.Status != 200 || d["instrument"] != "sipas-2026" || len(units) != 3 || r.JSON["next_cursor"] == nil || strings.Contains(r.Body, "riêng tư") {
		t.Fatalf("survey results = %d %s", r.Status, r.Body)
	}
	u0 := units[0].(map[string]any)
	if u0["adequacy"] == nil || u0["questions"] == nil || u0["comments"] != nil {
		t.Errorf("a unit's result: %v", u0)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results/SNV?instrument=%s&period=%d", "sipas-2026", year), snv, nil)
	overall, _ := r.data()["overall"].(map[string]any)
	if r.Status != 200 || r.data()["unit"] != "SNV" || overall["ci95"] == nil || r.data()["comments"] != nil {
		t.Errorf("SNV survey result = %d %s", r.Status, r.Body)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results?instrument=%s&period=%d", "sipas-2026", year), snv, nil)
	if units, _ := r.data()["units"].([]any); len(units) != 1 {
		t.Errorf("the SNV token sees %d units' survey results", len(units))
	}
	if r := c.api("GET", "/api/v1/survey/results?period=2026", all, nil); r.Status != 400 || r.JSON["error"].(map[string]any)["field"] != "instrument" {
		t.Errorf("no instrument = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/survey/results?instrument=khong-co", all, nil); r.Status != 404 {
		t.Errorf("unknown instrument = %d", r.Status)
	}
}

// putEarlyRecords sends, through the API, ten months (2026-01 to 2026-10)
// of SNV's records: 100 resolved a month, 40 of them early.
func putEarlyRecords(t *testing.T, c *client, token string) {
	t.Helper()
	var items []obs
	for m := 1; m <= 10; m++ {
		p := fmt.Sprintf("2026-%02d", m)
		items = append(items, obs{"SNV", p, "records_resolved", 100}, obs{"SNV", p, "records_early", 40})
	}
	if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
		t.Fatal(r.Body)
	}
}
