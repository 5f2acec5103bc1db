package criteriaxlsx

import (
	"math"
	"strconv"
	"strings"

	"parindex/criteria"
	"parindex/workbook"
)

// Sheet names as written; reading also accepts the English names.
const (
	SheetFramework = "Bộ tiêu chí"
	SheetBands     = "Xếp loại"
	SheetNodes     = "Tiêu chí"
	SheetGuide     = "Hướng dẫn"
)

var sheetNames = map[string][]string{
	SheetFramework: {SheetFramework, "framework"},
	SheetBands:     {SheetBands, "bands"},
	SheetNodes:     {SheetNodes, "nodes"},
}

// column is one column of a sheet: the key it holds (as the YAML format
// names it) and its header, which ends with the key in parentheses so
// that reading finds the key whatever language the header is in.
type column struct {
	key    string
	title  string
	width  float64
	format workbook.Format
}

func (c column) header() string { return c.title + " (" + c.key + ")" }

// frameworkColumns are the columns of the framework sheet.
var frameworkColumns = []column{
	{"key", "Khóa", 16, workbook.Code},
	{"value", "Giá trị", 60, workbook.Text},
	{"meaning", "Ý nghĩa", 70, workbook.Note},
}

// frameworkRows are the framework-level keys in canonical order (bands
// and nodes have sheets of their own), with the explanation written
// beside each.
var frameworkRows = []struct{ key, meaning string }{
	{"code", "Mã duy nhất, ví dụ province-departments-2026: chữ, số, '.', '_', '-'; năm mới dùng mã mới (unique code)"},
	{"name", "Tên bộ tiêu chí (title)"},
	{"description", "Mô tả, có thể để trống (optional description)"},
	{"year", "Năm đánh giá, 2000..2100 (year assessed)"},
	{"agency_types", "Loại cơ quan áp dụng, cách nhau bởi dấu phẩy, ví dụ: department hoặc commune, ward (agency types, comma-separated)"},
	{"source", "Căn cứ ban hành; ghi rõ nếu điểm chỉ mang tính minh họa (the decision it follows)"},
	{"rounding", "Số chữ số thập phân của chỉ số, 0..6; để trống là 2 (decimals of the index, default 2)"},
	{"cap_index", "Mức trần của chỉ số, ví dụ 100; để trống nếu không có (ceiling of the index, optional)"},
	{"missing", "Khi không có dữ liệu: zero = tính 0 điểm (mặc định), exclude = không tính vào tổng điểm tối đa (missing input policy)"},
	{"survey_responses", "Phiếu khảo sát được tính: clean = bỏ phiếu bị gắn cờ (mặc định, để trống cũng vậy), all = mọi phiếu, not_doubtful = như clean và bỏ phiếu từ mã QR bị đánh giá đáng ngờ (survey responses counted)"},
}

// bandColumns are the columns of the bands sheet.
var bandColumns = []column{
	{"code", "Mã", 8, workbook.Code},
	{"name", "Xếp loại", 20, workbook.Text},
	{"description", "Mô tả", 40, workbook.Text},
	{"min", "Từ điểm", 10, workbook.Number},
}

// maxComputed is the informational column of computed maxima, ignored on
// reading.
const maxComputed = "max_computed"

// nodeColumns are the columns of the nodes sheet: every node key except
// children, which the parent column expresses.
var nodeColumns = []column{
	{"code", "Mã", 9, workbook.Code},
	{"parent", "Thuộc", 9, workbook.Code},
	{"name", "Tên tiêu chí", 50, workbook.Text},
	{"description", "Mô tả", 36, workbook.Text},
	{"adjustment", "Nhóm thưởng/trừ", 12, workbook.Text},
	{"max", "Điểm tối đa", 10, workbook.Number},
	{"method", "Phương pháp chấm", 13, workbook.Code},
	{"step", "Bước điểm", 9, workbook.Number},
	{"numerator", "Tử số", 22, workbook.Code},
	{"denominator", "Mẫu số", 22, workbook.Code},
	{"target", "Mục tiêu", 9, workbook.Number},
	{"tiers", "Các mức, tỷ lệ: điểm", 26, workbook.Code},
	{"metric", "Chỉ tiêu đếm", 20, workbook.Code},
	{"per_unit", "Điểm mỗi đơn vị", 10, workbook.Number},
	{"formula", "Công thức", 36, workbook.Code},
	{"instrument", "Bộ công cụ khảo sát", 13, workbook.Code},
	{"element", "Yếu tố", 13, workbook.Code},
	{"question", "Câu hỏi", 10, workbook.Code},
	{"measure", "Thước đo", 12, workbook.Code},
	{"cap", "Mức trần", 9, workbook.Number},
	{"missing", "Khi thiếu dữ liệu", 12, workbook.Code},
	// Last but the computed maxima, so that the columns before it keep
	// the letters they had before short names existed.
	{"short_name", "Tên ngắn, trên biểu đồ", 18, workbook.Text},
	{maxComputed, "Điểm tối đa tính được", 12, workbook.NoteNumber},
}

// frameworkText is the framework's text field that the framework sheet's
// row key holds as it is, both ways; nil for a key that is not one.
func frameworkText(f *criteria.Framework, key string) *string {
	switch key {
	case "code":
		return &f.Code
	case "name":
		return &f.Name
	case "description":
		return &f.Description
	case "source":
		return &f.Source
	}
	return nil
}

// parameterText is the node's text parameter that the nodes sheet's
// column key holds as it is, both ways; nil for a key that is not one.
func parameterText(n *criteria.Node, key string) *string {
	switch key {
	case "numerator":
		return &n.Numerator
	case "denominator":
		return &n.Denominator
	case "metric":
		return &n.Metric
	case "formula":
		return &n.Formula
	case "instrument":
		return &n.Instrument
	case "element":
		return &n.Element
	case "question":
		return &n.Question
	}
	return nil
}

// guideRows explain the layout on the guide sheet.
var guideRows = [][2]string{
	{"Sheet " + SheetFramework, "Mỗi dòng một khóa của bộ tiêu chí (cột khóa, giá trị); cột ý nghĩa chỉ để đọc. One row per framework setting."},
	{"Sheet " + SheetBands, "Mỗi dòng một mức xếp loại, từ cao xuống thấp; mức cuối có 'Từ điểm' bằng 0. One row per band, highest first, the last with min 0."},
	{"Sheet " + SheetNodes, "Mỗi dòng một lĩnh vực, tiêu chí hoặc tiêu chí thành phần. Cột 'Thuộc' ghi mã của tiêu chí cha, đã có ở một dòng phía trên; để trống với lĩnh vực. One row per node; parent is the code of a node listed above, empty for an area."},
	{"Điểm tối đa (max)", "Bắt buộc với tiêu chí được chấm điểm; với nhóm có thể để trống (bằng tổng các tiêu chí con). Required on scored leaves; optional on groups."},
	{"Phương pháp (method)", "assessed (chấm theo bước), boolean (có/không), ratio (tỷ lệ), tiers (theo mức), relative (so với đơn vị tốt nhất), count (đếm), formula (công thức), survey (khảo sát), bonus (điểm thưởng), penalty (điểm trừ)."},
	{"Tham số (parameters)", "Chỉ điền các cột của phương pháp đã chọn: ratio: numerator, denominator, target; tiers: numerator, denominator, tiers; relative: numerator, denominator; count: metric, per_unit; formula: formula; survey: instrument, element hoặc question, measure; assessed: step; bonus, penalty: cap. Fill only the columns of the chosen method."},
	{"Các mức (tiers)", "Viết 'tỷ lệ: điểm' từ cao xuống thấp, cách nhau bởi dấu chấm phẩy, mức cuối có tỷ lệ 0, ví dụ: 0.98: 2; 0.9: 1; 0: 0. Tiers as 'min: points' separated by semicolons."},
	{"Nhóm thưởng/trừ (adjustment)", "TRUE cho nhóm điểm thưởng, điểm trừ (nằm ngoài tổng điểm tối đa); các dòng bên trong dùng bonus hoặc penalty với mức trần. TRUE on a bonus/penalty block."},
	{"Tên ngắn (short_name)", "Không bắt buộc: tên ngắn hiện trên trục các biểu đồ, ví dụ 'Thủ tục hành chính' cho lĩnh vực 3; để trống thì biểu đồ rút gọn tên. Optional: the name on chart axes."},
	{"Điểm tối đa tính được", "Do phần mềm tính, không cần sửa; bị bỏ qua khi nhập. Computed, ignored on import."},
}

// formatNumber writes v in the shortest form that reads back as exactly v,
// as the YAML format does.
func formatNumber(v float64) string {
	if v == 0 {
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e-4 && a < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// headerKey extracts the key from a header: the text in the last
// parentheses ("Điểm tối đa (max)" → "max"), else the whole header,
// lowercased.
func headerKey(h string) string {
	h = strings.TrimSpace(h)
	if strings.HasSuffix(h, ")") {
		if i := strings.LastIndex(h, "("); i >= 0 {
			h = h[i+1 : len(h)-1]
		}
	}
	return strings.ToLower(strings.TrimSpace(h))
}
