package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/store/storetest"
)

const brokenInstrument = `code: hong-2026
name: Khảo sát hỏng
year: "2026"
scale:
  - {value: 1, label: Rất không hài lòng}
elements:
  - code: access
    name: Tiếp cận
    titel: sai khóa
    questions: []
aggregation: {question: median, element: mean, overall: mean}
`

const minimalInstrument = `code: thu-2026
name: {vi: Khảo sát thử, en: Trial survey}
year: 2026
scale:
  - {value: 1, label: Rất không hài lòng}
  - {value: 2, label: Không hài lòng}
  - {value: 3, label: Bình thường}
  - {value: 4, label: Hài lòng}
  - {value: 5, label: Rất hài lòng}
elements:
  - code: access
    name: {vi: Tiếp cận dịch vụ, en: Access}
    questions:
      - {code: A1, text: {vi: Nơi ngồi chờ có đủ chỗ ngồi, en: Enough seats}}
aggregation: {question: satisfaction, element: mean, overall: mean}
`

func TestInstrumentUpload(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	ctx := context.Background()
	admin := ts.loggedIn(t, "admin")
	count := func() int {
		all, err := ts.DB.FindInstruments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	before, audits := count(), countAudit(t, ts.DB)

	r := admin.postFile("/admin/survey/instruments", "file", "hong.yaml", []byte(brokenInstrument), nil)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("broken upload = %d", r.Status)
	}
	for _, want := range []string{"hong.yaml:3</span> year: expected a whole number", "hong.yaml:4</span> scale", `hong.yaml:9</span> element access: unknown key &#34;titel&#34;`,
		"hong.yaml:11</span> aggregation: question: unknown rule &#34;median&#34;"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the problems lack %q", want)
		}
	}
	if count() != before || countAudit(t, ts.DB) != audits {
		t.Error("a broken file stored something")
	}
	if r := admin.postFile("/admin/survey/instruments", "", "", nil, nil); r.Status != http.StatusBadRequest {
		t.Errorf("no file = %d", r.Status)
	}

	r = admin.postFile("/admin/survey/instruments", "file", "thu.yaml", []byte(minimalInstrument), nil)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/survey/instruments/thu-2026" {
		t.Fatalf("upload = %d %q\n%s", r.Status, r.Location, r.Body)
	}
	page := admin.get(r.Location)
	for _, want := range []string{"Đã lưu bản nháp", "Khảo sát thử", "Trial survey", "Nơi ngồi chờ có đủ chỗ ngồi", "Enough seats", "Bản nháp", "/publish"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the instrument page lacks %q", want)
		}
	}
	if r := admin.post("/admin/survey/instruments/thu-2026/publish", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish = %d", r.Status)
	}
	if in, _ := ts.DB.InstrumentByCode(ctx, "thu-2026"); in.Status != parindex.StatusPublished {
		t.Errorf("status = %s", in.Status)
	}
	// A published code never changes.
	changed := strings.Replace(minimalInstrument, "Enough seats", "Enough chairs", 1)
	if r := admin.postFile("/admin/survey/instruments", "file", "thu.yaml", []byte(changed), nil); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã công bố") {
		t.Errorf("re-upload of a published code = %d", r.Status)
	}
	list := admin.get("/admin/survey/instruments")
	if !strings.Contains(list.Body, "thu-2026") || !strings.Contains(list.Body, "sipas-2026") || !regexp.MustCompile(`class="code" title="[0-9a-f]{64}">[0-9a-f]{12}<`).MatchString(list.Body) {
		t.Error("the list lacks the instruments or their hash prefix")
	}

	agency := ts.loggedIn(t, "snv.editor")
	if r := agency.postFile("/admin/survey/instruments", "file", "thu2.yaml", []byte(strings.Replace(minimalInstrument, "thu-2026", "thu2-2026", 1)), nil); r.Status != http.StatusForbidden {
		t.Errorf("agency upload = %d", r.Status)
	}
	if r := agency.post("/admin/survey/instruments/sipas-2026/publish", nil); r.Status != http.StatusForbidden {
		t.Errorf("agency publish = %d", r.Status)
	}
	if r := agency.get("/admin/survey/instruments/sipas-2026"); r.Status != 200 || strings.Contains(r.Body, `type="file"`) {
		t.Errorf("agency instrument page = %d", r.Status)
	}
}
