package metricsxlsx_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/metricsxlsx"
	"parindex/tabular"
	"parindex/tabular/tabulartest"
)

var (
	catalog = []*parindex.Metric{
		{Code: "records_received", NameVI: "Hồ sơ tiếp nhận", NameEN: "Records received", Unit: "hồ sơ", Combine: parindex.CombineSum},
		{Code: "plan_tasks_total", NameVI: "Nhiệm vụ trong kế hoạch", NameEN: "Planned tasks", Unit: "nhiệm vụ", Combine: parindex.CombineLast, SelfReport: true},
		{Code: "records_online", NameVI: "Hồ sơ trực tuyến", NameEN: "Records online", Unit: "hồ sơ", Combine: parindex.CombineSum},
	}
	units = []*parindex.OrgUnit{
		{Code: "SNV", Name: "Sở Nội vụ", Type: parindex.OrgTypeDepartment},
		{Code: "X001", Name: "Xã Tân Phú", Type: parindex.OrgTypeCommune},
	}
)

// The template's data sheet comes first and is active, its lists read the
// hidden catalogue and units sheets, and a clerk's rows read back as
// written, periods as text.
func TestTemplateRoundTrip(t *testing.T) {
	data, err := metricsxlsx.Bytes(catalog, units)
	if err != nil {
		t.Fatal(err)
	}
	f := tabulartest.Open(t, data)
	sheets := f.GetSheetList()
	if len(sheets) != 4 || sheets[0] != "Số liệu" || f.GetActiveSheetIndex() != 0 {
		t.Fatalf("sheets %v, active %d", sheets, f.GetActiveSheetIndex())
	}
	for _, s := range []string{"DanhMuc", "DonVi"} {
		if visible, _ := f.GetSheetVisible(s); visible {
			t.Errorf("sheet %s is visible", s)
		}
	}
	if visible, _ := f.GetSheetVisible("Số liệu"); !visible {
		t.Error("the data sheet is hidden")
	}
	if rows, _ := f.GetRows("DanhMuc"); len(rows) != 4 || rows[1][0] != "records_received" || rows[2][5] != "có" || rows[3][5] != "không" {
		t.Errorf("catalogue sheet: %q", rows)
	}
	if rows, _ := f.GetRows("DonVi"); len(rows) != 3 || rows[2][0] != "X001" || rows[2][1] != "Xã Tân Phú" {
		t.Errorf("units sheet: %q", rows)
	}
	dvs, err := f.GetDataValidations("Số liệu")
	if err != nil || len(dvs) != 4 {
		t.Fatalf("%d validations (%v)", len(dvs), err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		if dv.Type == "list" {
			lists[dv.Sqref] = dv.Formula1
		}
	}
	if !strings.Contains(lists["A2:A5001"], "DonVi!$A$2:$A$3") || !strings.Contains(lists["C2:C5001"], "DanhMuc!$A$2:$A$4") {
		t.Errorf("list validations %q, want units and catalogue from the hidden sheets", lists)
	}
	for i, row := range [][]any{{"SNV", "2026-03", "records_received", 1250}, {"X001", "2026", "plan_tasks_total", 12.5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow("Số liệu", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	rd, err := tabular.Open("mau.xlsx", &buf, tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	tab, got, err := metricsxlsx.Read(rd)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (parindex.ObservationRow{Row: 2, Unit: "SNV", Period: "2026-03", Metric: "records_received", Value: "1250"}) ||
		got[1] != (parindex.ObservationRow{Row: 3, Unit: "X001", Period: "2026", Metric: "plan_tasks_total", Value: "12.5"}) ||
		tab.File != "mau.xlsx" || tab.Sheet != "Số liệu" {
		t.Errorf("read back from %s/%s: %+v", tab.File, tab.Sheet, got)
	}
}

// Columns come in any order; a file with only its header, or without a
// column, is refused naming the file.
func TestReadColumnsAndEmptyFiles(t *testing.T) {
	tab, err := tabular.Read("so-lieu.csv", strings.NewReader("Value;Metric;Period;Unit\n7;records_received;2026-Q1;SNV\n"), tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := metricsxlsx.Rows(tab)
	if err != nil || len(rows) != 1 || rows[0] != (parindex.ObservationRow{Row: 2, Unit: "SNV", Period: "2026-Q1", Metric: "records_received", Value: "7"}) {
		t.Errorf("reordered columns: %+v %v", rows, err)
	}
	for _, csv := range []string{"unit,period,metric,value\n", "unit,period,metric\nSNV,2026,records_received\n"} {
		rd, err := tabular.Open("so-lieu.csv", strings.NewReader(csv), tabular.Upload)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = metricsxlsx.Read(rd)
		rd.Close()
		var ie parindex.InputErrors
		if !errors.As(err, &ie) || len(ie) == 0 || ie[0].File != "so-lieu.csv" || ie[0].VI == "" || ie[0].EN == "" {
			t.Errorf("%q: %v, want input errors naming the file", csv, err)
		}
	}
}
