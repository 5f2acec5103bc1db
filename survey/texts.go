package survey

import "parindex/i18n"

func init() { i18n.Add(formMessages) }

// formMessages are the fixed texts of the public form; question texts come
// from the instrument.
var formMessages = map[string][2]string{
	"form.title":            {"Đánh giá sự phục vụ", "Rate our service"},
	"form.intro":            {"Xin ông/bà dành một phút cho biết mức độ hài lòng với dịch vụ vừa nhận. Phiếu không ghi tên, không ai biết ai trả lời.", "Please take a minute to tell us how satisfied you are with the service you just received. The form is anonymous."},
	"form.required":         {"Mỗi câu chọn một mức.", "Choose one level for each question."},
	"form.profile":          {"Thông tin thêm (không bắt buộc)", "About you (optional)"},
	"form.no_answer":        {"Không trả lời", "Prefer not to say"},
	"form.comment":          {"Góp ý thêm (không bắt buộc)", "Other comments (optional)"},
	"form.comment_max":      {"Tối đa %d ký tự.", "At most %d characters."},
	"form.dossier":          {"Mã hồ sơ (không bắt buộc)", "Dossier code (optional)"},
	"form.dossier_hint":     {"In trên giấy biên nhận. Mỗi hồ sơ chỉ đánh giá một lần.", "Printed on your receipt. Each dossier can be rated once."},
	"form.honeypot":         {"Để trống ô này", "Leave this field empty"},
	"form.submit":           {"Gửi đánh giá", "Send"},
	"form.errors":           {"Phiếu chưa gửi được. Vui lòng xem lại:", "The form was not sent. Please check:"},
	"form.unanswered":       {"Câu %s chưa chọn mức đánh giá", "Question %s has no answer"},
	"form.invalid_answer":   {"Câu %s có câu trả lời không hợp lệ", "Question %s has an invalid answer"},
	"form.invalid_choice":   {"Mục \"%s\" có lựa chọn không hợp lệ", "\"%s\" has an invalid choice"},
	"form.comment_long":     {"Góp ý dài quá %d ký tự", "The comment is longer than %d characters"},
	"form.comment_invalid":  {"Góp ý chứa ký tự không hợp lệ (đã thay bằng dấu �); vui lòng sửa lại", "The comment contains characters that are not valid text (shown as �); please correct it"},
	"form.dossier_bad":      {"Mã hồ sơ chỉ gồm chữ, số và các dấu . - / _ (tối đa 50 ký tự)", "The dossier code may hold letters, digits and . - / _ (at most 50)"},
	"form.thanks":           {"Cảm ơn ông/bà đã đánh giá!", "Thank you for your rating!"},
	"form.thanks_body":      {"Ý kiến của ông/bà giúp cơ quan phục vụ tốt hơn.", "Your opinion helps us serve you better."},
	"form.lang":             {"English", "Tiếng Việt"},
	"form.not_found":        {"Không tìm thấy phiếu khảo sát. Vui lòng quét lại mã QR tại quầy.", "Survey not found. Please scan the QR code at the counter again."},
	"form.closed":           {"Phiếu khảo sát này đã đóng. Vui lòng quét mã QR mới tại quầy.", "This survey is closed. Please scan the current QR code at the counter."},
	"form.bad_request":      {"Phiếu gửi lên không hợp lệ. Vui lòng mở lại trang và điền lại.", "The form could not be read. Please open the page again and fill it in."},
	"form.too_large":        {"Nội dung gửi lên quá lớn.", "What was sent is too large."},
	"form.rate_limited":     {"Có quá nhiều phiếu gửi cùng lúc. Vui lòng thử lại sau ít phút.", "Too many forms at once. Please try again in a few minutes."},
	"form.unavailable":      {"Hệ thống đang bận, phiếu chưa được ghi nhận. Vui lòng bấm gửi lại sau ít giây.", "The system is busy and your form was not saved. Please send it again in a few seconds."},
	"form.unavailable_open": {"Hệ thống đang bận, chưa mở được phiếu khảo sát. Vui lòng thử lại sau ít giây.", "The system is busy and the survey could not be opened. Please try again in a few seconds."},
	"form.dossier_done":     {"Hồ sơ này đã được đánh giá tại đơn vị. Cảm ơn ông/bà.", "This dossier has already been rated at this office. Thank you."},
	"form.retry":            {"Thử lại", "Try again"},
}
