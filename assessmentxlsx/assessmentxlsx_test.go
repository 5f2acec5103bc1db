package assessmentxlsx_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/assessment"
	"parindex/assessmentxlsx"
	"parindex/criteria"
	"parindex/tabular/tabulartest"
)

func fptr(x float64) *float64 { return &x }
func bptr(b bool) *bool       { return &b }

func template(t testing.TB) assessmentxlsx.Template {
	t.Helper()
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	a := &assessment.Assessment{Framework: f.Code, UnitCode: "SNV", UnitName: "Sở Nội vụ", State: assessment.StateDraft,
		Entries: map[string]*assessment.Entry{
			"1.1": {Node: "1.1", LeafValue: assessment.LeafValue{Answer: bptr(false)}},
			"2.3": {Node: "2.3", LeafValue: assessment.LeafValue{Points: fptr(2)}, Note: "Báo cáo 45/BC-SNV"},
		},
		Metrics:    map[string]*assessment.MetricValue{"plan_tasks_done": {Metric: "plan_tasks_done", Value: 8}},
		Appraisals: map[string][2]*assessment.Appraisal{}, Evidence: map[string][]*assessment.Evidence{}}
	return assessmentxlsx.Template{Framework: f, Hash: f.Hash(), Assessment: a, MetricNames: map[string]string{"plan_tasks_done": "Số nhiệm vụ hoàn thành"}}
}

// rowOf finds the row of a code in column A of a sheet.
func rowOf(t testing.TB, x *excelize.File, sheet, code string) int {
	t.Helper()
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == code {
			return i + 1
		}
	}
	t.Fatalf("no row %s on %s", code, sheet)
	return 0
}

func set(t *testing.T, x *excelize.File, sheet, code, col string, v any) {
	t.Helper()
	cell := col + itoa(rowOf(t, x, sheet, code))
	if err := x.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string {
	s, _ := excelize.CoordinatesToCellName(1, n)
	return strings.TrimPrefix(s, "A")
}

func TestTemplateLayout(t *testing.T) {
	tm := template(t)
	data, err := assessmentxlsx.Bytes(tm)
	if err != nil {
		t.Fatal(err)
	}
	x := tabulartest.Open(t, data)
	if got := x.GetSheetList(); strings.Join(got, "|") != "Tự đánh giá|Số liệu|Hướng dẫn|_parindex" {
		t.Errorf("sheets = %v", got)
	}
	if visible, _ := x.GetSheetVisible(assessmentxlsx.SheetMeta); visible {
		t.Error("the metadata sheet is visible")
	}
	row := itoa(rowOf(t, x, assessmentxlsx.SheetScores, "2.3"))
	if v, _ := x.GetCellValue(assessmentxlsx.SheetScores, "E"+row); v != "2" {
		t.Errorf("current points of 2.3 = %q", v)
	}
	if v, _ := x.GetCellValue(assessmentxlsx.SheetScores, "H"+row); v != "Báo cáo 45/BC-SNV" {
		t.Errorf("note of 2.3 = %q", v)
	}
	locked := func(cell string) bool {
		id, err := x.GetCellStyle(assessmentxlsx.SheetScores, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := x.GetStyle(id)
		return st.Protection == nil || st.Protection.Locked
	}
	if locked("E"+row) || locked("H"+row) || !locked("B"+row) || !locked("F"+row) {
		t.Errorf("2.3: points unlocked %v, note unlocked %v, name locked %v, answer locked %v",
			!locked("E"+row), !locked("H"+row), locked("B"+row), locked("F"+row))
	}
	dvs, err := x.GetDataValidations(assessmentxlsx.SheetScores)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, dv := range dvs {
		if dv.Sqref == "E"+row {
			found = dv.Type == "decimal" && dv.Formula1 == "0" && dv.Formula2 == "3"
		}
	}
	if !found {
		t.Errorf("no 0..3 validation on E%s", row)
	}
}

func TestReadValidWorkbook(t *testing.T) {
	tm := template(t)
	data, _ := assessmentxlsx.Bytes(tm)
	data = tabulartest.Edit(t, data, func(x *excelize.File) {
		set(t, x, assessmentxlsx.SheetScores, "2.3", "E", 2.5)
		set(t, x, assessmentxlsx.SheetScores, "1.1", "F", assessmentxlsx.Yes)
		set(t, x, assessmentxlsx.SheetScores, "3.4", "G", "x")
		set(t, x, assessmentxlsx.SheetScores, "T.1", "E", "1,5") // typed as text with a decimal comma
		set(t, x, assessmentxlsx.SheetMetrics, "plan_tasks_done", "C", 9)
		set(t, x, assessmentxlsx.SheetMetrics, "plan_tasks_total", "C", 10)
	})
	up, err := assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), tm)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]assessment.EntryUpdate{}
	for _, u := range up.Updates {
		got[u.Node] = u
	}
	if u := got["2.3"]; u.Value.Points == nil || *u.Value.Points != 2.5 || u.Note != "Báo cáo 45/BC-SNV" {
		t.Errorf("2.3 = %+v", u)
	}
	if u := got["1.1"]; u.Value.Answer == nil || !*u.Value.Answer {
		t.Errorf("1.1 = %+v", u)
	}
	if u := got["3.4"]; !u.Value.NotApplicable {
		t.Errorf("3.4 = %+v", u)
	}
	if u := got["T.1"]; u.Value.Points == nil || *u.Value.Points != 1.5 {
		t.Errorf("T.1 = %+v", u)
	}
	if m := got["1.2"].Metrics; m["plan_tasks_done"] == nil || *m["plan_tasks_done"] != 9 || *m["plan_tasks_total"] != 10 {
		t.Errorf("metrics of 1.2 = %v", m)
	}
	if _, ok := got["8.1.1"]; ok {
		t.Error("a survey leaf got an update")
	}
	if len(up.Changes) != 6 {
		t.Errorf("changes = %+v", up.Changes)
	}
}

func TestReadThreeBadCells(t *testing.T) {
	tm := template(t)
	data, _ := assessmentxlsx.Bytes(tm)
	data = tabulartest.Edit(t, data, func(x *excelize.File) {
		set(t, x, assessmentxlsx.SheetScores, "2.3", "E", 3.5)              // above the maximum 3
		set(t, x, assessmentxlsx.SheetScores, "1.1", "F", "có lẽ")          // not yes or no
		set(t, x, assessmentxlsx.SheetMetrics, "plan_tasks_total", "C", -4) // negative
	})
	_, err := assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), tm)
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || len(ie) != 3 {
		t.Fatalf("three bad cells: %v", err)
	}
	x := tabulartest.Open(t, data)
	want := []struct{ sheet, column, text string }{
		{assessmentxlsx.SheetScores, "F (answer)", "ghi Có hoặc Không"},
		{assessmentxlsx.SheetScores, "E (points)", "nằm ngoài khoảng 0 đến 3"},
		{assessmentxlsx.SheetMetrics, "C (value)", "không âm"},
	}
	rows := []int{rowOf(t, x, assessmentxlsx.SheetScores, "1.1"), rowOf(t, x, assessmentxlsx.SheetScores, "2.3"), rowOf(t, x, assessmentxlsx.SheetMetrics, "plan_tasks_total")}
	for i, w := range want {
		e := ie[i]
		if e.Sheet != w.sheet || e.Column != w.column || e.Row != rows[i] || !strings.Contains(e.VI, w.text) {
			t.Errorf("problem %d = %+v, want %s row %d %s %q", i, e, w.sheet, rows[i], w.column, w.text)
		}
	}
}

func TestReadRefusesOtherFrameworkOrAgency(t *testing.T) {
	tm := template(t)
	data, _ := assessmentxlsx.Bytes(tm)

	other := tm
	f2 := tm.Framework.Clone()
	f2.Code = "province-departments-2027"
	other.Framework, other.Hash = f2, f2.Hash()
	_, err := assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), other)
	if err == nil || !strings.Contains(err.Error(), "tệp dành cho bộ tiêu chí province-departments-2026, không phải province-departments-2027") {
		t.Errorf("another framework: %v", err)
	}
	version := tm
	version.Hash = strings.Repeat("ab", 32)
	_, err = assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), version)
	if err == nil || !strings.Contains(err.Error(), "phiên bản khác của bộ tiêu chí") {
		t.Errorf("another version: %v", err)
	}
	agency := tm
	a2 := *tm.Assessment
	a2.UnitCode, a2.UnitName = "STP", "Sở Tư pháp"
	agency.Assessment = &a2
	_, err = assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), agency)
	if err == nil || !strings.Contains(err.Error(), "tệp của đơn vị SNV (Sở Nội vụ), không phải STP") {
		t.Errorf("another agency: %v", err)
	}
	_, err = assessmentxlsx.Read("x.xlsx", bytes.NewReader([]byte("not a workbook")), tm)
	if err == nil || !strings.Contains(err.Error(), "không mở được tệp Excel") {
		t.Errorf("not a workbook: %v", err)
	}
	// A row whose code was edited is found through the hidden row list.
	tampered := tabulartest.Edit(t, data, func(x *excelize.File) { set(t, x, assessmentxlsx.SheetScores, "2.3", "A", "2.4") })
	_, err = assessmentxlsx.Read("snv.xlsx", bytes.NewReader(tampered), tm)
	if err == nil || !strings.Contains(err.Error(), `mã "2.4" đã bị sửa`) {
		t.Errorf("edited code: %v", err)
	}
}
