package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"parindex"
	"parindex/demo"
	"parindex/password"
	"parindex/store"
)

// legitimateCodes are the fields that show a code on purpose, because
// people type, read out or file by that code. Templates mark each such
// element with class="code" (or data-code, or a <code> element); the crawl
// leaves marked text out of the check for internal identifiers, and checks
// that each marked text has the shape of one of these fields, so that the
// mark cannot hide a label. A new kind of code gets a line here.
var legitimateCodes = []struct {
	field   string
	pattern *regexp.Regexp
}{
	// Unit codes (SNV, X001): the key of imports, the API and QR posters.
	{"unit code", regexp.MustCompile(`^[A-Z0-9][A-Za-z0-9_.\-]{0,39}$`)},
	// Criteria numbers (2.3, 1.2.3) as the decision's annex numbers them,
	// and survey question numbers (A1) as printed on paper forms.
	{"criterion or question number", regexp.MustCompile(`^[A-Z]?\d+(\.\d+)*$`)},
	// Usernames (demo.snv.canbo): what a person types to log in.
	{"username", regexp.MustCompile(`^[a-z][a-z0-9._-]*$`)},
	// Framework and instrument codes (communes-2026, sipas-2026) in the
	// columns meant for them: the name of their files and of the commands'
	// arguments. Labels show the name instead.
	{"framework or instrument code", regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)},
	// Metric codes (legal_docs_on_time) in the metric catalogue and the
	// import pages: the column values of metrics files and the API.
	{"metric code", regexp.MustCompile(`^[a-z][a-z0-9_]*$`)},
	// Column names of import files (valid_from) in the problems of an import.
	{"file column", regexp.MustCompile(`^[a-z][a-z0-9_]*$`)},
	// QR link tokens, API token prefixes (ending "…") and hash prefixes.
	{"token or hash", regexp.MustCompile(`^[A-Za-z0-9_-]{6,}…?$`)},
	// A QR link's token as a poster prints it, in groups of four to read
	// out or type (DxJO Ld0g XErj 4Hhy).
	{"token in groups", regexp.MustCompile(`^[A-Za-z0-9_-]{4}(?: [A-Za-z0-9_-]{1,4})+$`)},
	// Names of the files people upload or download, with the line of a
	// problem (bảng tự đánh giá.xlsx:12).
	{"file name", regexp.MustCompile(`^[^/\\]+\.(?:xlsx|csv|yaml|yml)(?::\d+)?$`)},
	// Addresses of QR forms, printed on posters with or without the scheme.
	{"address", regexp.MustCompile(`^(?:(?:https?://)?[^\s/]+)?/s/[A-Za-z0-9_-]+$`)},
	// The codes of an instrument's elements, questions, profile questions
	// and choices on the instrument's own page: the keys of its file and
	// the columns of paper-form imports.
	{"instrument key", regexp.MustCompile(`^[a-z][a-z0-9_]*$`)},
	// The audit log shows the official record as stored: actions, object
	// types and ids (a framework and unit, "communes-2026/X001"), which its
	// filter takes, and the row before and after (JSON).
	{"audit object", regexp.MustCompile(`^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$`)},
	{"audit record", regexp.MustCompile(`(?s)^[\[{].*[\]}]$`)},
	// Question numbers of a survey element, listed together ("A1 A2 A3").
	{"question numbers", regexp.MustCompile(`^[A-Z]\d+(?: [A-Z]\d+)*$`)},
}

// snakeCase finds internal identifiers such as legal_docs_on_time or
// one_stop_centre in text people read.
var snakeCase = regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)

// crawlAccounts are the demo accounts the crawl logs in as: one of each kind
// of user (demo/users.go), in Vietnamese, their language, and an
// administrator, who sees the most pages, in English.
var crawlAccounts = []struct{ username, lang string }{
	{"demo.sonoivu", "vi"},           // DoHA administrator
	{"demo.lanhdao", "vi"},           // leadership, read-only
	{"demo.snv.canbo", "vi"},         // agency clerk
	{"demo.snv.lanhdao", "vi"},       // agency leader
	{"demo.x001.lanhdao", "vi"},      // a commune's leader
	{"demo.thamdinh.tuphap", "vi"},   // appraiser of area 2
	{"demo.thamdinh.taichinh", "vi"}, // appraiser of area 6
	{englishAdmin, "en"},
}

// englishAdmin is a second administrator the test adds: an account's
// language is stored with it, so the English crawl cannot share
// demo.sonoivu with the Vietnamese one running beside it.
const englishAdmin = "crawl.admin.en"

// addEnglishAdmin adds englishAdmin, in Vietnamese until the crawl presses
// the language switch, with the demo's password.
func addEnglishAdmin(t *testing.T, db *store.DB) {
	t.Helper()
	hash, err := password.Hash(demo.Password, password.Default)
	if err != nil {
		t.Fatal(err)
	}
	u := &parindex.User{Username: englishAdmin, DisplayName: "Crawl Administrator", Lang: "vi",
		Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}
	if err := db.CreateUser(context.Background(), parindex.Actor{Name: "test"}, u, hash); err != nil {
		t.Fatal(err)
	}
}

// crawlTimeout bounds the whole crawl of one database. It took under 3
// minutes on two cores shared with other test runs; the bound leaves room
// for a busier machine and stops a crawl that hangs.
const crawlTimeout = 10 * time.Minute

const (
	// pagesPerPattern bounds the pages crawled whose addresses differ only
	// in an id, a code or their query.
	pagesPerPattern = 3
	// checksPerPattern bounds, for one account, the links of one pattern
	// whose status is fetched: a list of 80 agencies' sheets costs 80
	// renders of a sheet, and the first few say as much about a dead end.
	checksPerPattern = 5
	// pagesPerAccount bounds one account's crawl, against a link loop.
	pagesPerAccount = 250
)

// TestCrawlShowsNamesAndNoDeadEnds logs in as every kind of demo user and
// follows every link from the home page within the site (GET only, never
// the logout or language forms, which POST; downloads are fetched for their
// status, not opened). It fails when a page's visible text shows an internal
// identifier instead of a name (a snake_case code, a framework or instrument
// code, a unit type's code) outside the elements marked as codes, and when a
// link or a GET form leads to an error status for the user who sees it
// ("no dead ends": where a thing does not exist yet, the page says why
// instead of linking to it).
//
// It does not run under the race detector: a server built with -race
// renders pages several times slower, and 400 pages per database then take
// over ten minutes beside the other packages' tests. `make test` runs it as
// a step of its own, without -race, after the race run.
func TestCrawlShowsNamesAndNoDeadEnds(t *testing.T) {
	if raceDetector {
		t.Skip("the crawl runs without -race, as a step of its own in make test")
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			path := chromiumPath(t)
			srv := startServerOn(t, dialect)
			addEnglishAdmin(t, srv.DB)
			ctx := newBrowserFor(t, path, crawlTimeout)
			c := newCrawler(t, srv)
			start := time.Now()
			// The accounts crawl side by side, each in a browser context
			// of its own (its own cookies), as many at once as -parallel
			// allows: the server and the browser then share the cores.
			t.Run("accounts", func(t *testing.T) {
				for _, a := range crawlAccounts {
					t.Run(a.username+"_"+a.lang, func(t *testing.T) {
						t.Parallel()
						c.crawlAs(t, userContext(t, ctx), a.username, a.lang)
					})
				}
			})
			c.report(t)
			t.Logf("%s: %d pages crawled and %d links checked for %d accounts in %s", dialect, c.pages, c.checked,
				len(crawlAccounts), time.Since(start).Round(time.Second))
		})
	}
}

// The accounts list covers every demo account but the second clerk, whose
// pages are the first clerk's for another unit.
func TestCrawlCoversEveryKindOfDemoUser(t *testing.T) {
	roles := map[string]bool{}
	for _, a := range demo.Accounts {
		for _, c := range crawlAccounts {
			if c.username == a.Username {
				roles[a.Grant.Role] = true
			}
		}
	}
	for _, a := range demo.Accounts {
		if !roles[a.Grant.Role] {
			t.Errorf("no crawled account has the role %s of %s", a.Grant.Role, a.Username)
		}
	}
}

type crawler struct {
	srv    *server
	routes []string // GET route templates, to tell page patterns apart
	// codes are the framework and instrument codes of the database, and
	// typeWord finds a unit type's code as a word.
	codes    []string
	typeWord *regexp.Regexp

	mu sync.Mutex // the accounts crawl in parallel
	// findings: what was found → where (account and page), first few.
	findings map[string][]string
	pages    int
	checked  int
}

func newCrawler(t *testing.T, srv *server) *crawler {
	ctx := context.Background()
	c := &crawler{srv: srv, findings: map[string][]string{}}
	for _, r := range srv.Web.Routes() {
		if r.Method == http.MethodGet {
			c.routes = append(c.routes, r.Path)
		}
	}
	fws, err := srv.DB.FindFrameworks(ctx, store.FrameworkFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fws {
		c.codes = append(c.codes, f.Code)
	}
	ins, err := srv.DB.FindInstruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		c.codes = append(c.codes, in.Code)
	}
	types, err := srv.DB.OrgTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, ty := range types {
		words = append(words, regexp.QuoteMeta(ty.Code))
	}
	// A type's code between characters that are not part of a word or a
	// code; the pages speak Vietnamese, so English words are codes here.
	c.typeWord = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.-])(` + strings.Join(words, "|") + `)(?:$|[^\p{L}\p{N}_.-])`)
	if len(c.codes) < 3 || len(words) < 5 {
		t.Fatalf("the demo has %d framework and instrument codes and %d unit types", len(c.codes), len(words))
	}
	return c
}

// pageScan is what a page shows and where it leads.
type pageScan struct {
	Text    string     `json:"text"`    // document.body.innerText without marked codes
	Options []string   `json:"options"` // texts of <option>s, which innerText leaves out
	Buttons []string   `json:"buttons"` // values of <input type=submit|button>
	Charts  []string   `json:"charts"`  // axis labels, legends, series and titles of ECharts
	Marked  []string   `json:"marked"`  // texts of the elements marked as codes
	Links   []pageLink `json:"links"`   // a[href] and GET forms as their submission
}

type pageLink struct {
	URL  string `json:"url"`
	Text string `json:"text"`
}

// markedCodes selects the elements whose text is a code on purpose.
const markedCodes = `code, kbd, samp, .code, [data-code]`

const scanScript = `(() => {
	const marked = ` + "`" + markedCodes + "`" + `;
	const outer = [...document.querySelectorAll(marked)].filter(e => !e.parentElement || !e.parentElement.closest(marked));
	// Hidden through the CSSOM: the pages' CSP refuses a <style> added here.
	const before = outer.map(e => e.style.getPropertyValue('display'));
	outer.forEach(e => e.style.setProperty('display', 'none', 'important'));
	const text = document.body.innerText;
	outer.forEach((e, i) => e.style.setProperty('display', before[i]));
	const visible = e => !e.closest(marked) && e.getClientRects().length > 0;
	const options = [...document.querySelectorAll('select')].filter(visible).flatMap(s => [...s.options].map(o => o.text));
	const buttons = [...document.querySelectorAll('input[type=submit], input[type=button]')].filter(visible).map(i => i.value);
	const charts = [];
	if (window.echarts) {
		document.querySelectorAll('[_echarts_instance_]').forEach(el => {
			const chart = echarts.getInstanceByDom(el);
			if (!chart) return;
			const o = chart.getOption();
			const label = d => (d !== null && typeof d === 'object') ? (d.value ?? d.name ?? d.text ?? '') : d;
			for (const ax of [].concat(o.xAxis || [], o.yAxis || [], o.angleAxis || [])) (ax.data || []).forEach(d => charts.push(String(label(d))));
			for (const r of (o.radar || [])) (r.indicator || []).forEach(i => charts.push(String(i.name)));
			for (const l of (o.legend || [])) (l.data || []).forEach(d => charts.push(String(label(d))));
			for (const s of (o.series || [])) if (s.name) charts.push(String(s.name));
			for (const t of (o.title || [])) if (t.text) charts.push(String(t.text));
		});
	}
	const links = [...document.querySelectorAll('a[href]')].map(a => ({url: a.href, text: a.innerText.trim()}));
	for (const f of document.querySelectorAll('form')) {
		if ((f.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
		const u = new URL(f.action);
		u.search = new URLSearchParams(new FormData(f)).toString();
		const b = f.querySelector('button, input[type=submit]');
		links.push({url: u.href, text: (b && (b.innerText || b.value) || 'form').trim()});
	}
	return JSON.stringify({text, options, buttons, charts, marked: outer.map(e => e.textContent.trim()), links});
})()`

// statusScript fetches each address with the page's cookies and answers its
// status and whether it is a page (HTML) or a download.
const statusScript = `(async urls => JSON.stringify(await Promise.all(urls.map(async u => {
	const stop = new AbortController();
	try {
		const r = await fetch(u, {credentials: 'same-origin', signal: stop.signal});
		const type = r.headers.get('content-type') || '';
		stop.abort();
		return {url: u, status: r.status, page: type.startsWith('text/html')};
	} catch (e) {
		return {url: u, status: 0, error: String(e)};
	}
}))))`

type linkStatus struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Page   bool   `json:"page"`
	Error  string `json:"error"`
}

func (c *crawler) crawlAs(t *testing.T, ctx context.Context, username, lang string) {
	t.Helper()
	login(t, ctx, c.srv, username)
	if lang == "en" {
		submit(t, ctx, "switch to English", chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)), 200)
		if got := run(t, ctx, "page language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != "en" {
			t.Fatalf("%s: the language switch left the page in %q", username, got)
		}
		username += " (en)"
	}
	home := run(t, ctx, "location", chromedp.Location())
	start, pages, checked := time.Now(), 0, 0
	defer func() {
		c.mu.Lock()
		c.pages += pages
		c.checked += checked
		c.mu.Unlock()
		t.Logf("%s: %d pages from %s, %d links checked, in %s", username, pages, c.path(home), checked, time.Since(start).Round(100*time.Millisecond))
	}()
	queue := []string{home}
	queued := map[string]bool{home: true}
	known := map[string]linkStatus{} // status of each address for this account
	perPattern := map[string]int{c.pattern(home): 1}
	checks := map[string]int{}
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(page))
		if err != nil {
			t.Fatalf("%s: open %s: %v", username, page, err)
		}
		if resp.Status != 200 {
			c.find(fmt.Sprintf("status %d on opening %s", resp.Status, c.path(page)), username, page)
			continue
		}
		pages++
		raw := run(t, ctx, "scan "+page, chromedp.Evaluate[string](scanScript))
		var scan pageScan
		if err := json.Unmarshal([]byte(raw), &scan); err != nil {
			t.Fatalf("scan of %s: %v", page, err)
		}
		c.checkText(username, lang, page, &scan)

		var fresh []string
		text := map[string]string{}
		for _, l := range scan.Links {
			u, ok := c.internal(l.URL)
			if !ok {
				continue
			}
			if _, done := known[u]; !done && !slices.Contains(fresh, u) && checks[c.pattern(u)] < checksPerPattern {
				checks[c.pattern(u)]++
				fresh = append(fresh, u)
				text[u] = l.Text
			}
		}
		for _, st := range c.statuses(t, ctx, fresh) {
			known[st.URL] = st
			checked++
			if st.Status != 200 {
				what := fmt.Sprintf("dead end: %q leads to %s, status %d", text[st.URL], c.path(st.URL), st.Status)
				if st.Error != "" {
					what += " (" + st.Error + ")"
				}
				c.find(what, username, page)
				continue
			}
			if !st.Page || queued[st.URL] || pages+len(queue) >= pagesPerAccount {
				continue
			}
			if p := c.pattern(st.URL); perPattern[p] < pagesPerPattern {
				perPattern[p]++
				queued[st.URL] = true
				queue = append(queue, st.URL)
			}
		}
	}
}

// internal returns the address without its fragment when it is a page of
// this site a GET may open, and false for other sites, other schemes and
// the static files.
func (c *crawler) internal(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host != c.srv.Host {
		return "", false
	}
	u.Fragment = ""
	if strings.HasPrefix(u.Path, "/static/") {
		return "", false
	}
	return u.String(), true
}

// statuses fetches the addresses from the current page, a few dozen at a
// time.
func (c *crawler) statuses(t *testing.T, ctx context.Context, urls []string) []linkStatus {
	var out []linkStatus
	for len(urls) > 0 {
		n := min(len(urls), 40)
		arg, _ := json.Marshal(urls[:n])
		raw := run(t, ctx, "check links", chromedp.Evaluate[string](statusScript+"("+string(arg)+")", func(p *runtime.EvaluateParams) {
			p.AwaitPromise = new(true)
		}))
		var part []linkStatus
		if err := json.Unmarshal([]byte(raw), &part); err != nil {
			t.Fatalf("link statuses: %v", err)
		}
		out = append(out, part...)
		urls = urls[n:]
	}
	return out
}

// checkText records every internal identifier the page shows outside marked
// codes, and every marked text that has no code's shape.
func (c *crawler) checkText(username, lang, page string, s *pageScan) {
	type shown struct{ where, text string }
	parts := []shown{{"text", s.Text}}
	for _, o := range s.Options {
		parts = append(parts, shown{"a choice of a list", o})
	}
	for _, b := range s.Buttons {
		parts = append(parts, shown{"a button", b})
	}
	for _, ch := range s.Charts {
		parts = append(parts, shown{"a chart", ch})
	}
	for _, p := range parts {
		for _, m := range snakeCase.FindAllString(p.text, -1) {
			c.find(fmt.Sprintf("code %q in %s", m, p.where), username, page)
		}
		for _, code := range c.codes {
			if containsCode(p.text, code) {
				c.find(fmt.Sprintf("framework or instrument code %q in %s", code, p.where), username, page)
			}
		}
		if lang == "en" {
			continue // "department" or "ward" is an English word there
		}
		for _, m := range c.typeWord.FindAllStringSubmatch(p.text, -1) {
			c.find(fmt.Sprintf("unit type code %q in %s", m[1], p.where), username, page)
		}
	}
	for _, m := range s.Marked {
		if m == "" {
			continue
		}
		ok := false
		for _, lc := range legitimateCodes {
			ok = ok || lc.pattern.MatchString(m)
		}
		if !ok {
			c.find(fmt.Sprintf("%q is marked as a code but is none of legitimateCodes", m), username, page)
		}
	}
}

// containsCode reports whether code occurs in text as a whole token.
func containsCode(text, code string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], code)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(code)
		if (start == 0 || !codeByte(text[start-1])) && (end == len(text) || !codeByte(text[end])) {
			return true
		}
		i = end
	}
}

func codeByte(b byte) bool {
	return b == '-' || b == '_' || b == '.' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// pattern is the route template of an address: pages of one pattern
// differ only in ids, codes or query parameters (filters, pages of a list,
// a paper size).
func (c *crawler) pattern(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	for _, r := range c.routes {
		if routeMatches(r, u.Path) {
			return r
		}
	}
	return u.Path
}

// routeMatches reports whether path fits gin's route template (":name"
// matches one segment, "*name" the rest).
func routeMatches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	for i, seg := range ts {
		if strings.HasPrefix(seg, "*") {
			return true
		}
		if i >= len(ps) || (!strings.HasPrefix(seg, ":") && seg != ps[i]) {
			return false
		}
	}
	return len(ts) == len(ps)
}

func (c *crawler) path(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.RequestURI()
}

// find records a finding once, with the first few places it was seen.
func (c *crawler) find(what, username, page string) {
	where := username + " on " + c.path(page)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.findings[what]) < 3 && !slices.Contains(c.findings[what], where) {
		c.findings[what] = append(c.findings[what], where)
	}
}

// report fails the test with every finding, each once.
func (c *crawler) report(t *testing.T) {
	whats := make([]string, 0, len(c.findings))
	for w := range c.findings {
		whats = append(whats, w)
	}
	sort.Strings(whats)
	for _, w := range whats {
		t.Errorf("%s (seen by %s)", w, strings.Join(c.findings[w], "; "))
	}
	if c.pages < 10*len(crawlAccounts) {
		t.Errorf("only %d pages crawled: the crawl no longer follows the menus", c.pages)
	}
}
