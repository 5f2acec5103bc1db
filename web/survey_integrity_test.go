package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parindex/integrity/integritytest"
)

// TestIntegrityPageRanksAPlantedClerkFirst: a counter where sixty
// five-star forms come from one phone on a Saturday night is ranked
// doubtful, above an honest counter, with the reasons written out; only
// DoHA sees the page; marking a link as DoHA's independent sample needs a
// reason and is audited.
func TestIntegrityPageRanksAPlantedClerkFirst(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		honest, _ := integritytest.PlantClerk(t, ts.DB)

		admin := ts.loggedIn(t, "admin")
		page := "/admin/survey/integrity?instrument=sipas-2026&year=2026"
		r := admin.get(page)
		if r.Status != http.StatusOK {
			t.Fatalf("integrity page = %d\n%s", r.Status, r.Body)
		}
		stp, snv := strings.Index(r.Body, `Sở Tư pháp <span class="code">STP</span>`), strings.Index(r.Body, `Sở Nội vụ <span class="code">SNV</span>`)
		if stp < 0 || snv < 0 || stp > snv {
			t.Fatalf("the planted clerk (STP at %d) is not ranked above the honest counter (SNV at %d)\n%s", stp, snv, r.Body)
		}
		row := r.Body[stp:]
		if end := strings.Index(row, `class="integrity-unit"`); end > 0 {
			row = row[:end]
		}
		for _, want := range []string{"Đáng nghi ngờ", "ngoài giờ làm việc", "3 thiết bị", "cùng một bộ câu trả lời"} {
			if !strings.Contains(row, want) {
				t.Errorf("the clerk's rows lack %q", want)
			}
		}
		if strings.Contains(r.Body[snv:], "Đáng nghi ngờ") {
			t.Error("the honest counter is called doubtful")
		}

		agency := ts.loggedIn(t, "snv.editor")
		if r := agency.get(page); r.Status != http.StatusForbidden {
			t.Errorf("an agency reads the integrity page: %d", r.Status)
		}

		// DoHA's own interviewers' link: marked with a reason, audited.
		mark := fmt.Sprintf("/admin/survey/links/%d/independent", honest.ID)
		r = admin.post(mark, url.Values{"instrument": {"sipas-2026"}, "year": {"2026"}, "independent": {"1"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Cần ghi lý do") {
			t.Errorf("marking without a reason = %d", r.Status)
		}
		r = admin.post(mark, url.Values{"instrument": {"sipas-2026"}, "year": {"2026"}, "independent": {"1"}, "reason": {"Điều tra viên của Sở Nội vụ"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/survey/integrity?") {
			t.Fatalf("marking = %d %q", r.Status, r.Location)
		}
		if a := auditOf(t, ts.DB, "link.independent"); len(a) != 1 || a[0].Reason != "Điều tra viên của Sở Nội vụ" || a[0].Actor != "admin" {
			t.Errorf("audit of the marking: %+v", a)
		}
		if body := admin.get(page).Body; !regexp.MustCompile(`>Quầy 1</a> <span class="badge">mẫu độc lập</span>`).MatchString(body) {
			t.Error("the page does not show the link as the independent sample")
		}
		if r := agency.post(mark, url.Values{"independent": {"0"}, "reason": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("an agency unmarks: %d", r.Status)
		}
	})
}
