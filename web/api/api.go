package api

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
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"parindex"
	"parindex/integrity"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Limits of the API.
const (
	perSecond   = 10               // requests a second per token, sustained
	burst       = 40               // requests a token may send at once
	maxBatch    = 10000            // observations in one PUT
	maxBody     = 8 << 20          // bytes of one PUT
	defaultPage = 100              // items of a page when ?limit= is absent
	maxPage     = 1000             // the largest ?limit=
	keyToken    = "parindex.token" // gin context key of the request's token
)

// Error codes of the API besides the domain ones (parindex.ECode…).
const (
	codeRateLimited = "rate_limited"
)

// Handler serves the API; its rate limiters live as long as it does.
type Handler struct {
	db      *store.DB
	log     *slog.Logger
	baseURL string // the servers entry of openapi.json
	results *survey.Service
	// The counter-integrity policy in force and the counters' zone
	// (config.Config.IntegrityPolicy, Location).
	policy   integrity.Policy
	location *time.Location

	mu       sync.Mutex
	limiters map[int64]*rate.Limiter // by token id
}

// New builds the API over db; baseURL (PARINDEX_BASE_URL) goes into the
// servers entry of openapi.json; policy and loc judge counter integrity.
// The survey results service lives here: the API is its only user in the
// web server so far.
func New(db *store.DB, log *slog.Logger, baseURL string, policy integrity.Policy, loc *time.Location) *Handler {
	return &Handler{db: db, log: log, baseURL: baseURL, results: survey.NewService(db, survey.ResultOptions{}),
		policy: policy, location: loc, limiters: map[int64]*rate.Limiter{}}
}

// Routes mounts /api/v1 on e.
func (a *Handler) Routes(e *gin.Engine) {
	g := e.Group(Prefix, headers)
	g.GET("/openapi.json", a.openAPI)
	t := g.Group("", a.authenticate, a.rateLimit)
	t.GET("/units", a.listUnits)
	t.GET("/units/:code", a.getUnit)
	t.GET("/units/:code/metrics", a.unitMetrics)
	t.GET("/units/:code/survey/integrity", a.unitSurveyIntegrity)
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
	t.GET("/survey/integrity", a.surveyIntegrity)
}

// headers: API answers are per token and change with every import;
// nothing may cache them.
func headers(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// --- errors -----------------------------------------------------------------

// Error is the one error shape: {"error": {...}}.
type Error struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
	Items   []ItemError `json:"items,omitempty"`
}

// ItemError is one bad item of a batch.
type ItemError struct {
	Index     int    `json:"index"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

func (a *Handler) abort(c *gin.Context, status int, e Error) {
	c.AbortWithStatusJSON(status, gin.H{"error": e})
}

// fail answers a domain error with its status (HTTPStatus) and its
// user-facing message; internal details go to the log only.
func (a *Handler) fail(c *gin.Context, err error, field string) {
	code := parindex.ErrorCode(err)
	if code == parindex.ECodeInternal {
		a.log.Error("api internal error", slog.String("request_id", kit.RequestID(c)), slog.String("error", err.Error()))
	}
	a.abort(c, kit.HTTPStatus(err), Error{Code: code, Message: parindex.ErrorMessage(err), Field: field})
}

// year reads the optional ?year=: 0 when absent; ok is false after
// answering 400 when it is not a year the product knows.
func (a *Handler) year(c *gin.Context) (year int, ok bool) {
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

func (a *Handler) invalid(c *gin.Context, field, vi, en string) {
	a.abort(c, http.StatusBadRequest, Error{Code: parindex.ECodeInvalid, Message: vi + " (" + en + ")", Field: field})
}

// --- authentication and rate limits -------------------------------------------

func tokenOf(c *gin.Context) *parindex.APIToken {
	t, _ := c.Get(keyToken)
	tok, _ := t.(*parindex.APIToken)
	return tok
}

// userOf is the request's token as the policy sees it.
func userOf(c *gin.Context) *parindex.User { return tokenOf(c).User() }

func actorOf(c *gin.Context) parindex.Actor {
	return parindex.Actor{Name: tokenOf(c).ActorName(), RequestID: kit.RequestID(c)}
}

// authenticate accepts "Authorization: Bearer <token>" and nothing else.
func (a *Handler) authenticate(c *gin.Context) {
	scheme, secret, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		c.Header("WWW-Authenticate", `Bearer realm="parindex"`)
		a.abort(c, http.StatusUnauthorized, Error{Code: parindex.ECodeUnauthorized,
			Message: "Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã> (missing API token: send Authorization: Bearer <token>)"})
		return
	}
	tok, err := a.db.APITokenBySecret(c.Request.Context(), secret)
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
	c.Set(keyToken, tok)
	c.Next()
}

func (a *Handler) limiter(id int64) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.limiters[id]
	if !ok {
		l = rate.NewLimiter(perSecond, burst)
		a.limiters[id] = l
	}
	return l
}

// rateLimit allows each token perSecond requests a second with bursts of
// burst, per server process, and answers 429 with Retry-After beyond.
func (a *Handler) rateLimit(c *gin.Context) {
	r := a.limiter(tokenOf(c).ID).Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
		a.abort(c, http.StatusTooManyRequests, Error{Code: codeRateLimited,
			Message: fmt.Sprintf("Quá nhiều yêu cầu: tối đa %d yêu cầu mỗi giây cho một mã truy cập; thử lại sau (too many requests: at most %d a second per token; retry later)", perSecond, perSecond)})
		return
	}
	c.Next()
}

// --- pagination ---------------------------------------------------------------

// Page is ?limit= and ?cursor=: cursors are opaque strings from the
// previous page's next_cursor.
type Page struct {
	Limit  int
	Cursor string // decoded
}

func (a *Handler) page(c *gin.Context) (Page, bool) {
	p := Page{Limit: defaultPage}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			a.invalid(c, "limit", fmt.Sprintf("limit phải là số từ 1 đến %d", maxPage), fmt.Sprintf("limit must be 1..%d", maxPage))
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

// List is the envelope of every list: the items, and the cursor and
// link of the next page when there is one.
type List struct {
	Data       any       `json:"data"`
	NextCursor string    `json:"next_cursor,omitempty"`
	Links      ListLinks `json:"links"`
}

type ListLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
}

// list answers a page; next is the raw cursor after the last item ("" on
// the last page).
func (a *Handler) list(c *gin.Context, data any, next string) {
	out := List{Data: data, Links: ListLinks{Self: c.Request.URL.RequestURI()}}
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
func pageByCode[T any](items []T, code func(T) string, p Page) ([]T, string) {
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
