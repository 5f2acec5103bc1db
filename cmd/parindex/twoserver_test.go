package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/demo"
	"parindex/password"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// asParindex, set to 1 in a process's environment, makes this test binary
// the parindex command itself: the two-server test starts `parindex serve`
// as processes of their own from it, with no build step and the same code
// the tests compiled.
const asParindex = "PARINDEX_TEST_AS_PARINDEX"

func TestMain(m *testing.M) {
	if os.Getenv(asParindex) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}

// Figures of the two-server test.
const (
	twoSecret   = "two-servers-test-secret-key-0123456789abcdef"
	twoPassword = "mat-khau-hai-may-chu"
	twoForms    = 120 // forms, each posted to both servers at once
	// twoBound is the longest a change made through one server may take to
	// show on the other: a revoked link (its lookup is otherwise cached for
	// 10 s), a framework published, a snapshot published.
	twoBound = 2 * time.Second
	// liveBound is the longest a response stored through one server may
	// take to reach the live count streamed by the other (the broker sends
	// at most one event a second).
	liveBound = 3 * time.Second
	// Each server allows half of 30 forms a minute from one address
	// (PARINDEX_SERVERS=2): bursts of 5 each, 10 together, as one server
	// alone allows.
	twoIPPerMinute = 30
)

// Two `parindex serve` processes on one PostgreSQL database, as behind a
// load balancer (issue 23; docs/architecture.md, "Several servers"): every
// form acknowledged by either is stored once, even when a phone's retry
// reaches the other; both stream live counts that include what the other
// stored; a session opened on one is valid on the other and ended by
// logging out on the other; a link revoked, a framework published and a
// snapshot published through one show on the other within twoBound; the
// survey's rate limit from one address holds over both together.
func TestTwoServersOneDatabase(t *testing.T) {
	dbURL := storetest.PostgresDatabaseURL(t)
	fx := seedTwoServers(t, dbURL)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// One data folder for both, as a network folder would be: the files
	// of the two-step imports (and evidence) live there.
	dataDir := t.TempDir()
	var servers [2]*serveProcess
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i] = startServe(t, exe, dbURL, dataDir, fmt.Sprintf("server %c", 'A'+i))
		}()
	}
	wg.Wait()
	a, b := servers[0], servers[1]
	if a == nil || b == nil {
		t.FailNow()
	}

	// A session opened on A is valid on B.
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if r := post(t, staff, a.base+"/login", url.Values{"username": {"admin"}, "password": {twoPassword}}, ""); r.status != http.StatusSeeOther {
		t.Fatalf("login on A = %d", r.status)
	}
	session := ""
	for _, c := range jar.Cookies(mustURL(t, a.base)) {
		if c.Name == "parindex_session" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after logging in on A")
	}
	// B's client is another browser holding only that cookie (a cookie
	// jar would send it to every port of the host anyway).
	other := &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	onB := func(path string) response {
		req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
		req.Header.Set("Cookie", "parindex_session="+session)
		return do(t, other, req)
	}
	if r := onB("/app"); r.status != http.StatusOK {
		t.Fatalf("A's session on B: /app = %d (location %q)", r.status, r.location)
	}

	// Live counts on both, before any form.
	streamA := openTodayStream(t, a.base, session)
	streamB := openTodayStream(t, b.base, session)

	// Every form posted to both servers at once, from an address of its
	// own: one of the two stores it, the other finds its key.
	forms := make([]twoForm, twoForms)
	for i := range forms {
		forms[i] = fx.form(i, fmt.Sprintf("10.20.%d.%d", i/200, 1+i%200))
	}
	phones := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	acked := make([][2]bool, len(forms))
	var answers sync.Map // unexpected answers
	sem := make(chan struct{}, 16)
	for i := range forms {
		for s, srv := range servers {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				r := forms[i].post(t, phones, srv.base)
				if r.status == http.StatusOK && strings.Contains(r.body, "Cảm ơn") {
					acked[i][s] = true
				} else {
					answers.Store(fmt.Sprintf("form %d on %c", i, 'A'+s), fmt.Sprintf("%d %.120q", r.status, r.body))
				}
			}()
		}
	}
	wg.Wait()
	answers.Range(func(k, v any) bool { t.Errorf("%s: %s", k, v); return true })
	stored := map[string]int{}
	for _, row := range storetest.Rows(t, fx.db, `SELECT idempotency_key, COUNT(*) AS n FROM responses GROUP BY idempotency_key`) {
		var n int
		fmt.Sscan(row["n"], &n)
		stored[row["idempotency_key"]] = n
	}
	for i, f := range forms {
		if (acked[i][0] || acked[i][1]) && stored[f.key] != 1 {
			t.Errorf("form %d, acknowledged by A %v and B %v, is stored %d times", i, acked[i][0], acked[i][1], stored[f.key])
		}
	}
	if len(stored) != len(forms) {
		t.Errorf("%d distinct forms stored, %d sent", len(stored), len(forms))
	}
	var answered int64
	for _, n := range storetest.CountTotals(t, fx.db) {
		answered += n
	}
	if want := int64(len(forms) * len(fx.codes)); answered != want {
		t.Errorf("the count table holds %d answers, want %d (%d forms of %d questions)", answered, want, len(forms), len(fx.codes))
	}

	// Both streams count every form, whichever server stored it; then one
	// more form through A reaches B's stream within liveBound.
	for name, s := range map[string]*todayStream{"A": streamA, "B": streamB} {
		if _, err := s.waitFor(int64(len(forms)), 10*time.Second); err != nil {
			t.Errorf("server %s's live count: %v", name, err)
		}
	}
	one := fx.form(len(forms), "10.30.0.1")
	sent := time.Now()
	if r := one.post(t, phones, a.base); r.status != http.StatusOK {
		t.Fatalf("one more form on A = %d", r.status)
	}
	if took, err := streamB.waitFor(int64(len(forms)+1), liveBound); err != nil {
		t.Errorf("B's live count after a form on A: %v", err)
	} else {
		t.Logf("a form stored through A reached B's live count in %v", took.Sub(sent).Round(time.Millisecond))
	}

	// A link revoked on A closes its form on B at once, although B has just
	// read (and cached) the link.
	if r, _ := get(t, b.base+"/s/"+fx.links[0].Token); r.StatusCode != http.StatusOK {
		t.Fatalf("the form on B before revocation = %d", r.StatusCode)
	}
	revoked := time.Now()
	if r := post(t, staff, a.base+fmt.Sprintf("/admin/survey/links/%d/revoke", fx.links[0].ID), url.Values{"reason": {"Quầy chuyển chỗ"}}, ""); r.status != http.StatusSeeOther {
		t.Fatalf("revoking on A = %d: %.300s", r.status, r.body)
	}
	waitOn(t, revoked, "the revoked link's form on B to answer 410", func() bool {
		r, _ := get(t, b.base+"/s/"+fx.links[0].Token)
		return r.StatusCode == http.StatusGone
	})

	// A framework published on A is published on B.
	if r := onB("/app/criteria/communes-2026"); r.status != http.StatusOK || !strings.Contains(r.body, "Bản nháp") {
		t.Fatalf("the draft framework on B = %d", r.status)
	}
	published := time.Now()
	if r := post(t, staff, a.base+"/admin/criteria/communes-2026/publish", url.Values{"confirm": {"1"}, "reason": {"Ban hành"}}, ""); r.status != http.StatusSeeOther {
		t.Fatalf("publishing the framework on A = %d: %.300s", r.status, r.body)
	}
	waitOn(t, published, "B to show the framework published", func() bool {
		r := onB("/app/criteria/communes-2026")
		return r.status == http.StatusOK && strings.Contains(r.body, "Đã ban hành") && !strings.Contains(r.body, "Bản nháp")
	})

	// A snapshot scored and published on A is B's province overview.
	if r := onB("/app/dashboard"); r.status != http.StatusOK || !strings.Contains(r.body, "Chưa có kết quả chấm điểm nào được công bố") {
		t.Fatalf("B's overview before publication = %d", r.status)
	}
	r := post(t, staff, a.base+"/admin/results", url.Values{"framework": {"communes-2026"}, "year": {"2026"}}, "")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/app/results/") {
		t.Fatalf("scoring on A = %d: %.300s", r.status, r.body)
	}
	id := strings.TrimPrefix(r.location, "/app/results/")
	published = time.Now()
	if r := post(t, staff, a.base+"/admin/results/"+id+"/publish", url.Values{"as": {"provisional"}, "note": {"Thử hai máy chủ"}}, ""); r.status != http.StatusSeeOther {
		t.Fatalf("publishing the snapshot on A = %d: %.300s", r.status, r.body)
	}
	waitOn(t, published, "B's overview to show the published snapshot", func() bool {
		r := onB("/app/dashboard")
		return r.status == http.StatusOK && !strings.Contains(r.body, "Chưa có kết quả chấm điểm nào được công bố") && strings.Contains(r.body, "tạm thời")
	})

	// The limit of one address holds over both servers together: a phone
	// that alternates between them gets the burst one server alone would
	// allow (10), not twice it, plus what comes back meanwhile (half a form
	// a second in all); one that reaches A alone gets A's share (a burst of
	// 5, a quarter of a form a second).
	accepted := func(address string, perSecond float64, targets ...*serveProcess) (ok, limited, most int) {
		start := time.Now()
		for i := 0; i < 30; i++ {
			f := fx.form(i, address)
			r := f.post(t, phones, targets[i%len(targets)].base)
			switch {
			case r.status == http.StatusOK:
				ok++
			case r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") != "":
				limited++
			default:
				t.Errorf("a form from %s = %d", address, r.status)
			}
		}
		return ok, limited, int(time.Since(start).Seconds()*perSecond) + 1
	}
	if ok, limited, refill := accepted("203.0.113.7", 0.5, a, b); ok < 10 || ok > 10+refill || ok+limited != 30 {
		t.Errorf("one address alternating between the servers: %d of 30 forms accepted, %d refused with 429; want 10 (a burst of 5 on each) and at most %d come back meanwhile", ok, limited, refill)
	}
	if ok, limited, refill := accepted("203.0.113.8", 0.25, a); ok < 5 || ok > 5+refill || ok+limited != 30 {
		t.Errorf("one address on A alone: %d of 30 forms accepted, %d refused; want A's share, a burst of 5, and at most %d come back meanwhile", ok, limited, refill)
	}

	// A file of paper forms checked on A is applied on B: the checked
	// file waits in the shared data folder under its token.
	header := "unit,date," + strings.Join(fx.codes, ",") + "\n"
	paper := header + "SNV,2026-03-14" + strings.Repeat(",4", len(fx.codes)) + "\n" + "X001,2026-03-15" + strings.Repeat(",5", len(fx.codes)) + "\n"
	r = postFile(t, staff, a.base+"/admin/survey/paper", map[string]string{"step": "check", "instrument": "sipas-2026"}, "giay.csv", paper)
	token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || token == nil {
		t.Fatalf("checking paper forms on A = %d: %.300s", r.status, r.body)
	}
	apply := map[string]string{"step": "apply", "instrument": "sipas-2026", "file_name": "giay.csv", "token": token[1]}
	if r := postFile(t, other, b.base+"/admin/survey/paper", apply, "", "", "parindex_session="+session); r.status != http.StatusSeeOther || r.location != "/admin/survey/paper?inserted=2&already=0" {
		t.Errorf("applying on B the paper forms checked on A = %d %q: %.300s", r.status, r.location, r.body)
	}

	// Logging out on B ends the session on A too.
	req, _ := http.NewRequest(http.MethodPost, b.base+"/logout", nil)
	req.Header.Set("Cookie", "parindex_session="+session)
	do(t, other, req)
	if r, _ := getWith(t, staff, a.base+"/app"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("A's /app after logging out on B = %d, want 303 to the login page", r.StatusCode)
	}
}

// twoFixture is the seeded database: the demo's units, the reference
// instrument and a link at six units, an administrator, and the reference
// communes' framework as a draft.
type twoFixture struct {
	db    *store.DB
	links []*parindex.SurveyLink
	codes []string // the instrument's questions in form order
}

func seedTwoServers(t *testing.T, dbURL string) twoFixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.MustOpen(t, dbURL)
	actor := parindex.Actor{Name: "test"}
	if _, err := db.ImportOrgUnits(ctx, actor, "", demo.OrgRows(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := survey.EnsureReference(ctx, db, actor, "sipas-2026"); err != nil {
		t.Fatal(err)
	}
	var specs []store.LinkSpec
	for _, code := range []string{"SNV", "STP", "SYT", "X001", "X002", "X013"} {
		specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: code, CounterLabel: "Quầy 1"})
	}
	links, err := db.CreateLinks(ctx, actor, specs)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(twoPassword, password.Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, actor, &parindex.User{Username: "admin", DisplayName: "Quản trị",
		Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}, hash); err != nil {
		t.Fatal(err)
	}
	f, err := criteria.Reference("communes-2026")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportFramework(ctx, actor, f, ""); err != nil {
		t.Fatal(err)
	}
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	return twoFixture{db: db, links: links, codes: survey.QuestionCodes(in)}
}

// twoForm is one answered form from one address; every post of it sends
// the same idempotency key.
type twoForm struct {
	token, key, body, address string
}

// form i answers every question, on a form rendered two minutes ago, at
// the links after the first (which the test revokes) in turn.
func (fx twoFixture) form(i int, address string) twoForm {
	token := fx.links[1+i%(len(fx.links)-1)].Token
	key, stamp := survey.FormFields([]byte(twoSecret), token, time.Now().Add(-2*time.Minute))
	v := url.Values{"k": {key}, "ts": {stamp}, "lang": {"vi"}}
	for q, code := range fx.codes {
		v.Set(code, fmt.Sprint(1+(i+q)%5))
	}
	return twoForm{token: token, key: key, body: v.Encode(), address: address}
}

func (f twoForm) post(t *testing.T, client *http.Client, base string) response {
	req, _ := http.NewRequest(http.MethodPost, base+"/s/"+f.token, strings.NewReader(f.body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The servers trust the loopback as their load balancer.
	req.Header.Set("X-Forwarded-For", f.address)
	return do(t, client, req)
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

// do sends req; a request that fails in transit is an error of the test
// (t.Errorf, as other goroutines may call it) and a zero response.
func do(t *testing.T, client *http.Client, req *http.Request) response {
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL, err)
		return response{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(body), resp.Header.Get("Location"), resp.Header}
}

func post(t *testing.T, client *http.Client, u string, form url.Values, cookie string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return do(t, client, req)
}

// postFile posts a multipart form with its fields and, when name is not
// empty, a file; cookie, when given, is the request's only cookie.
func postFile(t *testing.T, client *http.Client, u string, fields map[string]string, name, content string, cookie ...string) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if name != "" {
		f, _ := w.CreateFormFile("file", name)
		io.WriteString(f, content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if len(cookie) > 0 {
		req.Header.Set("Cookie", cookie[0])
	}
	return do(t, client, req)
}

func getWith(t *testing.T, client *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitOn polls cond until it holds, failing the test when that takes more
// than twoBound from since; it logs how long it took.
func waitOn(t *testing.T, since time.Time, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if time.Since(since) > twoBound {
			t.Errorf("waited more than %v for %s", twoBound, what)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%s: %v", what, time.Since(since).Round(time.Millisecond))
}

// todayStream reads the live count's Server-Sent Events.
type todayStream struct {
	mu     sync.Mutex
	today  int64
	at     time.Time
	change chan struct{} // closed and replaced at each event
}

func openTodayStream(t *testing.T, base, session string) *todayStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/admin/survey/today/events", nil)
	req.Header.Set("Cookie", "parindex_session="+session)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		resp.Body.Close()
		t.Fatalf("live count stream on %s = %d %s", base, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &todayStream{today: -1, change: make(chan struct{})}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		event := ""
		for lines.Scan() {
			line := lines.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "today":
				var c struct {
					Today int64 `json:"today"`
				}
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &c) == nil {
					s.mu.Lock()
					s.today, s.at = c.Today, time.Now()
					close(s.change)
					s.change = make(chan struct{})
					s.mu.Unlock()
				}
			}
		}
	}()
	return s
}

// waitFor waits until the stream has sent a count of n, returning when
// that event arrived.
func (s *todayStream) waitFor(n int64, within time.Duration) (time.Time, error) {
	deadline := time.After(within)
	for {
		s.mu.Lock()
		today, at, change := s.today, s.at, s.change
		s.mu.Unlock()
		if today == n {
			return at, nil
		}
		select {
		case <-change:
		case <-deadline:
			return time.Time{}, fmt.Errorf("the stream counts %d after %v, want %d", today, within, n)
		}
	}
}

// serveProcess is `parindex serve` in a process of its own.
type serveProcess struct {
	base string
}

// startServe starts this test binary as `parindex serve` on a free port
// against dbURL with the data folder dataDir, as one of two servers behind
// a load balancer on the loopback, and waits until it is ready; it is stopped after the test, its
// log shown when the test failed.
func startServe(t *testing.T, exe, dbURL, dataDir, name string) *serveProcess {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Error(err)
		return nil
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Error(err)
		return nil
	}
	cmd := exec.Command(exe, "serve")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARINDEX_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, asParindex+"=1",
		"PARINDEX_DATABASE_URL="+dbURL, "PARINDEX_DATA_DIR="+dataDir, "PARINDEX_ADDR="+addr,
		"PARINDEX_SECRET_KEY="+twoSecret, "PARINDEX_METRICS_ADDR=off", "PARINDEX_LOG_LEVEL=warn",
		"PARINDEX_TRUSTED_PROXIES=127.0.0.1", "PARINDEX_SERVERS=2",
		fmt.Sprintf("PARINDEX_SURVEY_IP_PER_MINUTE=%d", twoIPPerMinute))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Error(err)
		return nil
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		data, _ := os.ReadFile(logPath)
		// Under the race detector the servers are built with it too.
		if strings.Contains(string(data), "WARNING: DATA RACE") {
			t.Errorf("%s met a data race", name)
		}
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, data)
		}
	})
	base := "http://" + addr
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Errorf("%s exited before it was ready", name)
			return nil
		default:
		}
		if resp, err := client.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &serveProcess{base: base}
			}
		}
	}
	t.Errorf("%s was not ready within 30 s", name)
	return nil
}
