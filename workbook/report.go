package workbook

import (
	"fmt"
	"math"
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
	case roleSubtitle:
		s.Font.Color = "5B6775"
		s.Border = nil
	case roleLabel:
		s.Font.Bold = true
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4F6F8"}}
	}
}

// printSetup gives every sheet A4 with margins that leave room for the
// footer: the workbook's footer text at the left and "Trang x / y" at the
// right, at 10 pt: LibreOffice scales it with the sheet, down to 8 pt at
// MinPrintScale. Orientation and scale are planned when the workbook is
// written (planPrint), from the widths of the columns.
func (w *Workbook) printSetup(sheet string) error {
	size, orientation := 9, "portrait" // 9: A4
	if err := w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation}); err != nil {
		return fmt.Errorf("workbook: sheet %s: page set-up: %w", sheet, err)
	}
	lr, top, bottom, hf := 0.5, 0.5, 0.7, 0.3
	if err := w.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &lr, Right: &lr, Top: &top, Bottom: &bottom, Header: &hf, Footer: &hf}); err != nil {
		return fmt.Errorf("workbook: sheet %s: margins: %w", sheet, err)
	}
	footer := "&L&\"Arial\"&10" + strings.ReplaceAll(w.footer, "&", "&&") + "&R&\"Arial\"&10Trang &P / &N"
	no := false
	if err := w.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: footer, ScaleWithDoc: &no}); err != nil {
		return fmt.Errorf("workbook: sheet %s: footer: %w", sheet, err)
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
	return nil
}

// Blank leaves an empty row.
func (s *Sheet) Blank() { s.row++ }

// Field writes a label in the first column and a value (as in Append) in
// the second, shown in format f, and returns the row. After FieldSpans the
// label and the value each span several merged columns.
func (s *Sheet) Field(label string, value any, f Format) (int, error) {
	return s.field(label, value, f, "")
}

// FieldNote is a Field with a grey note beside its value (after
// FieldSpans with a note span): the context of a figure, such as the
// number of units a rank is out of.
func (s *Sheet) FieldNote(label string, value any, f Format, note string) (int, error) {
	return s.field(label, value, f, note)
}

func (s *Sheet) field(label string, value any, f Format, note string) (int, error) {
	saved := s.cols
	defer func() { s.cols = saved }()
	labelSpan, valueSpan, noteSpan := max(s.labelSpan, 1), max(s.valueSpan, 1), s.noteSpan
	if note == "" || noteSpan == 0 {
		valueSpan, noteSpan = valueSpan+noteSpan, 0
	}
	s.cols = make([]Column, labelSpan+valueSpan+noteSpan)
	for i := labelSpan; i < labelSpan+valueSpan; i++ {
		s.cols[i].Format = f
	}
	for i := labelSpan + valueSpan; i < len(s.cols); i++ {
		s.cols[i].Format = Note
	}
	values := make([]any, len(s.cols))
	values[0], values[labelSpan] = label, value
	if noteSpan > 0 {
		values[labelSpan+valueSpan] = note
	}
	row, err := s.Append(false, values...)
	if err != nil {
		return 0, err
	}
	st, err := s.w.style(styleKey{role: roleLabel})
	if err != nil {
		return 0, err
	}
	cell, _ := excelize.CoordinatesToCellName(1, row)
	end, _ := excelize.CoordinatesToCellName(labelSpan, row)
	if err := s.w.f.SetCellStyle(s.name, cell, end, st); err != nil {
		return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	for _, sp := range [][2]int{{1, labelSpan}, {labelSpan + 1, labelSpan + valueSpan}, {labelSpan + valueSpan + 1, len(s.cols)}} {
		if sp[1] <= sp[0] {
			continue
		}
		first, _ := excelize.CoordinatesToCellName(sp[0], row)
		last, _ := excelize.CoordinatesToCellName(sp[1], row)
		if err := s.w.f.MergeCell(s.name, first, last); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}
	return row, nil
}

// FieldSpans makes the following Fields span label columns for the label
// and value columns for the value, and FieldNote's note the next note
// columns (a Field without a note gives them to its value): a block of
// fields above a table then does not dictate the width of the table's
// first columns.
func (s *Sheet) FieldSpans(label, value, note int) {
	s.labelSpan, s.valueSpan, s.noteSpan = label, value, note
}

// TableOptions say how a table of a report sheet behaves.
type TableOptions struct {
	// Freeze keeps the rows above and the header visible while scrolling
	// and prints them at the top of every page. Only one table per sheet.
	Freeze bool
	// Filter puts an auto-filter on the table. Only one table per sheet.
	Filter bool
	// HeaderHeight is the least height of the header row in points; the
	// layout gives it what its titles need.
	HeaderHeight float64
	// KeyColumns are the first columns that identify a row (code, name),
	// repeated on each strip when the sheet is too wide for a page.
	KeyColumns int
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
			// Sized from the content by the layout, as wide as the widest
			// of the sheet's tables need.
			if old, ok := s.auto[i]; !ok || old.MaxWidth < c.MaxWidth && old.MaxWidth > 0 {
				s.auto[i] = c
			}
		} else {
			if old := s.widths[i]; old > width {
				width = old
			}
			s.widths[i] = width
			delete(s.auto, i)
			if err := s.w.f.SetColWidth(s.name, col, col, width); err != nil {
				return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
			}
		}
		cell := col + fmt.Sprint(s.row)
		if err := s.w.f.SetCellStr(s.name, cell, c.Title); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		if err := s.w.f.SetCellStyle(s.name, cell, cell, header); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}
	s.minHeight[s.row] = opts.HeaderHeight
	if opts.KeyColumns > 0 {
		s.keyCols = opts.KeyColumns
	}
	s.cols = cols
	if opts.Freeze {
		top, _ := excelize.CoordinatesToCellName(1, s.row+1)
		if err := s.w.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: s.row, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
			return 0, fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
		s.titleFirst, s.titleRows = s.row, s.row
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
// First to row Last, of the sheet named Sheet (a chart may read another
// sheet's table) or else of the sheet it is used on.
type Range struct {
	Col, First, Last int
	Sheet            string
}

func (r Range) ref() string {
	a, _ := excelize.CoordinatesToCellName(r.Col+1, r.First)
	b, _ := excelize.CoordinatesToCellName(r.Col+1, max(r.Last, r.First))
	return a + ":" + b
}

func (s *Sheet) absolute(r Range) string {
	a, _ := excelize.CoordinatesToCellName(r.Col+1, r.First, true)
	b, _ := excelize.CoordinatesToCellName(r.Col+1, max(r.Last, r.First), true)
	name := s.name
	if r.Sheet != "" {
		name = r.Sheet
	}
	if a == b {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'!" + a
	}
	return "'" + strings.ReplaceAll(name, "'", "''") + "'!" + a + ":" + b
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
	// Bar is horizontal bars, one per category; several series are
	// clustered side by side, which prints better than a radar.
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

// Chart is a native chart of a report sheet.
type Chart struct {
	Kind       ChartKind
	Title      string
	Categories Range
	Series     []Series
	Percent    bool // the value axis shows percentages
	// Columns is how many columns, from the chart's, it spans: it is as
	// wide as they are once the layout has sized them; 0 means 640 pixels.
	Columns int
	// Height in points; 0 means 270.
	Height float64
	// NewPage puts a page break above the chart, keeping it whole on a
	// printed page of its own.
	NewPage bool
}

type chartSpec struct {
	Chart
	row, col int
}

// Chart places a native chart with its top-left corner at the next row
// (0-based column col) and moves the sheet's next row below it. The chart
// is drawn when the workbook is written, once the columns have their
// widths; the rows it covers stay at the default height.
func (s *Sheet) Chart(col int, c Chart) error {
	if c.Height <= 0 {
		c.Height = 270
	}
	row := s.row + 1
	if c.NewPage {
		breakAt, _ := excelize.CoordinatesToCellName(1, row)
		if err := s.w.f.InsertPageBreak(s.name, breakAt); err != nil {
			return fmt.Errorf("workbook: sheet %s: page break: %w", s.name, err)
		}
		// A blank row between the break and the chart: LibreOffice draws
		// a chart that starts right at a page's top edge on the page
		// before as well, below its footer.
		s.minHeight[row] = defaultRowHeight
		row++
		s.row++
	}
	s.charts = append(s.charts, chartSpec{Chart: c, row: row, col: col})
	n := int(math.Ceil(c.Height / defaultRowHeight))
	for r := row; r < row+n; r++ {
		s.minHeight[r] = defaultRowHeight
	}
	s.row += n
	return nil
}

// addChart draws ch, its columns having the widths (in characters).
func (s *Sheet) addChart(ch chartSpec, widths []float64) error {
	// A chart is anchored to the cells under its corners, which excelize
	// finds counting 8 pixels per width unit and 1.2 pixels per point of
	// row height; the chart prints over those cells, whatever its size in
	// pixels. So its size is given in those units: it then spans exactly
	// its columns and its rows.
	units := 480 / pagePointsPerUnit
	if ch.Columns > 0 {
		units = 0
		for i := ch.col; i < ch.col+ch.Columns && i < len(widths); i++ {
			units += widths[i]
		}
	}
	font := func(size float64, bold bool) excelize.Font {
		return excelize.Font{Family: "Arial", Size: size, Bold: bold, Color: "333333"}
	}
	legendFont := font(9, false)
	c := &excelize.Chart{
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: ch.Title, Font: &excelize.Font{Family: "Arial", Size: 11, Bold: true, Color: "333333"}}}},
		Dimension: excelize.ChartDimension{Width: uint(units * 8), Height: uint(ch.Height * 1.2)},
		Legend:    excelize.ChartLegend{Position: "bottom", Font: &legendFont},
		Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
		XAxis:     excelize.ChartAxis{Font: font(9, false)},
		YAxis:     excelize.ChartAxis{Font: font(9, false), MajorGridLines: true},
	}
	switch ch.Kind {
	case Radar:
		c.Type = excelize.Radar
	case Bar:
		c.Type = excelize.Bar
		c.XAxis.ReverseOrder = true // first category on top, as in the table
		if len(ch.Series) < 2 {
			c.Legend.Position = "none"
		}
	}
	if ch.Percent {
		c.YAxis.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "0%"}
		zero, one := 0.0, 1.0
		c.YAxis.Minimum, c.YAxis.Maximum = &zero, &one
	}
	colours := []string{"A1171E", "8A96A3", "2E7D32", "1565C0"}
	for i, sr := range ch.Series {
		name := sr.Name
		if sr.NameRow > 0 {
			name = s.absolute(Range{Col: sr.Values.Col, First: sr.NameRow, Last: sr.NameRow, Sheet: sr.Values.Sheet})
		}
		cs := excelize.ChartSeries{Name: name, Categories: s.absolute(ch.Categories), Values: s.absolute(sr.Values)}
		colour := colours[i%len(colours)]
		cs.Line = excelize.LineOptions{Width: 2}
		cs.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}
		if ch.Kind == Radar {
			cs.Marker = excelize.ChartMarker{Symbol: "circle", Size: 5}
		}
		c.Series = append(c.Series, cs)
	}
	cell, _ := excelize.CoordinatesToCellName(ch.col+1, ch.row)
	if err := s.w.f.AddChart(s.name, cell, c); err != nil {
		return fmt.Errorf("workbook: sheet %s: chart %q: %w", s.name, ch.Title, err)
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
