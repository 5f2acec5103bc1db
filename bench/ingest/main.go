// Command ingest is the survey ingestion load generator behind
// `make bench-ingest`. It starts the real parindex server (a separate
// process) on SQLite and on PostgreSQL, posts answered forms over loopback,
// and reports submissions per second and latency percentiles, beside a
// no-op gin handler measured the same way in the same run. After each run it
// counts the stored responses: every 2xx must be in the database.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/lib/pq"

	"parindex"
	"parindex/demo"
	"parindex/store"
	"parindex/survey"
)

var (
	binary   = flag.String("parindex", "bin/parindex", "the parindex binary to start")
	duration = flag.Duration("duration", 10*time.Second, "length of each measured phase")
	conns    = flag.Int("conns", 64, "concurrent connections in the closed-loop phase")
	rate     = flag.Int("rate", 2000, "submissions per second in the fixed-rate phase")
	pgURL    = flag.String("postgres", os.Getenv("PARINDEX_TEST_POSTGRES"), "PostgreSQL server for the PostgreSQL run (empty: skip it)")
	only     = flag.String("only", "", "comma-separated targets to run: noop, sqlite, postgres (default all)")
)

const secret = "bench-secret-key-0123456789abcdef0123456789"

type result struct {
	target, mode string
	sent, ok     int64
	elapsed      time.Duration
	latencies    []time.Duration
	stored       int64
}

func main() {
	flag.Parse()
	var results []result
	want := func(t string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), t) }
	if want("noop") {
		results = append(results, runNoop()...)
	}
	if want("sqlite") {
		dir, _ := os.MkdirTemp("", "parindex-bench-")
		defer os.RemoveAll(dir)
		results = append(results, runServer("sqlite", "sqlite:"+filepath.Join(dir, "bench.db"), dir)...)
	}
	if want("postgres") {
		if *pgURL == "" {
			fmt.Fprintln(os.Stderr, "postgres: skipped (set PARINDEX_TEST_POSTGRES or -postgres)")
		} else {
			dir, _ := os.MkdirTemp("", "parindex-bench-")
			defer os.RemoveAll(dir)
			results = append(results, runServer("postgres", freshDatabase(*pgURL, "parindex_bench"), dir)...)
		}
	}
	fmt.Printf("\n%-10s %-16s %9s %9s %10s %9s %9s %9s %s\n", "target", "mode", "sent", "2xx", "2xx/s", "p50", "p99", "max", "stored")
	for _, r := range results {
		slices.Sort(r.latencies)
		stored := "-"
		if r.stored >= 0 {
			stored = fmt.Sprint(r.stored)
		}
		fmt.Printf("%-10s %-16s %9d %9d %10.0f %9s %9s %9s %s\n", r.target, r.mode, r.sent, r.ok,
			float64(r.ok)/r.elapsed.Seconds(), pct(r.latencies, 0.50), pct(r.latencies, 0.99), pct(r.latencies, 1), stored)
	}
}

func pct(l []time.Duration, p float64) string {
	if len(l) == 0 {
		return "-"
	}
	i := int(float64(len(l)-1) * p)
	return l[i].Round(10 * time.Microsecond).String()
}

// runNoop measures a gin handler that reads the form and answers 200: the
// ceiling of what the machine, the HTTP stack and this generator allow.
func runNoop() []result {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.POST("/s/:token", func(c *gin.Context) {
		_ = c.Request.ParseForm()
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<!doctype html><p>Cảm ơn</p>"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	srv := &http.Server{Handler: e}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	tokens := []string{"noop"}
	return []result{
		closedLoop("noop gin", base, tokens),
		fixedRate("noop gin", base, tokens),
	}
}

// runServer prepares a database with links, starts `parindex serve` on it
// and measures both phases.
func runServer(target, dbURL, dir string) []result {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	check(err)
	_, err = db.Migrate(ctx)
	check(err)
	actor := parindex.Actor{Name: "bench"}
	_, err = db.ImportOrgUnits(ctx, actor, "", demo.OrgRows(), "")
	check(err)
	_, err = survey.EnsureReference(ctx, db, actor, "sipas-2026")
	check(err)
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: parindex.DateOf(time.Now())})
	check(err)
	var specs []store.LinkSpec
	for _, u := range units {
		if u.Type != parindex.OrgTypeProvince {
			specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: u.Code, CounterLabel: "Quầy 1"})
		}
	}
	links, err := db.CreateLinks(ctx, actor, specs)
	check(err)
	tokens := make([]string, len(links))
	for i, l := range links {
		tokens[i] = l.Token
	}

	port := freePort()
	cmd := exec.Command(*binary, "serve")
	cmd.Env = append(os.Environ(),
		"PARINDEX_DATABASE_URL="+dbURL, "PARINDEX_DATA_DIR="+dir, "PARINDEX_ADDR=127.0.0.1:"+port,
		"PARINDEX_SECRET_KEY="+secret, "PARINDEX_LOG_LEVEL=warn",
		"PARINDEX_SURVEY_IP_PER_MINUTE=1000000000", "PARINDEX_SURVEY_LINK_PER_MINUTE=1000000000")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	check(cmd.Start())
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	base := "http://127.0.0.1:" + port
	waitReady(base)

	out := []result{closedLoop(target, base, tokens), fixedRate(target, base, tokens)}
	var stored int64
	check(db.SQL().QueryRow(`SELECT COUNT(*) FROM responses`).Scan(&stored))
	var ok int64
	for _, r := range out {
		ok += r.ok
	}
	if stored != ok {
		fmt.Fprintf(os.Stderr, "%s: %d responses acknowledged but %d stored\n", target, ok, stored)
		os.Exit(1)
	}
	out[len(out)-1].stored = stored
	db.Close()
	return out
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute}, Timeout: 30 * time.Second}

// body builds one answered form for token, rendered two minutes ago.
func body(token string, n int) string {
	key, stamp := survey.FormFields([]byte(secret), token, time.Now().Add(-2*time.Minute))
	f := url.Values{"k": {key}, "ts": {stamp}, "lang": {"vi"}}
	for _, q := range []string{"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1", "E2", "E3"} {
		f.Set(q, fmt.Sprint(1+(n+len(q))%5))
	}
	if n%10 == 0 {
		f.Set("comment", "Cán bộ hướng dẫn tận tình.")
	}
	return f.Encode()
}

func post(base, token string, n int) (bool, time.Duration) {
	b := body(token, n)
	dev := make([]byte, 16)
	rand.Read(dev)
	req, _ := http.NewRequest(http.MethodPost, base+"/s/"+token, strings.NewReader(b))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", survey.DeviceCookie+"="+hex.EncodeToString(dev))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return false, time.Since(start)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == 200, time.Since(start)
}

func closedLoop(target, base string, tokens []string) result {
	var sent, ok atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := w; time.Now().Before(deadline); i += *conns {
				good, d := post(base, tokens[i%len(tokens)], i)
				sent.Add(1)
				if good {
					ok.Add(1)
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return result{target: target, mode: fmt.Sprintf("closed, %d conns", *conns), sent: sent.Load(), ok: ok.Load(), elapsed: time.Since(start), latencies: lat, stored: -1}
}

// fixedRate sends at a constant rate whatever the answers' speed, and times
// each request from when it was due, so a slow server cannot hide its
// queueing (coordinated omission).
func fixedRate(target, base string, tokens []string) result {
	var sent, ok atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	interval := time.Second / time.Duration(*rate)
	start := time.Now()
	total := int(duration.Seconds() * float64(*rate))
	var wg sync.WaitGroup
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			good, _ := post(base, tokens[i%len(tokens)], i)
			d := time.Since(due)
			sent.Add(1)
			if good {
				ok.Add(1)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return result{target: target, mode: fmt.Sprintf("fixed %d/s", *rate), sent: sent.Load(), ok: ok.Load(), elapsed: time.Since(start), latencies: lat, stored: -1}
}

func waitReady(base string) {
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "the server did not become ready")
	os.Exit(1)
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// freshDatabase drops and creates database name on the server and returns its URL.
func freshDatabase(serverURL, name string) string {
	admin, err := sql.Open("postgres", serverURL)
	check(err)
	defer admin.Close()
	_, err = admin.Exec(`DROP DATABASE IF EXISTS ` + name)
	check(err)
	_, err = admin.Exec(`CREATE DATABASE ` + name)
	check(err)
	u, err := url.Parse(serverURL)
	check(err)
	u.Path = "/" + name
	return u.String()
}

func check(err error) {
	if err != nil {
		slog.Error("bench", slog.String("error", err.Error()))
		os.Exit(1)
	}
}
