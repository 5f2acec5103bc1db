package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// Errors of the byte counter under the CSV parser, turned into located
// InputErrors by next.
var (
	errFileTooBig = errors.New("tabular: the file is larger than its limit")
	errRowTooLong = errors.New("tabular: a row is longer than its limit")
)

// counter counts the bytes read from a CSV file and stops the read past the
// file's limit, or when one record grows past Line bytes (give or take the
// read-ahead buffer): encoding/csv keeps a whole record in memory, so
// without this a file with no line break, or a line of a million commas,
// would be parsed whole before a cell could be checked.
type counter struct {
	r           io.Reader
	n, max      int64
	recordStart int64 // the counter's position when the current record began
	maxRecord   int64
}

func (c *counter) Read(p []byte) (int, error) {
	if c.n-c.recordStart > c.maxRecord {
		return 0, errRowTooLong
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return 0, errFileTooBig
	}
	return n, err
}

// peekSize is how much of a CSV file is looked at for its BOM and delimiter.
const peekSize = 64 << 10

func openCSV(name string, src io.Reader, lim Limits) (*Reader, error) {
	cnt := &counter{r: io.LimitReader(src, lim.Bytes+1), max: lim.Bytes,
		maxRecord: int64(lim.Line) + peekSize} // what the buffer reads ahead is not yet the record
	br := bufio.NewReaderSize(cnt, peekSize)
	r := &Reader{Head: Head{File: name}, lim: lim}
	head, err := br.Peek(peekSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, r.csvError(err, 0)
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) { // Excel writes a BOM in "CSV UTF-8"
		br.Discard(3)
		head = head[3:]
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	line := 0
	r.next = func() (int, []string, error) {
		rec, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil, io.EOF
			}
			return 0, nil, r.csvError(err, line)
		}
		line, _ = cr.FieldPos(0)
		cnt.recordStart = cnt.n - int64(br.Buffered())
		return line, rec, nil
	}
	r.close = func() error { return nil }
	return r, nil
}

// csvError locates a CSV reading error; after is the line of the last row
// read, for errors that carry no line of their own.
func (r *Reader) csvError(err error, after int) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errFileTooBig):
		return r.problem(after+1, "",
			fmt.Sprintf("tệp lớn hơn %s (giới hạn của hệ thống), sau dòng %d; hãy chia thành nhiều tệp", mib(r.lim.Bytes), after),
			fmt.Sprintf("the file is larger than %s (the limit), after line %d; split it into several files", mib(r.lim.Bytes), after))
	case errors.Is(err, errRowTooLong):
		return r.problem(after+1, "",
			fmt.Sprintf("dòng dài hơn %s (giới hạn của hệ thống) mà chưa hết; tệp có đúng là CSV không?", mib(int64(r.lim.Line))),
			fmt.Sprintf("the line runs past %s (the limit) without ending; is the file really CSV?", mib(int64(r.lim.Line))))
	case errors.As(err, &pe):
		return r.problem(pe.Line, "", "dòng CSV không đọc được: "+err.Error(), "malformed CSV: "+err.Error())
	}
	return fmt.Errorf("tabular: không đọc được %s sau dòng %d (unable to read %s after line %d): %w", r.File, after, r.File, after, err)
}

// sniffDelimiter picks ';' when the header has more semicolons than commas:
// Excel in a Vietnamese locale writes CSV with semicolons.
func sniffDelimiter(head []byte) rune {
	header, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}
