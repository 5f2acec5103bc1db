package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
)

// splicingZip is the zip writer Workbook.Write hands excelize when sheets
// were streamed. excelize offers no way to take a sheet's rows as XML, so
// a streamed sheet is written in two halves: excelize's StreamWriter
// writes everything but the data rows (the header row, column widths,
// frozen pane, print set-up, footer, page breaks), and sheetRows writes
// the rows into a file of their own. When excelize creates the sheet's
// part, splicingZip keeps its few kilobytes and, before the next part
// (or on Close), writes them to the zip with the rows inserted just
// before </sheetData>.
type splicingZip struct {
	*zip.Writer
	rows    map[string]*sheetRows // by part name
	pending *sheetRows            // the part being received
	part    bytes.Buffer          // excelize's XML of the pending part
	dst     io.Writer             // the pending part in the zip
	spliced int
}

func (z *splicingZip) Create(name string) (io.Writer, error) {
	if err := z.splice(); err != nil {
		return nil, err
	}
	dst, err := z.Writer.Create(name)
	if err != nil {
		return nil, err
	}
	r, ok := z.rows[name]
	if !ok {
		return dst, nil
	}
	z.pending, z.dst = r, dst
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
	rows, err := r.reader()
	if err != nil {
		return err
	}
	if _, err := z.dst.Write(xml[:at]); err != nil {
		return err
	}
	if _, err := io.Copy(z.dst, rows); err != nil {
		return fmt.Errorf("workbook: unable to write the rows of %s: %w", r.part, err)
	}
	if _, err := z.dst.Write(xml[at:]); err != nil {
		return err
	}
	z.spliced++
	return nil
}
