package criteriaxlsx

import (
	"math"
	"strconv"

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

// frameworkColumns are the columns of the framework sheet.
var frameworkColumns = []workbook.KeyedColumn{
	{Key: "key", Title: "Khóa", Width: 16, Format: workbook.Code},
	{Key: "value", Title: "Giá trị", Width: 60, Format: workbook.Text},
	{Key: "meaning", Title: "Ý nghĩa", Width: 70, Format: workbook.Note},
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
var bandColumns = []workbook.KeyedColumn{
	{Key: "code", Title: "Mã", Width: 8, Format: workbook.Code},
	{Key: "name", Title: "Xếp loại", Width: 20, Format: workbook.Text},
	{Key: "description", Title: "Mô tả", Width: 40, Format: workbook.Text},
	{Key: "min", Title: "Từ điểm", Width: 10, Format: workbook.Number},
}

// maxComputed is the informational column of computed maxima, ignored on
// reading.
const maxComputed = "max_computed"

// nodeColumns are the columns of the nodes sheet: every node key except
// children, which the parent column expresses.
var nodeColumns = []workbook.KeyedColumn{
	{Key: "code", Title: "Mã", Width: 9, Format: workbook.Code},
	{Key: "parent", Title: "Thuộc", Width: 9, Format: workbook.Code},
	{Key: "name", Title: "Tên tiêu chí", Width: 50, Format: workbook.Text},
	{Key: "description", Title: "Mô tả", Width: 36, Format: workbook.Text},
	{Key: "adjustment", Title: "Nhóm thưởng/trừ", Width: 12, Format: workbook.Text},
	{Key: "max", Title: "Điểm tối đa", Width: 10, Format: workbook.Number},
	{Key: "method", Title: "Phương pháp chấm", Width: 13, Format: workbook.Code},
	{Key: "step", Title: "Bước điểm", Width: 9, Format: workbook.Number},
	{Key: "numerator", Title: "Tử số", Width: 22, Format: workbook.Code},
	{Key: "denominator", Title: "Mẫu số", Width: 22, Format: workbook.Code},
	{Key: "target", Title: "Mục tiêu", Width: 9, Format: workbook.Number},
	{Key: "tiers", Title: "Các mức, tỷ lệ: điểm", Width: 26, Format: workbook.Code},
	{Key: "metric", Title: "Chỉ tiêu đếm", Width: 20, Format: workbook.Code},
	{Key: "per_unit", Title: "Điểm mỗi đơn vị", Width: 10, Format: workbook.Number},
	{Key: "formula", Title: "Công thức", Width: 36, Format: workbook.Code},
	{Key: "instrument", Title: "Bộ công cụ khảo sát", Width: 13, Format: workbook.Code},
	{Key: "element", Title: "Yếu tố", Width: 13, Format: workbook.Code},
	{Key: "question", Title: "Câu hỏi", Width: 10, Format: workbook.Code},
	{Key: "measure", Title: "Thước đo", Width: 12, Format: workbook.Code},
	{Key: "cap", Title: "Mức trần", Width: 9, Format: workbook.Number},
	{Key: "missing", Title: "Khi thiếu dữ liệu", Width: 12, Format: workbook.Code},
	// Last but the computed maxima, so that the columns before it keep
	// the letters they had before short names existed.
	{Key: "short_name", Title: "Tên ngắn, trên biểu đồ", Width: 18, Format: workbook.Text},
	{Key: maxComputed, Title: "Điểm tối đa tính được", Width: 12, Format: workbook.NoteNumber},
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
