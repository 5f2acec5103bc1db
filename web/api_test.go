package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		c := ts.client(t)
		// The contract is public.
		if r := c.api("GET", "/api/v1/openapi.json", "", nil); r.Status != 200 || r.JSON["openapi"] != "3.1.0" {
			t.Errorf("openapi.json = %d", r.Status)
		}
		r := c.api("GET", "/api/v1/units", "", nil)
		if r.Status != 401 || r.errorCode() != "unauthorized" || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("no token = %d %s", r.Status, r.Body)
		}
		for _, bad := range []string{"pix_notarealtoken", "xyz", mustToken(t, db, "x", "", false) + "0"} {
			if r := c.api("GET", "/api/v1/units", bad, nil); r.Status != 401 || r.errorCode() != "unauthorized" {
				t.Errorf("token %q = %d", bad, r.Status)
			}
		}
		token := mustToken(t, db, "Hệ thống một cửa", "", false)
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
		admin := ts.client(t)
		admin.mustLogin("admin")
		if r := admin.api("GET", "/api/v1/units", "", nil); r.Status != 401 {
			t.Errorf("session cookie without a token = %d", r.Status)
		}
		if r := admin.api("PUT", "/api/v1/metrics", "", batch(obs{"SNV", "2026-01", "records_received", 1})); r.Status != 401 {
			t.Errorf("PUT with a session cookie = %d", r.Status)
		}
		// Last use is noted; a revoked token stops working at once.
		list, _ := db.FindAPITokens(context.Background())
		var id int64
		for _, tk := range list {
			if tk.Name == "Hệ thống một cửa" {
				id = tk.ID
				if tk.LastUsedAt.IsZero() {
					t.Error("last use not recorded")
				}
			}
		}
		if err := db.RevokeAPIToken(context.Background(), parindex.Actor{Name: "test"}, id, "thử"); err != nil {
			t.Fatal(err)
		}
		if r := c.api("GET", "/api/v1/units", token, nil); r.Status != 401 {
			t.Errorf("revoked token = %d", r.Status)
		}
	})
}

func TestAPIScopeAndWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		snvWrite := mustToken(t, db, "SNV ghi", "SNV", true)
		allRead := mustToken(t, db, "đọc", "", false)
		ctx := context.Background()

		// A PUT with a token and no Origin passes the cross-origin protection.
		r := c.api("PUT", "/api/v1/metrics", snvWrite, batch(obs{"SNV", "2026-01", "records_received", 120}, obs{"SNV", "2026-01", "records_on_time", 110.5}))
		if r.Status != 200 || r.data()["inserted"] != 2.0 {
			t.Fatalf("PUT own unit = %d %s", r.Status, r.Body)
		}
		// A unit-scoped token cannot write another unit: the whole batch is
		// refused, the item named, nothing written.
		before, _ := db.CountObservations(ctx, "")
		r = c.api("PUT", "/api/v1/metrics", snvWrite, batch(obs{"SNV", "2026-02", "records_received", 1}, obs{"STP", "2026-02", "records_received", 1}))
		items := r.errorItems()
		if r.Status != 403 || r.errorCode() != "forbidden" || len(items) != 1 || items[0]["index"] != 1.0 || items[0]["field"] != "unit" || !strings.Contains(items[0]["message_en"].(string), "STP") {
			t.Errorf("PUT another unit = %d %s", r.Status, r.Body)
		}
		if after, _ := db.CountObservations(ctx, ""); after != before {
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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		token := mustToken(t, db, "Một cửa", "", true)
		b := batch(obs{"SNV", "2026-03", "records_received", 1250}, obs{"X001", "2026-Q1", "records_online", 300}, obs{"STP", "2026", "plan_tasks_total", 14})
		r := c.api("PUT", "/api/v1/metrics", token, b)
		if r.Status != 200 || r.data()["inserted"] != 3.0 {
			t.Fatalf("first PUT = %d %s", r.Status, r.Body)
		}
		audit := countAudit(t, db)
		for i := 0; i < 2; i++ {
			r = c.api("PUT", "/api/v1/metrics", token, b)
			if r.Status != 200 || r.data()["unchanged"] != 3.0 || r.data()["inserted"] != 0.0 || r.data()["updated"] != 0.0 {
				t.Errorf("re-send %d = %d %s", i, r.Status, r.Body)
			}
		}
		if n := countAudit(t, db); n != audit {
			t.Errorf("re-sends wrote %d audit rows", n-audit)
		}
		if n, _ := db.CountObservations(context.Background(), ""); n != 3 {
			t.Errorf("%d values after re-sends", n)
		}
		// A correction: the item says so, history and audit keep the old value.
		r = c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_received", 1260}))
		if r.Status != 200 || r.data()["updated"] != 1.0 || r.data()["items"].([]any)[0].(map[string]any)["status"] != "updated" {
			t.Fatalf("correction = %d %s", r.Status, r.Body)
		}
		snv, _ := db.OrgUnitByCode(context.Background(), "SNV")
		mar, _ := parindex.ParsePeriod("2026-03")
		hist, _ := db.ObservationHistory(context.Background(), snv.ID, mar, "records_received")
		if len(hist) != 2 || hist[0].Value != 1260 || hist[1].Value != 1250 {
			t.Errorf("history: %+v", hist)
		}
		entries, _ := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "metric_observation"})
		if len(entries) != 1 || entries[0].RequestID == "" || !strings.HasPrefix(entries[0].Actor, "api:Một cửa#") {
			t.Errorf("audit: %+v", entries)
		}
	})
}

func TestAPIBatchWithBadItemsWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		token := mustToken(t, db, "Một cửa", "", true)
		audit := countAudit(t, db)
		r := c.api("PUT", "/api/v1/metrics", token, batch(
			obs{"SNV", "2026-01", "records_received", 100},
			obs{"SNV", "2026-02", "records_received", 90},
			obs{"SNV", "2026-03", "records_received", -5},
			obs{"SNV", "2026-04", "records_received", 80},
		))
		items := r.errorItems()
		if r.Status != 422 || r.errorCode() != "invalid" || len(items) != 1 || items[0]["index"] != 2.0 || items[0]["field"] != "value" ||
			!strings.Contains(items[0]["message"].(string), "âm") || !strings.Contains(items[0]["message_en"].(string), "negative") {
			t.Fatalf("one bad item = %d %s", r.Status, r.Body)
		}
		if n, _ := db.CountObservations(context.Background(), ""); n != 0 || countAudit(t, db) != audit {
			t.Errorf("a refused batch wrote %d values", n)
		}
		// Every kind of problem at once, each item named once per field.
		r = c.api("PUT", "/api/v1/metrics", token, `{"observations": [
			{"unit": "SNV", "period": "2026-01", "metric": "records_received", "value": "100"},
			{"unit": "SNV", "period": "01/2026", "metric": "records_received", "value": 1},
			{"unit": "KHONGCO", "period": "2026-01", "metric": "records_received", "value": 1},
			{"unit": "SNV", "period": "2026-01", "metric": "khong_co", "value": 1},
			{"unit": "SNV", "period": "2026-01", "metric": "records_online", "value": 1, "note": "x"},
			{"unit": "X001", "period": "2025-03", "metric": "records_online", "value": 1},
			{"unit": "SNV", "period": "2026-05", "metric": "records_online"},
			{"unit": "SNV", "period": "2026-06", "metric": "records_online", "value": 1},
			{"unit": "SNV", "period": "2026-06", "metric": "records_online", "value": 2},
			7
		]}`)
		want := []string{"0/value", "1/period", "2/unit", "3/metric", "4/note", "5/period", "6/value", "8/metric", "9/"}
		var got []string
		for _, it := range r.errorItems() {
			field, _ := it["field"].(string)
			got = append(got, fmt.Sprintf("%v/%s", it["index"], field))
		}
		if r.Status != 422 || strings.Join(got, " ") != strings.Join(want, " ") || !strings.Contains(r.Body, "duplicates item 7") {
			t.Errorf("many bad items = %d\n got %v\nwant %v\n%s", r.Status, got, want, r.Body)
		}
		// Malformed requests.
		for body, status := range map[string]int{`{"observations": []}`: 400, `not json`: 400, `{"obs": []}`: 400, `{"observations": [] } {}`: 400} {
			if r := c.api("PUT", "/api/v1/metrics", token, body); r.Status != status || r.errorCode() != "invalid" {
				t.Errorf("body %q = %d %s", body, r.Status, r.Body)
			}
		}
		req, _ := http.NewRequest("PUT", ts.URL+"/api/v1/metrics", strings.NewReader("unit,period\n"))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "text/csv")
		if r := c.do(req); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("CSV body = %d", r.Status)
		}
		many := make([]obs, 10001)
		for i := range many {
			many[i] = obs{"SNV", "2026-01", "records_received", i}
		}
		if r := c.api("PUT", "/api/v1/metrics", token, batch(many...)); r.Status != http.StatusRequestEntityTooLarge || r.errorCode() != "too_large" {
			t.Errorf("10001 items = %d", r.Status)
		}
	})
}

// TestAPIRefusesAmbiguousJSON: a body that encoding/json would read
// silently otherwise than it was written is refused (422, located, nothing
// written): a non-zero number too small for a float64 (stored as 0), one
// too large (±Inf), and a key twice in one object at any depth (the last
// would win), including a key that differs only in case from a field.
func TestAPIRefusesAmbiguousJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		token := mustToken(t, db, "Một cửa", "", true)
		audit := countAudit(t, db)
		item := func(period, value string) string {
			return `{"unit": "SNV", "period": "` + period + `", "metric": "records_received", "value": ` + value + `}`
		}
		for _, tc := range []struct{ value, vi, en string }{
			{"1.5e-400", "quá nhỏ", "too small"},
			{"-1e-400", "quá nhỏ", "too small"},
			{"1e400", "quá lớn", "too large"},
		} {
			r := c.api("PUT", "/api/v1/metrics", token, `{"observations": [`+item("2026-01", "1")+`, `+item("2026-02", tc.value)+`]}`)
			items := r.errorItems()
			if r.Status != 422 || r.errorCode() != "invalid" || len(items) != 1 || items[0]["index"] != 1.0 || items[0]["field"] != "value" ||
				!strings.Contains(items[0]["message"].(string), tc.vi) || !strings.Contains(items[0]["message_en"].(string), tc.en) {
				t.Errorf("value %s = %d %s", tc.value, r.Status, r.Body)
			}
		}
		for _, tc := range []struct{ body, field string }{
			{`{"observations": [` + item("2026-01", "1") + `, {"unit": "SNV", "period": "2026-02", "metric": "records_received", "value": 1, "value": 2}]}`, "observations[1].value"},
			{`{"observations": [` + item("2026-01", "1") + `], "observations": [` + item("2026-01", "2") + `]}`, "observations"},
			{`{"observations": [` + item("2026-01", "1") + `], "Observations": [` + item("2026-01", "2") + `]}`, "Observations"},
			{`{"observations": [{"unit": "SNV", "period": "2026-01", "metric": "records_received", "value": {"a": [{"b": 1, "b": 1}]}}]}`, "observations[0].value.a[0].b"},
		} {
			r := c.api("PUT", "/api/v1/metrics", token, tc.body)
			e, _ := r.JSON["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if r.Status != 422 || r.errorCode() != "invalid" || e["field"] != tc.field || !strings.Contains(msg, "hai lần") || !strings.Contains(msg, "twice") {
				t.Errorf("body %s = %d %s, want 422 on field %s", tc.body, r.Status, r.Body, tc.field)
			}
		}
		if n, _ := db.CountObservations(context.Background(), ""); n != 0 || countAudit(t, db) != audit {
			t.Errorf("refused bodies wrote %d values", n)
		}
		// The same keys in different objects are no duplicates; malformed
		// JSON stays a 400 even when it repeats a key first.
		if r := c.api("PUT", "/api/v1/metrics", token, `{"observations": [`+item("2026-01", "1.5e-300")+`, `+item("2026-02", "0")+`]}`); r.Status != 200 {
			t.Errorf("two items with the same fields = %d %s", r.Status, r.Body)
		}
		if r := c.api("PUT", "/api/v1/metrics", token, `{"observations": [], "observations": [}`); r.Status != 400 || r.errorCode() != "invalid" {
			t.Errorf("malformed body with a repeated key = %d %s", r.Status, r.Body)
		}
	})
}

func TestAPIPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		token := mustToken(t, db, "đọc ghi", "", true)
		all := c.api("GET", "/api/v1/units?all=true&limit=1000", token, nil)
		if all.Status != 200 || all.JSON["next_cursor"] != nil {
			t.Fatalf("all units = %d", all.Status)
		}
		var codes []string
		next := "/api/v1/units?all=true&limit=7"
		for pages := 0; next != ""; pages++ {
			r := c.api("GET", next, token, nil)
			if r.Status != 200 || len(r.list()) > 7 || pages > 50 {
				t.Fatalf("page %d = %d", pages, r.Status)
			}
			for _, u := range r.list() {
				codes = append(codes, u["code"].(string))
			}
			links := r.JSON["links"].(map[string]any)
			next, _ = links["next"].(string)
			if (next == "") != (r.JSON["next_cursor"] == nil) {
				t.Errorf("next link and cursor disagree: %v", r.JSON)
			}
		}
		if len(codes) != len(all.list()) {
			t.Errorf("paged %d units, all at once %d", len(codes), len(all.list()))
		}
		for i := 1; i < len(codes); i++ {
			if codes[i] <= codes[i-1] {
				t.Errorf("units out of order or repeated: %s after %s", codes[i], codes[i-1])
			}
		}
		for _, bad := range []string{"?limit=0", "?limit=1001", "?limit=x", "?cursor=***"} {
			r := c.api("GET", "/api/v1/units"+bad, token, nil)
			e := r.JSON["error"].(map[string]any)
			if r.Status != 400 || e["field"] == "" {
				t.Errorf("%s = %d %s", bad, r.Status, r.Body)
			}
		}
		// Observations page by (unit, period, metric).
		var items []obs
		for m := 1; m <= 10; m++ {
			for _, u := range []string{"SNV", "STP", "X001"} {
				items = append(items, obs{u, fmt.Sprintf("2026-%02d", m), "records_received", m})
			}
		}
		if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
			t.Fatal(r.Body)
		}
		seen := map[string]bool{}
		next = "/api/v1/metrics?year=2026&limit=4"
		for next != "" {
			r := c.api("GET", next, token, nil)
			if r.Status != 200 {
				t.Fatal(r.Body)
			}
			for _, o := range r.list() {
				k := o["unit"].(string) + o["period"].(string)
				if seen[k] {
					t.Errorf("%s twice", k)
				}
				seen[k] = true
			}
			next, _ = r.JSON["links"].(map[string]any)["next"].(string)
		}
		if len(seen) != 30 {
			t.Errorf("paged %d observations, want 30", len(seen))
		}
	})
}

func TestAPIRateLimit(t *testing.T) {
	ts := newTestServer(t, storetest.MustOpenSQLite(t))
	c := ts.client(t)
	token := mustToken(t, ts.DB, "vội", "", false)
	other := mustToken(t, ts.DB, "khác", "", false)
	limited := 0
	for i := 0; i < 150 && limited == 0; i++ {
		r := c.api("GET", "/api/v1/metrics/catalog", token, nil)
		if r.Status == http.StatusTooManyRequests {
			limited++
			if r.Header.Get("Retry-After") == "" || r.errorCode() != "rate_limited" {
				t.Errorf("429 without Retry-After or code: %v %s", r.Header, r.Body)
			}
		}
	}
	if limited == 0 {
		t.Fatal("150 requests in a row were never limited")
	}
	// Limits are per token.
	if r := c.api("GET", "/api/v1/metrics/catalog", other, nil); r.Status != 200 {
		t.Errorf("another token = %d", r.Status)
	}
}

// A ratio criterion's points change when a metric is corrected through the
// API and the scores are computed again from the stored year.
func TestAPICorrectionChangesRatioPoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
		ts := newTestServer(t, db)
		c := ts.client(t)
		token := mustToken(t, db, "Một cửa", "SNV", true)
		var items []obs
		for m := 1; m <= 10; m++ {
			p := fmt.Sprintf("2026-%02d", m)
			items = append(items, obs{"SNV", p, "records_resolved", 100}, obs{"SNV", p, "records_early", 40})
		}
		if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
			t.Fatal(r.Body)
		}
		f, err := criteria.Reference("service-index-766")
		if err != nil {
			t.Fatal(err)
		}
		points := func() float64 {
			t.Helper()
			year, err := db.YearMetrics(context.Background(), 2026)
			if err != nil {
				t.Fatal(err)
			}
			res, err := scoring.Score(f, scoring.Inputs{Agencies: []scoring.AgencyInput{{Code: "SNV", Metrics: year["SNV"]}}})
			if err != nil {
				t.Fatal(err)
			}
			n, ok := res.Agencies[0].Node("2.1") // records_early ÷ records_resolved × 6
			if !ok {
				t.Fatal("no node 2.1")
			}
			return n.Points
		}
		before := points()
		if diff := before - 6*400.0/1000; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("2.1 before = %v, want 2.4", before)
		}
		// March was 90 early, not 40.
		if r := c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_early", 90})); r.Status != 200 || r.data()["updated"] != 1.0 {
			t.Fatal(r.Body)
		}
		after := points()
		if diff := after - 6*450.0/1000; diff > 1e-9 || diff < -1e-9 {
			t.Errorf("2.1 after the correction = %v, want 2.7", after)
		}
	})
}

// The same through the snapshot: metrics sent through the API, the
// snapshot run, a metric corrected through the API, the snapshot run again,
// and the ratio criterion's points read back through the API differ.
func TestAPICorrectionChangesRatioPointsInSnapshot(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
	ts := newTestServer(t, db)
	ctx := context.Background()
	publishReference(t, db, "service-index-766")
	c := ts.client(t)
	token := mustToken(t, db, "Một cửa", "", true)
	var items []obs
	for m := 1; m <= 10; m++ {
		p := fmt.Sprintf("2026-%02d", m)
		items = append(items, obs{"SNV", p, "records_resolved", 100}, obs{"SNV", p, "records_early", 40})
	}
	if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
		t.Fatal(r.Body)
	}
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	leafPoints := func() float64 {
		t.Helper()
		s, _, err := rn.Score(ctx, parindex.Actor{Name: "test"}, "service-index-766", snapshot.Options{Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, parindex.Actor{Name: "test"}, s.ID, parindex.PublicationFinal, nil, ""); err != nil {
			t.Fatal(err)
		}
		r := c.api("GET", fmt.Sprintf("/api/v1/snapshots/%d/units/SNV", s.ID), token, nil)
		node, _ := r.data()["result"].(map[string]any)["nodes"].(map[string]any)["2.1"].(map[string]any)
		if r.Status != 200 || node == nil {
			t.Fatalf("snapshot unit = %d %s", r.Status, r.Body)
		}
		return node["points"].(float64)
	}
	before := leafPoints()
	if r := c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-03", "records_early", 90})); r.Status != 200 || r.data()["updated"] != 1.0 {
		t.Fatal(r.Body)
	}
	after := leafPoints()
	if before < 2.4-1e-9 || before > 2.4+1e-9 || after < 2.7-1e-9 || after > 2.7+1e-9 {
		t.Errorf("2.1 (records_early ÷ records_resolved × 6): %v before the correction, %v after; want 2.4 and 2.7", before, after)
	}
}

func TestAPIUnitMetricsAndFrameworks(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
	ts := newTestServer(t, db)
	ctx := context.Background()
	f, _ := criteria.Reference("service-index-766")
	if _, err := ts.DB.ImportFramework(ctx, parindex.Actor{Name: "test"}, f, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.DB.PublishFramework(ctx, parindex.Actor{Name: "test"}, f.Code, ""); err != nil {
		t.Fatal(err)
	}
	c := ts.client(t)
	token := mustToken(t, ts.DB, "đọc ghi", "", true)
	var items []obs
	for _, m := range f.Metrics() {
		if m != "records_synced" && m != "records_paid_online" {
			items = append(items, obs{"SNV", "2026-01", m, 10}, obs{"SNV", "2026-02", m, 20})
		}
	}
	if r := c.api("PUT", "/api/v1/metrics", token, batch(items...)); r.Status != 200 {
		t.Fatal(r.Body)
	}
	r := c.api("GET", "/api/v1/units/SNV/metrics?period=2026", token, nil)
	d := r.data()
	if r.Status != 200 || d["period"] != "2026" {
		t.Fatalf("unit metrics = %d %s", r.Status, r.Body)
	}
	values := map[string]map[string]any{}
	for _, v := range d["values"].([]any) {
		values[v.(map[string]any)["metric"].(string)] = v.(map[string]any)
	}
	rr, pt := values["records_received"], values["procedures_total"]
	if len(values) != len(f.Metrics())-2 || rr["value"] != 30.0 || rr["derived"] != true || rr["parts"] != 2.0 || pt["value"] != 20.0 {
		t.Errorf("values: %v", values) // records are summed, procedures are a stock (the last month)
	}
	comp := d["completeness"].([]any)[0].(map[string]any)
	if comp["framework"] != "service-index-766" || comp["complete"] != false || fmt.Sprint(comp["missing"]) != "[records_synced]" ||
		fmt.Sprint(comp["missing_optional"]) != "[records_paid_online]" {
		t.Errorf("completeness: %v", comp)
	}
	if r := c.api("GET", "/api/v1/units/SNV/metrics?period=2026-13", token, nil); r.Status != 400 || r.JSON["error"].(map[string]any)["field"] != "period" {
		t.Errorf("bad period = %d", r.Status)
	}
	r = c.api("GET", "/api/v1/frameworks", token, nil)
	if r.Status != 200 || len(r.list()) != 1 || r.list()[0]["code"] != "service-index-766" {
		t.Errorf("frameworks: %s", r.Body)
	}
	r = c.api("GET", "/api/v1/frameworks/service-index-766", token, nil)
	if nodes, _ := r.data()["nodes"].([]any); r.Status != 200 || len(nodes) != 5 || r.data()["total_max"] != 100.0 {
		t.Errorf("framework: %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", "/api/v1/frameworks/khong-co", token, nil); r.Status != 404 {
		t.Errorf("unknown framework = %d", r.Status)
	}
}

// Scores and survey results: a few units' citizen ratings, two published
// snapshots and a draft.
func TestAPIScoresAndSurveyResults(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }
	ts := newTestServer(t, db)
	ctx := context.Background()
	actor := parindex.Actor{Name: "test"}
	stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	codes := survey.QuestionCodes(in)
	var rs []*parindex.Response
	for ui, code := range []string{"SNV", "STP", "STC", "X001", "P001"} {
		links, err := db.CreateLinks(ctx, actor, []store.LinkSpec{{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: code, CounterLabel: "Quầy 1"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 40; i++ {
			answers := make([]byte, len(codes))
			for q := range answers {
				answers[q] = byte('1' + (i+q+ui)%5)
			}
			day := parindex.Date{Year: 2026, Month: time.Month(1 + i%10), Day: 1 + i%28}
			rs = append(rs, &parindex.Response{LinkID: links[0].ID, InstrumentID: stored.ID, UnitID: links[0].UnitID,
				SubmittedHour: time.Date(day.Year, day.Month, day.Day, 3, 0, 0, 0, time.UTC), Day: day,
				IdempotencyKey: fmt.Sprintf("api-test-%s-%d", code, i), Answers: string(answers), Source: parindex.SourceQR,
				Comment: "bình luận riêng tư"})
		}
	}
	if _, err := db.InsertResponses(ctx, rs, map[int64][]string{stored.ID: codes}, 0); err != nil {
		t.Fatal(err)
	}
	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
	for _, code := range []string{"province-departments-2026", "communes-2026"} {
		publishReference(t, db, code)
		s, _, err := rn.Score(ctx, actor, code, snapshot.Options{Draws: 20})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, actor, s.ID, parindex.PublicationFinal, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A draft is never served.
	if _, _, err := rn.Score(ctx, actor, "communes-2026", snapshot.Options{Draws: 20}); err != nil {
		t.Fatal(err)
	}
	c := ts.client(t)
	all := mustToken(t, db, "bảng điều khiển", "", false)
	snv := mustToken(t, db, "SNV", "SNV", false)

	r := c.api("GET", "/api/v1/snapshots", all, nil)
	if r.Status != 200 || len(r.list()) != 2 {
		t.Fatalf("snapshots = %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", "/api/v1/snapshots/3", all, nil); r.Status != 404 {
		t.Errorf("a draft snapshot = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/snapshots?limit=1", all, nil); len(r.list()) != 1 || r.list()[0]["id"] != 2.0 {
		t.Errorf("first page: %s", r.Body)
	} else if r := c.api("GET", r.JSON["links"].(map[string]any)["next"].(string), all, nil); len(r.list()) != 1 || r.list()[0]["id"] != 1.0 || r.JSON["next_cursor"] != nil {
		t.Errorf("second page: %s", r.Body)
	}
	var id float64
	for _, s := range r.list() {
		if s["framework"] == "province-departments-2026" {
			id = s["id"].(float64)
		}
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f", id), all, nil)
	if units, _ := r.data()["units"].([]any); r.Status != 200 || len(units) < 18 {
		t.Fatalf("snapshot = %d %s", r.Status, r.Body)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f", id), snv, nil)
	if units, _ := r.data()["units"].([]any); len(units) != 1 || units[0].(map[string]any)["unit"] != "SNV" {
		t.Errorf("the SNV token sees %v", r.data()["units"])
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f/units/SNV", id), snv, nil)
	result, _ := r.data()["result"].(map[string]any)
	nodes, _ := result["nodes"].(map[string]any)
	if r.Status != 200 || result["code"] != "SNV" || len(nodes) < 20 {
		t.Errorf("snapshot unit = %d %s", r.Status, r.Body)
	}
	if r := c.api("GET", fmt.Sprintf("/api/v1/snapshots/%.0f/units/STP", id), snv, nil); r.Status != 403 {
		t.Errorf("another unit's score = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/snapshots/999999", all, nil); r.Status != 404 {
		t.Errorf("unknown snapshot = %d", r.Status)
	}

	year := 2026
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results?instrument=%s&period=%d&limit=3", "sipas-2026", year), all, nil)
	d := r.data()
	units, _ := d["units"].([]any)
	if r.Status != 200 || d["instrument"] != "sipas-2026" || len(units) != 3 || r.JSON["next_cursor"] == nil || strings.Contains(r.Body, "riêng tư") {
		t.Fatalf("survey results = %d %s", r.Status, r.Body)
	}
	u0 := units[0].(map[string]any)
	if u0["adequacy"] == nil || u0["questions"] == nil || u0["comments"] != nil {
		t.Errorf("a unit's result: %v", u0)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results/SNV?instrument=%s&period=%d", "sipas-2026", year), snv, nil)
	overall, _ := r.data()["overall"].(map[string]any)
	if r.Status != 200 || r.data()["unit"] != "SNV" || overall["ci95"] == nil || r.data()["comments"] != nil {
		t.Errorf("SNV survey result = %d %s", r.Status, r.Body)
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/survey/results?instrument=%s&period=%d", "sipas-2026", year), snv, nil)
	if units, _ := r.data()["units"].([]any); len(units) != 1 {
		t.Errorf("the SNV token sees %d units' survey results", len(units))
	}
	if r := c.api("GET", "/api/v1/survey/results?period=2026", all, nil); r.Status != 400 || r.JSON["error"].(map[string]any)["field"] != "instrument" {
		t.Errorf("no instrument = %d", r.Status)
	}
	if r := c.api("GET", "/api/v1/survey/results?instrument=khong-co", all, nil); r.Status != 404 {
		t.Errorf("unknown instrument = %d", r.Status)
	}
}
