package criteria

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The reference frameworks are illustrative: their structure follows the
// decisions named in each file's source, their points do not come from any
// province's annex. They seed a new installation and the demo, and are the
// fixtures the scoring engine is tested against.
//
//go:embed reference/*.yaml
var referenceFiles embed.FS

// References lists the codes of the embedded reference frameworks, sorted.
func References() []string {
	entries, err := fs.ReadDir(referenceFiles, "reference")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".yaml") {
			out = append(out, strings.TrimSuffix(name, ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// Reference parses the embedded reference framework with the code. Each
// call returns a fresh copy that the caller may change.
func Reference(code string) (*Framework, error) {
	if !isCode(code) {
		return nil, fmt.Errorf("criteria: no reference framework %q; known: %s", code, strings.Join(References(), ", "))
	}
	name := path.Join("reference", code+".yaml")
	data, err := referenceFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("criteria: no reference framework %q; known: %s", code, strings.Join(References(), ", "))
	}
	f, _, err := Parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("criteria: reference framework %s: %w", code, err)
	}
	return f, nil
}

// ReferenceSource returns the embedded YAML of a reference framework as
// written (with its comments), for export or as a starting point.
func ReferenceSource(code string) ([]byte, error) {
	if !isCode(code) {
		return nil, fmt.Errorf("criteria: no reference framework %q", code)
	}
	data, err := referenceFiles.ReadFile(path.Join("reference", code+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("criteria: no reference framework %q", code)
	}
	return data, nil
}

// Metric describes one operational metric: a count per agency and period,
// fed by the one-stop-shop system, an Excel import or the agency itself.
type Metric struct {
	Code   string // snake_case, as frameworks write it
	Name   string // Vietnamese
	NameEN string
	Unit   string // Vietnamese unit of count
}

// ReferenceMetrics lists every metric the reference frameworks read, to
// seed the metrics catalogue. Counts are per agency and assessment period.
var ReferenceMetrics = []Metric{
	// Direction and management of reform.
	{"plan_tasks_total", "Số nhiệm vụ trong kế hoạch CCHC năm", "Tasks in the annual PAR plan", "nhiệm vụ"},
	{"plan_tasks_done", "Số nhiệm vụ trong kế hoạch CCHC đã hoàn thành", "Annual PAR plan tasks completed", "nhiệm vụ"},
	{"assigned_tasks_total", "Số nhiệm vụ được UBND tỉnh giao", "Tasks assigned by the provincial People's Committee", "nhiệm vụ"},
	{"assigned_tasks_done", "Số nhiệm vụ được giao hoàn thành đúng hạn", "Assigned tasks completed on time", "nhiệm vụ"},
	{"units_total", "Số đơn vị, bộ phận trực thuộc", "Subordinate units", "đơn vị"},
	{"units_inspected", "Số đơn vị, bộ phận trực thuộc được kiểm tra CCHC", "Subordinate units inspected on PAR", "đơn vị"},
	{"initiatives_adopted", "Số sáng kiến, giải pháp CCHC được công nhận", "PAR initiatives recognised", "sáng kiến"},

	// Legal documents.
	{"legal_docs_planned", "Số văn bản QPPL phải ban hành hoặc tham mưu theo kế hoạch", "Legal documents planned", "văn bản"},
	{"legal_docs_on_time", "Số văn bản QPPL ban hành hoặc tham mưu đúng tiến độ", "Legal documents issued on schedule", "văn bản"},
	{"legal_docs_issued", "Số văn bản QPPL đã ban hành trong năm", "Legal documents issued in the year", "văn bản"},
	{"legal_docs_self_checked", "Số văn bản QPPL được tự kiểm tra sau khi ban hành", "Legal documents self-checked after issue", "văn bản"},

	// Administrative procedures and records (one-stop shop).
	{"procedures_total", "Số thủ tục hành chính thuộc thẩm quyền giải quyết", "Administrative procedures handled", "thủ tục"},
	{"procedures_published", "Số thủ tục hành chính được công khai đầy đủ, đúng quy định", "Procedures published in full", "thủ tục"},
	{"procedures_online_full", "Số thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình", "Procedures offered fully online", "thủ tục"},
	{"records_received", "Số hồ sơ tiếp nhận mới trong kỳ", "Records received in the period", "hồ sơ"},
	{"records_total", "Số hồ sơ phải giải quyết trong kỳ (kỳ trước chuyển sang và tiếp nhận mới)", "Records to handle in the period (carried over and new)", "hồ sơ"},
	{"records_resolved", "Số hồ sơ đã giải quyết trong kỳ", "Records resolved in the period", "hồ sơ"},
	{"records_early", "Số hồ sơ giải quyết trước hạn", "Records resolved before the deadline", "hồ sơ"},
	{"records_on_time", "Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)", "Records resolved by the deadline (early included)", "hồ sơ"},
	{"records_late", "Số hồ sơ giải quyết quá hạn", "Records resolved after the deadline", "hồ sơ"},
	{"records_late_apologised", "Số hồ sơ quá hạn có văn bản xin lỗi", "Late records with a letter of apology", "hồ sơ"},
	{"records_online", "Số hồ sơ nộp trực tuyến", "Records submitted online", "hồ sơ"},
	{"records_payable", "Số hồ sơ phải nộp phí, lệ phí", "Records subject to fees", "hồ sơ"},
	{"records_paid_online", "Số hồ sơ thanh toán phí, lệ phí trực tuyến", "Records paid online", "hồ sơ"},
	{"records_digitised", "Số hồ sơ được số hóa khi tiếp nhận", "Records digitised on receipt", "hồ sơ"},
	{"results_digitised", "Số kết quả giải quyết thủ tục hành chính được số hóa", "Procedure results digitised", "hồ sơ"},
	{"records_reused_data", "Số hồ sơ tái sử dụng dữ liệu đã số hóa", "Records reusing digitised data", "hồ sơ"},
	{"records_synced", "Số hồ sơ được đồng bộ trạng thái lên Cổng Dịch vụ công quốc gia", "Records synchronised to the National Public Service Portal", "hồ sơ"},
	{"feedback_received", "Số phản ánh, kiến nghị tiếp nhận", "Feedback and petitions received", "phản ánh, kiến nghị"},
	{"feedback_resolved", "Số phản ánh, kiến nghị đã xử lý xong", "Feedback and petitions resolved", "phản ánh, kiến nghị"},
	{"ratings_total", "Số lượt đánh giá mức độ hài lòng tại bộ phận một cửa", "Satisfaction ratings at the one-stop shop", "lượt đánh giá"},
	{"ratings_satisfied", "Số lượt đánh giá hài lòng và rất hài lòng", "Ratings satisfied or very satisfied", "lượt đánh giá"},

	// Apparatus and civil service.
	{"staff_reduction_target", "Số biên chế phải tinh giản theo kế hoạch", "Staff reductions planned", "người"},
	{"staff_reduced", "Số biên chế đã tinh giản", "Staff reductions made", "người"},
	{"civil_servants_total", "Số cán bộ, công chức, viên chức", "Civil servants and public employees", "người"},
	{"civil_servants_trained", "Số cán bộ, công chức, viên chức được đào tạo, bồi dưỡng trong năm", "Civil servants trained in the year", "người"},
	{"civil_servants_qualified", "Số cán bộ, công chức đạt chuẩn theo quy định", "Civil servants meeting the standards", "người"},

	// Public finance.
	{"budget_allocated", "Kế hoạch vốn đầu tư công được giao", "Public investment allocated", "triệu đồng"},
	{"budget_disbursed", "Vốn đầu tư công đã giải ngân", "Public investment disbursed", "triệu đồng"},
	{"budget_revenue_estimate", "Dự toán thu ngân sách được giao", "Budget revenue estimate", "triệu đồng"},
	{"budget_revenue_collected", "Số thu ngân sách thực hiện", "Budget revenue collected", "triệu đồng"},
	{"public_service_units_total", "Số đơn vị sự nghiệp công lập trực thuộc", "Public service units", "đơn vị"},
	{"public_service_units_autonomous", "Số đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên trở lên", "Public service units financially autonomous", "đơn vị"},

	// E-government and digital government.
	{"outgoing_docs_total", "Số văn bản đi", "Outgoing documents", "văn bản"},
	{"outgoing_docs_digital", "Số văn bản đi được ký số và gửi trên môi trường điện tử", "Outgoing documents signed digitally and sent electronically", "văn bản"},

	// Impact.
	{"socio_targets_total", "Số chỉ tiêu phát triển kinh tế - xã hội được giao", "Socio-economic targets assigned", "chỉ tiêu"},
	{"socio_targets_met", "Số chỉ tiêu phát triển kinh tế - xã hội đạt hoặc vượt", "Socio-economic targets met", "chỉ tiêu"},
}
