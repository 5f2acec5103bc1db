package workbook_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/workbook"
)

func TestSafeSheetName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tiêu chí", "Tiêu chí"},
		{"a/b\\c:d*e?f[g]h", "a-b-c-d-e-f-g-h"},
		{"'quoted'", "quoted"},
		{"", "Sheet"},
		{"  ", "Sheet"},
		{"history", "history_"},
		{"Bộ chỉ số cải cách hành chính các sở năm 2026", "Bộ chỉ số cải cách hành chính c"},
		{"tab\there", "tabhere"},
		{strings.Repeat("😀", 20), strings.Repeat("😀", 15)},
	}
	for _, tt := range tests {
		got := workbook.SafeSheetName(tt.in)
		if got != tt.want {
			t.Errorf("SafeSheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := workbook.ContentDisposition("Bộ tiêu chí - province-departments-2026.xlsx")
	want := `attachment; filename="Bo tieu chi - province-departments-2026.xlsx"; ` +
		`filename*=UTF-8''B%E1%BB%99%20ti%C3%AAu%20ch%C3%AD%20-%20province-departments-2026.xlsx`
	if got != want {
		t.Errorf("ContentDisposition =\n%s\nwant\n%s", got, want)
	}
	evil := workbook.ContentDisposition("../\"Đơn vị\"\r\nX-Evil: 1.yaml")
	if strings.ContainsAny(evil, "\r\n") || strings.Contains(evil, `/`) || strings.Count(evil, `"`) != 2 {
		t.Errorf("unsafe header: %q", evil)
	}
	if !strings.Contains(evil, `filename="..__Don vi_X-Evil: 1.yaml"`) {
		t.Errorf("fallback name in %q", evil)
	}
	if got := workbook.ContentDisposition(""); !strings.Contains(got, `filename="download"`) {
		t.Errorf("empty name: %q", got)
	}
}

func TestWriteAndReadBack(t *testing.T) {
	w := workbook.New("test")
	cols := []workbook.Column{
		{Title: "Mã (code)", Width: 10, Format: workbook.Code},
		{Title: "Tên (name)", Width: 40, Format: workbook.Text},
		{Title: "Điểm (max)", Format: workbook.Number},
		{Title: "Tỷ lệ", Format: workbook.Percent},
		{Title: "Số", Format: workbook.Integer},
		{Title: "Cờ", Format: workbook.Text},
	}
	s, err := w.AddSheet("Tiêu chí", cols)
	if err != nil {
		t.Fatal(err)
	}
	// More significant digits than Excel's 15: reading back must keep them all.
	third, _ := strconv.ParseFloat("0.30000000000000004", 64)
	if _, err := s.Append(true, "1", "Lĩnh vực một", 14.5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(false, "1.10", "=HYPERLINK(\"x\")", third, 0.985, 1234567, true); err != nil {
		t.Fatal(err)
	}
	var none *float64
	if row, err := s.Append(false, "1.2", nil, none); err != nil || row != 4 {
		t.Fatalf("third row = %d, %v", row, err)
	}
	if err := s.DropList(5, []string{"có", "không"}, 100, "chọn có hoặc không"); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(false, strings.Repeat("x", workbook.MaxCellText+1)); err == nil {
		t.Error("over-long text accepted")
	}
	s2, err := w.AddSheet("tiêu chí", nil) // same name, other case: made unique
	if err != nil {
		t.Fatal(err)
	}
	if s2.Name() != "tiêu chí (2)" {
		t.Errorf("second sheet named %q", s2.Name())
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()

	// Look at the file as Excel would.
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); len(got) != 2 || got[0] != "Tiêu chí" {
		t.Errorf("sheets = %v", got)
	}
	panes, err := x.GetPanes("Tiêu chí")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if typ, _ := x.GetCellType("Tiêu chí", "A3"); typ != excelize.CellTypeSharedString {
		t.Errorf("code cell type = %v, want text", typ)
	}
	if f, _ := x.GetCellFormula("Tiêu chí", "B3"); f != "" {
		t.Errorf("text starting with = became a formula: %q", f)
	}
	if width, _ := x.GetColWidth("Tiêu chí", "B"); width != 40 {
		t.Errorf("column B width = %v", width)
	}

	b, err := workbook.Open("t.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.FindSheet("TIÊU CHÍ "); got != "Tiêu chí" {
		t.Errorf("FindSheet = %q", got)
	}
	rows, err := b.Rows("Tiêu chí")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].Number != 1 || rows[3].Number != 4 {
		t.Fatalf("rows = %+v", rows)
	}
	r := rows[2]
	if r.Cell(0) != "1.10" || r.Cell(1) != `=HYPERLINK("x")` || r.Cell(2) != "0.30000000000000004" || r.Cell(3) != "0.985" ||
		r.Cell(4) != "1234567" || r.Cell(5) != "1" || r.Cell(9) != "" {
		t.Errorf("raw row = %q", r.Cells)
	}
	if workbook.ColumnName(0) != "A" || workbook.ColumnName(27) != "AB" {
		t.Error("ColumnName")
	}
}

func TestOpenRefusesNonWorkbooks(t *testing.T) {
	_, err := workbook.Open("notes.xlsx", strings.NewReader("code: x\n"))
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || ie[0].File != "notes.xlsx" || !strings.Contains(ie[0].VI, "không mở được") {
		t.Errorf("err = %v", err)
	}
}
