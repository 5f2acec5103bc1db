package criteriaxlsx_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/tabular/tabulartest"
)

func marshal(t *testing.T, f *criteria.Framework) string {
	t.Helper()
	data, err := criteria.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func roundTrip(t *testing.T, f *criteria.Framework) *criteria.Framework {
	t.Helper()
	data, err := criteriaxlsx.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := criteriaxlsx.Read(f.Code+".xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read back %s:\n%v", f.Code, err)
	}
	return back
}

func TestReferenceFrameworksRoundTrip(t *testing.T) {
	codes := criteria.References()
	if len(codes) != 3 {
		t.Fatalf("references = %v", codes)
	}
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			f, err := criteria.Reference(code)
			if err != nil {
				t.Fatal(err)
			}
			want := marshal(t, f)
			back := roundTrip(t, f)
			if got := marshal(t, back); got != want {
				t.Errorf("round trip differs\n--- want\n%s\n--- got\n%s", want, got)
			}
			if back.Hash() != f.Hash() {
				t.Error("hash changed")
			}
		})
	}
}

// TestEveryKeyRoundTrips uses every key and non-default value the format
// knows, and numbers beyond Excel's 15 digits.
func TestEveryKeyRoundTrips(t *testing.T) {
	src := `code: every-key-2027
name: "Mọi khóa: thử nghiệm"
description: "Dòng một\nDòng hai"
year: 2027
agency_types: [commune, ward]
source: "=SUM(A1) is text, not a formula"
rounding: 0
cap_index: 99.5
missing: exclude
survey_responses: not_doubtful
bands:
  - {code: A, name: "Tốt", description: "Từ 0,30000000000000004 trở lên", min: 0.30000000000000004}
  - {code: B, name: "Khá", min: 0}
nodes:
  - code: "1"
    name: "Lĩnh vực"
    description: "mô tả"
    max: 10.000001
    missing: zero
    children:
      - {code: "1.10", name: "Chấm", max: 1, method: assessed, step: 0.5, missing: exclude}
      - {code: "1.2", name: "Có/không", max: 1, method: boolean}
      - {code: "1.3", name: "Tỷ lệ", max: 1, method: ratio, numerator: a_done, denominator: a_total, target: 0.8}
      - {code: "1.4", name: "Mức", max: 1, method: tiers, numerator: a_done, denominator: a_total, tiers: [{min: 0.9, points: 1}, {min: 1e-7, points: 0.000001}, {min: 0, points: 0}]}
      - {code: "1.5", name: "Tương đối", max: 1, method: relative, numerator: a_done, denominator: a_total}
      - {code: "1.6", name: "Đếm", max: 1, method: count, metric: items, per_unit: 0.25}
      - {code: "1.7", name: "Công thức", max: 1.000001, method: formula, formula: "max * min(1, a_done / a_total)"}
      - {code: "1.8", name: "Khảo sát", max: 2, method: survey, instrument: sipas-2026, question: q1, measure: mean100}
      - {code: "1.9", name: "Khảo sát chung", max: 1, method: survey, instrument: sipas-2026}
  - code: "T"
    name: "Thưởng, trừ"
    adjustment: true
    children:
      - {code: "T.1", name: "Thưởng", method: bonus, cap: 0}
      - {code: "T.2", name: "Trừ", method: penalty, cap: 2.5, missing: exclude}
`
	f, _, err := criteria.Parse("every.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := marshal(t, f)
	if got := marshal(t, roundTrip(t, f)); got != want {
		t.Errorf("round trip differs\n--- want\n%s\n--- got\n%s", want, got)
	}
}

// TestLayoutCoversTheFormat fails when the YAML format gains a key that
// the workbook cannot hold.
func TestLayoutCoversTheFormat(t *testing.T) {
	f, _ := criteria.Reference("service-index-766")
	data, err := criteriaxlsx.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	x := tabulartest.Open(t, data)
	if got := x.GetSheetList(); !slices.Equal(got, []string{criteriaxlsx.SheetFramework, criteriaxlsx.SheetBands, criteriaxlsx.SheetNodes, criteriaxlsx.SheetGuide}) {
		t.Fatalf("sheets = %v", got)
	}
	headerKeys := func(sheet string) []string {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, h := range rows[0] {
			keys = append(keys, h[strings.LastIndex(h, "(")+1:len(h)-1])
		}
		return keys
	}
	rows, _ := x.GetRows(criteriaxlsx.SheetFramework)
	var fwKeys []string
	for _, r := range rows[1:] {
		fwKeys = append(fwKeys, r[0])
	}
	if want := criteria.FrameworkKeys(); !slices.Equal(append(fwKeys, "bands", "nodes"), want) {
		t.Errorf("framework sheet keys = %v, want %v (+ bands, nodes)", fwKeys, want)
	}
	if got, want := headerKeys(criteriaxlsx.SheetBands), criteria.BandKeys(); !slices.Equal(got, want) {
		t.Errorf("band columns = %v, want %v", got, want)
	}
	nodeKeys := headerKeys(criteriaxlsx.SheetNodes)
	for _, k := range criteria.NodeKeys() {
		if k != "children" && !slices.Contains(nodeKeys, k) {
			t.Errorf("no column for node key %s", k)
		}
	}
	if panes, _ := x.GetPanes(criteriaxlsx.SheetNodes); !panes.Freeze {
		t.Error("node header not frozen")
	}
	// Codes are text cells, so Excel keeps "1.10" and "5.1" as written.
	if typ, _ := x.GetCellType(criteriaxlsx.SheetNodes, "A2"); typ != excelize.CellTypeSharedString {
		t.Errorf("code cell type = %v", typ)
	}
}

// nodeRow is the row of the node with the code on the nodes sheet.
func nodeRow(t *testing.T, f *criteria.Framework, code string) int {
	t.Helper()
	for i, n := range f.All() {
		if n.Code == code {
			return i + 2
		}
	}
	t.Fatalf("no node %s", code)
	return 0
}

func edit(t *testing.T, f *criteria.Framework, change func(x *excelize.File)) []byte {
	t.Helper()
	data, err := criteriaxlsx.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	return tabulartest.Edit(t, data, change)
}

func readErrors(t *testing.T, data []byte) parindex.InputErrors {
	t.Helper()
	_, _, err := criteriaxlsx.Read("broken.xlsx", bytes.NewReader(data))
	var ie parindex.InputErrors
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want InputErrors", err)
	}
	return ie
}

func TestBrokenWorkbookReportsEveryProblem(t *testing.T) {
	f, _ := criteria.Reference("province-departments-2026")
	nodes := criteriaxlsx.SheetNodes
	set := func(x *excelize.File, sheet, cell string, v any) {
		t.Helper()
		if err := x.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	row := func(code string) string { return strconv.Itoa(nodeRow(t, f, code)) }
	data := edit(t, f, func(x *excelize.File) {
		set(x, criteriaxlsx.SheetFramework, "B5", "hai nghìn")  // year
		set(x, criteriaxlsx.SheetBands, "B2", "")               // band A without name
		set(x, criteriaxlsx.SheetBands, "D3", "tám mươi")       // band B min
		set(x, nodes, "F"+row("1.1"), "một")                    // max not a number
		set(x, nodes, "G"+row("1.2"), "vote")                   // unknown method
		set(x, nodes, "L"+row("1.4"), "1 -> 2; 0: 0")           // malformed tiers
		set(x, nodes, "I"+row("1.1"), "records_total")          // numerator on a boolean leaf
		set(x, nodes, "F"+row("3"), 99)                         // group max ≠ sum of children
		set(x, nodes, "A"+row("2.2"), "1.3")                    // duplicate code
		set(x, nodes, "N"+row("1.5"), "")                       // count without per_unit
		set(x, nodes, "H"+row("1.3"), 0)                        // step on a ratio leaf
		set(x, nodes, "K"+row("1.3"), 0)                        // target 0
		set(x, criteriaxlsx.SheetFramework, "B10", "sometimes") // missing policy
	})
	errs := readErrors(t, data)
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%s|%d|%s|%s", e.Sheet, e.Row, e.Column, e.EN))
		if e.File != "broken.xlsx" || e.VI == "" || e.EN == "" {
			t.Errorf("incomplete problem %+v", e)
		}
	}
	all := strings.Join(got, "\n")
	want := []string{
		criteriaxlsx.SheetFramework + "|5|B (value)|value must be a whole number",
		criteriaxlsx.SheetFramework + "|10|B (value)|unknown missing policy \"sometimes\"",
		criteriaxlsx.SheetBands + "|2|B (name)|band A has no name",
		criteriaxlsx.SheetBands + "|3|D (min)|min must be a number",
		nodes + "|" + row("1.1") + "|F (max)|max must be a number",
		nodes + "|" + row("1.1") + "|I (numerator)|node 1.1: numerator does not apply to method boolean",
		nodes + "|" + row("1.2") + "|G (method)|node 1.2: unknown method \"vote\"",
		nodes + "|" + row("1.3") + "|H (step)|node 1.3: step does not apply to method ratio",
		nodes + "|" + row("1.3") + "|K (target)|node 1.3: target must be greater than 0",
		nodes + "|" + row("1.4") + "|L (tiers)|node 1.4: tier 1 \"1 -> 2\" must read 'min: points'",
		nodes + "|" + row("1.5") + "|N (per_unit)|node 1.5: method count needs per_unit",
		nodes + "|" + row("3") + "|F (max)|node 3: max 99 is not the sum of its children's maxima",
		nodes + "|" + row("2.2") + "|A (code)|node 1.3: duplicate code \"1.3\" (first used on row " + row("1.3") + ")",
	}
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	// A bad cell is reported once, not again by the tree rules ("max is
	// missing" on 1.1, "year is missing").
	for _, unwanted := range []string{"max is missing", "year is missing", "band C"} {
		if strings.Contains(all, unwanted) {
			t.Errorf("follow-on problem %q reported:\n%s", unwanted, all)
		}
	}
	// Ordered by sheet, then row.
	if !strings.HasPrefix(got[0], criteriaxlsx.SheetFramework) || !strings.HasPrefix(got[len(got)-1], nodes) {
		t.Errorf("problems not ordered by sheet:\n%s", all)
	}
	if t.Failed() {
		t.Logf("problems:\n%s", all)
	}
	if loc := errs[0].Location(); !strings.Contains(loc, "sheet "+criteriaxlsx.SheetFramework+", dòng 5, cột B (value)") {
		t.Errorf("location = %q", loc)
	}
}

func TestParentProblems(t *testing.T) {
	f, _ := criteria.Reference("province-departments-2026")
	row := func(code string) string { return strconv.Itoa(nodeRow(t, f, code)) }
	data := edit(t, f, func(x *excelize.File) {
		x.SetCellValue(criteriaxlsx.SheetNodes, "B"+row("1.1"), "1.2") // listed below
		x.SetCellValue(criteriaxlsx.SheetNodes, "B"+row("2.1"), "9.9") // unknown
		x.SetCellValue(criteriaxlsx.SheetNodes, "B"+row("2.2"), "2.2") // itself
	})
	errs := readErrors(t, data)
	all := errs.Error()
	if len(errs) != 3 {
		t.Errorf("%d problems, want 3 (no follow-on sums):\n%s", len(errs), all)
	}
	for _, w := range []string{
		"dòng " + row("1.1") + ", cột B (parent): tiêu chí cha 1.2 phải nằm ở một dòng phía trên (đang ở dòng " + row("1.2") + ")",
		"dòng " + row("2.1") + ", cột B (parent): không có tiêu chí mã \"9.9\"",
		"dòng " + row("2.2") + ", cột B (parent): tiêu chí 2.2 không thể là tiêu chí cha của chính nó",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in\n%s", w, all)
		}
	}
}

func TestWorkbookShapeProblems(t *testing.T) {
	f, _ := criteria.Reference("service-index-766")
	data := edit(t, f, func(x *excelize.File) {
		x.DeleteSheet(criteriaxlsx.SheetBands)
		x.SetCellValue(criteriaxlsx.SheetNodes, "W1", "Ghi chú")
		x.SetCellValue(criteriaxlsx.SheetNodes, "B1", "")
	})
	errs := readErrors(t, data)
	all := errs.Error()
	for _, w := range []string{"thiếu sheet \"Xếp loại\"", "cột \"Ghi chú\" không có trong mẫu", "thiếu cột parent"} {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in\n%s", w, all)
		}
	}
	if _, _, err := criteriaxlsx.Read("x.xlsx", strings.NewReader("not a zip")); err == nil || !strings.Contains(err.Error(), "x.xlsx") {
		t.Errorf("not a workbook: %v", err)
	}
}

func TestEnglishSheetNamesAndDecimalCommas(t *testing.T) {
	f, _ := criteria.Reference("service-index-766")
	want := marshal(t, f)
	row := nodeRow(t, f, "1.1")
	data := edit(t, f, func(x *excelize.File) {
		x.SetSheetName(criteriaxlsx.SheetFramework, "framework")
		x.SetSheetName(criteriaxlsx.SheetBands, "Bands")
		x.SetSheetName(criteriaxlsx.SheetNodes, "nodes")
		v, _ := x.GetCellValue("nodes", fmt.Sprintf("L%d", row))
		x.SetCellStr("nodes", fmt.Sprintf("L%d", row), strings.ReplaceAll(v, ".", ","))
	})
	back, _, err := criteriaxlsx.Read("en.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := marshal(t, back); got != want {
		t.Errorf("differs\n%s\n---\n%s", want, got)
	}
}

func TestWarningsPointAtRows(t *testing.T) {
	f, _ := criteria.Reference("communes-2026")
	var leaf *criteria.Node
	for _, n := range f.Leaves() {
		if n.Method == criteria.MethodSurvey && n.Element != "" {
			leaf = n
			break
		}
	}
	leaf.Element = "acess"
	data, err := criteriaxlsx.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	_, ws, err := criteriaxlsx.Read("w.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Node != leaf.Code || ws[0].Line != nodeRow(t, f, leaf.Code) || ws[0].File != "w.xlsx" {
		t.Errorf("warnings = %+v", ws)
	}
}
