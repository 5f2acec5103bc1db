package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"parindex"
	"parindex/demo"
	"parindex/e2e/e2etest"
	"parindex/store"
	"parindex/survey"
)

// secret is the server's secret key (PARINDEX_SECRET_KEY): knowing it, the
// phones make the hidden fields of a form (idempotency key and signed render
// time) without fetching every form first, as the ingest benchmark does.
const secret = "faults-test-secret-key-0123456789abcdef0123"

// instrumentCode is the reference instrument the links ask.
const instrumentCode = "sipas-2026"

// binDir holds the server built for the tests.
var binDir = e2etest.SharedDir{Pattern: "parindex-faults-bin-"}

func TestMain(m *testing.M) { binDir.Main(m) }

// parindexBinary builds cmd/parindex once per test run: the server under
// test is the real program in a process of its own, so that it can be killed.
func parindexBinary(t *testing.T) string {
	t.Helper()
	dir, err := binDir.Fill(func(dir string) error {
		goTool, err := exec.LookPath("go")
		if err != nil {
			return fmt.Errorf("the go command is not on PATH, so the server cannot be built: %w", err)
		}
		out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			return fmt.Errorf("go list -m: %w", err)
		}
		cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, "parindex"), "./cmd/parindex")
		cmd.Dir = strings.TrimSpace(string(out))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/parindex: %v\n%s", err, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "parindex")
}

// fixture is a migrated database with the reference instrument published and
// a few QR links.
type fixture struct {
	dbURL string
	// tokens are the links the phones answer.
	tokens []string
	// spare is a link nobody answers, so the server has never looked it up
	// (and has not cached it) when the database goes away.
	spare string
	// codes are the instrument's question codes in form order.
	codes []string
	// notApplicable says whether 0 ("not applicable") is an allowed answer.
	notApplicable bool
}

// prepare migrates the database, imports the demo province's units and the
// reference instrument, and creates links for a few units.
func prepare(t *testing.T, dbURL string) fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", store.MaskURL(dbURL), err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	actor := parindex.Actor{Name: "faults-test"}
	if _, err := db.ImportOrgUnits(ctx, actor, "", demo.OrgRows(), ""); err != nil {
		t.Fatalf("import units: %v", err)
	}
	if _, err := survey.EnsureReference(ctx, db, actor, instrumentCode); err != nil {
		t.Fatalf("instrument: %v", err)
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: parindex.DateOf(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	var specs []store.LinkSpec
	for _, u := range units {
		if u.Type != parindex.OrgTypeProvince && len(specs) < 9 {
			specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: instrumentCode, UnitCode: u.Code, CounterLabel: "Quầy 1"})
		}
	}
	if len(specs) < 2 {
		t.Fatalf("the demo province has %d units below the province; need at least 2", len(specs))
	}
	links, err := db.CreateLinks(ctx, actor, specs)
	if err != nil {
		t.Fatalf("links: %v", err)
	}
	in, err := survey.ReferenceInstrument(instrumentCode)
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture{dbURL: dbURL, codes: survey.QuestionCodes(in), notApplicable: in.NotApplicable != nil}
	for _, l := range links[:len(links)-1] {
		fx.tokens = append(fx.tokens, l.Token)
	}
	fx.spare = links[len(links)-1].Token
	return fx
}

// server is `parindex serve` in a process group of its own; it can be
// killed and started again on the same address and database.
type server struct {
	bin, dbURL, dataDir, addr, logPath string
	proc                               *serverProcess
}

type serverProcess struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been reaped
}

func newServer(t *testing.T, bin, dbURL string) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{bin: bin, dbURL: dbURL, dataDir: filepath.Join(dir, "data"), addr: "127.0.0.1:" + freePort(t), logPath: filepath.Join(dir, "server.log")}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", tail(s.logPath, 40))
		}
	})
	return s
}

func (s *server) base() string { return "http://" + s.addr }

// start launches a new server process and waits until /readyz says 200.
func (s *server) start(t *testing.T) {
	t.Helper()
	log, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(s.bin, "serve")
	// The server's settings come from here only, not from whatever
	// PARINDEX_* variables the test itself was started with.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARINDEX_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"PARINDEX_DATABASE_URL="+s.dbURL, "PARINDEX_DATA_DIR="+s.dataDir, "PARINDEX_ADDR="+s.addr,
		"PARINDEX_SECRET_KEY="+secret, "PARINDEX_LOG_LEVEL=warn",
		// Several servers may run at once: no fixed /metrics port.
		"PARINDEX_METRICS_ADDR=off",
		// 32 phones from one address and a few links: far above any
		// real counter, so the rate limits must not answer 429 here.
		"PARINDEX_SURVEY_IP_PER_MINUTE=100000000", "PARINDEX_SURVEY_LINK_PER_MINUTE=100000000")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s serve: %v", s.bin, err)
	}
	p := &serverProcess{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	s.proc = p
	t.Cleanup(func() { p.kill() })
	if err := waitReady(s.base(), p.exited, 60*time.Second); err != nil {
		t.Fatalf("the server did not become ready: %v", err)
	}
}

// kill sends SIGKILL to the server's process group and waits until it is gone.
func (p *serverProcess) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// running reports whether the process is still alive.
func (p *serverProcess) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// waitReady polls /readyz until it answers 200, the process exits or the
// time is up.
func waitReady(base string, exited <-chan struct{}, within time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(within)
	last := "no answer yet"
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("the server process exited")
		default:
		}
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("/readyz did not answer 200 within %s (last: %s)", within, last)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// tail returns the last n lines of a log file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
