// Package config is the table of parindex's settings: each has an
// environment variable PARINDEX_<NAME>, a command-line flag, a default and a
// validation rule. A bad value stops start-up with a message that names the
// variable and the allowed form.
//
// It imports only the standard library, the root package (the Clock it
// hands out) and store (to check database URLs); it must never import web,
// gin or the command line.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/store"
)

// DefaultMetricsAddr keeps /metrics on the loopback interface: what the
// server counts (routes, database pool, process) is for the people who run
// it, never for the public survey's visitors.
const DefaultMetricsAddr = "127.0.0.1:9464"

// EnvPrefix starts the name of every environment variable parindex reads.
const EnvPrefix = "PARINDEX_"

// Config is the effective configuration.
type Config struct {
	DatabaseURL string
	// DatabaseReadURL, when set, is a read-only copy of the PostgreSQL
	// database (a streaming replica) that the dashboards and the exports
	// read, so that their long reads leave the primary to the survey's
	// writes; "" reads everything from DatabaseURL.
	DatabaseReadURL string
	Addr            string
	// MetricsAddr is where /metrics (Prometheus) listens, apart from the
	// public address; "" when switched off.
	MetricsAddr    string
	DataDir        string
	SecretKey      string
	SecretKeyFile  string
	BaseURL        string
	TrustedProxies []string
	LogFormat      string
	LogLevel       string
	// Survey rate limits, in submissions per minute.
	SurveyIPPerMinute   float64
	SurveyLinkPerMinute float64
	// Servers is the number of `parindex serve` processes sharing the
	// database behind a load balancer: each allows its share of the survey
	// rate limits.
	Servers int
	// IngestWriters is the number of group-commit writers (0: by dialect).
	IngestWriters int
	// EvidenceMaxMB is the largest evidence file accepted, in MiB.
	EvidenceMaxMB int
	// TimeZone names the province's zone; Location is that zone, loaded.
	TimeZone string
	Location *time.Location
	// IntegrityPolicyFile replaces the embedded counter-integrity policy
	// when set; IntegrityPolicy is the policy in force, read at start so a
	// faulty file stops the program with its lines.
	IntegrityPolicyFile string
	IntegrityPolicy     integrity.Policy
}

// Clock formats every time people read in the province's zone.
func (c Config) Clock() parindex.Clock { return parindex.NewClock(c.Location) }

// Option describes one setting.
type Option struct {
	Name    string // environment variable without the prefix, e.g. DATABASE_URL
	Flag    string // command-line flag without dashes, e.g. database-url
	Default string // shown in help; "" when derived or empty
	Help    string
	Secret  bool
	// apply validates the raw value and stores it; raw is "" when unset.
	apply func(c *Config, raw string) error
}

// Env returns the option's environment variable name.
func (o Option) Env() string { return EnvPrefix + o.Name }

// Error is a bad configuration value; the command line exits with code 2.
type Error struct {
	Var     string
	Value   string
	Allowed string
}

func (e *Error) Error() string {
	return fmt.Sprintf("configuration: %s=%q is not valid; allowed: %s", e.Var, e.Value, e.Allowed)
}

// Options is the table of settings, in the order `parindex config` prints them.
var Options = []Option{
	{Name: "DATA_DIR", Flag: "data-dir", Default: "./data", Help: "folder for the SQLite file, the generated secret key and uploaded files",
		apply: func(c *Config, raw string) error {
			c.DataDir = orDefault(raw, "./data")
			return nil
		}},
	{Name: "DATABASE_URL", Flag: "database-url", Default: "sqlite:<DATA_DIR>/parindex.db", Help: "sqlite:PATH or postgres://user@host:5432/db?sslmode=…", Secret: true,
		apply: func(c *Config, raw string) error {
			c.DatabaseURL = orDefault(raw, "sqlite:"+strings.TrimSuffix(c.DataDir, "/")+"/parindex.db")
			if _, _, err := store.ParseURL(c.DatabaseURL); err != nil {
				return &Error{EnvPrefix + "DATABASE_URL", store.MaskURL(raw), "sqlite:PATH or postgres://…?sslmode=… (" + err.Error() + ")"}
			}
			return nil
		}},
	{Name: "DATABASE_READ_URL", Flag: "database-read-url", Help: "postgres://… of a read-only replica of DATABASE_URL for the dashboards and exports (PostgreSQL only; empty: none)", Secret: true,
		apply: func(c *Config, raw string) error {
			c.DatabaseReadURL = raw
			if raw == "" {
				return nil
			}
			dialect, _, err := store.ParseURL(raw)
			if err == nil && dialect != store.Postgres {
				err = errors.New("a replica is a PostgreSQL server")
			}
			if primary, _, _ := store.ParseURL(c.DatabaseURL); err == nil && primary != store.Postgres {
				err = errors.New("DATABASE_URL is not PostgreSQL")
			}
			if err != nil {
				return &Error{EnvPrefix + "DATABASE_READ_URL", store.MaskURL(raw), "empty, or postgres://…?sslmode=… of a replica when DATABASE_URL is PostgreSQL (" + err.Error() + ")"}
			}
			return nil
		}},
	{Name: "ADDR", Flag: "addr", Default: "127.0.0.1:8080", Help: "host:port the web server listens on (port 0 picks a free port)",
		apply: func(c *Config, raw string) error {
			c.Addr = orDefault(raw, "127.0.0.1:8080")
			if _, ok := portOf(c.Addr); !ok {
				return &Error{EnvPrefix + "ADDR", raw, "host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080 or :8080"}
			}
			return nil
		}},
	{Name: "METRICS_ADDR", Flag: "metrics-addr", Default: DefaultMetricsAddr, Help: "host:port of the Prometheus /metrics listener, apart from the public address; off to switch it off",
		apply: func(c *Config, raw string) error {
			c.MetricsAddr = orDefault(raw, DefaultMetricsAddr)
			if c.MetricsAddr == "off" {
				c.MetricsAddr = ""
				return nil
			}
			port, ok := portOf(c.MetricsAddr)
			if !ok {
				return &Error{EnvPrefix + "METRICS_ADDR", raw, "host:port with a port from 0 to 65535, e.g. 127.0.0.1:9464, or off"}
			}
			// The same host:port as the public server would fail to listen;
			// say so here, naming the setting, rather than at start-up.
			if c.MetricsAddr == c.Addr && port != "0" {
				return &Error{EnvPrefix + "METRICS_ADDR", raw, "an address other than PARINDEX_ADDR (" + c.Addr + "): /metrics has a listener of its own"}
			}
			return nil
		}},
	{Name: "BASE_URL", Flag: "base-url", Default: "http://<ADDR>", Help: "public address of the site, used in QR links and to mark cookies Secure when https",
		apply: func(c *Config, raw string) error {
			if raw == "" {
				host, port, _ := net.SplitHostPort(c.Addr)
				if host == "" || host == "0.0.0.0" || host == "::" {
					host = "localhost"
				}
				c.BaseURL = "http://" + net.JoinHostPort(host, port)
				return nil
			}
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				return &Error{EnvPrefix + "BASE_URL", raw, "an absolute http:// or https:// URL without query, e.g. https://cchc.example.gov.vn"}
			}
			c.BaseURL = strings.TrimSuffix(raw, "/")
			return nil
		}},
	{Name: "SECRET_KEY", Flag: "secret-key", Help: "key for signing and keyed hashes, at least 32 characters; generated into DATA_DIR when absent", Secret: true,
		apply: func(c *Config, raw string) error {
			if raw != "" && len(raw) < 32 {
				return &Error{EnvPrefix + "SECRET_KEY", "(hidden)", "at least 32 characters"}
			}
			c.SecretKey = raw
			return nil
		}},
	{Name: "SECRET_KEY_FILE", Flag: "secret-key-file", Help: "file holding the secret key (instead of SECRET_KEY)",
		apply: func(c *Config, raw string) error {
			c.SecretKeyFile = raw
			if raw != "" && c.SecretKey != "" {
				return &Error{EnvPrefix + "SECRET_KEY_FILE", raw, "empty when PARINDEX_SECRET_KEY is set (set only one of them)"}
			}
			return nil
		}},
	{Name: "TRUSTED_PROXIES", Flag: "trusted-proxies", Default: "(none)", Help: "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed",
		apply: func(c *Config, raw string) error {
			c.TrustedProxies = nil
			for _, p := range strings.Split(raw, ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				_, perr := netip.ParsePrefix(p)
				_, aerr := netip.ParseAddr(p)
				if perr != nil && aerr != nil {
					return &Error{EnvPrefix + "TRUSTED_PROXIES", raw, "comma-separated IP addresses or CIDR ranges, e.g. 10.0.0.1,192.168.0.0/24"}
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}},
	{Name: "LOG_FORMAT", Flag: "log-format", Default: "text", Help: "text or json",
		apply: func(c *Config, raw string) error {
			c.LogFormat = orDefault(raw, "text")
			if c.LogFormat != "text" && c.LogFormat != "json" {
				return &Error{EnvPrefix + "LOG_FORMAT", raw, "text or json"}
			}
			return nil
		}},
	{Name: "LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error",
		apply: func(c *Config, raw string) error {
			c.LogLevel = orDefault(raw, "info")
			var l slog.Level
			if l.UnmarshalText([]byte(c.LogLevel)) != nil {
				return &Error{EnvPrefix + "LOG_LEVEL", raw, "debug, info, warn or error"}
			}
			return nil
		}},
	{Name: "SURVEY_IP_PER_MINUTE", Flag: "survey-ip-per-minute", Default: "30", Help: "survey submissions allowed per client address per minute",
		apply: func(c *Config, raw string) error {
			v, err := positiveNumber(raw, 30)
			if err != nil {
				return &Error{EnvPrefix + "SURVEY_IP_PER_MINUTE", raw, "a positive number, e.g. 30"}
			}
			c.SurveyIPPerMinute = v
			return nil
		}},
	{Name: "SURVEY_LINK_PER_MINUTE", Flag: "survey-link-per-minute", Default: "600", Help: "survey submissions allowed per QR link per minute",
		apply: func(c *Config, raw string) error {
			v, err := positiveNumber(raw, 600)
			if err != nil {
				return &Error{EnvPrefix + "SURVEY_LINK_PER_MINUTE", raw, "a positive number, e.g. 600"}
			}
			c.SurveyLinkPerMinute = v
			return nil
		}},
	{Name: "SERVERS", Flag: "servers", Default: "1", Help: "number of parindex serve processes on this database behind a load balancer; each allows this share of the survey rate limits",
		apply: func(c *Config, raw string) error {
			n, err := wholeNumber(raw, 1, 1, 64)
			if err != nil {
				return &Error{EnvPrefix + "SERVERS", raw, "a whole number from 1 to 64"}
			}
			c.Servers = n
			return nil
		}},
	{Name: "INGEST_WRITERS", Flag: "ingest-writers", Default: "1 on SQLite, 2 on PostgreSQL", Help: "concurrent transactions that store survey responses",
		apply: func(c *Config, raw string) error {
			n, err := wholeNumber(raw, 0, 1, 64)
			if err != nil {
				return &Error{EnvPrefix + "INGEST_WRITERS", raw, "a whole number from 1 to 64"}
			}
			c.IngestWriters = n
			return nil
		}},
	{Name: "EVIDENCE_MAX_MB", Flag: "evidence-max-mb", Default: "20", Help: "largest evidence file an agency may upload, in MB",
		apply: func(c *Config, raw string) error {
			n, err := wholeNumber(raw, 20, 1, 1024)
			if err != nil {
				return &Error{EnvPrefix + "EVIDENCE_MAX_MB", raw, "a whole number of megabytes from 1 to 1024"}
			}
			c.EvidenceMaxMB = n
			return nil
		}},
	{Name: "TIME_ZONE", Flag: "time-zone", Default: parindex.DefaultTimeZone, Help: "IANA time zone in which pages, workbooks, CSV files and command-line tables show times (the API keeps RFC 3339)",
		apply: func(c *Config, raw string) error {
			c.TimeZone = orDefault(raw, parindex.DefaultTimeZone)
			loc, err := time.LoadLocation(c.TimeZone)
			// "Local" would follow the server's own zone, which is exactly
			// what this setting exists to pin down.
			if err != nil || c.TimeZone == "Local" {
				return &Error{EnvPrefix + "TIME_ZONE", raw, "an IANA time zone name such as Asia/Ho_Chi_Minh or Asia/Bangkok"}
			}
			c.Location = loc
			return nil
		}},
	{Name: "INTEGRITY_POLICY", Flag: "integrity-policy", Default: "(built in)", Help: "YAML file of the counter-integrity thresholds, in the form of integrity/policy.yaml (docs/statistics.md)",
		apply: func(c *Config, raw string) error {
			c.IntegrityPolicyFile = raw
			if raw == "" {
				c.IntegrityPolicy = integrity.DefaultPolicy()
				return nil
			}
			f, err := os.Open(raw)
			if err != nil {
				return &Error{EnvPrefix + "INTEGRITY_POLICY", raw, "a readable policy file (" + err.Error() + ")"}
			}
			defer f.Close()
			if c.IntegrityPolicy, err = integrity.ParsePolicy(raw, f); err != nil {
				return &Error{EnvPrefix + "INTEGRITY_POLICY", raw, "a policy in the form of integrity/policy.yaml; " + err.Error()}
			}
			return nil
		}},
}

func positiveNumber(raw string, def float64) (float64, error) {
	if raw == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v <= 0 || v > 1e9 {
		return 0, errors.New("not a positive number")
	}
	return v, nil
}

// wholeNumber reads a whole number from lo to hi; def when raw is empty.
func wholeNumber(raw string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("not a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// portOf is the port of a host:port address, and whether the address is
// one with a port from 0 to 65535.
func portOf(addr string) (port string, ok bool) {
	_, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	return port, err == nil && perr == nil && n >= 0 && n <= 65535
}

func orDefault(raw, def string) string {
	if raw == "" {
		return def
	}
	return raw
}

// Load builds the configuration from flags (the values of flags the user set,
// keyed by flag name) over environment variables (read through getenv) over
// defaults.
func Load(flags map[string]string, getenv func(string) string) (Config, error) {
	var c Config
	for _, o := range Options {
		raw, ok := flags[o.Flag]
		if !ok {
			raw = getenv(o.Env())
		}
		if err := o.apply(&c, strings.TrimSpace(raw)); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// Effective lists each setting and its effective value, secrets masked.
func (c Config) Effective() [][2]string {
	key := "(generated in " + filepath.Join(c.DataDir, SecretKeyFileName) + ")"
	switch {
	case c.SecretKey != "":
		key = "(set, hidden)"
	case c.SecretKeyFile != "":
		key = "(from file)"
	}
	return [][2]string{
		{"PARINDEX_DATA_DIR", c.DataDir},
		{"PARINDEX_DATABASE_URL", store.MaskURL(c.DatabaseURL)},
		{"PARINDEX_DATABASE_READ_URL", orDefault(store.MaskURL(c.DatabaseReadURL), "(none)")},
		{"PARINDEX_ADDR", c.Addr},
		{"PARINDEX_METRICS_ADDR", orDefault(c.MetricsAddr, "off")},
		{"PARINDEX_BASE_URL", c.BaseURL},
		{"PARINDEX_SECRET_KEY", key},
		{"PARINDEX_SECRET_KEY_FILE", c.SecretKeyFile},
		{"PARINDEX_TRUSTED_PROXIES", strings.Join(c.TrustedProxies, ",")},
		{"PARINDEX_LOG_FORMAT", c.LogFormat},
		{"PARINDEX_LOG_LEVEL", c.LogLevel},
		{"PARINDEX_SURVEY_IP_PER_MINUTE", strconv.FormatFloat(c.SurveyIPPerMinute, 'f', -1, 64)},
		{"PARINDEX_SURVEY_LINK_PER_MINUTE", strconv.FormatFloat(c.SurveyLinkPerMinute, 'f', -1, 64)},
		{"PARINDEX_SERVERS", strconv.Itoa(c.Servers)},
		{"PARINDEX_INGEST_WRITERS", ingestWriters(c.IngestWriters)},
		{"PARINDEX_EVIDENCE_MAX_MB", strconv.Itoa(c.EvidenceMaxMB)},
		{"PARINDEX_TIME_ZONE", c.TimeZone},
		{"PARINDEX_INTEGRITY_POLICY", orDefault(c.IntegrityPolicyFile, "(built in)") + ", version " + strconv.Itoa(c.IntegrityPolicy.Version)},
	}
}

// SecretKeyFileName is the file in DATA_DIR that holds a generated key.
const SecretKeyFileName = "secret.key"

// LoadSecretKey returns the secret key: SECRET_KEY, else the contents of
// SECRET_KEY_FILE, else DATA_DIR/secret.key, which is created with a random
// key (readable by the owner only) on first run.
func (c Config) LoadSecretKey() ([]byte, error) {
	if c.SecretKey != "" {
		return []byte(c.SecretKey), nil
	}
	path, generate := c.SecretKeyFile, false
	if path == "" {
		path, generate = filepath.Join(c.DataDir, SecretKeyFileName), true
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && generate {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("config: unable to generate a secret key: %w", err)
		}
		key := hex.EncodeToString(buf)
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("config: unable to create %s: %w", c.DataDir, err)
		}
		// O_EXCL: two processes starting at once must not overwrite each other's key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return c.LoadSecretKey()
		}
		if err != nil {
			return nil, fmt.Errorf("config: unable to store the secret key in %s: %w", path, err)
		}
		if _, err := f.WriteString(key + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("config: unable to store the secret key in %s: %w", path, err)
		}
		return []byte(key), f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("config: unable to read the secret key from %s: %w", path, err)
	}
	key := strings.TrimSpace(string(data))
	if len(key) < 32 {
		return nil, &Error{EnvPrefix + "SECRET_KEY_FILE", path, "a file holding at least 32 characters"}
	}
	return []byte(key), nil
}

// NewLogger returns the structured logger the configuration asks for.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func ingestWriters(n int) string {
	if n == 0 {
		return "(by dialect)"
	}
	return strconv.Itoa(n)
}
