package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/scoring"
)

// TestAssessmentEndToEnd walks one agency from draft to final with two
// appraisers over HTTP, checks every audit row, that a locked sheet refuses
// changes, and that scoring from the final assessments uses the final
// appraised points.
func TestAssessmentEndToEnd(t *testing.T) {
	eachServer(t, newE2EServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		editor, leader, admin, appA, appB, other := ts.loggedIn(t, "snv.editor"), ts.loggedIn(t, "snv.leader"), ts.loggedIn(t, "admin"), ts.loggedIn(t, "thamdinh.a"), ts.loggedIn(t, "thamdinh.b"), ts.loggedIn(t, "stp.editor")

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
		audits := countAudit(t, ts.DB)
		r = editor.post(e2eSheet, sheetForm(map[string]string{"p.2.3": "3.3", "p.6.2": "1,25", "m.initiatives_adopted": "-2"}))
		wantStatus(t, "bad sheet", r, http.StatusBadRequest)
		mustContain(t, "bad sheet", r, "Có 3 lỗi, chưa lưu gì", "điểm 3,3 nằm ngoài khoảng 0 đến 3", "không phải bội số của 0,5", "phải là số không âm", `value="3.3"`)
		if countAudit(t, ts.DB) != audits {
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
		yesterday := parindex.DateOf(ts.DB.Now().In(vietnamZone)).AddDays(-1)
		today := yesterday.AddDays(1)
		wantStatus(t, "deadlines", admin.post("/admin/assessments/e2e-2026/deadlines", url.Values{
			assessment.StageSelfAssessment: {yesterday.String()}, assessment.StageExplanation: {today.AddDays(5).String()}, "reason": {"Công văn 15/SNV"}}), http.StatusSeeOther)
		r = editor.post(e2eSheet, sheetForm(map[string]string{"p.6.2": "1.5"}))
		wantStatus(t, "save on a locked sheet", r, http.StatusConflict)
		mustContain(t, "locked sheet", r, "đã khóa")
		wantStatus(t, "submit a locked sheet", leader.post(e2eSheet+"/transition", url.Values{"t": {"submit"}}), http.StatusConflict)
		wantStatus(t, "evidence on a locked sheet", postFile(editor, leaf+"/evidence", "b.pdf", pdf, nil), http.StatusConflict)
		if a, _, _ := ts.DB.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNV"}); *a.SelfValue("6.2").Points != 2 || !a.Locked {
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
		r = appA.post(leaf+"/appraise", url.Values{"decision": {"adjust"}, "p": {"hai"}, "comment": {"x"}})
		wantStatus(t, "adjust with points not a number", r, http.StatusBadRequest)
		mustContain(t, "adjust with points not a number", r, "điểm &#34;hai&#34; không phải là một số")
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
		got := auditRows(t, ts.DB, "assessment", "e2e-2026/SNV")
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
		deadlines := auditRows(t, ts.DB, "framework", "e2e-2026")
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
		final, err := ts.DB.FinalAssessments(ctx, "e2e-2026")
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
