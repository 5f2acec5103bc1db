package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
)

// insertResponses stores responses directly, with device and dossier hashes
// that the browser must never show.
func insertResponses(t *testing.T, db *store.DB, in *parindex.StoredInstrument, rs ...*parindex.Response) {
	t.Helper()
	codes := make([]string, 22)
	for i := range codes {
		codes[i] = fmt.Sprintf("Q%d", i)
	}
	for i, r := range rs {
		r.InstrumentID = in.ID
		if r.Answers == "" {
			r.Answers = strings.Repeat("4", 22)
		}
		if r.IdempotencyKey == "" {
			r.IdempotencyKey = fmt.Sprintf("test-%d-%d-%d", time.Now().UnixNano(), i, r.UnitID)
		}
		if r.SubmittedHour.IsZero() {
			r.SubmittedHour = time.Date(r.Day.Year, r.Day.Month, r.Day.Day, 2, 0, 0, 0, time.UTC)
		}
		if r.Source == "" {
			r.Source = parindex.SourceQR
		}
		if r.DeviceHash == "" {
			r.DeviceHash = "devicehash" + fmt.Sprint(i)
		}
	}
	if _, err := db.InsertResponses(context.Background(), rs, map[int64][]string{in.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}
}

func unitID(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	u, err := db.OrgUnitByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

var foundRe = regexp.MustCompile(`Tìm thấy (\d+) phiếu`)

// found returns the count the responses page reports, -1 when it shows none.
func found(body string) int {
	m := foundRe.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func TestResponsesBrowser(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		in := withSurvey(t, ts)
		snv, stp := unitID(t, ts.DB, "SNV"), unitID(t, ts.DB, "STP")
		d := func(s string) parindex.Date { x, _ := parindex.ParseDate(s); return x }
		insertResponses(t, ts.DB, in,
			&parindex.Response{UnitID: snv, Day: d("2026-03-01"), Answers: "5432105432105432105432", Profile: "gender=female;age_group=age_30_44",
				Comment: `<script>alert(1)</script> Chờ lâu`, DossierHash: "dossierhash-secret", FillSeconds: 140},
			&parindex.Response{UnitID: snv, Day: d("2026-03-02"), Flags: []string{parindex.FlagSpeeder}, FillSeconds: 9},
			&parindex.Response{UnitID: snv, Day: d("2026-03-05"), Source: parindex.SourcePaper},
			&parindex.Response{UnitID: stp, Day: d("2026-03-02"), Flags: []string{parindex.FlagBot, parindex.FlagSpeeder}},
			&parindex.Response{UnitID: stp, Day: d("2026-03-09")},
		)
		admin := ts.loggedIn(t, "admin")
		r := admin.get("/admin/survey/responses")
		if r.Status != 200 || found(r.Body) != 5 {
			t.Fatalf("all responses = %d, found %d", r.Status, found(r.Body))
		}
		for _, secret := range []string{"devicehash", "dossierhash-secret", "<script>alert(1)</script>", "idempotency", "test-"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("the browser shows %q", secret)
			}
		}
		for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; Chờ lâu", "5432 10543 21054 32105 432", "Giới tính: Nữ; Độ tuổi: Từ 30 đến 44 tuổi",
			"01/03/2026", "09h", "Rất hài lòng", "Không áp dụng", "Tiếp cận dịch vụ", "A1 A2 A3 A4", "phiếu giấy", "Điền quá nhanh"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the browser lacks %q", want)
			}
		}
		// Profile answers, elements and flags by their names, not codes.
		for _, code := range []string{"gender=female", "age_30_44", ">access<", ">speeder<"} {
			if strings.Contains(r.Body, code) {
				t.Errorf("the browser shows the code %q", code)
			}
		}
		for query, want := range map[string]int{
			"flag=speeder":                   2,
			"flag=bot":                       1,
			"flag=any":                       2,
			"flag=none":                      3,
			"unit=SNV":                       3,
			"unit=SNV&flag=speeder":          1,
			"unit=STP&flag=none":             1,
			"from=2026-03-02&to=2026-03-05":  3,
			"from=2026-03-06":                1,
			"to=2026-03-01":                  1,
			"unit=STP&from=2026-03-03&to=":   1,
			"flag=duplicate_device":          0,
			"unit=SNV&from=2026-03-02&flag=": 2,
		} {
			r := admin.get("/admin/survey/responses?" + query)
			if r.Status != 200 || found(r.Body) != want {
				t.Errorf("?%s = %d, found %d, want %d", query, r.Status, found(r.Body), want)
			}
		}
		// Filter values are data, never SQL: bad values are refused, with no rows.
		for query, status := range map[string]int{
			"flag=" + url.QueryEscape("x' OR '1'='1"):       http.StatusBadRequest,
			"flag=" + url.QueryEscape("%"):                  http.StatusBadRequest,
			"flag=" + url.QueryEscape("speeder,%"):          http.StatusBadRequest,
			"from=" + url.QueryEscape("2026-01-01' OR 1=1"): http.StatusBadRequest,
			"to=" + url.QueryEscape("2026-13-01"):           http.StatusBadRequest,
			"unit=" + url.QueryEscape("SNV' OR '1'='1"):     http.StatusNotFound,
		} {
			r := admin.get("/admin/survey/responses?" + query)
			if r.Status != status || found(r.Body) != -1 || strings.Contains(r.Body, "Chờ lâu") {
				t.Errorf("?%s = %d (want %d), found %d", query, r.Status, status, found(r.Body))
			}
		}

		viewer := ts.loggedIn(t, "viewer")
		if r := viewer.get("/admin/survey/responses?unit=STP"); r.Status != 200 || found(r.Body) != 2 {
			t.Errorf("viewer, STP = %d, %d", r.Status, found(r.Body))
		}

		// An agency user sees only its units, whatever it asks.
		agency := ts.loggedIn(t, "snv.editor")
		r = agency.get("/admin/survey/responses")
		if r.Status != 200 || found(r.Body) != 3 || strings.Contains(r.Body, "Sở Tư pháp") || strings.Contains(r.Body, "Mọi đơn vị bạn được xem") {
			t.Errorf("agency, default = %d, found %d", r.Status, found(r.Body))
		}
		if r := agency.get("/admin/survey/responses?flag=speeder"); found(r.Body) != 1 {
			t.Errorf("agency, speeders = %d", found(r.Body))
		}
		for _, q := range []string{"unit=STP", "unit=STP&flag=bot", "unit=KHONGCO"} {
			if r := agency.get("/admin/survey/responses?" + q); r.Status != http.StatusForbidden || found(r.Body) != -1 {
				t.Errorf("agency, ?%s = %d", q, r.Status)
			}
		}

		// Pages of 50.
		var many []*parindex.Response
		for i := 0; i < 52; i++ {
			many = append(many, &parindex.Response{UnitID: stp, Day: d("2026-02-01")})
		}
		insertResponses(t, ts.DB, in, many...)
		r = admin.get("/admin/survey/responses?unit=STP")
		if found(r.Body) != 54 || strings.Count(r.Body, `class="digits"`) != 50 || !strings.Contains(r.Body, "page=2") {
			t.Errorf("page 1: found %d, %d rows", found(r.Body), strings.Count(r.Body, `class="digits"`))
		}
		r = admin.get("/admin/survey/responses?unit=STP&page=2")
		if strings.Count(r.Body, `class="digits"`) != 4 || strings.Contains(r.Body, "page=3") {
			t.Errorf("page 2: %d rows", strings.Count(r.Body, `class="digits"`))
		}
	})
}
