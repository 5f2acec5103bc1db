package workbook

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/tabular"
)

// Book is a workbook of parindex's own layout (criteria frameworks,
// self-assessments) opened for reading through tabular's bounded reader,
// under tabular.Structured.
type Book struct {
	*tabular.XLSX
}

// KeyedColumn is a column of a workbook of parindex's own layout that
// people fill in and the program reads back (criteria frameworks,
// self-assessments): the key it holds, as the file format names it, and its
// title. Its header ends with the key in parentheses, so that reading finds
// the key whatever language the header is in (HeaderKey). Since 2026-12-07
// one type for both layouts (issue 24).
type KeyedColumn struct {
	Key    string
	Title  string
	Width  float64
	Format Format
}

// Header is the column's header: the title, then the key in parentheses.
func (c KeyedColumn) Header() string { return c.Title + " (" + c.Key + ")" }

// KeyedColumns are the columns of a sheet for AddSheet, headed by Header.
func KeyedColumns(cols []KeyedColumn) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Title: c.Header(), Width: c.Width, Format: c.Format}
	}
	return out
}

// HeaderKey extracts the key from a header: the text in the last
// parentheses ("Điểm tối đa (max)" → "max"), else the whole header,
// lowercased.
func HeaderKey(h string) string {
	h = strings.TrimSpace(h)
	if strings.HasSuffix(h, ")") {
		if i := strings.LastIndex(h, "("); i >= 0 {
			h = h[i+1 : len(h)-1]
		}
	}
	return strings.ToLower(strings.TrimSpace(h))
}

// Row is one non-blank row of a sheet: Number is the row number Excel
// shows, Cells the raw values (numbers as stored, not as displayed) up to
// the last non-blank cell, surrounding spaces removed.
type Row struct {
	Number int
	Cells  []string
}

// Cell returns the cell at index i (0-based), "" past the end.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Open reads an .xlsx workbook from r. A file that is not a workbook, or
// breaks a limit, is reported as a parindex.InputErrors naming the file.
func Open(file string, r io.Reader) (*Book, error) {
	x, err := tabular.OpenXLSX(file, r, tabular.Structured)
	if err != nil {
		return nil, err
	}
	return &Book{x}, nil
}

// Rows returns the non-blank rows of the sheet, the header included, with
// raw cell values, under tabular.Structured. Problems, a limit passed among
// them, are parindex.InputErrors naming the sheet, row and column.
func (b *Book) Rows(sheet string) ([]Row, error) {
	return b.RowsWithin(sheet, tabular.Structured)
}

// RowsWithin is Rows under tighter limits, for a small sheet of a fixed
// layout (a hidden sheet of ids) read before anything else: a crafted sheet
// is refused at its first row past the limits, not read whole.
func (b *Book) RowsWithin(sheet string, lim tabular.Limits) ([]Row, error) {
	rd, err := b.SheetWithin(sheet, true, lim)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out []Row
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Row{Number: r.Number, Cells: r.Cells})
	}
}

// Problems is what a reader of a sheet reports for err: the located
// problems of a refused sheet as they are, any other failure as a problem
// of the sheet.
func (b *Book) Problems(sheet string, err error) parindex.InputErrors {
	var ie parindex.InputErrors
	if errors.As(err, &ie) {
		return ie
	}
	return parindex.InputErrors{{File: b.File, Sheet: sheet,
		VI: "không đọc được sheet: " + err.Error(), EN: "cannot read the sheet: " + err.Error()}}
}

// ColumnName returns Excel's letter for a 0-based column index (0 → A).
func ColumnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return "?"
	}
	return name
}
