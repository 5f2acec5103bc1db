package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/assessment"
	"parindex/store"
)

// TestAssessmentExcelRoundTrip: a valid file (dry run, then applied), a file
// with three bad cells (all reported, nothing applied) and a file for
// another framework version.
func TestAssessmentExcelRoundTrip(t *testing.T) {
	eachServer(t, newE2EServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		editor := ts.loggedIn(t, "snv.editor")
		r := editor.get(e2eSheet + "/template.xlsx")
		wantStatus(t, "template", r, 200)
		if r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "SNV") {
			t.Errorf("template headers %v", r.Header)
		}
		template := []byte(r.Body)
		fill := func(cells map[[2]string]any) []byte {
			x, err := excelize.OpenReader(bytes.NewReader(template))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			for k, v := range cells {
				sheet, code := "Tự đánh giá", k[0]
				col := k[1]
				if strings.HasPrefix(col, "metric:") {
					sheet, col = "Số liệu", "C"
				}
				rows, _ := x.GetRows(sheet)
				found := false
				for i, row := range rows {
					if len(row) > 0 && row[0] == code {
						cell, _ := excelize.CoordinatesToCellName(int(col[0]-'A')+1, i+1)
						x.SetCellValue(sheet, cell, v)
						found = true
					}
				}
				if !found {
					t.Fatalf("no row %s on %s", code, sheet)
				}
			}
			var buf bytes.Buffer
			x.WriteTo(&buf)
			return buf.Bytes()
		}
		audits := countAudit(t, ts.DB)

		// A file for another version of the framework.
		r = editor.get("/app/assessments/e2e-2027/SNV/template.xlsx")
		wantStatus(t, "2027 template", r, 200)
		r = postFile(editor, e2eSheet+"/upload", "snv-2027.xlsx", []byte(r.Body), nil)
		wantStatus(t, "wrong version", r, http.StatusBadRequest)
		mustContain(t, "wrong version", r, "tệp dành cho bộ tiêu chí e2e-2027, không phải e2e-2026", "Tệp có 1 lỗi, chưa ghi gì")

		// Three bad cells: all three reported with sheet, row and column.
		bad := fill(map[[2]string]any{{"2.3", "E"}: 3.5, {"2.1", "F"}: "có lẽ", {"legal_docs_issued", "metric:"}: -3})
		r = postFile(editor, e2eSheet+"/upload", "snv.xlsx", bad, nil)
		wantStatus(t, "three bad cells", r, http.StatusBadRequest)
		mustContain(t, "three bad cells", r, "Tệp có 3 lỗi, chưa ghi gì", "sheet Tự đánh giá, dòng 3, cột F (answer)", "sheet Tự đánh giá, dòng 5, cột E (points)",
			"sheet Số liệu, dòng 3, cột C (value)", "ghi Có hoặc Không", "nằm ngoài khoảng 0 đến 3", "không âm")
		if strings.Contains(r.Body, `name="token"`) {
			t.Error("a bad file can be applied")
		}

		// A valid file: a dry run that writes nothing, then the apply.
		good := fill(map[[2]string]any{{"2.3", "E"}: 2.75, {"2.1", "F"}: "Có", {"6.2", "H"}: "Biên bản kiểm kê 2026",
			{"legal_docs_issued", "metric:"}: 12, {"legal_docs_self_checked", "metric:"}: 12})
		r = postFile(editor, e2eSheet+"/upload", "snv.xlsx", good, nil)
		wantStatus(t, "dry run", r, http.StatusOK)
		mustContain(t, "dry run", r, "Tệp hợp lệ", "<strong>2,75</strong>", "Biên bản kiểm kê 2026", "Số văn bản QPPL đã ban hành trong năm")
		if countAudit(t, ts.DB) != audits {
			t.Fatal("the dry run wrote something")
		}
		token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(r.Body)
		if token == nil {
			t.Fatal("no token to apply")
		}
		wantStatus(t, "apply", editor.post(e2eSheet+"/upload", url.Values{"step": {"apply"}, "token": {token[1]}, "file_name": {"snv.xlsx"}}), http.StatusSeeOther)
		a, _, err := ts.DB.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNV"})
		if err != nil {
			t.Fatal(err)
		}
		if v := a.SelfValue("2.3"); v.Points == nil || *v.Points != 2.75 {
			t.Errorf("2.3 after apply = %+v", v)
		}
		if v := a.SelfValue("2.1"); v.Answer == nil || !*v.Answer {
			t.Errorf("2.1 after apply = %+v", v)
		}
		if a.Entries["6.2"] == nil || a.Entries["6.2"].Note != "Biên bản kiểm kê 2026" || a.Metrics["legal_docs_issued"].Value != 12 {
			t.Errorf("after apply: %+v %+v", a.Entries["6.2"], a.Metrics)
		}
		rows := auditRows(t, ts.DB, "assessment", "e2e-2026/SNV")
		if len(rows) != 5 {
			t.Errorf("apply wrote %d audit rows, want 5 (3 leaves, 2 metrics)", len(rows))
		}
		for _, row := range rows {
			if row.Reason != "Excel: snv.xlsx" || row.Actor != "snv.editor" {
				t.Errorf("audit row %+v", row)
			}
		}
		// The kept file is used once.
		wantStatus(t, "apply twice", editor.post(e2eSheet+"/upload", url.Values{"step": {"apply"}, "token": {token[1]}}), http.StatusBadRequest)
	})
}

// submittedSheet enters every leaf of unit's e2e-2026 sheet and submits it,
// through the store, as the agency would on its pages.
func submittedSheet(t *testing.T, db *store.DB, unit string) assessment.Ref {
	t.Helper()
	ctx := context.Background()
	ref := assessment.Ref{Framework: "e2e-2026", Unit: unit}
	num := func(x float64) *float64 { return &x }
	yes := true
	agency := parindex.Actor{Name: strings.ToLower(unit) + ".leader"}
	if _, err := db.SaveEntries(ctx, agency, ref, []assessment.EntryUpdate{
		{Node: "2.1", Value: assessment.LeafValue{Answer: &yes}},
		{Node: "2.2", Metrics: map[string]*float64{"legal_docs_self_checked": num(8), "legal_docs_issued": num(10)}},
		{Node: "2.3", Value: assessment.LeafValue{Points: num(2.5)}},
		{Node: "6.1", Metrics: map[string]*float64{"initiatives_adopted": num(1)}},
		{Node: "6.2", Value: assessment.LeafValue{Points: num(2)}},
	}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Transition(ctx, agency, ref, assessment.TransitionSubmit, ""); err != nil {
		t.Fatal(err)
	}
	return ref
}

// userIDOf is the id of the account page of username.
func userIDOf(t *testing.T, db *store.DB, username string) int64 {
	t.Helper()
	u, _, err := db.UserCredentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
