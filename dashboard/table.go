package dashboard

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"parindex/vn"
)

// Locale turns message keys into the reader's language and formats
// numbers; the web package supplies it (package i18n's T and N).
type Locale struct {
	Lang string
	T    func(key string, args ...any) string
	// N is T for a message shown with a count (its plural form); when nil,
	// T is used with the arguments, or the count alone.
	N func(key string, count int, args ...any) string
}

// n is l.N, or l.T when the locale has no plural forms.
func (l Locale) n(key string, count int, args ...any) string {
	if l.N != nil {
		return l.N(key, count, args...)
	}
	if len(args) == 0 {
		args = []any{count}
	}
	return l.T(key, args...)
}

func (l Locale) num(x float64, decimals int) string { return vn.FormatNumber(l.Lang, x, decimals) }

// Table is the data behind a chart (or a table of its own): accessible,
// sortable in the browser and downloadable as CSV.
type Table struct {
	ID      string
	Caption string
	Columns []Column
	Rows    [][]Cell
}

// Column is one column heading; Numeric columns align right and sort by
// their cells' Value.
type Column struct {
	Label   string
	Numeric bool
}

// Cell is one table cell: Text as shown, Value for sorting and CSV (NaN:
// no value), an optional link and CSS class.
type Cell struct {
	Text  string
	Value float64
	Link  string
	Class string
	Depth int // indentation of a tree row's first cell
}

// SortKey is the value the browser sorts a numeric cell by.
func (c Cell) SortKey() string {
	if math.IsNaN(c.Value) {
		return ""
	}
	return strconv.FormatFloat(c.Value, 'f', -1, 64)
}

func text(s string) Cell                     { return Cell{Text: s, Value: math.NaN()} }
func number(l Locale, x float64, d int) Cell { return Cell{Text: l.num(x, d), Value: x} }

// WriteCSV writes the table as UTF-8 CSV with a byte-order mark (so Excel
// reads the Vietnamese correctly). Numbers are written in full precision
// with a dot; text that a spreadsheet would take for a formula is prefixed
// with an apostrophe.
func (t *Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = csvText(c.Label)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			if i < len(t.Columns) && t.Columns[i].Numeric {
				if !math.IsNaN(c.Value) {
					rec[i] = strconv.FormatFloat(c.Value, 'f', -1, 64)
				}
				continue
			}
			rec[i] = csvText(c.Text)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
