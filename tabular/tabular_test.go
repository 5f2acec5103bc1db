package tabular_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/tabular"
	"parindex/tabular/tabulartest"
)

func TestCSVRowNumbersAndExcelQuirks(t *testing.T) {
	// A BOM, semicolons, a blank row and a quoted cell spanning two lines:
	// row numbers must still match what a spreadsheet program shows.
	data := "\xef\xbb\xbfCode;Name\nA;\"Một\nhai\"\n\n B ; Ba \n"
	tab, err := tabular.Read("units.csv", strings.NewReader(data), tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Header, ",") != "code,name" {
		t.Errorf("header = %q", tab.Header)
	}
	if len(tab.Rows) != 2 || tab.Rows[0].Number != 2 || tab.Rows[1].Number != 5 {
		t.Fatalf("rows = %+v", tab.Rows)
	}
	if tab.Rows[1].Cells[0] != "B" || tab.Rows[1].Cells[1] != "Ba" || tab.Rows[0].Cells[1] != "Một\nhai" {
		t.Errorf("cells = %v", tab.Rows)
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"code", "name", "valid_from"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"SNV", "Sở Nội vụ", "2025-07-01"})
	f.SetSheetRow("Sheet1", "A4", &[]any{"STC", "Sở Tài chính"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err := tabular.Read("units.xlsx", &buf, tabular.Upload)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Sheet != "Sheet1" || len(tab.Rows) != 2 || tab.Rows[1].Number != 4 || tab.Rows[1].At(2) != "" || len(tab.Rows[1].Cells) != 2 || tab.Rows[0].Cells[1] != "Sở Nội vụ" {
		t.Errorf("table = %+v", tab)
	}
	cols, err := tab.Columns([]string{"code", "name"}, []string{"valid_from"})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows[0].Cell(cols, "valid_from") != "2025-07-01" {
		t.Errorf("Cell = %q", tab.Rows[0].Cell(cols, "valid_from"))
	}
}

func TestBadInputsAreInputErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"x.pdf", "%PDF", ".csv"},
		{"x.csv", "", "no header row"},
		{"x.csv", "code\n\"unterminated\n", "malformed CSV"},
		{"x.csv", "code,name\xff\n", "not UTF-8"},
		{"x.xlsx", "not a zip", "cannot open the Excel file"},
	}
	for _, tt := range tests {
		_, err := tabular.Read(tt.name, strings.NewReader(tt.data), tabular.Upload)
		var ie parindex.InputErrors
		if !errors.As(err, &ie) || !strings.Contains(ie[0].EN, tt.want) || ie[0].File != tt.name {
			t.Errorf("%s %q: err = %v, want %q", tt.name, tt.data, err, tt.want)
		}
	}
	tab, _ := tabular.Read("x.csv", strings.NewReader("code,colour,code2\n1,2,3\n"), tabular.Upload)
	_, err := tab.Columns([]string{"code", "name"}, []string{"code2"})
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || len(ie) != 2 || ie[0].Column != "name" || ie[1].Column != "colour" {
		t.Errorf("Columns err = %v", err)
	}
}

// A small .xlsx that unpacks to more than its unzipped limit (a zip bomb)
// is refused as a bad file before it is unpacked.
func TestXLSXZipBombIsRefused(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"code", "name"})
	var book bytes.Buffer
	if err := f.Write(&book); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(book.Bytes()), int64(book.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, entry := range zr.File {
		w, err := zw.CreateHeader(&entry.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := entry.Open()
		io.Copy(w, r)
		r.Close()
	}
	w, _ := zw.Create("xl/media/padding.xml")
	zeros := make([]byte, 1<<20)
	for i := 0; i < int(tabular.Upload.Unzipped>>20)+1; i++ {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if bomb.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes packed; it should be small", bomb.Len())
	}
	_, err = tabular.Read("bomb.xlsx", bytes.NewReader(bomb.Bytes()), tabular.Upload)
	var problems parindex.InputErrors
	if !errors.As(err, &problems) || problems[0].File != "bomb.xlsx" {
		t.Fatalf("a zip bomb gave %v, want an input error naming the file", err)
	}
}

// small is a limit set small enough to pass in a test.
var small = tabular.Limits{Bytes: 1 << 20, XLSXBytes: 1 << 20, Unzipped: 8 << 20, SharedStrings: 1 << 20, Rows: 1000, Columns: 16, Cell: 100, Cells: 100_000, Line: 4 << 10}

// located checks that err is one InputError at the row and column given
// ("" for none) whose message says want.
func located(t *testing.T, what string, err error, row int, column, want string) {
	t.Helper()
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || len(ie) != 1 {
		t.Fatalf("%s: err = %v, want one InputError", what, err)
	}
	if (ie[0].Row != row && (row >= 0 || ie[0].Row < 2)) || ie[0].Column != column || !strings.Contains(ie[0].EN, want) || ie[0].VI == "" {
		t.Errorf("%s: %+v, want row %d column %q saying %q", what, ie[0], row, column, want)
	}
}

// Every limit is a located refusal, never a table cut short.
func TestLimitsAreLocatedRefusals(t *testing.T) {
	rows := func(n int, row string) string { return "a,b\n" + strings.Repeat(row+"\n", n) }
	few := small
	few.Cells = 100
	tests := []struct {
		what, data   string
		row          int
		column, want string
		lim          *tabular.Limits
	}{
		// 1.5 MiB in 1,000 rows: refused after the last whole row read, at
		// a row that depends on the read-ahead (-1: any data row).
		{"file past Bytes", rows(1000, strings.Repeat(strings.Repeat("9", 99)+",", 15)+"1"), -1, "", "larger than 1 MiB", nil},
		{"row past the columns", rows(3, "x") + strings.Repeat(",", 40) + "y\n", 5, "AO", "beyond the 16 columns", nil},
		{"header past the columns", strings.Repeat("h,", 17) + "h\n", 1, "R", "beyond the 16 columns", nil},
		{"cell past Cell", rows(2, "x") + strings.Repeat("é", 51) + ",z\n", 4, "A", "more than the limit of 100", nil},
		{"rows past Rows", rows(1001, "x,y"), 1002, "", "more than 1000 data rows", nil},
		{"cells past Cells", rows(10, "x,,,,,,,,,,,,,y"), 9, "", "more than 100 cells", &few},
		{"no line break", "a,b\n" + strings.Repeat("x", 200_000), 2, "", "without ending", nil},
		{"a line of commas", "a,b\n" + strings.Repeat(",", 200_000) + "x\n", 2, "", "without ending", nil},
		{"not UTF-8 in a later row", rows(5, "x") + "\xff,y\n", 7, "A", "not UTF-8", nil},
	}
	for _, tt := range tests {
		lim := small
		if tt.lim != nil {
			lim = *tt.lim
		}
		_, err := tabular.Read("t.csv", strings.NewReader(tt.data), lim)
		located(t, tt.what, err, tt.row, tt.column, tt.want)
	}
	// Blank cells at the end of a row do not count against the columns, and
	// rows are never padded to the header's width.
	tab, err := tabular.Read("t.csv", strings.NewReader("a,b,c\n1"+strings.Repeat(",", 100)+"\n"), small)
	if err != nil || len(tab.Rows) != 1 || len(tab.Rows[0].Cells) != 1 || tab.Rows[0].Width != 101 {
		t.Errorf("trailing blanks: %+v, %v", tab, err)
	}
}

// xlsxWith writes a workbook whose first sheet holds the given cells.
func xlsxWith(t *testing.T, cells map[string]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for at, v := range cells {
		if err := f.SetCellStr("Sheet1", at, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXLimitsAreLocatedRefusals(t *testing.T) {
	book := xlsxWith(t, map[string]string{"A1": "unit", "B1": "date", "A2": "SNV", "XFD3": "x"})
	_, err := tabular.Read("far.xlsx", bytes.NewReader(book), small)
	located(t, "cell in XFD", err, 3, "XFD", "column XFD")

	big := xlsxWith(t, map[string]string{"A1": "unit", "A2": strings.Repeat("ư", 60)})
	_, err = tabular.Read("long.xlsx", bytes.NewReader(big), small)
	located(t, "long cell", err, 2, "A", "120 bytes")

	tight := small
	tight.XLSXBytes = int64(len(book)) - 1
	_, err = tabular.Read("big.xlsx", bytes.NewReader(book), tight)
	located(t, "file past XLSXBytes", err, 0, "", "larger than")

	// A table of shared strings that unpacks past its limit is refused
	// before excelize parses it.
	many := map[string]string{"A1": "unit"}
	for i := 2; i < 2000; i++ {
		many[fmt.Sprintf("A%d", i)] = fmt.Sprintf("%0200d", i)
	}
	tight = small
	tight.SharedStrings, tight.Rows = 64<<10, 1<<20
	_, err = tabular.Read("sst.xlsx", bytes.NewReader(xlsxWith(t, many)), tight)
	located(t, "shared strings", err, 0, "", "xl/sharedStrings.xml")
}

// allocated runs f and returns the bytes it allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The files of the red-team report, generated here: each is refused at its
// first row past a limit, allocating a bounded amount of memory. Before the
// limits, rows were padded to the header's width (a header of a million
// columns times 300 rows took gigabytes) and every cell of an .xlsx row up
// to column XFD was kept.
func TestHostileTablesCostBoundedMemory(t *testing.T) {
	wideHeader := "unit,date," + strings.Repeat("c,", 1_000_000) + "\n" + strings.Repeat("SNV,2026-03-14\n", 300)
	var head bytes.Buffer
	book := excelize.NewFile()
	book.SetCellStr("Sheet1", "A1", "unit")
	if err := book.Write(&head); err != nil {
		t.Fatal(err)
	}
	// About 250 KB: 45,000 rows that each reach column XFD.
	far := tabulartest.WithRows(t, head.Bytes(), "Sheet1", tabulartest.SparseRows(2, 45_000, "XFD"))
	tests := []struct {
		name         string
		data         []byte
		row          int
		column, want string
	}{
		{"metrics.csv", []byte(wideHeader), 1, "", "the line runs past 256 KiB"},
		{"far.xlsx", far, 2, "XFD", "beyond the 256 columns"},
	}
	for _, tt := range tests {
		var err error
		used := allocated(func() { _, err = tabular.Read(tt.name, bytes.NewReader(tt.data), tabular.Upload) })
		located(t, tt.name, err, tt.row, tt.column, tt.want)
		t.Logf("%s: %d bytes refused, %.1f MiB allocated", tt.name, len(tt.data), float64(used)/(1<<20))
		if used > 64<<20 {
			t.Errorf("%s (%d bytes): refusing it allocated %d MiB, want under 64 MiB", tt.name, len(tt.data), used>>20)
		}
	}
}

// A large legitimate file streams: every row arrives, none is held.
func TestLargeFileStreamsWhole(t *testing.T) {
	const rows = 400_000
	src := &generated{header: "unit,date,a1,a2\n", row: "SNV,2026-03-14,5,4\n", rows: rows}
	r, err := tabular.Open("big.csv", src, tabular.Stream)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, last := 0, 0
	var maxHeap uint64
	var ms runtime.MemStats
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.At(3) != "4" {
			t.Fatalf("row %d = %v", row.Number, row.Cells)
		}
		n, last = n+1, row.Number
		if n%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapInuse)
		}
	}
	if n != rows || last != rows+1 {
		t.Errorf("read %d rows, the last numbered %d; want %d and %d", n, last, rows, rows+1)
	}
	if maxHeap > 64<<20 {
		t.Errorf("the heap reached %d MiB reading a %d MiB file", maxHeap>>20, src.size()>>20)
	}
}

// generated is a CSV file made on the fly: a header, then rows copies of row.
type generated struct {
	header, row string
	rows, sent  int
	pending     []byte
	started     bool
}

func (g *generated) size() int { return len(g.header) + g.rows*len(g.row) }

func (g *generated) Read(p []byte) (int, error) {
	if !g.started {
		g.started, g.pending = true, []byte(g.header)
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	for n+len(g.row) <= len(p) && g.sent < g.rows {
		n += copy(p[n:], g.row)
		g.sent++
	}
	if n == 0 && g.sent == g.rows {
		return 0, io.EOF
	}
	if n == 0 { // p is shorter than a row
		g.pending = []byte(g.row)
		g.sent++
		n = copy(p, g.pending)
		g.pending = g.pending[n:]
	}
	return n, nil
}
