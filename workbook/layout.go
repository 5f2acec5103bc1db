package workbook

import (
	"fmt"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The layout pass runs once per sheet written cell by cell, when the
// workbook is written: it sizes the columns left to it from their content,
// gives every row the height its wrapped text needs, places the charts once
// the columns have their final widths (a chart is anchored to cells), and
// plans how the sheet prints. Streamed sheets are planned when they start,
// from their columns alone.

// A4 with margins of 0.5 in left and right (printSetup): the printable
// width in points.
const (
	portraitWidth  = 595.3 - 72
	landscapeWidth = 841.9 - 72
)

// MinPrintScale is the smallest scale a sheet is printed at: its fonts are
// 10 pt, and nothing may print smaller than 8 pt. A sheet too wide for a
// landscape page at this scale is printed in planned vertical strips
// instead, its key columns (code and name) repeated on each.
const MinPrintScale = 0.8

// Default widths of columns sized from their content, in characters.
const (
	autoMinWidth     = 4
	autoMaxText      = 60
	autoMaxOther     = 30
	defaultRowHeight = 15 // points: the height of a row no one sized
)

type cellFont struct {
	textFont
	wrap bool
}

// fontOf describes the font of style id, cached.
func (w *Workbook) fontOf(id int) cellFont {
	if f, ok := w.fonts[id]; ok {
		return f
	}
	cf := cellFont{textFont: textFont{size: 11}} // the default style: Calibri 11
	if st, err := w.f.GetStyle(id); err == nil && st != nil {
		if st.Font != nil {
			if st.Font.Size > 0 {
				cf.size = st.Font.Size
			}
			cf.bold = st.Font.Bold
		}
		if st.Alignment != nil {
			cf.wrap = st.Alignment.WrapText
		}
	}
	w.fonts[id] = cf
	return cf
}

type span struct{ first, last int } // 0-based columns of a merged cell

// layout sizes and plans sheet s.
func (w *Workbook) layout(s *Sheet) error {
	if visible, err := w.f.GetSheetVisible(s.name); err == nil && !visible {
		return nil
	}
	rows, err := w.f.GetRows(s.name)
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	merged := map[[2]int]span{} // top-left (col, row) → columns
	covered := map[[2]int]bool{}
	mcs, err := w.f.GetMergeCells(s.name, true)
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
	}
	ncols := len(s.cols)
	for _, r := range rows {
		ncols = max(ncols, len(r))
	}
	for _, mc := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		merged[[2]int{c1 - 1, r1}] = span{c1 - 1, c2 - 1}
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				covered[[2]int{c - 1, r}] = true
			}
		}
		ncols = max(ncols, c2)
	}
	type cellInfo struct {
		text   string
		font   cellFont
		number bool
		header bool
	}
	info := func(col, row int, text string) cellInfo {
		name, _ := excelize.CoordinatesToCellName(col+1, row)
		id, _ := w.f.GetCellStyle(s.name, name)
		ci := cellInfo{text: text, font: w.fontOf(id), header: w.headerStyles[id]}
		if t, err := w.f.GetCellType(s.name, name); err == nil && t == excelize.CellTypeNumber {
			ci.number = true
		}
		return ci
	}

	// Columns: those left to the layout take the width of their widest
	// single-line content (bounded), never narrower than their longest
	// word; every column is widened to hold its numbers and unwrapped text
	// whole (a number too wide prints as ###).
	widths := make([]float64, ncols)
	for i := range widths {
		widths[i], _ = w.f.GetColWidth(s.name, ColumnName(i))
	}
	need := make([]float64, ncols)    // widest content, one line
	longest := make([]float64, ncols) // longest word
	hard := make([]float64, ncols)    // what must fit on one line
	for r, cells := range rows {
		for c, text := range cells {
			if text == "" || covered[[2]int{c, r + 1}] {
				continue
			}
			ci := info(c, r+1, text)
			one := ci.font.textWidth(text)
			if !ci.header {
				need[c] = max(need[c], one)
			}
			for _, word := range strings.Fields(text) {
				longest[c] = max(longest[c], ci.font.textWidth(word))
			}
			if ci.number || !ci.font.wrap {
				hard[c] = max(hard[c], one)
			}
		}
	}
	for c := range widths {
		if col, ok := s.auto[c]; ok {
			limit := col.MaxWidth
			if limit <= 0 {
				limit = autoMaxOther
				if col.Format == Text || col.Format == Note {
					limit = autoMaxText
				}
			}
			widths[c] = min(max(widthUnits(need[c]), autoMinWidth), limit)
			widths[c] = max(widths[c], min(widthUnits(longest[c]), limit))
		}
		if hard[c] > 0 {
			widths[c] = max(widths[c], widthUnits(hard[c]))
		}
		if err := w.f.SetColWidth(s.name, ColumnName(c), ColumnName(c), widths[c]); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}

	// The plan, before the rows: a sheet printed in strips keeps its
	// titles over its key columns, which every strip repeats, since a
	// title merged across the strips would print cut and again.
	points := make([]float64, len(widths))
	for i, wd := range widths {
		points[i] = wd * pagePointsPerUnit
	}
	for _, ch := range s.charts {
		// A chart wider than the table widens what must fit on the page.
		width := 480.0
		if ch.Columns > 0 {
			width = 0
			for i := ch.col; i < ch.col+ch.Columns && i < len(widths); i++ {
				width += widthPoints(widths[i])
			}
		}
		left := sum(points[:min(ch.col, len(points))])
		if extra := left + width - sum(points); extra > 0 && len(points) > 0 {
			points[len(points)-1] += extra
		}
	}
	plan := planFor(points, max(s.keyCols, leadingKeys(s.cols)))
	if len(plan.breaks) > 0 && plan.keyCols > 1 {
		for key, sp := range merged {
			if sp.last < plan.keyCols || sp.first >= plan.keyCols {
				continue
			}
			from, _ := excelize.CoordinatesToCellName(sp.first+1, key[1])
			to, _ := excelize.CoordinatesToCellName(sp.last+1, key[1])
			if err := w.f.UnmergeCell(s.name, from, to); err != nil {
				return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
			}
			to, _ = excelize.CoordinatesToCellName(plan.keyCols, key[1])
			if err := w.f.MergeCell(s.name, from, to); err != nil {
				return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
			}
			merged[key] = span{sp.first, plan.keyCols - 1}
		}
	}

	// Rows: the tallest cell's wrapped lines, merged cells over their
	// whole width; rows under a chart keep the height the chart was
	// measured in.
	last := len(rows)
	for r := range s.minHeight {
		last = max(last, r)
	}
	for r := 1; r <= last; r++ {
		var cells []string
		if r <= len(rows) {
			cells = rows[r-1]
		}
		height := 0.0
		for c, text := range cells {
			if _, top := merged[[2]int{c, r}]; text == "" || covered[[2]int{c, r}] && !top {
				continue
			}
			ci := info(c, r, text)
			width := widthPoints(widths[c])
			if sp, ok := merged[[2]int{c, r}]; ok {
				width = 0
				for i := sp.first; i <= sp.last; i++ {
					width += widthPoints(widths[i])
				}
			}
			lines := 1
			if ci.font.wrap && !ci.number {
				lines = ci.font.lines(text, width-cellPadding)
			}
			height = max(height, float64(lines)*ci.font.lineHeight()+2)
		}
		height = max(height, s.minHeight[r])
		if height == 0 {
			continue
		}
		height = math.Ceil(height*4) / 4
		if err := w.f.SetRowHeight(s.name, r, min(height, 409)); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", s.name, err)
		}
	}

	// Charts, now that the columns they span have their widths.
	for _, ch := range s.charts {
		if err := s.addChart(ch, widths); err != nil {
			return err
		}
	}
	return w.applyPrint(s.name, plan, s.titleFirst, s.titleRows)
}

func sum(xs []float64) float64 {
	var t float64
	for _, x := range xs {
		t += x
	}
	return t
}

// printPlan is how a sheet prints.
type printPlan struct {
	orientation string
	fit         bool  // scaled down to the page width
	breaks      []int // columns (0-based) a strip starts at
	keyCols     int
}

// planFor chooses how a sheet whose columns are widths points wide
// prints: portrait when they fit its width, else landscape; scaled down to
// the page width only while the scale stays at MinPrintScale or above;
// otherwise at full size in vertical strips that break between columns,
// the first keyCols columns repeated on each strip.
func planFor(widths []float64, keyCols int) printPlan {
	total := sum(widths)
	p := printPlan{orientation: "portrait"}
	switch {
	case total <= portraitWidth:
	case total <= landscapeWidth:
		p.orientation = "landscape"
	case total*MinPrintScale <= landscapeWidth*0.97: // a margin for the estimate
		p.orientation, p.fit = "landscape", true
	default:
		p.orientation = "landscape"
		p.keyCols = min(keyCols, len(widths))
		room := landscapeWidth - sum(widths[:p.keyCols])
		line := 0.0
		for c := p.keyCols; c < len(widths); c++ {
			if line > 0 && line+widths[c] > room {
				p.breaks = append(p.breaks, c)
				line = 0
			}
			line += widths[c]
		}
	}
	return p
}

// planPrint plans and applies the print set-up of a sheet (planFor). Rows
// titleFirst..titleRows (when titleRows is not 0) repeat at the top of
// every page.
func (w *Workbook) planPrint(sheet string, widths []float64, keyCols, titleFirst, titleRows int) error {
	return w.applyPrint(sheet, planFor(widths, keyCols), titleFirst, titleRows)
}

func (w *Workbook) applyPrint(sheet string, p printPlan, titleFirst, titleRows int) error {
	size := 9 // A4
	opts := &excelize.PageLayoutOptions{Size: &size, Orientation: &p.orientation}
	one, any := 1, 0
	hundred := uint(100)
	if p.fit {
		opts.FitToWidth, opts.FitToHeight = &one, &any
	} else {
		opts.AdjustTo = &hundred
	}
	if err := w.f.SetPageLayout(sheet, opts); err != nil {
		return fmt.Errorf("workbook: sheet %s: page set-up: %w", sheet, err)
	}
	if err := w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &p.fit}); err != nil {
		return fmt.Errorf("workbook: sheet %s: page set-up: %w", sheet, err)
	}
	for _, c := range p.breaks {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := w.f.InsertPageBreak(sheet, cell); err != nil {
			return fmt.Errorf("workbook: sheet %s: page break: %w", sheet, err)
		}
	}
	quoted := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
	var titles []string
	if len(p.breaks) > 0 && p.keyCols > 0 {
		titles = append(titles, quoted+"$A:$"+ColumnName(p.keyCols-1))
	}
	if titleRows > 0 {
		titles = append(titles, fmt.Sprintf("%s$%d:$%d", quoted, max(titleFirst, 1), titleRows))
	}
	if len(titles) == 0 {
		return nil
	}
	if err := w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: strings.Join(titles, ","), Scope: sheet}); err != nil {
		return fmt.Errorf("workbook: sheet %s: print titles: %w", sheet, err)
	}
	return nil
}

// leadingKeys counts the Key columns at the start of cols.
func leadingKeys(cols []Column) int {
	n := 0
	for n < len(cols) && cols[n].Key {
		n++
	}
	return n
}
