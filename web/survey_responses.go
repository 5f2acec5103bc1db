package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
)

const responsesPageSize = 50

// responseFlags are the values of the flag filter besides "" (all).
var responseFlags = []string{"any", "none", parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagDuplicateDevice, parindex.FlagBatchDuplicate, parindex.FlagBot}

type surveyResponseRow struct {
	store.ResponseRow
	Answers     string // digits grouped by element
	ProfileText string // "question: choice; …" in the reader's language
	Flags       []string
}

type answerLegend struct {
	Code, Name string // the instrument's
	Elements   []answerLegendElement
	Scale      []surveyScaleLevel
	NA         string
}

type answerLegendElement struct {
	Name      string // the instrument's name of the element
	Questions string
}

type responsesData struct {
	Units     []*parindex.OrgUnit
	Province  bool // may list every unit at once
	Unit      string
	From, To  string
	Flag      string
	Flags     []string
	Rows      []surveyResponseRow
	Legends   []answerLegend
	Total     int
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string // the same filters as an Excel download
	Error     string
	Responses bool // the query ran
}

func (s *Server) responsesPage(c *gin.Context) {
	ctx := c.Request.Context()
	d := responsesData{Unit: strings.TrimSpace(c.Query("unit")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")),
		Flag: c.Query("flag"), Flags: responseFlags, Province: seesProvince(c)}
	units, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Units = units
	f := store.ResponseFilter{Limit: responsesPageSize}
	var problems []string
	switch {
	case d.Unit != "":
		unit, _, ok := s.viewableUnit(c, d.Unit)
		if !ok {
			return
		}
		f.UnitID = unit.ID
	case !d.Province:
		// An agency user always looks at one of its own units.
		if len(units) == 0 {
			s.Forbidden(c)
			return
		}
		d.Unit, f.UnitID = units[0].Code, units[0].ID
	}
	if f.UnitID != 0 && !visible[f.UnitID] {
		s.Forbidden(c)
		return
	}
	if d.From != "" {
		if f.From, err = parindex.ParseDate(d.From); err != nil {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_from"))
		}
	}
	if d.To != "" {
		if f.To, err = parindex.ParseDate(d.To); err != nil {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_to"))
		}
	}
	if d.Flag != "" {
		known := false
		for _, fl := range responseFlags {
			known = known || fl == d.Flag
		}
		if !known {
			problems = append(problems, kit.T(s.Lang(c), "survey.bad_flag"))
		}
		f.Flag = d.Flag
	}
	if len(problems) > 0 {
		d.Error = strings.Join(problems, " ")
		s.Render(c, http.StatusBadRequest, "survey_responses", "survey.responses", d)
		return
	}
	d.Page, _ = kit.QueryInt(c, "page")
	d.Page = max(d.Page, 1)
	f.Offset = (d.Page - 1) * responsesPageSize
	if d.Total, err = s.db.CountResponses(ctx, f); err != nil {
		s.InternalError(c, err)
		return
	}
	rows, err := s.db.FindResponses(ctx, f)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Responses = true
	d.Pages = max(1, (d.Total+responsesPageSize-1)/responsesPageSize)
	if err := s.responseViews(c, rows, &d); err != nil {
		s.InternalError(c, err)
		return
	}
	q := c.Request.URL.Query()
	q.Del("page")
	d.ExportURL = "/admin/survey/responses.xlsx?" + q.Encode()
	q.Set("page", strconv.Itoa(d.Page+1))
	d.NextURL = "/admin/survey/responses?" + q.Encode()
	q.Set("page", strconv.Itoa(d.Page-1))
	d.PrevURL = "/admin/survey/responses?" + q.Encode()
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "survey_responses", "survey.responses", d)
}

// responseViews groups each row's answer digits by element and builds a
// legend for every instrument on the page.
func (s *Server) responseViews(c *gin.Context, rows []store.ResponseRow, d *responsesData) error {
	instruments := map[string]*survey.Instrument{}
	lang := s.Lang(c)
	for _, r := range rows {
		in, ok := instruments[r.Instrument]
		if !ok {
			var err error
			if _, in, err = s.storedInstrument(c, r.Instrument); err != nil {
				return err
			}
			instruments[r.Instrument] = in
			lg := answerLegend{Code: in.Code, Name: pickText(surveyTextOf(in.Name), lang)}
			for _, e := range in.Elements {
				var qs []string
				for _, q := range e.Questions {
					qs = append(qs, q.Code)
				}
				lg.Elements = append(lg.Elements, answerLegendElement{pickText(surveyTextOf(e.Name), lang), strings.Join(qs, " ")})
			}
			for _, l := range in.Scale {
				lg.Scale = append(lg.Scale, surveyScaleLevel{l.Value, surveyTextOf(l.Label)})
			}
			lg.NA = kit.T(lang, "survey.legend_unanswered")
			if in.NotApplicable != nil {
				lg.NA = pickText(surveyTextOf(in.NotApplicable.Label), lang) + "; " + lg.NA
			}
			d.Legends = append(d.Legends, lg)
		}
		v := surveyResponseRow{ResponseRow: r, Answers: groupAnswers(in, r.Answers), ProfileText: profileText(in, r.Profile, lang)}
		if r.Flags != "" {
			v.Flags = strings.Split(r.Flags, ",")
		}
		d.Rows = append(d.Rows, v)
	}
	return nil
}

func pickText(t surveyText, lang string) string {
	if lang == kit.EN && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// profileText writes a response's profile ("gender=female;age_group=
// under_30" as stored) with the instrument's question texts and choice
// labels: "Giới tính: Nữ; Nhóm tuổi: Dưới 30 tuổi". A code the instrument
// does not know is shown as stored.
func profileText(in *survey.Instrument, profile, lang string) string {
	if profile == "" {
		return ""
	}
	var parts []string
	for _, pair := range strings.Split(profile, ";") {
		code, choice, _ := strings.Cut(strings.TrimSpace(pair), "=")
		question, answer := code, choice
		for _, q := range in.Profile {
			if q.Code != code {
				continue
			}
			question = pickText(surveyTextOf(q.Text), lang)
			for _, ch := range q.Choices {
				if ch.Code == choice {
					answer = pickText(surveyTextOf(ch.Label), lang)
				}
			}
		}
		parts = append(parts, question+": "+answer)
	}
	return strings.Join(parts, "; ")
}

// groupAnswers writes the digits with a space between elements.
func groupAnswers(in *survey.Instrument, answers string) string {
	var b strings.Builder
	i := 0
	for e, el := range in.Elements {
		if e > 0 {
			b.WriteByte(' ')
		}
		for range el.Questions {
			if i < len(answers) {
				b.WriteByte(answers[i])
			}
			i++
		}
	}
	if i < len(answers) {
		b.WriteString(" " + answers[i:])
	}
	return b.String()
}
