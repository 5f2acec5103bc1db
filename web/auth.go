package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/i18n"
	"parindex/password"
	"parindex/store"
	"parindex/web/kit"
)

const (
	sessUserID = "user_id"
	sessEpoch  = "epoch"
	sessFlash  = "flash"

	maxLoginBody = 64 << 10 // bytes of the login form
)

// newSessions configures server-side sessions in our database: HttpOnly,
// SameSite=Lax, Secure when the site is served over https, an idle timeout
// and an absolute lifetime.
func newSessions(s *Server) *scs.SessionManager {
	m := scs.New()
	m.Store = s.db.Sessions()
	m.Lifetime = 12 * time.Hour
	m.IdleTimeout = 30 * time.Minute
	m.Cookie.Name = "parindex_session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = strings.HasPrefix(s.cfg.BaseURL, "https://")
	m.Cookie.Path = "/"
	m.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.Error("session store", slog.String("error", err.Error()))
		http.Error(w, "Không đọc được phiên làm việc, vui lòng thử lại. (Session error.)", http.StatusServiceUnavailable)
	}
	return m
}

// cleanSessions deletes expired sessions every few minutes until ctx ends.
func (s *Server) cleanSessions(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.db.Sessions().DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("deleting expired sessions", slog.String("error", err.Error()))
			}
		}
	}
}

// loadUser puts the session's user into the context. A session whose user
// is gone, disabled, or logged out everywhere since it began is destroyed.
func (s *Server) loadUser(c *gin.Context) {
	ctx := c.Request.Context()
	id := s.sessions.GetInt64(ctx, sessUserID)
	if id == 0 {
		c.Next()
		return
	}
	u, err := s.db.UserByID(ctx, id)
	if err != nil || u.Disabled || u.SessionEpoch != s.sessions.GetInt64(ctx, sessEpoch) {
		if err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound {
			s.InternalError(c, err)
			c.Abort()
			return
		}
		_ = s.sessions.Destroy(ctx)
		c.Next()
		return
	}
	c.Set(kit.KeyUser, u)
	c.Next()
}

// requireUser sends anonymous visitors to the login page.
func (s *Server) requireUser(c *gin.Context) {
	if kit.CurrentUser(c) != nil {
		c.Next()
		return
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	} else {
		s.Render(c, http.StatusUnauthorized, "login", "login.title", loginForm{Error: kit.T(s.Lang(c), "login.expired")})
	}
	c.Abort()
}

// Authorize asks the one policy (parindex.Can) and answers 403 with a page
// that names nothing about the target when the answer is no.
func (s *Server) Authorize(c *gin.Context, a parindex.Action, t parindex.Target) bool {
	if parindex.Can(kit.CurrentUser(c), a, t) {
		return true
	}
	s.Forbidden(c)
	return false
}

// RequireAction is authorize as middleware, for actions without a target.
func (s *Server) RequireAction(a parindex.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.Authorize(c, a, parindex.Target{}) {
			c.Abort()
			return
		}
		c.Next()
	}
}

// Lang returns the UI language of the request: the user's choice when
// logged in, else the lang cookie, else Vietnamese.
func (s *Server) Lang(c *gin.Context) string {
	if u := kit.CurrentUser(c); u != nil && u.Lang == kit.EN {
		return kit.EN
	} else if u != nil {
		return kit.VI
	}
	if v, err := c.Cookie("lang"); err == nil && v == kit.EN {
		return kit.EN
	}
	return kit.VI
}

func (s *Server) SetFlash(c *gin.Context, key string) {
	s.sessions.Put(c.Request.Context(), sessFlash, key)
}

func (s *Server) popFlash(c *gin.Context) string {
	key := s.sessions.PopString(c.Request.Context(), sessFlash)
	if key == "" {
		return ""
	}
	return kit.T(s.Lang(c), key)
}

type loginForm struct {
	Username string
	Next     string
	Error    string
}

func (s *Server) loginPage(c *gin.Context) {
	if kit.CurrentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/app")
		return
	}
	s.Render(c, http.StatusOK, "login", "login.title", loginForm{Next: safeNext(c.Query("next"))})
}

// dummyHash makes a login for an unknown username cost as much as a wrong
// password, so timing does not reveal which usernames exist.
var dummyHash, _ = password.Hash("parindex-dummy-password", password.Default)

func (s *Server) login(c *gin.Context) {
	ctx := c.Request.Context()
	// A login form is a few hundred bytes; without a limit of its own a
	// huge body was read up to the standard library's 10 MB, silently
	// dropped, and answered as a wrong password.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody)
	if err := c.Request.ParseForm(); err != nil {
		status := http.StatusBadRequest
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		s.Render(c, status, "login", "login.title", loginForm{Error: kit.T(s.Lang(c), "login.too_large")})
		return
	}
	form := loginForm{Username: strings.ToLower(strings.TrimSpace(c.PostForm("username"))), Next: safeNext(c.PostForm("next"))}
	pw := c.PostForm("password")
	ip := c.ClientIP()
	lang := s.Lang(c)

	// The throttle decides before the password is read: a refused attempt
	// costs no hashing and is not a failure (parindex.LoginThrottle).
	attempt, wait, err := s.db.BeginLogin(ctx, parindex.DefaultLoginThrottle, form.Username, ip, kit.RequestID(c))
	if err != nil {
		s.InternalError(c, err)
		return
	}
	if wait > 0 {
		seconds := int((wait + time.Second - 1) / time.Second)
		s.log.Warn("login throttled", slog.String("username", form.Username), slog.String("client_ip", ip), slog.Int("retry_after", seconds))
		c.Header("Retry-After", strconv.Itoa(seconds))
		form.Error = kit.T(lang, "login.throttled", waitText(lang, seconds), s.clock.FormatTimeOfDay(s.db.Now().Add(time.Duration(seconds)*time.Second)))
		s.Render(c, http.StatusTooManyRequests, "login", "login.title", form)
		return
	}

	u, hash, err := s.db.UserCredentials(ctx, form.Username)
	if err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound {
		s.InternalError(c, err)
		return
	}
	if u == nil {
		hash = dummyHash
	}
	ok := password.Verify(hash, pw) && u != nil && !u.Disabled
	if err := s.db.FinishLogin(ctx, attempt, ok); err != nil {
		s.InternalError(c, err)
		return
	}
	if !ok {
		form.Error = kit.T(lang, "login.failed")
		s.Render(c, http.StatusUnauthorized, "login", "login.title", form)
		return
	}
	// A new token at login: a token planted before login (session fixation)
	// is worth nothing after it.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.InternalError(c, err)
		return
	}
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	next := form.Next
	if next == "" {
		next = "/app"
	}
	c.Redirect(http.StatusSeeOther, next)
}

// waitText says how long a throttled login must wait: seconds under a
// minute, whole minutes (rounded up) beyond.
func waitText(lang string, seconds int) string {
	if seconds < 60 {
		return i18n.N(lang, "login.wait_seconds", seconds)
	}
	return i18n.N(lang, "login.wait_minutes", (seconds+59)/60)
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Destroy(c.Request.Context()); err != nil {
		s.InternalError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// setLang switches the UI language: remembered on the account when logged
// in, in a cookie otherwise.
func (s *Server) setLang(c *gin.Context) {
	lang := c.PostForm("lang")
	if lang != kit.EN {
		lang = kit.VI
	}
	if u := kit.CurrentUser(c); u != nil {
		if err := s.db.UpdateUser(c.Request.Context(), kit.Actor(c), u.ID, store.UserUpdate{Lang: &lang}, ""); err != nil {
			s.InternalError(c, err)
			return
		}
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie("lang", lang, 365*24*3600, "/", "", strings.HasPrefix(s.cfg.BaseURL, "https://"), true)
	c.Redirect(http.StatusSeeOther, safeNextOr(c.PostForm("next"), "/"))
}
