package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store/storetest"
	"parindex/survey"
	"parindex/web"
)

// sseEvent is one Server-Sent Event as a browser's EventSource sees it.
type sseEvent struct {
	Name, Data string
	At         time.Time
}

// sseStream reads a text/event-stream response in the background.
type sseStream struct {
	events   chan sseEvent // closed when the stream ends
	comments chan string
	resp     *http.Response
}

type todayJSON struct {
	Day    string `json:"day"`
	Today  int64  `json:"today"`
	ByUnit []struct {
		Code  string `json:"code"`
		Count int64  `json:"count"`
	} `json:"by_unit"`
}

func (v todayJSON) byUnit() map[string]int64 {
	out := map[string]int64{}
	for _, u := range v.ByUnit {
		out[u.Code] = u.Count
	}
	return out
}

// stream opens path as an event stream with the client's session; it
// returns the response status when the server refuses the stream.
func (c *client) stream(path string) (*sseStream, int) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	// As a phone's browser asks: the events must still arrive as written,
	// never held back by compression.
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || resp.Header.Get("Cache-Control") != "no-store" ||
		resp.Header.Get("Content-Encoding") != "" {
		resp.Body.Close()
		c.t.Fatalf("GET %s: Content-Type %q, Cache-Control %q, Content-Encoding %q", path, ct, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"))
	}
	s := &sseStream{events: make(chan sseEvent, 100), comments: make(chan string, 100), resp: resp}
	c.t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != "" {
					ev.At = time.Now()
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				select {
				case s.comments <- line:
				default:
				}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s, http.StatusOK
}

func (c *client) mustStream(path string) *sseStream {
	c.t.Helper()
	s, status := c.stream(path)
	if s == nil {
		c.t.Fatalf("GET %s = %d, want a stream", path, status)
	}
	return s
}

// next returns the next "today" event, failing after within.
func (s *sseStream) next(t *testing.T, within time.Duration) (todayJSON, time.Time) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Name != "today" {
				t.Fatalf("event %q, want today", ev.Name)
			}
			var v todayJSON
			if err := json.Unmarshal([]byte(ev.Data), &v); err != nil {
				t.Fatalf("event data %q: %v", ev.Data, err)
			}
			return v, ev.At
		case <-timeout:
			t.Fatalf("no event within %s", within)
		}
	}
}

// until reads events until one counts want today, returning the times of
// every event read; it fails after within.
func (s *sseStream) until(t *testing.T, want int64, within time.Duration) (todayJSON, []time.Time) {
	t.Helper()
	deadline := time.Now().Add(within)
	var times []time.Time
	for {
		v, at := s.next(t, time.Until(deadline))
		times = append(times, at)
		if v.Today == want {
			return v, times
		}
		if v.Today > want {
			t.Fatalf("today = %d, past %d", v.Today, want)
		}
	}
}

// ended reports whether the stream ends within d.
func (s *sseStream) ended(d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// submitForm answers the survey form of a link as a citizen does.
func submitForm(t *testing.T, ts *testServer, token string) {
	t.Helper()
	citizen := ts.client(t)
	form := citizen.get("/s/" + token)
	if form.Status != 200 {
		t.Fatalf("form = %d", form.Status)
	}
	answers := surveyFormKeys(t, form)
	answers.Set("lang", "vi")
	sipas, _ := survey.ReferenceInstrument("sipas-2026")
	for _, code := range survey.QuestionCodes(sipas) {
		answers.Set(code, "5")
	}
	if r := citizen.post("/s/"+token, answers); r.Status != 200 || !strings.Contains(r.Body, "Cảm ơn") {
		t.Fatalf("submit = %d\n%s", r.Status, r.Body)
	}
}

func vietnamDay() parindex.Date {
	return parindex.DateOf(time.Now().In(time.FixedZone("ICT", 7*3600)))
}

// TestLiveCountStreams follows today's count on the monitor (province-wide)
// and on the survey page of an agency editor while citizens answer through
// the real form and ingester: on PostgreSQL the news comes by NOTIFY from
// the storing transaction (there is no polling there), on SQLite by polling.
func TestLiveCountStreams(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		in := withSurvey(t, ts)
		link := mustLink(t, ts.DB, "SNV", "Quầy 1")

		admin := ts.loggedIn(t, "admin")
		editor := ts.loggedIn(t, "snv.editor")
		monitor := admin.mustStream("/app/dashboard/survey/events")
		own := editor.mustStream("/admin/survey/today/events")
		for _, s := range []*sseStream{monitor, own} {
			if v, _ := s.next(t, 5*time.Second); v.Today != 0 || v.Day != vietnamDay().String() || len(v.ByUnit) != 0 {
				t.Fatalf("first event = %+v", v)
			}
		}

		submitForm(t, ts, link.Token)
		if v, _ := monitor.until(t, 1, 10*time.Second); v.byUnit()["SNV"] != 1 {
			t.Errorf("monitor after one answer: %+v", v)
		}
		if v, _ := own.next(t, 10*time.Second); v.Today != 1 || len(v.ByUnit) != 1 || v.byUnit()["SNV"] != 1 {
			t.Errorf("editor after one answer: %+v", v)
		}

		// Another unit's response reaches the monitor, not the editor: the
		// editor's next event is its own unit's next answer.
		insertResponses(t, ts.DB, in, &parindex.Response{UnitID: unitID(t, ts.DB, "STP"), Day: vietnamDay()})
		if v, _ := monitor.until(t, 2, 10*time.Second); v.byUnit()["STP"] != 1 || v.byUnit()["SNV"] != 1 {
			t.Errorf("monitor after STP: %+v", v)
		}
		submitForm(t, ts, link.Token)
		if v, _ := own.next(t, 10*time.Second); v.Today != 2 || len(v.ByUnit) != 1 || v.byUnit()["SNV"] != 2 {
			t.Errorf("editor after its second answer: %+v (an event of another unit leaked?)", v)
		}
		monitor.until(t, 3, 10*time.Second)

		// A burst of batches, each its own transaction (on PostgreSQL its
		// own notification): events come at most once a second, and the
		// last one has them all.
		for i := 0; i < 6; i++ {
			insertResponses(t, ts.DB, in, &parindex.Response{UnitID: unitID(t, ts.DB, "STP"), Day: vietnamDay()})
			time.Sleep(150 * time.Millisecond)
		}
		v, times := monitor.until(t, 9, 10*time.Second)
		if v.byUnit()["STP"] != 7 {
			t.Errorf("monitor after the burst: %+v", v)
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
				t.Errorf("events %d and %d came %s apart: bursts are not coalesced", i-1, i, gap)
			}
		}
	})
}

// TestLiveCountAuthorisation checks who may open which stream, the limit of
// streams per user, and that the pages point to their stream.
func TestLiveCountAuthorisation(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	withSurvey(t, ts)
	web.SetLiveTimings(ts.Srv, 25*time.Second, 10*time.Minute, 2)

	for _, tc := range []struct {
		user string
		want map[string]int
	}{
		{"", map[string]int{"/app/dashboard/survey/events": 303, "/admin/survey/today/events": 303, "/app/dashboard/survey/today.json": 303}},
		{"noroles", map[string]int{"/app/dashboard/survey/events": 403, "/admin/survey/today/events": 403, "/app/dashboard/survey/today.json": 403}},
		{"snv.editor", map[string]int{"/app/dashboard/survey/events": 403, "/app/dashboard/survey/today.json": 403, "/admin/survey/today/events": 200}},
		{"viewer", map[string]int{"/app/dashboard/survey/events": 200, "/admin/survey/today/events": 200, "/app/dashboard/survey/today.json": 200}},
	} {
		c := ts.client(t)
		if tc.user != "" {
			c.mustLogin(tc.user)
		}
		for path, want := range tc.want {
			if strings.HasSuffix(path, ".json") {
				if r := c.get(path); r.Status != want {
					t.Errorf("%q GET %s = %d, want %d", tc.user, path, r.Status, want)
				}
				continue
			}
			s, status := c.stream(path)
			if status != want {
				t.Errorf("%q GET %s = %d, want %d", tc.user, path, status, want)
			}
			if s != nil {
				s.resp.Body.Close()
			}
		}
	}

	admin := ts.loggedIn(t, "admin")
	first := admin.mustStream("/app/dashboard/survey/events")
	admin.mustStream("/admin/survey/today/events")
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/app/dashboard/survey/events", nil)
	if r := admin.do(req); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "quá nhiều trang tự cập nhật") {
		t.Errorf("third stream of one user = %d", r.Status)
	}
	// Another user is not limited by the admin's streams.
	viewer := ts.loggedIn(t, "viewer")
	viewer.mustStream("/app/dashboard/survey/events")
	// A closed stream frees its place.
	first.resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, status := admin.stream("/app/dashboard/survey/events")
		if s != nil {
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("stream after closing one = %d", status)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The monitor page shows today's count live, the survey page too; the
	// script is the embedded one, with the page's nonce.
	page := admin.get("/app/dashboard/survey")
	if page.Status != 200 || !strings.Contains(page.Body, `data-live-events="/app/dashboard/survey/events"`) ||
		!strings.Contains(page.Body, `data-live-url="/app/dashboard/survey/today.json"`) || !strings.Contains(page.Body, `data-live-total>0<`) ||
		!regexp.MustCompile(`<script src="/static/live\.[0-9a-f]{12}\.js" nonce="[^"]+"></script>`).MatchString(page.Body) {
		t.Errorf("monitor page = %d", page.Status)
	}
	checkScripts(t, "/app/dashboard/survey", page.Body)
	if home := admin.get("/admin/survey"); !strings.Contains(home.Body, `data-live-events="/admin/survey/today/events"`) {
		t.Error("the survey page does not name its stream")
	}
	js := admin.get(regexp.MustCompile(`/static/live\.[0-9a-f]{12}\.js`).FindString(page.Body))
	if !strings.Contains(js.Body, "new EventSource(events)") || !strings.Contains(js.Body, "setTimeout(poll, 5000)") {
		t.Error("live.js neither streams nor polls")
	}
}

// TestLiveStreamLifetime: heartbeats keep a quiet stream going past the
// server's WriteTimeout, the stream ends at its maximum life, and shutting
// the server down ends open streams at once instead of waiting for them.
func TestLiveStreamLifetime(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	web.SetLiveTimings(ts.Srv, 200*time.Millisecond, 3*time.Second, 4)

	// The same handler behind a server with a 1 s WriteTimeout.
	short := &http.Server{Handler: ts.Srv.Handler(), WriteTimeout: time.Second, ReadHeaderTimeout: time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go short.Serve(ln)
	t.Cleanup(func() { short.Close() })
	c := &client{t: t, base: "http://" + ln.Addr().String(), http: ts.client(t).http}
	c.mustLogin("admin")
	start := time.Now()
	s := c.mustStream("/app/dashboard/survey/events")
	s.next(t, 5*time.Second)
	if s.ended(2 * time.Second) {
		t.Fatalf("the stream ended after %s, before its life: the WriteTimeout killed it", time.Since(start))
	}
	beats := len(s.comments)
	if beats < 5 {
		t.Errorf("%d heartbeats in 2 s, want about 10", beats)
	}
	if !s.ended(5 * time.Second) {
		t.Errorf("the stream outlived its maximum life (still open after %s)", time.Since(start))
	}

	web.SetLiveTimings(ts.Srv, 25*time.Second, 10*time.Minute, 4)
	admin := ts.loggedIn(t, "admin")
	open := admin.mustStream("/admin/survey/today/events")
	open.next(t, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	if err := ts.Srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("shutdown: %v", err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("shutdown took %s: it waited for the stream", took)
	}
	if !open.ended(2 * time.Second) {
		t.Error("the stream is still open after shutdown")
	}
}
