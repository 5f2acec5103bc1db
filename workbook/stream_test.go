package workbook_test

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"parindex/workbook"
)

func TestStreamSheetContinuesOnANewSheetAndCutsLongText(t *testing.T) {
	w := workbook.New("Luồng & thử")
	defer w.Close()
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
	f := writeAndOpen(t, w)
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
	f := writeAndOpen(t, w)
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

// The streamed rows are XML written by the workbook package itself: they
// must read back in excelize as they were appended, with the columns'
// styles, and with no cell where there is nothing to show.
func TestStreamSheetCellsReadBack(t *testing.T) {
	w := workbook.New("Đọc lại")
	defer w.Close()
	s, err := w.AddStreamSheet("Phiếu", []workbook.Column{
		{Title: "Mã", Format: workbook.Code},
		{Title: "Góp ý"},
		{Title: "Số", Format: workbook.Integer},
		{Title: "Ngày", Format: workbook.Date},
		{Title: "Giá trị", Format: workbook.Number},
		{Title: "Có", Format: workbook.Code},
	})
	if err != nil {
		t.Fatal(err)
	}
	third := math.Nextafter(0.3, 1) // 0.30000000000000004: its 17 digits must survive
	texts := []string{
		`a<b & "c" 'd' >`,
		"Nguyễn Thị Ánh – Ủy ban nhân dân xã Đông Hưng",
		"  cách hai đầu  ",
		"dòng 1\r\ndòng 2\tcột",
		"_x0041_ stays as typed",
	}
	day := 46000.0
	rows := [][]any{
		{"001", texts[0], 42, day, third, true},
		{"002", texts[1], int64(-7), nil, &third, false},
		{"003", texts[2], nil, day + 0.5, 1e-7, nil},
		{"004", texts[3], 0, nil, math.NaN(), ""},
		{"005", texts[4], nil, nil, (*float64)(nil), nil},
		{"006", "x\x01y\x0bz"},
		{"", ""},
	}
	for _, r := range rows {
		if err := s.Append(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw := excelize.Options{RawCellValue: true}
	value := func(cell string) string {
		t.Helper()
		v, err := f.GetCellValue("Phiếu", cell, raw)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, want := range texts {
		if got := value("B" + strconv.Itoa(i+2)); got != want {
			t.Errorf("B%d = %q, want %q", i+2, got, want)
		}
	}
	if got := value("B7"); got != "x\uFFFDy\uFFFDz" {
		t.Errorf("characters XML forbids: %q", got)
	}
	if got := value("A2"); got != "001" {
		t.Errorf("code A2 = %q", got)
	}
	if got := value("C2") + "|" + value("C3") + "|" + value("C5"); got != "42|-7|0" {
		t.Errorf("integers = %s", got)
	}
	if got := value("F2") + "|" + value("F3"); got != "1|0" {
		t.Errorf("booleans = %s", got)
	}
	for cell, want := range map[string]float64{"E2": third, "E3": third, "E4": 1e-7, "D2": day, "D4": day + 0.5} {
		got, err := strconv.ParseFloat(value(cell), 64)
		if err != nil || got != want {
			t.Errorf("%s = %q, want exactly %v", cell, value(cell), want)
		}
	}
	// The date column shows dd/mm/yyyy: serial 46000 is 9 December 2025
	// (days since 30 December 1899).
	wantDay := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(day)).Format("02/01/2006")
	if got, _ := f.GetCellValue("Phiếu", "D2"); got != wantDay {
		t.Errorf("D2 shows %q, want %q", got, wantDay)
	}
	id, _ := f.GetCellStyle("Phiếu", "D2")
	if st, err := f.GetStyle(id); err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "dd/mm/yyyy" {
		t.Errorf("D2's style %d: %+v %v", id, st, err)
	}
	// No cell for nil, "", NaN or a nil *float64; row 8 has none at all.
	sheet := sheetXML(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	for _, cell := range []string{"C4", "E5", "F5", "F4", "C6", "E6", "A8", "B8"} {
		if strings.Contains(sheet, `<c r="`+cell+`"`) {
			t.Errorf("cell %s written for an empty value", cell)
		}
	}
	if !strings.Contains(sheet, `<row r="8"></row>`) {
		t.Error("row 8 missing")
	}
	if strings.Count(sheet, "</sheetData>") != 1 || !strings.Contains(sheet, "<headerFooter") {
		t.Error("the sheet's parts after its rows are missing")
	}
}

// sheetXML is a part of the workbook, read as text.
func sheetXML(t *testing.T, book []byte, part string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	fh, err := zr.Open(part)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	b, err := io.ReadAll(fh) // checks the part's CRC-32 at its end
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A row refused for a value a cell cannot take leaves nothing behind: the
// rows after it are numbered on and the workbook stays readable.
func TestStreamSheetRefusedRowLeavesNoTrace(t *testing.T) {
	w := workbook.New("Từ chối")
	defer w.Close()
	s, err := w.AddStreamSheet("Phiếu", []workbook.Column{{Title: "Mã", Format: workbook.Code}, {Title: "Khi"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append("001", "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("002", time.Now()); err == nil {
		t.Fatal("a time.Time was taken")
	}
	if err := s.Append("003", "c"); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	f := writeAndOpen(t, w)
	rows, err := f.GetRows("Phiếu")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "001" || rows[2][0] != "003" || s.Rows() != 2 {
		t.Errorf("rows %q, counted %d", rows, s.Rows())
	}
}

// Enough rows for several chunks to pass through the deflater, on three
// sheets; closing the workbook removes the rows' temporary files.
func TestStreamSheetManyRows(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w := workbook.New("Nhiều dòng")
	closed := false
	defer func() {
		if !closed {
			w.Close()
		}
	}()
	s, err := w.AddStreamSheet("Phiếu", []workbook.Column{{Title: "Số", Format: workbook.Integer}, {Title: "Tên"}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetRowLimit(7001)
	const n = 20000
	for i := range n {
		if err := s.Append(i, "Phường Đông Hưng số "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	f := writeAndOpen(t, w)
	next := 0
	for _, sheet := range s.Sheets {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if r[0] != strconv.Itoa(next) || r[1] != "Phường Đông Hưng số "+r[0] {
				t.Fatalf("sheet %s: row %q, want number %d", sheet, r, next)
			}
			next++
		}
	}
	if next != n || len(s.Sheets) != 3 {
		t.Errorf("read %d rows on %d sheets", next, len(s.Sheets))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 3 {
		t.Errorf("%d temporary files while writing, want one per sheet", len(left))
	}
	closed = true
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left after Close: %v", left)
	}
}

// writeAndOpen writes w and opens the result as excelize reads a file,
// closed when the test ends.
func writeAndOpen(t *testing.T, w *workbook.Workbook) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
