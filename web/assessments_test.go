package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/password"
	"parindex/scoring"
	"parindex/store"
	"parindex/store/storetest"
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

// setUpE2E stores and publishes the framework (and a later version of it)
// and adds two appraisers and an editor of another agency.
func setUpE2E(t *testing.T, ts *testServer) {
	t.Helper()
	ctx := context.Background()
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
		if _, err := ts.DB.ImportFramework(ctx, parindex.Actor{Name: "test"}, g, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.DB.PublishFramework(ctx, parindex.Actor{Name: "test"}, code, ""); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := password.Hash(testPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*parindex.User{
		{Username: "thamdinh.a", DisplayName: "Thẩm định Tư pháp", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "2"}}},
		{Username: "thamdinh.b", DisplayName: "Thẩm định Tài chính", Grants: []parindex.RoleGrant{
			{Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "6"}, {Role: parindex.RoleAppraiser, Framework: "e2e-2026", Area: "T"}}},
		{Username: "stp.editor", DisplayName: "Cán bộ STP", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitCode: "STP"}}},
	} {
		if err := ts.DB.CreateUser(ctx, parindex.Actor{Name: "test"}, u, hash); err != nil {
			t.Fatal(err)
		}
	}
}

// postFile posts a multipart form with one file, as a browser does.
func postFile(c *client, path, name string, data []byte, fields url.Values) response {
	c.t.Helper()
	return c.do(fileRequest(c, path, name, data, fields))
}

// fileRequest builds postFile's request, body and all.
func fileRequest(c *client, path, name string, data []byte, fields url.Values) *http.Request {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
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

// TestAssessmentEndToEnd walks one agency from draft to final with two
// appraisers over HTTP, checks every audit row, that a locked sheet refuses
// changes, and that scoring from the final assessments uses the final
// appraised points.
func TestAssessmentEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := newTestServer(t, db)
		setUpE2E(t, ts)
		editor, leader, admin, appA, appB, other := ts.client(t), ts.client(t), ts.client(t), ts.client(t), ts.client(t), ts.client(t)
		editor.mustLogin("snv.editor")
		leader.mustLogin("snv.leader")
		admin.mustLogin("admin")
		appA.mustLogin("thamdinh.a")
		appB.mustLogin("thamdinh.b")
		other.mustLogin("stp.editor")

		r := editor.get("/app/assessments")
		wantStatus(t, "assessments list", r, 200)
		mustContain(t, "assessments list", r, `href="/app/assessments/e2e-2026/SNV"`, "Đang tự chấm điểm")
		if strings.Contains(r.Body, "/e2e-2026/STP") {
			t.Error("the SNV clerk sees STP's assessment")
		}
		wantStatus(t, "STP's sheet for the SNV clerk", editor.get("/app/assessments/e2e-2026/STP"), http.StatusForbidden)
		r = editor.get(e2eSheet)
		wantStatus(t, "sheet", r, 200)
		mustContain(t, "sheet", r, `name="p.2.3"`, `name="a.2.1"`, `name="m.legal_docs_issued"`, `name="p.T.1"`, `src="/static/assessment.`)

		// Three bad values: each reported beside its leaf, nothing saved.
		audits := countAudit(t, db)
		r = editor.post(e2eSheet, sheetForm(map[string]string{"p.2.3": "3.3", "p.6.2": "1,25", "m.initiatives_adopted": "-2"}))
		wantStatus(t, "bad sheet", r, http.StatusBadRequest)
		mustContain(t, "bad sheet", r, "Có 3 lỗi, chưa lưu gì", "điểm 3,3 nằm ngoài khoảng 0 đến 3", "không phải bội số của 0,5", "phải là số không âm", `value="3.3"`)
		if countAudit(t, db) != audits {
			t.Fatal("a refused save wrote audit rows")
		}

		r = editor.post(e2eSheet, sheetForm(map[string]string{"a.2.1": "yes", "m.legal_docs_self_checked": "8", "m.legal_docs_issued": "10",
			"p.2.3": "2,5", "note.2.3": "Báo cáo 45/BC-SNV", "m.initiatives_adopted": "1", "p.6.2": "2", "p.T.1": "1"}))
		wantStatus(t, "save sheet", r, http.StatusSeeOther)
		r = editor.get(e2eSheet)
		// 2 + 3 × 0,8 + 2,5 + 0,5 + 2 = 9,4 points of 11, plus a bonus of 1: 10,4 → 94,55.
		mustContain(t, "saved sheet", r, "Đã lưu.", `<output data-live-for="2.2">2,4</output>`, `<output data-live-for="6.1">0,5</output>`,
			"<strong>10,4</strong> / 11", "<strong>94,55</strong> · A – Tốt")

		// Evidence: type from the content, size limit, empty file; only viewers of SNV download it.
		leaf := e2eSheet + "/leaf/2.3"
		pdf := []byte("%PDF-1.4\n% báo cáo theo dõi thi hành pháp luật\n")
		r = postFile(editor, leaf+"/evidence", "bao-cao.pdf", []byte("MZ\x90\x00 an executable"), nil)
		wantStatus(t, "refused type", r, http.StatusBadRequest)
		mustContain(t, "refused type", r, "Loại tệp không được nhận")
		wantStatus(t, "empty file", postFile(editor, leaf+"/evidence", "trong.pdf", nil, nil), http.StatusBadRequest)
		ts.Srv.SetMaxEvidenceSize(16)
		r = postFile(editor, leaf+"/evidence", "lon.pdf", pdf, nil)
		ts.Srv.SetMaxEvidenceSize(0)
		wantStatus(t, "too large", r, http.StatusRequestEntityTooLarge)
		mustContain(t, "too large", r, "Tệp quá lớn")
		wantStatus(t, "evidence", postFile(editor, leaf+"/evidence", "Báo cáo 45.pdf", pdf, nil), http.StatusSeeOther)
		r = editor.get(leaf)
		m := regexp.MustCompile(`/app/evidence/(\d+)">Báo cáo 45.pdf`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("the leaf page lists no evidence")
		}
		download := "/app/evidence/" + m[1]
		for _, c := range []*client{editor, admin, appB} {
			r := c.get(download)
			if r.Status != 200 || r.Body != string(pdf) || r.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("download = %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		}
		wantStatus(t, "another agency's evidence", other.get(download), http.StatusNotFound)

		// The deadline passes: the sheet is locked; DoHA reopens SNV.
		yesterday := parindex.DateOf(db.Now().In(vietnamZone)).AddDays(-1)
		today := yesterday.AddDays(1)
		wantStatus(t, "deadlines", admin.post("/admin/assessments/e2e-2026/deadlines", url.Values{
			assessment.StageSelfAssessment: {yesterday.String()}, assessment.StageExplanation: {today.AddDays(5).String()}, "reason": {"Công văn 15/SNV"}}), http.StatusSeeOther)
		r = editor.post(e2eSheet, sheetForm(map[string]string{"p.6.2": "1.5"}))
		wantStatus(t, "save on a locked sheet", r, http.StatusConflict)
		mustContain(t, "locked sheet", r, "đã khóa")
		wantStatus(t, "submit a locked sheet", leader.post(e2eSheet+"/transition", url.Values{"t": {"submit"}}), http.StatusConflict)
		wantStatus(t, "evidence on a locked sheet", postFile(editor, leaf+"/evidence", "b.pdf", pdf, nil), http.StatusConflict)
		if a, _, _ := db.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNV"}); *a.SelfValue("6.2").Points != 2 || !a.Locked {
			t.Fatal("a locked sheet changed")
		}
		r = admin.get("/admin/assessments/e2e-2026")
		wantStatus(t, "progress", r, 200)
		mustContain(t, "progress while late", r, `data-late-unit="SNV"`, `data-late-unit="STP"`)
		wantStatus(t, "reopen by the editor", editor.post(e2eSheet+"/reopen", url.Values{"until": {today.String()}, "reason": {"x"}}), http.StatusForbidden)
		wantStatus(t, "reopen", admin.post(e2eSheet+"/reopen", url.Values{"until": {today.String()}, "reason": {"Sự cố mạng ngày cuối"}}), http.StatusSeeOther)
		wantStatus(t, "save after reopening", editor.post(e2eSheet, sheetForm(map[string]string{"a.2.1": "yes", "m.legal_docs_self_checked": "8",
			"m.legal_docs_issued": "10", "p.2.3": "2.5", "note.2.3": "Báo cáo 45/BC-SNV", "m.initiatives_adopted": "1", "p.6.2": "1.5", "p.T.1": "1"})), http.StatusSeeOther)

		// Only the leader submits.
		wantStatus(t, "submit by the editor", editor.post(e2eSheet+"/transition", url.Values{"t": {"submit"}}), http.StatusForbidden)
		wantStatus(t, "submit", leader.post(e2eSheet+"/transition", url.Values{"t": {"submit"}}), http.StatusSeeOther)
		wantStatus(t, "save after submitting", editor.post(e2eSheet, sheetForm(map[string]string{"p.6.2": "2"})), http.StatusConflict)
		wantStatus(t, "start appraisal", admin.post("/admin/assessments/e2e-2026/start", nil), http.StatusSeeOther)

		// Round 1: Justice decides area 2, Finance area 6 and the bonus.
		r = appA.get("/app/appraisal")
		wantStatus(t, "queue A", r, 200)
		// Metrics by the catalogue's names, never their codes.
		mustContain(t, "queue A", r, "3 tiêu chí của 1 đơn vị", `/leaf/2.3"`, "Số văn bản QPPL được tự kiểm tra sau khi ban hành = 8")
		if strings.Contains(r.Body, "legal_docs_self_checked") {
			t.Error("the queue shows a metric's code")
		}
		if strings.Contains(r.Body, "/leaf/6.2") {
			t.Error("appraiser A is offered area 6")
		}
		wantStatus(t, "A appraises area 6", appA.post(e2eSheet+"/leaf/6.2/appraise", url.Values{"decision": {"accept"}}), http.StatusForbidden)
		r = appA.post(leaf+"/appraise", url.Values{"decision": {"adjust"}, "p": {"2"}})
		wantStatus(t, "adjust without comment", r, http.StatusBadRequest)
		mustContain(t, "adjust without comment", r, "Cần ghi ý kiến thẩm định")
		wantStatus(t, "adjust 2.3", appA.post(leaf+"/appraise", url.Values{"decision": {"adjust"}, "p": {"2"}, "comment": {"Chưa có báo cáo quý IV"}}), http.StatusSeeOther)
		wantStatus(t, "accept area 2", appA.post(e2eSheet+"/accept", url.Values{"area": {"2"}}), http.StatusSeeOther)
		wantStatus(t, "A accepts area 6", appA.post(e2eSheet+"/accept", url.Values{"area": {"6"}}), http.StatusForbidden)
		wantStatus(t, "send results too early", admin.post(e2eSheet+"/transition", url.Values{"t": {"send_results"}}), http.StatusConflict)
		wantStatus(t, "correct 6.1", appB.post(e2eSheet+"/leaf/6.1/appraise", url.Values{"decision": {"adjust"}, "m.initiatives_adopted": {"0"},
			"comment": {"Sáng kiến chưa được Hội đồng công nhận"}}), http.StatusSeeOther)
		wantStatus(t, "accept area 6", appB.post(e2eSheet+"/accept", url.Values{"area": {"6"}}), http.StatusSeeOther)
		wantStatus(t, "accept T", appB.post(e2eSheet+"/accept", url.Values{"area": {"T"}}), http.StatusSeeOther)
		wantStatus(t, "send results", admin.post(e2eSheet+"/transition", url.Values{"t": {"send_results"}}), http.StatusSeeOther)

		// The agency explains 2.3 only; its inbox asks for it.
		mustContain(t, "editor inbox", editor.get("/app/inbox"), "có ý kiến thẩm định cần giải trình", "2 tiêu chí chưa giải trình")
		wantStatus(t, "explain", editor.post(leaf+"/explain", url.Values{"explanation": {"Báo cáo quý IV gửi ngày 20/12 (kèm theo)"}}), http.StatusSeeOther)
		wantStatus(t, "submit explanations", leader.post(e2eSheet+"/transition", url.Values{"t": {"submit_explanation"}}), http.StatusSeeOther)

		// Round 2: the explained leaf only.
		r = appA.get("/app/appraisal")
		mustContain(t, "queue A, round 2", r, "1 tiêu chí của 1 đơn vị", "Báo cáo quý IV gửi ngày 20/12")
		mustContain(t, "queue B, round 2", appB.get("/app/appraisal"), "Không có tiêu chí nào đang chờ bạn thẩm định")
		wantStatus(t, "round 2 on 2.1", appA.post(e2eSheet+"/leaf/2.1/appraise", url.Values{"decision": {"accept"}}), http.StatusConflict)
		wantStatus(t, "round 2 on 2.3", appA.post(leaf+"/appraise", url.Values{"decision": {"adjust"}, "p": {"2.5"}, "comment": {"Chấp nhận giải trình"}}), http.StatusSeeOther)
		wantStatus(t, "finalise", admin.post(e2eSheet+"/transition", url.Values{"t": {"finalise"}}), http.StatusSeeOther)
		mustContain(t, "final sheet", editor.get(e2eSheet), `data-state="final"`)

		// Every audit row of the assessment, in order.
		type row struct{ actor, action, before, after, reason string }
		want := []row{
			{"snv.editor", "assessment.score", "", `{"node":"2.1","answer":true}`, ""},
			{"snv.editor", "assessment.score", "", `{"node":"2.3","points":2.5,"note":"Báo cáo 45/BC-SNV"}`, ""},
			{"snv.editor", "assessment.score", "", `{"node":"6.2","points":2}`, ""},
			{"snv.editor", "assessment.score", "", `{"node":"T.1","points":1}`, ""},
			{"snv.editor", "assessment.metric", "", `{"metric":"initiatives_adopted","value":1}`, ""},
			{"snv.editor", "assessment.metric", "", `{"metric":"legal_docs_issued","value":10}`, ""},
			{"snv.editor", "assessment.metric", "", `{"metric":"legal_docs_self_checked","value":8}`, ""},
			{"snv.editor", "evidence.add", "", `"name":"Báo cáo 45.pdf"`, ""},
			{"admin", "assessment.reopen", `{"state":"draft"}`, `{"state":"draft","reopened_until":"` + today.String() + `"}`, "Sự cố mạng ngày cuối"},
			{"snv.editor", "assessment.score", `{"node":"6.2","points":2}`, `{"node":"6.2","points":1.5}`, ""},
			{"snv.leader", "assessment.transition", `"state":"draft"`, `"state":"submitted"`, ""},
			{"admin", "assessment.transition", `"state":"submitted"`, `"state":"appraisal_1"`, ""},
			{"thamdinh.a", "appraisal.decide", `{"node":"2.3","round":1,"points":2.5}`, `{"node":"2.3","round":1,"decision":"adjusted","points":2,"comment":"Chưa có báo cáo quý IV"}`, "Chưa có báo cáo quý IV"},
			{"thamdinh.a", "appraisal.decide", `{"node":"2.1","round":1,"answer":true}`, `"decision":"accepted"`, ""},
			{"thamdinh.a", "appraisal.decide", `{"node":"2.2","round":1}`, `"metrics":{"legal_docs_issued":10,"legal_docs_self_checked":8}`, ""},
			{"thamdinh.b", "appraisal.metric", `{"metric":"initiatives_adopted","value":1}`, `{"metric":"initiatives_adopted","value":1,"appraised_value":0}`, "Sáng kiến chưa được Hội đồng công nhận"},
			{"thamdinh.b", "appraisal.decide", `{"node":"6.1","round":1}`, `"decision":"adjusted"`, "Sáng kiến chưa được Hội đồng công nhận"},
			{"thamdinh.b", "appraisal.decide", `{"node":"6.2","round":1,"points":1.5}`, `"decision":"accepted","points":1.5`, ""},
			{"thamdinh.b", "appraisal.decide", `{"node":"T.1","round":1,"points":1}`, `"decision":"accepted","points":1`, ""},
			{"admin", "assessment.transition", `"state":"appraisal_1"`, `"state":"explanation"`, ""},
			{"snv.editor", "assessment.explain", "", `{"explanation":"Báo cáo quý IV gửi ngày 20/12 (kèm theo)","node":"2.3"}`, ""},
			{"snv.leader", "assessment.transition", `"state":"explanation"`, `"state":"appraisal_2"`, ""},
			{"thamdinh.a", "appraisal.decide", `{"node":"2.3","round":2,"points":2}`, `{"node":"2.3","round":2,"decision":"adjusted","points":2.5,"comment":"Chấp nhận giải trình"}`, "Chấp nhận giải trình"},
			{"admin", "assessment.transition", `"state":"appraisal_2"`, `"state":"final"`, ""},
		}
		got := auditRows(t, db, "assessment", "e2e-2026/SNV")
		if len(got) != len(want) {
			for _, g := range got {
				t.Logf("%s %s %s → %s", g.Actor, g.Action, g.Before, g.After)
			}
			t.Fatalf("%d audit rows, want %d", len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Actor != w.actor || g.Action != w.action || !strings.Contains(g.Before, w.before) || !strings.Contains(g.After, w.after) ||
				g.Reason != w.reason || g.RequestID == "" || (w.before == "" && g.Before != "" && w.action != "assessment.reopen") {
				t.Errorf("audit row %d = %s %s %s → %s (%q), want %s %s %s → %s (%q)", i+1, g.Actor, g.Action, g.Before, g.After, g.Reason,
					w.actor, w.action, w.before, w.after, w.reason)
			}
		}
		deadlines := auditRows(t, db, "framework", "e2e-2026")
		var deadlineRows int
		for _, d := range deadlines {
			if d.Action == "assessment.deadline" && d.Actor == "admin" && d.Reason == "Công văn 15/SNV" {
				deadlineRows++
			}
		}
		if deadlineRows != 2 {
			t.Errorf("deadline audit rows = %d, want 2", deadlineRows)
		}

		// The snapshot's inputs: the final appraised points, scored by the engine.
		f, _, err := criteria.Parse("e2e.yaml", []byte(e2eFramework))
		if err != nil {
			t.Fatal(err)
		}
		f.Code = "e2e-2026"
		final, err := db.FinalAssessments(ctx, "e2e-2026")
		if err != nil {
			t.Fatal(err)
		}
		in := scoring.Inputs{Framework: "e2e-2026"}
		for code, a := range final {
			if a.State != string(assessment.StateFinal) {
				continue
			}
			in.Agencies = append(in.Agencies, scoring.AgencyInput{Code: code, Points: a.Points, Answers: a.Answers, Metrics: a.Metrics, NotApplicable: a.NotApplicable})
		}
		res, err := scoring.Score(f, in)
		if err != nil {
			t.Fatal(err)
		}
		snv := res.Agency("SNV")
		if snv == nil || len(res.Agencies) != 1 {
			t.Fatalf("scored agencies = %+v", res.Agencies)
		}
		for code, want := range map[string]float64{"2.1": 2, "2.2": 2.4, "2.3": 2.5, "6.1": 0, "6.2": 1.5, "T.1": 1} {
			if n, _ := snv.Node(code); math.Abs(n.Points-want) > 1e-9 {
				t.Errorf("final points of %s = %v, want %v", code, n.Points, want)
			}
		}
		// 2 + 2,4 + 2,5 + 0 + 1,5 = 8,4 of 11, plus 1: 9,4 → 85,45, band B.
		if math.Abs(snv.Points-9.4) > 1e-9 || snv.IndexRounded == nil || *snv.IndexRounded != 85.45 || snv.Band != "B" {
			data, _ := json.Marshal(snv)
			t.Errorf("final score = %s", data)
		}

		// DoHA's progress: SNV no longer late, nothing left for the appraisers, area 6 over-scored by 0,5.
		r = admin.get("/admin/assessments/e2e-2026")
		mustContain(t, "progress", r, `data-remaining="thamdinh.a">0<`, `data-remaining="thamdinh.b">0<`, `data-area-diff="6">0,5</td>`, `data-area-diff="2">0</td>`)
		if strings.Contains(r.Body, `data-late-unit="SNV"`) {
			t.Error("a final agency is shown late")
		}
	})
}

// vietnamZone is the province's clock, as the server counts days.
var vietnamZone = time.FixedZone("ICT", 7*3600)

// TestAssessmentExcelRoundTrip: a valid file (dry run, then applied), a file
// with three bad cells (all reported, nothing applied) and a file for
// another framework version.
func TestAssessmentExcelRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := newTestServer(t, db)
		setUpE2E(t, ts)
		editor := ts.client(t)
		editor.mustLogin("snv.editor")
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
		audits := countAudit(t, db)

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
		if countAudit(t, db) != audits {
			t.Fatal("the dry run wrote something")
		}
		token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(r.Body)
		if token == nil {
			t.Fatal("no token to apply")
		}
		wantStatus(t, "apply", editor.post(e2eSheet+"/upload", url.Values{"step": {"apply"}, "token": {token[1]}, "file_name": {"snv.xlsx"}}), http.StatusSeeOther)
		a, _, err := db.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNV"})
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
		rows := auditRows(t, db, "assessment", "e2e-2026/SNV")
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

// TestAppraiserWithAgencyRoleNeverAppraisesThatUnit is the red-team
// finding of issue 17: the appraiser of area 2, given the extra role
// agency_leader of SNNMT, appraised SNNMT's leaf 2.2 (303, stored, audited
// as appraisal.decide). Nobody judges their own unit: every appraisal
// action on SNNMT is refused with nothing stored or audited and none is
// offered, while the same appraiser still appraises STP; a grant on the
// province with its sub-units reaches every department.
func TestAppraiserWithAgencyRoleNeverAppraisesThatUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := newTestServer(t, db)
		setUpE2E(t, ts)
		for _, unit := range []string{"SNNMT", "STP"} {
			if _, err := db.Transition(ctx, parindex.Actor{Name: "test"}, submittedSheet(t, db, unit), assessment.TransitionStartAppraisal, ""); err != nil {
				t.Fatal(err)
			}
		}
		admin, appA, appB := ts.client(t), ts.client(t), ts.client(t)
		admin.mustLogin("admin")
		appA.mustLogin("thamdinh.a")
		appB.mustLogin("thamdinh.b")
		wantStatus(t, "grant agency_leader:SNNMT to the appraiser of area 2", admin.post("/admin/users/"+itoa(userIDOf(t, db, "thamdinh.a")),
			url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyLeader}, "unit": {"SNNMT"}}), http.StatusSeeOther)

		snnmt, stp := "/app/assessments/e2e-2026/SNNMT", "/app/assessments/e2e-2026/STP"
		audits := countAudit(t, db)
		wantStatus(t, "A accepts SNNMT's 2.2", appA.post(snnmt+"/leaf/2.2/appraise", url.Values{"decision": {"accept"}}), http.StatusForbidden)
		wantStatus(t, "A adjusts SNNMT's 2.3", appA.post(snnmt+"/leaf/2.3/appraise",
			url.Values{"decision": {"adjust"}, "p": {"3"}, "comment": {"Đủ hồ sơ"}}), http.StatusForbidden)
		wantStatus(t, "A accepts SNNMT's area 2", appA.post(snnmt+"/accept", url.Values{"area": {"2"}}), http.StatusForbidden)
		if n := countAudit(t, db); n != audits {
			t.Errorf("the refused appraisals wrote %d audit rows", n-audits)
		}
		for _, row := range auditRows(t, db, "assessment", "e2e-2026/SNNMT") {
			if strings.HasPrefix(row.Action, "appraisal.") {
				t.Errorf("audit row %s by %s on SNNMT", row.Action, row.Actor)
			}
		}
		a, _, err := db.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNNMT"})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Appraisals) != 0 || a.State != assessment.StateAppraisal1 {
			t.Errorf("SNNMT after the refusals: %s, %d decisions", a.State, len(a.Appraisals))
		}
		// Nor is SNNMT offered: not in the queue, no form on its pages.
		r := appA.get("/app/appraisal")
		wantStatus(t, "queue A", r, http.StatusOK)
		mustContain(t, "queue A", r, stp+"/leaf/2.2")
		if strings.Contains(r.Body, snnmt+"/leaf/") {
			t.Error("the queue offers SNNMT's leaves to a leader of SNNMT")
		}
		if strings.Contains(appA.get("/app/inbox").Body, `href="`+snnmt+`"`) {
			t.Error("the inbox asks a leader of SNNMT to appraise it")
		}
		for _, p := range []string{snnmt, snnmt + "/leaf/2.2"} {
			r := appA.get(p)
			wantStatus(t, p, r, http.StatusOK)
			if strings.Contains(r.Body, `/appraise"`) || strings.Contains(r.Body, `action="`+snnmt+`/accept"`) {
				t.Errorf("%s offers an appraisal form to a leader of SNNMT", p)
			}
		}

		// The same appraiser still appraises another unit.
		wantStatus(t, "A accepts STP's 2.2", appA.post(stp+"/leaf/2.2/appraise", url.Values{"decision": {"accept"}}), http.StatusSeeOther)
		rows := auditRows(t, db, "assessment", "e2e-2026/STP")
		if last := rows[len(rows)-1]; last.Action != "appraisal.decide" || last.Actor != "thamdinh.a" || !strings.Contains(last.After, `"node":"2.2"`) {
			t.Errorf("STP's last audit row = %s by %s: %s", last.Action, last.Actor, last.After)
		}

		// A clerk's grant on the province with its sub-units reaches every department.
		wantStatus(t, "grant agency_editor:MG with sub-units to the appraiser of area 6", admin.post("/admin/users/"+itoa(userIDOf(t, db, "thamdinh.b")),
			url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyEditor}, "unit": {"MG"}, "descendants": {"1"}}), http.StatusSeeOther)
		audits = countAudit(t, db)
		wantStatus(t, "B accepts STP's 6.2", appB.post(stp+"/leaf/6.2/appraise", url.Values{"decision": {"accept"}}), http.StatusForbidden)
		wantStatus(t, "B accepts SNNMT's area 6", appB.post(snnmt+"/accept", url.Values{"area": {"6"}}), http.StatusForbidden)
		if n := countAudit(t, db); n != audits {
			t.Errorf("the refused appraisals wrote %d audit rows", n-audits)
		}
	})
}

// TestAdministratorWithAgencyRoleLeavesThatUnitToAnother: DoHA's running of
// a unit's cycle judges it too, so an administrator who also holds an
// agency role of SNNMT neither starts, returns nor reopens SNNMT's
// assessment (the bulk start leaves it submitted); another administrator
// does.
func TestAdministratorWithAgencyRoleLeavesThatUnitToAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := newTestServer(t, db)
		setUpE2E(t, ts)
		hash, err := password.Hash(testPassword, cheap)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateUser(ctx, parindex.Actor{Name: "test"}, &parindex.User{Username: "doha.snnmt", DisplayName: "Quản trị kiêm Sở NN&MT",
			Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}, {Role: parindex.RoleAgencyLeader, UnitCode: "SNNMT"}}}, hash); err != nil {
			t.Fatal(err)
		}
		snnmtRef, stpRef := submittedSheet(t, db, "SNNMT"), submittedSheet(t, db, "STP")
		doha, admin := ts.client(t), ts.client(t)
		doha.mustLogin("doha.snnmt")
		admin.mustLogin("admin")
		snnmt := "/app/assessments/e2e-2026/SNNMT"

		audits := countAudit(t, db)
		wantStatus(t, "return SNNMT", doha.post(snnmt+"/transition", url.Values{"t": {"return"}, "reason": {"Thiếu hồ sơ"}}), http.StatusForbidden)
		wantStatus(t, "start SNNMT", doha.post(snnmt+"/transition", url.Values{"t": {"start_appraisal"}}), http.StatusForbidden)
		wantStatus(t, "reopen SNNMT", doha.post(snnmt+"/reopen", url.Values{"until": {"2099-01-01"}, "reason": {"x"}}), http.StatusForbidden)
		if n := countAudit(t, db); n != audits {
			t.Errorf("the refused transitions wrote %d audit rows", n-audits)
		}
		if strings.Contains(doha.get(snnmt).Body, `action="`+snnmt+`/transition"`) {
			t.Error("SNNMT's sheet offers DoHA's transitions to a leader of SNNMT")
		}
		r := doha.post("/admin/assessments/e2e-2026/start", nil)
		wantStatus(t, "start every submitted agency", r, http.StatusSeeOther)
		mustContain(t, "progress after the start", doha.get(r.Location), "để lại cho một quản trị khác")
		for ref, want := range map[assessment.Ref]assessment.State{snnmtRef: assessment.StateSubmitted, stpRef: assessment.StateAppraisal1} {
			a, _, err := db.Assessment(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if a.State != want {
				t.Errorf("%s after the bulk start = %s, want %s", ref.Unit, a.State, want)
			}
		}
		wantStatus(t, "another administrator starts SNNMT", admin.post(snnmt+"/transition", url.Values{"t": {"start_appraisal"}}), http.StatusSeeOther)
	})
}
