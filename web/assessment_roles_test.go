package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex"
	"parindex/assessment"
)

// TestAppraiserWithAgencyRoleNeverAppraisesThatUnit is the red-team
// finding of issue 17: the appraiser of area 2, given the extra role
// agency_leader of SNNMT, appraised SNNMT's leaf 2.2 (303, stored, audited
// as appraisal.decide). Nobody judges their own unit: every appraisal
// action on SNNMT is refused with nothing stored or audited and none is
// offered, while the same appraiser still appraises STP; a grant on the
// province with its sub-units reaches every department.
func TestAppraiserWithAgencyRoleNeverAppraisesThatUnit(t *testing.T) {
	eachServer(t, newE2EServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		for _, unit := range []string{"SNNMT", "STP"} {
			if _, err := ts.DB.Transition(ctx, parindex.Actor{Name: "test"}, submittedSheet(t, ts.DB, unit), assessment.TransitionStartAppraisal, ""); err != nil {
				t.Fatal(err)
			}
		}
		admin, appA, appB := ts.loggedIn(t, "admin"), ts.loggedIn(t, "thamdinh.a"), ts.loggedIn(t, "thamdinh.b")
		wantStatus(t, "grant agency_leader:SNNMT to the appraiser of area 2", admin.post("/admin/users/"+itoa(userIDOf(t, ts.DB, "thamdinh.a")),
			url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyLeader}, "unit": {"SNNMT"}}), http.StatusSeeOther)

		snnmt, stp := "/app/assessments/e2e-2026/SNNMT", "/app/assessments/e2e-2026/STP"
		audits := countAudit(t, ts.DB)
		wantStatus(t, "A accepts SNNMT's 2.2", appA.post(snnmt+"/leaf/2.2/appraise", url.Values{"decision": {"accept"}}), http.StatusForbidden)
		wantStatus(t, "A adjusts SNNMT's 2.3", appA.post(snnmt+"/leaf/2.3/appraise",
			url.Values{"decision": {"adjust"}, "p": {"3"}, "comment": {"Đủ hồ sơ"}}), http.StatusForbidden)
		wantStatus(t, "A accepts SNNMT's area 2", appA.post(snnmt+"/accept", url.Values{"area": {"2"}}), http.StatusForbidden)
		wantNoNewAudit(t, ts.DB, audits, "the refused appraisals")
		for _, row := range auditRows(t, ts.DB, "assessment", "e2e-2026/SNNMT") {
			if strings.HasPrefix(row.Action, "appraisal.") {
				t.Errorf("audit row %s by %s on SNNMT", row.Action, row.Actor)
			}
		}
		a, _, err := ts.DB.Assessment(ctx, assessment.Ref{Framework: "e2e-2026", Unit: "SNNMT"})
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
		rows := auditRows(t, ts.DB, "assessment", "e2e-2026/STP")
		if last := rows[len(rows)-1]; last.Action != "appraisal.decide" || last.Actor != "thamdinh.a" || !strings.Contains(last.After, `"node":"2.2"`) {
			t.Errorf("STP's last audit row = %s by %s: %s", last.Action, last.Actor, last.After)
		}

		// A clerk's grant on the province with its sub-units reaches every department.
		wantStatus(t, "grant agency_editor:MG with sub-units to the appraiser of area 6", admin.post("/admin/users/"+itoa(userIDOf(t, ts.DB, "thamdinh.b")),
			url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyEditor}, "unit": {"MG"}, "descendants": {"1"}}), http.StatusSeeOther)
		audits = countAudit(t, ts.DB)
		wantStatus(t, "B accepts STP's 6.2", appB.post(stp+"/leaf/6.2/appraise", url.Values{"decision": {"accept"}}), http.StatusForbidden)
		wantStatus(t, "B accepts SNNMT's area 6", appB.post(snnmt+"/accept", url.Values{"area": {"6"}}), http.StatusForbidden)
		wantNoNewAudit(t, ts.DB, audits, "the refused appraisals")
	})
}

// TestAdministratorWithAgencyRoleLeavesThatUnitToAnother: DoHA's running of
// a unit's cycle judges it too, so an administrator who also holds an
// agency role of SNNMT neither starts, returns nor reopens SNNMT's
// assessment (the bulk start leaves it submitted); another administrator
// does.
func TestAdministratorWithAgencyRoleLeavesThatUnitToAnother(t *testing.T) {
	eachServer(t, newE2EServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		addUsers(t, ts.DB, &parindex.User{Username: "doha.snnmt", DisplayName: "Quản trị kiêm Sở NN&MT",
			Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}, {Role: parindex.RoleAgencyLeader, UnitCode: "SNNMT"}}})
		snnmtRef, stpRef := submittedSheet(t, ts.DB, "SNNMT"), submittedSheet(t, ts.DB, "STP")
		doha, admin := ts.loggedIn(t, "doha.snnmt"), ts.loggedIn(t, "admin")
		snnmt := "/app/assessments/e2e-2026/SNNMT"

		audits := countAudit(t, ts.DB)
		wantStatus(t, "return SNNMT", doha.post(snnmt+"/transition", url.Values{"t": {"return"}, "reason": {"Thiếu hồ sơ"}}), http.StatusForbidden)
		wantStatus(t, "start SNNMT", doha.post(snnmt+"/transition", url.Values{"t": {"start_appraisal"}}), http.StatusForbidden)
		wantStatus(t, "reopen SNNMT", doha.post(snnmt+"/reopen", url.Values{"until": {"2099-01-01"}, "reason": {"x"}}), http.StatusForbidden)
		wantNoNewAudit(t, ts.DB, audits, "the refused transitions")
		if strings.Contains(doha.get(snnmt).Body, `action="`+snnmt+`/transition"`) {
			t.Error("SNNMT's sheet offers DoHA's transitions to a leader of SNNMT")
		}
		r := doha.post("/admin/assessments/e2e-2026/start", nil)
		wantStatus(t, "start every submitted agency", r, http.StatusSeeOther)
		mustContain(t, "progress after the start", doha.get(r.Location), "để lại cho một quản trị khác")
		for ref, want := range map[assessment.Ref]assessment.State{snnmtRef: assessment.StateSubmitted, stpRef: assessment.StateAppraisal1} {
			a, _, err := ts.DB.Assessment(ctx, ref)
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
