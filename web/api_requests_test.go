package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"parindex/store/storetest"
)

func TestAPIBatchWithBadItemsWritesNothing(t *testing.T) {
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, token := ts.apiClient(t, "Một cửa", "", true)
		audit := countAudit(t, ts.DB)
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
		if n, _ := ts.DB.CountObservations(context.Background(), ""); n != 0 || countAudit(t, ts.DB) != audit {
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
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, token := ts.apiClient(t, "Một cửa", "", true)
		audit := countAudit(t, ts.DB)
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
		if n, _ := ts.DB.CountObservations(context.Background(), ""); n != 0 || countAudit(t, ts.DB) != audit {
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
	eachServer(t, newTestServerOnMetricsDay, func(t *testing.T, ts *testServer) {
		c, token := ts.apiClient(t, "đọc ghi", "", true)
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
	c, token := ts.apiClient(t, "vội", "", false)
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
