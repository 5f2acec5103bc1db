package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/store"
)

// TestIntegrityDrillDownAndAgencySection seeds the demo province, whose
// planted counters are known (demo.BurstCounter: 40 forms in one
// five-minute slot; demo.ClerkCounter: a clerk's forms in the evening on
// her own phone), and reads them as DoHA and as an agency does: each
// link's drill-down shows what made its label, in tables a reader can
// check, and the agency page says in words whether its ratings are
// credible.
func TestIntegrityDrillDownAndAgencySection(t *testing.T) {
	eachServer(t, integrityDemoServer, func(t *testing.T, ts *testServer) {
		admin := ts.loggedIn(t, "admin")
		burst, clerk := demoLink(t, ts.DB, demo.BurstCounter), demoLink(t, ts.DB, demo.ClerkCounter)
		drill := func(l *parindex.SurveyLink) string {
			return fmt.Sprintf("/admin/survey/integrity/links/%d?instrument=%s&year=2026", l.ID, demo.InstrumentCode)
		}

		// The ranking leads to each link's drill-down.
		ranking := admin.get("/admin/survey/integrity?instrument=" + demo.InstrumentCode + "&year=2026")
		if !strings.Contains(ranking.Body, `href="`+html.EscapeString(drill(burst))+`"`) {
			t.Errorf("the ranking has no link to the burst counter's drill-down %s", drill(burst))
		}

		// The burst: its 40 forms in the slot of 10:30 on 14 October.
		r := admin.get(drill(burst))
		if r.Status != http.StatusOK {
			t.Fatalf("burst drill-down = %d\n%s", r.Status, r.Body)
		}
		if blocks := checkScripts(t, drill(burst), r.Body); blocks != 3 {
			t.Errorf("the burst drill-down has %d charts, want 3 (hours, slots, devices)", blocks)
		}
		for _, want := range []string{"Quầy 1 · ", "Đáng nghi ngờ", "phiếu trong 5 phút"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the burst drill-down lacks %q", want)
			}
		}
		slots := tableRows(t, r.Body, "slots")
		burstSlot := -1
		for _, row := range slots {
			if row[0] == "14/10/2026 10:30–10:35" {
				burstSlot, _ = strconv.Atoi(row[1])
			}
		}
		if burstSlot < demo.BurstForms {
			t.Errorf("the timeline's slot of 14/10/2026 10:30 holds %d forms, want at least %d: %v", burstSlot, demo.BurstForms, slots)
		}
		if csv := admin.get(strings.Replace(drill(burst), "?", "/table.csv?table=slots&", 1)); csv.Status != http.StatusOK || !strings.Contains(csv.Body, "14/10/2026 10:30–10:35,") {
			t.Errorf("the timeline's CSV = %d\n%s", csv.Status, csv.Body)
		}

		// The clerk: her forms between 18:00 and 21:59, outside office
		// hours, from one phone whose hash the page never shows.
		r = admin.get(drill(clerk))
		if r.Status != http.StatusOK {
			t.Fatalf("clerk drill-down = %d\n%s", r.Status, r.Body)
		}
		evening := 0
		for _, row := range tableRows(t, r.Body, "hours") {
			if h, _ := strconv.Atoi(row[0][:2]); h >= 18 && h <= 21 {
				n, _ := strconv.Atoi(row[2])
				evening += n
			}
		}
		if evening < demo.ClerkForms {
			t.Errorf("the clerk's hour table has %d forms outside office hours from 18:00 to 21:59, want at least her %d", evening, demo.ClerkForms)
		}
		devices := tableRows(t, r.Body, "devices")
		if len(devices) < 2 || devices[0][0] != "Thiết bị 1" || devices[0][1] != strconv.Itoa(demo.ClerkForms) || devices[len(devices)-1][0] != "Không ghi nhận thiết bị" {
			t.Errorf("the clerk's devices: %v, want her phone first with %d forms, and the forms without a device last", devices, demo.ClerkForms)
		}
		var hash string
		if err := ts.DB.SQL().QueryRow(`SELECT device_hash FROM responses WHERE link_id = $1 AND device_hash <> '' LIMIT 1`, clerk.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Body, hash) {
			t.Error("the drill-down shows the clerk's device hash")
		}

		// An honest counter: no slot of three forms kept, and the page says so.
		honest := demoLink(t, ts.DB, demo.CounterRef{Unit: "SNV", Counter: "Quầy 1"})
		if r := admin.get(drill(honest)); r.Status != http.StatusOK || !strings.Contains(r.Body, "Không có khoảng 5 phút nào nhận từ 3 phiếu trở lên") {
			t.Errorf("an honest counter's drill-down (%d) does not say that no busy slot was kept", r.Status)
		}

		if r := admin.get("/admin/survey/integrity/links/987654?year=2026"); r.Status != http.StatusNotFound {
			t.Errorf("an unknown link's drill-down = %d, want 404", r.Status)
		}
		agency := ts.loggedIn(t, "snv.leader")
		for _, path := range []string{drill(burst), drill(honest), strings.Replace(drill(honest), "?", "/table.csv?table=hours&", 1)} {
			if r := agency.get(path); r.Status != http.StatusForbidden {
				t.Errorf("an agency's leader reads %s: %d, want 403", path, r.Status)
			}
		}

		// The agency's own page: credible, in words, with no DoHA tools.
		page := agency.get("/app/units/SNV/dashboard?year=2026")
		section := between(t, page.Body, `id="integrity-title"`, "</section>")
		for _, want := range []string{"Đáng tin cậy", "Không chỉ số nào vượt ngưỡng của chính sách", "Quầy 1"} {
			if !strings.Contains(section, want) {
				t.Errorf("SNV's integrity section lacks %q:\n%s", want, section)
			}
		}
		for _, not := range []string{"Đáng nghi ngờ", "Cần kiểm tra", "/admin/survey/", "independent"} {
			if strings.Contains(section, not) {
				t.Errorf("SNV's integrity section, read by its leader, holds %q:\n%s", not, section)
			}
		}

		// A doubtful unit's page gives the reason; DoHA may follow the link.
		page = admin.get("/app/units/" + demo.BurstCounter.Unit + "/dashboard?year=2026")
		section = between(t, page.Body, `id="integrity-title"`, "</section>")
		for _, want := range []string{"Đáng nghi ngờ", "phiếu trong 5 phút", "mang nhãn của quầy đáng ngờ nhất", `href="` + html.EscapeString(drill(burst)) + `"`} {
			if !strings.Contains(section, want) {
				t.Errorf("%s's integrity section lacks %q:\n%s", demo.BurstCounter.Unit, want, section)
			}
		}
		if strings.Contains(section, "Không chỉ số nào vượt ngưỡng") {
			t.Errorf("%s's integrity section calls the doubtful unit credible in words:\n%s", demo.BurstCounter.Unit, section)
		}

		// A unit with too few forms says why it is not judged.
		var small string
		if err := ts.DB.SQL().QueryRow(`SELECT o.code FROM responses r JOIN org_units o ON o.id = r.org_unit_id
			WHERE r.link_id IS NOT NULL AND r.day >= '2026-01-01' GROUP BY o.code HAVING COUNT(*) < 20 ORDER BY o.code LIMIT 1`).Scan(&small); err != nil {
			t.Fatalf("no demo unit with fewer than 20 QR forms in 2026: %v", err)
		}
		page = admin.get("/app/units/" + small + "/dashboard?year=2026")
		if section := between(t, page.Body, `id="integrity-title"`, "</section>"); !strings.Contains(section, "Chưa đủ phiếu để đánh giá") ||
			!regexp.MustCompile(`Mới có \d+ phiếu qua mã QR trong năm, cần ít nhất 30 phiếu`).MatchString(section) {
			t.Errorf("%s's integrity section does not say why it is not judged:\n%s", small, section)
		}
	})
}

// integrityDemoServer serves the demo province at a tenth of its survey
// volume, seeded as of 20 December 2026 (after the planted burst).
func integrityDemoServer(t *testing.T, db *store.DB) *testServer {
	t.Helper()
	seeding := seedingClock(db)
	seeding.Store(true)
	ts := newTestServer(t, db)
	seedDemo(t, db, demo.Options{SurveyVolume: 0.1, SkipSnapshots: true})
	seeding.Store(false)
	return ts
}

// demoLink is the demo's QR link at a unit's counter.
func demoLink(t *testing.T, db *store.DB, ref demo.CounterRef) *parindex.SurveyLink {
	t.Helper()
	for _, l := range unitLinks(t, db, ref.Unit) {
		if l.CounterLabel == ref.Counter {
			return l
		}
	}
	t.Fatalf("the demo has no link at %v", ref)
	return nil
}

var (
	rowRe  = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRe = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	tagRe  = regexp.MustCompile(`<[^>]+>`)
)

// tableRows returns the text of each body row of the page's table with the
// id table-<id>, numbers without their thousands separators.
func tableRows(t *testing.T, body, id string) [][]string {
	t.Helper()
	table := between(t, body, `id="table-`+id+`"`, "</table>")
	var out [][]string
	for _, row := range rowRe.FindAllStringSubmatch(table, -1) {
		var cells []string
		for _, c := range cellRe.FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, strings.ReplaceAll(html.UnescapeString(strings.TrimSpace(tagRe.ReplaceAllString(c[1], ""))), ".", ""))
		}
		if len(cells) > 0 {
			out = append(out, cells)
		}
	}
	return out
}

// between is the part of s from the first from to the next to after it.
func between(t *testing.T, s, from, to string) string {
	t.Helper()
	i := strings.Index(s, from)
	if i < 0 {
		t.Fatalf("no %q in the page", from)
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		t.Fatalf("no %q after %q", to, from)
	}
	return s[i : i+j]
}
