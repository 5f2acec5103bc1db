package workbook

import (
	"bufio"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheetRows writes the data rows of a streamed sheet as SpreadsheetML
// (<row> and <c> elements), compressed, into a temporary file, and
// Workbook.Write splices them into the sheet's part (splice.go).
// excelize's StreamWriter.SetRow costs, per cell, a cell reference built
// from coordinates, a style lookup and a general escaper: half the CPU of
// a million-row export. Here the cell references' letters and the style
// attributes are worked out once per column, and numbers and texts are
// appended into reused buffers. The rows are deflated as they come (a
// million rows are a gigabyte of XML, 150 MB deflated) at the fastest
// level, as the workbook's other parts are, by a goroutine of their own
// while the caller reads the next rows (a third of the CPU, so it runs
// beside the database's); the file ends on a sync flush, so that the
// rows' deflate stream can sit in the middle of the part's.
type sheetRows struct {
	part   string   // the sheet's part in the package, e.g. xl/worksheets/sheet1.xml
	cols   []string // per column: its letters, e.g. "AB"
	styles []string // per column: ` s="3"`, or "" for the default style
	buf    []byte   // rows not yet handed to the deflater, the last one being written
	number []byte   // the row number's digits
	start  int      // where the row being written starts in buf
	size   int64    // bytes of the rows' XML

	// The deflater's side: chunks of rows come through full and go back
	// through free; done says how it ended. crc, file, out and zip are its
	// own until done.
	full, free chan []byte
	done       chan error
	finished   bool
	crc        uint32 // CRC-32 of the rows' XML
	file       *os.File
	out        *bufio.Writer
	zip        *flate.Writer
}

// rowChunk is how many bytes of rows go to the deflater at a time.
const rowChunk = 256 << 10

func newSheetRows(part string, styles []int) (*sheetRows, error) {
	r := &sheetRows{part: part}
	for i, st := range styles {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return nil, err
		}
		attr := ""
		if st != 0 {
			attr = ` s="` + strconv.Itoa(st) + `"`
		}
		r.cols, r.styles = append(r.cols, col), append(r.styles, attr)
	}
	file, err := os.CreateTemp("", "parindex-rows-")
	if err != nil {
		return nil, fmt.Errorf("workbook: unable to create a temporary file for rows: %w", err)
	}
	r.file, r.out = file, bufio.NewWriterSize(file, 1<<20)
	r.zip, _ = flate.NewWriter(r.out, flate.BestSpeed) // a valid level: no error
	// Three chunks: one being filled, one being deflated, one waiting.
	r.full, r.free, r.done = make(chan []byte, 2), make(chan []byte, 3), make(chan error, 1)
	for range 2 {
		r.free <- make([]byte, 0, rowChunk+4<<10)
	}
	r.buf = make([]byte, 0, rowChunk+4<<10)
	go r.deflate()
	return r, nil
}

// deflate compresses the chunks of rows into the file until full closes.
func (r *sheetRows) deflate() {
	var err error
	for chunk := range r.full {
		if err == nil {
			r.crc = crc32.Update(r.crc, crc32.IEEETable, chunk)
			_, err = r.zip.Write(chunk)
		}
		r.free <- chunk[:0]
	}
	if err == nil {
		err = r.zip.Flush()
	}
	if err == nil {
		err = r.out.Flush()
	}
	r.done <- err
}

// begin starts row n (1-based); a height above 0 is its height in points.
func (r *sheetRows) begin(n int, height float64) {
	r.number = strconv.AppendInt(r.number[:0], int64(n), 10)
	r.start = len(r.buf)
	r.buf = append(r.buf, `<row r="`...)
	r.buf = append(r.buf, r.number...)
	r.buf = append(r.buf, '"')
	if height > 0 {
		r.buf = append(r.buf, ` ht="`...)
		r.buf = strconv.AppendFloat(r.buf, height, 'f', -1, 64)
		r.buf = append(r.buf, `" customHeight="1"`...)
	}
	r.buf = append(r.buf, '>')
}

// cell opens column col's cell of the row, of type kind ("" for a number).
func (r *sheetRows) cell(col int, kind string) {
	r.buf = append(r.buf, `<c r="`...)
	r.buf = append(r.buf, r.cols[col]...)
	r.buf = append(r.buf, r.number...)
	r.buf = append(r.buf, '"')
	r.buf = append(r.buf, r.styles[col]...)
	if kind != "" {
		r.buf = append(r.buf, ` t="`...)
		r.buf = append(r.buf, kind...)
		r.buf = append(r.buf, '"')
	}
	r.buf = append(r.buf, '>')
}

// textCell writes an inline string; the caller skips empty texts (no cell)
// and cuts long ones to Excel's limit (FitCell).
func (r *sheetRows) textCell(col int, s string) {
	r.cell(col, "inlineStr")
	r.buf = append(r.buf, "<is><t"...)
	// XML readers drop white space at the ends of an element unless told
	// to keep it.
	if first, last := s[0], s[len(s)-1]; isXMLSpace(first) || isXMLSpace(last) {
		r.buf = append(r.buf, ` xml:space="preserve"`...)
	}
	r.buf = append(r.buf, '>')
	r.buf = appendCellText(r.buf, s)
	r.buf = append(r.buf, "</t></is></c>"...)
}

// floatCell writes a number in its shortest form that reads back as the same
// float64; the caller skips NaN and infinities, which a cell cannot hold.
func (r *sheetRows) floatCell(col int, f float64) {
	r.cell(col, "")
	r.buf = append(r.buf, "<v>"...)
	r.buf = strconv.AppendFloat(r.buf, f, 'g', -1, 64)
	r.buf = append(r.buf, "</v></c>"...)
}

func (r *sheetRows) intCell(col int, n int64) {
	r.cell(col, "")
	r.buf = append(r.buf, "<v>"...)
	r.buf = strconv.AppendInt(r.buf, n, 10)
	r.buf = append(r.buf, "</v></c>"...)
}

func (r *sheetRows) boolCell(col int, b bool) {
	r.cell(col, "b")
	if b {
		r.buf = append(r.buf, "<v>1</v></c>"...)
	} else {
		r.buf = append(r.buf, "<v>0</v></c>"...)
	}
}

// end closes the row; a full chunk of rows goes to the deflater.
func (r *sheetRows) end() {
	r.buf = append(r.buf, "</row>"...)
	if len(r.buf) >= rowChunk {
		r.size += int64(len(r.buf))
		r.full <- r.buf
		r.buf = <-r.free
	}
}

// drop takes back the row being written.
func (r *sheetRows) drop() { r.buf = r.buf[:r.start] }

// finish hands over the last rows and waits for the deflater, which ends
// its stream with a sync flush (not closed: the part's end follows it).
func (r *sheetRows) finish() error {
	if r.finished {
		return nil
	}
	r.finished = true
	r.size += int64(len(r.buf))
	r.full <- r.buf
	r.buf = nil
	close(r.full)
	if err := <-r.done; err != nil {
		return fmt.Errorf("workbook: unable to write rows to a temporary file: %w", err)
	}
	return nil
}

// deflated reads the rows' deflate stream from its start, and says how
// long it is.
func (r *sheetRows) deflated() (io.Reader, int64, error) {
	n, err := r.file.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = r.file.Seek(0, io.SeekStart)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("workbook: unable to read rows back: %w", err)
	}
	return io.LimitReader(r.file, n), n, nil
}

func (r *sheetRows) close() error {
	// A sheet left unfinished (an error, a cancelled export) still has its
	// deflater waiting.
	finished := r.finish()
	err := r.file.Close()
	if err == nil {
		err = finished
	}
	if rmErr := os.Remove(r.file.Name()); err == nil {
		err = rmErr
	}
	return err
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// appendCellText appends s as the character data of a cell's text, in one
// pass and without allocating:
//   - <, > and & as entities (quotes need none outside attributes);
//   - a carriage return as &#xD;, which XML readers would otherwise turn
//     into a line feed;
//   - the characters XML 1.0 forbids (controls other than tab and line
//     feed, U+FFFE, U+FFFF) and bytes that are not UTF-8 as U+FFFD, as
//     excelize's SetRow did;
//   - an underscore that starts what Excel reads as an escaped character
//     (_x0041_ is "A") as _x005F_, the escaped underscore, so the text
//     reads back as written.
func appendCellText(dst []byte, s string) []byte {
	const replacement = "\uFFFD"
	done := 0 // s[:done] is in dst
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				dst = append(append(dst, s[done:i]...), replacement...)
				done = i + size
			}
			i += size
			continue
		}
		var esc string
		switch {
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '&':
			esc = "&amp;"
		case c == '\r':
			esc = "&#xD;"
		case c < 0x20 && c != '\t' && c != '\n':
			esc = replacement
		case c == '_' && isEscapedChar(s[i:]):
			esc = "_x005F_"
		default:
			i++
			continue
		}
		dst = append(append(dst, s[done:i]...), esc...)
		i++
		done = i
	}
	return append(dst, s[done:]...)
}

// isEscapedChar says whether s starts with _xHHHH_, Excel's escape of a
// character in a text.
func isEscapedChar(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, h := range s[2:6] {
		if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
			return false
		}
	}
	return true
}

// finite says whether a cell can hold f.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
