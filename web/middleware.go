package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"parindex"
	"parindex/web/api"
	"parindex/web/kit"
)

func randomString(n int, encode func([]byte) string) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("web: no randomness: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return encode(b)
}

// withRequestID gives every request a random id, echoed in X-Request-ID and
// written in its log line and in audit rows, so a user's report can be traced.
// An incoming X-Request-ID is not trusted: clients could forge log entries.
func withRequestID(c *gin.Context) {
	id := randomString(8, hex.EncodeToString)
	c.Set(kit.KeyRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// securityHeaders sets a strict Content-Security-Policy with a fresh nonce:
// scripts and styles come from this server only, inline scripts need the
// nonce, and no site may frame our pages.
func securityHeaders(c *gin.Context) {
	nonce := randomString(16, base64.RawStdEncoding.EncodeToString)
	c.Set(kit.KeyNonce, nonce)
	h := c.Writer.Header()
	// Direct assignment, with keys in canonical form, spares Header.Set's
	// new []string for each header on every request (the public form is
	// posted thousands of times an hour). The constant values are shared by
	// every response: Set and Del replace them, nothing edits them in place.
	h["Content-Security-Policy"] = []string{"default-src 'self'; script-src 'self' 'nonce-" + nonce + "'; style-src 'self'; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'none'"}
	h["X-Content-Type-Options"] = nosniffValue
	h["Referrer-Policy"] = sameOriginValue
	h["X-Frame-Options"] = denyValue
	h["Cross-Origin-Opener-Policy"] = sameOriginValue
	h["Permissions-Policy"] = permissionsValue
	c.Next()
}

// Values of the constant security headers (see securityHeaders).
var (
	nosniffValue     = []string{"nosniff"}
	sameOriginValue  = []string{"same-origin"}
	denyValue        = []string{"DENY"}
	permissionsValue = []string{"camera=(), microphone=(), geolocation=(), interest-cohort=()"}
)

// httpMetrics are the Prometheus series of the web server.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parindex_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parindex_http_request_duration_seconds",
			Help:    "HTTP request latency by route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe logs each request and counts it under its route template (never the
// raw path, which would let anyone create unbounded series).
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(route, c.Request.Method).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", kit.RequestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
	}
	// Survey respondents are anonymous: their addresses stay out of the
	// logs too. Staff requests keep it, for security investigations.
	if !strings.HasPrefix(route, "/s/") {
		attrs = append(attrs, slog.String("client_ip", c.ClientIP()))
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// recoverPanic turns a panic in a handler into a logged, clean 500.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			c.Abort()
			s.InternalError(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// refuseNUL answers 400 to a request whose path or query holds a NUL
// character. No code, name or filter contains one, and PostgreSQL refuses
// NUL in text: such a value would reach the database and fail as a 500.
func refuseNUL(c *gin.Context) {
	bad := strings.ContainsRune(c.Request.URL.Path, 0)
	for k, vs := range c.Request.URL.Query() {
		bad = bad || strings.ContainsRune(k, 0)
		for _, v := range vs {
			bad = bad || strings.ContainsRune(v, 0)
		}
	}
	if !bad {
		c.Next()
		return
	}
	const msg = "Địa chỉ chứa ký tự NUL không hợp lệ (the address contains a NUL character)"
	if strings.HasPrefix(c.Request.URL.Path, api.Prefix+"/") {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": api.Error{Code: parindex.ECodeInvalid, Message: msg}})
		return
	}
	c.Abort()
	c.Data(http.StatusBadRequest, "text/plain; charset=utf-8", []byte(msg))
}
