package workbook_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"parindex/workbook"
)

func TestStreamSheetContinuesOnANewSheetAndCutsLongText(t *testing.T) {
	w := workbook.New("Luồng & thử")
	s, err := w.AddStreamSheet("Phiếu", []workbook.Column{{Title: "Mã", Format: workbook.Code}, {Title: "Số", Format: workbook.Integer}, {Title: "Góp ý"}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetRowLimit(4)                                  // the header and three rows a sheet
	long := strings.Repeat("😀", workbook.MaxCellText) // two UTF-16 units each
	for i := range 7 {
		comment := "ngắn"
		if i == 5 {
			comment = long
		}
		if err := s.Append("001", i, comment); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	if s.Rows() != 7 || s.Cut != 1 || strings.Join(s.Sheets, "|") != "Phiếu|Phiếu (2)|Phiếu (3)" {
		t.Fatalf("rows %d cut %d sheets %q", s.Rows(), s.Cut, s.Sheets)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var numbers []string
	for _, sheet := range s.Sheets {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Mã" {
			t.Errorf("sheet %s has no header: %q", sheet, rows[0])
		}
		for _, r := range rows[1:] {
			numbers = append(numbers, r[1])
			if r[0] != "001" {
				t.Errorf("code kept as text: %q", r[0])
			}
			if r[1] == "5" {
				units := len(utf16.Encode([]rune(r[2])))
				if !strings.HasSuffix(r[2], workbook.CutMarker) || units > workbook.MaxCellText {
					t.Errorf("long text: %d units, ends %q", units, r[2][len(r[2])-30:])
				}
			}
		}
		pl, _ := f.GetPageLayout(sheet)
		// Three columns of 12 fit a portrait page at full size.
		if *pl.Orientation != "portrait" || *pl.Size != 9 || pl.AdjustTo == nil || *pl.AdjustTo != 100 {
			t.Errorf("sheet %s page layout %+v", sheet, pl)
		}
		hf, _ := f.GetHeaderFooter(sheet)
		if !strings.Contains(hf.OddFooter, "&P / &N") || !strings.Contains(hf.OddFooter, "Luồng && thử") {
			t.Errorf("sheet %s footer %q", sheet, hf.OddFooter)
		}
	}
	if strings.Join(numbers, ",") != "0,1,2,3,4,5,6" {
		t.Errorf("rows = %s", strings.Join(numbers, ","))
	}
}

func TestFitCell(t *testing.T) {
	short := strings.Repeat("a", workbook.MaxCellText)
	if got, cut := workbook.FitCell(short); cut || got != short {
		t.Error("a text at the limit was cut")
	}
	got, cut := workbook.FitCell(short + "b")
	if !cut || len(utf16.Encode([]rune(got))) != workbook.MaxCellText || !strings.HasSuffix(got, workbook.CutMarker) {
		t.Errorf("cut = %v, %d characters", cut, len([]rune(got)))
	}
}

func TestReportSheet(t *testing.T) {
	w := workbook.New("Báo cáo")
	s, err := w.AddReportSheet("Tổng hợp")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Title("Tiêu đề", 4); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Field("Chỉ số", 86.98, workbook.Points2); err != nil {
		t.Fatal(err)
	}
	header, err := s.Table([]workbook.Column{{Title: "Mã"}, {Title: "Tỷ lệ", Format: workbook.Percent}, {Title: "Trung bình", Format: workbook.Percent}}, workbook.TableOptions{Freeze: true, Filter: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, code := range []string{"1", "2", "3"} {
		if _, err := s.Append(false, code, 0.5+float64(i)/10, 0.6); err != nil {
			t.Fatal(err)
		}
	}
	rng := workbook.Range{Col: 1, First: header + 1, Last: s.Row()}
	if err := s.ColourScale(rng); err != nil {
		t.Fatal(err)
	}
	if err := s.Chart(0, workbook.Chart{Kind: workbook.Radar, Title: "Radar", Categories: workbook.Range{Col: 0, First: header + 1, Last: s.Row()},
		Series: []workbook.Series{{NameRow: header, Values: rng}, {NameRow: header, Values: workbook.Range{Col: 2, First: header + 1, Last: s.Row()}}}, Percent: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Tổng hợp", "B2", excelize.Options{RawCellValue: true}); v != "86.98" {
		t.Errorf("field value = %q", v)
	}
	if v, _ := f.GetCellValue("Tổng hợp", "A3"); v != "Mã" || header != 3 {
		t.Errorf("header at row %d: %q", header, v)
	}
	panes, _ := f.GetPanes("Tổng hợp")
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes = %+v", panes)
	}
	cf, _ := f.GetConditionalFormats("Tổng hợp")
	if len(cf) != 1 {
		t.Errorf("conditional formats = %v", cf)
	}
	// Three narrow columns fit a portrait page at full size.
	pl, _ := f.GetPageLayout("Tổng hợp")
	if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "portrait" {
		t.Errorf("page layout = %+v", pl)
	}
}
