package tabular_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/tabular"
	"parindex/workbook"
)

func TestCSVRowNumbersAndExcelQuirks(t *testing.T) {
	// A BOM, semicolons, a blank row and a quoted cell spanning two lines:
	// row numbers must still match what a spreadsheet program shows.
	data := "\xef\xbb\xbfCode;Name\nA;\"Một\nhai\"\n\n B ; Ba \n"
	tab, err := tabular.Read("units.csv", strings.NewReader(data))
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
	tab, err := tabular.Read("units.xlsx", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Sheet != "Sheet1" || len(tab.Rows) != 2 || tab.Rows[1].Number != 4 || tab.Rows[1].Cells[2] != "" || tab.Rows[0].Cells[1] != "Sở Nội vụ" {
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
		_, err := tabular.Read(tt.name, strings.NewReader(tt.data))
		var ie parindex.InputErrors
		if !errors.As(err, &ie) || !strings.Contains(ie[0].EN, tt.want) || ie[0].File != tt.name {
			t.Errorf("%s %q: err = %v, want %q", tt.name, tt.data, err, tt.want)
		}
	}
	tab, _ := tabular.Read("x.csv", strings.NewReader("code,colour,code2\n1,2,3\n"))
	_, err := tab.Columns([]string{"code", "name"}, []string{"code2"})
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || len(ie) != 2 || ie[0].Column != "name" || ie[1].Column != "colour" {
		t.Errorf("Columns err = %v", err)
	}
}

// A small .xlsx that unpacks to more than workbook.MaxUnzipped (a zip bomb)
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
	for i := 0; i < workbook.MaxUnzipped>>20+1; i++ {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if bomb.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes packed; it should be small", bomb.Len())
	}
	_, err = tabular.Read("bomb.xlsx", bytes.NewReader(bomb.Bytes()))
	var problems parindex.InputErrors
	if !errors.As(err, &problems) || problems[0].File != "bomb.xlsx" {
		t.Fatalf("a zip bomb gave %v, want an input error naming the file", err)
	}
}
