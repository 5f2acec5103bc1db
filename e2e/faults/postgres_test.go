package faults

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// missingPrecondition skips the test with the reason, or fails it when CI
// requires the PostgreSQL tests to run (PARINDEX_TEST_POSTGRES_REQUIRED=1).
func missingPrecondition(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("PARINDEX_TEST_POSTGRES_REQUIRED") == "1" {
		t.Fatalf("%s (PARINDEX_TEST_POSTGRES_REQUIRED=1, so this fails instead of skipping)", reason)
	}
	t.Skip(reason)
}

// pgInstance is a PostgreSQL server of the test's own, in a temporary
// folder on a free port, which the test may stop and start at will without
// disturbing the shared server other tests use.
type pgInstance struct {
	bindir string
	dir    string // owned by the server's user; holds data, socket and log
	port   string
	runAs  string // "postgres" when the test runs as root (PostgreSQL refuses root), else ""
}

// pgBinDir finds initdb and pg_ctl: PARINDEX_TEST_PG_BINDIR, else Debian's
// newest /usr/lib/postgresql/<version>/bin, else the PATH.
func pgBinDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PARINDEX_TEST_PG_BINDIR"); dir != "" {
		for _, tool := range []string{"initdb", "pg_ctl"} {
			if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
				t.Fatalf("PARINDEX_TEST_PG_BINDIR=%s has no %s: %v", dir, tool, err)
			}
		}
		return dir
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	version := func(p string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return v
	}
	slices.SortFunc(found, func(a, b string) int { return version(b) - version(a) })
	for _, p := range found {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
	}
	missingPrecondition(t, "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql or set PARINDEX_TEST_PG_BINDIR")
	return ""
}

// startPostgres initialises and starts a PostgreSQL server of the test's
// own; it is stopped and removed after the test, even when the test fails.
func startPostgres(t *testing.T) *pgInstance {
	t.Helper()
	pg := &pgInstance{bindir: pgBinDir(t)}
	// Not t.TempDir(): its parents are private to the test's user, and
	// PostgreSQL runs as another user when the test runs as root.
	dir, err := os.MkdirTemp("", "parindex-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			missingPrecondition(t, "the test runs as root, which PostgreSQL refuses, and there is no postgres user to run it as")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			missingPrecondition(t, "the test runs as root, which PostgreSQL refuses, and runuser is not installed to run it as postgres")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.runAs = u.Username
	}
	if out, err := pg.run("initdb", "-D", pg.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg.port = freePort(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("own PostgreSQL log (last lines):\n%s", tail(filepath.Join(pg.dir, "postgres.log"), 30))
		}
		pg.cleanup()
	})
	pg.start(t)
	return pg
}

func (pg *pgInstance) data() string { return filepath.Join(pg.dir, "data") }

// url names the server's postgres database over TCP.
func (pg *pgInstance) url() string {
	return "postgres://postgres@127.0.0.1:" + pg.port + "/postgres?sslmode=disable"
}

// run runs one of the server's tools, as the postgres user when needed.
func (pg *pgInstance) run(tool string, args ...string) ([]byte, error) {
	name, argv := filepath.Join(pg.bindir, tool), args
	if pg.runAs != "" {
		name, argv = "runuser", append([]string{"-u", pg.runAs, "--", filepath.Join(pg.bindir, tool)}, args...)
	}
	cmd := exec.Command(name, argv...)
	cmd.Dir = pg.dir // the postgres user may not enter the test's own folder
	// The output goes to a file, not a pipe: a postmaster started in the
	// background must not hold the test's pipe open.
	out, err := os.CreateTemp("", "parindex-faults-pgtool-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	text, _ := os.ReadFile(out.Name())
	return text, err
}

// start starts the server and waits until it accepts connections.
func (pg *pgInstance) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %s -k '%s' -c listen_addresses=127.0.0.1", pg.port, pg.dir)
	if out, err := pg.run("pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "postgres.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

// stopImmediately stops the server the way a crash or a power cut would:
// no checkpoint, open connections cut; the next start recovers from WAL.
func (pg *pgInstance) stopImmediately(t *testing.T) {
	t.Helper()
	if out, err := pg.run("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// cleanup stops the server if it runs; when pg_ctl cannot, it kills the
// postmaster named in postmaster.pid.
func (pg *pgInstance) cleanup() {
	pidFile := filepath.Join(pg.data(), "postmaster.pid")
	if _, err := os.Stat(pidFile); err != nil {
		return
	}
	if _, err := pg.run("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "-t", "30", "stop"); err == nil {
		return
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])); err == nil && pid > 0 {
		// SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes
		// its children down with it.
		_ = syscall.Kill(pid, syscall.SIGQUIT)
	}
}
