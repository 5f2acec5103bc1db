package web

import (
	"fmt"
	"time"

	"parindex/vn"
)

// Languages of the UI; Vietnamese is the default.
const (
	langVI = "vi"
	langEN = "en"
)

// messages is the one catalogue of UI text: key → Vietnamese, English.
// Templates call {{t $ "key"}}; handlers call s.msg(c, "key").
var messages = map[string][2]string{
	"app.name":                {"Chỉ số CCHC và mức độ hài lòng", "PAR index and citizen satisfaction"},
	"app.org":                 {"Sở Nội vụ", "Department of Home Affairs"},
	"nav.home":                {"Trang chính", "Home"},
	"nav.units":               {"Đơn vị", "Units"},
	"nav.users":               {"Tài khoản", "Accounts"},
	"nav.audit":               {"Nhật ký", "Audit log"},
	"nav.account":             {"Tài khoản của tôi", "My account"},
	"nav.login":               {"Đăng nhập", "Log in"},
	"nav.logout":              {"Đăng xuất", "Log out"},
	"nav.skip":                {"Bỏ qua, đến nội dung chính", "Skip to main content"},
	"lang.switch":             {"English", "Tiếng Việt"},
	"login.title":             {"Đăng nhập", "Log in"},
	"login.username":          {"Tên đăng nhập", "Username"},
	"login.password":          {"Mật khẩu", "Password"},
	"login.submit":            {"Đăng nhập", "Log in"},
	"login.failed":            {"Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."},
	"login.throttled":         {"Đăng nhập sai nhiều lần. Vui lòng thử lại sau %s (lúc %s).", "Too many failed logins. Please try again in %s (at %s)."},
	"login.wait_second":       {"1 giây", "1 second"},
	"login.wait_seconds":      {"%d giây", "%d seconds"},
	"login.wait_minute":       {"1 phút", "1 minute"},
	"login.wait_minutes":      {"%d phút", "%d minutes"},
	"login.too_large":         {"Nội dung gửi lên quá lớn hoặc không đọc được; vui lòng đăng nhập lại.", "What was sent is too large or unreadable; please log in again."},
	"login.expired":           {"Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.", "Your session has ended; please log in again."},
	"home.title":              {"Trang chính", "Home"},
	"home.hello":              {"Xin chào", "Hello"},
	"home.roles":              {"Vai trò của bạn", "Your roles"},
	"home.your_units":         {"Đơn vị của bạn", "Your units"},
	"home.province":           {"Toàn tỉnh", "Whole province"},
	"role.admin":              {"Quản trị (Sở Nội vụ)", "Administrator (DoHA)"},
	"role.viewer":             {"Lãnh đạo, theo dõi (chỉ xem)", "Leadership (read-only)"},
	"role.agency_editor":      {"Cán bộ cơ quan (nhập liệu)", "Agency clerk"},
	"role.agency_leader":      {"Lãnh đạo cơ quan (phê duyệt, gửi)", "Agency leader"},
	"role.appraiser":          {"Thành viên tổ thẩm định", "Appraiser"},
	"role.descendants":        {"kể cả đơn vị trực thuộc", "including sub-units"},
	"role.area":               {"lĩnh vực", "area"},
	"units.title":             {"Cây đơn vị", "Organisation tree"},
	"units.new":               {"Thêm đơn vị", "Add a unit"},
	"units.code":              {"Mã", "Code"},
	"units.name":              {"Tên đơn vị", "Name"},
	"units.type":              {"Loại", "Type"},
	"units.parent":            {"Trực thuộc", "Parent"},
	"units.valid_from":        {"Hiệu lực từ", "Valid from"},
	"units.valid_to":          {"Hiệu lực đến", "Valid to"},
	"units.successor":         {"Đơn vị kế thừa", "Successor"},
	"units.predecessors":      {"Đơn vị tiền thân", "Predecessors"},
	"units.children":          {"Đơn vị trực thuộc", "Sub-units"},
	"units.edit":              {"Sửa", "Edit"},
	"units.save":              {"Lưu", "Save"},
	"units.merge":             {"Sáp nhập vào đơn vị khác", "Merge into another unit"},
	"units.merge_on":          {"Ngày đơn vị mới bắt đầu", "Merge takes effect on"},
	"units.merge_submit":      {"Sáp nhập", "Merge"},
	"units.reason":            {"Lý do, căn cứ (ghi vào nhật ký)", "Reason (recorded in the audit log)"},
	"units.historical":        {"Hiện cả đơn vị đã hết hiệu lực", "Show units no longer valid"},
	"units.on":                {"Cây đơn vị vào ngày", "Tree on"},
	"units.show":              {"Xem", "Show"},
	"units.none":              {"Không có đơn vị nào.", "No units."},
	"units.saved":             {"Đã lưu đơn vị.", "Unit saved."},
	"units.merged":            {"Đã sáp nhập.", "Merged."},
	"users.title":             {"Tài khoản", "Accounts"},
	"users.new":               {"Tạo tài khoản", "New account"},
	"users.username":          {"Tên đăng nhập", "Username"},
	"users.display_name":      {"Họ và tên", "Full name"},
	"users.status":            {"Trạng thái", "Status"},
	"users.active":            {"Đang hoạt động", "Active"},
	"users.disabled":          {"Đã khóa", "Disabled"},
	"users.demo":              {"tài khoản minh họa", "demo account"},
	"users.disable":           {"Khóa tài khoản", "Disable"},
	"users.enable":            {"Mở khóa", "Enable"},
	"users.reset_password":    {"Đặt lại mật khẩu", "Reset password"},
	"users.new_password_once": {"Mật khẩu mới (chỉ hiển thị một lần, hãy chuyển cho người dùng):", "New password (shown once; pass it to the user):"},
	"users.roles":             {"Vai trò", "Roles"},
	"users.add_role":          {"Thêm vai trò", "Add a role"},
	"users.remove":            {"Bỏ", "Remove"},
	"users.unit":              {"Đơn vị (với vai trò của cơ quan)", "Unit (agency roles)"},
	"users.framework":         {"Bộ tiêu chí (thẩm định; để trống: mọi bộ)", "Framework (appraisers; empty: any)"},
	"users.area":              {"Lĩnh vực (thẩm định)", "Area (appraisers)"},
	"users.create":            {"Tạo", "Create"},
	"users.created":           {"Đã tạo tài khoản.", "Account created."},
	"users.saved":             {"Đã lưu.", "Saved."},
	"users.no_roles":          {"Chưa có vai trò nào: người dùng này chưa xem được gì.", "No roles yet: this user can see nothing."},
	"users.conflict_title":    {"Xung đột lợi ích: không ai tự đánh giá đơn vị của mình", "Conflict of interest: nobody judges their own unit"},
	"users.conflict_sub":      {" và các đơn vị trực thuộc", " and its sub-units"},
	"users.conflict_badge":    {"xung đột lợi ích", "conflict of interest"},
	"users.granted_conflict":  {"Đã thêm vai trò. Lưu ý cảnh báo xung đột lợi ích bên dưới.", "Role added. Note the conflict-of-interest warning below."},
	"account.title":           {"Tài khoản của tôi", "My account"},
	"account.change_password": {"Đổi mật khẩu", "Change password"},
	"account.current":         {"Mật khẩu hiện tại", "Current password"},
	"account.new":             {"Mật khẩu mới (ít nhất 10 ký tự)", "New password (at least 10 characters)"},
	"account.wrong_current":   {"Mật khẩu hiện tại không đúng.", "The current password is wrong."},
	"account.changed":         {"Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "Password changed. Other sessions have ended."},
	"account.logout_all":      {"Đăng xuất khỏi mọi thiết bị", "Log out everywhere"},
	"audit.title":             {"Nhật ký thay đổi", "Audit log"},
	"audit.at":                {"Thời điểm", "Time"},
	"audit.actor":             {"Người thực hiện", "Actor"},
	"audit.action":            {"Hành động", "Action"},
	"audit.object":            {"Đối tượng", "Object"},
	"audit.before":            {"Trước", "Before"},
	"audit.after":             {"Sau", "After"},
	"audit.reason":            {"Lý do", "Reason"},
	"audit.filter":            {"Lọc", "Filter"},
	"audit.none":              {"Không có dòng nào.", "No entries."},
	"page.prev":               {"Trang trước", "Previous page"},
	"page.next":               {"Trang sau", "Next page"},
	"error.forbidden":         {"Bạn không có quyền truy cập trang này.", "You may not open this page."},
	"error.notfound":          {"Không tìm thấy trang.", "Page not found."},
	"error.title":             {"Không thực hiện được", "Could not be done"},
	"common.yes":              {"Có", "Yes"},
	"common.no":               {"Không", "No"},
	"common.back":             {"Quay lại", "Back"},

	// The account page's warnings of a conflict of interest, one per judging
	// action (parindex.Action.JudgesUnit) under "users.conflict.ACTION".
	// Arguments: the agency role, the unit's name, its code, and users.conflict_sub when the grant includes sub-units.
	"users.conflict.appraisal.edit": {
		"Tài khoản này là thành viên tổ thẩm định và giữ vai trò %[1]s của %[2]s (%[3]s)%[4]s. Tài khoản sẽ không thẩm định được %[2]s%[4]s; hãy phân công thành viên khác của tổ thẩm định cho đơn vị này.",
		"This account is an appraiser and holds the role %[1]s at %[2]s (%[3]s)%[4]s. It will not be able to appraise %[2]s%[4]s; assign another member of the appraisal board to this unit."},
	"users.conflict.assessments.manage": {
		"Tài khoản này là quản trị (Sở Nội vụ) và giữ vai trò %[1]s của %[2]s (%[3]s)%[4]s. Tài khoản sẽ không trả lại, bắt đầu thẩm định, gửi kết quả, kết thúc giải trình, chốt kết quả hay mở lại hồ sơ tự đánh giá của %[2]s%[4]s; một quản trị khác sẽ làm việc này.",
		"This account is an administrator (DoHA) and holds the role %[1]s at %[2]s (%[3]s)%[4]s. It will not be able to return, start appraising, send the results of, close the explanations of, finalise or reopen the self-assessment of %[2]s%[4]s; another administrator must."},
}

// translate returns the message for key in lang; a missing key shows itself,
// and a test checks that every key used in templates exists.
func translate(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == langEN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// vietnamTime is the zone the survey and the store count days in (UTC+7,
// no daylight saving): "today" for counts, deadlines and validity must be the
// day those packages stored. How times are shown to people is s.clock's
// business (PARINDEX_TIME_ZONE), not this.
var vietnamTime = time.FixedZone("ICT", 7*3600)

// formatNumber is vn.FormatNumber for the pages of this package.
func formatNumber(lang string, x float64, decimals int) string {
	return vn.FormatNumber(lang, x, decimals)
}
