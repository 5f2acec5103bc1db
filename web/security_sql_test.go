package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"parindex"
)

// TestSQLMetacharactersInEveryFilter sends every filter of every page and
// API list hostile values: no 500, no rows from units the value does not
// name, and every table is still there with its rows afterwards.
func TestSQLMetacharactersInEveryFilter(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		in := withSurvey(t, ts)
		snv, stp := unitID(t, ts.DB, "SNV"), unitID(t, ts.DB, "STP")
		d := parindex.Date{Year: 2026, Month: 3, Day: 2}
		insertResponses(t, ts.DB, in, &parindex.Response{UnitID: snv, Day: d, Comment: "Góp ý của SNV"},
			&parindex.Response{UnitID: stp, Day: d, Comment: "Góp ý của STP", Flags: []string{parindex.FlagSpeeder}})
		putRows(t, ts.DB, "SNV 2026-01 records_received 10", "STP 2026-01 records_received 20")
		mustLink(t, ts.DB, "SNV", "Quầy SNV")
		mustLink(t, ts.DB, "STP", "Quầy STP")
		// The API allows a token a burst of requests: one token per probe
		// and endpoint keeps every probe under it.
		token := mustToken(t, ts.DB, "probe", "", false)
		tokens := map[string]string{}
		for i := range sqlProbes {
			for _, a := range []string{"units", "metrics", "catalog", "frameworks", "snapshots", "results", "unit-metrics"} {
				tokens[fmt.Sprint(i, a)] = mustToken(t, ts.DB, fmt.Sprint("probe-", i, "-", a), "", false)
			}
		}
		admin, agency := ts.loggedIn(t, "admin"), ts.loggedIn(t, "snv.editor")
		before := tableCounts(t, ts.DB)

		type filter struct {
			c      *client
			who    string
			path   string
			params []string
			absent []string // text a correct filter never returns for these values
		}
		filters := []filter{
			{admin, "admin", "/admin/audit", []string{"actor", "object_type", "object_id"}, []string{"org.create"}},
			{admin, "admin", "/admin/survey/responses", []string{"unit", "from", "to", "flag"}, []string{"Góp ý của"}},
			// A page number that is not one shows the first page.
			{admin, "admin", "/admin/audit", []string{"page"}, nil},
			{admin, "admin", "/admin/survey/responses", []string{"page"}, nil},
			{agency, "snv.editor", "/admin/survey/responses", []string{"unit", "flag", "from"}, []string{"Góp ý của STP"}},
			{admin, "admin", "/admin/survey/responses.xlsx", []string{"unit", "from", "to", "flag"}, nil},
			{agency, "snv.editor", "/admin/survey/responses.xlsx", []string{"unit", "flag"}, nil},
			{admin, "admin", "/app/units", []string{"on"}, nil},
			{agency, "snv.editor", "/app/units", []string{"on", "all"}, []string{"Sở Tư pháp"}},
			{admin, "admin", "/admin/survey/links", []string{"unit"}, []string{"Quầy SNV", "Quầy STP"}},
			{agency, "snv.editor", "/admin/survey/links", []string{"unit"}, []string{"Quầy STP"}},
			{admin, "admin", "/app/metrics", []string{"period"}, nil},
			{admin, "admin", "/app/metrics/units/SNV", []string{"period", "metric"}, nil},
			{admin, "admin", "/app/metrics/catalog", []string{"edit"}, nil},
			{admin, "admin", "/app/dashboard", []string{"framework", "type", "parent", "year"}, nil},
			{admin, "admin", "/app/dashboard/table.csv", []string{"framework", "table", "year"}, nil},
			{admin, "admin", "/app/dashboard/survey", []string{"year"}, nil},
			{agency, "snv.editor", "/app/units/SNV/dashboard", []string{"year", "framework"}, nil},
			{admin, "admin", "/app/criteria/diff", []string{"a", "b"}, nil},
			{admin, "admin", "/app/ranking.xlsx", []string{"snapshot", "framework", "year"}, nil},
			{agency, "snv.editor", "/app/units/SNV/scorecard.xlsx", []string{"snapshot", "year"}, nil},
		}
		apis := []struct {
			name   string
			path   string
			params []string
		}{
			{"units", "/api/v1/units", []string{"type", "valid_on", "all", "limit", "cursor"}},
			{"metrics", "/api/v1/metrics", []string{"metric", "source", "unit", "period", "year", "limit", "cursor"}},
			{"catalog", "/api/v1/metrics/catalog", []string{"limit"}},
			{"frameworks", "/api/v1/frameworks", []string{"year", "limit"}},
			{"snapshots", "/api/v1/snapshots", []string{"framework", "year", "limit", "cursor"}},
			{"results", "/api/v1/survey/results", []string{"instrument", "period", "include_flagged"}},
			{"unit-metrics", "/api/v1/units/SNV/metrics", []string{"period"}},
		}
		// Controls first: the same filters with real values do return
		// rows, so the absences below mean something.
		if r := admin.get("/admin/survey/responses?unit=STP"); !strings.Contains(r.Body, "Góp ý của STP") || strings.Contains(r.Body, "Góp ý của SNV") {
			t.Error("the responses filter by unit does not work")
		}
		if r := admin.get("/admin/audit?object_type=org_unit"); !strings.Contains(r.Body, "org.create") {
			t.Error("the audit filter does not work")
		}
		if r := admin.api(http.MethodGet, "/api/v1/metrics?metric=records_received", token, nil); r.Status != http.StatusOK || len(r.list()) != 2 {
			t.Errorf("the API metric filter = %d, %d items", r.Status, len(r.list()))
		}
		if r := admin.get("/admin/survey/links?unit=STP"); !strings.Contains(r.Body, "Quầy STP") || strings.Contains(r.Body, "Quầy SNV") {
			t.Error("the links filter by unit does not work")
		}
		for i, probe := range sqlProbes {
			short := probe
			if len(short) > 30 {
				short = short[:30] + "…"
			}
			for _, f := range filters {
				for _, p := range f.params {
					path := f.path + "?" + url.Values{p: {probe}}.Encode()
					r := f.c.get(path)
					if r.Status >= 500 {
						t.Errorf("%s GET %s?%s=%q = %d", f.who, f.path, p, short, r.Status)
					}
					for _, a := range f.absent {
						if strings.Contains(r.Body, a) {
							t.Errorf("%s GET %s?%s=%q returns %q", f.who, f.path, p, short, a)
						}
					}
				}
			}
			// Path parameters too.
			for _, p := range []string{"/app/units/", "/admin/units/", "/app/criteria/", "/admin/survey/instruments/", "/app/metrics/units/"} {
				suffix := map[string]string{"/admin/units/": "/edit"}[p]
				r := admin.get(p + url.PathEscape(probe) + suffix)
				if r.Status >= 500 || strings.Contains(r.Body, "Góp ý của") {
					t.Errorf("admin GET %s%q = %d", p, short, r.Status)
				}
			}
			for _, a := range apis {
				for _, p := range a.params {
					r := admin.api(http.MethodGet, a.path+"?"+url.Values{p: {probe}}.Encode(), tokens[fmt.Sprint(i, a.name)], nil)
					if r.Status >= 500 || r.Status == http.StatusTooManyRequests {
						t.Errorf("GET %s?%s=%q = %d", a.path, p, short, r.Status)
					}
					// A filter that names nothing returns nothing.
					if r.Status == http.StatusOK && slices.Contains([]string{"type", "metric", "source", "unit", "framework", "instrument"}, p) && len(r.list()) != 0 {
						t.Errorf("GET %s?%s=%q returns %d items", a.path, p, short, len(r.list()))
					}
				}
			}
		}
		after := tableCounts(t, ts.DB)
		// Reading pages writes nothing but the API's own request log.
		delete(before, "api_requests")
		delete(after, "api_requests")
		if d := diffCounts(before, after); len(d) > 0 {
			t.Errorf("tables changed under hostile filters: %v", d)
		}
		if _, _, err := ts.DB.UserCredentials(context.Background(), "admin"); err != nil {
			t.Errorf("the users table no longer answers: %v", err)
		}
	})
}
