package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"parindex"
	"parindex/criteria"
	"parindex/store"
)

// apiReply is an API answer, decoded.
type apiReply struct {
	response
	JSON map[string]any
}

func (r apiReply) errorCode() string {
	e, _ := r.JSON["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r apiReply) errorItems() []map[string]any {
	e, _ := r.JSON["error"].(map[string]any)
	var out []map[string]any
	items, _ := e["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (r apiReply) data() map[string]any { d, _ := r.JSON["data"].(map[string]any); return d }

func (r apiReply) list() []map[string]any {
	var out []map[string]any
	items, _ := r.JSON["data"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// api calls the API as another system does: a bearer token, JSON, no
// cookies, no Origin or Sec-Fetch-Site headers.
func (c *client) api(method, path, token string, body any) apiReply {
	c.t.Helper()
	var rd *bytes.Reader
	if s, ok := body.(string); ok {
		rd = bytes.NewReader([]byte(s))
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	if rd != nil {
		req, _ = http.NewRequest(method, c.base+path, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, _ = http.NewRequest(method, c.base+path, nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := c.do(req)
	out := apiReply{response: r}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(r.Body), &out.JSON); err != nil {
			c.t.Fatalf("%s %s: the body is not JSON: %v\n%s", method, path, err, r.Body)
		}
	}
	return out
}

// apiClient is another system calling the API: a client of its own and a
// new token (mustToken's name, unit and write).
func (ts *testServer) apiClient(t *testing.T, name, unit string, write bool) (*client, string) {
	t.Helper()
	return ts.client(t), mustToken(t, ts.DB, name, unit, write)
}

func mustToken(t *testing.T, db *store.DB, name, unit string, write bool) string {
	t.Helper()
	secret, _, err := db.CreateAPIToken(context.Background(), parindex.Actor{Name: "test"}, store.APITokenSpec{Name: name, UnitCode: unit, Write: write})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type obs struct {
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Metric string `json:"metric"`
	Value  any    `json:"value"`
}

func batch(items ...obs) map[string]any { return map[string]any{"observations": items} }

func TestAPIAuthentication(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		c := ts.client(t)
		// The contract is public.
		if r := c.api("GET", "/api/v1/openapi.json", "", nil); r.Status != 200 || r.JSON["openapi"] != "3.1.0" {
			t.Errorf("openapi.json = %d", r.Status)
		}
		r := c.api("GET", "/api/v1/units", "", nil)
		if r.Status != 401 || r.errorCode() != "unauthorized" || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("no token = %d %s", r.Status, r.Body)
		}
		for _, bad := range []string{"pix_notarealtoken", "xyz", mustToken(t, ts.DB, "x", "", false) + "0"} {
			if r := c.api("GET", "/api/v1/units", bad, nil); r.Status != 401 || r.errorCode() != "unauthorized" {
				t.Errorf("token %q = %d", bad, r.Status)
			}
		}
		token := mustToken(t, ts.DB, "Hệ thống một cửa", "", false)
		r = c.api("GET", "/api/v1/units", token, nil)
		if r.Status != 200 || len(r.list()) < 80 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("valid token = %d, %d units", r.Status, len(r.list()))
		}
		// Basic is not Bearer.
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/units", nil)
		req.SetBasicAuth("admin", testPassword)
		if r := c.do(req); r.Status != 401 {
			t.Errorf("basic auth = %d", r.Status)
		}
		// A logged-in staff session is not an API credential.
		admin := ts.loggedIn(t, "admin")
		if r := admin.api("GET", "/api/v1/units", "", nil); r.Status != 401 {
			t.Errorf("session cookie without a token = %d", r.Status)
		}
		if r := admin.api("PUT", "/api/v1/metrics", "", batch(obs{"SNV", "2026-01", "records_received", 1})); r.Status != 401 {
			t.Errorf("PUT with a session cookie = %d", r.Status)
		}
		// Last use is noted; a revoked token stops working at once.
		list, _ := ts.DB.FindAPITokens(context.Background())
		var id int64
		for _, tk := range list {
			if tk.Name == "Hệ thống một cửa" {
				id = tk.ID
				if tk.LastUsedAt.IsZero() {
					t.Error("last use not recorded")
				}
			}
		}
		if err := ts.DB.RevokeAPIToken(context.Background(), parindex.Actor{Name: "test"}, id, "thử"); err != nil {
			t.Fatal(err)
		}
		if r := c.api("GET", "/api/v1/units", token, nil); r.Status != 401 {
			t.Errorf("revoked token = %d", r.Status)
		}
	})
}

func TestAPIScopeAndWrite(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, snvWrite := ts.apiClient(t, "SNV ghi", "SNV", true)
		allRead := mustToken(t, ts.DB, "đọc", "", false)
		ctx := context.Background()

		// A PUT with a token and no Origin passes the cross-origin protection.
		r := c.api("PUT", "/api/v1/metrics", snvWrite, batch(obs{"SNV", "2026-01", "records_received", 120}, obs{"SNV", "2026-01", "records_on_time", 110.5}))
		if r.Status != 200 || r.data()["inserted"] != 2.0 {
			t.Fatalf("PUT own unit = %d %s", r.Status, r.Body)
		}
		// A unit-scoped token cannot write another unit: the whole batch is
		// refused, the item named, nothing written.
		before, _ := ts.DB.CountObservations(ctx, "")
		r = c.api("PUT", "/api/v1/metrics", snvWrite, batch(obs{"SNV", "2026-02", "records_received", 1}, obs{"STP", "2026-02", "records_received", 1}))
		items := r.errorItems()
		if r.Status != 403 || r.errorCode() != "forbidden" || len(items) != 1 || items[0]["index"] != 1.0 || items[0]["field"] != "unit" || !strings.Contains(items[0]["message_en"].(string), "STP") {
			t.Errorf("PUT another unit = %d %s", r.Status, r.Body)
		}
		if after, _ := ts.DB.CountObservations(ctx, ""); after != before {
			t.Errorf("a refused batch wrote %d values", after-before)
		}
		// A read token cannot write at all.
		if r := c.api("PUT", "/api/v1/metrics", allRead, batch(obs{"SNV", "2026-02", "records_received", 1})); r.Status != 403 {
			t.Errorf("PUT with a read token = %d", r.Status)
		}
		// Reads follow the same scope.
		if r := c.api("GET", "/api/v1/units", snvWrite, nil); r.Status != 200 || len(r.list()) != 1 || r.list()[0]["code"] != "SNV" {
			t.Errorf("units of the SNV token: %s", r.Body)
		}
		if r := c.api("GET", "/api/v1/units/STP", snvWrite, nil); r.Status != 403 || r.errorCode() != "forbidden" {
			t.Errorf("GET another unit = %d", r.Status)
		}
		if r := c.api("GET", "/api/v1/units/KHONGCO", allRead, nil); r.Status != 404 || r.errorCode() != "not_found" {
			t.Errorf("GET unknown unit = %d", r.Status)
		}
		if r := c.api("GET", "/api/v1/metrics?unit=STP", snvWrite, nil); r.Status != 403 {
			t.Errorf("metrics of another unit = %d", r.Status)
		}
		if r := c.api("PUT", "/api/v1/metrics", allRead, batch(obs{"STP", "2026-02", "records_received", 1})); r.Status != 403 {
			t.Errorf("all-units read token wrote: %d", r.Status)
		}
		r = c.api("GET", "/api/v1/metrics?year=2026", allRead, nil)
		if r.Status != 200 || len(r.list()) != 2 || r.list()[1]["metric"] != "records_received" || r.list()[0]["value"] != 110.5 || r.list()[0]["source"] != "api" ||
			!strings.HasPrefix(r.list()[0]["recorded_by"].(string), "api:SNV ghi#") {
			t.Errorf("GET metrics: %s", r.Body)
		}
		// Unknown routes and methods under /api/v1 are not served.
		if r := c.api("DELETE", "/api/v1/metrics", snvWrite, nil); r.Status != 405 {
			t.Errorf("DELETE = %d", r.Status)
		}
		// The catalogue and frameworks need no unit scope.
		if r := c.api("GET", "/api/v1/metrics/catalog", snvWrite, nil); r.Status != 200 || len(r.list()) != len(criteria.ReferenceMetrics) {
			t.Errorf("catalogue = %d", r.Status)
		}
	})
}

func TestAPIResendIsIdempotentAndCorrectionsAreKept(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, token := ts.apiClient(t, "Một cửa", "", true)
		b := batch(obs{"SNV", "2026-03", "records_received", 1250}, obs{"X001", "2026-Q1", "records_online", 300}, obs{"STP", "2026", "plan_tasks_total", 14})
		r := c.api("PUT", "/api/v1/metrics", token, b)
		if r.Status != 200 || r.data()["inserted"] != 3.0 {
			t.Fatalf("first PUT = %d %s", r.Status, r.Body)
		}
		audit := countAudit(t, ts.DB)
		for i := 0; i < 2; i++ {
			r = c.api("PUT", "/api/v1/metrics", token, b)
			if r.Status != 200 || r.data()["unchanged"] != 3.0 || r.data()["inserted"] != 0.0 || r.data()["updated"] != 0.0 {
				t.Errorf("re-send %d = %d %s", i, r.Status, r.Body)
			}
		}
		wantNoNewAudit(t, ts.DB, audit, "re-sends")
		if n, _ := ts.DB.CountObservations(context.Background(), ""); n != 3 {
			t.Errorf("%d values after re-sends", n)
		}
		// A correction: the item says so, history and audit keep the old value.
		r = c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_received", 1260}))
		if r.Status != 200 || r.data()["updated"] != 1.0 || r.data()["items"].([]any)[0].(map[string]any)["status"] != "updated" {
			t.Fatalf("correction = %d %s", r.Status, r.Body)
		}
		snv, _ := ts.DB.OrgUnitByCode(context.Background(), "SNV")
		mar, _ := parindex.ParsePeriod("2026-03")
		hist, _ := ts.DB.ObservationHistory(context.Background(), snv.ID, mar, "records_received")
		if len(hist) != 2 || hist[0].Value != 1260 || hist[1].Value != 1250 {
			t.Errorf("history: %+v", hist)
		}
		entries, _ := ts.DB.FindAudit(context.Background(), store.AuditFilter{ObjectType: "metric_observation"})
		if len(entries) != 1 || entries[0].RequestID == "" || !strings.HasPrefix(entries[0].Actor, "api:Một cửa#") {
			t.Errorf("audit: %+v", entries)
		}
	})
}
