package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/store/storetest"
)

func publishReference(t *testing.T, db *store.DB, code string) {
	t.Helper()
	f, err := criteria.Reference(code)
	if err != nil {
		t.Fatal(err)
	}
	publishFramework(t, db, f)
}

// publishFramework stores f and publishes it, by the actor "test".
func publishFramework(t *testing.T, db *store.DB, f *criteria.Framework) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ImportFramework(ctx, parindex.Actor{Name: "test"}, f, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishFramework(ctx, parindex.Actor{Name: "test"}, f.Code, ""); err != nil {
		t.Fatal(err)
	}
}

func putRows(t *testing.T, db *store.DB, lines ...string) {
	t.Helper()
	var rows []parindex.ObservationRow
	for i, l := range lines {
		f := strings.Fields(l)
		rows = append(rows, parindex.ObservationRow{Row: i + 1, Unit: f[0], Period: f[1], Metric: f[2], Value: f[3]})
	}
	if _, err := db.PutObservations(context.Background(), parindex.Actor{Name: "test"}, rows, store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsPagesByRole(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	ts := newTestServerOnMetricsDay(t, db)
	publishReference(t, ts.DB, "service-index-766")
	putRows(t, ts.DB, "SNV 2026-01 records_received 120", "SNV 2026-02 records_received 80", "STP 2026-01 records_received 7")
	pages := []string{"/app/metrics", "/app/metrics/catalog", "/app/metrics/units/SNV", "/app/metrics/units/STP", "/admin/metrics/import", "/admin/api-tokens"}
	want := map[string][]int{
		"admin":      {200, 200, 200, 200, 200, 200},
		"viewer":     {200, 200, 200, 200, 403, 403},
		"snv.editor": {200, 200, 200, 403, 403, 403},
		"noroles":    {403, 403, 403, 403, 403, 403},
	}
	for user, codes := range want {
		c := ts.loggedIn(t, user)
		for i, p := range pages {
			if r := c.get(p); r.Status != codes[i] {
				t.Errorf("%s GET %s = %d, want %d", user, p, r.Status, codes[i])
			}
		}
	}
	c := ts.loggedIn(t, "snv.editor")
	body := c.get("/app/metrics?period=2026").Body
	if !strings.Contains(body, `/app/metrics/units/SNV`) || strings.Contains(body, "/app/metrics/units/STP") {
		t.Error("the SNV clerk's overview lists other units")
	}
	// The unit page: the year combines the months; completeness names what the framework lacks.
	body = c.get("/app/metrics/units/SNV?period=2026").Body
	if !strings.Contains(body, "200") || !strings.Contains(body, "records_synced") || !strings.Contains(body, "service-index-766") {
		t.Errorf("SNV page lacks the combined value or the missing metrics:\n%s", body)
	}
	if r := c.get("/app/metrics/units/SNV?period=03/2026"); r.Status != 400 || !strings.Contains(r.Body, "2026-Q1") {
		t.Errorf("bad period = %d", r.Status)
	}
	c.wantStatus(t, "/app/metrics/units/KHONGCO", 403, "unknown unit for an agency")
	// History of a corrected value.
	putRows(t, ts.DB, "SNV 2026-02 records_received 85")
	body = c.get("/app/metrics/units/SNV?period=2026-02&metric=records_received").Body
	if !strings.Contains(body, "85") || !strings.Contains(body, "80") {
		t.Error("the history does not show both values")
	}
}

func TestAgencyReportsSelfReportedMetrics(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c := ts.loggedIn(t, "snv.editor")
		before := countAudit(t, ts.DB)
		r := c.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"plan_tasks_total"}, "period": {"2026"}, "value": {"18"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("report = %d %s", r.Status, r.Body)
		}
		obs, _ := ts.DB.FindObservations(context.Background(), store.ObservationFilter{Metric: "plan_tasks_total"})
		if len(obs) != 1 || obs[0].Source != parindex.MetricSourceAgency || obs[0].RecordedBy != "snv.editor" || obs[0].Value != 18 {
			t.Errorf("stored: %+v", obs)
		}
		if countAudit(t, ts.DB) != before+1 {
			t.Error("the report is not audited")
		}
		// A one-stop-shop figure comes from the system, not the agency.
		r = c.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"records_received"}, "period": {"2026-01"}, "value": {"5"}})
		if r.Status != 400 || !strings.Contains(r.Body, "hệ thống một cửa") {
			t.Errorf("one-stop metric by the agency = %d", r.Status)
		}
		// A correction is audited with the reason.
		r = c.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"plan_tasks_total"}, "period": {"2026"}, "value": {"20"}, "reason": {"bổ sung nhiệm vụ"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("correction = %d", r.Status)
		}
		audit, _ := ts.DB.FindAudit(context.Background(), store.AuditFilter{ObjectType: "metric_observation"})
		if len(audit) != 1 || audit[0].Reason != "bổ sung nhiệm vụ" || audit[0].Actor != "snv.editor" {
			t.Errorf("audit: %+v", audit)
		}
		// Another unit, or a viewer: no.
		if r := c.post("/app/metrics/units/STP?period=2026", url.Values{"metric": {"plan_tasks_total"}, "period": {"2026"}, "value": {"1"}}); r.Status != 403 {
			t.Errorf("report for another unit = %d", r.Status)
		}
		v := ts.loggedIn(t, "viewer")
		if r := v.post("/app/metrics/units/SNV?period=2026", url.Values{"metric": {"plan_tasks_total"}, "period": {"2026"}, "value": {"1"}}); r.Status != 403 {
			t.Errorf("report by a viewer = %d", r.Status)
		}
	})
}

func TestMetricsImportPage(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c := ts.loggedIn(t, "admin")
		bad := "unit;period;metric;value\nSNV;2026-01;records_received;120\nSNV;2026-13;records_received;5\nKHONGCO;2026-01;records_received;1\n"
		r := c.postFile("/admin/metrics/import", "file", "thang1.csv", []byte(bad), map[string]string{"step": "check"})
		if r.Status != 400 || !strings.Contains(r.Body, "KHONGCO") || !strings.Contains(r.Body, "<td>3</td>") || !strings.Contains(r.Body, "<td>4</td>") {
			t.Errorf("bad file = %d\n%s", r.Status, r.Body)
		}
		good := "\ufeffunit,period,metric,value\nSNV,2026-01,records_received,120\nSNV,2026-Q1,records_online,\"12,5\"\n"
		r = c.postFile("/admin/metrics/import", "file", "thang1.csv", []byte(good), map[string]string{"step": "check", "reason": "báo cáo tháng 1"})
		if r.Status != 200 || !strings.Contains(r.Body, "2 số liệu mới") {
			t.Fatalf("check = %d\n%s", r.Status, r.Body)
		}
		if n, _ := ts.DB.CountObservations(context.Background(), ""); n != 0 {
			t.Errorf("the check wrote %d values", n)
		}
		token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(r.Body)
		if token == nil {
			t.Fatal("no apply form")
		}
		r = c.postFile("/admin/metrics/import", "", "", nil, map[string]string{"step": "apply", "file_name": "thang1.csv", "token": token[1], "reason": "báo cáo tháng 1"})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "inserted=2") {
			t.Fatalf("apply = %d %s", r.Status, r.Location)
		}
		obs, _ := ts.DB.FindObservations(context.Background(), store.ObservationFilter{Metric: "records_online"})
		if len(obs) != 1 || obs[0].Value != 12.5 || obs[0].Source != parindex.MetricSourceImport {
			t.Errorf("stored: %+v", obs)
		}
		batches, _ := ts.DB.FindAudit(context.Background(), store.AuditFilter{ObjectType: "metric_batch"})
		if len(batches) != 1 || batches[0].ObjectID != "thang1.csv" || batches[0].Reason != "báo cáo tháng 1" {
			t.Errorf("audit: %+v", batches)
		}
		// Importing it again changes nothing.
		r = c.postFile("/admin/metrics/import", "file", "thang1.csv", []byte(good), map[string]string{"step": "check"})
		if !strings.Contains(r.Body, "0 số liệu mới, 0 đính chính, 2 không đổi") {
			t.Errorf("re-import check:\n%s", r.Body)
		}
		e := ts.loggedIn(t, "snv.editor")
		if r := e.postFile("/admin/metrics/import", "file", "x.csv", []byte(good), map[string]string{"step": "check"}); r.Status != 403 {
			t.Errorf("import by an agency = %d", r.Status)
		}
	})
}

// The page serves the template (metricsxlsx, where its layout is tested)
// with the stored catalogue and units.
func TestMetricsTemplateDownload(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.loggedIn(t, "admin")
	r := c.get("/admin/metrics/template.xlsx")
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("template = %d", r.Status)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 4 || sheets[0] != "Số liệu" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("DanhMuc")
	if len(rows) != len(criteria.ReferenceMetrics)+1 || rows[1][0] != criteria.ReferenceMetrics[0].Code {
		t.Errorf("catalogue sheet: %d rows", len(rows))
	}
	units, _ := f.GetRows("DonVi")
	if len(units) < 2 || !slices.ContainsFunc(units[1:], func(row []string) bool { return row[0] == "SNV" }) {
		t.Errorf("units sheet: %q", units)
	}
}

func TestAPITokensPage(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c := ts.loggedIn(t, "admin")
		r := c.post("/admin/api-tokens", url.Values{"name": {"Hệ thống một cửa tỉnh"}, "unit": {"SNV"}, "write": {"1"}})
		m := regexp.MustCompile(`<strong class="code">(pix_[A-Za-z0-9_-]{43})</strong>`).FindStringSubmatch(r.Body)
		if r.Status != http.StatusCreated || m == nil || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create = %d\n%s", r.Status, r.Body)
		}
		// Shown once: the list has only the prefix.
		list := c.get("/admin/api-tokens").Body
		if strings.Contains(list, m[1]) || !strings.Contains(list, m[1][:10]) || !strings.Contains(list, "Hệ thống một cửa tỉnh") {
			t.Error("the list shows the secret, or not the token")
		}
		api := ts.client(t)
		if r := api.api("PUT", "/api/v1/metrics", m[1], batch(obs{"SNV", "2026-01", "records_received", 9})); r.Status != 200 {
			t.Errorf("the new token does not work: %d %s", r.Status, r.Body)
		}
		if r := c.post("/admin/api-tokens", url.Values{"name": {""}}); r.Status != 400 {
			t.Errorf("no name = %d", r.Status)
		}
		tokens, _ := ts.DB.FindAPITokens(context.Background())
		r = c.post("/admin/api-tokens/"+itoa(tokens[0].ID)+"/revoke", url.Values{"reason": {"đổi hệ thống"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("revoke = %d", r.Status)
		}
		if r := api.api("GET", "/api/v1/units", m[1], nil); r.Status != 401 {
			t.Errorf("revoked token = %d", r.Status)
		}
		if r := c.post("/admin/api-tokens/"+itoa(tokens[0].ID)+"/revoke", nil); r.Status != 409 {
			t.Errorf("revoke twice = %d", r.Status)
		}
		v := ts.loggedIn(t, "viewer")
		if r := v.post("/admin/api-tokens", url.Values{"name": {"x"}}); r.Status != 403 {
			t.Errorf("a viewer created a token: %d", r.Status)
		}
	})
}

func TestCatalogEditing(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.loggedIn(t, "admin")
	r := c.post("/admin/metrics/catalog", url.Values{"code": {"records_by_post"}, "name_vi": {"Hồ sơ qua bưu chính"}, "name_en": {"Records by post"},
		"unit": {"hồ sơ"}, "combine": {"sum"}, "reason": {"QĐ 9"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save = %d %s", r.Status, r.Body)
	}
	if body := c.get("/app/metrics/catalog").Body; !strings.Contains(body, "records_by_post") || !strings.Contains(body, "Hồ sơ qua bưu chính") {
		t.Error("the new metric is not listed")
	}
	if r := c.post("/admin/metrics/catalog", url.Values{"code": {"Bad Code"}, "name_vi": {"x"}, "name_en": {"x"}, "combine": {"sum"}}); r.Status != 400 {
		t.Errorf("bad code = %d", r.Status)
	}
	e := ts.loggedIn(t, "snv.editor")
	if r := e.post("/admin/metrics/catalog", url.Values{"code": {"x"}, "name_vi": {"x"}, "name_en": {"x"}, "combine": {"sum"}}); r.Status != 403 {
		t.Errorf("an agency edited the catalogue: %d", r.Status)
	}
}
