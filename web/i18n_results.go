package web

func init() {
	for k, v := range resultsMessages {
		messages[k] = v
	}
}

// resultsMessages are the texts of the scoring results pages
// (snapshots.go): Vietnamese, then English.
var resultsMessages = map[string][2]string{
	"nav.results":            {"Kết quả chấm điểm", "Scoring results"},
	"results.title":          {"Kết quả chấm điểm", "Scoring results"},
	"results.snapshot_title": {"Bản chốt kết quả chấm điểm", "Scoring snapshot"},
	"results.intro": {"Mỗi lần chấm điểm lưu thành một bản chốt: bản nháp cho Sở Nội vụ kiểm tra, rồi công bố chính thức hoặc tạm thời. Kết quả đã công bố không thay đổi nữa.",
		"Each scoring run is kept as a snapshot: a draft for DoHA to check, then published as final or provisional. A published result never changes."},
	"results.none":                           {"Chưa có bản chốt nào.", "No snapshot yet."},
	"results.number":                         {"Bản chốt số %d", "Snapshot %d"},
	"results.col.id":                         {"Bản chốt", "Snapshot"},
	"results.col.framework":                  {"Bộ tiêu chí", "Criteria set"},
	"results.col.year":                       {"Năm", "Year"},
	"results.col.status":                     {"Tình trạng", "Status"},
	"results.col.units":                      {"Số đơn vị", "Units"},
	"results.col.incomplete":                 {"Mục chưa đầy đủ", "Incomplete items"},
	"results.col.created":                    {"Chấm lúc", "Scored at"},
	"results.col.leaf":                       {"Tiêu chí", "Criterion"},
	"results.col.kind":                       {"Loại", "Kind"},
	"results.col.why":                        {"Lý do", "Why"},
	"results.draft":                          {"Bản nháp", "Draft"},
	"results.as_shown.final":                 {"Công bố chính thức", "Published as final"},
	"results.as_shown.final_with_exceptions": {"Công bố chính thức, chấp nhận %d mục chưa đầy đủ", "Published as final, %d incomplete items accepted"},
	"results.as_shown.provisional":           {"Công bố tạm thời", "Published as provisional"},
	"results.published_at":                   {"Công bố lúc", "Published at"},
	"results.publication_note":               {"Căn cứ công bố", "Reason for publishing so"},
	"results.dashboard":                      {"Xem trên trang tổng quan", "See it on the overview"},
	"results.score":                          {"Chấm điểm một năm", "Score a year"},
	"results.framework":                      {"Bộ tiêu chí đã công bố", "Published criteria set"},
	"results.year":                           {"Năm (để trống: năm của bộ tiêu chí)", "Year (empty: the criteria set's)"},
	"results.year_hint":                      {"ví dụ 2026", "e.g. 2026"},
	"results.note":                           {"Ghi chú", "Note"},
	"results.score_submit":                   {"Chấm điểm, lưu bản nháp", "Score into a draft"},
	"results.no_frameworks":                  {"Chưa có bộ tiêu chí nào được công bố: công bố một bộ tiêu chí trước.", "No criteria set is published yet: publish one first."},
	"results.bad_year":                       {"Năm %q không hợp lệ: nhập một năm như 2026.", "Year %q is not valid: enter a year such as 2026."},
	"results.scored":                         {"Đã chấm điểm và lưu bản nháp. Kiểm tra các mục chưa đầy đủ trước khi công bố.", "Scored into a draft. Check the incomplete items before publishing."},
	"results.published":                      {"Đã công bố kết quả.", "Results published."},
	"results.preflight":                      {"Kiểm tra trước khi công bố", "Preflight"},
	"results.preflight_intro":                {"%d mục chưa đầy đủ ở %d đơn vị. Công bố khi còn mục chưa đầy đủ cần quyết định rõ: tạm thời, hoặc chính thức và chấp nhận các mục này.", "%d items are incomplete in %d units. Publishing with incomplete items needs an explicit decision: provisional, or final accepting these items."},
	"results.preflight_clean":                {"Không có mục nào chưa đầy đủ: mọi hồ sơ đã hoàn thành, mọi số liệu và kết quả khảo sát đều có.", "Nothing is incomplete: every assessment is final, every metric and survey result is there."},
	"results.items":                          {"%d mục", "%d items"},
	"results.whole_unit":                     {"Cả đơn vị", "Whole unit"},
	"results.kind.assessment":                {"Hồ sơ tự đánh giá chưa hoàn thành", "Self-assessment not final"},
	"results.kind.metric":                    {"Thiếu số liệu", "Metric missing"},
	"results.kind.denominator":               {"Tỷ lệ có mẫu số bằng 0", "Rate with a zero denominator"},
	"results.kind.survey":                    {"Kết quả khảo sát chưa đủ tin cậy", "Survey result not reliable"},
	"results.kind.value":                     {"Chưa có giá trị", "No value"},
	"results.publish":                        {"Công bố", "Publish"},
	"results.publish_as":                     {"Công bố dưới hình thức", "Publish as"},
	"results.as.final":                       {"Chính thức", "Final"},
	"results.as.final_with_exceptions":       {"Chính thức, chấp nhận %d mục chưa đầy đủ như đã liệt kê (các tiêu chí thiếu tính 0 điểm hoặc không tính, theo bộ tiêu chí)", "Final, accepting the %d incomplete items listed (missing criteria count as the criteria set says)"},
	"results.as.provisional":                 {"Tạm thời: mọi trang, bảng điểm, bảng xếp hạng và API ghi rõ “kết quả tạm thời” cho đến khi có bản chính thức", "Provisional: every page, scorecard, ranking and API answer says “provisional” until a final one replaces it"},
	"results.reason":                         {"Căn cứ, lý do (ghi vào nhật ký và hiện cùng kết quả)", "Reason (recorded in the audit log and shown with the results)"},
	"results.publish_submit":                 {"Công bố", "Publish"},
	"results.units":                          {"Các đơn vị", "Units"},
}
