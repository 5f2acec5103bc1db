package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parindex/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:./data/parindex.db" || c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" ||
		c.BaseURL != "http://127.0.0.1:8080" || c.LogFormat != "text" || c.LogLevel != "info" || len(c.TrustedProxies) != 0 ||
		c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("defaults = %+v", c)
	}
}

// /metrics listens apart from the public address, on the loopback interface
// unless told otherwise, and can be switched off.
func TestMetricsAddr(t *testing.T) {
	for raw, want := range map[string]string{"": "127.0.0.1:9464", "off": "", "10.0.0.5:9100": "10.0.0.5:9100", ":0": ":0"} {
		c, err := config.Load(nil, env(map[string]string{"PARINDEX_METRICS_ADDR": raw}))
		if err != nil || c.MetricsAddr != want {
			t.Errorf("PARINDEX_METRICS_ADDR=%q: %q, %v; want %q", raw, c.MetricsAddr, err, want)
		}
	}
	for _, bad := range []string{"9464", "127.0.0.1:99999", "127.0.0.1:8080"} {
		var ce *config.Error
		_, err := config.Load(nil, env(map[string]string{"PARINDEX_METRICS_ADDR": bad}))
		if !errors.As(err, &ce) || ce.Var != "PARINDEX_METRICS_ADDR" {
			t.Errorf("PARINDEX_METRICS_ADDR=%q: err = %v, want a config.Error naming the variable", bad, err)
		}
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := config.Load(map[string]string{"addr": ":9000"}, env(map[string]string{
		"PARINDEX_ADDR":            "127.0.0.1:7000",
		"PARINDEX_DATA_DIR":        "/srv/pi",
		"PARINDEX_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/24",
		"PARINDEX_LOG_FORMAT":      "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.BaseURL != "http://localhost:9000" || c.DatabaseURL != "sqlite:/srv/pi/parindex.db" ||
		strings.Join(c.TrustedProxies, "|") != "10.0.0.1|192.168.0.0/24" || c.LogFormat != "json" {
		t.Errorf("config = %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	tests := map[string]string{
		"PARINDEX_ADDR":            "localhost",
		"PARINDEX_DATABASE_URL":    "postgres://u:pw@h/db",
		"PARINDEX_BASE_URL":        "cchc.example.vn",
		"PARINDEX_TRUSTED_PROXIES": "10.0.0.1,everyone",
		"PARINDEX_LOG_FORMAT":      "xml",
		"PARINDEX_LOG_LEVEL":       "loud",
		"PARINDEX_SECRET_KEY":      "short",
		"PARINDEX_TIME_ZONE":       "Asia/Hanoi",
	}
	for name, value := range tests {
		_, err := config.Load(nil, env(map[string]string{name: value}))
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != name || ce.Allowed == "" {
			t.Errorf("%s=%q: err = %v, want a config.Error naming the variable", name, value, err)
			continue
		}
		if strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: the message shows the password: %v", name, err)
		}
	}
}

func TestSecretKeyIsGeneratedOnceAndKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Load(nil, env(map[string]string{"PARINDEX_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	k1, err := c.LoadSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.LoadSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) < 32 || string(k1) != string(k2) {
		t.Errorf("keys %q and %q: want one stable key of 32+ characters", k1, k2)
	}
	st, err := os.Stat(filepath.Join(dir, config.SecretKeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	for _, kv := range c.Effective() {
		if strings.Contains(kv[1], string(k1)) {
			t.Errorf("%s shows the key", kv[0])
		}
	}

	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	c2, _ := config.Load(nil, env(map[string]string{"PARINDEX_SECRET_KEY_FILE": short}))
	if _, err := c2.LoadSecretKey(); err == nil {
		t.Error("a 3-character key file was accepted")
	}
	c3, _ := config.Load(nil, env(map[string]string{"PARINDEX_SECRET_KEY_FILE": filepath.Join(dir, "missing")}))
	if _, err := c3.LoadSecretKey(); err == nil {
		t.Error("a missing key file was accepted (only DATA_DIR's key is generated)")
	}
}

func TestEvidenceLimit(t *testing.T) {
	c, err := config.Load(nil, env(nil))
	if err != nil || c.EvidenceMaxMB != 20 {
		t.Errorf("default evidence limit = %d, %v", c.EvidenceMaxMB, err)
	}
	c, err = config.Load(map[string]string{"evidence-max-mb": "50"}, env(nil))
	if err != nil || c.EvidenceMaxMB != 50 {
		t.Errorf("--evidence-max-mb 50 = %d, %v", c.EvidenceMaxMB, err)
	}
	var ce *config.Error
	if _, err := config.Load(nil, env(map[string]string{"PARINDEX_EVIDENCE_MAX_MB": "0"})); !errors.As(err, &ce) || ce.Var != "PARINDEX_EVIDENCE_MAX_MB" {
		t.Errorf("0 MB: %v", err)
	}
}

func TestServers(t *testing.T) {
	c, err := config.Load(nil, env(nil))
	if err != nil || c.Servers != 1 {
		t.Errorf("default servers = %d, %v", c.Servers, err)
	}
	c, err = config.Load(map[string]string{"servers": "3"}, env(map[string]string{"PARINDEX_SERVERS": "2"}))
	if err != nil || c.Servers != 3 {
		t.Errorf("--servers 3 over PARINDEX_SERVERS=2 = %d, %v", c.Servers, err)
	}
	for _, bad := range []string{"0", "-1", "1.5", "two", "65"} {
		var ce *config.Error
		if _, err := config.Load(nil, env(map[string]string{"PARINDEX_SERVERS": bad})); !errors.As(err, &ce) || ce.Var != "PARINDEX_SERVERS" {
			t.Errorf("PARINDEX_SERVERS=%s: %v", bad, err)
		}
	}
}

func TestTimeZone(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 23, 0, 0, time.UTC)
	c, err := config.Load(nil, env(nil))
	if err != nil || c.TimeZone != "Asia/Ho_Chi_Minh" || c.Clock().FormatTime(at) != "07/12/2026 04:23" {
		t.Errorf("default zone %q shows %q, %v", c.TimeZone, c.Clock().FormatTime(at), err)
	}
	c, err = config.Load(map[string]string{"time-zone": "Europe/Paris"}, env(map[string]string{"PARINDEX_TIME_ZONE": "Asia/Bangkok"}))
	if err != nil || c.Clock().FormatTime(at) != "06/12/2026 22:23" {
		t.Errorf("--time-zone Europe/Paris shows %q, %v", c.Clock().FormatTime(at), err)
	}
	// Names that are not zones, and Local, which would follow the server.
	for _, bad := range []string{"Asia/Hanoi", "UTC+7", "Local", "../../etc/passwd"} {
		var ce *config.Error
		_, err := config.Load(nil, env(map[string]string{"PARINDEX_TIME_ZONE": bad}))
		if !errors.As(err, &ce) || ce.Var != "PARINDEX_TIME_ZONE" || !strings.Contains(ce.Allowed, "Asia/Ho_Chi_Minh") {
			t.Errorf("%q: err = %v, want a config.Error naming PARINDEX_TIME_ZONE", bad, err)
		}
	}
}

func TestIntegrityPolicy(t *testing.T) {
	c, err := config.Load(nil, env(nil))
	if err != nil || c.IntegrityPolicy.Version != 1 || c.IntegrityPolicyFile != "" {
		t.Fatalf("built-in policy: version %d, %v", c.IntegrityPolicy.Version, err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "policy.yaml")
	builtIn, err := os.ReadFile("../integrity/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, bytes.Replace(builtIn, []byte("version: 1"), []byte("version: 7"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = config.Load(map[string]string{"integrity-policy": good}, env(nil))
	if err != nil || c.IntegrityPolicy.Version != 7 {
		t.Errorf("policy from a file: version %d, %v", c.IntegrityPolicy.Version, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, append(builtIn, []byte("colour: red\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	var ce *config.Error
	_, err = config.Load(nil, env(map[string]string{"PARINDEX_INTEGRITY_POLICY": bad}))
	if !errors.As(err, &ce) || ce.Var != "PARINDEX_INTEGRITY_POLICY" || !strings.Contains(ce.Allowed, "colour") {
		t.Errorf("a policy with an unknown key: %v", err)
	}
}

// PARINDEX_DATABASE_READ_URL names a PostgreSQL replica of a PostgreSQL
// primary; anything else stops start-up naming the variable, without its
// password.
func TestDatabaseReadURL(t *testing.T) {
	primary := "postgres://u:pw@primary/db?sslmode=disable"
	c, err := config.Load(nil, env(map[string]string{"PARINDEX_DATABASE_URL": primary,
		"PARINDEX_DATABASE_READ_URL": "postgres://u:pw@replica/db?sslmode=disable"}))
	if err != nil || c.DatabaseReadURL != "postgres://u:pw@replica/db?sslmode=disable" {
		t.Fatalf("read URL %q, %v", c.DatabaseReadURL, err)
	}
	for _, kv := range c.Effective() {
		if kv[0] == "PARINDEX_DATABASE_READ_URL" && kv[1] != "postgres://u:xxxxx@replica/db?sslmode=disable" {
			t.Errorf("config prints the read URL as %q", kv[1])
		}
	}
	if c, err := config.Load(nil, env(map[string]string{"PARINDEX_DATABASE_URL": primary})); err != nil || c.DatabaseReadURL != "" {
		t.Errorf("no read URL: %q, %v", c.DatabaseReadURL, err)
	}
	for _, bad := range []map[string]string{
		{"PARINDEX_DATABASE_URL": primary, "PARINDEX_DATABASE_READ_URL": "sqlite:/tmp/copy.db"},
		{"PARINDEX_DATABASE_URL": primary, "PARINDEX_DATABASE_READ_URL": "postgres://u:pw@replica/db"},
		{"PARINDEX_DATABASE_READ_URL": "postgres://u:pw@replica/db?sslmode=disable"}, // over SQLite
	} {
		_, err := config.Load(nil, env(bad))
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != "PARINDEX_DATABASE_READ_URL" || strings.Contains(err.Error(), "pw@") {
			t.Errorf("%v: err = %v, want a config.Error naming the variable without the password", bad, err)
		}
	}
}
