package web

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"parindex"
	"parindex/survey"
	"parindex/web/kit"
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
		a.s.log.Error("api internal error", slog.String("request_id", kit.RequestID(c)), slog.String("error", err.Error()))
	}
	a.abort(c, kit.HTTPStatus(err), apiError{Code: code, Message: parindex.ErrorMessage(err), Field: field})
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
	return parindex.Actor{Name: apiToken(c).ActorName(), RequestID: kit.RequestID(c)}
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
