package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parindex"
)

// TestAccountPageWarnsOfConflictOfInterest: granting an appraiser an agency
// role, or an administrator one reaching units through their sub-units, is
// allowed but warned of at once and on the account's page from then on, in
// Vietnamese (English for an English page), naming the unit as escaped
// text; the list marks the account; revoking the agency role ends it.
func TestAccountPageWarnsOfConflictOfInterest(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		const evil = `<script>alert(1)</script>`
		const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
		ctx := context.Background()
		if _, err := ts.DB.ImportOrgUnits(ctx, parindex.Actor{Name: "test"}, "", []parindex.OrgRow{
			{Code: "XSS", Name: evil, Type: parindex.OrgTypeDepartment, Parent: "MG", ValidFrom: "2025-07-01"},
		}, ""); err != nil {
			t.Fatal(err)
		}
		doha2 := &parindex.User{Username: "doha2", DisplayName: "Quản trị thứ hai", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}
		addUsers(t, ts.DB, doha2)
		admin := ts.loggedIn(t, "admin")
		appraiser := "/admin/users/" + itoa(userIDOf(t, ts.DB, "appraiser"))

		r := admin.get(appraiser)
		wantStatus(t, "the appraiser's page", r, http.StatusOK)
		if strings.Contains(r.Body, "data-conflicts") {
			t.Error("an appraiser with no agency role is warned of a conflict")
		}
		r = admin.post(appraiser, url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyLeader}, "unit": {"XSS"}})
		wantStatus(t, "grant agency_leader:XSS to the appraiser", r, http.StatusSeeOther)
		r = admin.get(r.Location)
		wantStatus(t, "the appraiser's page after the grant", r, http.StatusOK)
		mustContain(t, "after the grant", r, "Đã thêm vai trò. Lưu ý cảnh báo xung đột lợi ích bên dưới.",
			`data-conflicts`, "Xung đột lợi ích: không ai tự đánh giá đơn vị của mình",
			"giữ vai trò Lãnh đạo cơ quan (phê duyệt, gửi) của "+escaped+" (XSS). Tài khoản sẽ không thẩm định được "+escaped+";")
		if strings.Contains(r.Body, evil) {
			t.Error("the warning renders the unit's name unescaped")
		}
		r = admin.get(appraiser)
		mustContain(t, "the appraiser's page later", r, `data-conflicts`, "không thẩm định được "+escaped)
		if strings.Contains(r.Body, "Đã thêm vai trò") {
			t.Error("the flash of the grant is shown twice")
		}
		mustContain(t, "the accounts list", admin.get("/admin/users"), `data-conflict="appraiser"`)

		// An administrator with an agency role on the province and its sub-units.
		r = admin.post("/admin/users/"+itoa(doha2.ID), url.Values{"do": {"grant"}, "role": {parindex.RoleAgencyEditor}, "unit": {"MG"}, "descendants": {"1"}})
		wantStatus(t, "grant agency_editor:MG with sub-units to an administrator", r, http.StatusSeeOther)
		mustContain(t, "the administrator's page", admin.get(r.Location), "Tỉnh Minh Giang (MG) và các đơn vị trực thuộc",
			"sẽ không trả lại, bắt đầu thẩm định, gửi kết quả, kết thúc giải trình, chốt kết quả hay mở lại hồ sơ tự đánh giá của Tỉnh Minh Giang và các đơn vị trực thuộc")
		wantStatus(t, "English", admin.post("/lang", url.Values{"lang": {"en"}}), http.StatusSeeOther)
		mustContain(t, "the appraiser's page in English", admin.get(appraiser), "Conflict of interest: nobody judges their own unit",
			"It will not be able to appraise "+escaped)
		wantStatus(t, "Vietnamese", admin.post("/lang", url.Values{"lang": {"vi"}}), http.StatusSeeOther)

		// Revoking the agency role ends the conflict.
		u, err := ts.DB.UserByID(ctx, userIDOf(t, ts.DB, "appraiser"))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range u.Grants {
			if g.Role == parindex.RoleAgencyLeader {
				wantStatus(t, "revoke", admin.post(appraiser, url.Values{"do": {"revoke"}, "grant": {itoa(g.ID)}}), http.StatusSeeOther)
			}
		}
		if strings.Contains(admin.get(appraiser).Body, "data-conflicts") {
			t.Error("the warning outlives the agency role")
		}
	})
}
