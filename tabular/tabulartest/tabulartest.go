// Package tabulartest builds spreadsheet files for tests of the code that
// reads them through tabular.
package tabulartest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex/tabular"
)

// XLSXFromCSV writes a CSV text as the first sheet of a workbook, each row
// on the row number it has in the CSV, every cell as text.
func XLSXFromCSV(tb testing.TB, csv string) []byte {
	tb.Helper()
	tab, err := tabular.Read("seed.csv", strings.NewReader(csv))
	if err != nil {
		tb.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	rows := append([]tabular.Row{{Number: 1, Cells: tab.Header}}, tab.Rows...)
	for _, r := range rows {
		cells := make([]any, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = c
		}
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r.Number), &cells); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
