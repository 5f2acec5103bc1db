package faults

import (
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"parindex/store/storetest"
	"parindex/survey"
)

const (
	// loadBeforeFault is how long the phones submit before the fault.
	loadBeforeFault = 1500 * time.Millisecond
	// minAcked is how many acknowledgements each phase needs at least, so
	// a test that stored nothing cannot pass.
	minAcked = 20
	// phoneDeadline bounds every phone's retries, counted from the start
	// of the load; a test normally ends long before.
	phoneDeadline = 60 * time.Second
)

// underLoad prepares the database at dbURL, starts the server on it and the
// phones submitting to it, and waits until they have submitted for
// loadBeforeFault with at least minAcked acknowledgements: the state each
// fault is brought into. start is when the phones started.
func underLoad(t *testing.T, dbURL string) (fx fixture, srv *server, p *phones, start time.Time) {
	t.Helper()
	bin := parindexBinary(t)
	fx = prepare(t, dbURL)
	srv = newServer(t, bin, dbURL)
	srv.start(t)

	start = time.Now()
	p = startPhones(t, srv.base(), fx, start.Add(phoneDeadline))
	waitFor(t, 30*time.Second, "the first acknowledgements", func() bool {
		n, _ := p.ackedCount(start)
		return time.Since(start) >= loadBeforeFault && n >= minAcked
	})
	return fx, srv, p, start
}

// TestSIGKILLMidLoad kills the server with SIGKILL while phones submit,
// starts it again on the same database and address, lets the phones'
// retries finish, and proves that every acknowledged submission is stored
// exactly once and that the answer counts agree with the stored answers.
func TestSIGKILLMidLoad(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { sigkillMidLoad(t, storetest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { sigkillMidLoad(t, storetest.PostgresSchemaURL(t)) })
}

func sigkillMidLoad(t *testing.T, dbURL string) {
	_, srv, p, start := underLoad(t, dbURL)
	first := srv.proc
	first.kill()
	killedAt := time.Now()
	// The killed process answers nothing after its death: whatever the
	// phones hold now was acknowledged by it.
	ackedBeforeKill, _ := p.ackedCount(killedAt)
	failedBefore := p.failures().transport
	waitFor(t, 10*time.Second, "phones to notice the dead server", func() bool {
		return p.failures().transport >= failedBefore+phoneCount
	})
	srv.start(t) // waits until /readyz answers 200 from the new process
	restartedAt := time.Now()
	t.Logf("killed after %s with %d acknowledged; restarted and ready in %s",
		killedAt.Sub(start).Round(time.Millisecond), ackedBeforeKill, restartedAt.Sub(killedAt).Round(time.Millisecond))

	waitFor(t, 30*time.Second, "acknowledgements from the restarted server", func() bool {
		_, after := p.ackedCount(restartedAt)
		return after >= minAcked
	})
	p.stop()
	p.checkClean(t)
	stored := verifyStored(t, dbURL, p)
	total, after := p.ackedCount(restartedAt)
	t.Logf("%d submissions sent, %d acknowledged (%d before the kill, %d by the restarted server), %d stored; %d requests failed in transit",
		len(p.sent), total, ackedBeforeKill, after, stored, p.failures().transport)
	if err := waitReady(srv.base(), srv.proc.exited, 10*time.Second); err != nil {
		t.Errorf("the restarted server is not ready at the end: %v", err)
	}
}

// TestPostgresStopMidLoad stops the test's own PostgreSQL (immediate mode,
// as a crash would) while phones submit. While it is down, the form answers
// 503 with the Vietnamese "try again" page, quickly; after PostgreSQL starts
// again the same server process recovers by itself, and every acknowledged
// submission is stored exactly once.
func TestPostgresStopMidLoad(t *testing.T) {
	pg := startPostgres(t)
	fx, srv, p, _ := underLoad(t, pg.url())
	proc := srv.proc

	pg.stopImmediately(t)
	stoppedAt := time.Now()
	ackedBeforeStop, _ := p.ackedCount(stoppedAt)
	refusedBefore := p.failures().unavailable

	// While PostgreSQL is down. A separate client: nothing shared with
	// the phones' connections.
	client := &http.Client{Timeout: 10 * time.Second}
	get := func() (*http.Response, error) { return client.Get(srv.base() + "/s/" + fx.spare) }
	expectTryAgain(t, "GET of a form the server has not cached", get)
	// A link looked up in the last seconds is cached, and the form needs
	// nothing else from the database: the citizen may get the form itself
	// (and its POST then says "try again"), or the "try again" page.
	resp, err := client.Get(srv.base() + "/s/" + fx.tokens[0])
	if err != nil {
		t.Fatalf("GET of a form the phones use, while PostgreSQL is down: no answer (%v)", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK && strings.Contains(string(page), `name="k"`):
		t.Log("GET of a cached form while PostgreSQL is down: 200, the form")
	case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(page), "Vui lòng"):
		t.Log("GET of a cached form while PostgreSQL is down: 503, try again")
	default:
		t.Errorf("GET of a form the phones use, while PostgreSQL is down: %d %.300q; want the form or the try-again page", resp.StatusCode, page)
	}
	// Two forms answered during the outage: one for a link the phones use
	// (cached by the server), one for a link it has never looked up.
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	heldBack := []submission{fx.newSubmission(rng, fx.tokens[0]), fx.newSubmission(rng, fx.spare)}
	p.mu.Lock()
	for _, s := range heldBack {
		p.sent[s.key] = true
	}
	p.mu.Unlock()
	for i, what := range []string{"POST of an answered form", "POST to a link the server has not cached"} {
		s := heldBack[i]
		expectTryAgain(t, what, func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodPost, srv.base()+"/s/"+s.token, strings.NewReader(s.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", survey.DeviceCookie+"="+s.device)
			return client.Do(req)
		})
	}
	resp, err = client.Get(srv.base() + "/readyz")
	if err != nil {
		t.Fatalf("/readyz while PostgreSQL is down: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz while PostgreSQL is down: %d, want 503", resp.StatusCode)
	}

	// Keep PostgreSQL down until the phones have felt it: every one of
	// them is refused at least once on average.
	waitFor(t, 10*time.Second, "phones to be refused while PostgreSQL is down", func() bool {
		return p.failures().unavailable >= refusedBefore+phoneCount
	})
	downFor := time.Since(stoppedAt)
	pg.start(t)
	restartedAt := time.Now()
	if err := waitReady(srv.base(), proc.exited, 30*time.Second); err != nil {
		t.Fatalf("the server did not recover after PostgreSQL came back: %v", err)
	}
	if srv.proc != proc || !proc.running() {
		t.Fatal("the server process did not survive the database outage")
	}
	t.Logf("PostgreSQL down for %s, then %s to start (crash recovery); the server was ready again %s after that",
		downFor.Round(time.Millisecond), restartedAt.Sub(stoppedAt.Add(downFor)).Round(time.Millisecond), time.Since(restartedAt).Round(time.Millisecond))

	// The forms refused during the outage go through now, sent again
	// exactly as before, by the same process.
	for _, s := range heldBack {
		status, body, err := s.post(client, srv.base())
		if err != nil || status != http.StatusOK || !strings.Contains(body, thanksPhrase) {
			t.Errorf("a form refused during the outage, sent again after recovery: %d, %v, %.300q", status, err, body)
			continue
		}
		p.mu.Lock()
		p.acked[s.key] = time.Now()
		p.mu.Unlock()
	}

	waitFor(t, 30*time.Second, "acknowledgements after PostgreSQL came back", func() bool {
		_, after := p.ackedCount(restartedAt)
		return after >= minAcked
	})
	p.stop()
	p.checkClean(t)
	stored := verifyStored(t, pg.url(), p)
	total, after := p.ackedCount(restartedAt)
	t.Logf("%d submissions sent, %d acknowledged (%d before the stop, %d after PostgreSQL came back), %d stored; %d answers were 503",
		len(p.sent), total, ackedBeforeStop, after, stored, p.failures().unavailable)
}

// expectTryAgain checks that a request answers, within the client's
// timeout, 503 with the Vietnamese "try again" page and a Retry-After.
func expectTryAgain(t *testing.T, what string, do func() (*http.Response, error)) {
	t.Helper()
	began := time.Now()
	resp, err := do()
	if err != nil {
		t.Errorf("%s while PostgreSQL is down: no answer (%v)", what, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	took := time.Since(began)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%s while PostgreSQL is down: status %d, want 503; page %.300q", what, resp.StatusCode, page)
	}
	// "… gửi lại sau ít giây" after a POST, "… thử lại sau ít giây" after a GET.
	for _, want := range []string{`<html lang="vi">`, "Vui lòng", "lại sau ít giây"} {
		if !strings.Contains(page, want) {
			t.Errorf("%s while PostgreSQL is down: the page lacks %q: %.300q", what, want, page)
		}
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s while PostgreSQL is down: no Retry-After header", what)
	}
	t.Logf("%s while PostgreSQL is down: %d in %s", what, resp.StatusCode, took.Round(time.Millisecond))
}
