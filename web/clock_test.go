package web_test

import (
	"strings"
	"testing"
	"time"

	"parindex/store"
	"parindex/store/storetest"
)

// One clock for people: a timestamp stored in UTC shows on the pages as
// dd/mm/yyyy HH:MM in the configured zone (Asia/Ho_Chi_Minh unless set),
// civil dates as dd/mm/yyyy, while the API keeps RFC 3339.
func TestPagesShowTimesInTheProvinceZone(t *testing.T) {
	// 21:23 UTC on 6 December: 04:23 on 7 December in Vietnam, 22:23 on 6
	// December in Paris (UTC+1 in winter).
	at := time.Date(2026, 12, 6, 21, 23, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone      string
		shown     string
		monitorOf string
	}{
		{"", "07/12/2026 04:23", "(09/09/2026 – 07/12/2026)"},
		// The survey counts days in UTC+7 whatever the zone of display, so
		// the monitor's period stays.
		{"Europe/Paris", "06/12/2026 22:23", "(09/09/2026 – 07/12/2026)"},
	} {
		t.Run("zone="+tc.zone, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				db.Now = func() time.Time { return at }
				var settings map[string]string
				if tc.zone != "" {
					settings = map[string]string{"time-zone": tc.zone}
				}
				ts := newTestServerWith(t, db, settings)
				c := ts.loggedIn(t, "admin")

				// The organisation import wrote audit rows at the store clock.
				r := c.get("/admin/audit")
				if r.Status != 200 || !strings.Contains(r.Body, tc.shown) {
					t.Errorf("the audit log (%d) does not show %s", r.Status, tc.shown)
				}
				if strings.Contains(r.Body, "06/12/2026 21:23") {
					t.Error("the audit log shows the UTC time")
				}

				r = c.get("/app/dashboard/survey")
				if r.Status != 200 || !strings.Contains(r.Body, tc.monitorOf) {
					t.Errorf("the survey monitor's period (%d) is not %s", r.Status, tc.monitorOf)
				}
				if strings.Contains(r.Body, "2026-09-09") {
					t.Error("the survey monitor shows an ISO date")
				}

				// The API answers in RFC 3339, whatever zone people read.
				token := mustToken(t, db, "thử", "", true)
				if r := c.api("PUT", "/api/v1/metrics", token, batch(obs{"SNV", "2026-01", "records_received", 1})); r.Status != 200 {
					t.Fatalf("PUT = %d %s", r.Status, r.Body)
				}
				r2 := c.api("GET", "/api/v1/metrics?year=2026", token, nil)
				if r2.Status != 200 || len(r2.list()) != 1 || r2.list()[0]["recorded_at"] != "2026-12-06T21:23:00Z" {
					t.Errorf("API recorded_at: %s", r2.Body)
				}
			})
		})
	}
}
