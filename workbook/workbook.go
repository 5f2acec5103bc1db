package workbook

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Format is how a column's cells are shown and what a person typing into
// them gets.
type Format int

const (
	// Text is wrapped text.
	Text Format = iota
	// Code is text that must stay text: Excel would turn a criterion code
	// typed as 1.10 into the number 1.1, so these cells use the text format.
	Code
	// Integer shows whole numbers with thousands separators.
	Integer
	// Number shows a number with as many decimals as it has (points such
	// as 2.5 or 0.25, thresholds such as 0.98).
	Number
	// Points2 shows two decimals, as published indices are.
	Points2
	// Percent shows a share in [0, 1] as a percentage with two decimals.
	Percent
	// Date shows a date as dd/mm/yyyy.
	Date
	// Note is informational text (computed values, hints): grey italics,
	// ignored when the workbook is read back.
	Note
	// NoteNumber is a computed number, shown like Note.
	NoteNumber
)

// Column describes one column of a sheet.
type Column struct {
	Title  string  // header text
	Width  float64 // in Excel character units; 0 means 12
	Format Format
}

// MaxCellText is the most characters (UTF-16 units) Excel keeps in a cell.
const MaxCellText = excelize.TotalCellChars

// Workbook is a workbook being written.
type Workbook struct {
	f      *excelize.File
	styles map[styleKey]int
	names  []string
}

type styleKey struct {
	format   Format
	header   bool
	emphasis bool
}

// New starts an empty workbook. Title is written into the document
// properties.
func New(title string) *Workbook {
	f := excelize.NewFile()
	_ = f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "parindex", Language: "vi-VN"})
	return &Workbook{f: f, styles: map[styleKey]int{}}
}

// style returns the style for the key, creating it on first use.
func (w *Workbook) style(k styleKey) (int, error) {
	if id, ok := w.styles[k]; ok {
		return id, nil
	}
	s := &excelize.Style{
		Font:      &excelize.Font{Family: "Arial", Size: 10},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Border: []excelize.Border{
			{Type: "left", Color: "D9DEE4", Style: 1}, {Type: "right", Color: "D9DEE4", Style: 1},
			{Type: "top", Color: "D9DEE4", Style: 1}, {Type: "bottom", Color: "D9DEE4", Style: 1},
		},
	}
	// Format codes are stored in Excel's invariant notation; Excel shows
	// them with the separators of the reader's locale.
	custom := func(code string) { s.CustomNumFmt = &code }
	switch k.format {
	case Code:
		s.NumFmt = 49 // "@": text
	case Integer:
		s.NumFmt = 3 // "#,##0"
	case Number, NoteNumber:
		s.NumFmt = 0 // General: as many decimals as the value has
	case Points2:
		s.NumFmt = 4 // "#,##0.00"
	case Percent:
		s.NumFmt = 10 // "0.00%"
	case Date:
		custom("dd/mm/yyyy")
	}
	if k.format == Integer || k.format == Number || k.format == Points2 || k.format == Percent || k.format == NoteNumber {
		s.Alignment.Horizontal = "right"
	}
	if k.format == Note || k.format == NoteNumber {
		s.Font.Italic, s.Font.Color = true, "5B6775"
	}
	if k.emphasis {
		s.Font.Bold = true
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4F6F8"}}
	}
	if k.header {
		s.Font = &excelize.Font{Family: "Arial", Size: 10, Bold: true, Color: "FFFFFF"}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"A1171E"}}
		s.Alignment = &excelize.Alignment{Vertical: "center", Horizontal: "center", WrapText: true}
		s.NumFmt, s.CustomNumFmt = 49, nil
	}
	id, err := w.f.NewStyle(s)
	if err != nil {
		return 0, fmt.Errorf("workbook: unable to create a style: %w", err)
	}
	w.styles[k] = id
	return id, nil
}

// Sheet is one worksheet being written, row after row.
type Sheet struct {
	w    *Workbook
	name string
	cols []Column
	row  int // last row written
}

// AddSheet adds a worksheet named name (made safe and unique, see
// SafeSheetName) with a styled header row of the columns, frozen so that
// it stays visible while scrolling, column widths and an auto-filter.
func (w *Workbook) AddSheet(name string, cols []Column) (*Sheet, error) {
	name = w.uniqueName(SafeSheetName(name))
	if len(w.names) == 0 {
		// A new file has one sheet already: rename it rather than leave
		// an empty "Sheet1" behind.
		if err := w.f.SetSheetName(w.f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("workbook: unable to name sheet %q: %w", name, err)
		}
	} else if _, err := w.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("workbook: unable to add sheet %q: %w", name, err)
	}
	w.names = append(w.names, name)
	s := &Sheet{w: w, name: name, cols: cols}
	if len(cols) == 0 {
		return s, nil
	}
	header, err := w.style(styleKey{header: true})
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := c.Width
		if width <= 0 {
			width = 12
		}
		if err := w.f.SetColWidth(name, col, col, width); err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
		// The column's style also applies to cells people add later, so
		// a code typed into a new row stays text.
		st, err := w.style(styleKey{format: c.Format})
		if err != nil {
			return nil, err
		}
		if err := w.f.SetColStyle(name, col, st); err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
		cell := col + "1"
		if err := w.f.SetCellStr(name, cell, c.Title); err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
		if err := w.f.SetCellStyle(name, cell, cell, header); err != nil {
			return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
	}
	if err := w.f.SetRowHeight(name, 1, 30); err != nil {
		return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	if err := w.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	s.row = 1
	return s, nil
}

func (w *Workbook) uniqueName(name string) string {
	taken := func(n string) bool {
		for _, t := range w.names {
			if strings.EqualFold(t, n) {
				return true
			}
		}
		return false
	}
	base := []rune(name)
	for i := 2; taken(name); i++ {
		suffix := []rune(fmt.Sprintf(" (%d)", i))
		keep := min(len(base), MaxSheetName-len(suffix))
		name = string(base[:keep]) + string(suffix)
	}
	return name
}

// Name is the sheet's name as written (after SafeSheetName).
func (s *Sheet) Name() string { return s.name }

// Append writes the next row. Each value goes in the column at the same
// position: a string, a float64, an int, a bool, a *float64 or nil (an
// empty cell). Emphasised rows (areas, totals) are bold on a light fill.
// It returns the row number.
func (s *Sheet) Append(emphasis bool, values ...any) (int, error) {
	s.row++
	name := s.name
	for i, v := range values {
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			return 0, err
		}
		if p, ok := v.(*float64); ok {
			v = nil
			if p != nil {
				v = *p
			}
		}
		switch x := v.(type) {
		case nil:
		case string:
			if n := len(utf16.Encode([]rune(x))); n > MaxCellText {
				return 0, fmt.Errorf("workbook: sheet %s cell %s: text of %d characters is longer than Excel's %d", name, cell, n, MaxCellText)
			}
			err = s.w.f.SetCellStr(name, cell, x)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, fmt.Errorf("workbook: sheet %s cell %s: %v is not a number Excel can hold", name, cell, x)
			}
			// With precision -1 excelize keeps 15 significant digits, as
			// Excel does; give the decimals of the shortest exact form so
			// that reading the file back returns the very same number.
			decimals := 0
			if _, frac, ok := strings.Cut(strconv.FormatFloat(x, 'f', -1, 64), "."); ok {
				decimals = len(frac)
			}
			err = s.w.f.SetCellFloat(name, cell, x, decimals, 64)
		case int:
			err = s.w.f.SetCellInt(name, cell, int64(x))
		case bool:
			err = s.w.f.SetCellBool(name, cell, x)
		default:
			return 0, fmt.Errorf("workbook: sheet %s cell %s: unsupported value %T", name, cell, v)
		}
		if err != nil {
			return 0, fmt.Errorf("workbook: sheet %s cell %s: %w", name, cell, err)
		}
	}
	if emphasis {
		for i, c := range s.cols {
			st, err := s.w.style(styleKey{format: c.Format, emphasis: true})
			if err != nil {
				return 0, err
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, s.row)
			if err := s.w.f.SetCellStyle(name, cell, cell, st); err != nil {
				return 0, fmt.Errorf("workbook: sheet %s: %w", name, err)
			}
		}
	}
	return s.row, nil
}

// Finish adds the auto-filter over the header and the rows written. Call
// it after the last Append.
func (s *Sheet) Finish() error {
	if len(s.cols) == 0 {
		return nil
	}
	last, _ := excelize.CoordinatesToCellName(len(s.cols), max(s.row, 2))
	if err := s.w.f.AutoFilter(s.name, "A1:"+last, nil); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	return nil
}

// DropList offers the values as a drop-down list in column col (0-based)
// of the rows below the header, down to row lastRow, and refuses other
// values typed there. help explains the choice (Vietnamese first).
func (s *Sheet) DropList(col int, values []string, lastRow int, help string) error {
	dv := excelize.NewDataValidation(true)
	first, _ := excelize.CoordinatesToCellName(col+1, 2)
	last, _ := excelize.CoordinatesToCellName(col+1, max(lastRow, 2))
	dv.SetSqref(first + ":" + last)
	if err := dv.SetDropList(values); err != nil {
		return fmt.Errorf("workbook: sheet %s: drop-down list: %w", s.name, err)
	}
	if help != "" {
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", help)
	}
	if err := s.w.f.AddDataValidation(s.name, dv); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	return nil
}

// Write writes the workbook as .xlsx, the first sheet active.
func (w *Workbook) Write(out io.Writer) error {
	w.f.SetActiveSheet(0)
	if _, err := w.f.WriteTo(out); err != nil {
		return fmt.Errorf("workbook: unable to write: %w", err)
	}
	return nil
}

// Bytes returns the workbook as .xlsx.
func (w *Workbook) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Close releases the workbook's resources.
func (w *Workbook) Close() error { return w.f.Close() }
