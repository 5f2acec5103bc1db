package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/survey"
)

// surveyText is an instrument text in both languages, for templates.
type surveyText struct{ VI, EN string }

func surveyTextOf(t survey.Text) surveyText { return surveyText{t.VI, t.EN} }

type instrumentView struct {
	Stored      *parindex.StoredInstrument
	Name        surveyText
	Scale       []surveyScaleLevel
	NA          *surveyText
	Elements    []surveyElement
	Profile     []surveyProfile
	Comment     *surveyText
	CommentMax  int
	Aggregation survey.Aggregation
	CanManage   bool
}

type surveyScaleLevel struct {
	Value int
	Label surveyText
}

type surveyElement struct {
	Code        string
	Name        surveyText
	Description surveyText
	Questions   []surveyItem
}

type surveyItem struct {
	Code string
	Text surveyText
}

type surveyProfile struct {
	Code    string
	Text    surveyText
	Choices []surveyItem
}

// storedInstrument loads and parses one stored instrument.
func (s *Server) storedInstrument(c *gin.Context, code string) (*parindex.StoredInstrument, *survey.Instrument, error) {
	stored, err := s.db.InstrumentByCode(c.Request.Context(), code)
	if err != nil {
		return nil, nil, err
	}
	in, err := survey.ParseInstrument(stored.Code+".yaml", []byte(stored.Source))
	if err != nil {
		return nil, nil, fmt.Errorf("web: stored instrument %s does not parse: %w", stored.Code, err)
	}
	return stored, in, nil
}

func (s *Server) instrumentPage(c *gin.Context) {
	stored, in, err := s.storedInstrument(c, c.Param("code"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	v := instrumentView{Stored: stored, Name: surveyTextOf(in.Name), Aggregation: in.Aggregation, CanManage: canManageSurvey(c)}
	for _, l := range in.Scale {
		v.Scale = append(v.Scale, surveyScaleLevel{l.Value, surveyTextOf(l.Label)})
	}
	if in.NotApplicable != nil {
		na := surveyTextOf(in.NotApplicable.Label)
		v.NA = &na
	}
	for _, e := range in.Elements {
		ev := surveyElement{Code: e.Code, Name: surveyTextOf(e.Name), Description: surveyTextOf(e.Description)}
		for _, q := range e.Questions {
			ev.Questions = append(ev.Questions, surveyItem{q.Code, surveyTextOf(q.Text)})
		}
		v.Elements = append(v.Elements, ev)
	}
	for _, p := range in.Profile {
		pv := surveyProfile{Code: p.Code, Text: surveyTextOf(p.Text)}
		for _, ch := range p.Choices {
			pv.Choices = append(pv.Choices, surveyItem{ch.Code, surveyTextOf(ch.Label)})
		}
		v.Profile = append(v.Profile, pv)
	}
	if in.Comment != nil {
		label := surveyTextOf(in.Comment.Label)
		v.Comment, v.CommentMax = &label, in.Comment.MaxLength
	}
	s.Render(c, http.StatusOK, "survey_instrument", "survey.instrument", v)
}

// instrumentYAML downloads the canonical file, the starting point of the
// next version.
func (s *Server) instrumentYAML(c *gin.Context) {
	stored, err := s.db.InstrumentByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+stored.Code+`.yaml"`)
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(stored.Source))
}
