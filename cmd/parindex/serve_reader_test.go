package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// replicaFixture stores what the primary and its replica share: a unit
// and the published reference instrument, with the same ids on both fresh
// databases, and returns the instrument and its question codes.
func replicaFixture(t *testing.T, db *store.DB) (*parindex.StoredInstrument, []string) {
	t.Helper()
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	importDepartments(t, db, "Sở Một")
	stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, q := range in.Questions() {
		codes = append(codes, q.Code)
	}
	return stored, codes
}

// With PARINDEX_DATABASE_READ_URL, serve reads the dashboards and the
// exports from the replica and writes to the primary. The replica is a
// second PostgreSQL started by the test (the test server's pg_hba allows
// no replication, so it is a separate cluster rather than a streaming
// standby), opened read-only as a standby is, and holding responses the
// primary does not: what the export and the dashboard show proves which
// database they read.
func TestServeReadsDashboardsAndExportsFromTheReplica(t *testing.T) {
	primaryURL := storetest.PostgresSchemaURL(t)
	replicaURL := storetest.StartPostgres(t)
	ctx := context.Background()
	primary := storetest.MustOpen(t, primaryURL)
	replicaFixture(t, primary)
	replica := storetest.MustOpen(t, replicaURL)
	in, questions := replicaFixture(t, replica)
	unit := storetest.Unit(t, replica, "D1")
	now := time.Now().UTC()
	var rs []*parindex.Response
	for i := range 7 {
		rs = append(rs, &parindex.Response{InstrumentID: in.ID, UnitID: unit.ID, Day: parindex.DateOf(now.Add(7 * time.Hour)),
			SubmittedHour: now.Truncate(time.Hour), IdempotencyKey: fmt.Sprintf("replica-%d", i), Answers: strings.Repeat("4", len(questions)),
			Comment: "chỉ có ở bản sao", Source: parindex.SourcePaper})
	}
	if _, err := replica.InsertResponses(ctx, rs, map[int64][]string{in.ID: questions}, 0); err != nil {
		t.Fatal(err)
	}

	m, logs := mustRunWith(t, map[string]string{"database-url": primaryURL,
		"database-read-url": storetest.ReadOnlyURL(t, replicaURL)})
	if m.Reader == nil {
		t.Fatal("serve opened no reader")
	}
	pw := regexp.MustCompile(`mật khẩu \(password\): +([A-Za-z0-9]{16})`).FindStringSubmatch(logs.String())
	if pw == nil {
		t.Fatalf("no admin password in the logs:\n%s", logs)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(m.URL+"/login", url.Values{"username": {"admin"}, "password": {pw[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	fetch := func(path string) string {
		t.Helper()
		resp, err := client.Get(m.URL + path)
		if err != nil {
			t.Fatalf("%s: %v\n%s", path, err, logs)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	// The survey monitor's units: Sở Một with the replica's 7 forms.
	if csv := fetch("/app/dashboard/survey/table.csv?table=monitor-units"); !strings.Contains(csv, "Sở Một,7,") {
		t.Errorf("the survey monitor does not show the replica's 7 forms:\n%s", csv)
	}
	// The raw responses' workbook: the replica's 7 forms.
	book, err := excelize.OpenReader(strings.NewReader(fetch("/admin/survey/responses.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	comments := 0
	for _, r := range rows {
		if slices.Contains(r, "chỉ có ở bản sao") {
			comments++
		}
	}
	if comments != 7 {
		t.Errorf("the responses workbook holds %d of the replica's forms, want 7:\n%v", comments, rows)
	}
	// The command line's export reads the replica too.
	out := filepath.Join(t.TempDir(), "responses.xlsx")
	code, stdout, stderr := cli(t, map[string]string{"PARINDEX_DATA_DIR": t.TempDir(), "PARINDEX_DATABASE_URL": primaryURL,
		"PARINDEX_DATABASE_READ_URL": storetest.ReadOnlyURL(t, replicaURL)}, "export", "responses", "--out", out)
	if code != 0 || !strings.Contains(stdout, "Đã xuất 7 phiếu") {
		t.Errorf("export responses: exit %d, %s%s", code, stdout, stderr)
	}
	// The primary has none of them; the session it wrote lives there, as
	// the replica refuses writes.
	if n := len(storetest.Rows(t, primary, `SELECT id FROM responses`)); n != 0 {
		t.Errorf("the primary holds %d responses", n)
	}
	if n := len(storetest.Rows(t, primary, `SELECT expiry FROM sessions`)); n != 1 {
		t.Errorf("the primary holds %d sessions, want the admin's", n)
	}
}
