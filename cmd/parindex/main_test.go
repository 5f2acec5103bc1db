package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"parindex/config"
	"parindex/migrations"
	"parindex/password"
	"parindex/store"
	"parindex/store/storetest"
)

// mustRun starts the real server on port 0 against databaseURL, as `parindex
// serve` does, and stops it after the test. Logs go to the returned buffer.
func mustRun(t *testing.T, databaseURL string) (*Main, *bytes.Buffer) {
	t.Helper()
	return mustRunWith(t, map[string]string{"database-url": databaseURL})
}

// mustRunWith is mustRun with more settings (config flags).
func mustRunWith(t *testing.T, settings map[string]string) (*Main, *bytes.Buffer) {
	t.Helper()
	flags := map[string]string{"addr": "127.0.0.1:0", "metrics-addr": "127.0.0.1:0", "data-dir": t.TempDir()}
	for k, v := range settings {
		flags[k] = v
	}
	cfg, err := config.Load(flags, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(logs, nil)), Out: logs}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, logs
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	return getWith(t, http.DefaultClient, url)
}

func TestServer(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dbURL string) {
		m, logs := mustRun(t, dbURL)
		if !strings.Contains(logs.String(), "database migrated") {
			t.Errorf("first start did not migrate; logs:\n%s", logs)
		}

		resp, body := get(t, m.URL+"/healthz")
		if resp.StatusCode != 200 || body != "ok\n" {
			t.Errorf("/healthz = %d %q", resp.StatusCode, body)
		}
		resp, body = get(t, m.URL+"/readyz")
		if resp.StatusCode != 200 || body != "ready\n" {
			t.Errorf("/readyz = %d %q", resp.StatusCode, body)
		}

		resp, body = get(t, m.URL+"/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Chỉ số cải cách hành chính") {
			t.Errorf("home = %d", resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !regexp.MustCompile(`script-src 'self' 'nonce-[A-Za-z0-9+/]{20,}'`).MatchString(csp) || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP = %q", csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" || resp.Header.Get("X-Request-ID") == "" {
			t.Errorf("security headers missing: %v", resp.Header)
		}
		// The stylesheet is served under its content hash and cached for good.
		css := regexp.MustCompile(`/static/app\.[0-9a-f]{12}\.css`).FindString(body)
		if css == "" {
			t.Fatalf("no hashed stylesheet link in the home page")
		}
		resp, _ = get(t, m.URL+css)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet = %d %v", resp.StatusCode, resp.Header)
		}

		resp, body = get(t, m.URL+"/no/such/page")
		if resp.StatusCode != 404 || !strings.Contains(body, "Không tìm thấy trang") {
			t.Errorf("404 page = %d", resp.StatusCode)
		}

		// A form posted from another site is refused before any handler runs.
		req, _ := http.NewRequest(http.MethodPost, m.URL+"/", strings.NewReader("x=1"))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		cross, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		cross.Body.Close()
		if cross.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST = %d, want 403", cross.StatusCode)
		}

		// /metrics answers on its own listener only, never on the
		// public address.
		if resp, _ := get(t, m.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("public /metrics = %d, want 404", resp.StatusCode)
		}
		if m.MetricsURL == "" || m.MetricsURL == m.URL {
			t.Fatalf("metrics listener %q beside public %q", m.MetricsURL, m.URL)
		}
		if resp, _ := get(t, m.MetricsURL+"/"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("metrics listener / = %d, want 404 (it serves /metrics alone)", resp.StatusCode)
		}
		resp, metrics := get(t, m.MetricsURL+"/metrics")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("metrics listener /metrics = %d, want 200", resp.StatusCode)
		}
		for _, want := range []string{
			`parindex_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
			`parindex_http_requests_total{method="GET",route="unmatched",status="404"} 2`, // the 404 page and the public /metrics
			`parindex_http_request_duration_seconds_bucket{method="GET",route="/readyz"`,
			`go_sql_max_open_connections{db_name="parindex"}`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}

		// With the database gone, the server is alive but not ready.
		m.DB.Close()
		if resp, _ := get(t, m.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("/readyz without a database = %d, want 503", resp.StatusCode)
		}
		if resp, _ := get(t, m.URL+"/healthz"); resp.StatusCode != 200 {
			t.Errorf("/healthz without a database = %d, want 200", resp.StatusCode)
		}

		if err := m.Close(); err != nil && !strings.Contains(err.Error(), "closed") {
			t.Errorf("Close: %v", err)
		}
		if _, err := http.Get(m.URL + "/healthz"); err == nil {
			t.Error("server still answers after Close")
		}
	})
}

// TestServeRefusesReadOnlyDatabase: `parindex serve` on a database that
// answers but accepts no writes (a read-only SQLite file, a PostgreSQL
// session read-only by default as on a standby) does not start: it exits 1
// naming the problem, and the log says in English what to do.
func TestServeRefusesReadOnlyDatabase(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, writable string) {
		first, _ := mustRun(t, writable) // migrated, with its administrator
		first.Close()
		readOnly := storetest.ReadOnlyURL(t, writable)

		// Serving would last until the context ends; refusing takes
		// well under a second.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", readOnly}, &out, &errOut)
		if code != 1 || ctx.Err() != nil {
			t.Fatalf("serve on a read-only database = exit %d after %v (context: %v); stdout:\n%s\nstderr:\n%s", code, ctx.Err(), ctx.Err(), out.String(), errOut.String())
		}
		stderr := errOut.String()
		for _, want := range []string{
			"Lỗi (error):",
			"chỉ cho phép đọc", "read-only", // the error, both languages
			"level=ERROR", "needs a database that accepts writes", // the log
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if strings.Contains(out.String(), "serving at") {
			t.Errorf("serve said it was serving:\n%s", out.String())
		}
	})
}

// A read-only SQLite file one migration behind: serve cannot migrate it, and
// says that the database is read-only rather than only that a migration
// failed.
func TestServeRefusesReadOnlyDatabaseToMigrate(t *testing.T) {
	ctx := context.Background()
	writable := storetest.SQLiteURL(t)
	db, err := store.Open(ctx, writable)
	if err != nil {
		t.Fatal(err)
	}
	fsys, _ := migrations.FS(store.SQLite)
	p, err := goose.NewProvider(goose.DialectSQLite3, db.SQL(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	db.Close()
	readOnly := storetest.ReadOnlyURL(t, writable)
	runCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(runCtx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", readOnly}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "the database is read-only") || !strings.Contains(errOut.String(), "what_to_do=") {
		t.Errorf("serve on a read-only database with a pending migration = exit %d:\n%s", code, errOut.String())
	}
}

// The first start migrates and creates the first administrator, printing
// its password once; a restart does neither.
func TestRestartDoesNotMigrateAgain(t *testing.T) {
	dbURL := storetest.SQLiteURL(t)
	first, logs := mustRun(t, dbURL)
	pw := regexp.MustCompile(`mật khẩu \(password\): +([A-Za-z0-9]{16})`).FindStringSubmatch(logs.String())
	if pw == nil {
		t.Fatalf("first start printed no admin password:\n%s", logs)
	}
	u, hash, err := first.DB.UserCredentials(context.Background(), "admin")
	if err != nil || !u.HasRole("admin") || !password.Verify(hash, pw[1]) {
		t.Errorf("the printed password does not open the admin account: %v", err)
	}
	first.Close()
	_, logs = mustRun(t, dbURL)
	if strings.Contains(logs.String(), "database migrated") || strings.Contains(logs.String(), "password") {
		t.Errorf("second start migrated again or printed a password:\n%s", logs)
	}
}

// cli runs the command line with the given environment and returns exit
// code, stdout and stderr.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// cliOK runs the command line as cli does and returns its standard output,
// failing the test unless it exits 0.
func cliOK(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, env, args...)
	if code != 0 {
		t.Fatalf("parindex %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// unitsEnv is a data folder whose database holds three units, imported
// through "org import": the province T, its department SNV and commune X1.
func unitsEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"PARINDEX_DATA_DIR": dir}
	units := filepath.Join(dir, "units.csv")
	os.WriteFile(units, []byte("code,name,type,parent,valid_from\nT,Tỉnh Thử,province,,2000-01-01\nSNV,Sở Nội vụ,department,T,2000-01-01\nX1,Xã Một,commune,T,2025-07-01\n"), 0o600)
	if code, _, errOut := cli(t, env, "org", "import", units); code != 0 {
		t.Fatalf("org import: %s", errOut)
	}
	return env, dir
}

// openTestDB opens the database the command line finds in the data folder
// dir, closed after the test.
func openTestDB(t *testing.T, dir string) *store.DB {
	t.Helper()
	cfg, err := config.Load(map[string]string{"data-dir": dir}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestExitCodes(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}
	tests := []struct {
		args []string
		env  map[string]string
		code int
		out  string
	}{
		{[]string{"version"}, env, 0, "parindex "},
		{[]string{"--help"}, env, 0, "Usage:"},
		{[]string{"org", "import", "--help"}, env, 0, "valid_from"},
		{[]string{"config"}, map[string]string{"PARINDEX_DATABASE_URL": "postgres://u:topsecret@h/db?sslmode=disable"}, 0, "xxxxx@h"},
		{[]string{"bogus"}, env, 2, ""},
		{[]string{"version", "extra"}, env, 2, ""},
		{[]string{"migrate"}, env, 2, ""},
		{[]string{"--no-such-flag", "version"}, env, 2, ""},
		{[]string{"serve"}, map[string]string{"PARINDEX_LOG_LEVEL": "loud"}, 2, ""},
		{[]string{"org", "list", "--on", "31/12/2025"}, env, 2, ""},
		{[]string{"org", "tree", "NOPE"}, env, 1, ""},
		{[]string{"org", "import", "/no/such/file.csv"}, env, 1, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) { // a subtest scopes its environment
			code, out, errOut := cli(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("parindex %v = exit %d, stdout %q, stderr %q; want exit %d and %q", tt.args, code, out, errOut, tt.code, tt.out)
			}
			if strings.Contains(out+errOut, "topsecret") {
				t.Errorf("parindex %v printed the password", tt.args)
			}
		})
	}
}

func TestOrgImportCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARINDEX_DATA_DIR": dir}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "code,name,type,parent,valid_from,valid_to,successor\n"+
		"T,Tỉnh Thử,province,,2000-01-01,,\n"+
		"SNV,Sở Nội vụ,department,T,2000-01-01,,\n")
	code, out, errOut := cli(t, env, "org", "import", good)
	if code != 0 || !strings.Contains(out, "tạo mới 2") {
		t.Fatalf("good import: exit %d %q %q", code, out, errOut)
	}

	// A cycle (rows 2 and 3) and an unknown parent (row 4): exit 1, both
	// named, nothing written (the valid row 5 included).
	bad := write("bad.csv", "code,name,type,parent,valid_from\n"+
		"A,Đơn vị A,other,B,2026-01-01\n"+
		"B,Đơn vị B,other,A,2026-01-01\n"+
		"C,Đơn vị C,other,KHONGCO,2026-01-01\n"+
		"D,Đơn vị D,other,T,2026-01-01\n")
	code, _, errOut = cli(t, env, "org", "import", bad)
	if code != 1 {
		t.Errorf("bad import exit = %d, want 1", code)
	}
	for _, want := range []string{"bad.csv, dòng 2, cột parent", "bad.csv, dòng 3, cột parent", "A -> B -> A",
		"bad.csv, dòng 4, cột parent", `unknown parent "KHONGCO"`, "không có gì được ghi"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("bad import stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, out, _ = cli(t, env, "org", "list", "--all")
	if code != 0 || !strings.Contains(out, "2 đơn vị") || strings.Contains(out, "Đơn vị D") {
		t.Errorf("after a failed import the list is:\n%s", out)
	}

	code, out, _ = cli(t, env, "org", "tree")
	if code != 0 || !strings.Contains(out, "T  Tỉnh Thử [province]\n└─ SNV  Sở Nội vụ [department]") {
		t.Errorf("tree:\n%s", out)
	}
}

func TestUserCommands(t *testing.T) {
	env, _ := unitsEnv(t)
	code, out, errOut := cli(t, env, "user", "add", "snv.vanthu", "--name", "Văn thư SNV", "--role", "agency_editor", "--unit", "SNV")
	pw := regexp.MustCompile(`password\): ([A-Za-z0-9]{14})`).FindStringSubmatch(out)
	if code != 0 || pw == nil {
		t.Fatalf("user add: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, env, "user", "add", "x.y.z", "--role", "agency_editor"); code != 1 || !strings.Contains(errOut, "cần chọn đơn vị") {
		t.Errorf("agency role without unit: exit %d %q", code, errOut)
	}
	if code, _, _ := cli(t, env, "user", "add", "x.y.z", "--role", "god"); code != 2 {
		t.Errorf("unknown role: exit %d, want 2", code)
	}
	code, out, _ = cli(t, env, "user", "list")
	if code != 0 || !strings.Contains(out, "snv.vanthu") || !strings.Contains(out, "agency_editor:SNV") {
		t.Errorf("user list:\n%s", out)
	}
	code, out, _ = cli(t, env, "user", "passwd", "snv.vanthu")
	if code != 0 || !strings.Contains(out, "new password") {
		t.Errorf("user passwd: exit %d %q", code, out)
	}
	if code, _, _ := cli(t, env, "user", "disable", "snv.vanthu", "--reason", "nghỉ hưu"); code != 0 {
		t.Errorf("user disable: exit %d", code)
	}
	if code, out, _ = cli(t, env, "user", "list"); code != 0 || !regexp.MustCompile(`snv\.vanthu .*disabled`).MatchString(out) {
		t.Errorf("not disabled:\n%s", out)
	}
	if code, _, _ := cli(t, env, "user", "disable", "khong.co"); code != 1 {
		t.Errorf("disable unknown user: exit %d, want 1", code)
	}
}
