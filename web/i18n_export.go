package web

func init() {
	for k, v := range exportMessages {
		messages[k] = v
	}
}

// exportMessages are the texts of the Excel downloads (export.go):
// Vietnamese, then English.
var exportMessages = map[string][2]string{
	"export.ranking_link":   {"Tải bảng xếp hạng (Excel)", "Download the ranking (Excel)"},
	"export.responses_link": {"Tải các phiếu đã lọc (Excel)", "Download these responses (Excel)"},
	"export.survey_results": {"Kết quả khảo sát (Excel)", "Survey results (Excel)"},
	"export.survey_menu":    {"tải kết quả theo đơn vị và câu hỏi, có khoảng tin cậy và biểu đồ từng yếu tố.", "download results by unit and question, with intervals and a chart per element."},
	"export.instrument":     {"Bộ câu hỏi", "Instrument"},
	"export.year":           {"Năm", "Year"},
	"export.unit_optional":  {"Mã đơn vị (không bắt buộc)", "Unit code (optional)"},
	"export.download":       {"Tải về", "Download"},
	"export.bad_survey":     {"Cần mã bộ câu hỏi (?instrument=sipas-2026) và năm từ 2000 đến 2100 (?year=2026).", "An instrument code (?instrument=sipas-2026) and a year from 2000 to 2100 (?year=2026) are needed."},
	"export.bad_snapshot":   {"Số bản chốt điểm số %q không hợp lệ: cần một số nguyên dương (?snapshot=12).", "Snapshot %q is not valid: a positive whole number is needed (?snapshot=12)."},
}
