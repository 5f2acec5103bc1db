package tabular

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"parindex"
)

// maxXMLInRAM is the size above which excelize unpacks a worksheet to a
// temporary file instead of memory.
const maxXMLInRAM = 16 << 20

// XLSX is an .xlsx workbook opened for reading under Limits.
type XLSX struct {
	File string
	f    *excelize.File
	lim  Limits
}

// OpenXLSX reads an .xlsx workbook from src. The file's size, the unpacked
// size of its parts and the size of every part that is parsed whole are
// checked against lim before excelize reads anything; a file that is not a
// workbook or breaks a limit is an InputError naming the file.
func OpenXLSX(file string, src io.Reader, lim Limits) (*XLSX, error) {
	bad := func(vi, en string) error { return parindex.InputErrors{{File: file, VI: vi, EN: en}} }
	data, err := io.ReadAll(io.LimitReader(src, lim.XLSXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tabular: không đọc được %s (unable to read %s): %w", file, file, err)
	}
	if int64(len(data)) > lim.XLSXBytes {
		return nil, bad(fmt.Sprintf("tệp Excel lớn hơn %s (giới hạn của hệ thống); bảng lớn hãy lưu thành CSV UTF-8", mib(lim.XLSXBytes)),
			fmt.Sprintf("the Excel file is larger than %s (the limit); save a large table as CSV UTF-8", mib(lim.XLSXBytes)))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, bad("không mở được tệp Excel (.xlsx): "+err.Error(), "cannot open the Excel file: "+err.Error())
	}
	var unzipped uint64
	for _, part := range zr.File {
		unzipped += part.UncompressedSize64
		// Worksheets are streamed; every other part (shared strings,
		// styles, the workbook) is parsed into memory whole. archive/zip
		// refuses a part that unpacks to more than its header says.
		if !strings.HasPrefix(part.Name, "xl/worksheets/") && part.UncompressedSize64 > uint64(lim.SharedStrings) {
			return nil, bad(fmt.Sprintf("phần %s của tệp Excel giải nén ra hơn %s (giới hạn của hệ thống)", part.Name, mib(lim.SharedStrings)),
				fmt.Sprintf("part %s of the Excel file unpacks to more than %s (the limit)", part.Name, mib(lim.SharedStrings)))
		}
	}
	if unzipped > uint64(lim.Unzipped) {
		return nil, bad(fmt.Sprintf("tệp Excel giải nén ra hơn %s (giới hạn của hệ thống)", mib(lim.Unzipped)),
			fmt.Sprintf("the Excel file unpacks to more than %s (the limit)", mib(lim.Unzipped)))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.Unzipped, UnzipXMLSizeLimit: min(maxXMLInRAM, lim.Unzipped)})
	if err != nil {
		return nil, bad("không mở được tệp Excel (.xlsx): "+err.Error(), "cannot open the Excel file: "+err.Error())
	}
	return &XLSX{File: file, f: f, lim: lim}, nil
}

// Close releases the workbook and its temporary files.
func (x *XLSX) Close() error { return x.f.Close() }

// Sheets lists the sheet names in workbook order.
func (x *XLSX) Sheets() []string { return x.f.GetSheetList() }

// ActiveSheet is the sheet the workbook opens on, else the first.
func (x *XLSX) ActiveSheet() string {
	if s := x.f.GetSheetName(x.f.GetActiveSheetIndex()); s != "" {
		return s
	}
	return x.f.GetSheetName(0)
}

// FindSheet returns the name of the first sheet whose name is one of the
// candidates, compared without case and surrounding spaces; "" if none.
func (x *XLSX) FindSheet(candidates ...string) string {
	for _, s := range x.Sheets() {
		for _, c := range candidates {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(c)) {
				return s
			}
		}
	}
	return ""
}

// Sheet streams the rows of one sheet under the workbook's limits. With raw,
// cells hold their stored values (numbers as stored, not as displayed).
// The reader reads no header: its first Next is the sheet's first
// non-blank row. Closing it leaves the workbook open.
func (x *XLSX) Sheet(sheet string, raw bool) (*Reader, error) {
	return x.SheetWithin(sheet, raw, x.lim)
}

// SheetWithin is Sheet with tighter limits, for a small sheet of a fixed
// layout that is checked before the rest of the workbook is read.
func (x *XLSX) SheetWithin(sheet string, raw bool, lim Limits) (*Reader, error) {
	r := &Reader{Head: Head{File: x.File, Sheet: sheet}, lim: lim}
	rows, err := x.f.Rows(sheet)
	if err != nil {
		return nil, r.problem(0, "", "không đọc được sheet trong tệp Excel: "+err.Error(), "cannot read the Excel sheet: "+err.Error())
	}
	opts := excelize.Options{RawCellValue: raw}
	n := 0
	r.next = func() (int, []string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return 0, nil, r.unreadableRow(n+1, err)
			}
			return 0, nil, io.EOF
		}
		n++
		cells, err := rows.Columns(opts)
		if err != nil {
			return 0, nil, r.unreadableRow(n, err)
		}
		return n, cells, nil
	}
	r.close = rows.Close
	return r, nil
}

// unreadableRow is the problem of a row that excelize cannot read (a
// malformed cell reference in the file, say): no cell of it can be named,
// so the problem is the sheet's, and its text names the row.
func (r *Reader) unreadableRow(row int, err error) error {
	return r.problem(0, "", fmt.Sprintf("không đọc được dòng %d của sheet trong tệp Excel: %v", row, err),
		fmt.Sprintf("cannot read row %d of the Excel sheet: %v", row, err))
}
