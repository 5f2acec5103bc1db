package parindex_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"parindex"
)

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		in, want      string
		start, end    string
		kind          parindex.PeriodKind
		vietnamese    string
		months, quart int
	}{
		{"2026-03", "2026-03", "2026-03-01", "2026-03-31", parindex.PeriodMonth, "tháng 03/2026", 1, 0},
		{"2024-02", "2024-02", "2024-02-01", "2024-02-29", parindex.PeriodMonth, "tháng 02/2024", 1, 0},
		{"2026-Q1", "2026-Q1", "2026-01-01", "2026-03-31", parindex.PeriodQuarter, "quý I/2026", 3, 1},
		{" 2026-q4 ", "2026-Q4", "2026-10-01", "2026-12-31", parindex.PeriodQuarter, "quý IV/2026", 3, 1},
		{"2026", "2026", "2026-01-01", "2026-12-31", parindex.PeriodYear, "năm 2026", 12, 4},
	} {
		p, err := parindex.ParsePeriod(c.in)
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", c.in, err)
			continue
		}
		if p.String() != c.want || p.Kind != c.kind || p.Start().String() != c.start || p.End().String() != c.end ||
			p.VietnameseString() != c.vietnamese || len(p.Months()) != c.months || len(p.Quarters()) != c.quart {
			t.Errorf("ParsePeriod(%q) = %s %s %s..%s %q, %d months, %d quarters", c.in, p, p.Kind, p.Start(), p.End(), p.VietnameseString(), len(p.Months()), len(p.Quarters()))
		}
	}
	for _, bad := range []string{"", "2026-3", "2026-13", "2026-00", "2026/03", "03/2026", "2026-Q5", "2026-Q0", "26-03", "1999", "2101-01", "2026-03-01", "2026 Q1"} {
		_, err := parindex.ParsePeriod(bad)
		var pe *parindex.PeriodError
		if !errors.As(err, &pe) || pe.VI == "" || pe.EN == "" {
			t.Errorf("ParsePeriod(%q) = %v, want a PeriodError in both languages", bad, err)
		}
	}
	// The message names the allowed forms.
	if _, err := parindex.ParsePeriod("03/2026"); !strings.Contains(err.Error(), "2026-Q1") {
		t.Errorf("message %q does not name the allowed forms", err)
	}
}

func TestPeriodRelations(t *testing.T) {
	mar, _ := parindex.ParsePeriod("2026-03")
	q1, _ := parindex.ParsePeriod("2026-Q1")
	y, _ := parindex.ParsePeriod("2026")
	apr, _ := parindex.ParsePeriod("2026-04")
	if !q1.Contains(mar) || !y.Contains(q1) || !y.Contains(y) || q1.Contains(apr) || mar.Contains(q1) {
		t.Error("Contains is wrong")
	}
	if !mar.Before(apr) || !q1.Before(y) || y.Before(q1) || apr.Before(mar) {
		t.Error("Before is wrong")
	}
	d := func(s string) parindex.Date { x, _ := parindex.ParseDate(s); return x }
	// A commune created on 1 July 2025 exists in 2025 and July 2025, not in June.
	from := d("2025-07-01")
	for p, want := range map[string]bool{"2025": true, "2025-07": true, "2025-Q3": true, "2025-06": false, "2025-Q2": false, "2026-01": true} {
		per, _ := parindex.ParsePeriod(p)
		if got := per.Overlaps(from, parindex.Date{}); got != want {
			t.Errorf("%s overlaps [2025-07-01, –) = %v", p, got)
		}
	}
	// A district abolished on 30 June 2025 exists in June 2025, not in July.
	for p, want := range map[string]bool{"2025-06": true, "2025": true, "2025-07": false, "2025-Q3": false} {
		per, _ := parindex.ParsePeriod(p)
		if got := per.Overlaps(d("2005-01-01"), d("2025-06-30")); got != want {
			t.Errorf("%s overlaps [2005, 2025-06-30] = %v", p, got)
		}
	}
}

func TestDeriveValue(t *testing.T) {
	m := func(month int) parindex.Period { return parindex.MonthPeriod(2025, time.Month(month)) }
	q := func(n int) parindex.Period { return parindex.QuarterPeriod(2025, n) }
	year := parindex.YearPeriod(2025)
	monthly := map[parindex.Period]float64{}
	for i := 1; i <= 12; i++ {
		monthly[m(i)] = float64(i * 10)
	}
	for _, c := range []struct {
		name     string
		rule     parindex.Combine
		p        parindex.Period
		reported map[parindex.Period]float64
		want     float64
		derived  bool
		parts    int
	}{
		{"year sums 12 months", parindex.CombineSum, year, monthly, 780, true, 12},
		{"year: last month", parindex.CombineLast, year, monthly, 120, true, 12},
		{"year: mean of quarter means", parindex.CombineMean, year, monthly, 65, true, 12},
		{"quarter sums its months", parindex.CombineSum, q(2), monthly, 40 + 50 + 60, true, 3},
		{"a month is itself", parindex.CombineSum, m(5), monthly, 50, false, 1},
		{"a reported year wins", parindex.CombineSum, year, merge(monthly, map[parindex.Period]float64{year: 700}), 700, false, 1},
		{"a reported quarter wins over its months", parindex.CombineSum, year,
			merge(monthly, map[parindex.Period]float64{q(1): 1000}), 1000 + 780 - 60, true, 10},
		{"mixed: quarters for H1, months for H2", parindex.CombineSum, year,
			map[parindex.Period]float64{q(1): 5, q(2): 7, m(7): 1, m(8): 1, m(12): 3}, 17, true, 5},
		{"gaps are left out", parindex.CombineSum, year, map[parindex.Period]float64{m(1): 4, m(11): 6}, 10, true, 2},
		{"last takes the latest quarter's last month", parindex.CombineLast, year, map[parindex.Period]float64{m(1): 4, m(2): 9, m(5): 6}, 6, true, 3},
		{"other years are ignored", parindex.CombineSum, year, map[parindex.Period]float64{parindex.MonthPeriod(2024, 12): 99, m(1): 1}, 1, true, 1},
	} {
		got, ok := parindex.DeriveValue(c.rule, c.p, c.reported)
		if !ok || math.Abs(got.Value-c.want) > 1e-9 || got.Derived != c.derived || got.Parts != c.parts {
			t.Errorf("%s: got %+v ok=%v, want %v derived=%v parts=%d", c.name, got, ok, c.want, c.derived, c.parts)
		}
	}
	if _, ok := parindex.DeriveValue(parindex.CombineSum, year, map[parindex.Period]float64{parindex.MonthPeriod(2024, 1): 3}); ok {
		t.Error("a year with no data has a value")
	}
	// A month never derives from anything: only a value reported for it counts.
	if _, ok := parindex.DeriveValue(parindex.CombineSum, m(3), map[parindex.Period]float64{q(1): 3, year: 9}); ok {
		t.Error("a month derived a value from its quarter")
	}
}

func merge(a, b map[parindex.Period]float64) map[parindex.Period]float64 {
	out := map[parindex.Period]float64{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestParseMetricValue(t *testing.T) {
	for in, want := range map[string]float64{"1234": 1234, " 0 ": 0, "1234.5": 1234.5, "12,5": 12.5, "0,25": 0.25, "1e3": 1000, "0e-500": 0, "1e-300": 1e-300} {
		v, err := parindex.ParseMetricValue(in)
		if err != nil || v != want {
			t.Errorf("ParseMetricValue(%q) = %v, %v", in, v, err)
		}
	}
	for _, in := range []string{"", "abc", "-1", "1,234", "1.234,5", "1,2,3", "NaN", "Inf", "1e16", "12 hồ sơ",
		"1.5e-400", "-1e-400", "0,5e-400", "1e400"} { // too small for a float64 (they would read as 0) and too large
		if _, err := parindex.ParseMetricValue(in); err == nil || err.VI == "" || err.EN == "" {
			t.Errorf("ParseMetricValue(%q) accepted", in)
		}
	}
}

func TestPlanObservations(t *testing.T) {
	d := func(s string) parindex.Date { x, _ := parindex.ParseDate(s); return x }
	units := map[string]*parindex.OrgUnit{
		"SNV":  {ID: 1, Code: "SNV", ValidFrom: d("1997-01-01")},
		"X001": {ID: 2, Code: "X001", ValidFrom: d("2025-07-01")},
		"OLD":  {ID: 3, Code: "OLD", ValidFrom: d("2005-01-01"), ValidTo: d("2025-06-30"), SuccessorCode: "X001"},
	}
	catalog := map[string]*parindex.Metric{
		"records_received": {Code: "records_received", Combine: parindex.CombineSum},
		"plan_tasks_total": {Code: "plan_tasks_total", Combine: parindex.CombineLast, SelfReport: true},
	}
	today := d("2026-11-26")
	good := []parindex.ObservationRow{
		{Row: 2, Unit: "SNV", Period: "2026-10", Metric: "records_received", Value: "1250"},
		{Row: 3, Unit: "X001", Period: "2025-Q3", Metric: "records_received", Value: "300"},
		{Row: 4, Unit: "OLD", Period: "2025-06", Metric: "records_received", Value: "12"},
		{Row: 5, Unit: "SNV", Period: "2026-11", Metric: "records_received", Value: "40"}, // the month in progress
	}
	obs, errs := parindex.PlanObservations("f.csv", "", good, catalog, units, parindex.MetricSourceImport, today)
	if len(errs) > 0 || len(obs) != 4 || obs[1].UnitID != 2 || obs[1].Period.String() != "2025-Q3" || obs[0].Value != 1250 || obs[0].Source != "import" {
		t.Fatalf("good rows: %+v %v", obs, errs)
	}
	bad := []parindex.ObservationRow{
		{Row: 2, Unit: "", Period: "2026-10", Metric: "records_received", Value: "1"},
		{Row: 3, Unit: "KHONGCO", Period: "2026-10", Metric: "records_received", Value: "1"},
		{Row: 4, Unit: "SNV", Period: "10/2026", Metric: "records_received", Value: "1"},
		{Row: 5, Unit: "SNV", Period: "2026-12", Metric: "records_received", Value: "1"},
		{Row: 6, Unit: "X001", Period: "2025-03", Metric: "records_received", Value: "1"},
		{Row: 7, Unit: "OLD", Period: "2025-07", Metric: "records_received", Value: "1"},
		{Row: 8, Unit: "SNV", Period: "2026-10", Metric: "khong_co", Value: "1"},
		{Row: 9, Unit: "SNV", Period: "2026-10", Metric: "records_received", Value: "-3"},
		{Row: 10, Unit: "SNV", Period: "2026-09", Metric: "records_received", Value: "5"},
		{Row: 11, Unit: "SNV", Period: "2026-09", Metric: "records_received", Value: "6"},
	}
	_, errs = parindex.PlanObservations("f.csv", "Số liệu", bad, catalog, units, parindex.MetricSourceImport, today)
	want := map[int]string{2: "unit", 3: "unit", 4: "period", 5: "period", 6: "period", 7: "period", 8: "metric", 9: "value", 11: "metric"}
	got := map[int]string{}
	for _, e := range errs {
		got[e.Row] = e.Column
		if e.File != "f.csv" || e.Sheet != "Số liệu" || e.VI == "" || e.EN == "" {
			t.Errorf("error without location or language: %+v", e)
		}
	}
	for row, col := range want {
		if got[row] != col {
			t.Errorf("row %d: error in column %q, want %q (all: %v)", row, got[row], col, errs)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d: %v", len(errs), len(want), errs)
	}
	// An agency enters self-reported metrics only.
	_, errs = parindex.PlanObservations("", "", []parindex.ObservationRow{
		{Row: 1, Unit: "SNV", Period: "2026", Metric: "plan_tasks_total", Value: "12"},
		{Row: 2, Unit: "SNV", Period: "2026", Metric: "records_received", Value: "12"},
	}, catalog, units, parindex.MetricSourceAgency, today)
	if len(errs) != 1 || errs[0].Row != 2 || !strings.Contains(errs[0].EN, "one-stop-shop") {
		t.Errorf("agency source: %v", errs)
	}
}

func TestAPITokenIsAUserWithOneGrant(t *testing.T) {
	tok := &parindex.APIToken{ID: 7, Name: "Một cửa", UnitID: 10, CanWrite: true}
	u := tok.User()
	if len(u.Grants) != 1 || u.Grants[0].Role != parindex.RoleAPIWrite || u.Grants[0].UnitID != 10 || u.Disabled {
		t.Errorf("user of a write token: %+v", u)
	}
	if !parindex.Can(u, parindex.ActionWriteMetrics, parindex.Target{UnitID: 10}) || parindex.Can(u, parindex.ActionWriteMetrics, parindex.Target{UnitID: 11}) {
		t.Error("the write token's scope is wrong")
	}
	tok.RevokedAt = time.Now()
	if parindex.Can(tok.User(), parindex.ActionUseAPI, parindex.Target{}) {
		t.Error("a revoked token may use the API")
	}
	if (&parindex.APIToken{ID: 1}).User().Grants[0].Role != parindex.RoleAPIRead {
		t.Error("a read token holds the write role")
	}
}
