package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"parindex"
	"parindex/config"
	"parindex/dashboard"
	"parindex/i18n"
	"parindex/password"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
	"parindex/web/api"
	"parindex/web/assessments"
	"parindex/web/kit"
)

// Version is the build's version, set by the command line at link time.
var Version = "dev"

// Server is the parindex web server.
type Server struct {
	cfg    config.Config
	db     *store.DB
	log    *slog.Logger
	clock  parindex.Clock // every time people read, in the province's zone
	engine *gin.Engine
	http   *http.Server
	// metricsHTTP serves /metrics on a listener of its own
	// (PARINDEX_METRICS_ADDR), never through the public engine.
	metricsHTTP *http.Server
	assets      *assets
	pages       pages
	metrics     *httpMetrics
	reg         *prometheus.Registry

	sessions *scs.SessionManager
	// passwordParams is the argon2id cost for new hashes; tests lower it.
	passwordParams password.Params
	background     context.Context // ends at Shutdown; background jobs watch it
	stopBackground context.CancelFunc

	ingester *survey.Ingester
	survey   *survey.Handler
	// results reads exact survey results (no stale cache): the API, the
	// counter-integrity report and scoring.
	results *survey.Service
	// reader is what the dashboards and the exports read: a read-only
	// replica when PARINDEX_DATABASE_READ_URL is set (NewWithReader), else
	// db. readResults is results over it, for the exports.
	reader      *store.DB
	readResults *survey.Service
	// dashboards serves the dashboards from its caches, warmed at Serve.
	dashboards *dashboard.Service
	live       *liveBroker
	serving    atomic.Bool

	assessments *assessments.Handler // the self-assessment and appraisal pages
}

// New builds the server: routes, middleware, templates and assets are all
// prepared and checked here, so a broken template stops start-up.
func New(cfg config.Config, db *store.DB, log *slog.Logger) (*Server, error) {
	return NewWithReader(cfg, db, db, log)
}

// NewWithReader is New with the dashboards and the exports reading reader,
// a read-only replica of db (PARINDEX_DATABASE_READ_URL): their long reads
// then leave the primary to the survey's writes. Everything that writes,
// and what must see a write at once (sessions, the survey, live counts,
// scoring, the pages that change data), uses db.
func NewWithReader(cfg config.Config, db, reader *store.DB, log *slog.Logger) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, db: db, reader: reader, log: log, reg: prometheus.NewRegistry(), passwordParams: password.Default, clock: cfg.Clock()}
	s.sessions = newSessions(s)
	s.results = survey.NewService(db, survey.ResultOptions{})
	s.readResults = survey.NewService(reader, survey.ResultOptions{})
	s.assessments = assessments.New(s, db, s.clock, &snapshot.Runner{DB: db, Survey: s.results, Integrity: &s.cfg.IntegrityPolicy, Location: cfg.Location},
		cfg.DataDir, int64(cfg.EvidenceMaxMB)<<20)
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets, s.clock, s.unitTypeName); err != nil {
		return nil, err
	}
	s.metrics = newHTTPMetrics(s.reg)
	s.reg.MustRegister(
		collectors.NewDBStatsCollector(db.SQL(), "parindex"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)

	e := gin.New()
	// gin trusts every proxy by default, which lets any client choose its
	// own ClientIP through X-Forwarded-For; trust only the configured ones.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	key, err := cfg.LoadSecretKey()
	if err != nil {
		return nil, err
	}
	s.ingester = survey.NewIngester(db, log, cfg.IngestWriters)
	s.live = newLiveBroker(s)
	s.survey, err = survey.NewHandler(db, s.ingester, survey.Options{
		SecretKey:     key,
		SecureCookies: strings.HasPrefix(cfg.BaseURL, "https://"),
		IPPerMinute:   cfg.SurveyIPPerMinute,
		LinkPerMinute: cfg.SurveyLinkPerMinute,
		Servers:       cfg.Servers,
		LinkCacheTTL:  10 * time.Second,
		Log:           log,
	})
	if err != nil {
		return nil, err
	}
	e.Use(withRequestID, s.observe, compressResponses, s.recoverPanic, securityHeaders, refuseNUL, s.loadUser)
	e.NoRoute(s.NotFound)
	e.NoMethod(func(c *gin.Context) {
		c.String(http.StatusMethodNotAllowed, "Phương thức không được hỗ trợ (method not allowed)")
	})
	e.GET("/static/*file", s.assets.serve)
	e.HEAD("/static/*file", s.assets.serve)
	for path := range rootIcons {
		e.GET(path, s.assets.serveRootIcon)
		e.HEAD(path, s.assets.serveRootIcon)
	}
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/", s.home)
	s.survey.Routes(e)
	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.POST("/lang", s.setLang)

	staff := e.Group("/", s.requireUser)
	staff.GET("/app", s.appHome)
	staff.GET("/app/units", s.unitsPage)
	staff.GET("/app/units/:code", s.unitPage)
	staff.GET("/account", s.accountPage)
	staff.POST("/account/password", s.changePassword)
	staff.POST("/account/logout-all", s.logoutEverywhere)

	users := staff.Group("/admin/users", s.RequireAction(parindex.ActionManageUsers))
	users.GET("", s.usersPage)
	users.GET("/new", s.newUserPage)
	users.POST("", s.createUser)
	users.GET("/:id", s.userPage)
	users.POST("/:id", s.userAction)

	units := staff.Group("/admin/units", s.RequireAction(parindex.ActionManageOrgs))
	units.GET("/new", s.unitEditPage)
	units.POST("", s.saveUnit)
	units.GET("/:code/edit", s.unitEditPage)
	units.POST("/:code", s.saveUnit)
	units.POST("/:code/merge", s.mergeUnit)

	staff.GET("/admin/audit", s.RequireAction(parindex.ActionViewAudit), s.auditPage)
	s.criteriaRoutes(staff)
	s.surveyRoutes(staff)
	s.exportRoutes(staff)
	s.dashboardRoutes(staff)
	s.snapshotRoutes(staff)
	s.assessments.Routes(staff)
	s.metricsRoutes(staff)
	api.New(db, log, cfg.BaseURL, cfg.IntegrityPolicy, cfg.Location).Routes(e)
	s.engine = e
	s.background, s.stopBackground = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(s.live.close)
	s.metricsHTTP = &http.Server{
		Handler:           s.MetricsHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// MetricsHandler answers GET /metrics (Prometheus's text format) and 404
// elsewhere. It is served on its own listener (ServeMetrics): the public
// address has no /metrics, so the survey's visitors never see the server's
// routes, pool or process figures.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return mux
}

// ServeMetrics serves MetricsHandler on ln until Shutdown.
func (s *Server) ServeMetrics(ln net.Listener) error {
	if err := s.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve metrics: %w", err)
	}
	return nil
}

// SetPasswordParams sets the argon2id cost of new hashes (tests use a cheap one).
func (s *Server) SetPasswordParams(p password.Params) { s.passwordParams = p }

// SetMaxEvidenceSize sets the limit of one evidence file in bytes (0 or
// less restores the default); tests lower it.
func (s *Server) SetMaxEvidenceSize(n int64) { s.assessments.SetMaxEvidenceSize(n) }

// Sessions exposes the session manager, so tests can shorten its timeouts.
func (s *Server) Sessions() *scs.SessionManager { return s.sessions }

// Routes lists every route the server answers, so the security tests cover
// a new route without being told about it.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Handler returns the whole HTTP handler: the gin engine behind the standard
// library's cross-origin protection, which refuses state-changing requests
// that a browser marks as coming from another site.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintln(w, "Yêu cầu từ trang web khác bị từ chối. (Cross-origin request refused.)")
	}))
	return cop.Handler(s.sessions.LoadAndSave(s.engine))
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.serving.Store(true)
	go s.cleanSessions(s.background)
	go s.ingester.Run(s.background)
	go s.live.run(s.background)
	go s.watchChanges(s.background)
	go survey.ScreenNightly(s.background, s.db, s.log, s.cfg.Location)
	go s.warmDashboards(s.background)
	if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// warmDashboards fills the dashboards' caches (dashboard.Service.Warm) so
// that the first visitors after a start, or a deployment, do not wait for
// a year's survey figures and integrity report. It logs only a failure
// (the caches then fill on demand): the tests read the log the server
// writes, and a line from this goroutine could come at any moment.
func (s *Server) warmDashboards(ctx context.Context) {
	if err := s.dashboards.Warm(ctx, dashLocaleFor(i18n.VI), s.cfg.IntegrityPolicy, s.cfg.Location); err != nil && ctx.Err() == nil {
		s.log.Warn("warming the dashboards", slog.String("error", err.Error()))
	}
}

// Shutdown stops accepting connections and waits for requests in flight
// until ctx ends.
// Survey answers already accepted are stored before it returns.
func (s *Server) Shutdown(ctx context.Context) error {
	err := errors.Join(s.http.Shutdown(ctx), s.metricsHTTP.Shutdown(ctx))
	s.stopBackground()
	if s.serving.Load() {
		s.ingester.Wait()
	}
	return err
}

func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 only when the database answers, its schema is current
// and it accepts writes, so a load balancer sends no traffic to a server
// that cannot serve: a read-only database (a standby, a file system
// remounted read-only) answers every read while every survey answer, login
// and import fails.
func (s *Server) readyz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("readyz: database unreachable", slog.String("error", err.Error()))
		c.String(http.StatusServiceUnavailable, "database unreachable\n")
		return
	}
	current, err := s.db.SchemaCurrent(ctx)
	if err != nil || !current {
		c.String(http.StatusServiceUnavailable, "database schema is not current\n")
		return
	}
	if err := s.db.CheckWritable(ctx); err != nil {
		s.log.Warn("readyz: the database accepts no writes", slog.String("error", err.Error()))
		if errors.Is(err, store.ErrReadOnly) {
			c.String(http.StatusServiceUnavailable, "database is read-only\n")
		} else {
			c.String(http.StatusServiceUnavailable, "database refuses writes\n")
		}
		return
	}
	c.String(http.StatusOK, "ready\n")
}

func (s *Server) NotFound(c *gin.Context) {
	s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
}

func (s *Server) home(c *gin.Context) {
	s.Render(c, http.StatusOK, "home", "app.name", struct{ Version string }{Version})
}
