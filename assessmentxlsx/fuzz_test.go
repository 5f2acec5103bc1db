package assessmentxlsx_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"parindex/assessment"
	"parindex/assessmentxlsx"
	"parindex/tabular/tabulartest"
)

// FuzzRead feeds arbitrary bytes to Read against the reference framework
// province-departments-2026 and an assessment of SNV, seeded with the
// template itself and with a filled-in one. See checkUpload.
func FuzzRead(f *testing.F) {
	tm := template(f)
	data, err := assessmentxlsx.Bytes(tm)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	filled := tabulartest.Edit(f, data, func(x *excelize.File) {
		x.SetCellValue(assessmentxlsx.SheetScores, "E"+itoa(rowOf(f, x, assessmentxlsx.SheetScores, "2.3")), 2.5)
		x.SetCellValue(assessmentxlsx.SheetMetrics, "C"+itoa(rowOf(f, x, assessmentxlsx.SheetMetrics, "plan_tasks_total")), 10)
	})
	f.Add(filled)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkUpload(t, tm, data)
	})
}

// FuzzReadCells writes a fuzzed text or number into one cell of the
// template (any of its sheets, the hidden one included), as a person or a
// careless macro would, and reads it back. See checkUpload.
func FuzzReadCells(f *testing.F) {
	tm := template(f)
	base, err := assessmentxlsx.Bytes(tm)
	if err != nil {
		f.Fatal(err)
	}
	x := tabulartest.Open(f, base)
	sheets := x.GetSheetList()
	row := func(sheet, code string) uint8 { return uint8(rowOf(f, x, sheet, code) - 1) }
	scores, metrics := uint8(0), uint8(1)
	// sheet, row and column pick the cell (modulo the sheet's size plus
	// one); number writes the value as a number cell when it reads as one.
	f.Add(scores, row(assessmentxlsx.SheetScores, "2.3"), uint8(4), "2,75", false)
	f.Add(scores, row(assessmentxlsx.SheetScores, "2.3"), uint8(4), "3.0000000001", true)
	f.Add(scores, row(assessmentxlsx.SheetScores, "2.3"), uint8(4), "-0", true)
	f.Add(scores, row(assessmentxlsx.SheetScores, "2.3"), uint8(4), "1e308", true)
	f.Add(scores, row(assessmentxlsx.SheetScores, "1.1"), uint8(5), "KHÔNG ĐẠT", false)
	f.Add(scores, row(assessmentxlsx.SheetScores, "1.1"), uint8(6), "X", false)
	f.Add(scores, row(assessmentxlsx.SheetScores, "1.1"), uint8(7), strings.Repeat("ghi chú ", 501), false)
	f.Add(scores, row(assessmentxlsx.SheetScores, "1.1"), uint8(7), "a_x0000_b", false)
	f.Add(scores, row(assessmentxlsx.SheetScores, "1.1"), uint8(0), "1.2", false)
	f.Add(scores, uint8(0), uint8(4), "Điểm (points)", false)
	f.Add(metrics, row(assessmentxlsx.SheetMetrics, "plan_tasks_total"), uint8(2), "NaN", false)
	f.Add(metrics, row(assessmentxlsx.SheetMetrics, "plan_tasks_total"), uint8(2), "1 000", false)
	f.Add(metrics, row(assessmentxlsx.SheetMetrics, "plan_tasks_total"), uint8(0), "plan_tasks_done", false)
	f.Add(uint8(3), uint8(2), uint8(1), "other-hash", false)
	f.Fuzz(func(t *testing.T, sheet, row, col uint8, value string, number bool) {
		// A value excelize refuses (too long a text) leaves the cell as it
		// was: the template is read as it is.
		data, _ := tabulartest.EditCell(t, base, sheets, sheet, row, col, value, number)
		checkUpload(t, tm, data)
	})
}

// checkUpload reads data against the template. A refusal must be
// parindex.InputErrors naming the file, in both languages, with a column
// for every problem on a row. An accepted upload gives exactly one update
// per leaf that takes input, each passing the store's own checks (so that
// SaveEntries cannot refuse it), with notes the database can store, and
// metric values that are finite and not negative.
func checkUpload(t *testing.T, tm assessmentxlsx.Template, data []byte) {
	t.Helper()
	up, err := assessmentxlsx.Read("snv.xlsx", bytes.NewReader(data), tm)
	if err != nil {
		for _, e := range tabulartest.CheckInputErrors(t, "snv.xlsx", err) {
			if e.Row > 1 && (e.Sheet == "" || e.Column == "") {
				t.Fatalf("problem without its place: %+v", e)
			}
		}
		return
	}
	f := tm.Framework
	want := 0
	for _, n := range f.Leaves() {
		if assessment.Appraisable(n) {
			want++
		}
	}
	if len(up.Updates) != want {
		t.Fatalf("%d updates for %d leaves that take input", len(up.Updates), want)
	}
	seen := map[string]bool{}
	for _, u := range up.Updates {
		n := f.Find(u.Node)
		if n == nil || !assessment.Appraisable(n) || seen[u.Node] {
			t.Fatalf("update for %q: not a leaf taking input, or repeated", u.Node)
		}
		seen[u.Node] = true
		if p := assessment.CheckLeafValue(n, u.Value); len(p) > 0 {
			t.Fatalf("accepted %s = %+v, which the store refuses: %v", u.Node, u.Value, p)
		}
		if !utf8.ValidString(u.Note) || utf8.RuneCountInString(u.Note) > assessment.MaxNoteLength || strings.ContainsRune(u.Note, 0) {
			t.Fatalf("accepted note of %s: %q", u.Node, u.Note)
		}
		for m, v := range u.Metrics {
			if v != nil && (assessment.CheckMetricValue(m, *v) != nil || math.IsInf(*v, 0)) {
				t.Fatalf("accepted metric %s = %v", m, *v)
			}
		}
	}
	for _, c := range up.Changes {
		if c.Sheet == "" || c.Row < 2 || c.Column == "" || (c.Node == "") == (c.Metric == "") {
			t.Fatalf("change without its place: %+v", c)
		}
	}
}
