package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartPostgres starts a PostgreSQL server of its own for this test, in a
// temporary folder on a free port, and returns its URL; the server is
// stopped and its folder removed after the test. Tests that need a second
// server (a read-only replica, PARINDEX_DATABASE_READ_URL) use it beside
// the one PARINDEX_TEST_POSTGRES names, and skip or fail as PostgresURL
// does when PostgreSQL is not configured. The binaries are those of
// pg_config --bindir (else /usr/lib/postgresql/*/bin). initdb and postgres
// refuse to run as root, as CI runs the tests: the folder then belongs to
// the postgres account, which runs them through runuser. The server keeps
// nothing it would need after a crash (fsync off): it is thrown away.
func StartPostgres(tb testing.TB) string {
	tb.Helper()
	PostgresURL(tb)
	bin := postgresBinDir(tb)
	dir, err := os.MkdirTemp("", "parindex-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	var runAs []string
	if os.Geteuid() == 0 {
		account, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("storetest: tests run as root and there is no postgres account to run a second server: %v", err)
		}
		uid, _ := strconv.Atoi(account.Uid)
		gid, _ := strconv.Atoi(account.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(name string, args ...string) {
		tb.Helper()
		argv := append(append(append([]string{}, runAs...), filepath.Join(bin, name)), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			tb.Fatalf("storetest: %s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	port := freePort(tb)
	options := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir)
	run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-o", options, "-w", "-t", "30", "start")
	tb.Cleanup(func() {
		argv := append(append(append([]string{}, runAs...), filepath.Join(bin, "pg_ctl")), "-D", data, "-m", "immediate", "-w", "stop")
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			tb.Errorf("storetest: stop the second PostgreSQL: %v\n%s", err, out)
		}
	})
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	db, err := sql.Open("postgres", u)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		tb.Fatalf("storetest: the second PostgreSQL on port %d does not answer: %v", port, err)
	}
	return u
}

// postgresBinDir finds initdb and pg_ctl.
func postgresBinDir(tb testing.TB) string {
	tb.Helper()
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		tb.Fatal("storetest: no initdb (pg_config --bindir, /usr/lib/postgresql/*/bin) to start a second PostgreSQL")
	}
	return filepath.Dir(found[len(found)-1])
}

// freePort asks the kernel for a port nobody listens on.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
