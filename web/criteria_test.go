package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/store"
	"parindex/store/storetest"
)

// criteriaUpload posts a file to the upload form as a browser does.
func criteriaUpload(c *client, name string, data []byte, fields url.Values) response {
	c.t.Helper()
	return postFile(c, "/admin/criteria/upload", name, data, fields)
}

func criteriaSource(t *testing.T, code string) []byte {
	t.Helper()
	data, err := criteria.ReferenceSource(code)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func criteriaCanonical(t *testing.T, f *criteria.Framework) string {
	t.Helper()
	data, err := criteria.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCriteriaUploadPublishDownload(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		admin := ts.loggedIn(t, "admin")

		if r := admin.get("/app/criteria"); r.Status != 200 || !strings.Contains(r.Body, "Chưa có bộ tiêu chí nào") || !strings.Contains(r.Body, `href="/admin/criteria/upload"`) {
			t.Fatalf("empty list = %d", r.Status)
		}
		if r := admin.get("/admin/criteria/upload"); r.Status != 200 || !strings.Contains(r.Body, `enctype="multipart/form-data"`) {
			t.Fatalf("upload form = %d", r.Status)
		}

		// A valid YAML file becomes a draft.
		code := "province-departments-2026"
		r := criteriaUpload(admin, code+".yaml", criteriaSource(t, code), url.Values{"reason": {"dự thảo"}})
		if r.Status != http.StatusSeeOther || r.Location != "/app/criteria/"+code {
			t.Fatalf("upload = %d %q\n%s", r.Status, r.Location, r.Body)
		}
		r = admin.get("/app/criteria/" + code)
		for _, want := range []string{"Đã lưu bộ tiêu chí thành bản nháp.", "Bản nháp", "3.2.1", "7,5", "Theo mức", "Từ 98%: 4 điểm",
			"Tiếp cận dịch vụ", "Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)", "Cộng tối đa 2 điểm",
			`action="/admin/criteria/` + code + `/publish"`, `name="confirm"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("framework page lacks %q", want)
			}
		}
		// Metrics by their names; an instrument not loaded yet says so.
		if strings.Contains(r.Body, "records_on_time") || !strings.Contains(r.Body, "sipas-2026 (bộ câu hỏi chưa được nhập)") {
			t.Error("framework page shows a metric's code, or an instrument not loaded without saying so")
		}
		audits := countAudit(t, ts.DB)

		// A broken YAML file: every problem listed with its line, nothing stored.
		broken := strings.Replace(string(criteriaSource(t, "communes-2026")), "year: 2026", "year: 1990", 1)
		broken = strings.Replace(broken, "method: boolean", "method: vote", 1)
		broken = strings.Replace(broken, "max: 2.5", "max: nhiều", 1)
		r = criteriaUpload(admin, "communes-2026.yaml", []byte(broken), nil)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("broken YAML = %d", r.Status)
		}
		for _, want := range []string{"Tệp có 3 lỗi, chưa lưu gì", "năm 1990 nằm ngoài khoảng 2000..2100", `phương pháp chấm &#34;vote&#34; không hợp lệ`, "max phải là", "dòng "} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("broken YAML report lacks %q", want)
			}
		}
		// A broken workbook: sheet, row and column of each bad cell.
		f, _ := criteria.Reference("service-index-766")
		f.Find("1.1").Method = "vote"
		bad := -1.0
		f.Find("2.1").Max = &bad
		xlsx, err := criteriaxlsx.Bytes(f)
		if err != nil {
			t.Fatal(err)
		}
		r = criteriaUpload(admin, "service.xlsx", xlsx, nil)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("broken workbook = %d", r.Status)
		}
		for _, want := range []string{"sheet Tiêu chí, dòng 3, cột G (method)", "sheet Tiêu chí, dòng 6, cột F (max)", "điểm tối đa không được âm"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("broken workbook report lacks %q", want)
			}
		}
		if r = criteriaUpload(admin, "notes.txt", []byte("x"), nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Chỉ nhận tệp .yaml, .yml hoặc .xlsx") {
			t.Errorf("a .txt upload = %d", r.Status)
		}
		if r = criteriaUpload(admin, "big.yaml", bytes.Repeat([]byte("#"), 5<<20), nil); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 5 MB upload = %d", r.Status)
		}
		if recs, _ := ts.DB.FindFrameworks(ctx, store.FrameworkFilter{}); len(recs) != 1 || countAudit(t, ts.DB) != audits {
			t.Fatalf("refused uploads stored something: %d frameworks, %d audit rows", len(recs), countAudit(t, ts.DB)-audits)
		}

		// A valid workbook is stored too.
		good, _ := criteria.Reference("service-index-766")
		xlsx, _ = criteriaxlsx.Bytes(good)
		if r = criteriaUpload(admin, "service.xlsx", xlsx, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("workbook upload = %d\n%s", r.Status, r.Body)
		}

		// Publishing needs the confirmation box.
		if r = admin.post("/admin/criteria/"+code+"/publish", url.Values{"reason": {"QĐ 1"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Cần đánh dấu ô xác nhận") {
			t.Errorf("publish without confirmation = %d", r.Status)
		}
		if rec, _ := ts.DB.FrameworkByCode(ctx, code); rec.Published() {
			t.Fatal("published without confirmation")
		}
		if r = admin.post("/admin/criteria/"+code+"/publish", url.Values{"confirm": {"1"}, "reason": {"QĐ 1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("publish = %d\n%s", r.Status, r.Body)
		}
		if r = admin.get("/app/criteria/" + code); !strings.Contains(r.Body, "Đã ban hành bộ tiêu chí.") || strings.Contains(r.Body, `name="confirm"`) {
			t.Error("published page still offers to publish")
		}
		if a, _ := ts.DB.FindAudit(ctx, store.AuditFilter{ObjectType: "framework", ObjectID: code}); len(a) != 2 || a[0].Action != "framework.publish" || a[0].Actor != "admin" || a[0].Reason != "QĐ 1" {
			t.Errorf("audit = %+v", a)
		}
		// A published code cannot be uploaded again.
		changed := strings.Replace(string(criteriaSource(t, code)), "name: \"Bộ chỉ số", "name: \"Sửa: Bộ chỉ số", 1)
		if r = criteriaUpload(admin, code+".yaml", []byte(changed), nil); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã ban hành") {
			t.Errorf("re-upload of a published code = %d", r.Status)
		}

		// Downloads: the canonical YAML and a workbook that reads back the same.
		ref, _ := criteria.Reference(code)
		want := criteriaCanonical(t, ref)
		r = admin.get("/app/criteria/" + code + "/download?format=yaml")
		if r.Status != 200 || r.Body != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/yaml") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''B%E1%BB%99%20ti%C3%AAu%20ch%C3%AD%20-%20"+code+".yaml") {
			t.Errorf("YAML download = %d %v", r.Status, r.Header)
		}
		r = admin.get("/app/criteria/" + code + "/download?format=xlsx")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), code+".xlsx") {
			t.Fatalf("Excel download = %d %v", r.Status, r.Header)
		}
		back, _, err := criteriaxlsx.Read("download.xlsx", strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		if criteriaCanonical(t, back) != want {
			t.Error("downloaded workbook reads back differently")
		}
		if r = admin.get("/app/criteria/" + code + "/download?format=pdf"); r.Status != http.StatusBadRequest {
			t.Errorf("unknown format = %d", r.Status)
		}

		// Diff of two stored versions.
		r = admin.get("/app/criteria/diff?a=" + code + "&b=service-index-766")
		if r.Status != 200 || !strings.Contains(r.Body, "<td>Sửa</td>") || !strings.Contains(r.Body, "<td>Bỏ</td>") || !strings.Contains(r.Body, "agency_types") {
			t.Errorf("diff = %d", r.Status)
		}
		if r = admin.get("/app/criteria/diff?a=" + code + "&b=" + code); !strings.Contains(r.Body, "Hai bộ tiêu chí giống nhau") {
			t.Error("diff of a framework with itself is not empty")
		}
		if r = admin.get("/app/criteria/diff?a=" + code + "&b=khong-co"); r.Status != http.StatusNotFound {
			t.Errorf("diff with an unknown code = %d", r.Status)
		}

		// An agency user reads published frameworks only, and changes nothing.
		agency := ts.loggedIn(t, "snv.editor")
		r = agency.get("/app/criteria")
		if r.Status != 200 || !strings.Contains(r.Body, code) || strings.Contains(r.Body, "service-index-766") || strings.Contains(r.Body, "/admin/criteria/upload") {
			t.Errorf("agency list = %d", r.Status)
		}
		if r = agency.get("/app/criteria/" + code); r.Status != 200 || !strings.Contains(r.Body, `<a href="/app/criteria">`) {
			t.Errorf("agency framework page = %d", r.Status)
		}
		if r = agency.get("/app/criteria/service-index-766"); r.Status != http.StatusNotFound {
			t.Errorf("agency sees a draft: %d", r.Status)
		}
		if r = agency.get("/admin/criteria/upload"); r.Status != http.StatusForbidden {
			t.Errorf("agency upload form = %d", r.Status)
		}
		before := countAudit(t, ts.DB)
		if r = criteriaUpload(agency, "communes-2026.yaml", criteriaSource(t, "communes-2026"), nil); r.Status != http.StatusForbidden {
			t.Errorf("agency upload = %d", r.Status)
		}
		if r = agency.post("/admin/criteria/service-index-766/publish", url.Values{"confirm": {"1"}}); r.Status != http.StatusForbidden {
			t.Errorf("agency publish = %d", r.Status)
		}
		if rec, _ := ts.DB.FrameworkByCode(ctx, "service-index-766"); rec.Published() || countAudit(t, ts.DB) != before {
			t.Error("an agency user changed a framework")
		}
		if _, err := ts.DB.FrameworkByCode(ctx, "communes-2026"); err == nil {
			t.Error("an agency upload was stored")
		}
		nobody := ts.loggedIn(t, "noroles")
		if r = nobody.get("/app/criteria"); r.Status != http.StatusForbidden || strings.Contains(r.Body, `href="/app/criteria"`) {
			t.Errorf("user without roles = %d", r.Status)
		}
	})
}

func TestCriteriaTextIsEscapedAndTranslated(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	admin := ts.loggedIn(t, "admin")
	src := strings.Replace(string(criteriaSource(t, "service-index-766")), "name: \"Bộ chỉ số", "name: \"<script>alert(1)</script> Bộ chỉ số", 1)
	if r := criteriaUpload(admin, `"><img src=x>.yaml`, []byte(src), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("upload = %d\n%s", r.Status, r.Body)
	}
	for _, page := range []string{"/app/criteria", "/app/criteria/service-index-766"} {
		r := admin.get(page)
		if strings.Contains(r.Body, "<script>alert(1)") || !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not escape the framework name", page)
		}
	}
	// A file name is user input too, shown in the report.
	r := criteriaUpload(admin, `"><img src=x>.yaml`, []byte("code: [\n"), nil)
	if r.Status != http.StatusBadRequest || strings.Contains(r.Body, "<img src=x>") {
		t.Errorf("file name not escaped in the report (%d)", r.Status)
	}
	if r := admin.post("/lang", url.Values{"lang": {"en"}, "next": {"/app/criteria"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("switch language = %d", r.Status)
	}
	r = admin.get("/app/criteria/service-index-766")
	for _, want := range []string{"Criteria tree", "Points by area", "From 100%: 8 points", "Rate = Procedures published in full ÷"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if n := strings.Count(r.Body, `<li>`); n < 18 {
		t.Errorf("tree shows %d nodes", n)
	}
}
