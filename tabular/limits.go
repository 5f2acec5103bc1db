package tabular

import (
	"fmt"
	"math"
)

// Limits bound what one table file may make parindex read. Every reader of
// a file that a person or another system sends (CSV or XLSX, through the
// web or on the command line) is given one of the sets below; going past a
// limit is an InputError naming the file, the row and, where there is one,
// the column, and the limit itself, never a silently shortened table.
// docs/architecture.md ("Files people send") lists the figures.
type Limits struct {
	// Bytes is the most a file may hold. CSV is read as a stream, so this
	// bounds time, not memory.
	Bytes int64
	// XLSXBytes is the most an .xlsx file may hold: the zip is kept in
	// memory while it is read.
	XLSXBytes int64
	// Unzipped is the most an .xlsx file's parts may unpack to (a zip bomb
	// is refused before it is unpacked); parts above 16 MiB are unpacked to
	// a temporary file, not to memory.
	Unzipped int64
	// SharedStrings is the most an .xlsx file's table of shared strings may
	// unpack to: it is parsed into memory whole before the first cell.
	SharedStrings int64
	// Rows is the most data rows (the header excluded) a table may have.
	Rows int
	// Columns is the most cells a row may reach, counting to its last
	// non-blank cell.
	Columns int
	// Cell is the most bytes of text in one cell (Excel's own limit is
	// 32,767 characters).
	Cell int
	// Cells is the most cells a reader hands out in all, blank ones inside
	// rows included: a table read whole holds every one (16 bytes each
	// besides its text), so this bounds a table of many wide, mostly blank
	// rows that the byte limits would let through.
	Cells int
	// Line is the most bytes of one CSV row as written in the file: the CSV
	// parser holds a row whole, with about 150 bytes of bookkeeping per
	// cell, before any cell can be checked.
	Line int
}

// The limit sets. One place decides them; callers choose by what they do
// with the rows, not by where the file came from.
var (
	// Upload is for a file sent through the web app, read while the request
	// waits. The handlers limit the request body further (4 MiB for paper
	// forms, 16 MiB for metrics).
	Upload = Limits{Bytes: 16 << 20, XLSXBytes: 16 << 20, Unzipped: 64 << 20, SharedStrings: 8 << 20,
		Rows: 200_000, Columns: 256, Cell: 32_767, Cells: 4_000_000, Line: 256 << 10}
	// Structured is for a sheet of a workbook of parindex's own layout (a
	// criteria framework, a self-assessment): a few thousand rows of a few
	// dozen cells, whoever sends it.
	Structured = Limits{Bytes: 16 << 20, XLSXBytes: 16 << 20, Unzipped: 64 << 20, SharedStrings: 8 << 20,
		Rows: 20_000, Columns: 64, Cell: 32_767, Cells: 500_000, Line: 256 << 10}
	// Whole is for a file named on the command line whose rows are checked
	// together and so held in memory (units, metrics).
	Whole = Limits{Bytes: 256 << 20, XLSXBytes: 128 << 20, Unzipped: 1 << 30, SharedStrings: 64 << 20,
		Rows: 1_000_000, Columns: 256, Cell: 32_767, Cells: 10_000_000, Line: 256 << 10}
	// Stream is for a file named on the command line whose rows are read one
	// at a time and never held together (survey answers: `survey stats`,
	// `import responses`), so its cells are not counted.
	Stream = Limits{Bytes: 16 << 30, XLSXBytes: 256 << 20, Unzipped: 2 << 30, SharedStrings: 64 << 20,
		Rows: 50_000_000, Columns: 256, Cell: 32_767, Cells: math.MaxInt, Line: 256 << 10}
)

// mib writes a byte count for messages: "16 MiB", "256 KiB".
func mib(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n < 1<<20:
		return fmt.Sprintf("%d KiB", (n+(1<<10)-1)>>10)
	}
	return fmt.Sprintf("%d MiB", (n+(1<<20)-1)>>20)
}
