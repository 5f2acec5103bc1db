package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

func TestPaperImportPage(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	ctx := context.Background()
	admin := ts.loggedIn(t, "admin")
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	header := "unit,date," + strings.Join(survey.QuestionCodes(sipas), ",") + ",comment\n"
	row := func(unit, date, answer, comment string) string {
		return unit + "," + date + strings.Repeat(","+answer, 22) + "," + comment + "\n"
	}
	paperCount := func() int {
		n, err := ts.DB.CountResponses(ctx, store.ResponseFilter{Source: parindex.SourcePaper})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	good := header + row("SNV", "2026-03-14", "4", "Tốt") + row("P001", "2026-03-15", "5", `"<b>đậm</b>, rất tốt"`)

	r := admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != 200 || !strings.Contains(r.Body, "Tệp hợp lệ: 2 phiếu; sẽ ghi mới 2") {
		t.Fatalf("check = %d\n%s", r.Status, r.Body)
	}
	if paperCount() != 0 {
		t.Fatal("the check stored responses")
	}
	tokenOf := func(body string) string {
		t.Helper()
		m := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no apply form")
		}
		return m[1]
	}
	apply := map[string]string{"step": "apply", "instrument": "sipas-2026", "file_name": "giay.csv", "token": tokenOf(r.Body)}
	// Another user's apply with the token opens nothing.
	addUsers(t, ts.DB, &parindex.User{Username: "admin2", DisplayName: "Quản trị 2", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}})
	other := ts.loggedIn(t, "admin2")
	if r := other.postFile("/admin/survey/paper", "", "", nil, apply); r.Status != http.StatusBadRequest || paperCount() != 0 {
		t.Fatalf("another user's apply = %d, %d stored", r.Status, paperCount())
	}
	r = admin.postFile("/admin/survey/paper", "", "", nil, apply)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/paper?inserted=2&already=0" {
		t.Fatalf("apply = %d %q\n%s", r.Status, r.Location, r.Body)
	}
	if paperCount() != 2 {
		t.Errorf("%d paper responses stored", paperCount())
	}
	if body := admin.get(r.Location).Body; !strings.Contains(body, "Đã ghi 2 phiếu mới") {
		t.Error("the result is not shown")
	}
	// A token applies once; the same file checked and applied again
	// stores nothing twice.
	if r := admin.postFile("/admin/survey/paper", "", "", nil, apply); r.Status != http.StatusBadRequest || paperCount() != 2 {
		t.Errorf("apply with a spent token = %d, %d stored", r.Status, paperCount())
	}
	r = admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != 200 || !strings.Contains(r.Body, "sẽ ghi mới 0") || strings.Contains(r.Body, `name="token"`) {
		t.Errorf("the same file checked again = %d, want nothing new to apply\n%s", r.Status, r.Body)
	}

	bad := header + row("SNV", "2026-03-14", "6", "") + row("KHONGCO", "14/03/2026", "4", "")
	r = admin.postFile("/admin/survey/paper", "file", "loi.csv", []byte(bad), map[string]string{"step": "check", "instrument": "sipas-2026"})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Tệp có 24 lỗi") || strings.Contains(r.Body, `name="token"`) {
		t.Errorf("bad check = %d", r.Status)
	}
	for _, want := range []string{`<td>2</td><td class="code">A1</td>`, `<td>3</td><td class="code">unit</td>`, `<td>3</td><td class="code">date</td>`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the problems lack %s", want)
		}
	}
	// An apply with a made-up token has no file to store.
	r = admin.postFile("/admin/survey/paper", "", "", nil, map[string]string{"step": "apply", "instrument": "sipas-2026", "file_name": "loi.csv",
		"token": strings.Repeat("ab", 16)})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "tải tệp lên lại") || paperCount() != 2 {
		t.Errorf("apply with a made-up token = %d, %d stored", r.Status, paperCount())
	}
	if r := admin.postFile("/admin/survey/paper", "file", "giay.csv", []byte(good), map[string]string{"step": "check", "instrument": "khong-co"}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown instrument = %d", r.Status)
	}

	agency := ts.loggedIn(t, "snv.editor")
	agency.wantStatus(t, "/admin/survey/paper", http.StatusForbidden, "agency paper page")
	if r := agency.postFile("/admin/survey/paper", "file", "giay2.csv", []byte(good+row("SNV", "2026-03-16", "3", "")), map[string]string{"step": "check", "instrument": "sipas-2026"}); r.Status != http.StatusForbidden {
		t.Errorf("agency paper import = %d", r.Status)
	}
}
