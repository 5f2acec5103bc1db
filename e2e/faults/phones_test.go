package faults

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"parindex/survey"
)

// thanksPhrase is on the thank-you page: a 200 without it is not an
// acknowledgement.
const thanksPhrase = "Cảm ơn"

// phoneCount is how many phones submit at once.
const phoneCount = 32

// phones submit answered forms concurrently, as citizens' phones on a bad
// network do: each retries a failed or unanswered request with the same
// idempotency key and body until it gets a 2xx, backing off a little, or
// gives up at the deadline. They remember every key they sent and every key
// the server acknowledged.
type phones struct {
	base     string
	fx       fixture
	client   *http.Client
	stopNew  chan struct{} // closed: start no new submission, finish the current ones
	abort    chan struct{} // closed at the end of the test: no more retries
	deadline time.Time     // no retry after this
	wg       sync.WaitGroup

	mu              sync.Mutex
	sent            map[string]bool      // every idempotency key posted
	acked           map[string]time.Time // key → when the server acknowledged it
	gaveUp          []string
	unexpected      []string // answers no phone may ever get
	transportErrors int      // refused, reset or unanswered requests
	unavailable     int      // 503 answers
}

// startPhones starts the phones; they run until stop.
func startPhones(t *testing.T, base string, fx fixture, deadline time.Time) *phones {
	p := &phones{base: base, fx: fx, stopNew: make(chan struct{}), abort: make(chan struct{}), deadline: deadline,
		sent: map[string]bool{}, acked: map[string]time.Time{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: phoneCount}}}
	for w := range phoneCount {
		p.wg.Add(1)
		go p.run(w)
	}
	// A test that ends early must not leave phones retrying against a
	// server that is gone.
	t.Cleanup(func() {
		close(p.abort)
		p.stop()
	})
	return p
}

// stop lets every phone finish its current submission (retries included)
// and waits for them.
func (p *phones) stop() {
	select {
	case <-p.stopNew:
	default:
		close(p.stopNew)
	}
	p.wg.Wait()
}

func (p *phones) run(w int) {
	defer p.wg.Done()
	rng := mathrand.New(mathrand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
	for i := 0; ; i++ {
		select {
		case <-p.stopNew:
			return
		default:
		}
		s := p.fx.newSubmission(rng, p.fx.tokens[(w+i)%len(p.fx.tokens)])
		p.mu.Lock()
		p.sent[s.key] = true
		p.mu.Unlock()
		p.submit(s)
	}
}

// submit posts s until it is acknowledged, refused for good, or the
// deadline passes.
func (p *phones) submit(s submission) {
	backoff := 20 * time.Millisecond
	for {
		status, body, err := s.post(p.client, p.base)
		p.mu.Lock()
		switch {
		case err != nil:
			p.transportErrors++
		case status == http.StatusOK && strings.Contains(body, thanksPhrase):
			p.acked[s.key] = time.Now()
			p.mu.Unlock()
			return
		case status == http.StatusServiceUnavailable:
			p.unavailable++
		default:
			p.unexpected = append(p.unexpected, fmt.Sprintf("%d %.200q", status, body))
			if status < 500 {
				// A 4xx is final: retrying the same body cannot change it.
				p.mu.Unlock()
				return
			}
		}
		if time.Now().After(p.deadline) {
			p.gaveUp = append(p.gaveUp, s.key)
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		select {
		case <-time.After(backoff):
		case <-p.abort:
			return
		}
		backoff = min(2*backoff, 400*time.Millisecond)
	}
}

// ackedCount returns how many keys were acknowledged, and how many of them
// after since.
func (p *phones) ackedCount(since time.Time) (total, after int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, at := range p.acked {
		if at.After(since) {
			after++
		}
	}
	return len(p.acked), after
}

type failureCounts struct{ transport, unavailable int }

// failures returns how many requests failed in transit (refused, reset,
// unanswered) and how many were answered 503, so far.
func (p *phones) failures() failureCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return failureCounts{p.transportErrors, p.unavailable}
}

// checkClean fails the test when a phone got an answer it must never get
// or gave up.
func (p *phones) checkClean(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.unexpected) > 0 {
		t.Errorf("%d answers were neither a thank-you nor a 503 (first: %s)", len(p.unexpected), p.unexpected[0])
	}
	if len(p.gaveUp) > 0 {
		t.Errorf("%d submissions were never acknowledged before the deadline (first key %s)", len(p.gaveUp), p.gaveUp[0])
	}
}

// submission is one answered form; every retry sends exactly the same.
type submission struct {
	token, key, body, device string
}

// newSubmission answers every question (sometimes "not applicable"), now and
// then with a comment, on a form rendered two minutes ago.
func (fx fixture) newSubmission(rng *mathrand.Rand, token string) submission {
	key, stamp := survey.FormFields([]byte(secret), token, time.Now().Add(-2*time.Minute))
	f := url.Values{"k": {key}, "ts": {stamp}, "lang": {"vi"}}
	for _, q := range fx.codes {
		v := 1 + rng.IntN(5)
		if fx.notApplicable && rng.IntN(10) == 0 {
			v = 0
		}
		f.Set(q, fmt.Sprint(v))
	}
	if rng.IntN(5) == 0 {
		f.Set("comment", "Cán bộ hướng dẫn tận tình.")
	}
	dev := make([]byte, 16)
	rand.Read(dev)
	return submission{token: token, key: key, body: f.Encode(), device: hex.EncodeToString(dev)}
}

func (s submission) post(client *http.Client, base string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/s/"+s.token, strings.NewReader(s.body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", survey.DeviceCookie+"="+s.device)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, string(body), nil
}
