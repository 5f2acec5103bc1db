package dashboard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"parindex/dashboard"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/integrity"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// keys is a locale that returns message keys (and their arguments), so
// golden files do not change when a translation does.
var keys = dashboard.Locale{Lang: "vi", T: func(key string, args ...any) string {
	if len(args) == 0 {
		return key
	}
	return key + fmt.Sprint(args...)
}}

func seeded(t testing.TB, db *store.DB, volume float64) *dashboard.Service {
	t.Helper()
	// The demo's responses cover the year before "now": fix it, so the
	// figures (and the golden files) do not depend on the day of the run.
	db.Now = func() time.Time { return time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC) }
	demotest.Seed(t, db, demo.Options{SurveyVolume: volume})
	return dashboard.New(db, survey.NewService(db, survey.ResultOptions{}))
}

// TestDashboards builds the demo province's overview and one agency's page
// and checks that every chart has an option and a table. (The options
// themselves are pinned by TestGoldenChartOptions on fixed inputs: the demo
// changes as features are added.)
func TestDashboards(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	svc := seeded(t, db, 0.05)
	t.Run("Panels", func(t *testing.T) { panels(t, db, svc) })
	t.Run("OverviewFigures", func(t *testing.T) { overviewFigures(t, svc) })
	t.Run("Warm", func(t *testing.T) {
		// A service as serve starts it: cold until warmed, then holding the
		// integrity report of the year the newest published results show.
		cold := dashboard.New(db, survey.NewService(db, survey.ResultOptions{}))
		if cold.Warmed(demo.InstrumentCode, 2026) {
			t.Fatal("a new service is warm")
		}
		if err := cold.Warm(context.Background(), keys, integrity.DefaultPolicy(), time.FixedZone("ICT", 7*3600)); err != nil {
			t.Fatal(err)
		}
		if !cold.Warmed(demo.InstrumentCode, 2026) {
			t.Error("warming left the 2026 integrity report cold")
		}
	})
}

func panels(t *testing.T, db *store.DB, svc *dashboard.Service) {
	ctx := context.Background()
	o, err := svc.Overview(ctx, dashboard.Filter{Framework: "province-departments-2026"}, keys)
	if err != nil {
		t.Fatal(err)
	}
	if o.Snapshot == nil || len(o.Rows) == 0 {
		t.Fatalf("no published departments snapshot in the demo")
	}
	for _, id := range []string{"chart-ranking", "chart-bands", "chart-heatmap", "chart-trend", "chart-funnel", "chart-localities"} {
		p := o.Panel(id)
		if p == nil || p.Option == nil {
			t.Fatalf("overview has no %s", id)
		}
		if p.Table == nil || len(p.Table.Rows) == 0 {
			t.Errorf("%s has no table rows", id)
		}
		if !json.Valid(p.Option) {
			t.Errorf("%s: option is not JSON", id)
		}
	}
	// The heatmap's columns are the areas' short names, not their numbers;
	// the framework filter offers names, not codes.
	var heat struct {
		XAxis []struct {
			Data []string `json:"data"`
		} `json:"xAxis"`
	}
	if err := json.Unmarshal(o.Panel("chart-heatmap").Option, &heat); err != nil {
		t.Fatal(err)
	}
	if len(heat.XAxis) == 0 || len(heat.XAxis[0].Data) != 8 || heat.XAxis[0].Data[2] != "Thủ tục hành chính" {
		t.Errorf("heatmap columns %v, want the 8 areas' short names", heat.XAxis)
	}
	for _, f := range o.Frameworks {
		if f.Label == f.Value || f.Label == "" {
			t.Errorf("framework option %q is labelled %q", f.Value, f.Label)
		}
	}
	unit := storetest.Unit(t, db, "SNV")
	a, err := svc.Agency(ctx, unit, 0, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"chart-radar", "chart-survey"} {
		p := a.Panel(id)
		if p == nil || p.Option == nil {
			t.Fatalf("agency page has no %s", id)
		}
		if !json.Valid(p.Option) {
			t.Errorf("%s: option is not JSON", id)
		}
	}
	if len(a.Tree) == 0 || a.Panel("scorecard") == nil {
		t.Errorf("agency page has no scorecard tree")
	}
	// Survey rows name their element; reasons name metrics, not codes.
	for _, row := range a.Panel("chart-survey").Table.Rows {
		if row[0].Text == "" || row[0].Text == "access" || row[0].Text == "civil_servant" {
			t.Errorf("survey row labelled %q, want the element's name", row[0].Text)
		}
	}
	metrics, err := db.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range a.Tree {
		for _, m := range metrics {
			if strings.Contains(r.Reason, m.Code) {
				t.Errorf("leaf %s: reason %q names the metric %s by its code", r.Code, r.Reason, m.Code)
			}
		}
	}
}

// TestOverviewFigures checks the headline against the rows it summarises
// and the filters.
func overviewFigures(t *testing.T, svc *dashboard.Service) {
	ctx := context.Background()
	o, err := svc.Overview(ctx, dashboard.Filter{Framework: "communes-2026"}, keys)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var n, banded, responses int
	types := map[string]bool{}
	for _, r := range o.Rows {
		if !math.IsNaN(r.Index) {
			sum += r.Index
			n++
		}
		responses += r.Forms
		if r.Respondents > r.Forms {
			t.Errorf("%s: %d respondents of %d forms", r.Code, r.Respondents, r.Forms)
		}
		types[r.Type] = true
	}
	for _, b := range o.Bands {
		banded += b.Count
	}
	if n == 0 || o.Agencies != n || math.Abs(o.Average-sum/float64(n)) > 1e-9 || banded != n || o.Responses != responses {
		t.Errorf("headline agencies %d average %v bands %d responses %d; rows give %d, %v, %d", o.Agencies, o.Average, banded, o.Responses, n, sum/float64(n), responses)
	}
	if !(o.Satisfaction.Index > 0 && float64(o.Satisfaction.CI95[0]) <= o.Satisfaction.Index && o.Satisfaction.Index <= float64(o.Satisfaction.CI95[1])) {
		t.Errorf("overall satisfaction %+v", o.Satisfaction)
	}
	if len(types) < 2 {
		t.Fatalf("want wards and communes in the communes framework, got %v", types)
	}
	for typ := range types {
		only, err := svc.Overview(ctx, dashboard.Filter{Framework: "communes-2026", AgencyType: typ}, keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(only.Rows) == 0 || len(only.Rows) >= len(o.Rows) {
			t.Errorf("type %s: %d rows of %d", typ, len(only.Rows), len(o.Rows))
		}
		for _, r := range only.Rows {
			if r.Type != typ {
				t.Errorf("type filter %s let %s (%s) through", typ, r.Code, r.Type)
			}
		}
	}
	var csv bytes.Buffer
	if err := o.Panel("chart-ranking").Table.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(csv.String(), "\n"); lines != len(o.Rows)+1 {
		t.Errorf("ranking CSV has %d lines, want %d", lines, len(o.Rows)+1)
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	tb := &dashboard.Table{Columns: []dashboard.Column{{Label: "name"}, {Label: "x", Numeric: true}},
		Rows: [][]dashboard.Cell{{{Text: "=HYPERLINK(\"x\")", Value: math.NaN()}, {Text: "-1,5", Value: -1.5}}}}
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\ufeffname,x\n\"'=HYPERLINK(\"\"x\"\")\",-1.5\n"; got != want {
		t.Errorf("CSV %q, want %q", got, want)
	}
}

// TestMonitorCountsAgree checks the monitor's per-day and per-unit counts
// against each other and the response filter, on both databases.
func TestMonitorCountsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db, 0.01)
		ctx := context.Background()
		m, err := svc.Monitor(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		want, err := db.CountResponses(ctx, store.ResponseFilter{From: m.From, To: m.To})
		if err != nil {
			t.Fatal(err)
		}
		if m.Responses == 0 || m.Responses != want {
			t.Errorf("monitor counts %d responses, the filter %d", m.Responses, want)
		}
		days, units := m.Panels[0].Table, m.Panels[1].Table
		if len(days.Rows) != 90 {
			t.Errorf("%d days, want 90", len(days.Rows))
		}
		var perDay, perUnit float64
		for _, r := range days.Rows {
			perDay += r[1].Value
		}
		for _, r := range units.Rows {
			perUnit += r[1].Value
		}
		if int(perDay) != want || int(perUnit) != want {
			t.Errorf("per day %v, per unit %v, want %d", perDay, perUnit, want)
		}
	})
}
