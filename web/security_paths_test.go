package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/store/storetest"
)

// TestPathTraversalOnDownloads asks every download route for files outside
// what it serves (dot segments raw and encoded, absolute paths,
// backslashes, NUL) and for another agency's evidence: never a file,
// always 4xx. A hostile evidence file name does not escape its
// Content-Disposition header.
func TestPathTraversalOnDownloads(t *testing.T) {
	ts := newE2EServer(t, storetest.MustOpenSQLite(t))
	in := withSurvey(t, ts)
	insertResponses(t, ts.DB, in, &parindex.Response{UnitID: unitID(t, ts.DB, "SNV"), Day: parindex.Date{Year: 2026, Month: 3, Day: 1}, Comment: "góp ý SNV"},
		&parindex.Response{UnitID: unitID(t, ts.DB, "STP"), Day: parindex.Date{Year: 2026, Month: 3, Day: 2}, Comment: "góp ý STP"})
	editor, other := ts.loggedIn(t, "snv.editor"), ts.loggedIn(t, "stp.editor")
	leaf := e2eSheet + "/leaf/2.3"
	pdf := []byte("%PDF-1.4\n% tài liệu kiểm chứng của SNV\n")
	wantStatus(t, "evidence", postFile(editor, leaf+"/evidence", "bao-cao.pdf", pdf, nil), http.StatusSeeOther)
	m := regexp.MustCompile(`/app/evidence/(\d+)">bao-cao.pdf`).FindStringSubmatch(editor.get(leaf).Body)
	if m == nil {
		t.Fatal("the leaf page lists no evidence")
	}
	id := m[1]
	if r := editor.get("/app/evidence/" + id); r.Status != http.StatusOK || r.Body != string(pdf) {
		t.Fatalf("the agency's own evidence = %d", r.Status)
	}

	// raw sends a path exactly as written: no client-side cleaning.
	raw := func(c *client, method, path string) response {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = path
		return c.do(req)
	}
	leaks := []string{string(pdf[:12]), "package web", "root:x:", "module parindex", "góp ý STP"}
	refuse := func(c *client, who, path string) {
		t.Helper()
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			r := raw(c, method, path)
			// gin redirects a trailing slash away; the target is checked on its own.
			redirect := r.Status >= 300 && r.Status < 400 && strings.HasPrefix(r.Location, "/") && !strings.HasPrefix(r.Location, "//")
			if (r.Status < 400 || r.Status >= 500) && !redirect {
				t.Errorf("%s %s %s = %d %q, want 4xx", who, method, path, r.Status, r.Location)
			}
			for _, leak := range leaks {
				if strings.Contains(r.Body, leak) {
					t.Errorf("%s %s %s leaks %q", who, method, path, leak)
				}
			}
		}
	}
	// Another agency asks for SNV's file by its id, and by every disguise of it.
	for _, p := range []string{"/app/evidence/" + id, "/app/evidence/%2B" + id, "/app/evidence/0" + id, "/app/evidence/" + id + "%00",
		"/app/evidence/" + id + "/", "/app/evidence/" + id + ".pdf"} {
		refuse(other, "stp.editor", p)
	}
	traversals := []string{
		"/../../../../etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e%2f%2e%2e%2fgo.mod",
		"/..%5c..%5c..%5cweb%5cserver.go", `/..\..\..\web\server.go`, "//etc/passwd", "/%2fetc%2fpasswd", "/C:%5cWindows%5cwin.ini",
		"/" + id + "%00.pdf", "/%00", "/..%00/" + id, "/-1", "/99999999999999999999",
	}
	for _, tr := range traversals {
		refuse(editor, "snv.editor", "/app/evidence"+tr)
		refuse(editor, "snv.editor", "/static"+tr)
		refuse(editor, "snv.editor", "/app/criteria"+tr+"/download")
		refuse(editor, "snv.editor", "/admin/survey/instruments"+tr+"/yaml")
		refuse(editor, "snv.editor", "/app/units"+tr+"/scorecard.xlsx")
	}
	// Static files: only the embedded, hashed URLs.
	asset := regexp.MustCompile(`/static/app\.[0-9a-f]{12}\.css`).FindString(editor.get("/app").Body)
	if r := editor.get(asset); asset == "" || r.Status != http.StatusOK {
		t.Fatalf("the stylesheet %q = %d", asset, r.Status)
	}
	for _, p := range []string{"/static/app.css", "/static/static/app.css", asset + "%00.js", asset + "/..", asset + "/../../go.mod",
		"/static/../web/server.go", "/static/./" + strings.TrimPrefix(asset, "/static/"), "/static/%2e/" + strings.TrimPrefix(asset, "/static/")} {
		refuse(editor, "snv.editor", p)
	}
	// The responses export: a unit filter of another agency, disguised, is refused.
	if r := editor.get("/admin/survey/responses.xlsx?unit=SNV"); r.Status != http.StatusOK {
		t.Fatalf("own responses export = %d", r.Status)
	}
	for _, unit := range []string{"STP", "SNV/../STP", "../STP", "SNV%00STP", `SNV\..\STP`, "/STP", "SNV,STP"} {
		r := editor.get("/admin/survey/responses.xlsx?unit=" + url.QueryEscape(unit))
		if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest {
			t.Errorf("responses export of unit %q = %d", unit, r.Status)
		}
	}

	// A file name with quotes, a line break, backslashes and dot segments.
	// Go's multipart reader keeps the base name after the last slash, so
	// the name is sent in RFC 2231 form to bring the rest through.
	hostileName := "..\\..\\etc\\\"bao cao\"; filename=evil.exe\r\nX-Injected: 1 ..pdf"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {`form-data; name="file"; filename*=UTF-8''` + percentEncode(hostileName)},
		"Content-Type":        {"application/pdf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	part.Write(pdf)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+leaf+"/evidence", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	wantStatus(t, "evidence with a hostile name", editor.do(req), http.StatusSeeOther)
	ids := regexp.MustCompile(`/app/evidence/(\d+)"`).FindAllStringSubmatch(editor.get(leaf).Body, -1)
	var hostileID string
	for _, m := range ids {
		if m[1] != id {
			hostileID = m[1]
		}
	}
	if hostileID == "" {
		t.Fatal("the evidence with a hostile name is not listed")
	}
	r := editor.get("/app/evidence/" + hostileID)
	cd := r.Header.Get("Content-Disposition")
	if r.Status != http.StatusOK || r.Header.Get("X-Injected") != "" {
		t.Fatalf("download = %d, X-Injected %q", r.Status, r.Header.Get("X-Injected"))
	}
	plain := regexp.MustCompile(`^attachment; filename="([^"]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_` + "`" + `|~%-]+)$`).FindStringSubmatch(cd)
	if plain == nil {
		t.Fatalf("Content-Disposition %q is not one attachment with a plain and an encoded name", cd)
	}
	if strings.ContainsAny(plain[1], "\\/\r\n\"") {
		t.Errorf("the plain file name %q holds a separator, quote or line break", plain[1])
	}
	decoded, err := url.PathUnescape(plain[2])
	if !strings.Contains(decoded, "bao cao") || !strings.Contains(decoded, "X-Injected") {
		t.Errorf("the hostile name did not reach the header, the check proves nothing: %q", cd)
	}
	if err != nil || strings.ContainsAny(decoded, "\\/\r\n\"") || !strings.HasSuffix(decoded, ".pdf") {
		t.Errorf("the encoded file name %q (%v) holds a separator, quote or line break", decoded, err)
	}
}

// percentEncode encodes every byte but letters and digits, as RFC 2231
// allows.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sqlProbes are filter values that would change a query built by pasting
// text: quotes, comments, LIKE wildcards, an escape character, a second
// statement, Vietnamese text and a very long value.
var sqlProbes = []string{
	`' OR 1=1 --`, `' OR '1'='1`, `%`, `_`, `\`, `%' OR '%'='`, `"; DROP TABLE users; --`, `'); DROP TABLE org_units; --`,
	"Sở Nội vụ", "Nguyễn Văn Ả'", "SNV\x00", strings.Repeat("x' OR '1'='1 ", 800),
}
