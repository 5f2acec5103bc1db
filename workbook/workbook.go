package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
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
	// DateTime shows a time as dd/mm/yyyy hh:mm; give it the wall time of
	// the zone people read (parindex.Clock), which Excel cannot convert.
	DateTime
)

// Column describes one column of a sheet.
type Column struct {
	Title string // header text
	// Width is in Excel character units; 0 sizes the column from its
	// content when the workbook is written, up to MaxWidth (0: 60 for
	// text, 30 for anything else), its longer texts wrapped.
	Width    float64
	MaxWidth float64
	Format   Format
	// Key marks the columns that identify a row (code, name); the leading
	// ones are repeated on each strip of a sheet too wide for a page.
	Key bool
}

// MaxCellText is the most characters (UTF-16 units) Excel keeps in a cell.
const MaxCellText = excelize.TotalCellChars

// Workbook is a workbook being written.
type Workbook struct {
	f      *excelize.File
	styles map[styleKey]int
	names  []string
	title  string
	// streamed is set once a sheet is written by a stream writer: reading
	// any sheet's XML back (as SetActiveSheet does) would then load the
	// whole streamed sheet into memory.
	streamed bool
	// streamRows are the data rows of the streamed sheets, by part name,
	// spliced into their parts by Write.
	streamRows map[string]*sheetRows
	// Footer is printed at the bottom left of every page (the page number
	// at the right); New sets it to the title.
	footer       string
	sheets       []*Sheet
	fonts        map[int]cellFont
	headerStyles map[int]bool
	laidOut      bool
}

// SetFooter sets the text printed at the bottom left of every page of the
// sheets added afterwards, e.g. the unit and the year; "Trang x / y" is
// printed at the right.
func (w *Workbook) SetFooter(text string) { w.footer = text }

type styleKey struct {
	format   Format
	header   bool
	emphasis bool
	fill     string   // a background colour (RRGGBB), e.g. a band's
	role     textRole // title-block text
}

// New starts an empty workbook. Title is written into the document
// properties.
func New(title string) *Workbook {
	f := excelize.NewFile()
	// The default font is Arial 10, as every cell's: column widths are
	// counted in its digits, and LibreOffice replaces a Calibri it does not
	// have by a wider font, which would widen every column.
	_ = f.SetDefaultFont("Arial")
	if f.Styles != nil && len(f.Styles.Fonts.Font) > 0 && f.Styles.Fonts.Font[0].Sz != nil {
		ten := 10.0
		f.Styles.Fonts.Font[0].Sz.Val = &ten
	}
	_ = f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "parindex", Language: "vi-VN"})
	return &Workbook{f: f, styles: map[styleKey]int{}, title: title, footer: title, fonts: map[int]cellFont{}, headerStyles: map[int]bool{}}
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
	case DateTime:
		custom("dd/mm/yyyy hh:mm")
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
	if k.fill != "" {
		s.Font.Bold = true
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{k.fill}}
	}
	k.role.apply(s)
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
	w.headerStyles[id] = k.header
	return id, nil
}

// Sheet is one worksheet being written, row after row.
type Sheet struct {
	w    *Workbook
	name string
	cols []Column
	row  int // last row written
	// A report sheet (AddReportSheet) styles each cell it writes, since
	// its columns hold different things in different tables.
	report bool
	// The auto-filtered table, if any: its header row, its width and its
	// last row.
	filterHeader, filterCols, filterLast int
	// What the layout pass needs (layout.go): the columns sized from their
	// content, the columns repeated on each strip of a sheet too wide for
	// a page, the rows repeated at the top of every page, rows' minimum
	// heights, the charts to place.
	auto    map[int]Column
	widths  map[int]float64 // set by Table
	keyCols int
	// Rows titleFirst..titleRows print at the top of every page (none
	// when titleRows is 0; titleFirst 0 means 1).
	titleFirst, titleRows int
	minHeight             map[int]float64
	charts                []chartSpec
	streamed              bool
	// Fields' spans (FieldSpans).
	labelSpan, valueSpan, noteSpan int
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
	s := &Sheet{w: w, name: name, cols: cols, auto: map[int]Column{}, widths: map[int]float64{}, minHeight: map[int]float64{}}
	w.sheets = append(w.sheets, s)
	if err := w.printSetup(name); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return s, nil
	}
	s.filterHeader, s.filterCols, s.filterLast = 1, len(cols), 1
	header, err := w.style(styleKey{header: true})
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := c.Width
		if width <= 0 {
			width = 12
			s.auto[i] = c
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
	if err := w.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	s.row = 1
	s.titleRows = 1
	return s, nil
}

// KeyColumns names the first n columns as the ones that identify a row
// (code, name): a sheet too wide for a page prints in strips that each
// repeat them.
func (s *Sheet) KeyColumns(n int) { s.keyCols = n }

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
	if s.filterCols > 0 && s.filterLast == s.row-1 {
		s.filterLast = s.row
	}
	if emphasis || s.report {
		for i, c := range s.cols {
			st, err := s.w.style(styleKey{format: c.Format, emphasis: emphasis})
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
	if s.filterCols == 0 {
		return nil
	}
	first, _ := excelize.CoordinatesToCellName(1, s.filterHeader)
	last, _ := excelize.CoordinatesToCellName(s.filterCols, max(s.filterLast, s.filterHeader+1))
	if err := s.w.f.AutoFilter(s.name, first+":"+last, nil); err != nil {
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

// Write writes the workbook as .xlsx, the first sheet active. The zip is
// written straight to out as it is built (excelize's WriteTo would first
// build the whole file in a buffer), so a large export is not held in
// memory a second time on its way to a client.
func (w *Workbook) Write(out io.Writer) error {
	if !w.laidOut {
		w.laidOut = true
		for _, s := range w.sheets {
			if s.streamed {
				continue
			}
			if err := w.layout(s); err != nil {
				return err
			}
		}
	}
	if !w.streamed {
		w.f.SetActiveSheet(0)
	}
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(out)
		if w.streamed {
			// A streamed sheet is hundreds of megabytes of XML: the fastest
			// deflate level halves the compression time for a file a little
			// larger.
			zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
				return flate.NewWriter(out, flate.BestSpeed)
			})
		}
		if len(w.streamRows) == 0 {
			return zw
		}
		return &splicingZip{Writer: zw, rows: w.streamRows}
	})
	if _, err := w.f.WriteToBuffer(); err != nil {
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

// Close releases the workbook's resources, the temporary files of
// streamed rows among them.
func (w *Workbook) Close() error {
	err := w.f.Close()
	for _, r := range w.streamRows {
		if closeErr := r.close(); err == nil {
			err = closeErr
		}
	}
	w.streamRows = nil
	return err
}
