package workbook_test

import (
	"strings"
	"testing"

	"parindex/workbook"
)

// The layout pass sizes what excelize leaves alone: rows grow with their
// wrapped text (merged cells over their whole width), columns left to it
// take their content's width, and the print set-up follows the width.
func TestLayoutSizesRowsColumnsAndPages(t *testing.T) {
	w := workbook.New("Bố cục")
	s, err := w.AddReportSheet("Báo cáo")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Ủy ban nhân dân xã đã tiếp nhận và giải quyết hồ sơ đúng hạn. ", 6)
	if err := s.Title("Tiêu đề", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.Subtitle(long, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Table([]workbook.Column{{Title: "Mã", Format: workbook.Code}, {Title: "Tên", Width: 30}, {Title: "Điểm", Format: workbook.Points2}}, workbook.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(false, "1.2", long, 12345678.5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(false, "1.3", "ngắn", 1.0); err != nil {
		t.Fatal(err)
	}
	wide, err := w.AddSheet("Rộng", func() []workbook.Column {
		cols := []workbook.Column{{Title: "Mã", Width: 8, Key: true}, {Title: "Tên", Width: 30, Key: true}}
		for range 30 {
			cols = append(cols, workbook.Column{Title: "Số", Width: 10, Format: workbook.Integer})
		}
		return cols
	}())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wide.Append(false, "A", "B", 1); err != nil {
		t.Fatal(err)
	}
	f := writeAndOpen(t, w)
	sub, _ := f.GetRowHeight("Báo cáo", 2)
	short, _ := f.GetRowHeight("Báo cáo", 5)
	longRow, _ := f.GetRowHeight("Báo cáo", 4)
	if sub < 3*12 || short > 16 || longRow <= sub {
		t.Errorf("heights: subtitle %v, long row %v, short row %v", sub, longRow, short)
	}
	code, _ := f.GetColWidth("Báo cáo", "A")
	points, _ := f.GetColWidth("Báo cáo", "C")
	if code > 6 || points < 12 {
		t.Errorf("widths: code %v, points %v", code, points)
	}
	pl, _ := f.GetPageLayout("Báo cáo")
	if *pl.Orientation != "portrait" {
		t.Errorf("a narrow sheet prints %s", *pl.Orientation)
	}
	// 30 columns of 10 are far too wide for 80 %: strips, the code and
	// name columns repeated.
	pl, _ = f.GetPageLayout("Rộng")
	props, _ := f.GetSheetProps("Rộng")
	if *pl.Orientation != "landscape" || props.FitToPage != nil && *props.FitToPage {
		t.Errorf("wide sheet: %+v %+v", pl, props)
	}
	names := f.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" && n.Scope == "Rộng" {
			found = strings.Contains(n.RefersTo, "$A:$B") && strings.Contains(n.RefersTo, "$1:$1")
		}
	}
	if !found {
		t.Errorf("print titles of the wide sheet: %+v", names)
	}
}
