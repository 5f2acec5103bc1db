package workbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// StreamSheet is a worksheet written row after row, for exports of a
// million rows: excelize's stream writer writes the header row, widths,
// frozen pane and print set-up, and the data rows go as XML, deflated, to
// a temporary file (sheetRows) instead of staying in memory as cells.
// Nothing else may be written to the workbook until Finish.
type StreamSheet struct {
	w      *Workbook
	sw     *excelize.StreamWriter
	base   string // the name asked for
	name   string // the sheet being written
	cols   []Column
	styles []int
	rows   *sheetRows // the data rows of the sheet being written
	row    int
	total  int // rows written on every sheet
	limit  int // rows per sheet, the header included: MaxRows (tests lower it)
	// Text columns wrap; their rows are as tall as their longest text
	// needs (measured once per distinct short text).
	wrap     []float64 // per column: the text width in points, 0 when it does not wrap
	font     textFont
	heights  map[string]int
	lastText []string // per column: the last text measured, and its lines
	lastN    []int
	// Cut counts the texts cut to Excel's cell limit (see FitCell).
	Cut int
	// Sheets are the names of the sheets written, in order.
	Sheets []string
}

// AddStreamSheet adds a streamed worksheet with a styled, frozen header row
// of the columns, their widths and the print set-up of every sheet. Rows
// past Excel's limit of 1,048,576 continue on a new sheet with the same
// header, named like the first with " (2)", " (3)", ….
func (w *Workbook) AddStreamSheet(name string, cols []Column) (*StreamSheet, error) {
	s := &StreamSheet{w: w, base: name, cols: cols, limit: MaxRows,
		wrap: make([]float64, len(cols)), font: textFont{size: 10}, heights: map[string]int{},
		lastText: make([]string, len(cols)), lastN: make([]int, len(cols))}
	for i, c := range cols {
		// A million cells each carrying a style is a lot of XML; only the
		// formats a value would be shown wrongly without get one. Codes and
		// whole numbers look the same in Excel's General format; text
		// wraps, so that a long comment stays in its cell.
		st := 0
		if c.Format == Text {
			s.wrap[i] = widthPoints(max(c.Width, 12)) - cellPadding
		}
		if c.Format == Date || c.Format == DateTime || c.Format == Points2 || c.Format == Percent || c.Format == Text {
			var err error
			if st, err = w.style(styleKey{format: c.Format}); err != nil {
				return nil, err
			}
		}
		s.styles = append(s.styles, st)
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// start begins a sheet: the first, or the next when one is full.
func (s *StreamSheet) start() error {
	w := s.w
	sh, err := w.AddSheet(s.base, nil)
	if err != nil {
		return err
	}
	name := sh.name
	sh.streamed = true
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	w.streamed = true
	// The rows go to a part excelize names after the sheet's id; Write
	// fails if it finds no part of that name.
	rows, err := newSheetRows("xl/worksheets/sheet"+strconv.Itoa(sw.SheetID)+".xml", s.styles)
	if err != nil {
		return err
	}
	if w.streamRows == nil {
		w.streamRows = map[string]*sheetRows{}
	}
	w.streamRows[rows.part] = rows
	s.sw, s.rows, s.name, s.row = sw, rows, name, 0
	s.Sheets = append(s.Sheets, name)
	// A streamed sheet's columns are as wide as asked (its rows are not
	// read back); the header row is as tall as its longest title needs.
	points := make([]float64, len(s.cols))
	var widths []float64
	headerHeight := 0.0
	bold := w.fontOf(0)
	bold.size, bold.bold = 10, true
	for i, c := range s.cols {
		width := c.Width
		if width <= 0 {
			width = 12
		}
		// Wide enough for the header's longest word: a word is never
		// broken across lines.
		for _, word := range strings.Fields(c.Title) {
			width = max(width, widthUnits(bold.textWidth(word)))
		}
		widths = append(widths, width)
		points[i] = width * pagePointsPerUnit
		headerHeight = max(headerHeight, float64(bold.lines(c.Title, widthPoints(width)-cellPadding))*bold.lineHeight()+2)
	}
	// Runs of columns of one width are set as one range: excelize looks a
	// cell's column up among these ranges for every cell it writes, 30
	// million times in a million-row export.
	for first := 0; first < len(widths); {
		last := first
		for last+1 < len(widths) && widths[last+1] == widths[first] {
			last++
		}
		if err := sw.SetColWidth(first+1, last+1, widths[first]); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
		first = last + 1
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	header, err := w.style(styleKey{header: true})
	if err != nil {
		return err
	}
	titles := make([]any, len(s.cols))
	for i, c := range s.cols {
		titles[i] = excelize.Cell{StyleID: header, Value: c.Title}
	}
	if err := sw.SetRow("A1", titles, excelize.RowOpts{Height: math.Ceil(headerHeight)}); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	s.row = 1
	return w.planPrint(name, points, leadingKeys(s.cols), 1, 1)
}

// Append writes the next row: values as in Sheet.Append (string, float64,
// int, int64, bool, *float64, nil). A text longer than Excel's cell limit
// is cut with CutMarker rather than refused: a raw export must not fail on
// one long comment. Empty texts, nil and numbers a cell cannot hold (NaN,
// infinities) write no cell.
func (s *StreamSheet) Append(values ...any) error {
	if s.row >= s.limit {
		if err := s.flush(); err != nil {
			return err
		}
		if err := s.start(); err != nil {
			return err
		}
	}
	s.row++
	s.total++
	lines := 1
	for i, v := range values {
		if i >= len(s.wrap) || s.wrap[i] == 0 {
			continue
		}
		if text, ok := v.(string); ok && text != "" {
			if text != s.lastText[i] {
				s.lastText[i], s.lastN[i] = text, s.lines(text, s.wrap[i])
			}
			lines = max(lines, s.lastN[i])
		}
	}
	height := 0.0
	if lines > 1 {
		height = min(math.Ceil(float64(lines)*s.font.lineHeight()+2), 409)
	}
	r := s.rows
	r.begin(s.row, height)
	for i, v := range values[:min(len(values), len(s.cols))] {
		switch x := v.(type) {
		case nil:
		case string:
			if x == "" {
				break // no cell at all: most comments are empty
			}
			if cut, ok := FitCell(x); ok {
				x = cut
				s.Cut++
			}
			r.textCell(i, x)
		case float64:
			if finite(x) {
				r.floatCell(i, x)
			}
		case *float64:
			if x != nil && finite(*x) {
				r.floatCell(i, *x)
			}
		case int:
			r.intCell(i, int64(x))
		case int64:
			r.intCell(i, x)
		case bool:
			r.boolCell(i, x)
		default:
			r.drop()
			s.row--
			s.total--
			return fmt.Errorf("workbook: sheet %s row %d: unsupported value %T", s.name, s.row+1, v)
		}
	}
	r.end()
	return nil
}

// lines is how many lines text takes in width points; short texts (unit
// names) repeat on a million rows and are measured once.
func (s *StreamSheet) lines(text string, width float64) int {
	if len(text) > 200 {
		return s.font.lines(text, width)
	}
	key := strconv.FormatFloat(width, 'f', 1, 64) + "\x00" + text
	if n, ok := s.heights[key]; ok {
		return n
	}
	n := s.font.lines(text, width)
	if len(s.heights) < 100000 {
		s.heights[key] = n
	}
	return n
}

// MaxRows is the most rows, the header included, Excel shows on a sheet.
const MaxRows = excelize.TotalRows

// Rows is the number of rows written below the headers, on every sheet.
func (s *StreamSheet) Rows() int { return s.total }

// Finish ends the sheet. Call it after the last Append and before writing
// the workbook. A streamed sheet has no auto-filter: adding one would read
// the whole sheet back into memory.
func (s *StreamSheet) Finish() error { return s.flush() }

// flush ends the sheet being written: excelize's half (everything but the
// data rows) and the rows.
func (s *StreamSheet) flush() error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	if err := s.rows.finish(); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	return nil
}
