package workbook

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"parindex"
)

// Limits on an uploaded workbook: a few megabytes of .xlsx unpack to at
// most this much, which stops a zip bomb before it fills memory or disk.
// Every reader of uploaded workbooks opens them with these (tabular too).
const (
	MaxUnzipped = 64 << 20
	MaxXMLInRAM = 16 << 20
)

// Book is a workbook opened for reading.
type Book struct {
	File string // the name users know the file by, for messages
	f    *excelize.File
}

// Row is one non-blank row of a sheet: Number is the row number Excel
// shows, Cells the raw values (numbers as stored, not as displayed),
// surrounding spaces removed.
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

// Open reads an .xlsx workbook from r. A file that is not a workbook is
// reported as a parindex.InputErrors naming the file.
func Open(file string, r io.Reader) (*Book, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: MaxXMLInRAM})
	if err != nil {
		return nil, parindex.InputErrors{{File: file,
			VI: "không mở được tệp Excel (.xlsx): " + err.Error(),
			EN: "cannot open the Excel (.xlsx) file: " + err.Error()}}
	}
	return &Book{File: file, f: f}, nil
}

// Close releases the workbook.
func (b *Book) Close() error { return b.f.Close() }

// Sheets lists the sheet names in workbook order.
func (b *Book) Sheets() []string { return b.f.GetSheetList() }

// FindSheet returns the name of the first sheet whose name is one of the
// candidates, compared without case and surrounding spaces; "" if none.
func (b *Book) FindSheet(candidates ...string) string {
	for _, s := range b.Sheets() {
		for _, c := range candidates {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(c)) {
				return s
			}
		}
	}
	return ""
}

// Rows returns the non-blank rows of the sheet, the header included, with
// raw cell values.
func (b *Book) Rows(sheet string) ([]Row, error) {
	rows, err := b.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("workbook: unable to read sheet %s of %s: %w", sheet, b.File, err)
	}
	defer rows.Close()
	var out []Row
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("workbook: unable to read row %d of sheet %s of %s: %w", n, sheet, b.File, err)
		}
		blank := true
		for i := range cells {
			// Excel's _x0000_ escape gives a NUL, which PostgreSQL refuses
			// in text: a checked upload would then fail to store.
			cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "\x00", ""))
			if cells[i] != "" {
				blank = false
			}
		}
		if !blank {
			out = append(out, Row{Number: n, Cells: cells})
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("workbook: unable to read sheet %s of %s: %w", sheet, b.File, err)
	}
	return out, nil
}

// ColumnName returns Excel's letter for a 0-based column index (0 → A).
func ColumnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return "?"
	}
	return name
}
