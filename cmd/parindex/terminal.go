package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// terminalWidth is the width in columns of the terminal w writes to, or 0
// when w is not a terminal (a file, a pipe, a test's buffer): tables are then
// printed whole, for scripts and for grep.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		return 0
	}
	return width
}

// --- tables ----------------------------------------------------------------------

// table collects lines whose cells are separated by tabs, as for
// text/tabwriter, and prints them aligned on Flush. When the output is a
// terminal narrower than the table, the widest columns are narrowed in turn
// and their cells wrap onto further lines, so no line runs past the edge
// (criteria show named every criterion on one 200-character line).
type table struct {
	out   io.Writer
	width int // 0: no limit
	buf   strings.Builder
}

const columnGap = 2

// newTable writes to w at the width of its terminal.
func newTable(w io.Writer) *table { return &table{out: w, width: terminalWidth(w)} }

func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// FlushTotal prints the collected lines, then below the columns the line
// that says how many rows a listing holds (format and args as for Printf).
func (t *table) FlushTotal(format string, args ...any) error {
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(t.out, format, args...)
	return nil
}

// Flush prints the collected lines. A line without a tab (a heading, a
// blank line) is printed as it is and takes no part in the columns.
func (t *table) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	var rows [][]string
	for _, l := range lines {
		if strings.Contains(l, "\t") {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	widths := columnWidths(rows)
	fitColumns(widths, t.width)
	var out strings.Builder
	for _, l := range lines {
		if !strings.Contains(l, "\t") {
			out.WriteString(l)
			out.WriteByte('\n')
			continue
		}
		writeRow(&out, strings.Split(l, "\t"), widths)
	}
	_, err := io.WriteString(t.out, out.String())
	return err
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

// minColumn is the narrowest a column is made: below it a name is
// unreadable, and the line may run past the edge instead.
const minColumn = 12

// fitColumns narrows the widest column, one character at a time, until the
// row fits in width (0: any width).
func fitColumns(widths []int, width int) {
	if width <= 0 {
		return
	}
	for {
		total := 0
		widest := -1
		for i, w := range widths {
			total += w
			if i > 0 {
				total += columnGap
			}
			if w > minColumn && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		// One column spare: a terminal wraps a line that fills its last one.
		if total < width || widest < 0 {
			return
		}
		widths[widest]--
	}
}

// writeRow prints one row, its cells wrapped at their columns' widths.
func writeRow(out *strings.Builder, cells []string, widths []int) {
	wrapped := make([][]string, len(cells))
	height := 1
	for i, cell := range cells {
		wrapped[i] = wrapCell(cell, widths[i])
		height = max(height, len(wrapped[i]))
	}
	for line := 0; line < height; line++ {
		var b strings.Builder
		for i := range cells {
			part := ""
			if line < len(wrapped[i]) {
				part = wrapped[i][line]
			}
			b.WriteString(part)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(part)+columnGap))
			}
		}
		out.WriteString(strings.TrimRight(b.String(), " "))
		out.WriteByte('\n')
	}
}

// wrapCell breaks text into lines of at most width characters, between
// words where it can; the leading spaces of an indented cell (the tree of
// criteria) start every line.
func wrapCell(text string, width int) []string {
	if utf8.RuneCountInString(text) <= width {
		return []string{text}
	}
	body := strings.TrimLeft(text, " ")
	indent := strings.Repeat(" ", min(len(text)-len(body), width/2))
	room := width - len(indent)
	var lines []string
	line := ""
	flush := func() {
		lines = append(lines, indent+line)
		line = ""
	}
	for _, word := range strings.Fields(body) {
		for utf8.RuneCountInString(word) > room { // a word longer than the column: cut it
			if line != "" {
				flush()
			}
			r := []rune(word)
			line = string(r[:room])
			flush()
			word = string(r[room:])
		}
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= room:
			line += " " + word
		default:
			flush()
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		flush()
	}
	return lines
}

// --- progress --------------------------------------------------------------------

// progress draws one line on the terminal for long work (the demo seed, an
// export of many responses, an import of a large file), redrawn at most
// every progressEvery; on anything but a terminal it prints nothing, so
// logs, pipes and scripts see only the command's result.
type progress struct {
	out   io.Writer // nil: silent
	label string
	total int64 // 0: unknown
	unit  string

	mu    sync.Mutex
	done  int64
	drawn time.Time
}

const progressEvery = 150 * time.Millisecond

// newProgress draws on w when it is a terminal; unit is "" for a count and
// "B" for bytes.
func newProgress(w io.Writer, label string, total int64, unit string) *progress {
	p := &progress{label: label, total: total, unit: unit}
	if terminalWidth(w) > 0 {
		p.out = w
	}
	return p
}

// Set records that done units of work are finished.
func (p *progress) Set(done int64) {
	if p.out == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if now := time.Now(); now.Sub(p.drawn) >= progressEvery {
		p.drawn = now
		p.draw()
	}
}

// Step records a named step of work made of total steps, done finished:
// the label names the step under way.
func (p *progress) Step(label string, done, total int64) {
	if p.out == nil {
		return
	}
	p.mu.Lock()
	// The previous label may be longer: clear the line.
	fmt.Fprintf(p.out, "\r%s\r", strings.Repeat(" ", utf8.RuneCountInString(p.label)+48))
	p.label, p.total, p.drawn = label, total, time.Time{}
	p.mu.Unlock()
	p.Set(done)
}

// Add records n more units of work.
func (p *progress) Add(n int64) {
	if p.out == nil {
		return
	}
	p.mu.Lock()
	done := p.done + n
	p.mu.Unlock()
	p.Set(done)
}

// Finish draws the last state and ends the line.
func (p *progress) Finish() {
	if p.out == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw()
	fmt.Fprintln(p.out)
}

func (p *progress) draw() {
	amount := func(n int64) string {
		if p.unit == "B" {
			return fmt.Sprintf("%.1f MB", float64(n)/1e6)
		}
		return fmt.Sprint(n)
	}
	if p.total <= 0 {
		fmt.Fprintf(p.out, "\r%s %s", p.label, amount(p.done))
		return
	}
	const bar = 24
	filled := int(min(bar, p.done*bar/p.total))
	fmt.Fprintf(p.out, "\r%s [%s%s] %3d%% %s/%s", p.label, strings.Repeat("#", filled), strings.Repeat(".", bar-filled),
		min(100, p.done*100/p.total), amount(p.done), amount(p.total))
}

// progressReader counts the bytes read through it.
type progressReader struct {
	r io.Reader
	p *progress
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.Add(int64(n))
	return n, err
}
