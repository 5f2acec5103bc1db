package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"parindex/store/storetest"
)

// TestOversizedBodiesAndUploads sends every body with a limit more than
// its limit: each gets a clear 4xx in Vietnamese and nothing is stored.
func TestOversizedBodiesAndUploads(t *testing.T) {
	ts := newE2EServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	link := mustLink(t, ts.DB, "SNV", "Quầy 1")
	token := mustToken(t, ts.DB, "lon", "", true)
	admin, editor := ts.loggedIn(t, "admin"), ts.loggedIn(t, "snv.editor")
	before := tableCounts(t, ts.DB)
	unchanged := func(what string, tables ...string) {
		t.Helper()
		after := tableCounts(t, ts.DB)
		for _, table := range tables {
			if after[table] != before[table] {
				t.Errorf("%s: %s %d → %d", what, table, before[table], after[table])
			}
		}
	}
	big := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }
	check := func(what string, r response, statuses []int, message string) {
		t.Helper()
		if !slices.Contains(statuses, r.Status) || !strings.Contains(r.Body, message) {
			t.Errorf("%s = %d, want %v with %q\n%.300s", what, r.Status, statuses, message, r.Body)
		}
	}

	// The public form: 64 KiB.
	citizen := ts.client(t)
	form := citizen.get("/s/" + link.Token)
	answers := surveyFormKeys(t, form)
	answers.Set("comment", string(big(80<<10)))
	check("survey form of 80 KiB", citizen.post("/s/"+link.Token, answers), []int{http.StatusRequestEntityTooLarge}, "Nội dung gửi lên quá lớn")
	unchanged("survey form", "responses", "response_counts")

	before = tableCounts(t, ts.DB)
	// The login: a password of 11 MB, over the standard library's own
	// 10 MB, and one of 100 KiB.
	for _, n := range []int{11 << 20, 100 << 10} {
		r := ts.client(t).post("/login", url.Values{"username": {"admin"}, "password": {string(big(n))}})
		check(fmt.Sprintf("login of %d bytes", n), r, []int{http.StatusRequestEntityTooLarge}, "Nội dung gửi lên quá lớn")
	}
	unchanged("login", "sessions", "login_attempts", "audit_log")

	before = tableCounts(t, ts.DB)
	// Evidence: over the configured limit (PARINDEX_EVIDENCE_MAX_MB, here
	// 1 MiB), within and beyond the slack of the body limit.
	ts.Srv.SetMaxEvidenceSize(1 << 20)
	leaf := e2eSheet + "/leaf/2.3"
	pdf := append([]byte("%PDF-1.4\n"), big(1<<20)...)
	check("evidence of 1 MiB + 9 B", postFile(editor, leaf+"/evidence", "lon.pdf", pdf, nil), []int{http.StatusRequestEntityTooLarge}, "Tệp quá lớn")
	check("evidence of 3 MiB", postFile(editor, leaf+"/evidence", "lon.pdf", append(pdf, big(2<<20)...), nil), []int{http.StatusRequestEntityTooLarge}, "Tệp quá lớn")
	ts.Srv.SetMaxEvidenceSize(0)
	unchanged("evidence", "evidence_files", "audit_log", "assessments")

	// Imports: criteria (4 MiB), metrics (16 MiB), paper forms (4 MiB),
	// instruments (1 MiB), the assessment workbook (4 MiB).
	yaml := append([]byte("code: lon-2026\n# "), big(5<<20)...)
	check("framework of 5 MiB", criteriaUpload(admin, "lon.yaml", yaml, nil), []int{http.StatusRequestEntityTooLarge}, "quá")
	unchanged("framework", "frameworks", "audit_log")
	csv := append([]byte("unit,period,metric,value\n"), big(17<<20)...)
	check("metrics import of 17 MiB", postFile(admin, "/admin/metrics/import", "lon.csv", csv, url.Values{"reason": {"x"}}),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("metrics import", "metric_observations", "audit_log")
	// A body far over the limit is not read to its end (it once was: the
	// form was parsed before the limit was set).
	sent := postStream(t, admin, "/admin/metrics/import", "file", "lon.csv", 96<<20, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge})
	if sent > 64<<20 {
		t.Errorf("the metrics import read %d MiB of a 96 MiB body; its limit is 32 MiB", sent>>20)
	}
	unchanged("metrics import streamed", "metric_observations", "audit_log")
	check("paper import of 5 MiB", postFile(admin, "/admin/survey/paper", "lon.csv", big(5<<20), url.Values{"instrument": {"sipas-2026"}}),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("paper import", "responses", "audit_log")
	check("instrument of 2 MiB", postFile(admin, "/admin/survey/instruments", "lon.yaml", big(2<<20), nil),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "Tệp quá lớn")
	unchanged("instrument", "instruments", "audit_log")
	check("assessment workbook of 5 MiB", postFile(editor, e2eSheet+"/upload", "lon.xlsx", big(5<<20), nil),
		[]int{http.StatusRequestEntityTooLarge, http.StatusBadRequest}, "")
	unchanged("assessment workbook", "assessments", "audit_log")

	// The API: 8 MiB of JSON.
	var huge bytes.Buffer
	huge.WriteString(`{"observations":[`)
	for huge.Len() < 9<<20 {
		huge.WriteString(`{"unit":"SNV","period":"2026-01","metric":"records_received","value":1},`)
	}
	huge.WriteString(`{"unit":"SNV","period":"2026-01","metric":"records_received","value":1}]}`)
	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/api/v1/metrics", &huge)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	check("API PUT of 9 MiB", admin.do(req), []int{http.StatusRequestEntityTooLarge}, "Nội dung quá lớn")
	unchanged("API PUT", "metric_observations", "audit_log")

	// The server still answers.
	if r := admin.get("/admin/users"); r.Status != http.StatusOK {
		t.Errorf("after the oversized requests: %d", r.Status)
	}
}

// countingReader counts the bytes the server took from the client.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// postStream posts a multipart file of size bytes without holding it in
// memory and returns how many bytes the server read before it answered.
func postStream(t *testing.T, c *client, path, field, name string, size int64, statuses []int) int64 {
	t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile(field, name); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(repeatByte('a'), size), strings.NewReader(tail))}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		// The server may close the connection while the client still writes.
		return body.n.Load()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if !slices.Contains(statuses, resp.StatusCode) || !strings.Contains(string(msg), "quá lớn") {
		t.Errorf("POST %s of %d MiB = %d, want %v with a clear message", path, size>>20, resp.StatusCode, statuses)
	}
	return body.n.Load()
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
