package export

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/store"
	"parindex/survey"
	"parindex/vn"
	"parindex/workbook"
)

// Sheet names of the survey results workbook.
const (
	SheetSurveyUnits     = "Theo đơn vị"
	SheetSurveyQuestions = "Theo câu hỏi"
)

// SurveyResults is one instrument's results over a period for a group of
// units.
type SurveyResults struct {
	Instrument *survey.Instrument
	Period     survey.Period
	Group      string // what the units are, e.g. "Các sở, ngành" or a parent unit's name
	Units      []*parindex.OrgUnit
	Results    map[string]survey.GroupResult // by unit code, from survey.Service.Units
	// Intervals says the results hold the bootstrap intervals of the
	// overall and element indices (a group of at most
	// MaxUnitsWithIntervals units).
	Intervals bool
	// Integrity is the counter-integrity report of the whole province for
	// the period's year, nil when the period is not one calendar year:
	// the sheet SheetSurveyIntegrity shows the units of Units from it.
	Integrity *integrity.Report
	// IncludeFlagged says the figures count the responses that screening
	// flagged too; official figures leave them out.
	IncludeFlagged bool
}

// SurveyQuery chooses a survey results workbook: an instrument over a
// period, for the units under Parent (the parent included; every unit with
// responses when ""), with or without the flagged responses, and the
// counter-integrity policy and zone its integrity sheet judges by
// (config.Config.IntegrityPolicy, Location).
type SurveyQuery struct {
	Instrument     string
	Period         survey.Period
	Parent         string
	IncludeFlagged bool
	Policy         integrity.Policy
	Location       *time.Location
}

// LoadSurveyResults reads the results q asks for and, when its period is a
// calendar year, the counter-integrity report.
func LoadSurveyResults(ctx context.Context, db *store.DB, svc *survey.Service, q SurveyQuery) (*SurveyResults, error) {
	instrument, p, parent := q.Instrument, q.Period, q.Parent
	in, err := svc.Instrument(ctx, instrument)
	if err != nil {
		return nil, err
	}
	results, err := svc.Units(ctx, instrument, p, q.IncludeFlagged)
	if err != nil {
		return nil, err
	}
	out := &SurveyResults{Instrument: in, Period: p, Results: results, Group: "Toàn tỉnh", IncludeFlagged: q.IncludeFlagged}
	var units []*parindex.OrgUnit
	if parent != "" {
		top, err := db.OrgUnitByCode(ctx, parent)
		if err != nil {
			return nil, err
		}
		below, err := db.OrgDescendants(ctx, parent)
		if err != nil {
			return nil, err
		}
		units = append([]*parindex.OrgUnit{top}, below...)
		out.Group = top.Name
	} else if units, err = db.FindOrgUnits(ctx, store.OrgFilter{}); err != nil {
		return nil, err
	}
	for _, u := range units {
		if r, ok := results[u.Code]; ok && r.Respondents+r.Flagged > 0 && !slices.ContainsFunc(out.Units, func(x *parindex.OrgUnit) bool { return x.Code == u.Code }) {
			out.Units = append(out.Units, u)
		}
	}
	vn.SortBy(out.Units, func(u *parindex.OrgUnit) string { return u.Name })
	// The count table gives point estimates and the questions' intervals;
	// the overall and element intervals need each respondent's answers
	// (a bootstrap), read for a group small enough to wait for.
	if len(out.Units) <= MaxUnitsWithIntervals {
		for _, u := range out.Units {
			full, err := svc.Unit(ctx, instrument, u.Code, p, q.IncludeFlagged)
			if err != nil {
				return nil, err
			}
			full.Comments = nil
			out.Results[u.Code] = full
		}
		out.Intervals = true
	}
	if y := p.From.Year; p == survey.Year(y) {
		_, report, err := svc.Integrity(ctx, instrument, y, q.Policy, q.Location)
		if err != nil {
			return nil, err
		}
		out.Integrity = &report
	}
	return out, nil
}

// MaxUnitsWithIntervals is the largest group whose survey workbook shows
// the intervals of each unit's overall and element indices.
const MaxUnitsWithIntervals = 30

// SurveyFileName is the download name of a survey results workbook.
func SurveyFileName(r *SurveyResults) string {
	name := fmt.Sprintf("Kết quả khảo sát %s - %s", r.Instrument.Code, periodText(r.Period))
	if r.IncludeFlagged {
		name += " - " + withFlagged
	}
	return name + ".xlsx"
}

// withFlagged marks the title and the name of a workbook whose figures
// count the flagged responses.
const withFlagged = "kể cả phiếu bị gắn cờ"

func periodText(p survey.Period) string {
	from, to := "…", "…"
	if !p.From.IsZero() {
		from = p.From.String()
	}
	if !p.To.IsZero() {
		to = p.To.String()
	}
	return from + " đến " + to
}

// SurveyTitle is the title of a survey results workbook: "Kết quả" and the
// instrument's name when that already says it is a survey ("Khảo sát sự
// hài lòng …"), else "Kết quả khảo sát" and the name; marked when the
// figures count the flagged responses.
func SurveyTitle(r *SurveyResults) string {
	name := r.Instrument.Name.VI
	title := "Kết quả khảo sát " + name + " - " + r.Group
	if rest, ok := cutPrefixFold(name, "khảo sát"); ok {
		title = "Kết quả khảo sát" + rest + " - " + r.Group
	}
	if r.IncludeFlagged {
		title += " (" + withFlagged + ")"
	}
	return title
}

// cutPrefixFold cuts prefix from s, ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// SheetSurveyCharts is the sheet of the survey workbook with a chart per
// element.
const SheetSurveyCharts = "Biểu đồ"

// WriteSurveyResults writes the results, the one layout of the command
// line's `export survey` and the web's download: a sheet with one row per
// unit (respondents, overall share with its 95% interval, adequacy, each
// element's share), a sheet of charts, one per element, of the units'
// shares, a sheet with one row per unit and question (n, share
// satisfied, Wilson 95% interval), the questions' texts, and the units'
// counter integrity (SheetSurveyIntegrity).
func WriteSurveyResults(out io.Writer, r *SurveyResults) error {
	title := SurveyTitle(r)
	w := workbook.New(title)
	defer w.Close()
	w.SetFooter(fmt.Sprintf("%s · %s · %s", r.Instrument.Name.VI, r.Group, periodText(r.Period)))
	s, err := w.AddReportSheet(SheetSurveyUnits)
	if err != nil {
		return err
	}
	flaggedColumn := "Phiếu gắn cờ (không tính)"
	if r.IncludeFlagged {
		flaggedColumn = "Phiếu gắn cờ (đã tính)"
	}
	cols := []workbook.Column{
		{Title: ColumnCode, Format: workbook.Code, Key: true},
		{Title: "Đơn vị", Width: 28, Key: true},
		{Title: LabelRespondents, Width: 9, Format: workbook.Integer},
		{Title: flaggedColumn, Width: 9, Format: workbook.Integer},
		{Title: "Chỉ số hài lòng chung", Width: 9, Format: workbook.Percent},
		{Title: "Cận dưới 95%", Width: 8, Format: workbook.Percent},
		{Title: "Cận trên 95%", Width: 8, Format: workbook.Percent},
		{Title: "Mức tin cậy", MaxWidth: 14},
	}
	for _, e := range r.Instrument.Elements {
		cols = append(cols, workbook.Column{Title: e.Name.VI, Width: 9, Format: workbook.Percent})
	}
	if err := s.Title(title, len(cols)); err != nil {
		return err
	}
	ci := "Khoảng tin cậy 95% của chỉ số chung: bootstrap theo người trả lời."
	if !r.Intervals {
		ci = fmt.Sprintf("Khoảng tin cậy của chỉ số chung cần đọc từng phiếu: có khi xuất một nhóm tối đa %d đơn vị (chọn đơn vị); khoảng tin cậy của từng câu hỏi ở trang %q.", MaxUnitsWithIntervals, SheetSurveyQuestions)
	}
	flagged := "phiếu bị gắn cờ không được tính"
	if r.IncludeFlagged {
		flagged = "phiếu bị gắn cờ khi sàng lọc cũng được tính (số liệu chính thức không tính)"
	}
	if err := s.Subtitle("Thời gian: "+periodText(r.Period)+". Tỷ lệ hài lòng = câu trả lời mức 4 hoặc 5 ÷ câu trả lời hợp lệ; "+flagged+". "+ci, len(cols)); err != nil {
		return err
	}
	if _, err := s.Table(cols, workbook.TableOptions{Freeze: true, Filter: true}); err != nil {
		return err
	}
	first := s.Row() + 1
	for _, u := range r.Units {
		g := r.Results[u.Code]
		lo, hi := interval(g.Overall.CI95)
		row := []any{u.Code, u.Name, g.Respondents, g.Flagged, num(float64(g.Overall.Index)), lo, hi, AdequacyLabel(g.Adequacy)}
		for _, e := range r.Instrument.Elements {
			row = append(row, num(float64(g.Elements[e.Code].Index)))
		}
		if _, err := s.Append(false, row...); err != nil {
			return err
		}
	}
	last := s.Row()
	elementsAt := 8
	for c := elementsAt; c < len(cols); c++ {
		if err := s.ColourScale(workbook.Range{Col: c, First: first, Last: last}); err != nil {
			return err
		}
	}
	if err := s.ColourScale(workbook.Range{Col: 4, First: first, Last: last}); err != nil {
		return err
	}
	if err := s.Finish(); err != nil {
		return err
	}

	// A chart per element, each on a page of its own: the units' shares,
	// in the order of the table.
	if len(r.Units) > 0 {
		ch, err := w.AddReportSheet(SheetSurveyCharts)
		if err != nil {
			return err
		}
		if err := ch.Title(title+": tỷ lệ hài lòng theo yếu tố", 8); err != nil {
			return err
		}
		// A category needs about 16 points for its label to print whole
		// at 9 pt: a province's hundred units take several charts.
		const perChart = 30
		page := 0
		for i, e := range r.Instrument.Elements {
			for from := first; from <= last; from += perChart {
				to := min(from+perChart-1, last)
				name := e.Name.VI
				if from > first || to < last {
					name += fmt.Sprintf(" (đơn vị %d–%d)", from-first+1, to-first+1)
				}
				if err := ch.Chart(0, workbook.Chart{
					Kind: workbook.Bar, Title: name,
					Categories: workbook.Range{Col: 1, First: from, Last: to, Sheet: s.Name()},
					Series:     []workbook.Series{{Name: e.Name.VI, Values: workbook.Range{Col: elementsAt + i, First: from, Last: to, Sheet: s.Name()}}},
					Percent:    true, Height: float64(to-from+1)*16 + 110, NewPage: page > 0,
				}); err != nil {
					return err
				}
				page++
			}
		}
		if err := ch.Finish(); err != nil {
			return err
		}
	}

	q, err := w.AddSheet(SheetSurveyQuestions, []workbook.Column{
		{Title: ColumnCode, Format: workbook.Code, Key: true},
		{Title: "Yếu tố"},
		{Title: "Câu hỏi", Format: workbook.Code, Key: true},
		{Title: "n", Width: 7, Format: workbook.Integer},
		{Title: "Không áp dụng", Width: 8, Format: workbook.Integer},
		{Title: "Tỷ lệ hài lòng", Width: 9, Format: workbook.Percent},
		{Title: "Cận dưới 95%", Width: 9, Format: workbook.Percent},
		{Title: "Cận trên 95%", Width: 9, Format: workbook.Percent},
		{Title: "Điểm trung bình (1–5)", Width: 10, Format: workbook.Points2},
	})
	if err != nil {
		return err
	}
	for _, u := range r.Units {
		g := r.Results[u.Code]
		for _, e := range r.Instrument.Elements {
			for _, question := range e.Questions {
				qr := g.Questions[question.Code]
				if _, err := q.Append(false, u.Code, e.Name.VI, question.Code, qr.N, qr.NA,
					num(float64(qr.Satisfaction)), num(float64(qr.CI95[0])), num(float64(qr.CI95[1])), num(float64(qr.Mean))); err != nil {
					return err
				}
			}
		}
	}
	if err := q.Finish(); err != nil {
		return err
	}

	// The questions' texts, once: the table above names them by code.
	t, err := w.AddSheet(SheetSurveyTexts, []workbook.Column{
		{Title: "Yếu tố", MaxWidth: 24},
		{Title: "Câu hỏi", Format: workbook.Code},
		{Title: "Nội dung", Width: 80},
	})
	if err != nil {
		return err
	}
	for _, e := range r.Instrument.Elements {
		for _, question := range e.Questions {
			if _, err := t.Append(false, e.Name.VI, question.Code, question.Text.VI); err != nil {
				return err
			}
		}
	}
	if err := t.Finish(); err != nil {
		return err
	}
	if err := writeSurveyIntegrity(w, r); err != nil {
		return err
	}
	return w.Write(out)
}

// SheetSurveyTexts lists the instrument's questions.
const SheetSurveyTexts = "Nội dung câu hỏi"
