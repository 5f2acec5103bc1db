package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
)

// splicingZip is the zip writer Workbook.Write hands excelize when sheets
// were streamed. excelize offers no way to take a sheet's rows as XML, so
// a streamed sheet is written in two halves: excelize's StreamWriter
// writes everything but the data rows (the header row, column widths,
// frozen pane, print set-up, footer, page breaks), and sheetRows writes
// the rows, deflated, into a file of their own. When excelize creates the
// sheet's part, splicingZip keeps its few kilobytes and, before the next
// part (or on Close), writes the part as one deflate stream: excelize's
// XML up to </sheetData> (ended by a sync flush), the rows' stream as it
// is, then the rest (a final block). The part's CRC-32 is put together
// from the three pieces' (crc32Combine), so the rows are not read twice.
type splicingZip struct {
	*zip.Writer
	rows    map[string]*sheetRows // by part name
	pending *sheetRows            // the part being received
	part    bytes.Buffer          // excelize's XML of the pending part
	spliced int
}

func (z *splicingZip) Create(name string) (io.Writer, error) {
	if err := z.splice(); err != nil {
		return nil, err
	}
	r, ok := z.rows[name]
	if !ok {
		return z.Writer.Create(name)
	}
	z.pending = r
	z.part.Reset()
	return &z.part, nil
}

func (z *splicingZip) Close() error {
	err := z.splice()
	if err == nil && z.spliced != len(z.rows) {
		// The parts are found by excelize's naming (sheetN.xml, N the
		// sheet's id): a workbook whose rows went missing must fail here,
		// not open empty.
		err = fmt.Errorf("workbook: %d of %d streamed sheets were not found among the parts written", len(z.rows)-z.spliced, len(z.rows))
	}
	if closeErr := z.Writer.Close(); err == nil {
		err = closeErr
	}
	return err
}

// splice writes the pending part with its rows.
func (z *splicingZip) splice() error {
	r := z.pending
	if r == nil {
		return nil
	}
	z.pending = nil
	xml := z.part.Bytes()
	at := bytes.Index(xml, []byte("</sheetData>"))
	if at < 0 {
		return fmt.Errorf("workbook: part %s has no sheetData to hold its rows", r.part)
	}
	head, tail := xml[:at], xml[at:]
	headDeflated, err := deflate(head, false)
	if err != nil {
		return err
	}
	tailDeflated, err := deflate(tail, true)
	if err != nil {
		return err
	}
	// Finished already, unless the sheet's Finish was skipped: the
	// deflater must be done with the file before it is read.
	if err := r.finish(); err != nil {
		return err
	}
	rows, rowsDeflated, err := r.deflated()
	if err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(head)
	crc = crc32Combine(crc, r.crc, uint64(r.size))
	crc = crc32Combine(crc, crc32.ChecksumIEEE(tail), uint64(len(tail)))
	dst, err := z.Writer.CreateRaw(&zip.FileHeader{
		Name:               r.part,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   uint64(len(headDeflated)) + uint64(rowsDeflated) + uint64(len(tailDeflated)),
		UncompressedSize64: uint64(len(head)) + uint64(r.size) + uint64(len(tail)),
	})
	if err != nil {
		return err
	}
	if _, err := dst.Write(headDeflated); err != nil {
		return err
	}
	if _, err := io.Copy(dst, rows); err != nil {
		return fmt.Errorf("workbook: unable to write the rows of %s: %w", r.part, err)
	}
	if _, err := dst.Write(tailDeflated); err != nil {
		return err
	}
	z.spliced++
	return nil
}

// deflate compresses b at the fastest level into a stream that ends with
// a final block (last) or a sync flush, after which another stream's
// blocks may follow.
func deflate(b []byte, last bool) ([]byte, error) {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestSpeed) // a valid level: no error
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	end := w.Flush
	if last {
		end = w.Close
	}
	if err := end(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// crc32Combine returns the CRC-32 (IEEE) of a followed by b from the CRC
// of a, the CRC of b and b's length, as zlib's crc32_combine does:
// appending n bytes multiplies a's CRC by x^(8n) modulo the polynomial.
func crc32Combine(crcA, crcB uint32, lenB uint64) uint32 {
	return multModP(x2nModP(lenB, 3), crcA) ^ crcB
}

// multModP multiplies a and b modulo the CRC-32 polynomial, in its
// reflected form (the lowest power in the highest bit).
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0 && a&(m<<1-1) != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP is x^(n·2^k) modulo the polynomial.
func x2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		k++
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = multModP(p, p)
	}
	return t
}()
