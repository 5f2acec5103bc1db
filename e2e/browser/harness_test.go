package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"parindex/config"
	"parindex/demo"
	"parindex/e2e/e2etest"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/web"
)

// requiredEnv makes a missing browser, axe-core or ECharts a failure instead
// of a skip; CI sets it.
const requiredEnv = "PARINDEX_TEST_BROWSER_REQUIRED"

// testTimeout bounds each scenario, so that a page that never shows what a
// wait expects fails the test instead of hanging the package.
const testTimeout = 3 * time.Minute

// missing skips the test with the reason and how to fix it, or fails it when
// the browser tests are required.
func missing(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv(requiredEnv) == "1" {
		t.Fatalf("%s=1 but %s", requiredEnv, reason)
	}
	t.Skipf("browser test skipped: %s", reason)
}

// chromiumPath finds Debian's Chromium (or a Chrome) on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "no chromium, chromium-browser or google-chrome on PATH (Debian: apt-get install chromium)")
	return ""
}

// axeSource is axe-core, fetched by make vendor-axe (not committed).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	if errors.Is(err, os.ErrNotExist) {
		missing(t, "testdata/axe.min.js is missing (run make vendor-axe)")
	} else if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The demo province is seeded once per package run into a SQLite file;
// each test serves a copy of it, so tests change their own data only.
var seedDir = e2etest.SharedDir{Pattern: "parindex-e2e-"}

func TestMain(m *testing.M) { seedDir.Main(m) }

func seededFile(t *testing.T) string {
	t.Helper()
	dir, err := seedDir.Fill(func(dir string) (err error) {
		ctx := context.Background()
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "demo.db"))
		if err != nil {
			return err
		}
		defer func() {
			if cerr := db.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		_, err = demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.01})
		return err
	})
	if err != nil {
		t.Fatalf("seeding the demo province: %v", err)
	}
	return filepath.Join(dir, "demo.db")
}

// server is the real web server on a real port over a copy of the demo.
type server struct {
	URL  string
	Host string // host:port, the only origin the pages may load from
	DB   *store.DB
	Data string      // the data directory (evidence files)
	Web  *web.Server // its routes tell page patterns apart
}

func startServer(t *testing.T) *server {
	t.Helper()
	src := seededFile(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "parindex.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return serve(t, db, filepath.Join(dir, "data"))
}

// startServerOn starts the server on the demo in the dialect's database:
// the seeded SQLite copy, or for "postgres" a fresh schema of the server
// PARINDEX_TEST_POSTGRES names, seeded for this test (skipped without it,
// failed when PARINDEX_TEST_POSTGRES_REQUIRED=1, as storetest does).
func startServerOn(t *testing.T, dialect string) *server {
	t.Helper()
	if dialect != "postgres" {
		return startServer(t)
	}
	db := storetest.MustOpenPostgres(t)
	if _, err := demo.Seed(context.Background(), db, demo.Options{SurveyVolume: 0.01}); err != nil {
		t.Fatalf("seeding the demo province on PostgreSQL: %v", err)
	}
	return serve(t, db, filepath.Join(t.TempDir(), "data"))
}

// serve runs the real web server over db on a free port until the test ends.
func serve(t *testing.T, db *store.DB, data string) *server {
	t.Helper()
	cfg, err := config.Load(map[string]string{"addr": "127.0.0.1:0", "data-dir": data}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	host := ln.Addr().String()
	return &server{URL: "http://" + host, Host: host, DB: db, Data: data, Web: srv}
}

// setup finds the browser first (so that a machine without one skips at
// once), then starts the server and the browser.
func setup(t *testing.T) (*server, context.Context) {
	t.Helper()
	path := chromiumPath(t)
	srv := startServer(t)
	return srv, newBrowser(t, path)
}

// newBrowser starts a headless Chromium of its own, with a fresh profile,
// and returns a context for its first tab. The context ends with the test or
// after testTimeout, whichever comes first.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	return newBrowserFor(t, path, testTimeout)
}

// newBrowserFor is newBrowser with a bound of its own, for a scenario that
// runs longer than testTimeout allows.
func newBrowserFor(t *testing.T, path string, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser and binds it to ctx, which must not
	// carry the deadline itself (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return tctx
}

// do runs the steps and fails the test on the first error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action that returns a value and fails the test on error.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return run(t, ctx, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// navigate loads a page and checks the status of its document.
func navigate(t *testing.T, ctx context.Context, rawURL string, wantStatus int64) {
	t.Helper()
	resp := run(t, ctx, "open "+rawURL, chromedp.NavigateResponse(rawURL))
	if resp.Status != wantStatus {
		t.Fatalf("open %s: status %d, want %d", rawURL, resp.Status, wantStatus)
	}
}

// submit presses a button (or taps it) and waits for the page it leads to,
// checking its status.
func submit(t *testing.T, ctx context.Context, what string, press chromedp.Action[chromedp.Void], wantStatus int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, press)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != wantStatus {
		t.Fatalf("%s: status %d, want %d (%s)", what, resp.Status, wantStatus, resp.URL)
	}
}

// login signs in through the login form.
func login(t *testing.T, ctx context.Context, srv *server, username string) {
	t.Helper()
	navigate(t, ctx, srv.URL+"/login", 200)
	do(t, ctx, "fill the login form",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
	)
	submit(t, ctx, "log in as "+username, chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)), 200)
	if loc := run(t, ctx, "location", chromedp.Location()); strings.HasSuffix(loc, "/login") {
		t.Fatalf("login as %s stayed on the login page", username)
	}
}

// pageLog records what the page's target reports: console errors, uncaught
// exceptions, error entries of the browser log (failed loads, CSP
// violations) and the URL of every request.
type pageLog struct {
	mu       sync.Mutex
	errors   []string
	requests []string
}

// watch starts recording; call it before the navigation to watch. The
// listener runs in the loop that reads the browser's messages, so once a
// later command returns, every event sent before its answer is recorded.
func watch(t *testing.T, ctx context.Context) *pageLog {
	t.Helper()
	l := &pageLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					if a.Value != nil {
						args = append(args, string(a.Value))
					} else {
						args = append(args, a.Description)
					}
				}
				l.errors = append(l.errors, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			l.errors = append(l.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, text))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				l.errors = append(l.errors, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			l.requests = append(l.requests, ev.Request.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *pageLog) snapshot() (errs, requests []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...), append([]string(nil), l.requests...)
}

// foreignRequests returns the requests to anything but the server itself.
func foreignRequests(requests []string, host string) []string {
	var out []string
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil {
			out = append(out, r)
			continue
		}
		switch {
		case u.Scheme == "data" || u.Scheme == "blob":
		case (u.Scheme == "http" || u.Scheme == "https") && u.Host == host:
		default:
			out = append(out, r)
		}
	}
	return out
}

// axeViolation is one failed axe-core rule with the elements that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// checkAccessibility injects axe-core into the current page and fails with
// every violation of the WCAG 2.0/2.1 A and AA rules, each with the
// selectors and HTML of the elements at fault. It runs as a subtest, so that
// without axe-core only the check skips, not the scenario around it.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	t.Run("axe "+page, func(t *testing.T) { axeCheck(t, ctx, page) })
}

func axeCheck(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src := axeSource(t)
	do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	const script = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}, resultTypes: ['violations']})
		.then(r => JSON.stringify({violations: r.violations, passes: r.passes.length}))`
	raw := run(t, ctx, "run axe-core on "+page, chromedp.Evaluate[string](script, func(p *runtime.EvaluateParams) {
		p.AwaitPromise = new(true)
	}))
	var result struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	if err := json.Unmarshal([]byte(raw), &result); err != nil {
		t.Fatalf("axe-core result on %s: %v", page, err)
	}
	if result.Passes == 0 {
		t.Errorf("axe-core on %s checked no rule at all", page)
	}
	for _, v := range result.Violations {
		var b strings.Builder
		fmt.Fprintf(&b, "accessibility (%s): %s [%s] %s (%s)", page, v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			target, _ := json.Marshal(n.Target)
			fmt.Fprintf(&b, "\n    at %s: %s", target, n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
		t.Error(b.String())
	}
}
