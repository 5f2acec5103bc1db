package export

import (
	"fmt"
	"strings"

	"parindex/i18n"
	"parindex/integrity"
	"parindex/workbook"
)

// SheetSurveyIntegrity is the survey workbook's sheet of counter integrity
// (issue 22): which units' and QR links' ratings to believe.
const SheetSurveyIntegrity = "Độ tin cậy"

// LabelPolicyVersion labels the version of the policy that judged.
const LabelPolicyVersion = "Phiên bản chính sách đánh giá"

// integrityColours fill a label's cell as the bands' colours do: credible
// green, check amber, doubtful red; a unit not judged keeps no colour. The
// label's word is always written in the cell: colour is never alone.
var integrityColours = map[integrity.Label]string{
	integrity.Credible: bandColours[0],
	integrity.Check:    bandColours[2],
	integrity.Doubtful: bandColours[len(bandColours)-1],
}

// writeSurveyIntegrity adds the integrity sheet: the policy's version, then
// each unit of the workbook, worst first as the report ranks them, with its
// label, responses and reasons, and under it its QR links.
func writeSurveyIntegrity(w *workbook.Workbook, r *SurveyResults) error {
	t := func(key string, args ...any) string { return i18n.T(i18n.VI, key, args...) }
	cols := []workbook.Column{
		{Title: ColumnCode, Format: workbook.Code, Key: true},
		{Title: t("integrity.unit_link"), Width: 26, Key: true},
		{Title: t("integrity.label"), MaxWidth: 14},
		{Title: t("integrity.responses"), Width: 8, Format: workbook.Integer},
		{Title: t("integrity.reasons"), Width: 62},
	}
	s, err := w.AddReportSheet(SheetSurveyIntegrity)
	if err != nil {
		return err
	}
	title := t("integrity.title") + " - " + r.Group
	if r.Integrity == nil {
		if err := s.Title(title+" - "+periodText(r.Period), len(cols)); err != nil {
			return err
		}
		return s.Subtitle("Độ tin cậy của phiếu được đánh giá theo năm dương lịch: xuất kết quả của cả một năm để có trang này.", len(cols))
	}
	if err := s.Title(fmt.Sprintf("%s - năm %d", title, r.Period.From.Year), len(cols)); err != nil {
		return err
	}
	if err := s.Subtitle(t("integrity.intro")+" "+t("integrity.policy", r.Integrity.PolicyVersion), len(cols)); err != nil {
		return err
	}
	s.FieldSpans(2, 1, 0)
	if _, err := s.Field(LabelPolicyVersion, r.Integrity.PolicyVersion, workbook.Integer); err != nil {
		return err
	}
	inWorkbook := map[string]bool{}
	for _, u := range r.Units {
		inWorkbook[u.Code] = true
	}
	var units []integrity.UnitJudgement
	for _, u := range r.Integrity.Units {
		if inWorkbook[u.Unit.Code] {
			units = append(units, u)
		}
	}
	if len(units) == 0 {
		return s.Subtitle(t("integrity.none"), len(cols))
	}
	s.Blank()
	if _, err := s.Table(cols, workbook.TableOptions{Freeze: true, Filter: true, KeyColumns: 2}); err != nil {
		return err
	}
	reasons := func(fs []integrity.Finding) string {
		texts := make([]string, len(fs))
		for i, f := range fs {
			texts[i] = f.Text(i18n.VI, i18n.T)
		}
		return strings.Join(texts, "\n")
	}
	row := func(unit bool, code, name string, j integrity.Judgement) error {
		n, err := s.Append(unit, code, name, t("integrity.label."+j.Label.String()), j.Responses, reasons(j.Findings))
		if err != nil {
			return err
		}
		if colour, ok := integrityColours[j.Label]; ok {
			return s.Highlight(n, 2, workbook.Text, colour)
		}
		return nil
	}
	for _, u := range units {
		if err := row(true, u.Unit.Code, u.Unit.Name, u.Judgement); err != nil {
			return err
		}
		// A link's row carries its unit's code, so that the filter keeps
		// a unit and its links together.
		for _, l := range u.Links {
			name := l.Link.Label
			if l.Link.Independent {
				name += " (" + t("integrity.is_independent") + ")"
			}
			if err := row(false, u.Unit.Code, name, l.Judgement); err != nil {
				return err
			}
		}
	}
	return s.Finish()
}
