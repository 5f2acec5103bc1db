// Package tabular reads the rows of a CSV or Excel (.xlsx) file into text
// cells with their row numbers, so that every importer of parindex (units,
// paper survey forms, metrics, the structured workbooks) reports problems
// by the row and column the user sees in their spreadsheet program.
//
// It is the one bounded reader of tables that people and other systems send
// us: rows are streamed, each row holds only the cells it has (never padded
// to the header's width), and every read is held to a set of Limits. A file
// past a limit is refused with an InputError that names where, never
// shortened in silence.
//
// It may import excelize and the standard library; it knows nothing of what
// the columns mean and must never import store or web.
package tabular

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"parindex"
)

// Row is one data row: Number is the row number the user sees (the header
// is row 1 when it is the first line), Cells the text of each column up to
// the row's last non-blank cell. A row may be shorter than the header: read
// cells with At or Cell, which give "" past the end.
type Row struct {
	Number int
	Cells  []string
	Width  int // the cells the file gave for the row, blank ones at its end included
}

// At returns the cell at index i (0-based), "" past the end.
func (r Row) At(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Cell returns the row's cell in the named column, "" when the column is absent.
func (r Row) Cell(cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok {
		return ""
	}
	return r.At(i)
}

// Head is what a reader knows before the first data row: the file, the
// sheet read (for .xlsx files) and the header row, lowercased.
type Head struct {
	File   string
	Sheet  string
	Header []string
}

// Table is a file's header row and its non-blank data rows, held in memory.
type Table struct {
	Head
	Rows []Row
}

// Reader streams the data rows of one table; blank rows are skipped.
type Reader struct {
	Head
	lim    Limits
	next   func() (number int, cells []string, err error) // io.EOF at the end
	close  func() error
	rows   int
	cells  int
	failed error
}

// Read reads a CSV or XLSX stream whole; name gives the format by its
// extension and appears in error messages.
func Read(name string, src io.Reader, lim Limits) (*Table, error) {
	r, err := Open(name, src, lim)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadAll()
}

// OpenFile opens path as CSV or XLSX according to its extension and reads
// its header row. The caller closes the reader.
func OpenFile(path string, lim Limits) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, parindex.InputErrors{{File: path,
			VI: "không mở được tệp: " + err.Error(), EN: "cannot open the file: " + err.Error()}}
	}
	r, err := Open(filepath.Base(path), f, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	inner := r.close
	r.close = func() error { return errors.Join(inner(), f.Close()) }
	return r, nil
}

// Open reads a CSV or XLSX stream up to and including its header row: the
// first non-blank row of the file (of the active sheet of a workbook). The
// caller reads the data rows with Next and closes the reader.
func Open(name string, src io.Reader, lim Limits) (*Reader, error) {
	var r *Reader
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		r, err = openCSV(name, src, lim)
	case ".xlsx", ".xlsm":
		var x *XLSX
		if x, err = OpenXLSX(name, src, lim); err == nil {
			if r, err = x.Sheet(x.ActiveSheet(), false); err != nil {
				x.Close()
			} else {
				rows := r.close
				r.close = func() error { return errors.Join(rows(), x.Close()) }
			}
		}
	default:
		return nil, parindex.InputErrors{{File: name,
			VI: "chỉ nhận tệp .csv hoặc .xlsx", EN: "only .csv and .xlsx files are accepted"}}
	}
	if err != nil {
		return nil, err
	}
	if err := r.readHeader(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) readHeader() error {
	row, err := r.nextRow()
	if errors.Is(err, io.EOF) {
		return parindex.InputErrors{{File: r.File, Sheet: r.Sheet,
			VI: "tệp trống: không có dòng tiêu đề", EN: "the file is empty: no header row"}}
	}
	if err != nil {
		return err
	}
	for i := range row.Cells {
		row.Cells[i] = strings.ToLower(row.Cells[i])
	}
	// The header keeps the blank names at its end: they are part of what
	// TableHash has always hashed.
	for len(row.Cells) < min(row.Width, r.lim.Columns) {
		row.Cells = append(row.Cells, "")
	}
	r.Header = row.Cells
	return nil
}

// Next returns the next non-blank data row, or io.EOF after the last. Any
// other error is final: the file is refused.
func (r *Reader) Next() (Row, error) {
	if r.failed != nil {
		return Row{}, r.failed
	}
	row, err := r.nextRow()
	if err == nil {
		r.rows++
		r.cells += len(row.Cells)
		switch {
		case r.rows > r.lim.Rows:
			err = r.problem(row.Number, "",
				fmt.Sprintf("tệp có quá %d dòng dữ liệu (giới hạn của hệ thống); hãy chia thành nhiều tệp", r.lim.Rows),
				fmt.Sprintf("the file has more than %d data rows (the limit); split it into several files", r.lim.Rows))
		case r.cells > r.lim.Cells:
			err = r.problem(row.Number, "",
				fmt.Sprintf("tệp có quá %d ô (kể cả ô trống giữa các ô có dữ liệu; giới hạn của hệ thống); hãy chia thành nhiều tệp", r.lim.Cells),
				fmt.Sprintf("the file has more than %d cells (blank ones between filled ones included; the limit); split it into several files", r.lim.Cells))
		}
	}
	if err != nil {
		r.failed = err
		return Row{}, err
	}
	return row, nil
}

// nextRow reads records until a non-blank one and checks it against the
// limits.
func (r *Reader) nextRow() (Row, error) {
	for {
		number, cells, err := r.next()
		if err != nil {
			return Row{}, err
		}
		// The width is checked before any cell is looked at: a row that
		// reaches column XFD is refused without touching its 16,384 cells.
		width := len(cells)
		last := width
		if last > r.lim.Columns {
			for last > r.lim.Columns && strings.TrimSpace(cells[last-1]) == "" {
				last--
			}
			if last > r.lim.Columns {
				return Row{}, r.problem(number, columnName(last-1),
					fmt.Sprintf("dòng có ô ở cột %s, vượt quá %d cột cho phép", columnName(last-1), r.lim.Columns),
					fmt.Sprintf("the row has a cell in column %s, beyond the %d columns allowed", columnName(last-1), r.lim.Columns))
			}
		}
		cells = cells[:last]
		for i, c := range cells {
			if len(c) > r.lim.Cell {
				return Row{}, r.problem(number, columnName(i),
					fmt.Sprintf("ô %s%d dài %d byte, vượt quá giới hạn %d", columnName(i), number, len(c), r.lim.Cell),
					fmt.Sprintf("cell %s%d holds %d bytes, more than the limit of %d", columnName(i), number, len(c), r.lim.Cell))
			}
			if !utf8.ValidString(c) {
				return Row{}, r.problem(number, columnName(i),
					"ô "+columnName(i)+fmt.Sprint(number)+" có ký tự không đúng bảng mã UTF-8 (trong Excel: Lưu thành “CSV UTF-8”)",
					"cell "+columnName(i)+fmt.Sprint(number)+" is not UTF-8 (in Excel save as \"CSV UTF-8\")")
			}
			// NUL never means anything in a cell, and PostgreSQL refuses it
			// in text: an import that passed every check would then fail
			// to store. (Excel's _x0000_ escape gives a NUL.)
			cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\x00", ""))
		}
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) == 0 {
			continue
		}
		if cap(cells) > 2*len(cells)+8 {
			// A row cut down from a long record must not keep the record's
			// cells alive.
			cells = slices.Clone(cells)
		}
		return Row{Number: number, Cells: cells, Width: width}, nil
	}
}

func (r *Reader) problem(row int, column, vi, en string) error {
	return parindex.InputErrors{{File: r.File, Sheet: r.Sheet, Row: row, Column: column, VI: vi, EN: en}}
}

// ReadAll reads the remaining rows into a Table.
func (r *Reader) ReadAll() (*Table, error) {
	t := &Table{Head: r.Head}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.Rows = append(t.Rows, row)
	}
}

// Table reads the remaining rows into a Table once the header has the
// required columns and no unknown ones (Head.Columns), and returns the
// columns' places too: a file with the wrong header is refused before a
// single data row is read.
func (r *Reader) Table(required, optional []string) (*Table, map[string]int, error) {
	cols, err := r.Columns(required, optional)
	if err != nil {
		return nil, nil, err
	}
	t, err := r.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	return t, cols, nil
}

// Close releases the file.
func (r *Reader) Close() error {
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// Columns maps each wanted column name to its index in the header. Missing
// required columns and unknown columns are reported together.
func (h Head) Columns(required, optional []string) (map[string]int, error) {
	idx := map[string]int{}
	for i, name := range h.Header {
		if name == "" {
			continue
		}
		if _, dup := idx[name]; dup {
			return nil, parindex.InputErrors{{File: h.File, Sheet: h.Sheet, Row: 1, Column: name,
				VI: fmt.Sprintf("cột %q xuất hiện hai lần", name), EN: fmt.Sprintf("column %q appears twice", name)}}
		}
		idx[name] = i
	}
	var errs parindex.InputErrors
	known := map[string]bool{}
	for _, c := range required {
		known[c] = true
		if _, ok := idx[c]; !ok {
			errs = append(errs, parindex.InputError{File: h.File, Sheet: h.Sheet, Row: 1, Column: c,
				VI: fmt.Sprintf("thiếu cột %q; dòng tiêu đề cần: %s", c, strings.Join(required, ", ")),
				EN: fmt.Sprintf("missing column %q; the header needs: %s", c, strings.Join(required, ", "))})
		}
	}
	for _, c := range optional {
		known[c] = true
	}
	for _, name := range h.Header {
		if name != "" && !known[name] {
			errs = append(errs, parindex.InputError{File: h.File, Sheet: h.Sheet, Row: 1, Column: name,
				VI: fmt.Sprintf("cột %q không được dùng; các cột hợp lệ: %s", name, strings.Join(append(required, optional...), ", ")),
				EN: fmt.Sprintf("unknown column %q", name)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return idx, nil
}

// columnName returns Excel's letters for a 0-based column index (0 → A).
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
