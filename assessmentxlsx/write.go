package assessmentxlsx

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"parindex/assessment"
	"parindex/criteria"
	"parindex/workbook"
)

// Sheet names as written; reading also accepts the English names.
const (
	SheetScores  = "Tự đánh giá"
	SheetMetrics = "Số liệu"
	SheetGuide   = "Hướng dẫn"
	SheetMeta    = "_parindex"
)

// Format names the layout in the hidden sheet, so that a later layout can
// still recognise (and refuse or convert) this one.
const Format = "parindex-assessment/1"

// Yes and No are the values of the yes/no cells; NotApplicableMark marks a
// leaf that does not apply.
const (
	Yes               = "Có"
	No                = "Không"
	NotApplicableMark = "x"
)

// Columns of the scores sheet, in order; their positions are fixed (the
// hidden sheet's row list and the unlocked cells depend on them).
var scoreColumns = []workbook.KeyedColumn{
	{Key: "code", Title: "Mã", Width: 9, Format: workbook.Code},
	{Key: "name", Title: "Tiêu chí", Width: 60, Format: workbook.Text},
	{Key: "max", Title: "Điểm tối đa", Width: 10, Format: workbook.NoteNumber},
	{Key: "method", Title: "Cách chấm", Width: 26, Format: workbook.Note},
	{Key: "points", Title: "Điểm tự chấm / số điểm", Width: 12, Format: workbook.Number},
	{Key: "answer", Title: "Đạt (Có/Không)", Width: 10, Format: workbook.Text},
	{Key: "not_applicable", Title: "Không áp dụng (x)", Width: 10, Format: workbook.Text},
	{Key: "note", Title: "Ghi chú, giải thích", Width: 40, Format: workbook.Text},
	{Key: "metrics", Title: "Số liệu sử dụng (sheet Số liệu)", Width: 30, Format: workbook.Note},
}

const (
	colCode = iota
	colName
	colMax
	colMethod
	colPoints
	colAnswer
	colNA
	colNote
	colMetrics
)

// Columns of the metrics sheet.
var metricColumns = []workbook.KeyedColumn{
	{Key: "metric", Title: "Mã số liệu", Width: 28, Format: workbook.Code},
	{Key: "name", Title: "Tên số liệu", Width: 50, Format: workbook.Note},
	{Key: "value", Title: "Giá trị", Width: 14, Format: workbook.Number},
	{Key: "leaves", Title: "Dùng cho tiêu chí", Width: 20, Format: workbook.Note},
}

const (
	mcolMetric = iota
	mcolName
	mcolValue
	mcolLeaves
)

var guideRows = [][2]string{
	{"Sheet " + SheetScores, "Mỗi dòng một lĩnh vực, tiêu chí hoặc tiêu chí thành phần. Chỉ nhập vào các ô không khóa của tiêu chí: điểm tự chấm (tiêu chí chấm điểm, điểm thưởng, điểm trừ), Có/Không (tiêu chí có/không), x nếu tiêu chí không áp dụng với đơn vị, và ghi chú. One row per node; fill only the unlocked cells."},
	{"Điểm tự chấm (points)", "Từ 0 đến điểm tối đa, theo bước chấm điểm của tiêu chí (thường 0,25). Điểm thưởng, điểm trừ: từ 0 đến mức tối đa. Points from 0 to the maximum, in steps; bonus and penalty from 0 to the cap."},
	{"Sheet " + SheetMetrics, "Các số liệu (số hồ sơ, số nhiệm vụ…) mà tiêu chí tính theo tỷ lệ, theo mức, theo số lượng hoặc công thức sử dụng: nhập giá trị của đơn vị trong năm. Metric values the agency reports for the year."},
	{"Khảo sát (survey)", "Tiêu chí lấy kết quả khảo sát sự hài lòng không cần nhập. Survey leaves take no input."},
	{"Tải lên (upload)", "Tải tệp lên trang tự đánh giá của đơn vị: hệ thống kiểm tra trước và báo mọi ô sai (sheet, dòng, cột) mà chưa ghi gì; chỉ khi bấm Áp dụng mới ghi tất cả trong một lần. Upload on the agency's sheet page: a dry run lists every bad cell first; nothing is written until you apply."},
	{"Không sửa", "Không đổi tên sheet, không thêm, xóa hay đổi thứ tự dòng, không sửa cột Mã: tệp gắn với đúng phiên bản bộ tiêu chí và đúng đơn vị. Do not rename sheets, add, remove or reorder rows, or edit codes."},
}

// Template is what a workbook is made of.
type Template struct {
	Framework  *criteria.Framework
	Hash       string // the framework's content hash (store.FrameworkRecord.Hash)
	Assessment *assessment.Assessment
	// MetricNames names metrics in Vietnamese (the catalogue); optional.
	MetricNames map[string]string
}

// methodText describes a leaf's method shortly, in Vietnamese.
func methodText(n *criteria.Node) string {
	switch n.Method {
	case criteria.MethodAssessed:
		return "Chấm điểm, bước " + number(n.InputStep())
	case criteria.MethodBoolean:
		return "Có/Không"
	case criteria.MethodBonus:
		return "Điểm thưởng, tối đa " + number(n.Cap)
	case criteria.MethodPenalty:
		return "Điểm trừ, tối đa " + number(n.Cap)
	case criteria.MethodSurvey:
		return "Theo kết quả khảo sát (không nhập)"
	case criteria.MethodRatio:
		return "Tỷ lệ (tính từ số liệu)"
	case criteria.MethodTiers:
		return "Theo mức tỷ lệ (tính từ số liệu)"
	case criteria.MethodRelative:
		return "So với đơn vị cao nhất (tính từ số liệu)"
	case criteria.MethodCount:
		return "Theo số lượng, " + number(n.PerUnit) + " điểm mỗi đơn vị"
	case criteria.MethodFormula:
		return "Theo công thức (tính từ số liệu)"
	}
	return string(n.Method)
}

// number writes x in its shortest form with a decimal comma.
func number(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', -1, 64), ".", ",", 1)
}

// metricUsers lists, per metric, the leaves that read it, in framework order.
func metricUsers(f *criteria.Framework) (names []string, users map[string][]string) {
	users = map[string][]string{}
	for _, n := range f.Leaves() {
		for _, m := range n.Metrics() {
			if len(users[m]) == 0 {
				names = append(names, m)
			}
			users[m] = append(users[m], n.Code)
		}
	}
	return names, users
}

// cellRule is what the post-processing does to one cell: unlock it and
// give it a validation.
type cellRule struct {
	sheet, cell string
	validate    func(dv *excelize.DataValidation) error
	help        string
}

// Bytes writes the workbook of one agency's assessment.
func Bytes(t Template) ([]byte, error) {
	f, a := t.Framework, t.Assessment
	if f == nil || a == nil {
		return nil, errors.New("assessmentxlsx: no framework or assessment to write")
	}
	w := workbook.New(f.Name + " – " + a.UnitName)
	defer w.Close()
	scores, err := w.AddSheet(SheetScores, workbook.KeyedColumns(scoreColumns))
	if err != nil {
		return nil, err
	}
	var rules []cellRule
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col+1, row)
		return name
	}
	rowNodes := map[int]string{}
	var werr error
	f.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		if werr != nil {
			return false
		}
		values := make([]any, len(scoreColumns))
		values[colCode] = n.Code
		values[colName] = strings.Repeat("   ", len(ancestors)) + n.Name
		if !f.InAdjustment(n.Code) && !n.Method.IsAdjustment() {
			values[colMax] = n.MaxPoints()
		}
		if n.IsLeaf() {
			values[colMethod] = methodText(n)
			v := a.SelfValue(n.Code)
			if e := a.Entries[n.Code]; e != nil && e.Note != "" {
				values[colNote] = e.Note
			}
			switch assessment.LeafKind(n) {
			case assessment.KindPoints:
				values[colPoints] = v.Points
			case assessment.KindAnswer:
				if v.Answer != nil {
					values[colAnswer] = map[bool]string{true: Yes, false: No}[*v.Answer]
				}
			case assessment.KindMetrics:
				values[colMetrics] = strings.Join(n.Metrics(), ", ")
			}
			if v.NotApplicable {
				values[colNA] = NotApplicableMark
			}
		}
		row, err := scores.Append(len(ancestors) == 0, values...)
		if err != nil {
			werr = err
			return false
		}
		rowNodes[row] = n.Code
		if !n.IsLeaf() || assessment.LeafKind(n) == assessment.KindSurvey {
			return true
		}
		name := scores.Name()
		switch assessment.LeafKind(n) {
		case assessment.KindPoints:
			lo, hi, help := 0.0, n.MaxPoints(), fmt.Sprintf("Điểm từ 0 đến %s, bước %s", number(n.MaxPoints()), number(n.InputStep()))
			if n.Method.IsAdjustment() {
				hi, help = n.Cap, fmt.Sprintf("Số điểm từ 0 đến %s", number(n.Cap))
			}
			rules = append(rules, cellRule{name, cell(colPoints, row), func(dv *excelize.DataValidation) error {
				return dv.SetRange(lo, hi, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
			}, help})
		case assessment.KindAnswer:
			rules = append(rules, cellRule{name, cell(colAnswer, row), func(dv *excelize.DataValidation) error {
				return dv.SetDropList([]string{Yes, No})
			}, "Chọn Có hoặc Không"})
		}
		rules = append(rules,
			cellRule{name, cell(colNA, row), func(dv *excelize.DataValidation) error { return dv.SetDropList([]string{NotApplicableMark}) },
				"Ghi x nếu tiêu chí không áp dụng với đơn vị, để trống nếu có áp dụng"},
			cellRule{name, cell(colNote, row), nil, ""})
		return true
	})
	if werr != nil {
		return nil, werr
	}
	if err := scores.Finish(); err != nil {
		return nil, err
	}

	metrics, err := w.AddSheet(SheetMetrics, workbook.KeyedColumns(metricColumns))
	if err != nil {
		return nil, err
	}
	names, users := metricUsers(f)
	for _, m := range names {
		var value any
		if mv := a.Metrics[m]; mv != nil {
			value = mv.Value
		}
		label := t.MetricNames[m]
		row, err := metrics.Append(false, m, label, value, strings.Join(users[m], ", "))
		if err != nil {
			return nil, err
		}
		rules = append(rules, cellRule{metrics.Name(), cell(mcolValue, row), func(dv *excelize.DataValidation) error {
			return dv.SetRange(0.0, 1e15, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		}, "Số không âm"})
	}
	if err := metrics.Finish(); err != nil {
		return nil, err
	}

	guide, err := w.AddSheet(SheetGuide, []workbook.Column{
		{Title: "Mục (topic)", Width: 28, Format: workbook.Text},
		{Title: "Hướng dẫn (how to fill it in)", Width: 110, Format: workbook.Text},
	})
	if err != nil {
		return nil, err
	}
	for _, g := range guideRows {
		if _, err := guide.Append(false, g[0], g[1]); err != nil {
			return nil, err
		}
	}

	meta, err := w.AddSheet(SheetMeta, []workbook.Column{{Title: "key", Format: workbook.Code}, {Title: "value", Format: workbook.Code}, {Title: "node", Format: workbook.Code}})
	if err != nil {
		return nil, err
	}
	for _, kv := range [][2]string{{"format", Format}, {"framework", f.Code}, {"hash", t.Hash}, {"unit", a.UnitCode}, {"unit_name", a.UnitName}} {
		if _, err := meta.Append(false, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	rowsInOrder := make([]int, 0, len(rowNodes))
	for r := range rowNodes {
		rowsInOrder = append(rowsInOrder, r)
	}
	slices.Sort(rowsInOrder)
	for _, r := range rowsInOrder {
		if _, err := meta.Append(false, "row", strconv.Itoa(r), rowNodes[r]); err != nil {
			return nil, err
		}
	}
	data, err := w.Bytes()
	if err != nil {
		return nil, err
	}
	return protect(data, rules)
}

// protect unlocks and validates the input cells, protects the sheets the
// agency fills (no password: the protection guards against slips, not
// people) and hides the metadata sheet.
func protect(data []byte, rules []cellRule) ([]byte, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("assessmentxlsx: unable to reopen the workbook: %w", err)
	}
	defer f.Close()
	unlocked := map[int]int{} // style → its unlocked twin
	for _, r := range rules {
		id, err := f.GetCellStyle(r.sheet, r.cell)
		if err != nil {
			return nil, fmt.Errorf("assessmentxlsx: %s!%s: %w", r.sheet, r.cell, err)
		}
		twin, ok := unlocked[id]
		if !ok {
			st, err := f.GetStyle(id)
			if err != nil {
				return nil, fmt.Errorf("assessmentxlsx: style %d: %w", id, err)
			}
			st.Protection = &excelize.Protection{Locked: false}
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF8DC"}}
			if twin, err = f.NewStyle(st); err != nil {
				return nil, fmt.Errorf("assessmentxlsx: unlocked style: %w", err)
			}
			unlocked[id] = twin
		}
		if err := f.SetCellStyle(r.sheet, r.cell, r.cell, twin); err != nil {
			return nil, fmt.Errorf("assessmentxlsx: %s!%s: %w", r.sheet, r.cell, err)
		}
		if r.validate == nil {
			continue
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(r.cell)
		if err := r.validate(dv); err != nil {
			return nil, fmt.Errorf("assessmentxlsx: validation of %s!%s: %w", r.sheet, r.cell, err)
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", r.help)
		if err := f.AddDataValidation(r.sheet, dv); err != nil {
			return nil, fmt.Errorf("assessmentxlsx: validation of %s!%s: %w", r.sheet, r.cell, err)
		}
	}
	for _, name := range []string{SheetScores, SheetMetrics} {
		if err := f.ProtectSheet(name, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
			FormatColumns: true, FormatRows: true, AutoFilter: true, Sort: false}); err != nil {
			return nil, fmt.Errorf("assessmentxlsx: protect %s: %w", name, err)
		}
	}
	if err := f.SetSheetVisible(SheetMeta, false, true); err != nil {
		return nil, fmt.Errorf("assessmentxlsx: hide %s: %w", SheetMeta, err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("assessmentxlsx: unable to write: %w", err)
	}
	return buf.Bytes(), nil
}
