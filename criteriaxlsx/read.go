package criteriaxlsx

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"parindex"
	"parindex/criteria"
	"parindex/workbook"
)

// Read reads a framework from a workbook in the layout of this package.
// file names the workbook in messages. Problems come back together as
// parindex.InputErrors, each with its sheet, row and column; warnings
// (survey references only the database can check) carry the row of the
// node on the nodes sheet as their Line.
func Read(file string, r io.Reader) (*criteria.Framework, []criteria.Warning, error) {
	book, err := workbook.Open(file, r)
	if err != nil {
		return nil, nil, err
	}
	defer book.Close()
	rd := &reader{file: file, book: book, bad: map[place]bool{}}
	f := rd.read()
	if f == nil {
		return nil, nil, rd.sorted()
	}
	// The tree rules run even when some cells were bad, so that one pass
	// reports everything; problems on a row that already has a cell error
	// are left out, being consequences of it.
	if err := criteria.Validate(f); err != nil {
		var ve *criteria.ValidationError
		if !errors.As(err, &ve) {
			return nil, nil, err
		}
		for _, p := range ve.Problems {
			rd.problem(f, p)
		}
	}
	if len(rd.errs) > 0 {
		return nil, nil, rd.sorted()
	}
	f.ApplyDefaults()
	return f, rd.warnings(f), nil
}

// place is a row of a sheet.
type place struct {
	sheet string
	row   int
}

type reader struct {
	file string
	book *workbook.Book
	errs parindex.InputErrors
	// bad marks rows that already hold a cell error, so that validation
	// does not report the same mistake again in other words.
	bad map[place]bool

	sheets     map[string]*sheet // layout name → the sheet found
	keyRows    map[string]int    // framework key → row
	bandRows   []int             // row of each band
	nodeRows   map[*criteria.Node]int
	nodeByRow  map[int]*criteria.Node
	sheetOrder map[string]int
	// parentErrors is set when some node's parent could not be found.
	parentErrors bool
}

// previousBandBad reports whether the band above the band on row had a
// bad cell.
func (rd *reader) previousBandBad(row int) bool {
	i := slices.Index(rd.bandRows, row)
	return i > 0 && rd.bad[place{rd.sheets[SheetBands].name, rd.bandRows[i-1]}]
}

func (rd *reader) add(sheet string, row int, column, vi, en string) {
	rd.errs = append(rd.errs, parindex.InputError{File: rd.file, Sheet: sheet, Row: row, Column: column, VI: vi, EN: en})
	if row > 0 {
		rd.bad[place{sheet, row}] = true
	}
}

// sorted returns the problems in the order of the sheets, then rows.
func (rd *reader) sorted() parindex.InputErrors {
	out := slices.Clone(rd.errs)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := rd.sheetOrder[out[i].Sheet], rd.sheetOrder[out[j].Sheet]; a != b {
			return a < b
		}
		return out[i].Row < out[j].Row
	})
	return out
}

// sheet is one sheet of the layout as found in the workbook.
type sheet struct {
	name string
	rows []workbook.Row // data rows (the header excluded)
	cols map[string]int // key → column index
}

// columnLabel names a column for messages: its letter and its key.
func (s *sheet) columnLabel(key string) string {
	if i, ok := s.cols[key]; ok {
		return workbook.ColumnName(i) + " (" + key + ")"
	}
	return key
}

func (s *sheet) cell(r workbook.Row, key string) string {
	i, ok := s.cols[key]
	if !ok {
		return ""
	}
	return r.Cell(i)
}

// open finds a sheet of the layout and reads its header.
func (rd *reader) open(layoutName string, cols []workbook.KeyedColumn, required ...string) *sheet {
	name := rd.book.FindSheet(sheetNames[layoutName]...)
	if name == "" {
		rd.add(layoutName, 0, "",
			fmt.Sprintf("thiếu sheet %q; tệp cần các sheet %s, %s, %s", layoutName, SheetFramework, SheetBands, SheetNodes),
			fmt.Sprintf("missing sheet %q (%s); the workbook needs the sheets %s, %s, %s", layoutName, sheetNames[layoutName][1], SheetFramework, SheetBands, SheetNodes))
		return nil
	}
	rd.sheetOrder[name] = len(rd.sheetOrder) + 1
	rows, err := rd.book.Rows(name)
	if err != nil {
		rd.errs = append(rd.errs, rd.book.Problems(name, err)...)
		return nil
	}
	s := &sheet{name: name, cols: map[string]int{}}
	rd.sheets[layoutName] = s
	if len(rows) == 0 {
		rd.add(name, 1, "", "sheet trống: thiếu dòng tiêu đề", "the sheet is empty: no header row")
		return nil
	}
	header := rows[0]
	known := map[string]bool{}
	var names []string
	for _, c := range cols {
		known[c.Key] = true
		if c.Format != workbook.Note && c.Format != workbook.NoteNumber {
			names = append(names, c.Key)
		}
	}
	ok := true
	for i, h := range header.Cells {
		key := workbook.HeaderKey(h)
		switch {
		case key == "":
		case !known[key]:
			rd.add(name, header.Number, workbook.ColumnName(i),
				fmt.Sprintf("cột %q không có trong mẫu; các cột: %s", h, strings.Join(names, ", ")),
				fmt.Sprintf("unknown column %q; the columns are: %s", h, strings.Join(names, ", ")))
			ok = false
		default:
			if _, dup := s.cols[key]; dup {
				rd.add(name, header.Number, workbook.ColumnName(i),
					fmt.Sprintf("cột %s xuất hiện hai lần", key), fmt.Sprintf("column %s appears twice", key))
				ok = false
			}
			s.cols[key] = i
		}
	}
	for _, k := range required {
		if _, has := s.cols[k]; !has {
			rd.add(name, header.Number, k,
				fmt.Sprintf("thiếu cột %s; dòng tiêu đề cần: %s", k, strings.Join(required, ", ")),
				fmt.Sprintf("missing column %s; the header needs: %s", k, strings.Join(required, ", ")))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	s.rows = rows[1:]
	return s
}

// read builds the framework from the three sheets, collecting every cell
// problem. It returns nil when a sheet is missing or unreadable.
func (rd *reader) read() *criteria.Framework {
	rd.sheets = map[string]*sheet{}
	rd.sheetOrder = map[string]int{}
	rd.keyRows = map[string]int{}
	rd.nodeRows = map[*criteria.Node]int{}
	rd.nodeByRow = map[int]*criteria.Node{}
	fs := rd.open(SheetFramework, frameworkColumns, "key", "value")
	bs := rd.open(SheetBands, bandColumns, "code", "name", "min")
	ns := rd.open(SheetNodes, nodeColumns, "code", "parent", "name")
	if fs == nil || bs == nil || ns == nil {
		return nil
	}
	f := &criteria.Framework{Rounding: criteria.DefaultRounding}
	rd.readFramework(fs, f)
	rd.readBands(bs, f)
	rd.readNodes(ns, f)
	return f
}

// Cell readers: each reports a bad value at its sheet, row and column and
// returns the zero value.

func (rd *reader) number(s *sheet, row int, key, v string) (float64, bool) {
	if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1) // a decimal comma typed as text
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		rd.add(s.name, row, s.columnLabel(key),
			fmt.Sprintf("%s phải là một số, nhận được %q", key, v), fmt.Sprintf("%s must be a number, got %q", key, v))
		return 0, false
	}
	return x, true
}

func (rd *reader) integer(s *sheet, row int, key, v string) (int, bool) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x != math.Trunc(x) || math.Abs(x) > 1e9 {
		rd.add(s.name, row, s.columnLabel(key),
			fmt.Sprintf("%s phải là số nguyên, nhận được %q", key, v), fmt.Sprintf("%s must be a whole number, got %q", key, v))
		return 0, false
	}
	return int(x), true
}

func (rd *reader) boolean(s *sheet, row int, key, v string) bool {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "không", "sai":
		return false
	case "1", "true", "yes", "có", "x", "đúng":
		return true
	}
	rd.add(s.name, row, s.columnLabel(key),
		fmt.Sprintf("%s phải là TRUE hoặc để trống, nhận được %q", key, v), fmt.Sprintf("%s must be TRUE or empty, got %q", key, v))
	return false
}

func (rd *reader) readFramework(s *sheet, f *criteria.Framework) {
	allowed := make([]string, len(frameworkRows))
	for i, r := range frameworkRows {
		allowed[i] = r.key
	}
	for _, r := range s.rows {
		key := strings.ToLower(s.cell(r, "key"))
		v := s.cell(r, "value")
		if key == "" {
			if v != "" {
				rd.add(s.name, r.Number, s.columnLabel("key"), "thiếu khóa cho giá trị này", "a value without a key")
			}
			continue
		}
		if !slices.Contains(allowed, key) {
			rd.add(s.name, r.Number, s.columnLabel("key"),
				fmt.Sprintf("khóa %q không hợp lệ; các khóa: %s", key, strings.Join(allowed, ", ")),
				fmt.Sprintf("unknown key %q; the keys are: %s", key, strings.Join(allowed, ", ")))
			continue
		}
		if first, dup := rd.keyRows[key]; dup {
			rd.add(s.name, r.Number, s.columnLabel("key"),
				fmt.Sprintf("khóa %s xuất hiện hai lần (lần đầu ở dòng %d)", key, first),
				fmt.Sprintf("key %s appears twice (first on row %d)", key, first))
			continue
		}
		rd.keyRows[key] = r.Number
		if v == "" {
			continue
		}
		if p := f.TextField(key); p != nil {
			*p = v
			continue
		}
		switch key {
		case "year":
			f.Year, _ = rd.integer(s, r.Number, "value", v)
		case "agency_types":
			for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
				if t = strings.TrimSpace(t); t != "" {
					f.AgencyTypes = append(f.AgencyTypes, t)
				}
			}
		case "rounding":
			f.Rounding, _ = rd.integer(s, r.Number, "value", v)
		case "cap_index":
			if x, ok := rd.number(s, r.Number, "value", v); ok {
				f.CapIndex = &x
			}
		case "missing":
			f.Missing = criteria.MissingPolicy(v)
		case "survey_responses":
			f.SurveyResponses = criteria.SurveyResponses(v)
		}
	}
}

func (rd *reader) readBands(s *sheet, f *criteria.Framework) {
	for _, r := range s.rows {
		b := criteria.Band{Code: s.cell(r, "code"), Name: s.cell(r, "name"), Description: s.cell(r, "description")}
		if v := s.cell(r, "min"); v == "" {
			label := b.Code
			if label == "" {
				label = fmt.Sprintf("#%d", len(f.Bands)+1)
			}
			rd.add(s.name, r.Number, s.columnLabel("min"),
				fmt.Sprintf("mức xếp loại %s thiếu ngưỡng min", label), fmt.Sprintf("band %s has no min", label))
		} else {
			b.Min, _ = rd.number(s, r.Number, "min", v)
		}
		f.Bands = append(f.Bands, b)
		rd.bandRows = append(rd.bandRows, r.Number)
	}
}

// parameterKeys are the node columns that belong to methods.
var parameterKeys = []string{"max", "step", "numerator", "denominator", "target", "tiers", "metric", "per_unit",
	"formula", "instrument", "element", "question", "measure", "cap"}

func (rd *reader) readNodes(s *sheet, f *criteria.Framework) {
	firstRow := map[string]int{} // code → first row where it appears, over the whole sheet
	for _, r := range s.rows {
		if c := s.cell(r, "code"); c != "" {
			if _, seen := firstRow[c]; !seen {
				firstRow[c] = r.Number
			}
		}
	}
	defined := map[string]*criteria.Node{} // codes of the rows above
	filled := map[*criteria.Node][]string{}
	for _, r := range s.rows {
		n := &criteria.Node{Line: r.Number}
		rd.nodeRows[n] = r.Number
		rd.nodeByRow[r.Number] = n
		n.Code = s.cell(r, "code")
		n.Name = s.cell(r, "name")
		n.ShortName = s.cell(r, "short_name")
		n.Description = s.cell(r, "description")
		n.Adjustment = rd.boolean(s, r.Number, "adjustment", s.cell(r, "adjustment"))
		n.Method = criteria.Method(s.cell(r, "method"))
		n.Missing = criteria.MissingPolicy(s.cell(r, "missing"))
		for _, key := range parameterKeys {
			v := s.cell(r, key)
			if v == "" {
				continue
			}
			filled[n] = append(filled[n], key)
			rd.parameter(s, r.Number, n, key, v)
		}
		// Parameters whose empty cell the validator would take for a
		// value: an empty cap or per_unit reads as 0.
		switch {
		case n.Method.IsAdjustment() && s.cell(r, "cap") == "":
			rd.add(s.name, r.Number, s.columnLabel("cap"),
				fmt.Sprintf("tiêu chí %s: thiếu mức trần (cap); khoản %s cần số điểm tối đa được cộng hoặc trừ", n.Code, n.Method),
				fmt.Sprintf("node %s: cap is missing; a %s leaf needs the most points it may add or remove", n.Code, n.Method))
		case n.Method == criteria.MethodCount && s.cell(r, "per_unit") == "":
			rd.add(s.name, r.Number, s.columnLabel("per_unit"),
				fmt.Sprintf("tiêu chí %s: phương pháp count cần số điểm cho mỗi đơn vị (per_unit)", n.Code),
				fmt.Sprintf("node %s: method count needs per_unit (the points each unit counted earns)", n.Code))
		}

		parent := s.cell(r, "parent")
		switch p, ok := defined[parent]; {
		case parent == "":
			f.Nodes = append(f.Nodes, n)
		case ok:
			p.Children = append(p.Children, n)
		default:
			switch first, later := firstRow[parent]; {
			case parent == n.Code && first == r.Number:
				rd.add(s.name, r.Number, s.columnLabel("parent"),
					fmt.Sprintf("tiêu chí %s không thể là tiêu chí cha của chính nó", n.Code),
					fmt.Sprintf("node %s cannot be its own parent", n.Code))
			case later:
				rd.add(s.name, r.Number, s.columnLabel("parent"),
					fmt.Sprintf("tiêu chí cha %s phải nằm ở một dòng phía trên (đang ở dòng %d)", parent, first),
					fmt.Sprintf("parent %s must be listed above its children (it is on row %d)", parent, first))
			default:
				rd.add(s.name, r.Number, s.columnLabel("parent"),
					fmt.Sprintf("không có tiêu chí mã %q để làm tiêu chí cha", parent),
					fmt.Sprintf("no node with code %q to be the parent", parent))
			}
			// Keep the node, at the top, so that its own cells are
			// still checked.
			rd.parentErrors = true
			f.Nodes = append(f.Nodes, n)
		}
		if _, dup := defined[n.Code]; !dup && n.Code != "" {
			defined[n.Code] = n
		}
	}

	// Parameters that do not belong to the node: the YAML reader refuses
	// them as keys, and here they would silently disappear.
	f.Walk(func(n *criteria.Node, _ []*criteria.Node) bool {
		row := rd.nodeRows[n]
		for _, key := range filled[n] {
			switch {
			case !n.IsLeaf() && key != "max":
				rd.add(s.name, row, s.columnLabel(key),
					fmt.Sprintf("tiêu chí %s: cột %s không dùng cho tiêu chí có tiêu chí con (điểm tối đa bằng tổng điểm các tiêu chí con); hãy để trống", n.Code, key),
					fmt.Sprintf("node %s: %s does not apply to a node with children (its maximum is the sum of theirs); leave it empty", n.Code, key))
			case n.IsLeaf() && n.Method.Valid() && !slices.Contains(criteria.MethodKeys(n.Method), key):
				keys := criteria.MethodKeys(n.Method)
				rd.add(s.name, row, s.columnLabel(key),
					fmt.Sprintf("tiêu chí %s: cột %s không dùng cho phương pháp %s; các cột của %s: %s", n.Code, key, n.Method, n.Method, strings.Join(keys, ", ")),
					fmt.Sprintf("node %s: %s does not apply to method %s; columns for %s: %s", n.Code, key, n.Method, n.Method, strings.Join(keys, ", ")))
			}
		}
		return true
	})
}

// parameter reads one method parameter cell into the node.
func (rd *reader) parameter(s *sheet, row int, n *criteria.Node, key, v string) {
	num := func(positive bool) float64 {
		x, ok := rd.number(s, row, key, v)
		if ok && positive && x <= 0 {
			// The validator reads 0 as "not given" and would apply the
			// default, so an explicit 0 is refused here.
			rd.add(s.name, row, s.columnLabel(key),
				fmt.Sprintf("tiêu chí %s: %s phải lớn hơn 0, nhận được %s; để trống để dùng giá trị mặc định", n.Code, key, v),
				fmt.Sprintf("node %s: %s must be greater than 0, got %s; leave it empty for the default", n.Code, key, v))
		}
		return x
	}
	if p := n.TextField(key); p != nil {
		*p = v
		return
	}
	switch key {
	case "max":
		if x, ok := rd.number(s, row, key, v); ok {
			n.Max = &x
		}
	case "step":
		n.Step = num(true)
	case "target":
		n.Target = num(true)
	case "per_unit":
		n.PerUnit = num(false)
	case "cap":
		n.Cap = num(false)
	case "measure":
		n.Measure = criteria.Measure(v)
	case "tiers":
		n.Tiers = rd.tiers(s, row, n, v)
	}
}

// tiers reads "min: points; min: points; …", accepting a decimal comma.
func (rd *reader) tiers(s *sheet, row int, n *criteria.Node, v string) []criteria.Tier {
	var out []criteria.Tier
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' })
	for i, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, ok := strings.Cut(part, ":")
		parse := func(x string) (float64, bool) {
			x = strings.TrimSpace(x)
			if strings.Count(x, ",") == 1 && !strings.Contains(x, ".") {
				x = strings.Replace(x, ",", ".", 1)
			}
			f, err := strconv.ParseFloat(x, 64)
			return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
		}
		lv, lok := parse(lo)
		hv, hok := parse(hi)
		if !ok || !lok || !hok {
			rd.add(s.name, row, s.columnLabel("tiers"),
				fmt.Sprintf("tiêu chí %s: mức thứ %d %q phải có dạng 'tỷ lệ: điểm', ví dụ 0.9: 1", n.Code, i+1, part),
				fmt.Sprintf("node %s: tier %d %q must read 'min: points', e.g. 0.9: 1", n.Code, i+1, part))
			continue
		}
		out = append(out, criteria.Tier{Min: lv, Points: hv})
	}
	return out
}

// problem maps one validation problem back to its sheet, row and column.
func (rd *reader) problem(f *criteria.Framework, p criteria.Problem) {
	vi := p.MessageVI
	if vi == "" {
		vi = p.Message
	}
	en := p.Message
	if p.Node != "" {
		vi, en = "tiêu chí "+p.Node+": "+vi, "node "+p.Node+": "+en
	}
	layout, row, key := rd.locate(f, p)
	s := rd.sheets[layout]
	switch {
	case row > 0 && rd.bad[place{s.name, row}]:
		return
	case p.Rule == criteria.RuleBandOrder && rd.previousBandBad(row):
		return
	case (p.Rule == criteria.RuleParentMaxSum || p.Rule == criteria.RuleZeroTotal) && rd.parentErrors:
		// A node whose parent could not be found sits at the top until
		// the parent is fixed, so the sums above it mean nothing yet.
		return
	}
	if layout == SheetNodes {
		en = strings.Replace(en, "(first used on line ", "(first used on row ", 1)
	}
	label := ""
	switch {
	case layout == SheetFramework && row > 0:
		label = s.columnLabel("value")
	case layout == SheetFramework:
		label = key
	case key != "":
		label = s.columnLabel(key)
	}
	rd.errs = append(rd.errs, parindex.InputError{File: rd.file, Sheet: s.name, Row: row, Column: label, VI: vi, EN: en})
}

// nodeRuleColumn is the column that holds what a node rule is about.
var nodeRuleColumn = map[criteria.Rule]string{
	criteria.RuleMissingCode: "code", criteria.RuleDuplicateCode: "code", criteria.RuleMissingName: "name",
	criteria.RuleTooDeep: "parent", criteria.RuleChildrenAndMeth: "method", criteria.RuleMissingMethod: "method",
	criteria.RuleUnknownMethod: "method", criteria.RuleMissingMax: "max", criteria.RuleNegativeMax: "max",
	criteria.RuleParentMaxSum: "max", criteria.RuleAdjustmentMax: "max", criteria.RuleMissingPolicy: "missing",
	criteria.RuleMissingNumerator: "numerator", criteria.RuleMissingDenom: "denominator", criteria.RuleTarget: "target",
	criteria.RuleStep: "step", criteria.RuleNoTiers: "tiers", criteria.RuleTierMissingMin: "tiers",
	criteria.RuleTierMissingPts: "tiers", criteria.RuleTierOrder: "tiers", criteria.RuleTierFloor: "tiers",
	criteria.RuleTierPointsAbove: "tiers", criteria.RuleTierPointsNeg: "tiers", criteria.RuleCountMetric: "metric",
	criteria.RuleCountPerUnit: "per_unit", criteria.RulePerUnit: "per_unit", criteria.RuleMissingFormula: "formula",
	criteria.RuleFormulaSyntax: "formula", criteria.RuleFormulaFunction: "formula", criteria.RuleFormulaArgs: "formula",
	criteria.RuleFormulaIdent: "formula", criteria.RuleFormulaMember: "formula", criteria.RuleFormulaOperator: "formula",
	criteria.RuleFormulaConstruct: "formula", criteria.RuleFormulaTooLong: "formula", criteria.RuleFormulaCompile: "formula",
	criteria.RuleBonusOutside: "method", criteria.RuleScoredInside: "method", criteria.RuleMissingCap: "cap",
	criteria.RuleNegativeCap: "cap", criteria.RuleMissingInstr: "instrument", criteria.RuleElementQuestion: "question",
	criteria.RuleBadMeasure: "measure",
}

// frameworkRuleKey is the framework-level key a framework rule is about.
var frameworkRuleKey = map[criteria.Rule]string{
	criteria.RuleMissingCode: "code", criteria.RuleBadCode: "code", criteria.RuleMissingName: "name",
	criteria.RuleMissingYear: "year", criteria.RuleYearRange: "year", criteria.RuleNoAgencyTypes: "agency_types",
	criteria.RuleBadAgencyType: "agency_types", criteria.RuleDupAgencyType: "agency_types",
	criteria.RuleRounding: "rounding", criteria.RuleCapIndex: "cap_index", criteria.RuleMissingPolicy: "missing",
	criteria.RuleSurveyResponses: "survey_responses",
}

// locate finds the sheet, row and column key of a problem. Validate
// locates node problems by Node.Line, which holds the row; framework and
// band problems carry no line and are found by their rule and wording.
func (rd *reader) locate(f *criteria.Framework, p criteria.Problem) (sheet string, row int, key string) {
	if p.Line > 0 {
		n := rd.nodeByRow[p.Line]
		key = nodeRuleColumn[p.Rule]
		switch {
		case p.Rule == criteria.RuleBadMetric:
			key, _, _ = strings.Cut(p.Message, " ")
		case p.Rule == criteria.RuleBadCode && n != nil:
			key = "code"
			for _, c := range []struct{ key, value string }{{"instrument", n.Instrument}, {"element", n.Element}, {"question", n.Question}} {
				if c.value != "" && c.value != n.Code && strings.HasPrefix(p.Message, fmt.Sprintf("code %q ", c.value)) {
					key = c.key
				}
			}
		}
		return SheetNodes, p.Line, key
	}
	switch p.Rule {
	case criteria.RuleNoNodes, criteria.RuleZeroTotal:
		return SheetNodes, 0, ""
	case criteria.RuleNoBands:
		return SheetBands, 0, ""
	case criteria.RuleBandMissingCode:
		var i int
		if _, err := fmt.Sscanf(p.Message, "band %d ", &i); err == nil && i >= 1 && i <= len(rd.bandRows) {
			return SheetBands, rd.bandRows[i-1], "code"
		}
		return SheetBands, 0, "code"
	case criteria.RuleBandMissingName, criteria.RuleBandOrder, criteria.RuleBandFloor, criteria.RuleBandDuplicate:
		key := map[criteria.Rule]string{criteria.RuleBandMissingName: "name", criteria.RuleBandDuplicate: "code"}[p.Rule]
		if key == "" {
			key = "min"
		}
		return SheetBands, rd.bandRow(f, p), key
	}
	if p.Rule == criteria.RuleBadCode && !strings.HasPrefix(p.Message, fmt.Sprintf("code %q ", f.Code)) {
		return SheetBands, rd.bandRow(f, p), "code"
	}
	key = frameworkRuleKey[p.Rule]
	return SheetFramework, rd.keyRows[key], key
}

// bandRow finds the band a band problem names ("band B: …", "band code
// "B" is used twice", "the last band (D) …"); a repeated code is blamed on
// its last use.
func (rd *reader) bandRow(f *criteria.Framework, p criteria.Problem) int {
	row := 0
	for i, b := range f.Bands {
		label := b.Code
		if label == "" {
			label = fmt.Sprintf("#%d", i+1)
		}
		for _, pattern := range []string{"band " + label + " ", "band " + label + ":", fmt.Sprintf("%q", label), "(" + label + ")"} {
			if strings.Contains(p.Message, pattern) && i < len(rd.bandRows) {
				row = rd.bandRows[i]
			}
		}
	}
	return row
}

// warnings asks the YAML reader for the warnings of the framework (survey
// references only the database can check) and points them at node rows.
func (rd *reader) warnings(f *criteria.Framework) []criteria.Warning {
	data, err := criteria.Marshal(f)
	if err != nil {
		return nil
	}
	_, ws, _ := criteria.Parse(rd.file, data)
	for i := range ws {
		ws[i].File, ws[i].Line = rd.file, 0
		if n := f.Find(ws[i].Node); n != nil {
			ws[i].Line = rd.nodeRows[n]
		}
	}
	return ws
}
