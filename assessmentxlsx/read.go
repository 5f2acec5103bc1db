package assessmentxlsx

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/tabular"
	"parindex/workbook"
)

// Change is one difference an upload would make, for the dry-run report.
type Change struct {
	Sheet  string
	Row    int
	Column string
	Node   string // the leaf, or "" for a metric
	Metric string
	Old    string
	New    string
}

// Upload is a workbook read back: the updates for store.SaveEntries (every
// leaf of the sheet, as store.SaveEntries replaces a leaf's input whole)
// and the changes they would make against the assessment it was read for.
type Upload struct {
	Updates []assessment.EntryUpdate
	Changes []Change
}

// metaLimits bound the hidden sheet: a few settings and one row per node of
// a framework, two or three cells each.
var metaLimits = tabular.Limits{Rows: 10_000, Columns: 8, Cell: 1024, Cells: 30_000}

var sheetNames = map[string][]string{
	SheetScores:  {SheetScores, "scores"},
	SheetMetrics: {SheetMetrics, "metrics"},
	SheetMeta:    {SheetMeta},
}

type reader struct {
	file  string
	book  *workbook.Book
	errs  parindex.InputErrors
	order map[string]int
}

func (rd *reader) add(sheet string, row int, column, vi, en string) {
	rd.errs = append(rd.errs, parindex.InputError{File: rd.file, Sheet: sheet, Row: row, Column: column, VI: vi, EN: en})
}

func colLabel(cols []workbook.KeyedColumn, i int) string {
	return workbook.ColumnName(i) + " (" + cols[i].Key + ")"
}

// Read reads an agency's workbook against the framework (with its content
// hash) and the agency's current assessment. A workbook made for another
// framework, another version of it or another agency is refused before
// any cell is read; otherwise every bad cell is reported together as
// parindex.InputErrors (sheet, row, column), and nothing is returned.
func Read(file string, r io.Reader, t Template) (*Upload, error) {
	f, a := t.Framework, t.Assessment
	book, err := workbook.Open(file, r)
	if err != nil {
		return nil, err
	}
	defer book.Close()
	rd := &reader{file: file, book: book, order: map[string]int{}}
	rowNodes, ok := rd.meta(t)
	if !ok {
		return nil, rd.errs
	}
	up := &Upload{}
	byNode := map[string]*assessment.EntryUpdate{}
	rd.scores(f, a, rowNodes, up, byNode)
	rd.metrics(f, a, up, byNode)
	if len(rd.errs) > 0 {
		sort.SliceStable(rd.errs, func(i, j int) bool {
			if x, y := rd.order[rd.errs[i].Sheet], rd.order[rd.errs[j].Sheet]; x != y {
				return x < y
			}
			return rd.errs[i].Row < rd.errs[j].Row
		})
		return nil, rd.errs
	}
	return up, nil
}

// meta checks the hidden sheet: the right layout, framework, version and
// agency. It returns the node code of each scores row.
func (rd *reader) meta(t Template) (map[int]string, bool) {
	name := rd.book.FindSheet(sheetNames[SheetMeta]...)
	if name == "" {
		rd.add("", 0, "", "tệp không phải mẫu tự đánh giá tải từ hệ thống (thiếu sheet ẩn "+SheetMeta+"); hãy tải mẫu của đơn vị và nhập vào đó",
			"the file is not an assessment template downloaded from the system (hidden sheet "+SheetMeta+" is missing)")
		return nil, false
	}
	// The hidden sheet is read first and within tight bounds: a crafted
	// sheet is refused at its first row past them, before the rest of the
	// workbook is looked at.
	rows, err := rd.book.RowsWithin(name, metaLimits)
	if err != nil {
		rd.errs = append(rd.errs, rd.book.Problems(name, err)...)
		return nil, false
	}
	kv := map[string]string{}
	rowNodes := map[int]string{}
	for _, r := range rows[min(1, len(rows)):] {
		switch key := r.Cell(0); key {
		case "row":
			n, err := strconv.Atoi(r.Cell(1))
			if err == nil {
				rowNodes[n] = r.Cell(2)
			}
		default:
			kv[key] = r.Cell(1)
		}
	}
	f, a := t.Framework, t.Assessment
	switch {
	case kv["format"] != Format:
		rd.add(name, 0, "", fmt.Sprintf("tệp theo mẫu %q, hệ thống đọc mẫu %q; hãy tải mẫu mới", kv["format"], Format),
			fmt.Sprintf("the file has layout %q; the system reads %q; download a new template", kv["format"], Format))
	case kv["framework"] != f.Code:
		rd.add(name, 0, "", fmt.Sprintf("tệp dành cho bộ tiêu chí %s, không phải %s (%s); hãy tải mẫu của bộ tiêu chí đang đánh giá",
			kv["framework"], f.Code, f.Name),
			fmt.Sprintf("the file is for framework %s, not %s; download the template of the framework being assessed", kv["framework"], f.Code))
	case kv["hash"] != t.Hash:
		rd.add(name, 0, "", fmt.Sprintf("tệp được tạo từ một phiên bản khác của bộ tiêu chí %s (mã băm %s, hiện hành %s); hãy tải mẫu mới",
			f.Code, short(kv["hash"]), short(t.Hash)),
			fmt.Sprintf("the file was made from another version of framework %s (hash %s, current %s); download a new template",
				f.Code, short(kv["hash"]), short(t.Hash)))
	case kv["unit"] != a.UnitCode:
		rd.add(name, 0, "", fmt.Sprintf("tệp của đơn vị %s (%s), không phải %s (%s)", kv["unit"], kv["unit_name"], a.UnitCode, a.UnitName),
			fmt.Sprintf("the file belongs to unit %s, not %s", kv["unit"], a.UnitCode))
	}
	return rowNodes, len(rd.errs) == 0
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	if hash == "" {
		return "trống"
	}
	return hash
}

// open finds a sheet and checks its header against the layout: every
// column in its place (a moved column would put values in the wrong field).
func (rd *reader) open(layout string, cols []workbook.KeyedColumn) []workbook.Row {
	name := rd.book.FindSheet(sheetNames[layout]...)
	if name == "" {
		rd.add(layout, 0, "", fmt.Sprintf("thiếu sheet %q", layout), fmt.Sprintf("missing sheet %q", layout))
		return nil
	}
	rd.order[name] = len(rd.order) + 1
	rows, err := rd.book.Rows(name)
	if err != nil {
		rd.errs = append(rd.errs, rd.book.Problems(name, err)...)
		return nil
	}
	if len(rows) == 0 || rows[0].Number != 1 {
		rd.add(name, 1, "", "thiếu dòng tiêu đề", "the header row is missing")
		return nil
	}
	for i, c := range cols {
		if h := rows[0].Cell(i); workbook.HeaderKey(h) != c.Key {
			rd.add(name, 1, workbook.ColumnName(i), fmt.Sprintf("cột %s phải là %q, nhận được %q; không đổi thứ tự cột", workbook.ColumnName(i), c.Header(), h),
				fmt.Sprintf("column %s must be %q, got %q; do not move columns", workbook.ColumnName(i), c.Header(), h))
			return nil
		}
	}
	return rows[1:]
}

// parseNumber reads a number cell: raw numbers, and text typed with a
// decimal comma.
func parseNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "có", "co", "yes", "true", "1", "x", "đạt":
		return true, true
	case "không", "khong", "no", "false", "0", "không đạt":
		return false, true
	}
	return false, false
}

func showValue(v assessment.LeafValue) string {
	switch {
	case v.NotApplicable:
		return "không áp dụng"
	case v.Points != nil:
		return number(*v.Points)
	case v.Answer != nil && *v.Answer:
		return Yes
	case v.Answer != nil:
		return No
	}
	return "trống"
}

func (rd *reader) scores(f *criteria.Framework, a *assessment.Assessment, rowNodes map[int]string, up *Upload, byNode map[string]*assessment.EntryUpdate) {
	rows := rd.open(SheetScores, scoreColumns)
	if rows == nil {
		return
	}
	sheet := rd.book.FindSheet(sheetNames[SheetScores]...)
	seen := map[string]int{}
	for _, r := range rows {
		code := r.Cell(colCode)
		if want, ok := rowNodes[r.Number]; !ok || want != code {
			if !ok {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colCode), "dòng này không có trong mẫu; không thêm hoặc chuyển dòng",
					"this row is not in the template; do not add or move rows")
			} else {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colCode), fmt.Sprintf("mã %q đã bị sửa, mẫu ghi %q; không sửa cột Mã", code, want),
					fmt.Sprintf("code %q was changed; the template has %q", code, want))
			}
			continue
		}
		if prev, dup := seen[code]; dup {
			rd.add(sheet, r.Number, colLabel(scoreColumns, colCode), fmt.Sprintf("tiêu chí %s lặp lại (đã có ở dòng %d)", code, prev),
				fmt.Sprintf("leaf %s repeated (first on row %d)", code, prev))
			continue
		}
		seen[code] = r.Number
		n := f.Find(code)
		if n == nil {
			rd.add(sheet, r.Number, colLabel(scoreColumns, colCode), fmt.Sprintf("%q không phải tiêu chí của bộ %s", code, f.Code),
				fmt.Sprintf("%q is not a node of framework %s", code, f.Code))
			continue
		}
		inputs := []int{colPoints, colAnswer, colNA, colNote}
		if !n.IsLeaf() || assessment.LeafKind(n) == assessment.KindSurvey {
			for _, c := range inputs {
				if r.Cell(c) != "" {
					rd.add(sheet, r.Number, colLabel(scoreColumns, c), fmt.Sprintf("dòng %s không nhận dữ liệu (nhóm hoặc tiêu chí khảo sát); để trống ô này", code),
						fmt.Sprintf("row %s takes no input (a group or a survey leaf); leave the cell empty", code))
				}
			}
			continue
		}
		kind := assessment.LeafKind(n)
		var v assessment.LeafValue
		bad := false
		if s := r.Cell(colNA); s != "" {
			na, ok := parseYesNo(s)
			if !ok {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colNA), fmt.Sprintf("ghi x nếu không áp dụng hoặc để trống, nhận được %q", s),
					fmt.Sprintf("write x when the leaf does not apply, or leave empty; got %q", s))
				bad = true
			}
			v.NotApplicable = na
		}
		if s := r.Cell(colPoints); s != "" {
			if kind != assessment.KindPoints {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colPoints), fmt.Sprintf("tiêu chí %s không nhập điểm trực tiếp; để trống ô này", code),
					fmt.Sprintf("leaf %s takes no points; leave the cell empty", code))
				bad = true
			} else if x, ok := parseNumber(s); !ok {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colPoints), fmt.Sprintf("điểm phải là một số, nhận được %q", s),
					fmt.Sprintf("points must be a number, got %q", s))
				bad = true
			} else {
				v.Points = &x
			}
		}
		if s := r.Cell(colAnswer); s != "" {
			if kind != assessment.KindAnswer {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colAnswer), fmt.Sprintf("tiêu chí %s không chấm Có/Không; để trống ô này", code),
					fmt.Sprintf("leaf %s is not yes/no; leave the cell empty", code))
				bad = true
			} else if yes, ok := parseYesNo(s); !ok {
				rd.add(sheet, r.Number, colLabel(scoreColumns, colAnswer), fmt.Sprintf("ghi Có hoặc Không, nhận được %q", s),
					fmt.Sprintf("write Có (yes) or Không (no), got %q", s))
				bad = true
			} else {
				v.Answer = &yes
			}
		}
		note := r.Cell(colNote)
		if !bad {
			for _, p := range assessment.CheckLeafValue(n, v) {
				col := colPoints
				switch p.Field {
				case "answer":
					col = colAnswer
				case "not_applicable":
					col = colNA
				}
				rd.add(sheet, r.Number, colLabel(scoreColumns, col), p.VI, p.EN)
				bad = true
			}
		}
		if len([]rune(note)) > assessment.MaxNoteLength {
			rd.add(sheet, r.Number, colLabel(scoreColumns, colNote), fmt.Sprintf("ghi chú dài hơn %d ký tự", assessment.MaxNoteLength),
				fmt.Sprintf("the note is longer than %d characters", assessment.MaxNoteLength))
			bad = true
		}
		if bad {
			continue
		}
		up.Updates = append(up.Updates, assessment.EntryUpdate{Node: code, Value: v, Note: note})
		old := a.SelfValue(code)
		if !old.Equal(v) {
			col := colPoints
			switch {
			case v.NotApplicable || old.NotApplicable:
				col = colNA
			case kind == assessment.KindAnswer:
				col = colAnswer
			}
			up.Changes = append(up.Changes, Change{Sheet: sheet, Row: r.Number, Column: colLabel(scoreColumns, col), Node: code,
				Old: showValue(old), New: showValue(v)})
		}
		oldNote := ""
		if e := a.Entries[code]; e != nil {
			oldNote = e.Note
		}
		if strings.TrimSpace(oldNote) != strings.TrimSpace(note) {
			up.Changes = append(up.Changes, Change{Sheet: sheet, Row: r.Number, Column: colLabel(scoreColumns, colNote), Node: code,
				Old: oldNote, New: note})
		}
	}
	for i := range up.Updates {
		byNode[up.Updates[i].Node] = &up.Updates[i]
	}
	for _, n := range f.Leaves() {
		if _, ok := seen[n.Code]; !ok {
			rd.add(sheet, 0, "", fmt.Sprintf("thiếu dòng của tiêu chí %s; không xóa dòng", n.Code),
				fmt.Sprintf("the row of leaf %s is missing; do not delete rows", n.Code))
		}
	}
}

func (rd *reader) metrics(f *criteria.Framework, a *assessment.Assessment, up *Upload, byNode map[string]*assessment.EntryUpdate) {
	names, users := metricUsers(f)
	if len(names) == 0 {
		return
	}
	rows := rd.open(SheetMetrics, metricColumns)
	if rows == nil {
		return
	}
	sheet := rd.book.FindSheet(sheetNames[SheetMetrics]...)
	seen := map[string]int{}
	for _, r := range rows {
		m := r.Cell(mcolMetric)
		if !slices.Contains(names, m) {
			rd.add(sheet, r.Number, colLabel(metricColumns, mcolMetric), fmt.Sprintf("%q không phải số liệu của bộ tiêu chí %s", m, f.Code),
				fmt.Sprintf("%q is not a metric of framework %s", m, f.Code))
			continue
		}
		if prev, dup := seen[m]; dup {
			rd.add(sheet, r.Number, colLabel(metricColumns, mcolMetric), fmt.Sprintf("số liệu %s lặp lại (đã có ở dòng %d)", m, prev),
				fmt.Sprintf("metric %s repeated (first on row %d)", m, prev))
			continue
		}
		seen[m] = r.Number
		var v *float64
		if s := r.Cell(mcolValue); s != "" {
			x, ok := parseNumber(s)
			if !ok {
				rd.add(sheet, r.Number, colLabel(metricColumns, mcolValue), fmt.Sprintf("giá trị phải là một số, nhận được %q", s),
					fmt.Sprintf("the value must be a number, got %q", s))
				continue
			}
			if p := assessment.CheckMetricValue(m, x); p != nil {
				rd.add(sheet, r.Number, colLabel(metricColumns, mcolValue), p.VI, p.EN)
				continue
			}
			v = &x
		}
		// A metric belongs to the first leaf that reads it; store.SaveEntries
		// sets it once for every leaf.
		owner := byNode[users[m][0]]
		if owner == nil {
			continue // that leaf's row was bad: already reported
		}
		if owner.Metrics == nil {
			owner.Metrics = map[string]*float64{}
		}
		owner.Metrics[m] = v
		old := a.Metrics[m]
		switch {
		case old == nil && v == nil:
		case old == nil || v == nil || math.Abs(old.Value-*v) > 1e-12:
			from, to := "trống", "trống"
			if old != nil {
				from = number(old.Value)
			}
			if v != nil {
				to = number(*v)
			}
			up.Changes = append(up.Changes, Change{Sheet: sheet, Row: r.Number, Column: colLabel(metricColumns, mcolValue), Metric: m, Old: from, New: to})
		}
	}
	for _, m := range names {
		if _, ok := seen[m]; !ok {
			rd.add(sheet, 0, "", fmt.Sprintf("thiếu dòng của số liệu %s; không xóa dòng", m), fmt.Sprintf("the row of metric %s is missing", m))
		}
	}
}
