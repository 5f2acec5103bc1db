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
)

const (
	keyUser = "parindex.user"

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

// currentUser returns the logged-in user of the request, or nil.
func currentUser(c *gin.Context) *parindex.User {
	u, _ := c.Get(keyUser)
	user, _ := u.(*parindex.User)
	return user
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
			s.internalError(c, err)
			c.Abort()
			return
		}
		_ = s.sessions.Destroy(ctx)
		c.Next()
		return
	}
	c.Set(keyUser, u)
	c.Next()
}

// requireUser sends anonymous visitors to the login page.
func (s *Server) requireUser(c *gin.Context) {
	if currentUser(c) != nil {
		c.Next()
		return
	}
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	} else {
		s.render(c, http.StatusUnauthorized, "login", "login.title", loginForm{Error: translate(s.lang(c), "login.expired")})
	}
	c.Abort()
}

// authorize asks the one policy (parindex.Can) and answers 403 with a page
// that names nothing about the target when the answer is no.
func (s *Server) authorize(c *gin.Context, a parindex.Action, t parindex.Target) bool {
	if parindex.Can(currentUser(c), a, t) {
		return true
	}
	s.forbidden(c)
	return false
}

// requireAction is authorize as middleware, for actions without a target.
func (s *Server) requireAction(a parindex.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.authorize(c, a, parindex.Target{}) {
			c.Abort()
			return
		}
		c.Next()
	}
}

// message is the data of the small message page.
type message struct{ Key string }

// lang returns the UI language of the request: the user's choice when
// logged in, else the lang cookie, else Vietnamese.
func (s *Server) lang(c *gin.Context) string {
	if u := currentUser(c); u != nil && u.Lang == langEN {
		return langEN
	} else if u != nil {
		return langVI
	}
	if v, err := c.Cookie("lang"); err == nil && v == langEN {
		return langEN
	}
	return langVI
}

func (s *Server) setFlash(c *gin.Context, key string) {
	s.sessions.Put(c.Request.Context(), sessFlash, key)
}

func (s *Server) popFlash(c *gin.Context) string {
	key := s.sessions.PopString(c.Request.Context(), sessFlash)
	if key == "" {
		return ""
	}
	return translate(s.lang(c), key)
}

// actor is the audit identity of the request's user.
func actor(c *gin.Context) parindex.Actor {
	name := "anonymous"
	if u := currentUser(c); u != nil {
		name = u.Username
	}
	return parindex.Actor{Name: name, RequestID: requestID(c)}
}

type loginForm struct {
	Username string
	Next     string
	Error    string
}

func (s *Server) loginPage(c *gin.Context) {
	if currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/app")
		return
	}
	s.render(c, http.StatusOK, "login", "login.title", loginForm{Next: safeNext(c.Query("next"))})
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
		s.render(c, status, "login", "login.title", loginForm{Error: translate(s.lang(c), "login.too_large")})
		return
	}
	form := loginForm{Username: strings.ToLower(strings.TrimSpace(c.PostForm("username"))), Next: safeNext(c.PostForm("next"))}
	pw := c.PostForm("password")
	ip := c.ClientIP()
	lang := s.lang(c)

	// The throttle decides before the password is read: a refused attempt
	// costs no hashing and is not a failure (parindex.LoginThrottle).
	attempt, wait, err := s.db.BeginLogin(ctx, parindex.DefaultLoginThrottle, form.Username, ip, requestID(c))
	if err != nil {
		s.internalError(c, err)
		return
	}
	if wait > 0 {
		seconds := int((wait + time.Second - 1) / time.Second)
		s.log.Warn("login throttled", slog.String("username", form.Username), slog.String("client_ip", ip), slog.Int("retry_after", seconds))
		c.Header("Retry-After", strconv.Itoa(seconds))
		form.Error = translate(lang, "login.throttled", waitText(lang, seconds), s.clock.FormatTimeOfDay(s.db.Now().Add(time.Duration(seconds)*time.Second)))
		s.render(c, http.StatusTooManyRequests, "login", "login.title", form)
		return
	}

	u, hash, err := s.db.UserCredentials(ctx, form.Username)
	if err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound {
		s.internalError(c, err)
		return
	}
	if u == nil {
		hash = dummyHash
	}
	ok := password.Verify(hash, pw) && u != nil && !u.Disabled
	if err := s.db.FinishLogin(ctx, attempt, ok); err != nil {
		s.internalError(c, err)
		return
	}
	if !ok {
		form.Error = translate(lang, "login.failed")
		s.render(c, http.StatusUnauthorized, "login", "login.title", form)
		return
	}
	// A new token at login: a token planted before login (session fixation)
	// is worth nothing after it.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.internalError(c, err)
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
		s.internalError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// setLang switches the UI language: remembered on the account when logged
// in, in a cookie otherwise.
func (s *Server) setLang(c *gin.Context) {
	lang := c.PostForm("lang")
	if lang != langEN {
		lang = langVI
	}
	if u := currentUser(c); u != nil {
		if err := s.db.UpdateUser(c.Request.Context(), actor(c), u.ID, store.UserUpdate{Lang: &lang}, ""); err != nil {
			s.internalError(c, err)
			return
		}
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie("lang", lang, 365*24*3600, "/", "", strings.HasPrefix(s.cfg.BaseURL, "https://"), true)
	c.Redirect(http.StatusSeeOther, safeNextOr(c.PostForm("next"), "/"))
}
