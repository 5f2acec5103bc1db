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
	"export.bad_snapshot":   {"Số bản chốt điểm số %q không hợp lệ: cần một số nguyên dương (?snapshot=12).", "Snapshot %q is not valid: a positive whole number is needed (?snapshot=12)."},
}
