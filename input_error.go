package parindex

import (
	"fmt"
	"strings"
)

// InputError is one problem in user input, located precisely enough that a
// clerk can find it: the file, the sheet (spreadsheets), the row, the column
// or field. VI is shown to users; EN goes beside it in logs and the terminal.
type InputError struct {
	File   string
	Sheet  string
	Row    int // 0 when the problem is not tied to a row
	Column string
	VI     string
	EN     string
}

// Location formats where the problem is, in Vietnamese ("dòng" = row, "cột" = column).
func (e InputError) Location() string {
	var parts []string
	if e.File != "" {
		parts = append(parts, e.File)
	}
	if e.Sheet != "" {
		parts = append(parts, "sheet "+e.Sheet)
	}
	if e.Row > 0 {
		parts = append(parts, fmt.Sprintf("dòng %d", e.Row))
	}
	if e.Column != "" {
		parts = append(parts, "cột "+e.Column)
	}
	return strings.Join(parts, ", ")
}

func (e InputError) Error() string {
	loc := e.Location()
	if loc != "" {
		loc += ": "
	}
	return fmt.Sprintf("%s%s (%s)", loc, e.VI, e.EN)
}

// InputErrors is every problem found in one input; importers report them all
// at once and write nothing.
type InputErrors []InputError

func (es InputErrors) Error() string { return JoinErrors(es) }

// JoinErrors is the message of a list of problems: one a line, in order.
// The lists of problems of the packages that may import this one (as
// assessment.EntryErrors) print themselves with it.
func JoinErrors[E error](es []E) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
