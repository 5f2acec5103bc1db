package export

import (
	"fmt"
	"io"
	"math"
	"strings"

	"parindex"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/survey"
	"parindex/vn"
	"parindex/workbook"
)

// Sheet names of the scorecard, in workbook order.
const (
	SheetSummary = "Tổng hợp"
	SheetDetail  = "Chi tiết"
	SheetSurvey  = "Khảo sát"
	SheetMethod  = "Phương pháp"
)

// Labels of the summary's fields: tests and readers find figures by them.
const (
	LabelUnit        = "Đơn vị"
	LabelIndex       = "Chỉ số CCHC (%)"
	LabelRank        = "Xếp hạng"
	LabelRanked      = "Số đơn vị được xếp hạng"
	LabelRankRange   = "Khoảng xếp hạng (5%–95%)"
	LabelBand        = "Xếp loại"
	LabelPoints      = "Tổng điểm"
	LabelMax         = "Điểm tối đa áp dụng"
	LabelChange      = "Thay đổi so với năm trước (điểm %)"
	LabelToNextBand  = "Điểm cần thêm để lên loại trên"
	LabelMissing     = "Số tiêu chí thiếu dữ liệu"
	LabelNotApplied  = "Số tiêu chí không áp dụng"
	LabelPublication = "Công bố"
	LabelIncomplete  = "Chưa đầy đủ khi chấm"
	LabelTotal       = "Tổng"
	LabelRespondents = "Số người trả lời"
)

// bandColours are the fills of the bands, best first (green to red); a
// framework with more bands repeats the last.
var bandColours = []string{"63BE7B", "B5D99C", "FFEB84", "FBB777", "F8696B"}

// Data bar colours: light enough for the figure in the cell to stay
// readable.
const (
	lightRed   = "F4A6A9"
	lightGreen = "A5D6A7"
)

// BandColour is the fill of band code in framework f.
func BandColour(f *criteria.Framework, code string) string {
	for i, b := range f.Bands {
		if b.Code == code {
			return bandColours[min(i, len(bandColours)-1)]
		}
	}
	return ""
}

// ScorecardFileName is the download name of an agency's scorecard, e.g.
// "Phiếu điểm CCHC 2026 - Sở Nội vụ.xlsx".
func ScorecardFileName(sc *Scored, a *scoring.AgencyResult) string {
	name := a.Name
	if name == "" {
		name = a.Code
	}
	return fmt.Sprintf("Phiếu điểm CCHC %d - %s.xlsx", sc.Snapshot.Year, name)
}

// WriteScorecard writes the scorecard of agency unit in snapshot sc:
// summary, the whole criteria tree, the survey (surveys may be nil) and the
// method, its times shown by clock. It is a not-found error when the
// snapshot did not score the unit.
func WriteScorecard(out io.Writer, sc *Scored, unit string, surveys []SurveyBlock, clock parindex.Clock) error {
	a := sc.Result.Agency(unit)
	if a == nil {
		return parindex.Errorf(parindex.ECodeNotFound, "Bản chốt điểm số %d không chấm đơn vị %s (snapshot %d did not score unit %s)", sc.Snapshot.ID, unit, sc.Snapshot.ID, unit)
	}
	title := strings.TrimSuffix(ScorecardFileName(sc, a), ".xlsx")
	if sc.Provisional() {
		title += " (KẾT QUẢ TẠM THỜI)"
	}
	w := workbook.New(title)
	defer w.Close()
	footer := fmt.Sprintf("%s (%s) · Chỉ số CCHC năm %d", a.Name, a.Code, sc.Snapshot.Year)
	if sc.Provisional() {
		footer += " · KẾT QUẢ TẠM THỜI"
	}
	w.SetFooter(footer)
	if err := scorecardSummary(w, sc, a, title, clock); err != nil {
		return err
	}
	if err := scorecardDetail(w, sc, a); err != nil {
		return err
	}
	if err := scorecardSurvey(w, a, surveys); err != nil {
		return err
	}
	if err := scorecardMethod(w, sc, clock); err != nil {
		return err
	}
	return w.Write(out)
}

func ranked(r *scoring.Result) int {
	n := 0
	for _, a := range r.Agencies {
		if a.Rank > 0 {
			n++
		}
	}
	return n
}

// PublicationText says how the snapshot was published, in Vietnamese.
func PublicationText(sc *Scored) string {
	s := sc.Snapshot
	switch s.Publication {
	case parindex.PublicationFinal:
		return "Chính thức"
	case parindex.PublicationFinalWithExceptions:
		return fmt.Sprintf("Chính thức, chấp nhận %d mục chưa đầy đủ: %s", len(s.Exceptions), s.PublicationNote)
	case parindex.PublicationProvisional:
		return "Tạm thời: " + s.PublicationNote
	}
	return "Bản nháp, chưa công bố"
}

// IncompleteText summarises what was incomplete for a unit when the
// snapshot was scored: its assessment's state, and how many leaves had no
// value or a survey figure not yet reliable; "" when nothing was.
func IncompleteText(sc *Scored, unit string) string {
	items := sc.Record.Incomplete(unit)
	if len(items) == 0 {
		return ""
	}
	var parts []string
	leaves, weak := 0, 0
	for _, it := range items {
		switch {
		case it.Node == "":
			parts = append(parts, it.VI)
		case it.Scored:
			weak++
		default:
			leaves++
		}
	}
	if leaves > 0 {
		parts = append(parts, fmt.Sprintf("%d tiêu chí chưa có giá trị.", leaves))
	}
	if weak > 0 {
		parts = append(parts, fmt.Sprintf("%d tiêu chí khảo sát chưa đủ tin cậy.", weak))
	}
	return strings.Join(parts, " ")
}

func snapshotLine(sc *Scored, clock parindex.Clock) string {
	s := sc.Snapshot
	line := fmt.Sprintf("%s · bản chốt điểm số %d", sc.Framework.Name, s.ID)
	if !s.PublishedAt.IsZero() {
		line += ", công bố ngày " + clock.FormatDay(s.PublishedAt)
		if s.Provisional() {
			line += " (kết quả tạm thời)"
		}
	} else {
		line += " (bản nháp, chưa công bố)"
	}
	return line
}

// The summary is page 1 of the printed scorecard, on A4 portrait: the
// title, the headline figures, the areas table and a chart of the areas
// against the province mean. Its fields span the table's columns (label
// over code and name, value over the figures), so that the code column
// stays narrow.
func scorecardSummary(w *workbook.Workbook, sc *Scored, a *scoring.AgencyResult, title string, clock parindex.Clock) error {
	s, err := w.AddReportSheet(SheetSummary)
	if err != nil {
		return err
	}
	cols := []workbook.Column{
		{Title: "Mã", Format: workbook.Code, Key: true},
		{Title: "Lĩnh vực", Width: 35, Key: true},
		{Title: "Điểm", Width: 9, Format: workbook.Points2},
		{Title: "Tối đa", Width: 9, Format: workbook.Points2},
		{Title: "Tỷ lệ đạt của đơn vị", Width: 10, Format: workbook.Percent},
		{Title: "Trung bình các đơn vị", Width: 11, Format: workbook.Percent},
		{Title: "Thay đổi so với năm trước (điểm %)", Width: 13, Format: workbook.Points2},
	}
	span := len(cols)
	if err := s.Title(title, span); err != nil {
		return err
	}
	if err := s.Subtitle(snapshotLine(sc, clock), span); err != nil {
		return err
	}
	s.FieldSpans(2, 2, span-4)
	notApplied := ""
	if n := len(a.NotApplicable); n > 0 {
		notApplied = fmt.Sprintf("%s: %d", LabelNotApplied, n)
	}
	rankNote := fmt.Sprintf("trên %d đơn vị; khoảng %s", ranked(sc.Result), rankInterval(a))
	bandNote := ""
	if a.PointsToNextBand != nil {
		bandNote = LabelToNextBand + ": " + vn.FormatNumber("vi", *a.PointsToNextBand, 2)
	}
	fields := []struct {
		label string
		value any
		f     workbook.Format
		note  string
	}{
		{LabelUnit, a.Code + " - " + a.Name, workbook.Text, ""},
		{LabelIndex, a.IndexRounded, workbook.Points2, ""},
		{LabelBand, bandLabel(a), workbook.Text, bandNote},
		{LabelRank, rankValue(a.Rank), workbook.Integer, rankNote},
		{LabelChange, changeValue(sc, a), workbook.Points2, ""},
		{LabelPoints, a.Points, workbook.Points2, ""},
		{LabelMax, a.Max, workbook.Points2, ""},
		{LabelMissing, len(a.Missing), workbook.Integer, notApplied},
		{LabelPublication, PublicationText(sc), workbook.Text, ""},
	}
	if why := IncompleteText(sc, a.Code); why != "" {
		fields = append(fields, struct {
			label string
			value any
			f     workbook.Format
			note  string
		}{LabelIncomplete, why, workbook.Text, ""})
	}
	for _, f := range fields {
		row, err := s.FieldNote(f.label, f.value, f.f, f.note)
		if err != nil {
			return err
		}
		if f.label == LabelBand && a.Band != "" {
			if err := s.Highlight(row, 2, workbook.Text, BandColour(sc.Framework, a.Band)); err != nil {
				return err
			}
		}
	}
	if a.IndexNote != "" {
		if _, err := s.Field("Ghi chú", a.IndexNote, workbook.Text); err != nil {
			return err
		}
	}
	s.Blank()
	header, err := s.Table(cols, workbook.TableOptions{})
	if err != nil {
		return err
	}
	first := s.Row() + 1
	var nodeChanges map[string]float64
	if sc.Change != nil {
		if uc, ok := sc.Change.Units[a.Code]; ok {
			nodeChanges = map[string]float64{}
			for _, nc := range uc.Nodes {
				nodeChanges[nc.Node] = nc.Change
			}
		}
	}
	for _, area := range sc.Areas() {
		n, _ := a.Node(area.Code)
		var peer *float64
		if p, ok := sc.PeerPercent[area.Code]; ok {
			peer = &p
		}
		var change *float64
		if c, ok := nodeChanges[area.Code]; ok {
			change = num(c)
		}
		if _, err := s.Append(false, area.Code, area.Name, n.Points, n.Max, share(n.Points, n.Max), peer, change); err != nil {
			return err
		}
	}
	last := s.Row()
	for _, node := range sc.Framework.Nodes {
		if node.Adjustment {
			n, _ := a.Node(node.Code)
			if _, err := s.Append(false, node.Code, node.Name, n.Points, nil, nil, nil, nil); err != nil {
				return err
			}
		}
	}
	if _, err := s.Append(true, LabelTotal, "", a.Points, a.Max, share(a.Points, a.Max), nil, nil); err != nil {
		return err
	}
	if err := s.DataBars(workbook.Range{Col: 4, First: first, Last: last}, lightRed); err != nil {
		return err
	}
	if last >= first {
		// Clustered bars, the unit beside the province mean, one pair per
		// area: they print legibly where a radar's spokes do not.
		err := s.Chart(0, workbook.Chart{
			Kind: workbook.Bar, Title: "Tỷ lệ đạt theo lĩnh vực: đơn vị và trung bình các đơn vị",
			Categories: workbook.Range{Col: 0, First: first, Last: last},
			Series: []workbook.Series{
				{Name: a.Name, NameRow: header, Values: workbook.Range{Col: 4, First: first, Last: last}},
				{Name: "Trung bình các đơn vị", NameRow: header, Values: workbook.Range{Col: 5, First: first, Last: last}},
			},
			Percent: true, Columns: span, Height: 190,
		})
		if err != nil {
			return err
		}
	}
	return s.Finish()
}

func rankValue(rank int) any {
	if rank == 0 {
		return "không xếp hạng"
	}
	return rank
}

func rankInterval(a *scoring.AgencyResult) string {
	if a.RankInterval == nil {
		return "–"
	}
	if a.RankInterval[0] == a.RankInterval[1] {
		return fmt.Sprint(a.RankInterval[0])
	}
	return fmt.Sprintf("%d–%d", a.RankInterval[0], a.RankInterval[1])
}

func bandLabel(a *scoring.AgencyResult) string {
	switch {
	case a.Band == "":
		return "–"
	case a.BandName == "" || a.BandName == a.Band:
		return a.Band
	}
	return a.Band + " - " + a.BandName
}

func changeValue(sc *Scored, a *scoring.AgencyResult) any {
	if sc.Change == nil {
		return "chưa có kết quả năm trước"
	}
	uc, ok := sc.Change.Units[a.Code]
	if !ok || math.IsNaN(uc.Change) {
		return "chưa có kết quả năm trước"
	}
	return uc.Change
}

// Status marks of the detail sheet.
const (
	MarkMissing       = "Thiếu dữ liệu"
	MarkExcluded      = "Thiếu dữ liệu (loại khỏi mẫu số)"
	MarkNotApplicable = "Không áp dụng"
)

func statusMark(s scoring.NodeStatus) (string, string) {
	switch s {
	case scoring.StatusMissing:
		return MarkMissing, "FBB777"
	case scoring.StatusExcluded:
		return MarkExcluded, "FBB777"
	case scoring.StatusNotApplicable:
		return MarkNotApplicable, "D9DEE4"
	}
	return "", ""
}

var methodNames = map[criteria.Method]string{
	criteria.MethodAssessed: "thẩm định", criteria.MethodBoolean: "có/không", criteria.MethodRatio: "tỷ lệ",
	criteria.MethodTiers: "theo mức", criteria.MethodRelative: "so với đơn vị tốt nhất", criteria.MethodCount: "đếm",
	criteria.MethodFormula: "công thức", criteria.MethodSurvey: "khảo sát", criteria.MethodBonus: "điểm thưởng",
	criteria.MethodPenalty: "điểm trừ",
}

// The detail sheet lists every node of the framework: how it is scored,
// what it was scored from, the values by stage (self-assessed, appraised)
// and the final points, the points still open on it, and the reason when
// a value is missing. It prints on A4 landscape, its header row on every
// page.
func scorecardDetail(w *workbook.Workbook, sc *Scored, a *scoring.AgencyResult) error {
	s, err := w.AddReportSheet(SheetDetail)
	if err != nil {
		return err
	}
	cols := []workbook.Column{
		{Title: "Mã", Format: workbook.Code, Key: true},
		{Title: "Tiêu chí", Width: 40, Key: true},
		{Title: "Cách chấm", MaxWidth: 12},
		{Title: "Số liệu đầu vào", MaxWidth: 16},
		{Title: "Tự chấm", Width: 8},
		{Title: "Thẩm định", Width: 9},
		{Title: "Điểm", Width: 8, Format: workbook.Points2},
		{Title: "Tối đa áp dụng", Width: 8, Format: workbook.Points2},
		{Title: "Tỷ lệ đạt", Width: 9, Format: workbook.Percent},
		{Title: "Điểm còn có thể đạt", Width: 9, Format: workbook.Points2},
		{Title: "Trạng thái", MaxWidth: 13},
		{Title: "Ghi chú (lý do khi thiếu)", Width: 26},
	}
	if err := s.Title("Điểm chi tiết theo tiêu chí - "+a.Name, len(cols)); err != nil {
		return err
	}
	next := "Đơn vị đã ở loại cao nhất hoặc chưa được xếp loại."
	if a.PointsToNextBand != nil {
		next = "Điểm cần thêm để lên loại trên: " + vn.FormatNumber("vi", *a.PointsToNextBand, 2) + " điểm %."
	}
	if err := s.Subtitle("Mọi giá trị lấy từ bản chốt: Tự chấm và Thẩm định là giá trị trong hồ sơ tự đánh giá khi chấm điểm, Điểm là điểm đã chấm; ô trống ở cột tỷ lệ: tiêu chí không tính cho đơn vị. "+next, len(cols)); err != nil {
		return err
	}
	unit := sc.Record.Unit(a.Code)
	statusCol := 10
	if _, err := s.Table(cols, workbook.TableOptions{Freeze: true, Filter: true}); err != nil {
		return err
	}
	first := s.Row() + 1
	var walkErr error
	sc.Framework.Walk(func(node *criteria.Node, ancestors []*criteria.Node) bool {
		if walkErr != nil {
			return false
		}
		n, _ := a.Node(node.Code)
		mark, colour := statusMark(n.Status)
		method := ""
		if node.IsLeaf() {
			method = methodNames[node.Method]
		}
		note := ""
		if item, ok := sc.Record.Item(a.Code, node.Code); ok {
			note = item.VI // a survey leaf's item says what was left out
		} else {
			if n.Reason != nil {
				note = n.Reason.VI
			}
		}
		var open *float64
		if n.Max > 0 {
			open = num(max(n.Max-n.Points, 0))
		}
		name := strings.Repeat("  ", len(ancestors)) + node.Name
		self, appraised := assessedValues(unit, node)
		row, err := s.Append(len(ancestors) == 0, node.Code, name, method, inputText(n), self, appraised, n.Points, n.Max, share(n.Points, n.Max), open, mark, note)
		if err != nil {
			walkErr = err
			return false
		}
		if colour != "" {
			walkErr = s.Highlight(row, statusCol, workbook.Text, colour)
		}
		return walkErr == nil
	})
	if walkErr != nil {
		return walkErr
	}
	if err := s.DataBars(workbook.Range{Col: 8, First: first, Last: s.Row()}, lightRed); err != nil {
		return err
	}
	return s.Finish()
}

// assessedValues shows a leaf's self-assessed value and its appraised value
// (round 2 where there was one, else round 1), as the snapshot recorded
// them, for leaves an agency scores itself; "" where there is none.
func assessedValues(u *snapshot.UnitRecord, node *criteria.Node) (self, appraised string) {
	if !node.IsLeaf() {
		return "", ""
	}
	lr := u.Leaves[node.Code]
	self = leafValueText(lr.Self)
	switch {
	case lr.Round2 != nil:
		appraised = leafValueText(lr.Round2)
	case lr.Round1 != nil:
		appraised = leafValueText(lr.Round1)
	}
	return self, appraised
}

func leafValueText(v *snapshot.Value) string {
	switch {
	case v == nil:
		return ""
	case v.NotApplicable:
		return "không áp dụng"
	case v.Points != nil:
		return vn.FormatNumber("vi", *v.Points, 2)
	case v.Answer != nil && *v.Answer:
		return "có"
	case v.Answer != nil:
		return "không"
	}
	return ""
}

// inputText describes what a leaf was scored from, in Vietnamese.
func inputText(n scoring.NodeResult) string {
	if n.Spec == nil {
		return ""
	}
	in := n.Inputs
	f := func(x float64, d int) string { return vn.FormatNumber("vi", x, d) }
	switch n.Spec.Method {
	case criteria.MethodBoolean:
		if in.Answer == nil {
			return ""
		}
		if *in.Answer {
			return "Có"
		}
		return "Không"
	case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative:
		if math.IsNaN(in.Rate) {
			return ""
		}
		return fmt.Sprintf("%s / %s = %s%%", f(in.Numerator, 0), f(in.Denominator, 0), f(in.Rate*100, 2))
	case criteria.MethodSurvey:
		if math.IsNaN(in.Value) {
			return ""
		}
		v := f(in.Value, 2)
		if n.Spec.Measure != criteria.MeasureMean100 {
			v = f(in.Value*100, 2) + "% hài lòng"
		}
		if in.N > 0 {
			v += fmt.Sprintf(" (n = %d)", in.N)
		}
		return v
	}
	if math.IsNaN(in.Value) {
		return ""
	}
	return f(in.Value, 2)
}

// AdequacyLabel is the Vietnamese label of a survey result's adequacy.
func AdequacyLabel(a string) string {
	switch a {
	case survey.AdequacyInsufficient:
		return "Chưa đủ số phiếu"
	case survey.AdequacyIndicative:
		return "Tham khảo (khoảng tin cậy rộng)"
	case survey.AdequacyReliable:
		return "Tin cậy"
	}
	return a
}

func interval(ci *survey.Interval) (low, high *float64) {
	if ci == nil {
		return nil, nil
	}
	return num(float64(ci[0])), num(float64(ci[1]))
}

// Survey adequacy rules, as the survey service applies them to a unit by
// default: fewer than 30 answers is not enough; an interval wider than
// ±10 points is indicative only.
const (
	minAnswers   = 30
	maxHalfWidth = 0.10
)

// elementAdequacy labels one element's figure by the same rules as a
// unit's overall result.
func elementAdequacy(n int, ci *survey.Interval) string {
	switch {
	case n < minAnswers:
		return AdequacyLabel(survey.AdequacyInsufficient)
	case ci == nil || (float64(ci[1])-float64(ci[0]))/2 > maxHalfWidth:
		return AdequacyLabel(survey.AdequacyIndicative)
	}
	return AdequacyLabel(survey.AdequacyReliable)
}

// The survey sheet: per instrument, the headline (respondents, overall
// index, its interval and adequacy), the elements with their n, interval
// and adequacy, then every question, and a chart of the elements on a page
// of its own.
func scorecardSurvey(w *workbook.Workbook, a *scoring.AgencyResult, surveys []SurveyBlock) error {
	s, err := w.AddReportSheet(SheetSurvey)
	if err != nil {
		return err
	}
	cols := []workbook.Column{
		{Title: "Mã", Format: workbook.Code, Key: true},
		{Title: "Yếu tố / câu hỏi", Width: 52, Key: true},
		{Title: "n", Width: 7, Format: workbook.Integer},
		{Title: "Không áp dụng", Width: 8, Format: workbook.Integer},
		{Title: "Tỷ lệ hài lòng", Width: 9, Format: workbook.Percent},
		{Title: "Cận dưới 95%", Width: 9, Format: workbook.Percent},
		{Title: "Cận trên 95%", Width: 9, Format: workbook.Percent},
		{Title: "Mức tin cậy / ghi chú", Width: 18},
	}
	span := len(cols)
	if err := s.Title("Kết quả khảo sát sự hài lòng - "+a.Name, span); err != nil {
		return err
	}
	if len(surveys) == 0 {
		if err := s.Subtitle("Không có kết quả khảo sát cho đơn vị trong năm của bản chốt.", span); err != nil {
			return err
		}
		return s.Finish()
	}
	s.FieldSpans(2, span-2, 0)
	for i, b := range surveys {
		if i > 0 {
			s.Blank()
		}
		r := b.Result
		if err := s.Subtitle(fmt.Sprintf("%s (%s): tỷ lệ người trả lời hài lòng (mức 4 hoặc 5) và khoảng tin cậy 95%%", b.Instrument.Name.VI, b.Instrument.Code), span); err != nil {
			return err
		}
		if _, err := s.Field(LabelRespondents, r.Respondents, workbook.Integer); err != nil {
			return err
		}
		low, high := interval(r.Overall.CI95)
		if _, err := s.Field("Chỉ số hài lòng chung", num(float64(r.Overall.Index)), workbook.Percent); err != nil {
			return err
		}
		if _, err := s.Field("Khoảng tin cậy 95%", intervalText(low, high), workbook.Text); err != nil {
			return err
		}
		if _, err := s.Field("Mức tin cậy của kết quả", AdequacyLabel(r.Adequacy), workbook.Text); err != nil {
			return err
		}
		if _, err := s.Field(i18n.T(i18n.VI, "results.survey_responses"), b.Counted, workbook.Text); err != nil {
			return err
		}
		if b.LeftOut != "" {
			if _, err := s.Field(i18n.T(i18n.VI, "results.col.left_out"), b.LeftOut, workbook.Text); err != nil {
				return err
			}
		}
		s.Blank()
		if _, err := s.Table(cols, workbook.TableOptions{}); err != nil {
			return err
		}
		// Elements first, contiguous, so that the chart reads them.
		first := s.Row() + 1
		for _, e := range b.Instrument.Elements {
			er := r.Elements[e.Code]
			lo, hi := interval(er.CI95)
			n := 0
			for _, q := range e.Questions {
				n = max(n, r.Questions[q.Code].N)
			}
			note := elementAdequacy(n, er.CI95)
			if er.Alpha != nil && !math.IsNaN(float64(*er.Alpha)) {
				note += "; alpha = " + vn.FormatNumber("vi", float64(*er.Alpha), 2)
			}
			// The element is named, not coded: its code is the
			// instrument's key, not a number people read.
			if _, err := s.Append(true, "", e.Name.VI, n, nil, num(float64(er.Index)), lo, hi, note); err != nil {
				return err
			}
		}
		last := s.Row()
		for _, e := range b.Instrument.Elements {
			for _, q := range e.Questions {
				qr := r.Questions[q.Code]
				note := ""
				if qr.N < minAnswers {
					note = "ít phiếu: chỉ tham khảo"
				}
				lo, hi := float64(qr.CI95[0]), float64(qr.CI95[1])
				if _, err := s.Append(false, q.Code, "  "+q.Text.VI, qr.N, qr.NA, num(float64(qr.Satisfaction)), num(lo), num(hi), note); err != nil {
					return err
				}
			}
		}
		if err := s.DataBars(workbook.Range{Col: 4, First: first, Last: s.Row()}, lightGreen); err != nil {
			return err
		}
		if len(b.Instrument.Elements) > 0 {
			if err := s.Chart(0, workbook.Chart{
				Kind: workbook.Bar, Title: "Tỷ lệ hài lòng theo yếu tố (" + b.Instrument.Code + ")",
				Categories: workbook.Range{Col: 1, First: first, Last: last},
				Series:     []workbook.Series{{Name: "Tỷ lệ hài lòng", Values: workbook.Range{Col: 4, First: first, Last: last}}},
				Percent:    true, Columns: span, NewPage: true,
			}); err != nil {
				return err
			}
		}
	}
	return s.Finish()
}

func intervalText(low, high *float64) string {
	if low == nil || high == nil {
		return "–"
	}
	return vn.FormatNumber("vi", *low*100, 1) + "% – " + vn.FormatNumber("vi", *high*100, 1) + "%"
}

func scorecardMethod(w *workbook.Workbook, sc *Scored, clock parindex.Clock) error {
	s, err := w.AddReportSheet(SheetMethod)
	if err != nil {
		return err
	}
	if err := s.Title("Phương pháp và nguồn số liệu", 2); err != nil {
		return err
	}
	s.Blank()
	f, snap := sc.Framework, sc.Snapshot
	published := "chưa công bố (bản nháp)"
	if !snap.PublishedAt.IsZero() {
		published = clock.FormatTime(snap.PublishedAt) + ", " + snap.PublishedBy
	}
	policy := "Tiêu chí thiếu dữ liệu được 0 điểm và vẫn tính điểm tối đa vào mẫu số."
	if f.Missing == criteria.MissingExclude {
		policy = "Tiêu chí thiếu dữ liệu không được tính vào mẫu số (loại khỏi điểm tối đa áp dụng)."
	}
	var bands []string
	for _, b := range f.Bands {
		bands = append(bands, fmt.Sprintf("%s (%s): từ %s%%", b.Code, b.Name, vn.FormatNumber("vi", b.Min, f.Rounding)))
	}
	rows := [][2]string{
		{"Bộ tiêu chí (mã)", f.Code},
		{"Tên bộ tiêu chí", f.Name},
		{"Mã băm bộ tiêu chí (SHA-256)", snap.FrameworkHash},
		{"Bản chốt điểm số", fmt.Sprint(snap.ID)},
		{"Năm đánh giá", fmt.Sprint(snap.Year)},
		{"Ngày tạo bản chốt", clock.FormatTime(snap.CreatedAt) + ", " + snap.CreatedBy},
		{"Công bố", published},
		{"Chỉ số", fmt.Sprintf("Chỉ số = (điểm đạt + điểm thưởng − điểm trừ) ÷ điểm tối đa của các tiêu chí áp dụng × 100, làm tròn %d chữ số thập phân (làm tròn lên từ 5). Tiêu chí không áp dụng không tính vào mẫu số.", f.Rounding)},
		{"Xếp loại", strings.Join(bands, "; ")},
		{"Dữ liệu thiếu", policy},
		{"Điểm tự chấm và điểm thẩm định", "Bản chốt lưu điểm cuối cùng sau thẩm định (cột \"Điểm\" của trang Chi tiết). Các cột \"Tự chấm\" và \"Thẩm định\" là giá trị trong hồ sơ tự đánh giá của đơn vị lúc chấm điểm, do bản chốt lưu lại (thẩm định: vòng 2 nếu có, nếu không thì vòng 1)."},
		{"Khảo sát: cách tính", "Tỷ lệ hài lòng của một câu hỏi = số câu trả lời mức 4 hoặc 5 ÷ số câu trả lời hợp lệ (không tính \"không áp dụng\"). Chỉ số yếu tố = trung bình các câu hỏi; chỉ số chung = trung bình các yếu tố. Phiếu bị gắn cờ chất lượng không được tính."},
		{"Khảo sát: trọng số", "Kết quả của một đơn vị tính trên phiếu của chính đơn vị, không gán trọng số. Kết quả của một địa bàn gồm nhiều đơn vị là bình quân có trọng số theo số giao dịch của từng đơn vị, không gộp phiếu thô."},
		{"Cách đọc khoảng tin cậy", "Khoảng tin cậy 95% cho biết phạm vi mà chỉ số thực có thể nằm trong đó do chỉ khảo sát một mẫu người dân. Hai đơn vị có khoảng chồng lên nhau chưa chắc khác nhau thật. Câu hỏi: khoảng Wilson; yếu tố và chỉ số chung: bootstrap theo người trả lời."},
		{"Khoảng xếp hạng", "Hạng 5%–95% qua các lần mô phỏng sai số khảo sát: các đơn vị có khoảng xếp hạng chồng nhau chưa khác nhau rõ rệt."},
		{"Thay đổi so với năm trước", "Hiệu số giữa chỉ số năm nay và năm trước (điểm phần trăm), trên các tiêu chí được ánh xạ giữa hai bộ tiêu chí."},
	}
	for _, r := range rows {
		if _, err := s.Field(r[0], r[1], workbook.Text); err != nil {
			return err
		}
	}
	// A portrait page: the topics narrow, the explanations wrapped.
	if err := s.SetWidth(0, 26); err != nil {
		return err
	}
	if err := s.SetWidth(1, 66); err != nil {
		return err
	}
	return s.Finish()
}
