package web

func init() {
	for k, v := range liveMessages {
		messages[k] = v
	}
}

// liveMessages are the texts of the live counter's stream (live.go):
// Vietnamese, then English.
var liveMessages = map[string][2]string{
	"live.too_many": {"Bạn đang mở quá nhiều trang tự cập nhật cùng lúc. Hãy đóng bớt rồi tải lại trang.",
		"Too many live pages are open at once. Close some and reload the page."},
}
