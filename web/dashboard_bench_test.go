//go:build unix

package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"parindex"
	"parindex/config"
	"parindex/criteria"
	"parindex/password"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
	"parindex/web"
)

// BenchmarkDashboardsAtScale times the server work of the overview and of
// an agency page, through the real handler (middleware, session, rendering)
// on a real database holding the scale: 150 departments and about
// 5 million survey responses in a year, as raw rows (the agency page reads
// its unit's raw answers) and in the count table (the overview reads it),
// plus a published snapshot of the 150 units. /healthz through the same
// handler is the baseline. Warm sub-benchmarks report p50-ms and p95-ms of
// b.N requests to one server; "cold" builds a fresh server (empty caches;
// the database's own caches stay warm) three times and reports its first
// overview and first agency page (ignore its ns/op). docs/BENCHMARKS.md
// records the figures; make bench-dashboards runs it.
func BenchmarkDashboardsAtScale(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			var db *store.DB
			if dialect == store.SQLite {
				db = storetest.MustOpenSQLite(b)
			} else {
				if os.Getenv("PARINDEX_TEST_POSTGRES") == "" && os.Getenv("PARINDEX_TEST_POSTGRES_REQUIRED") != "1" {
					b.Skip("PARINDEX_TEST_POSTGRES not set")
				}
				db = storetest.MustOpenPostgres(b)
			}
			start := time.Now()
			responses := seedProvinceScale(b, db)
			b.Logf("%s: %d responses seeded in %s", dialect, responses, time.Since(start).Round(time.Second))

			pages := []struct{ name, path string }{
				{"healthz", "/healthz"},
				{"overview", "/app/dashboard?framework=province-departments-2026"},
				{"agency", "/app/units/U042/dashboard"},
			}
			b.Run("cold", func(b *testing.B) {
				var overview, agency []time.Duration
				for range 3 {
					h, cookie := benchServer(b, db)
					overview = append(overview, serverTime(b, h, cookie, pages[1].path))
					agency = append(agency, serverTime(b, h, cookie, pages[2].path))
				}
				slices.Sort(overview)
				slices.Sort(agency)
				b.ReportMetric(ms(overview[1]), "overview-p50-ms")
				b.ReportMetric(ms(overview[2]), "overview-max-ms")
				b.ReportMetric(ms(agency[1]), "agency-p50-ms")
				b.ReportMetric(ms(agency[2]), "agency-max-ms")
			})
			h, cookie := benchServer(b, db)
			for _, p := range pages {
				serverTime(b, h, cookie, p.path) // warm the caches
			}
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					var times []time.Duration
					cpu := cpuTime(b)
					for b.Loop() {
						times = append(times, serverTime(b, h, cookie, p.path))
					}
					cpu = cpuTime(b) - cpu
					slices.Sort(times)
					b.ReportMetric(ms(times[len(times)/2]), "p50-ms")
					b.ReportMetric(ms(times[(len(times)*95)/100]), "p95-ms")
					// The process's CPU time per request: what the page costs
					// whatever else the machine is doing (wall times above
					// include waiting for a CPU on a shared machine).
					b.ReportMetric(ms(cpu)/float64(len(times)), "cpu-ms")
				})
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverTime serves one GET in-process and returns how long the handler took.
func serverTime(b *testing.B, h http.Handler, cookie *http.Cookie, path string) time.Duration {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	d := time.Since(start)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s = %d\n%.500s", path, rec.Code, rec.Body.String())
	}
	return d
}

// benchServer builds a fresh server on db (empty caches) and logs the
// benchmark's administrator in.
func benchServer(b *testing.B, db *store.DB) (http.Handler, *http.Cookie) {
	cfg, err := config.Load(map[string]string{"addr": "127.0.0.1:0", "data-dir": b.TempDir()}, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	srv.SetPasswordParams(cheap)
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"username": {"bench"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "parindex_session" {
			return h, c
		}
	}
	b.Fatalf("login = %d", rec.Code)
	return nil, nil
}

// seedProvinceScale writes a province-year at the scale: 150
// departments, one QR link each, about 91 responses a unit a day over 2026
// as raw rows (generated by the database itself, so set-up takes minutes,
// not hours), the count table as those volumes leave it (generated apart,
// with the same volumes: the figures differ, the work does not), each
// unit's records received, and a published snapshot of the departments'
// framework. It returns the number of raw responses.
func seedProvinceScale(b *testing.B, db *store.DB) int {
	ctx := context.Background()
	actor := parindex.Actor{Name: "bench"}
	rows := []parindex.OrgRow{{Row: 2, Code: "P", Name: "Tỉnh Thử", Type: parindex.OrgTypeProvince, ValidFrom: "2000-01-01"}}
	for i := range 150 {
		rows = append(rows, parindex.OrgRow{Row: i + 3, Code: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("Sở thử %03d", i),
			Type: parindex.OrgTypeDepartment, Parent: "P", ValidFrom: "2000-01-01"})
	}
	if _, err := db.ImportOrgUnits(ctx, actor, "", rows, ""); err != nil {
		b.Fatal(err)
	}
	hash, err := password.Hash(testPassword, cheap)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateUser(ctx, actor, &parindex.User{Username: "bench", DisplayName: "Bench", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}, hash); err != nil {
		b.Fatal(err)
	}
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ImportFramework(ctx, actor, f, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := db.PublishFramework(ctx, actor, f.Code, "bench"); err != nil {
		b.Fatal(err)
	}
	stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
	if err != nil {
		b.Fatal(err)
	}
	in, _ := survey.ReferenceInstrument("sipas-2026")
	codes := survey.QuestionCodes(in)
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{Type: parindex.OrgTypeDepartment})
	if err != nil {
		b.Fatal(err)
	}
	var specs []store.LinkSpec
	var obs []parindex.ObservationRow
	for i, u := range units {
		specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: "sipas-2026", UnitCode: u.Code, CounterLabel: "Quầy 1"})
		obs = append(obs, parindex.ObservationRow{Row: i + 1, Unit: u.Code, Period: "2026", Metric: "records_received", Value: fmt.Sprint(5000 + 97*i)})
	}
	if _, err := db.CreateLinks(ctx, actor, specs); err != nil {
		b.Fatal(err)
	}
	if _, err := db.PutObservations(ctx, actor, obs, store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
		b.Fatal(err)
	}

	// Raw responses: 91 a unit a day, answers cut from one random string
	// of levels 1–5 at an offset that varies by unit, day and respondent,
	// one in 33 flagged.
	// PARINDEX_BENCH_DAYS shortens the year for a quick check of the set-up.
	days := 365
	if n, err := strconv.Atoi(os.Getenv("PARINDEX_BENCH_DAYS")); err == nil && n > 0 && n < 365 {
		days = n
	}
	rng := rand.New(rand.NewPCG(150, 5_000_000))
	var levels strings.Builder
	for range 1000 + len(codes) {
		levels.WriteByte(byte('1' + rng.IntN(5)))
	}
	day, hour := `date('2026-01-01', '+' || d.n || ' days')`, `date('2026-01-01', '+' || d.n || ' days') || ' 02:00:00+00:00'`
	if db.Dialect() == store.Postgres {
		day, hour = `(DATE '2026-01-01' + d.n)`, `((DATE '2026-01-01' + d.n) + TIME '02:00') AT TIME ZONE 'UTC'`
	}
	insert := `INSERT INTO responses (link_id, instrument_id, org_unit_id, submitted_hour, day, idempotency_key, answers, flags, source)
		WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < ` + fmt.Sprint(days-1) + `),
		g(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM g WHERE k < 91)
		SELECT l.id, CAST($1 AS BIGINT), l.org_unit_id, ` + hour + `, ` + day + `, 'b' || l.org_unit_id || '-' || d.n || '-' || g.k,
			substr(CAST($2 AS TEXT), CAST(1 + (l.org_unit_id * 7919 + d.n * 31 + g.k * 104729) % 1000 AS INTEGER), ` + fmt.Sprint(len(codes)) + `),
			CASE WHEN g.k % 33 = 0 THEN 'speeder' ELSE '' END, 'qr'
		FROM survey_links l, d, g WHERE l.org_unit_id >= $3 AND l.org_unit_id <= $4
		ORDER BY l.org_unit_id, d.n, g.k`
	for start := 0; start < len(units); start += 15 {
		chunk := units[start:min(start+15, len(units))]
		if _, err := db.SQL().ExecContext(ctx, insert, stored.ID, levels.String(), chunk[0].ID, chunk[len(chunk)-1].ID); err != nil {
			b.Fatal(err)
		}
	}
	var responses int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM responses`).Scan(&responses); err != nil {
		b.Fatal(err)
	}

	// The count table: one row per unit and day, with the same volumes
	// (one response in 33 flagged).
	var counts []store.CountRow
	for _, u := range units {
		for d := range days {
			day := parindex.Date{Year: 2026, Month: 1, Day: 1}.AddDays(d)
			c := make([]int64, 12*len(codes))
			for q := range codes {
				for i := range 91 {
					if i%33 == 0 {
						c[12*q+6+rng.IntN(6)]++
					} else {
						c[12*q+rng.IntN(6)]++
					}
				}
			}
			counts = append(counts, store.CountRow{InstrumentID: stored.ID, UnitID: u.ID, Day: day, Counts: c})
		}
	}
	if err := db.AddCountRows(ctx, counts); err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		if _, err := db.SQL().Exec(`ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}

	rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{})}
	sn, _, err := rn.Score(ctx, actor, f.Code, snapshot.Options{Year: 2026})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.PublishSnapshot(ctx, actor, sn.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	return responses
}
