package export

import (
	"context"
	"fmt"
	"io"
	"slices"

	"parindex"
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
}

// LoadSurveyResults reads the results of instrument over period p for the
// units under parent (the parent included; every unit with responses when
// parent is ""), flagged responses left out as in official figures.
func LoadSurveyResults(ctx context.Context, db *store.DB, svc *survey.Service, instrument string, p survey.Period, parent string) (*SurveyResults, error) {
	in, err := svc.Instrument(ctx, instrument)
	if err != nil {
		return nil, err
	}
	results, err := svc.Units(ctx, instrument, p, false)
	if err != nil {
		return nil, err
	}
	out := &SurveyResults{Instrument: in, Period: p, Results: results, Group: "Toàn tỉnh"}
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
	return out, nil
}

// SurveyFileName is the download name of a survey results workbook.
func SurveyFileName(r *SurveyResults) string {
	return fmt.Sprintf("Kết quả khảo sát %s - %s.xlsx", r.Instrument.Code, periodText(r.Period))
}

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

// WriteSurveyResults writes the results: a sheet with one row per unit
// (respondents, overall and element shares, adequacy) and a sheet with one
// row per unit and question (n, share satisfied, Wilson 95% interval).
func WriteSurveyResults(out io.Writer, r *SurveyResults) error {
	title := fmt.Sprintf("Kết quả khảo sát %s - %s", r.Instrument.Name.VI, r.Group)
	w := workbook.New(title)
	defer w.Close()
	s, err := w.AddReportSheet(SheetSurveyUnits)
	if err != nil {
		return err
	}
	if err := s.Title(title, 8); err != nil {
		return err
	}
	if err := s.Subtitle("Thời gian: "+periodText(r.Period)+". Tỷ lệ hài lòng = câu trả lời mức 4 hoặc 5 ÷ câu trả lời hợp lệ; phiếu bị gắn cờ không được tính.", 8); err != nil {
		return err
	}
	cols := []workbook.Column{
		{Title: ColumnCode, Width: 10, Format: workbook.Code},
		{Title: "Đơn vị", Width: 34},
		{Title: LabelRespondents, Width: 10, Format: workbook.Integer},
		{Title: "Phiếu gắn cờ (không tính)", Width: 10, Format: workbook.Integer},
		{Title: "Chỉ số hài lòng chung", Width: 11, Format: workbook.Percent},
		{Title: "Mức tin cậy", Width: 18},
	}
	for _, e := range r.Instrument.Elements {
		cols = append(cols, workbook.Column{Title: e.Name.VI, Width: 12, Format: workbook.Percent})
	}
	if _, err := s.Table(cols, workbook.TableOptions{Freeze: true, Filter: true, HeaderHeight: 45}); err != nil {
		return err
	}
	first := s.Row() + 1
	for _, u := range r.Units {
		g := r.Results[u.Code]
		row := []any{u.Code, u.Name, g.Respondents, g.Flagged, num(float64(g.Overall.Index)), AdequacyLabel(g.Adequacy)}
		for _, e := range r.Instrument.Elements {
			row = append(row, num(float64(g.Elements[e.Code].Index)))
		}
		if _, err := s.Append(false, row...); err != nil {
			return err
		}
	}
	for c := 4; c < len(cols); c++ {
		if c == 5 {
			continue
		}
		if err := s.ColourScale(workbook.Range{Col: c, First: first, Last: s.Row()}); err != nil {
			return err
		}
	}
	if err := s.Finish(); err != nil {
		return err
	}

	q, err := w.AddSheet(SheetSurveyQuestions, []workbook.Column{
		{Title: ColumnCode, Width: 10, Format: workbook.Code},
		{Title: "Đơn vị", Width: 30},
		{Title: "Yếu tố", Width: 24},
		{Title: "Câu hỏi", Width: 10, Format: workbook.Code},
		{Title: "Nội dung", Width: 50},
		{Title: "n", Width: 8, Format: workbook.Integer},
		{Title: "Không áp dụng", Width: 10, Format: workbook.Integer},
		{Title: "Tỷ lệ hài lòng", Width: 11, Format: workbook.Percent},
		{Title: "Cận dưới 95%", Width: 11, Format: workbook.Percent},
		{Title: "Cận trên 95%", Width: 11, Format: workbook.Percent},
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
				if _, err := q.Append(false, u.Code, u.Name, e.Name.VI, question.Code, question.Text.VI, qr.N, qr.NA,
					num(float64(qr.Satisfaction)), num(float64(qr.CI95[0])), num(float64(qr.CI95[1])), num(float64(qr.Mean))); err != nil {
					return err
				}
			}
		}
	}
	if err := q.Finish(); err != nil {
		return err
	}
	return w.Write(out)
}
