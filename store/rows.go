package store

import (
	"strconv"
	"strings"
	"time"

	"parindex"
)

// rowSet collects the rows of one multi-row statement and renders them for
// the dialect. On PostgreSQL the rows become one array parameter per column
// read back by unnest(): the statement stays short and the same whatever the
// number of rows, so the server parses a few hundred bytes instead of a
// VALUES list of thousands of parameters (and the driver sends a handful of
// strings instead of encoding every value). SQLite has no arrays; there the
// rows are a VALUES list of anonymous ? parameters.
//
// Its rows clause follows `INSERT INTO t (columns)` or goes inside `IN (…)`.
type rowSet struct {
	dialect string
	first   int      // number of the first parameter
	types   []string // PostgreSQL element type of each column
	cols    [][]byte // PostgreSQL: one array literal per column, without its closing brace
	values  strings.Builder
	args    []any // SQLite
	rows    int
}

// newRows starts a row set whose parameters are numbered from first; types
// are the PostgreSQL types of the columns (bigint, integer, double
// precision, text, date, timestamptz, or integer[], whose values are given
// as the text of an array, "{1,2,3}").
func (db *DB) newRows(first int, types ...string) *rowSet {
	s := &rowSet{dialect: db.dialect, first: first, types: types}
	if db.dialect == Postgres {
		s.cols = make([][]byte, len(types))
	}
	return s
}

// add appends one row: int64, int, float64, string, time.Time, parindex.Date or nil
// (NULL), one value per column.
func (s *rowSet) add(values ...any) {
	if len(values) != len(s.types) {
		panic("store: row of " + strconv.Itoa(len(values)) + " values for " + strconv.Itoa(len(s.types)) + " columns")
	}
	s.rows++
	if s.dialect != Postgres {
		if s.rows > 1 {
			s.values.WriteString(", ")
		}
		// Anonymous parameters: SQLite binds them by position, while it
		// finds $N names by a linear search, which made statements of
		// thousands of parameters quadratic.
		s.values.WriteString("(" + strings.Repeat("?, ", len(values)-1) + "?)")
		s.args = append(s.args, values...)
		return
	}
	for i, v := range values {
		b := s.cols[i]
		if len(b) == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case nil:
			b = append(b, "NULL"...)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case int:
			b = strconv.AppendInt(b, int64(x), 10)
		case float64:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case string:
			b = appendQuoted(b, x)
		case time.Time:
			b = appendQuoted(b, x.UTC().Format("2006-01-02 15:04:05.999999Z07:00"))
		case parindex.Date:
			b = appendQuoted(b, x.String())
		default:
			panic("store: rowSet cannot hold a value of this type")
		}
		s.cols[i] = b
	}
}

// appendQuoted appends s as a double-quoted array element.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// clause returns the rows clause and its arguments.
func (s *rowSet) clause() (string, []any) {
	if s.dialect != Postgres {
		return "VALUES " + s.values.String(), s.args
	}
	// A column of arrays (integer[]) travels as an array of their texts,
	// cast back row by row: unnest() would flatten an array of arrays.
	var params, names, selected []string
	args := make([]any, len(s.cols))
	hasArrays := false
	for i, c := range s.cols {
		typ, name := s.types[i], "c"+strconv.Itoa(i+1)
		names = append(names, name)
		if strings.HasSuffix(typ, "[]") {
			selected = append(selected, name+"::"+typ)
			typ, hasArrays = "text", true
		} else {
			selected = append(selected, name)
		}
		params = append(params, "$"+strconv.Itoa(s.first+i)+"::"+typ+"[]")
		if len(c) == 0 {
			args[i] = "{}"
		} else {
			args[i] = string(c) + "}"
		}
	}
	from := "FROM unnest(" + strings.Join(params, ", ") + ")"
	if !hasArrays {
		return "SELECT * " + from, args
	}
	return "SELECT " + strings.Join(selected, ", ") + " " + from + " AS t(" + strings.Join(names, ", ") + ")", args
}
