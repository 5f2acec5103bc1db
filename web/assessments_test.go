package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// e2eFramework has two appraised areas (Justice checks area 2, Finance
// area 6 and the bonus block) and a leaf of every kind the agency enters.
const e2eFramework = `
code: e2e-2026
name: "Bộ chỉ số thử nghiệm các sở năm 2026"
year: 2026
agency_types: [department]
rounding: 2
cap_index: 100
missing: zero
bands:
  - {code: A, name: "Tốt", min: 90}
  - {code: B, name: "Khá", min: 80}
  - {code: C, name: "Trung bình", min: 70}
  - {code: D, name: "Yếu", min: 0}
nodes:
  - code: "2"
    name: "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật"
    children:
      - {code: "2.1", name: "Ban hành kế hoạch kiểm tra văn bản", max: 2, method: boolean}
      - {code: "2.2", name: "Tự kiểm tra văn bản quy phạm pháp luật", max: 3, method: ratio, numerator: legal_docs_self_checked, denominator: legal_docs_issued}
      - {code: "2.3", name: "Theo dõi thi hành pháp luật", max: 3, method: assessed}
  - code: "6"
    name: "Cải cách tài chính công"
    children:
      - {code: "6.1", name: "Sáng kiến được công nhận", max: 1, method: count, metric: initiatives_adopted, per_unit: 0.5}
      - {code: "6.2", name: "Quản lý tài sản công", max: 2, method: assessed, step: 0.5}
  - code: "T"
    name: "Điểm thưởng, điểm trừ"
    adjustment: true
    children:
      - {code: "T.1", name: "Mô hình hay được nhân rộng", method: bonus, cap: 2}
`

const e2eSheet = "/app/assessments/e2e-2026/SNV"

// newE2EServer is newTestServer that also stores and publishes the
// framework (and a later version of it) and adds two appraisers and an
// editor of another agency.
func newE2EServer(t *testing.T, db *store.DB) *testServer {
	t.Helper()
	ts := newTestServer(t, db)
	f, _, err := criteria.Parse("e2e.yaml", []byte(e2eFramework))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"e2e-2026", "e2e-2027"} {
		g := f.Clone()
		g.Code = code
		if code == "e2e-2027" {
			g.Year = 2027
		}
		publishFramework(t, ts.DB, g)
	}
	addUsers(t, db,
		&parindex.User{Username: "thamdinh.a", DisplayName: "Thẩm định Tư pháp", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "2"}}},
		&parindex.User{Username: "thamdinh.b", DisplayName: "Thẩm định Tài chính", Grants: []parindex.RoleGrant{
			{Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "6"}, {Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "T"}}},
		&parindex.User{Username: "stp.editor", DisplayName: "Cán bộ STP", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "STP"}}},
	)
	return ts
}

// postFile posts a multipart form with one file, as a browser does.
func postFile(c *client, path, name string, data []byte, fields url.Values) response {
	c.t.Helper()
	return c.do(fileRequest(c, path, name, data, fields))
}

// fileRequest builds postFile's request, body and all: a multipart form as
// a browser sends it, the file in field "file" (none when name is "").
func fileRequest(c *client, path, name string, data []byte, fields url.Values) *http.Request {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func mustContain(t *testing.T, what string, r response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.Body, w) {
			t.Errorf("%s (status %d) lacks %q", what, r.Status, w)
		}
	}
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		body := r.Body
		if i := strings.Index(body, `<main id="main">`); i >= 0 {
			body = body[i:]
		}
		if len(body) > 1500 {
			body = body[:1500]
		}
		t.Fatalf("%s = %d, want %d\n%s", what, r.Status, status, body)
	}
}

// sheetForm is the whole sheet form with the given values.
func sheetForm(values map[string]string) url.Values {
	form := url.Values{}
	for _, leaf := range []string{"2.1", "2.2", "2.3", "6.1", "6.2", "T.1"} {
		form.Set("note."+leaf, "")
	}
	for k, v := range values {
		form.Set(k, v)
	}
	return form
}

func auditRows(t *testing.T, db *store.DB, objectType, id string) []parindex.AuditEntry {
	t.Helper()
	rows, err := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: objectType, ObjectID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}
