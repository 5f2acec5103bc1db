package workbook

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// textRole is how a line of a title block looks.
type textRole uint8

const (
	roleNone     textRole = iota
	roleTitle             // the sheet's title: large and bold
	roleSubtitle          // what the sheet is about: grey
	roleLabel             // the label of a field: bold
)

func (r textRole) apply(s *excelize.Style) {
	switch r {
	case roleTitle:
		s.Font.Size, s.Font.Bold, s.Font.Color = 14, true, "A1171E"
		s.Border = nil
		s.Alignment.WrapText = false
	case roleSubtitle:
		s.Font.Color = "5B6775"
		s.Border = nil
		s.Alignment.WrapText = false
	case roleLabel:
		s.Font.Bold = true
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4F6F8"}}
	}
}

// printSetup makes every sheet print on A4 landscape, one page wide and as
// many pages tall as needed, with "page n / N" and the workbook's title in
// the footer: officials print scorecards for meetings.
func (w *Workbook) printSetup(sheet string) error {
	size, orientation, wide, tall := 9, "landscape", 1, 0 // 9: A4
	if err := w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return fmt.Errorf("workbook: sheet %s: page set-up: %w", sheet, err)
	}
	fit := true
	if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("workbook: sheet %s: page set-up: %w", sheet, err)
	}
	footer := "&L&8" + strings.ReplaceAll(w.title, "&", "&&") + "&R&8Trang &P / &N"
	if err := w.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: footer}); err != nil {
		return fmt.Errorf("workbook: sheet %s: footer: %w", sheet, err)
	}
	return nil
}

// repeatRows prints rows 1..last of the sheet at the top of every page.
func (w *Workbook) repeatRows(sheet string, last int) error {
	ref := fmt.Sprintf("'%s'!$1:$%d", strings.ReplaceAll(sheet, "'", "''"), last)
	if err := w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: ref, Scope: sheet}); err != nil {
		return fmt.Errorf("workbook: sheet %s: print titles: %w", sheet, err)
	}
	return nil
}

// AddReportSheet adds a worksheet laid out as a report rather than one
// table: a title block (Title, Subtitle, Field), then one or more tables
// (Table, Append), charts and conditional formats. It has the same print
// set-up as every sheet.
func (w *Workbook) AddReportSheet(name string) (*Sheet, error) {
	s, err := w.AddSheet(name, nil)
	if err != nil {
		return nil, err
	}
	s.report = true
	return s, nil
}

// Title writes the sheet's title on the next row, across span columns.
func (s *Sheet) Title(text string, span int) error { return s.line(text, span, roleTitle) }

// Subtitle writes a grey line of context under the title, across span
// columns.
func (s *Sheet) Subtitle(text string, span int) error { return s.line(text, span, roleSubtitle) }

func (s *Sheet) line(text string, span int, role textRole) error {
	s.row++
	cell, _ := excelize.CoordinatesToCellName(1, s.row)
	if err := s.w.f.SetCellStr(s.name, cell, text); err != nil {
		return fmt.Errorf("workbook: sheet %s cell %s: %w", s.name, cell, err)
	}
	if span > 1 {
		end, _ := excelize.CoordinatesToCellName(span, s.row)
		if err := s.w.f.MergeCell(s.name, cell, end); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}
	st, err := s.w.style(styleKey{role: role})
	if err != nil {
		return err
	}
	if err := s.w.f.SetCellStyle(s.name, cell, cell, st); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	if role == roleTitle {
		return s.w.f.SetRowHeight(s.name, s.row, 24)
	}
	return nil
}

// Blank leaves an empty row.
func (s *Sheet) Blank() { s.row++ }

// Field writes a label in the first column and a value (as in Append) in
// the second, shown in format f, and returns the row.
func (s *Sheet) Field(label string, value any, f Format) (int, error) {
	saved := s.cols
	s.cols = []Column{{Format: Text}, {Format: f}}
	defer func() { s.cols = saved }()
	row, err := s.Append(false, label, value)
	if err != nil {
		return 0, err
	}
	st, err := s.w.style(styleKey{role: roleLabel})
	if err != nil {
		return 0, err
	}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	return row, s.w.f.SetCellStyle(s.name, cell, cell, st)
}

// TableOptions say how a table of a report sheet behaves.
type TableOptions struct {
	// Freeze keeps the rows above and the header visible while scrolling
	// and prints them at the top of every page. Only one table per sheet.
	Freeze bool
	// Filter puts an auto-filter on the table. Only one table per sheet.
	Filter bool
	// HeaderHeight is the header row's height in points; 0 means 30 (two
	// lines). Long titles in narrow columns need more.
	HeaderHeight float64
}

// Table starts a table on the next row: a styled header of the columns,
// whose widths widen (never narrow) the sheet's. Append then writes its
// rows. It returns the header's row.
func (s *Sheet) Table(cols []Column, opts TableOptions) (int, error) {
	header, err := s.w.style(styleKey{header: true})
	if err != nil {
		return 0, err
	}
	s.row++
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := c.Width
		if width <= 0 {
			width = 12
		}
		if old, err := s.w.f.GetColWidth(s.name, col); err == nil && old > width && s.row > 1 {
			width = old
		}
		if err := s.w.f.SetColWidth(s.name, col, col, width); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		cell := col + fmt.Sprint(s.row)
		if err := s.w.f.SetCellStr(s.name, cell, c.Title); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		if err := s.w.f.SetCellStyle(s.name, cell, cell, header); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}
	height := opts.HeaderHeight
	if height <= 0 {
		height = 30
	}
	if err := s.w.f.SetRowHeight(s.name, s.row, height); err != nil {
		return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	s.cols = cols
	if opts.Freeze {
		top, _ := excelize.CoordinatesToCellName(1, s.row+1)
		if err := s.w.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: s.row, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		if err := s.w.repeatRows(s.name, s.row); err != nil {
			return 0, err
		}
	}
	if opts.Filter {
		s.filterHeader, s.filterCols, s.filterLast = s.row, len(cols), s.row
	}
	return s.row, nil
}

// SetWidth sets the width of column col (0-based).
func (s *Sheet) SetWidth(col int, width float64) error {
	name := ColumnName(col)
	if err := s.w.f.SetColWidth(s.name, name, name, width); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	return nil
}

// Highlight gives the cell at row, col (0-based column) a bold look on a
// background colour (RRGGBB), keeping its number format: a band's colour.
func (s *Sheet) Highlight(row, col int, f Format, colour string) error {
	st, err := s.w.style(styleKey{format: f, fill: strings.TrimPrefix(colour, "#")})
	if err != nil {
		return err
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, row)
	if err := s.w.f.SetCellStyle(s.name, cell, cell, st); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	return nil
}

// Range is a block of cells of one sheet: a column (0-based) from row
// First to row Last.
type Range struct {
	Col, First, Last int
}

func (r Range) ref() string {
	a, _ := excelize.CoordinatesToCellName(r.Col+1, r.First)
	b, _ := excelize.CoordinatesToCellName(r.Col+1, max(r.Last, r.First))
	return a + ":" + b
}

func (s *Sheet) absolute(r Range) string {
	a, _ := excelize.CoordinatesToCellName(r.Col+1, r.First, true)
	b, _ := excelize.CoordinatesToCellName(r.Col+1, max(r.Last, r.First), true)
	if a == b {
		return "'" + strings.ReplaceAll(s.name, "'", "''") + "'!" + a
	}
	return "'" + strings.ReplaceAll(s.name, "'", "''") + "'!" + a + ":" + b
}

// ColourScale colours the cells of r from red (lowest) through yellow to
// green (highest), so weak scores stand out in a long list.
func (s *Sheet) ColourScale(r Range) error {
	if r.Last < r.First {
		return nil
	}
	err := s.w.f.SetConditionalFormat(s.name, r.ref(), []excelize.ConditionalFormatOptions{{
		Type: "3_color_scale", Criteria: "=",
		MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
		MinColor: "#F8696B", MidColor: "#FFEB84", MaxColor: "#63BE7B",
	}})
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: colour scale: %w", s.name, err)
	}
	return nil
}

// DataBars draws a bar in each cell of r proportional to its value.
func (s *Sheet) DataBars(r Range, colour string) error {
	if r.Last < r.First {
		return nil
	}
	err := s.w.f.SetConditionalFormat(s.name, r.ref(), []excelize.ConditionalFormatOptions{{
		Type: "data_bar", Criteria: "=", MinType: "num", MinValue: "0", MaxType: "num", MaxValue: "1", BarColor: colour, BarSolid: true,
	}})
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: data bars: %w", s.name, err)
	}
	return nil
}

// ChartKind is the kind of a native chart.
type ChartKind int

const (
	// Radar compares a profile (areas) against another (the peer average).
	Radar ChartKind = iota
	// Bar is horizontal bars, one per category.
	Bar
)

// Series is one data series of a chart: its values, and its name from the
// cell at row NameRow of the values' column (a table's header), else Name.
// LibreOffice ignores a literal name, Excel shows both.
type Series struct {
	Name    string
	NameRow int
	Values  Range
}

// Chart places a native Excel chart with its top-left corner at row (0-based
// column col) of the sheet: categories are the labels, each series a column
// of values of this sheet. Percent shows the value axis as percentages. A
// page break above the chart keeps it whole on one printed page.
func (s *Sheet) Chart(kind ChartKind, row, col int, title string, categories Range, series []Series, percent bool) error {
	breakAt, _ := excelize.CoordinatesToCellName(1, row)
	if err := s.w.f.InsertPageBreak(s.name, breakAt); err != nil {
		return fmt.Errorf("workbook: sheet %s: page break: %w", s.name, err)
	}
	c := &excelize.Chart{
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
		Dimension: excelize.ChartDimension{Width: 640, Height: 360},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
	}
	switch kind {
	case Radar:
		c.Type = excelize.Radar
	case Bar:
		c.Type = excelize.Bar
		c.Legend.Position = "none"
		c.XAxis.ReverseOrder = true // first category on top, as in the table
	}
	if percent {
		c.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "0%"}
	}
	colours := []string{"A1171E", "5B6775", "2E7D32", "1565C0"}
	for i, sr := range series {
		name := sr.Name
		if sr.NameRow > 0 {
			name = s.absolute(Range{Col: sr.Values.Col, First: sr.NameRow, Last: sr.NameRow})
		}
		cs := excelize.ChartSeries{Name: name, Categories: s.absolute(categories), Values: s.absolute(sr.Values)}
		colour := colours[i%len(colours)]
		cs.Line = excelize.LineOptions{Width: 2}
		cs.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
		cs.Marker = excelize.ChartMarker{Symbol: "circle", Size: 5}
		c.Series = append(c.Series, cs)
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, row)
	if err := s.w.f.AddChart(s.name, cell, c); err != nil {
		return fmt.Errorf("workbook: sheet %s: chart %q: %w", s.name, title, err)
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

// Row is the last row written.
func (s *Sheet) Row() int { return s.row }

// CutMarker ends a text cut to fit Excel's cell limit, so a reader sees
// that the cell does not hold the whole text.
const CutMarker = " …[đã cắt bớt / truncated]"

// FitCell returns text unchanged when Excel can hold it in one cell, else
// cut (on a character boundary) to the limit with CutMarker at the end,
// and whether it was cut.
func FitCell(text string) (string, bool) {
	if len(text) <= MaxCellText { // bytes ≥ UTF-16 units: the common case is cheap
		return text, false
	}
	units := utf16.Encode([]rune(text))
	if len(units) <= MaxCellText {
		return text, false
	}
	keep := MaxCellText - len(utf16.Encode([]rune(CutMarker)))
	if keep > 0 && utf16.IsSurrogate(rune(units[keep-1])) && units[keep-1] < 0xDC00 {
		keep-- // never split a surrogate pair
	}
	return string(utf16.Decode(units[:keep])) + CutMarker, true
}
