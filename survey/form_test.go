package survey_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/html"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// clock is a settable time shared by the form handler and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type formServer struct {
	URL     string
	DB      *store.DB
	Clock   *clock
	Link    *parindex.SurveyLink
	Handler *survey.Handler
}

var secret = []byte("0123456789abcdef0123456789abcdef-test")

// newFormServer serves the form for one published sipas-2026 link at SNV.
func newFormServer(t testing.TB, db *store.DB, opts survey.Options) *formServer {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 10, 8, 47, 31, 0, time.UTC)}
	publishedSipas(t, db, clk.Now)
	links, err := db.CreateLinks(ctx, parindex.Actor{Name: "test"}, []store.LinkSpec{{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: "SNV", CounterLabel: "Quầy 1"}})
	if err != nil {
		t.Fatal(err)
	}
	ing := survey.NewIngester(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 0)
	runCtx, stop := context.WithCancel(context.Background())
	go ing.Run(runCtx)
	opts.SecretKey, opts.Now = secret, clk.Now
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h, err := survey.NewHandler(db, ing, opts)
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	h.Routes(e)
	srv := httptest.NewServer(e)
	t.Cleanup(func() { srv.Close(); stop(); ing.Wait() })
	return &formServer{URL: srv.URL, DB: db, Clock: clk, Link: links[0], Handler: h}
}

// phone is one browser with its cookies.
type phone struct {
	t      *testing.T
	client *http.Client
	fs     *formServer
}

func (fs *formServer) phone(t *testing.T) *phone {
	jar, _ := cookiejar.New(nil)
	return &phone{t: t, fs: fs, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type reply struct {
	Status int
	Body   string
	Header http.Header
}

func (p *phone) do(method, path string, body io.Reader, contentType string) reply {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.fs.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 test-agent")
	resp, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b), resp.Header}
}

// open fetches the form and returns exactly what it would post: hidden
// fields, and the names and values of every radio and text input.
func (p *phone) open() (url.Values, map[string][]string, string) {
	p.t.Helper()
	r := p.do(http.MethodGet, "/s/"+p.fs.Link.Token, nil, "")
	if r.Status != 200 {
		p.t.Fatalf("GET form = %d: %s", r.Status, r.Body)
	}
	doc, err := html.Parse(strings.NewReader(r.Body))
	if err != nil {
		p.t.Fatal(err)
	}
	hidden := url.Values{}
	radios := map[string][]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			switch a["type"] {
			case "hidden":
				hidden.Set(a["name"], a["value"])
			case "radio":
				radios[a["name"]] = append(radios[a["name"]], a["value"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return hidden, radios, r.Body
}

func (p *phone) post(form url.Values) reply {
	p.t.Helper()
	return p.do(http.MethodPost, "/s/"+p.fs.Link.Token, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// filled answers every question of the rendered form with value.
func filled(hidden url.Values, radios map[string][]string, value string) url.Values {
	f := url.Values{}
	for k, v := range hidden {
		f[k] = v
	}
	for name := range radios {
		if !strings.HasPrefix(name, "p_") {
			f.Set(name, value)
		}
	}
	return f
}

func responses(t *testing.T, db *store.DB) []map[string]string {
	t.Helper()
	return storetest.Rows(t, db, `SELECT * FROM responses ORDER BY id`)
}

func TestCompleteSubmissionIsStoredAnonymously(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fs := newFormServer(t, db, survey.Options{})
		p := fs.phone(t)
		hidden, radios, page := p.open()
		if len(radios) != 22+4 {
			t.Fatalf("the form has %d radio groups, want 22 questions + 4 profile questions", len(radios))
		}
		css := strings.TrimSpace(between(page, `<link rel="stylesheet" href="`, `"`))
		cssBody := p.do(http.MethodGet, css, nil, "").Body
		if size := len(page) + len(cssBody); size > 20*1024 || len(cssBody) < 500 {
			t.Errorf("HTML + CSS = %d bytes (css %d), want ≤ 20 KB", size, len(cssBody))
		}
		f := filled(hidden, radios, "4")
		f.Set("A1", "5")
		f.Set("E3", "0") // not applicable
		f.Set("p_gender", "female")
		f.Set("comment", "Cán bộ nhiệt tình")
		f.Set("dossier", "h12.345-6789")
		fs.Clock.Add(3 * time.Minute)
		r := p.post(f)
		if r.Status != 200 || !strings.Contains(r.Body, "Cảm ơn") {
			t.Fatalf("submit = %d: %s", r.Status, r.Body)
		}
		rows := responses(t, db)
		if len(rows) != 1 {
			t.Fatalf("%d rows stored", len(rows))
		}
		row := rows[0]
		if row["answers"] != "5444444444444444444440" || row["profile"] != "gender=female" || row["comment"] != "Cán bộ nhiệt tình" ||
			row["flags"] != "" || row["source"] != "qr" || row["fill_seconds"] != "180" {
			t.Errorf("stored row = %v", row)
		}
		// Anonymity: the hour only, hashes only, nothing of the request.
		if row["submitted_hour"] != "2026-03-10T08:00:00Z" || !strings.HasPrefix(row["day"], "2026-03-10") {
			t.Errorf("time kept as %s / %s, want the hour only", row["submitted_hour"], row["day"])
		}
		device := ""
		u, _ := url.Parse(fs.URL + "/s/")
		for _, c := range p.client.Jar.Cookies(u) {
			if c.Name == survey.DeviceCookie {
				device = c.Value
			}
		}
		if device == "" {
			t.Fatal("no device cookie was set")
		}
		all := strings.Join(mapValues(row), "|")
		for _, secret := range []string{"127.0.0.1", "Mozilla", "test-agent", device, "H12.345-6789", "h12.345-6789", "lang="} {
			if strings.Contains(all, secret) {
				t.Errorf("the stored row contains %q: %v", secret, row)
			}
		}
		if len(row["device_hash"]) != 32 || len(row["dossier_hash"]) != 32 {
			t.Errorf("device/dossier hashes = %q / %q", row["device_hash"], row["dossier_hash"])
		}

		// The count table agrees with the row.
		c := storetest.CountTotals(t, db)
		if n5, n4, na := c[5], c[4], c[storetest.NA]; n5 != 1 || n4 != 20 || na != 1 {
			t.Errorf("counts: n5=%d n4=%d na=%d, want 1, 20, 1", n5, n4, na)
		}

		// The same dossier code cannot rate this unit twice.
		h2, r2, _ := p.open()
		f2 := filled(h2, r2, "3")
		f2.Set("dossier", "H12.345-6789")
		fs.Clock.Add(20 * time.Minute)
		if r := p.post(f2); r.Status != http.StatusConflict || !strings.Contains(r.Body, "đã được đánh giá") {
			t.Errorf("repeated dossier = %d", r.Status)
		}
		if n := len(responses(t, db)); n != 1 {
			t.Errorf("%d rows after a repeated dossier", n)
		}
	})
}

func TestRepeatedPostStoresOnce(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{})
	p := fs.phone(t)
	hidden, radios, _ := p.open()
	f := filled(hidden, radios, "4")
	fs.Clock.Add(time.Minute)
	var wg sync.WaitGroup
	status := make([]int, 5)
	for i := range status {
		wg.Add(1)
		go func() { defer wg.Done(); status[i] = p.post(f).Status }()
	}
	wg.Wait()
	for i, s := range status {
		if s != 200 {
			t.Errorf("post %d = %d", i, s)
		}
	}
	if n := len(responses(t, fs.DB)); n != 1 {
		t.Errorf("%d rows for one form sent five times", n)
	}
}

func TestQualityFlags(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{})
	submit := func(p *phone, value string, wait time.Duration, extra url.Values) string {
		t.Helper()
		hidden, radios, _ := p.open()
		f := filled(hidden, radios, value)
		f.Set("A2", "3")
		for k, v := range extra {
			f[k] = v
		}
		fs.Clock.Add(wait)
		if r := p.post(f); r.Status != 200 {
			t.Fatalf("submit = %d %s", r.Status, r.Body)
		}
		rows := responses(t, fs.DB)
		return rows[len(rows)-1]["flags"]
	}
	// 22 questions × 2 s = 44 s is the speeder floor.
	if got := submit(fs.phone(t), "4", 20*time.Second, nil); got != "speeder" {
		t.Errorf("20 s fill: flags %q", got)
	}
	if got := submit(fs.phone(t), "4", 60*time.Second, url.Values{"website": {"http://spam.example"}}); got != "bot" {
		t.Errorf("honeypot: flags %q", got)
	}
	// All answers equal (A2 too) and under twice the floor.
	straight := func(p *phone, wait time.Duration) string {
		hidden, radios, _ := p.open()
		fs.Clock.Add(wait)
		p.post(filled(hidden, radios, "5"))
		rows := responses(t, fs.DB)
		return rows[len(rows)-1]["flags"]
	}
	if got := straight(fs.phone(t), 60*time.Second); got != "straightline" {
		t.Errorf("all fives in 60 s: flags %q", got)
	}
	if got := straight(fs.phone(t), 100*time.Second); got != "" {
		t.Errorf("all fives in 100 s (a careful happy citizen): flags %q", got)
	}
	// The same phone again at the same unit within ten minutes.
	p := fs.phone(t)
	if got := submit(p, "4", 60*time.Second, nil); got != "" {
		t.Errorf("first from this phone: flags %q", got)
	}
	if got := submit(p, "4", 5*time.Minute, nil); got != "duplicate_device" {
		t.Errorf("again after 5 min: flags %q", got)
	}
	// The store keeps only the hour a device answered: a repeat is not
	// flagged once the window starts in a later hour than the last form's
	// (TestRepeatDeviceAcrossTheHour).
	if got := submit(p, "4", 71*time.Minute, nil); got != "" {
		t.Errorf("again after 71 more min: flags %q", got)
	}
	c := storetest.CountTotals(t, fs.DB)
	flagged, clean := c[storetest.FlaggedNA+4], c[4]
	// Fours: speeder, bot and the repeat are flagged; the two clean forms
	// from the same phone are not (the straight-line forms have no fours).
	if flagged != 3*21 || clean != 2*21 {
		t.Errorf("count table: %d flagged and %d clean fours, want 63 and 42", flagged, clean)
	}
}

// TestDeviceSeenKeepsOnlyTheHour: the repeat-device table keeps the hour a
// device last answered, like responses.submitted_hour, so its rows cannot be
// joined to a response (and its comment) by a finer time.
func TestDeviceSeenKeepsOnlyTheHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fs := newFormServer(t, db, survey.Options{})
		p := fs.phone(t)
		hidden, radios, _ := p.open()
		fs.Clock.Add(3*time.Minute + 1234567*time.Microsecond)
		if r := p.post(filled(hidden, radios, "4")); r.Status != 200 {
			t.Fatalf("submit = %d %s", r.Status, r.Body)
		}
		rows, err := db.SQL().Query(`SELECT seen_at FROM device_seen`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				t.Fatal(err)
			}
			n++
			if want := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC); !at.Equal(want) {
				t.Errorf("device_seen.seen_at = %s, want the hour %s", at.UTC().Format(time.RFC3339Nano), want.Format(time.RFC3339))
			}
		}
		if err := rows.Err(); err != nil || n != 1 {
			t.Fatalf("%d device_seen rows after one submission (%v), want 1", n, err)
		}
	})
}

// TestRepeatDeviceAcrossTheHour: with only the hour kept, a repeat within
// the ten-minute window is still flagged when the hour turns between the two
// forms, and a repeat more than an hour and ten minutes later never is.
func TestRepeatDeviceAcrossTheHour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fs := newFormServer(t, db, survey.Options{}) // the clock starts at 08:47:31
		p := fs.phone(t)
		submit := func(wait time.Duration) string {
			t.Helper()
			hidden, radios, _ := p.open()
			f := filled(hidden, radios, "4")
			f.Set("A2", "3")
			fs.Clock.Add(wait)
			if r := p.post(f); r.Status != 200 {
				t.Fatalf("submit = %d %s", r.Status, r.Body)
			}
			rows := responses(t, db)
			return rows[len(rows)-1]["flags"]
		}
		if got := submit(10 * time.Minute); got != "" { // 08:57:31
			t.Errorf("first form: flags %q", got)
		}
		if got := submit(9 * time.Minute); got != "duplicate_device" { // 09:06:31, nine minutes later
			t.Errorf("again nine minutes later, in the next hour: flags %q", got)
		}
		if got := submit(71 * time.Minute); got != "" { // 10:17:31
			t.Errorf("again 71 minutes later: flags %q", got)
		}
	})
}

// TestCommentWithInvalidUTF8 is refused as such, not as too long, and the
// citizen gets the text back with each run of bad bytes shown as U+FFFD.
func TestCommentWithInvalidUTF8(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{})
	p := fs.phone(t)
	hidden, radios, _ := p.open()
	fs.Clock.Add(time.Minute)
	f := filled(hidden, radios, "4")
	f.Set("comment", "Chờ lâu \xff\xfe quá")
	r := p.post(f)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Góp ý chứa ký tự không hợp lệ") || strings.Contains(r.Body, "dài quá") {
		t.Errorf("invalid UTF-8 in the comment = %d:\n%s", r.Status, between(r.Body, `<ul`, `</ul>`))
	}
	if !strings.Contains(r.Body, "Chờ lâu \uFFFD quá</textarea>") {
		t.Errorf("the comment was not given back with the bad bytes replaced: %q", between(r.Body, `<textarea`, `</textarea>`))
	}
	f.Set("lang", "en")
	r = p.post(f)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The comment contains characters that are not valid text") {
		t.Errorf("invalid UTF-8 in the comment, in English = %d", r.Status)
	}
	if n := len(responses(t, fs.DB)); n != 0 {
		t.Errorf("%d rows stored from a comment with invalid UTF-8", n)
	}
}

func TestBadInput(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{MaxBody: 8 << 10})
	p := fs.phone(t)
	hidden, radios, _ := p.open()
	fs.Clock.Add(time.Minute)

	if r := p.do(http.MethodGet, "/s/khong-co-ma-nay", nil, ""); r.Status != 404 || !strings.Contains(r.Body, "quét lại mã QR") {
		t.Errorf("unknown token = %d", r.Status)
	}
	if r := p.do(http.MethodPost, "/s/khong-co-ma-nay", strings.NewReader("k=x"), "application/x-www-form-urlencoded"); r.Status != 404 {
		t.Errorf("POST to unknown token = %d", r.Status)
	}

	// Unanswered questions: 422, a summary linking to each, answers kept.
	partial := url.Values{}
	for k, v := range hidden {
		partial[k] = v
	}
	partial.Set("A1", "2")
	partial.Set("p_gender", "male")
	partial.Set("comment", "Chờ lâu")
	r := p.post(partial)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `href="#q-A2"`) || !strings.Contains(r.Body, "Câu E3 chưa chọn mức đánh giá") ||
		strings.Contains(r.Body, `href="#q-A1"`) {
		t.Errorf("unanswered = %d", r.Status)
	}
	if !strings.Contains(r.Body, `name="A1" value="2" checked`) || !strings.Contains(r.Body, `value="male" checked`) || !strings.Contains(r.Body, "Chờ lâu</textarea>") {
		t.Error("answers given were not kept on the error page")
	}

	cases := []struct {
		name   string
		change func(url.Values)
		status int
		text   string
	}{
		{"out-of-range answer", func(f url.Values) { f.Set("B2", "7") }, 422, "Câu B2 có câu trả lời không hợp lệ"},
		{"answer not a number", func(f url.Values) { f.Set("B2", "năm") }, 422, "Câu B2 có câu trả lời không hợp lệ"},
		{"unknown profile choice", func(f url.Values) { f.Set("p_gender", "robot") }, 422, "lựa chọn không hợp lệ"},
		{"comment too long", func(f url.Values) { f.Set("comment", strings.Repeat("ư", 1001)) }, 422, "dài quá 1000"},
		{"bad dossier code", func(f url.Values) { f.Set("dossier", "<script>") }, 422, "Mã hồ sơ chỉ gồm"},
		{"forged timestamp", func(f url.Values) { f.Set("ts", "1.AAAAAAAAAAAAAAAAAAAAAA") }, 400, "không hợp lệ"},
		{"missing key", func(f url.Values) { f.Del("k") }, 400, "không hợp lệ"},
		{"oversized body", func(f url.Values) { f.Set("comment", strings.Repeat("a", 9<<10)) }, 413, "quá lớn"},
	}
	for _, c := range cases {
		f := filled(hidden, radios, "4")
		c.change(f)
		r := p.post(f)
		if r.Status != c.status || !strings.Contains(r.Body, c.text) {
			t.Errorf("%s = %d, want %d with %q", c.name, r.Status, c.status, c.text)
		}
	}
	if r := p.do(http.MethodPost, "/s/"+fs.Link.Token, strings.NewReader("%zz&&=="), "application/x-www-form-urlencoded"); r.Status != 400 {
		t.Errorf("malformed body = %d", r.Status)
	}
	if n := len(responses(t, fs.DB)); n != 0 {
		t.Errorf("%d rows stored from bad input", n)
	}

	// A revoked link closes the form at once (no cache in this test).
	if err := fs.DB.RevokeLink(context.Background(), parindex.Actor{Name: "test"}, fs.Link.ID, "in lại mã"); err != nil {
		t.Fatal(err)
	}
	if r := p.do(http.MethodGet, "/s/"+fs.Link.Token, nil, ""); r.Status != http.StatusGone || !strings.Contains(r.Body, "đã đóng") {
		t.Errorf("revoked link GET = %d", r.Status)
	}
	if r := p.post(filled(hidden, radios, "4")); r.Status != http.StatusGone {
		t.Errorf("revoked link POST = %d", r.Status)
	}
}

// A link's lookup is reused for LinkCacheTTL, and forgotten at once when
// the server is told that links changed (a revocation, on this server or
// another).
func TestForgetLinks(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{LinkCacheTTL: time.Hour})
	p := fs.phone(t)
	if r := p.do(http.MethodGet, "/s/"+fs.Link.Token, nil, ""); r.Status != http.StatusOK {
		t.Fatalf("the form = %d", r.Status)
	}
	if err := fs.DB.RevokeLink(context.Background(), parindex.Actor{Name: "test"}, fs.Link.ID, "thu hồi"); err != nil {
		t.Fatal(err)
	}
	if r := p.do(http.MethodGet, "/s/"+fs.Link.Token, nil, ""); r.Status != http.StatusOK {
		t.Errorf("the form of a revoked link within its lookup's life = %d, want the cached 200", r.Status)
	}
	fs.Handler.ForgetLinks()
	if r := p.do(http.MethodGet, "/s/"+fs.Link.Token, nil, ""); r.Status != http.StatusGone {
		t.Errorf("the form of a revoked link once links were forgotten = %d, want 410", r.Status)
	}
}

func TestRateLimits(t *testing.T) {
	fs := newFormServer(t, storetest.MustOpenSQLite(t), survey.Options{IPPerMinute: 6})
	p := fs.phone(t)
	var last reply
	ok := 0
	for i := 0; i < 8; i++ {
		hidden, radios, _ := p.open()
		fs.Clock.Add(time.Second)
		last = p.post(filled(hidden, radios, "3"))
		if last.Status == 200 {
			ok++
		}
	}
	// A burst of 5 is allowed, then 6 a minute (one per 10 s; 1 s passes each time).
	if ok != 5 || last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" || !strings.Contains(last.Body, "thử lại sau") {
		t.Errorf("%d accepted, last = %d %q", ok, last.Status, last.Header.Get("Retry-After"))
	}
	fs.Clock.Add(time.Minute)
	hidden, radios, _ := p.open()
	if r := p.post(filled(hidden, radios, "3")); r.Status != 200 {
		t.Errorf("after a minute = %d", r.Status)
	}
}

func TestConcurrentSubmissionsAllCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fs := newFormServer(t, db, survey.Options{IPPerMinute: 1e6, LinkPerMinute: 1e6})
		const n = 120
		forms := make([]url.Values, n)
		phones := make([]*phone, n)
		for i := range forms {
			phones[i] = fs.phone(t)
			hidden, radios, _ := phones[i].open()
			forms[i] = filled(hidden, radios, fmt.Sprint(1+i%5))
		}
		fs.Clock.Add(time.Hour)
		var wg sync.WaitGroup
		fails := make(chan string, n)
		for i := range forms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := phones[i].post(forms[i]); r.Status != 200 {
					fails <- fmt.Sprintf("%d: %d", i, r.Status)
				}
			}()
		}
		wg.Wait()
		close(fails)
		for f := range fails {
			t.Error(f)
		}
		var rows int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM responses`).Scan(&rows)
		var counted int64
		for _, n := range storetest.CountTotals(t, db) {
			counted += n
		}
		if rows != n || counted != int64(n*22) {
			t.Errorf("%d rows and %d counted answers, want %d and %d", rows, counted, n, n*22)
		}
	})
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
