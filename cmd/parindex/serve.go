package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"parindex"
	"parindex/config"
	"parindex/store"
	"parindex/web"
)

// Main is the running program: database, web server and listener. Tests start
// it on port 0 exactly as `parindex serve` does.
type Main struct {
	Config config.Config
	Log    *slog.Logger
	// Out receives what a person at the console must read (the first
	// administrator's password).
	Out io.Writer
	DB  *store.DB
	// Reader is the read-only replica the dashboards and exports read
	// (PARINDEX_DATABASE_READ_URL); nil when none is set.
	Reader *store.DB
	Server *web.Server
	// URL is where the server listens, known after Run (the real port when
	// ADDR asked for port 0).
	URL string
	// MetricsURL is where /metrics listens (PARINDEX_METRICS_ADDR), known
	// after Run; "" when it is switched off.
	MetricsURL string

	ln, metricsLn net.Listener
	serve         chan error
}

// Run opens and migrates the database and starts serving in the background.
func (m *Main) Run(ctx context.Context) error {
	if _, err := m.Config.LoadSecretKey(); err != nil {
		return err
	}
	db, err := openDB(ctx, m.Config, m.Log)
	if errors.Is(err, store.ErrReadOnly) { // pending migrations could not be written
		return m.notWritable(err)
	}
	if err != nil {
		return err
	}
	m.DB = db
	// A read-only database answers every read, so the server would start and
	// then fail every survey answer, login and import.
	if err := db.CheckWritable(ctx); err != nil {
		return m.notWritable(err)
	}
	out := m.Out
	if out == nil {
		out = io.Discard
	}
	if err := bootstrapAdmin(ctx, db, out); err != nil {
		return err
	}
	reader := db
	if m.Config.DatabaseReadURL != "" {
		if m.Reader, err = openReader(ctx, m.Config.DatabaseReadURL, m.Log); err != nil {
			return err
		}
		reader = m.Reader
	}
	web.Version = version
	if m.Server, err = web.NewWithReader(m.Config, db, reader, m.Log); err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("không mở được cổng %s (unable to listen on %s; PARINDEX_ADDR): %w", m.Config.Addr, m.Config.Addr, err)
	}
	m.URL = "http://" + m.ln.Addr().String()
	if m.Config.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			m.ln.Close()
			return fmt.Errorf("không mở được cổng %s cho /metrics (unable to listen on %s for /metrics; PARINDEX_METRICS_ADDR, or off): %w",
				m.Config.MetricsAddr, m.Config.MetricsAddr, err)
		}
		m.MetricsURL = "http://" + m.metricsLn.Addr().String()
	}
	m.serve = make(chan error, 2)
	go func() { m.serve <- m.Server.Serve(m.ln) }()
	if m.metricsLn != nil {
		go func() { m.serve <- m.Server.ServeMetrics(m.metricsLn) }()
	}
	return nil
}

// Wait blocks until ctx ends or the server stops on its own (an error).
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.serve:
		return err
	}
}

// Close shuts the server down gracefully (requests in flight get 20 s) and
// closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		errs = append(errs, m.Server.Shutdown(ctx))
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	if m.Reader != nil {
		errs = append(errs, m.Reader.Close())
	}
	return errors.Join(errs...)
}

// notWritable logs, in English and with what to do, why the server does not
// start on a database that accepts no writes, and returns the error the
// command prints.
func (m *Main) notWritable(err error) error {
	advice := "check that the SQLite file, its folder and the disk are writable by this user and not mounted read-only"
	if dialect, _, _ := store.ParseURL(m.Config.DatabaseURL); dialect == store.Postgres {
		advice = "point PARINDEX_DATABASE_URL at the primary server, not a standby; check that default_transaction_read_only is off for the role and the database (SHOW default_transaction_read_only) and that the role may write the tables"
	}
	if errors.Is(err, store.ErrReadOnly) {
		m.Log.Error("the database is read-only: parindex serve needs a database that accepts writes",
			slog.String("error", err.Error()), slog.String("what_to_do", advice))
		return &parindex.Error{Code: parindex.ECodeUnavailable, Detail: err.Error(),
			Message: "Cơ sở dữ liệu chỉ cho phép đọc, máy chủ cần ghi được vào cơ sở dữ liệu (the database is read-only; parindex serve needs one that accepts writes)"}
	}
	m.Log.Error("the database refuses writes: parindex serve needs a database that accepts writes",
		slog.String("error", err.Error()), slog.String("what_to_do", advice))
	return &parindex.Error{Code: parindex.ECodeUnavailable, Detail: err.Error(),
		Message: "Cơ sở dữ liệu không cho ghi, máy chủ cần ghi được vào cơ sở dữ liệu (the database refuses writes; parindex serve needs one that accepts writes)"}
}

// openDB opens the configured database and applies pending migrations.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("database migrated", slog.Any("versions", applied), slog.String("dialect", db.Dialect()))
	}
	return db, nil
}

// openReader opens the read-only replica at rawURL, which the primary's
// migrations reach by replication: it is never migrated. A replica behind
// the primary's schema is logged, not refused: replication catches up in a
// moment after a migration, and what it cannot read yet fails as a read
// of the primary would have.
func openReader(ctx context.Context, rawURL string, log *slog.Logger) (*store.DB, error) {
	reader, err := store.Open(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("không mở được bản sao chỉ đọc (unable to open the read-only replica; PARINDEX_DATABASE_READ_URL): %w", err)
	}
	current, err := reader.SchemaCurrent(ctx)
	if err != nil {
		reader.Close()
		return nil, fmt.Errorf("không đọc được lược đồ của bản sao chỉ đọc (unable to read the read-only replica's schema; PARINDEX_DATABASE_READ_URL): %w", err)
	}
	if !current {
		log.Warn("the read-only replica's schema is behind this version; dashboards and exports may fail until replication catches up",
			slog.String("database_read_url", store.MaskURL(rawURL)))
	}
	return reader, nil
}

// openExportDB opens what the export commands read: the read-only replica
// when PARINDEX_DATABASE_READ_URL is set, as the web's exports do (the
// primary is opened first, to migrate it), else the primary.
func openExportDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := openDB(ctx, cfg, log)
	if err != nil || cfg.DatabaseReadURL == "" {
		return db, err
	}
	db.Close()
	return openReader(ctx, cfg.DatabaseReadURL, log)
}

// logger writes to the command's error stream, which tests capture.
func (a *app) logger() *slog.Logger { return a.cfg.NewLogger(a.stderr) }

// withDB is the RunE of a command that works on the database: it opens
// (and migrates) the configured database, runs fn and closes it.
func (a *app) withDB(fn func(cmd *cobra.Command, args []string, db *store.DB) error) func(*cobra.Command, []string) error {
	return a.withOpened(openDB, fn)
}

// withExportDB is withDB for the export commands: they read the read-only
// replica when PARINDEX_DATABASE_READ_URL is set (openExportDB).
func (a *app) withExportDB(fn func(cmd *cobra.Command, args []string, db *store.DB) error) func(*cobra.Command, []string) error {
	return a.withOpened(openExportDB, fn)
}

func (a *app) withOpened(open func(context.Context, config.Config, *slog.Logger) (*store.DB, error), fn func(cmd *cobra.Command, args []string, db *store.DB) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := open(cmd.Context(), a.cfg, a.logger())
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, args, db)
	}
}

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Chạy máy chủ web (run the web server)",
		Long: `Chạy máy chủ web: khảo sát công khai, ứng dụng cho cán bộ, API.
Cơ sở dữ liệu được nâng cấp (migrate) khi khởi động. Dừng bằng Ctrl+C hoặc SIGTERM.

Runs the web server; migrates the database at start-up; stops gracefully on SIGINT/SIGTERM.`,
		Args: positionalArgs(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			m := &Main{Config: a.cfg, Log: a.logger(), Out: a.stdout}
			if err := m.Run(ctx); err != nil {
				m.Close()
				return err
			}
			m.Log.Info("parindex serving", slog.String("listen", m.URL), slog.String("metrics", m.MetricsURL), slog.String("base_url", a.cfg.BaseURL),
				slog.String("database", store.MaskURL(a.cfg.DatabaseURL)), slog.String("version", version))
			fmt.Fprintf(a.stdout, "parindex đang chạy tại (serving at) %s\n", displayURL(a.cfg, m.URL))
			err := m.Wait(ctx)
			m.Log.Info("parindex stopping")
			return errors.Join(err, m.Close())
		},
	}
}

// displayURL is the address a person should open: BASE_URL when it was set,
// else the listener's own address.
func displayURL(cfg config.Config, listen string) string {
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if port == "0" || host == "" || host == "0.0.0.0" || host == "::" {
		return listen
	}
	return cfg.BaseURL
}

// chartsVersion says which ECharts the binary embeds for the dashboards it
// serves, if any; `parindex version` reports it. It sits with the serve
// command because it asks web, which the command line imports only to serve.
func chartsVersion() string {
	switch {
	case !web.EChartsEmbedded():
		return "không có (not embedded: make vendor-echarts before building; the dashboards show tables only)"
	case echartsVersion == "":
		return "có, phiên bản không rõ (embedded, version unknown: built without the Makefile)"
	}
	return echartsVersion
}
