// Package tabular reads the rows of a CSV or Excel (.xlsx) file into text
// cells with their row numbers, so that every importer of parindex (units,
// paper survey forms, metrics) reports problems by the row and column the
// user sees in their spreadsheet program.
//
// It may import excelize, workbook (for its limits on uploads) and the
// standard library; it knows nothing of what the columns mean and must
// never import store or web.
package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/workbook"
)

// Row is one data row: Number is the row number the user sees (the header
// is row 1), Cells the text of each column, padded to the header's width.
type Row struct {
	Number int
	Cells  []string
}

// Table is a file's header row and data rows; blank rows are skipped.
type Table struct {
	File   string
	Sheet  string // the sheet read, for .xlsx files
	Header []string
	Rows   []Row
}

// MaxRows bounds what one import may hold in memory.
const MaxRows = 1_000_000

// ReadFile reads path as CSV or XLSX according to its extension.
func ReadFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tabular: unable to open %s: %w", path, err)
	}
	defer f.Close()
	return Read(filepath.Base(path), f)
}

// Read reads a CSV or XLSX stream; name gives the format by its extension
// and appears in error messages.
func Read(name string, r io.Reader) (*Table, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return readCSV(name, r)
	case ".xlsx", ".xlsm":
		return readXLSX(name, r)
	default:
		return nil, parindex.InputErrors{{File: name,
			VI: "chỉ nhận tệp .csv hoặc .xlsx", EN: "only .csv and .xlsx files are accepted"}}
	}
}

func readCSV(name string, r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, 512<<20))
	if err != nil {
		return nil, fmt.Errorf("tabular: unable to read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel writes a BOM in "CSV UTF-8"
	if !utf8.Valid(data) {
		return nil, parindex.InputErrors{{File: name,
			VI: "tệp CSV phải dùng bảng mã UTF-8 (trong Excel: Lưu thành “CSV UTF-8”)",
			EN: "the CSV file is not UTF-8 (in Excel save as \"CSV UTF-8\")"}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	t := &Table{File: name}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			row := 0
			if errors.As(err, &pe) {
				row = pe.Line
			}
			return nil, parindex.InputErrors{{File: name, Row: row,
				VI: "dòng CSV không đọc được: " + err.Error(), EN: "malformed CSV: " + err.Error()}}
		}
		line, _ := cr.FieldPos(0)
		if err := t.add(line, rec); err != nil {
			return nil, err
		}
	}
	return t.finish()
}

// sniffDelimiter picks ';' when the header has more semicolons than commas:
// Excel in a Vietnamese locale writes CSV with semicolons.
func sniffDelimiter(data []byte) rune {
	header, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}

func readXLSX(name string, r io.Reader) (*Table, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: workbook.MaxUnzipped, UnzipXMLSizeLimit: workbook.MaxXMLInRAM})
	if err != nil {
		return nil, parindex.InputErrors{{File: name,
			VI: "không mở được tệp Excel: " + err.Error(), EN: "cannot open the Excel file: " + err.Error()}}
	}
	defer f.Close()
	sheet := f.GetSheetName(f.GetActiveSheetIndex())
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	// A sheet that cannot be read is a broken file, not a fault of ours:
	// the user hears where, as for any other problem in the file.
	broken := func(row int, err error) error {
		return parindex.InputErrors{{File: name, Sheet: sheet, Row: row,
			VI: "không đọc được sheet trong tệp Excel: " + err.Error(), EN: "cannot read the Excel sheet: " + err.Error()}}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, broken(0, err)
	}
	defer rows.Close()
	t := &Table{File: name, Sheet: sheet}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, broken(n, err)
		}
		if err := t.add(n, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, broken(0, err)
	}
	return t.finish()
}

func (t *Table) add(number int, cells []string) error {
	blank := true
	for i := range cells {
		// NUL never means anything in a cell, and PostgreSQL refuses it in
		// text: an import that passed every check would then fail to store.
		cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "\x00", ""))
		if cells[i] != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	if t.Header == nil {
		for i := range cells {
			cells[i] = strings.ToLower(cells[i])
		}
		t.Header = cells
		return nil
	}
	if len(t.Rows) >= MaxRows {
		return parindex.InputErrors{{File: t.File, Sheet: t.Sheet, Row: number,
			VI: fmt.Sprintf("tệp có quá %d dòng", MaxRows), EN: fmt.Sprintf("more than %d rows", MaxRows)}}
	}
	t.Rows = append(t.Rows, Row{Number: number, Cells: cells})
	return nil
}

func (t *Table) finish() (*Table, error) {
	if t.Header == nil {
		return nil, parindex.InputErrors{{File: t.File, Sheet: t.Sheet,
			VI: "tệp trống: không có dòng tiêu đề", EN: "the file is empty: no header row"}}
	}
	for i := range t.Rows {
		for len(t.Rows[i].Cells) < len(t.Header) {
			t.Rows[i].Cells = append(t.Rows[i].Cells, "")
		}
	}
	return t, nil
}

// Columns maps each wanted column name to its index in the header. Missing
// required columns and unknown columns are reported together.
func (t *Table) Columns(required, optional []string) (map[string]int, error) {
	idx := map[string]int{}
	for i, h := range t.Header {
		if h == "" {
			continue
		}
		if _, dup := idx[h]; dup {
			return nil, parindex.InputErrors{{File: t.File, Sheet: t.Sheet, Row: 1, Column: h,
				VI: fmt.Sprintf("cột %q xuất hiện hai lần", h), EN: fmt.Sprintf("column %q appears twice", h)}}
		}
		idx[h] = i
	}
	var errs parindex.InputErrors
	known := map[string]bool{}
	for _, c := range required {
		known[c] = true
		if _, ok := idx[c]; !ok {
			errs = append(errs, parindex.InputError{File: t.File, Sheet: t.Sheet, Row: 1, Column: c,
				VI: fmt.Sprintf("thiếu cột %q; dòng tiêu đề cần: %s", c, strings.Join(required, ", ")),
				EN: fmt.Sprintf("missing column %q; the header needs: %s", c, strings.Join(required, ", "))})
		}
	}
	for _, c := range optional {
		known[c] = true
	}
	for _, h := range t.Header {
		if h != "" && !known[h] {
			errs = append(errs, parindex.InputError{File: t.File, Sheet: t.Sheet, Row: 1, Column: h,
				VI: fmt.Sprintf("cột %q không được dùng; các cột hợp lệ: %s", h, strings.Join(append(required, optional...), ", ")),
				EN: fmt.Sprintf("unknown column %q", h)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return idx, nil
}

// Cell returns the row's cell in the named column, "" when the column is absent.
func (r Row) Cell(cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}
