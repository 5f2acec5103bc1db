package metricsxlsx_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"parindex"
	"parindex/metricsxlsx"
	"parindex/tabular"
	"parindex/tabular/tabulartest"
)

// FuzzMetricsImport reads fuzzed metrics files (CSV and .xlsx) as the
// import page and the command line do, up to the pure check that
// PutObservations runs before writing (tabular.Read, Rows,
// parindex.PlanObservations).
// Every refusal is parindex.InputErrors naming the file; a problem with a
// data row names one of the four columns. An accepted file gives one
// observation per row, each for a known unit that existed in a period
// already started, a metric of the catalogue and a value in
// 0..MaxMetricValue, with no (unit, period, metric) twice.
func FuzzMetricsImport(f *testing.F) {
	valid := "unit,period,metric,value\n" +
		"SNV,2026-10,records_received,1250\n" +
		"X001,2025-Q3,records_received,\"12,5\"\n" +
		"OLD,2025-06,plan_tasks_total,12\n" +
		"SNV,2026,plan_tasks_total,0\n"
	for _, csv := range []string{
		valid,
		"\xef\xbb\xbfValue;Metric;Period;Unit\n1e3;records_received;2026-q1;SNV\n",
		"unit,period,metric,value\nSNV,2026-10,records_received,1250\nSNV,2026-10,records_received,1251\n",
		"unit,period,metric,value\n,2026-13,khong_co,1,234\nOLD,2025-07,records_received,-3\nSNV,2026-12,records_received,1_000\n",
		"unit,period,metric,value,extra\nSNV,2026,records_received,1,x\n",
		"unit,period\n",
		"unit,period,metric,value\n\"SNV\n",
	} {
		f.Add(false, []byte(csv))
	}
	f.Add(true, tabulartest.XLSXFromCSV(f, valid))
	f.Add(true, []byte("PK\x03\x04"))

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
	if tab, err := tabular.Read("valid.csv", strings.NewReader(valid), tabular.Upload); err != nil {
		f.Fatal(err)
	} else if rows, err := metricsxlsx.Rows(tab); err != nil {
		f.Fatal(err)
	} else if obs, errs := parindex.PlanObservations(tab.File, "", rows, catalog, units, parindex.MetricSourceImport, today); len(errs) > 0 || len(obs) != 4 {
		f.Fatalf("the valid seed gives %d observations: %v", len(obs), errs)
	}
	f.Fuzz(func(t *testing.T, xlsx bool, data []byte) {
		name := "so-lieu.csv"
		if xlsx {
			name = "so-lieu.xlsx"
		}
		tab, err := tabular.Read(name, bytes.NewReader(data), tabular.Upload)
		var rows []parindex.ObservationRow
		if err == nil {
			rows, err = metricsxlsx.Rows(tab)
		}
		if err != nil {
			tabulartest.CheckInputErrors(t, name, err)
			return
		}
		obs, errs := parindex.PlanObservations(tab.File, tab.Sheet, rows, catalog, units, parindex.MetricSourceImport, today)
		if len(errs) > 0 {
			for _, e := range errs {
				if e.File != name || e.Row < 2 || !slices.Contains(parindex.ObservationColumns, e.Column) || e.VI == "" || e.EN == "" {
					t.Fatalf("problem without its row, column or text: %+v", e)
				}
			}
			return
		}
		if len(obs) != len(rows) {
			t.Fatalf("%d observations from %d rows", len(obs), len(rows))
		}
		keys := map[string]bool{}
		for _, o := range obs {
			u := units[o.UnitCode]
			if u == nil || u.ID != o.UnitID || catalog[o.Metric] == nil || o.Source != parindex.MetricSourceImport ||
				!o.Period.Overlaps(u.ValidFrom, u.ValidTo) || today.Before(o.Period.Start()) ||
				!(o.Value >= 0 && o.Value <= parindex.MaxMetricValue) || keys[o.Key()] {
				t.Fatalf("accepted observation %+v", o)
			}
			keys[o.Key()] = true
		}
	})
}
