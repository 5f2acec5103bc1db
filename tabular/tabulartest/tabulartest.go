// Package tabulartest builds spreadsheet files for tests of the code that
// reads them through tabular.
package tabulartest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/tabular"
)

// XLSXFromCSV writes a CSV text as the first sheet of a workbook, each row
// on the row number it has in the CSV, every cell as text.
func XLSXFromCSV(tb testing.TB, csv string) []byte {
	tb.Helper()
	tab, err := tabular.Read("seed.csv", strings.NewReader(csv), tabular.Upload)
	if err != nil {
		tb.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	rows := append([]tabular.Row{{Number: 1, Cells: tab.Header}}, tab.Rows...)
	for _, r := range rows {
		cells := make([]any, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = c
		}
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r.Number), &cells); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// WithRows returns the workbook book with rowsXML (<row> elements, numbered
// after the sheet's own rows) added at the end of the named sheet's data,
// written straight into the sheet's XML as a hostile file would be: excelize
// itself would expand every row to its last column.
func WithRows(tb testing.TB, book []byte, sheet, rowsXML string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		tb.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		parts[f.Name], err = io.ReadAll(r)
		r.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	id := regexp.MustCompile(`<sheet [^>]*name="` + regexp.QuoteMeta(sheet) + `"[^>]*r:id="([^"]+)"`).FindSubmatch(parts["xl/workbook.xml"])
	if id == nil {
		tb.Fatalf("no sheet %q in the workbook", sheet)
	}
	target := regexp.MustCompile(`<Relationship [^>]*Id="` + string(id[1]) + `"[^>]*Target="/?(?:xl/)?([^"]+)"`).FindSubmatch(parts["xl/_rels/workbook.xml.rels"])
	if target == nil {
		tb.Fatalf("no part for sheet %q", sheet)
	}
	name := "xl/" + string(target[1])
	xml := string(parts[name])
	switch {
	case strings.Contains(xml, "</sheetData>"):
		xml = strings.Replace(xml, "</sheetData>", rowsXML+"</sheetData>", 1)
	case strings.Contains(xml, "<sheetData/>"):
		xml = strings.Replace(xml, "<sheetData/>", "<sheetData>"+rowsXML+"</sheetData>", 1)
	default:
		tb.Fatalf("part %s has no sheetData", name)
	}
	parts[name] = []byte(xml)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(parts[f.Name])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// SparseRows is rows from..to-1, each with one inline text cell in each of
// the columns given (letters, in order), nothing in between.
func SparseRows(from, to int, columns ...string) string {
	var b strings.Builder
	for r := from; r < to; r++ {
		fmt.Fprintf(&b, `<row r="%d">`, r)
		for _, c := range columns {
			fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>x</t></is></c>`, c, r)
		}
		b.WriteString(`</row>`)
	}
	return b.String()
}

// CheckInputErrors is what every importer's refusal must be (since
// 2026-12-07, one check for the fuzz tests of every importer, issue 24):
// parindex.InputErrors, not empty, each problem naming file, in Vietnamese
// and English, on no negative row. It returns the problems for the caller's
// own checks of their place.
func CheckInputErrors(tb testing.TB, file string, err error) parindex.InputErrors {
	tb.Helper()
	var ie parindex.InputErrors
	if !errors.As(err, &ie) || len(ie) == 0 {
		tb.Fatalf("error %T is not parindex.InputErrors: %v", err, err)
	}
	for _, e := range ie {
		if e.File != file || e.VI == "" || e.EN == "" || e.Row < 0 {
			tb.Fatalf("problem without its file or text: %+v", e)
		}
	}
	return ie
}

// Open opens the workbook book as Excel would show it, closed after the
// test.
func Open(tb testing.TB, book []byte) *excelize.File {
	tb.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { x.Close() })
	return x
}

// Edit opens the workbook book, lets change edit it as a person would in
// Excel, and returns the saved workbook.
func Edit(tb testing.TB, book []byte, change func(x *excelize.File)) []byte {
	tb.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		tb.Fatal(err)
	}
	defer x.Close()
	change(x)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// EditCell writes a fuzzed value into one cell of the workbook book, as a
// person editing it in Excel would, and returns the saved workbook. sheet,
// row and column pick the cell: the sheet among sheets, the row and column
// modulo the sheet's size plus one, so that a cell beside the table is
// reached too. number writes the value as a number cell when it reads as
// one. set is false when excelize refuses the value (too long a text): the
// workbook returned is then book's cells as they were.
func EditCell(tb testing.TB, book []byte, sheets []string, sheet, row, column uint8, value string, number bool) (edited []byte, set bool) {
	tb.Helper()
	edited = Edit(tb, book, func(x *excelize.File) {
		name := sheets[int(sheet)%len(sheets)]
		rows, err := x.GetRows(name)
		if err != nil {
			tb.Fatal(err)
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		cell, err := excelize.CoordinatesToCellName(int(column)%(width+1)+1, int(row)%(len(rows)+1)+1)
		if err != nil {
			tb.Fatal(err)
		}
		if v, perr := strconv.ParseFloat(value, 64); number && perr == nil {
			err = x.SetCellValue(name, cell, v)
		} else {
			err = x.SetCellStr(name, cell, value)
		}
		set = err == nil
	})
	return edited, set
}
