package snapshot

import "parindex/i18n"

func init() {
	i18n.Add(map[string][2]string{
		"preflight.not_started": {"chưa bắt đầu", "not started"},
		"preflight.assessment":  {"Hồ sơ tự đánh giá chưa hoàn thành (đang ở bước “%s”).", "The self-assessment is not final (it is at “%s”)."},
		"preflight.leaf_waits":  {"Chưa có điểm cuối cùng: hồ sơ tự đánh giá đang ở bước “%s”.", "No final value yet: the self-assessment is at “%s”."},
		"preflight.no_value":    {"Chưa có giá trị.", "No value."},
		"preflight.survey_n":    {"Kết quả khảo sát chưa đủ tin cậy: %d người trả lời.", "The survey result is not reliable: %d respondents."},
		"preflight.survey_n_hw": {"Kết quả khảo sát chưa đủ tin cậy: %d người trả lời, khoảng tin cậy 95%% ±%s điểm.", "The survey result is not reliable: %d respondents, 95%% interval ±%s points."},
	})
}
