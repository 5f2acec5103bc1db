package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"parindex"
	"parindex/criteria"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// The API serves other systems (the one-stop-shop system, dashboards) with
// JSON only. It authenticates by bearer token alone: the session cookie of
// a staff browser is never consulted, so a page a user has open cannot
// call it for them. Every decision goes through parindex.Can with the
// token presented as a user (parindex.APIToken.User). docs/api.md is the
// guide; openapi.json the contract, checked against these routes by a test.
const apiPrefix = "/api/v1"

// Limits of the API.
const (
	apiRate        = 10               // requests a second per token, sustained
	apiBurst       = 40               // requests a token may send at once
	apiMaxBatch    = 10000            // observations in one PUT
	apiMaxBody     = 8 << 20          // bytes of one PUT
	apiDefaultPage = 100              // items of a page when ?limit= is absent
	apiMaxPage     = 1000             // the largest ?limit=
	apiKeyToken    = "parindex.token" // gin context key of the request's token
)

// Error codes of the API besides the domain ones (parindex.ECode…).
const (
	apiCodeRateLimited = "rate_limited"
)

type api struct {
	s       *Server
	results *survey.Service

	mu       sync.Mutex
	limiters map[int64]*rate.Limiter // by token id
}

// apiRoutes registers /api/v1. The survey results service lives here: the
// API is its only user in the web server so far.
func (s *Server) apiRoutes(e *gin.Engine) {
	a := &api{s: s, results: survey.NewService(s.db, survey.ResultOptions{}), limiters: map[int64]*rate.Limiter{}}
	g := e.Group(apiPrefix, apiHeaders)
	g.GET("/openapi.json", a.openAPI)
	t := g.Group("", a.authenticate, a.rateLimit)
	t.GET("/units", a.listUnits)
	t.GET("/units/:code", a.getUnit)
	t.GET("/units/:code/metrics", a.unitMetrics)
	t.GET("/frameworks", a.listFrameworks)
	t.GET("/frameworks/:code", a.getFramework)
	t.GET("/metrics/catalog", a.catalog)
	t.GET("/metrics", a.listObservations)
	t.PUT("/metrics", a.putObservations)
	t.GET("/snapshots", a.listSnapshots)
	t.GET("/snapshots/:id", a.getSnapshot)
	t.GET("/snapshots/:id/units/:code", a.snapshotUnit)
	t.GET("/survey/results", a.surveyResults)
	t.GET("/survey/results/:code", a.surveyUnitResult)
}

// apiHeaders: API answers are per token and change with every import;
// nothing may cache them.
func apiHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// --- errors -----------------------------------------------------------------

// apiError is the one error shape: {"error": {...}}.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
	Items   []apiItemError `json:"items,omitempty"`
}

// apiItemError is one bad item of a batch.
type apiItemError struct {
	Index     int    `json:"index"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

func (a *api) abort(c *gin.Context, status int, e apiError) {
	c.AbortWithStatusJSON(status, gin.H{"error": e})
}

// fail answers a domain error with its status (HTTPStatus) and its
// user-facing message; internal details go to the log only.
func (a *api) fail(c *gin.Context, err error, field string) {
	code := parindex.ErrorCode(err)
	if code == parindex.ECodeInternal {
		a.s.log.Error("api internal error", slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
	}
	a.abort(c, HTTPStatus(err), apiError{Code: code, Message: parindex.ErrorMessage(err), Field: field})
}

// year reads the optional ?year=: 0 when absent; ok is false after
// answering 400 when it is not a year the product knows.
func (a *api) year(c *gin.Context) (year int, ok bool) {
	v := c.Query("year")
	if v == "" {
		return 0, true
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < parindex.MinPeriodYear || y > parindex.MaxPeriodYear {
		a.invalid(c, "year", "year phải là một năm, ví dụ 2026", "year must be a year such as 2026")
		return 0, false
	}
	return y, true
}

func (a *api) invalid(c *gin.Context, field, vi, en string) {
	a.abort(c, http.StatusBadRequest, apiError{Code: parindex.ECodeInvalid, Message: vi + " (" + en + ")", Field: field})
}

// --- authentication and rate limits -------------------------------------------

func apiToken(c *gin.Context) *parindex.APIToken {
	t, _ := c.Get(apiKeyToken)
	tok, _ := t.(*parindex.APIToken)
	return tok
}

// apiUser is the request's token as the policy sees it.
func apiUser(c *gin.Context) *parindex.User { return apiToken(c).User() }

func apiActor(c *gin.Context) parindex.Actor {
	return parindex.Actor{Name: apiToken(c).ActorName(), RequestID: requestID(c)}
}

// authenticate accepts "Authorization: Bearer <token>" and nothing else.
func (a *api) authenticate(c *gin.Context) {
	scheme, secret, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		c.Header("WWW-Authenticate", `Bearer realm="parindex"`)
		a.abort(c, http.StatusUnauthorized, apiError{Code: parindex.ECodeUnauthorized,
			Message: "Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã> (missing API token: send Authorization: Bearer <token>)"})
		return
	}
	tok, err := a.s.db.APITokenBySecret(c.Request.Context(), secret)
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeUnauthorized {
			c.Header("WWW-Authenticate", `Bearer realm="parindex", error="invalid_token"`)
		}
		a.fail(c, err, "")
		return
	}
	if !parindex.Can(tok.User(), parindex.ActionUseAPI, parindex.Target{}) {
		a.fail(c, parindex.Errorf(parindex.ECodeForbidden, "Mã truy cập này không được dùng API (this token may not use the API)"), "")
		return
	}
	c.Set(apiKeyToken, tok)
	c.Next()
}

func (a *api) limiter(id int64) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.limiters[id]
	if !ok {
		l = rate.NewLimiter(apiRate, apiBurst)
		a.limiters[id] = l
	}
	return l
}

// rateLimit allows each token apiRate requests a second with bursts of
// apiBurst, per server process, and answers 429 with Retry-After beyond.
func (a *api) rateLimit(c *gin.Context) {
	r := a.limiter(apiToken(c).ID).Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
		a.abort(c, http.StatusTooManyRequests, apiError{Code: apiCodeRateLimited,
			Message: fmt.Sprintf("Quá nhiều yêu cầu: tối đa %d yêu cầu mỗi giây cho một mã truy cập; thử lại sau (too many requests: at most %d a second per token; retry later)", apiRate, apiRate)})
		return
	}
	c.Next()
}

// --- pagination ---------------------------------------------------------------

// apiPage is ?limit= and ?cursor=: cursors are opaque strings from the
// previous page's next_cursor.
type apiPage struct {
	Limit  int
	Cursor string // decoded
}

func (a *api) page(c *gin.Context) (apiPage, bool) {
	p := apiPage{Limit: apiDefaultPage}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxPage {
			a.invalid(c, "limit", fmt.Sprintf("limit phải là số từ 1 đến %d", apiMaxPage), fmt.Sprintf("limit must be 1..%d", apiMaxPage))
			return p, false
		}
		p.Limit = n
	}
	if v := c.Query("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) == 0 {
			a.invalid(c, "cursor", "cursor không hợp lệ: dùng next_cursor của trang trước", "invalid cursor: use the previous page's next_cursor")
			return p, false
		}
		p.Cursor = string(raw)
	}
	return p, true
}

// apiList is the envelope of every list: the items, and the cursor and
// link of the next page when there is one.
type apiList struct {
	Data       any          `json:"data"`
	NextCursor string       `json:"next_cursor,omitempty"`
	Links      apiListLinks `json:"links"`
}

type apiListLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
}

// list answers a page; next is the raw cursor after the last item ("" on
// the last page).
func (a *api) list(c *gin.Context, data any, next string) {
	out := apiList{Data: data, Links: apiListLinks{Self: c.Request.URL.RequestURI()}}
	if next != "" {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(next))
		u := *c.Request.URL
		q := u.Query()
		q.Set("cursor", out.NextCursor)
		u.RawQuery = q.Encode()
		out.Links.Next = u.RequestURI()
	}
	c.JSON(http.StatusOK, out)
}

// pageByCode cuts a list sorted by code into the page after the cursor.
func pageByCode[T any](items []T, code func(T) string, p apiPage) ([]T, string) {
	start := 0
	if p.Cursor != "" {
		start = sort.Search(len(items), func(i int) bool { return code(items[i]) > p.Cursor })
	}
	items = items[start:]
	if len(items) <= p.Limit {
		return items, ""
	}
	items = items[:p.Limit]
	return items, code(items[len(items)-1])
}

// --- units ----------------------------------------------------------------------

type apiUnit struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Parent    string `json:"parent,omitempty"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to,omitempty"`
	Successor string `json:"successor,omitempty"`
}

func apiUnitOf(u *parindex.OrgUnit) apiUnit {
	return apiUnit{u.Code, u.Name, u.Type, u.ParentCode, u.ValidFrom.String(), u.ValidTo.String(), u.SuccessorCode}
}

// unitIndex is every unit with what the policy needs to decide about it.
type unitIndex struct {
	all       []*parindex.OrgUnit // by code
	byCode    map[string]*parindex.OrgUnit
	ancestors map[int64][]int64
}

func (a *api) units(ctx context.Context) (*unitIndex, error) {
	all, err := a.s.db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	ix := &unitIndex{all: all, byCode: make(map[string]*parindex.OrgUnit, len(all)), ancestors: parindex.AncestorIDs(all)}
	for _, u := range all {
		ix.byCode[u.Code] = u
	}
	return ix, nil
}

func (ix *unitIndex) target(u *parindex.OrgUnit) parindex.Target {
	return parindex.Target{UnitID: u.ID, UnitAncestors: ix.ancestors[u.ID]}
}

// readableUnit finds a unit the token may read: 404 for an unknown code,
// 403 for a unit outside the token's scope.
func (a *api) readableUnit(c *gin.Context, ix *unitIndex, code string) (*parindex.OrgUnit, bool) {
	u := ix.byCode[code]
	if u == nil {
		a.fail(c, parindex.Errorf(parindex.ECodeNotFound, "Không có đơn vị mã %q (no unit with code %q)", code, code), "unit")
		return nil, false
	}
	if !parindex.Can(apiUser(c), parindex.ActionReadAPI, ix.target(u)) {
		a.fail(c, parindex.Errorf(parindex.ECodeForbidden, "Mã truy cập này không đọc được đơn vị %s (this token may not read unit %s)", code, code), "unit")
		return nil, false
	}
	return u, true
}

func (a *api) today() parindex.Date { return parindex.DateOf(a.s.db.Now().In(vietnamTime)) }

// listUnits: units valid today (or ?valid_on=, or every unit with
// ?all=true), of a type with ?type=, that the token may read, by code.
func (a *api) listUnits(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	on := a.today()
	if v := c.Query("valid_on"); v != "" {
		d, err := parindex.ParseDate(v)
		if err != nil {
			a.invalid(c, "valid_on", "valid_on cần dạng yyyy-mm-dd", "valid_on must be yyyy-mm-dd")
			return
		}
		on = d
	}
	all := c.Query("all") == "true"
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := apiUser(c)
	typ := c.Query("type")
	var units []*parindex.OrgUnit
	for _, unit := range ix.all {
		if (all || unit.ValidOn(on)) && (typ == "" || unit.Type == typ) && parindex.Can(u, parindex.ActionReadAPI, ix.target(unit)) {
			units = append(units, unit)
		}
	}
	units, next := pageByCode(units, func(u *parindex.OrgUnit) string { return u.Code }, p)
	out := make([]apiUnit, len(units))
	for i, unit := range units {
		out[i] = apiUnitOf(unit)
	}
	a.list(c, out, next)
}

func (a *api) getUnit(c *gin.Context) {
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u, ok := a.readableUnit(c, ix, c.Param("code"))
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": apiUnitOf(u)})
}

// --- frameworks -------------------------------------------------------------------

type apiFramework struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Year        int       `json:"year"`
	AgencyTypes []string  `json:"agency_types"`
	Hash        string    `json:"hash"`
	PublishedAt time.Time `json:"published_at"`
}

type apiFrameworkDetail struct {
	apiFramework
	Description string     `json:"description,omitempty"`
	Source      string     `json:"source,omitempty"`
	TotalMax    float64    `json:"total_max"`
	Rounding    int        `json:"rounding"`
	CapIndex    *float64   `json:"cap_index,omitempty"`
	Bands       []apiBand  `json:"bands"`
	Metrics     []string   `json:"metrics"`
	Nodes       []*apiNode `json:"nodes"`
}

type apiBand struct {
	Code string  `json:"code"`
	Name string  `json:"name"`
	Min  float64 `json:"min"`
}

type apiNode struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Max        *float64   `json:"max,omitempty"` // absent inside a bonus/penalty block
	Method     string     `json:"method,omitempty"`
	Metrics    []string   `json:"metrics,omitempty"`
	Missing    string     `json:"missing,omitempty"` // leaves: zero or exclude
	Adjustment bool       `json:"adjustment,omitempty"`
	Children   []*apiNode `json:"children,omitempty"`
}

func apiFrameworkOf(r *store.FrameworkRecord) apiFramework {
	return apiFramework{r.Code, r.Name, r.Year, r.AgencyTypes, r.Hash, r.PublishedAt.UTC()}
}

// listFrameworks lists the published frameworks (drafts are DoHA's work in
// progress), by code; ?year= filters.
func (a *api) listFrameworks(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.FrameworkFilter{Status: store.FrameworkPublished}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	recs, err := a.s.db.FindFrameworks(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Code < recs[j].Code })
	recs, next := pageByCode(recs, func(r *store.FrameworkRecord) string { return r.Code }, p)
	out := make([]apiFramework, len(recs))
	for i, r := range recs {
		out[i] = apiFrameworkOf(r)
	}
	a.list(c, out, next)
}

func (a *api) getFramework(c *gin.Context) {
	rec, err := a.s.db.FrameworkByCode(c.Request.Context(), c.Param("code"))
	if err == nil && !rec.Published() {
		err = parindex.Errorf(parindex.ECodeNotFound, "Không có bộ tiêu chí đã công bố mã %q (no published framework %q)", c.Param("code"), c.Param("code"))
	}
	if err != nil {
		a.fail(c, err, "code")
		return
	}
	f, err := rec.Framework()
	if err != nil {
		a.fail(c, err, "")
		return
	}
	d := apiFrameworkDetail{apiFramework: apiFrameworkOf(rec), Description: f.Description, Source: f.Source, TotalMax: f.TotalMax(),
		Rounding: f.Rounding, CapIndex: f.CapIndex, Metrics: f.Metrics(), Bands: []apiBand{}}
	for _, b := range f.Bands {
		d.Bands = append(d.Bands, apiBand{b.Code, b.Name, b.Min})
	}
	var build func(nodes []*criteria.Node) []*apiNode
	build = func(nodes []*criteria.Node) []*apiNode {
		out := make([]*apiNode, 0, len(nodes))
		for _, n := range nodes {
			v := &apiNode{Code: n.Code, Name: n.Name, Method: string(n.Method), Metrics: n.Metrics(), Adjustment: n.Adjustment}
			if !f.InAdjustment(n.Code) {
				m := n.MaxPoints()
				v.Max = &m
			}
			if n.IsLeaf() {
				v.Missing = string(f.MissingFor(n.Code))
			}
			v.Children = build(n.Children)
			if len(v.Children) == 0 {
				v.Children = nil
			}
			out = append(out, v)
		}
		return out
	}
	d.Nodes = build(f.Nodes)
	c.JSON(http.StatusOK, gin.H{"data": d})
}

// --- metrics --------------------------------------------------------------------

type apiMetric struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Unit        string `json:"unit"`
	Description string `json:"description,omitempty"`
	Combine     string `json:"combine"`
	SelfReport  bool   `json:"self_report"`
}

// catalog returns the whole catalogue (a few dozen entries: one page).
func (a *api) catalog(c *gin.Context) {
	ms, err := a.s.db.Metrics(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := make([]apiMetric, len(ms))
	for i, m := range ms {
		out[i] = apiMetric{m.Code, m.NameVI, m.NameEN, m.Unit, m.Description, string(m.Combine), m.SelfReport}
	}
	a.list(c, out, "")
}

type apiObservation struct {
	Unit       string    `json:"unit"`
	Period     string    `json:"period"`
	Metric     string    `json:"metric"`
	Value      float64   `json:"value"`
	Source     string    `json:"source"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// listObservations lists stored values as reported (not derived), with
// filters; a token for one unit reads only that unit's.
func (a *api) listObservations(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.ObservationFilter{Limit: p.Limit + 1, Metric: c.Query("metric"), Source: c.Query("source")}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	if v := c.Query("period"); v != "" {
		per, err := parindex.ParsePeriod(v)
		if err != nil {
			a.periodInvalid(c, err)
			return
		}
		f.Period = per.String()
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	tok := apiToken(c)
	switch code := c.Query("unit"); {
	case code != "":
		u, ok := a.readableUnit(c, ix, code)
		if !ok {
			return
		}
		f.UnitID = u.ID
	case tok.UnitID != 0:
		f.UnitID = tok.UnitID // the token's own unit: the only one it may read
	}
	if p.Cursor != "" {
		parts := strings.SplitN(p.Cursor, "|", 3)
		id, err := strconv.ParseInt(parts[0], 10, 64)
		if len(parts) != 3 || err != nil {
			a.invalid(c, "cursor", "cursor không hợp lệ: dùng next_cursor của trang trước", "invalid cursor: use the previous page's next_cursor")
			return
		}
		f.After = &store.ObservationCursor{UnitID: id, Period: parts[1], Metric: parts[2]}
	}
	obs, err := a.s.db.FindObservations(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	next := ""
	if len(obs) > p.Limit {
		obs = obs[:p.Limit]
		last := obs[len(obs)-1]
		next = fmt.Sprintf("%d|%s|%s", last.UnitID, last.Period, last.Metric)
	}
	out := make([]apiObservation, len(obs))
	for i, o := range obs {
		out[i] = apiObservation{o.UnitCode, o.Period.String(), o.Metric, o.Value, o.Source, o.RecordedAt.UTC(), o.RecordedBy}
	}
	a.list(c, out, next)
}

func (a *api) periodInvalid(c *gin.Context, err error) {
	var pe *parindex.PeriodError
	if errors.As(err, &pe) {
		a.invalid(c, "period", pe.VI, pe.EN)
		return
	}
	a.fail(c, err, "period")
}

type apiValue struct {
	Metric  string  `json:"metric"`
	Value   float64 `json:"value"`
	Derived bool    `json:"derived"`
	Parts   int     `json:"parts"`
}

type apiCompleteness struct {
	Framework string   `json:"framework"`
	Needed    int      `json:"needed"`
	Complete  bool     `json:"complete"`
	Missing   []string `json:"missing"`
	Optional  []string `json:"missing_optional"`
	Unknown   []string `json:"not_in_catalog,omitempty"`
}

// unitMetrics is one unit's value of every metric for ?period= (default:
// the current year), reported or derived by the catalogue's rule, with
// what each framework of the year still lacks.
func (a *api) unitMetrics(c *gin.Context) {
	ctx := c.Request.Context()
	ix, err := a.units(ctx)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u, ok := a.readableUnit(c, ix, c.Param("code"))
	if !ok {
		return
	}
	p, err := a.s.periodParam(c.Query("period"))
	if err != nil {
		a.periodInvalid(c, err)
		return
	}
	values, err := a.s.db.PeriodValues(ctx, p, u.ID)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	catalog, err := a.s.db.Metrics(ctx)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	needs, err := a.s.loadNeeds(ctx, p.Year)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := struct {
		Unit         string            `json:"unit"`
		Period       string            `json:"period"`
		Values       []apiValue        `json:"values"`
		Completeness []apiCompleteness `json:"completeness"`
	}{Unit: u.Code, Period: p.String(), Values: []apiValue{}, Completeness: []apiCompleteness{}}
	for _, m := range catalog {
		if v, ok := values[u.ID][m.Code]; ok {
			out.Values = append(out.Values, apiValue{m.Code, v.Value, v.Derived, v.Parts})
		}
	}
	for _, ch := range checksFor(needs, u, values[u.ID], catalogMap(catalog)) {
		out.Completeness = append(out.Completeness, apiCompleteness{ch.Framework, ch.Needed, ch.Complete(), nonNil(ch.Missing), nonNil(ch.Optional), ch.Unknown})
	}
	c.JSON(http.StatusOK, gin.H{"data": out})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiItemFields are the fields of one observation in a PUT.
var apiItemFields = []string{"unit", "period", "metric", "value"}

// putObservations stores a batch of observations: an idempotent upsert,
// all or nothing. A batch with any bad item is refused whole (422) with
// every bad item listed; a batch touching a unit the token may not write
// is refused (403) with those items listed, before anything is checked.
func (a *api) putObservations(c *gin.Context) {
	if ct := c.ContentType(); ct != "" && ct != "application/json" {
		a.abort(c, http.StatusUnsupportedMediaType, apiError{Code: parindex.ECodeInvalid,
			Message: "Nội dung phải là JSON, Content-Type: application/json (the body must be JSON)"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, apiMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.abort(c, http.StatusRequestEntityTooLarge, apiError{Code: parindex.ECodeTooLarge,
				Message: fmt.Sprintf("Nội dung quá lớn: tối đa %d MiB; hãy chia thành nhiều lô (the body is larger than %d MiB; send several batches)", apiMaxBody>>20, apiMaxBody>>20)})
			return
		}
		a.fail(c, err, "")
		return
	}
	if path, key, first, found := repeatedKey(body); found {
		vi, en := "", ""
		if key != first {
			vi = fmt.Sprintf(" (trùng %q: chữ hoa và chữ thường được coi là như nhau)", first)
			en = fmt.Sprintf(" (as %q: keys that differ only in case are the same)", first)
		}
		a.abort(c, http.StatusUnprocessableEntity, apiError{Code: parindex.ECodeInvalid, Field: path,
			Message: fmt.Sprintf("khóa %q xuất hiện hai lần trong một đối tượng, tại %s%s; mỗi khóa chỉ được ghi một lần; không ghi gì (key %q appears twice in one object, at %s%s; each key may appear once; nothing was written)",
				key, path, vi, key, path, en)})
		return
	}
	var req struct {
		Observations []json.RawMessage `json:"observations"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		a.invalid(c, "", "nội dung không phải JSON dạng {\"observations\": [...]}: "+jsonProblem(err),
			"the body is not JSON of the form {\"observations\": [...]}: "+jsonProblem(err))
		return
	}
	switch {
	case len(req.Observations) == 0:
		a.invalid(c, "observations", "cần ít nhất một số liệu trong observations", "observations must hold at least one item")
		return
	case len(req.Observations) > apiMaxBatch:
		a.abort(c, http.StatusRequestEntityTooLarge, apiError{Code: parindex.ECodeTooLarge, Field: "observations",
			Message: fmt.Sprintf("Tối đa %d số liệu mỗi lô (at most %d observations a batch)", apiMaxBatch, apiMaxBatch)})
		return
	}
	rows, itemErrs := decodeItems(req.Observations)

	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := apiUser(c)
	if !parindex.CanAny(u, parindex.ActionWriteMetrics) {
		a.fail(c, parindex.Errorf(parindex.ECodeForbidden, "Mã truy cập này chỉ được đọc; cần mã có quyền ghi (this token is read-only; a write token is needed)"), "")
		return
	}
	var forbidden []apiItemError
	for i, r := range rows {
		if unit := ix.byCode[strings.TrimSpace(r.Unit)]; unit != nil && !parindex.Can(u, parindex.ActionWriteMetrics, ix.target(unit)) {
			forbidden = append(forbidden, apiItemError{Index: i, Field: "unit",
				Message:   fmt.Sprintf("mã truy cập này không được ghi số liệu của đơn vị %s", unit.Code),
				MessageEN: fmt.Sprintf("this token may not write metrics of unit %s", unit.Code)})
		}
	}
	if len(forbidden) > 0 {
		a.abort(c, http.StatusForbidden, apiError{Code: parindex.ECodeForbidden,
			Message: fmt.Sprintf("Lô bị từ chối: %d số liệu thuộc đơn vị ngoài phạm vi của mã truy cập; không ghi gì (%d items are outside the token's scope; nothing was written)", len(forbidden), len(forbidden)),
			Field:   "observations", Items: forbidden})
		return
	}
	opts := store.PutOptions{Source: parindex.MetricSourceAPI, DryRun: len(itemErrs) > 0}
	res, err := a.s.db.PutObservations(c.Request.Context(), apiActor(c), rows, opts)
	var ie parindex.InputErrors
	if errors.As(err, &ie) {
		itemErrs = mergeItemErrors(itemErrs, ie)
	} else if err != nil {
		a.fail(c, err, "")
		return
	}
	if len(itemErrs) > 0 {
		a.abort(c, http.StatusUnprocessableEntity, apiError{Code: parindex.ECodeInvalid, Field: "observations", Items: itemErrs,
			Message: fmt.Sprintf("Lô bị từ chối: %d số liệu không hợp lệ; không ghi gì (%d items are invalid; nothing was written)", len(itemErrs), len(itemErrs))})
		return
	}
	type item struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
	}
	items := make([]item, len(res.Outcomes))
	for i, o := range res.Outcomes {
		items[i] = item{i, o}
	}
	c.JSON(http.StatusOK, gin.H{"data": gin.H{"inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged, "items": items}})
}

func jsonProblem(err error) string {
	if err == nil {
		return "extra data after the object"
	}
	return err.Error()
}

// decodeItems turns the JSON items into rows (Row = index + 1) and the
// problems that JSON types alone show: an item that is not an object, an
// unknown field, a string where a number belongs.
func decodeItems(raws []json.RawMessage) ([]parindex.ObservationRow, []apiItemError) {
	rows := make([]parindex.ObservationRow, len(raws))
	var errs []apiItemError
	bad := func(i int, field, vi, en string) {
		errs = append(errs, apiItemError{Index: i, Field: field, Message: vi, MessageEN: en})
	}
	for i, raw := range raws {
		rows[i].Row = i + 1
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			bad(i, "", "mỗi số liệu phải là một đối tượng JSON {unit, period, metric, value}", "each observation must be an object {unit, period, metric, value}")
			continue
		}
		for _, k := range sortedKeys(m) {
			if !containsString(apiItemFields, k) {
				bad(i, k, fmt.Sprintf("trường %q không được dùng; các trường: unit, period, metric, value", k), fmt.Sprintf("unknown field %q", k))
			}
		}
		text := func(field string, dst *string) {
			v, ok := m[field]
			if !ok {
				return // the store names it as missing
			}
			if err := json.Unmarshal(v, dst); err != nil {
				bad(i, field, fmt.Sprintf("%s phải là chuỗi", field), fmt.Sprintf("%s must be a string", field))
				*dst = ""
			}
		}
		text("unit", &rows[i].Unit)
		text("period", &rows[i].Period)
		text("metric", &rows[i].Metric)
		if v, ok := m["value"]; ok {
			var n json.Number
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			var x any
			if err := d.Decode(&x); err == nil {
				n, ok = x.(json.Number)
			}
			if !ok {
				bad(i, "value", "value phải là số JSON (không đặt trong ngoặc kép)", "value must be a JSON number (not a string)")
				continue
			}
			rows[i].Value = n.String()
		}
	}
	return rows, errs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mergeItemErrors adds the store's findings to those of the JSON types, one
// per item and field, by index.
func mergeItemErrors(errs []apiItemError, ie parindex.InputErrors) []apiItemError {
	seen := map[string]bool{}
	for _, e := range errs {
		seen[fmt.Sprintf("%d/%s", e.Index, e.Field)] = true
	}
	for _, e := range ie {
		item := apiItemError{Index: e.Row - 1, Field: e.Column, Message: e.VI, MessageEN: e.EN}
		// An item that is not an object has one problem, not one per field.
		if e.Row == 0 || seen[fmt.Sprintf("%d/%s", item.Index, item.Field)] || seen[fmt.Sprintf("%d/", item.Index)] {
			continue
		}
		// The store locates a duplicate by row (index + 1); say item.
		var first int
		if _, err := fmt.Sscanf(e.EN, "duplicates row %d", &first); err == nil {
			item.Message = fmt.Sprintf("trùng với số liệu thứ %d (cùng đơn vị, kỳ và chỉ số)", first-1)
			item.MessageEN = fmt.Sprintf("duplicates item %d (same unit, period and metric)", first-1)
		}
		errs = append(errs, item)
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Index < errs[j].Index })
	return errs
}

// --- score snapshots ----------------------------------------------------------

type apiSnapshot struct {
	ID            int64     `json:"id"`
	Framework     string    `json:"framework"`
	FrameworkHash string    `json:"framework_hash"`
	Year          int       `json:"year"`
	PublishedAt   time.Time `json:"published_at"`
	Note          string    `json:"note,omitempty"`
	// Publication is final, final_with_exceptions or provisional;
	// Provisional repeats the last for clients that read one flag.
	Publication     parindex.Publication `json:"publication"`
	Provisional     bool                 `json:"provisional"`
	Exceptions      []string             `json:"exceptions"`
	PublicationNote string               `json:"publication_note,omitempty"`
}

// apiIncomplete is one thing that was incomplete for a unit when its
// snapshot was scored (snapshot.PreflightItem).
type apiIncomplete struct {
	Node      string   `json:"node,omitempty"`
	Kind      string   `json:"kind"`
	State     string   `json:"state,omitempty"`
	N         int      `json:"n,omitempty"`
	HalfWidth *float64 `json:"half_width,omitempty"`
	Scored    bool     `json:"scored"`
	VI        string   `json:"vi"`
	EN        string   `json:"en"`
}

type apiSnapshotUnit struct {
	Unit         string   `json:"unit"`
	Name         string   `json:"name"`
	Points       float64  `json:"points"`
	MaxPoints    float64  `json:"max_points"`
	Index        *float64 `json:"index"`
	IndexRounded *float64 `json:"index_rounded"`
	Rank         int      `json:"rank,omitempty"`
	Band         string   `json:"band,omitempty"`
}

func apiSnapshotOf(s *parindex.Snapshot) apiSnapshot {
	exceptions := s.Exceptions
	if exceptions == nil {
		exceptions = []string{}
	}
	return apiSnapshot{s.ID, s.FrameworkCode, s.FrameworkHash, s.Year, s.PublishedAt.UTC(), s.Note,
		s.Publication, s.Provisional(), exceptions, s.PublicationNote}
}

// listSnapshots lists published score snapshots, newest first; drafts are
// DoHA's until published. ?framework= and ?year= filter.
func (a *api) listSnapshots(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	f := store.SnapshotFilter{Status: parindex.StatusPublished, FrameworkCode: c.Query("framework")}
	if f.Year, ok = a.year(c); !ok {
		return
	}
	var after int64
	if p.Cursor != "" {
		var err error
		if after, err = strconv.ParseInt(p.Cursor, 10, 64); err != nil {
			a.invalid(c, "cursor", "cursor không hợp lệ: dùng next_cursor của trang trước", "invalid cursor: use the previous page's next_cursor")
			return
		}
	}
	found, err := a.s.db.FindSnapshots(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	out := []apiSnapshot{}
	next := ""
	for _, s := range found { // newest (highest id) first
		if after != 0 && s.ID >= after {
			continue
		}
		if len(out) == p.Limit {
			next = strconv.FormatInt(out[len(out)-1].ID, 10)
			break
		}
		out = append(out, apiSnapshotOf(s))
	}
	a.list(c, out, next)
}

// publishedSnapshot reads a published snapshot by the :id parameter.
func (a *api) publishedSnapshot(c *gin.Context) (*parindex.Snapshot, bool) {
	id, err := idParam(c, "id")
	var s *parindex.Snapshot
	if err == nil {
		s, err = a.s.db.Snapshot(c.Request.Context(), id)
	}
	if err == nil && s.Status != parindex.StatusPublished {
		err = parindex.Errorf(parindex.ECodeNotFound, "Không có bản chốt điểm số %d đã công bố (no published snapshot %d)", id, id)
	}
	if err != nil {
		a.fail(c, err, "id")
		return nil, false
	}
	return s, true
}

// getSnapshot is a snapshot with the headline figures of the units the
// token may read, in rank order.
func (a *api) getSnapshot(c *gin.Context) {
	s, ok := a.publishedSnapshot(c)
	if !ok {
		return
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := apiUser(c)
	units := []apiSnapshotUnit{}
	for _, su := range s.Units {
		if unit := ix.byCode[su.UnitCode]; unit == nil || !parindex.Can(u, parindex.ActionReadAPI, ix.target(unit)) {
			continue
		}
		units = append(units, apiSnapshotUnit{su.UnitCode, su.UnitName, su.Points, su.MaxPoints, su.Index, su.IndexRounded, su.Rank, su.Band})
	}
	c.JSON(http.StatusOK, gin.H{"data": struct {
		apiSnapshot
		Units []apiSnapshotUnit `json:"units"`
	}{apiSnapshotOf(s), units}})
}

// snapshotUnit is one unit's full result in a snapshot: the headline
// figures and the engine's result for the unit, with every node's points,
// maximum, status and inputs (docs/scoring.md describes the document).
func (a *api) snapshotUnit(c *gin.Context) {
	s, ok := a.publishedSnapshot(c)
	if !ok {
		return
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	unit, ok := a.readableUnit(c, ix, c.Param("code"))
	if !ok {
		return
	}
	var head *parindex.SnapshotUnit
	for i := range s.Units {
		if s.Units[i].UnitCode == unit.Code {
			head = &s.Units[i]
		}
	}
	var doc struct {
		Agencies []json.RawMessage `json:"agencies"`
	}
	if err := json.Unmarshal(s.Results, &doc); err != nil {
		a.fail(c, fmt.Errorf("web: snapshot %d results: %w", s.ID, err), "")
		return
	}
	var result json.RawMessage
	for _, raw := range doc.Agencies {
		var id struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &id) == nil && id.Code == unit.Code {
			result = raw
		}
	}
	if head == nil || result == nil {
		a.fail(c, parindex.Errorf(parindex.ECodeNotFound, "Đơn vị %s không được chấm trong bản chốt %d (unit %s is not in snapshot %d)", unit.Code, s.ID, unit.Code, s.ID), "code")
		return
	}
	rec, err := snapshot.DecodeRecord(s)
	if err != nil {
		a.fail(c, err, "")
		return
	}
	incomplete := []apiIncomplete{}
	for _, it := range rec.Incomplete(unit.Code) {
		incomplete = append(incomplete, apiIncomplete{it.Node, it.Kind, string(it.State), it.N, it.HalfWidth, it.Scored, it.VI, it.EN})
	}
	c.JSON(http.StatusOK, gin.H{"data": struct {
		Snapshot   apiSnapshot          `json:"snapshot"`
		Unit       apiSnapshotUnit      `json:"unit"`
		Result     json.RawMessage      `json:"result"`
		Incomplete []apiIncomplete      `json:"incomplete"`
		Record     *snapshot.UnitRecord `json:"record"`
	}{apiSnapshotOf(s), apiSnapshotUnit{head.UnitCode, head.UnitName, head.Points, head.MaxPoints, head.Index, head.IndexRounded, head.Rank, head.Band},
		result, incomplete, rec.Unit(unit.Code)}})
}

// --- survey results -------------------------------------------------------------

// surveyQuery reads ?instrument= (required), ?period= (default: the
// current year) and ?include_flagged=.
func (a *api) surveyQuery(c *gin.Context) (string, survey.Period, parindex.Period, bool, bool) {
	instrument := c.Query("instrument")
	if instrument == "" {
		a.invalid(c, "instrument", "cần mã bộ câu hỏi, ví dụ instrument=sipas-2026", "instrument is required, e.g. instrument=sipas-2026")
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	p, err := a.s.periodParam(c.Query("period"))
	if err != nil {
		a.periodInvalid(c, err)
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	flagged := false
	switch c.Query("include_flagged") {
	case "", "false":
	case "true":
		flagged = true
	default:
		a.invalid(c, "include_flagged", "include_flagged là true hoặc false", "include_flagged must be true or false")
		return "", survey.Period{}, parindex.Period{}, false, false
	}
	return instrument, survey.Period{From: p.Start(), To: p.End()}, p, flagged, true
}

type apiSurveyList struct {
	Instrument string               `json:"instrument"`
	Period     string               `json:"period"`
	Units      []survey.GroupResult `json:"units"`
}

// surveyResults lists each unit's survey result for the period (point
// estimates, question intervals), for the units the token may read, by
// unit code. Comments are never sent: they are for the staff pages.
func (a *api) surveyResults(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	instrument, sp, period, flagged, ok := a.surveyQuery(c)
	if !ok {
		return
	}
	results, err := a.results.Units(c.Request.Context(), instrument, sp, flagged)
	if err != nil {
		a.fail(c, err, "instrument")
		return
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := apiUser(c)
	var list []survey.GroupResult
	for code, r := range results {
		if unit := ix.byCode[code]; unit != nil && parindex.Can(u, parindex.ActionReadAPI, ix.target(unit)) {
			r.Comments = nil
			list = append(list, r)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Unit < list[j].Unit })
	list, next := pageByCode(list, func(g survey.GroupResult) string { return g.Unit }, p)
	if list == nil {
		list = []survey.GroupResult{}
	}
	a.list(c, apiSurveyList{instrument, period.String(), list}, next)
}

// surveyUnitResult is one unit's full survey result for the period, with
// bootstrap intervals of the element and overall indices and Cronbach's
// alpha; comments are left out.
func (a *api) surveyUnitResult(c *gin.Context) {
	instrument, sp, period, flagged, ok := a.surveyQuery(c)
	if !ok {
		return
	}
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	unit, ok := a.readableUnit(c, ix, c.Param("code"))
	if !ok {
		return
	}
	r, err := a.results.Unit(c.Request.Context(), instrument, unit.Code, sp, flagged)
	if err != nil {
		a.fail(c, err, "instrument")
		return
	}
	r.Comments = nil
	c.JSON(http.StatusOK, gin.H{"data": struct {
		Instrument string `json:"instrument"`
		Period     string `json:"period"`
		survey.GroupResult
	}{instrument, period.String(), r}})
}

// --- the contract ---------------------------------------------------------------

// openAPI serves the OpenAPI 3 document, with the server's own address.
func (a *api) openAPI(c *gin.Context) {
	doc := openAPIDocument
	if base := strings.TrimRight(a.s.cfg.BaseURL, "/"); base != "" {
		if u, err := url.Parse(base); err == nil && u.Host != "" {
			doc = bytes.Replace(doc, []byte(`"url": "/api/v1"`), []byte(`"url": `+strconv.Quote(base+apiPrefix)), 1)
		}
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
}
