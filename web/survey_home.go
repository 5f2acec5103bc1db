package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
)

type surveyUnitCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

type todayCounts struct {
	Day    string            `json:"day"`
	Today  int64             `json:"today"`
	ByUnit []surveyUnitCount `json:"by_unit"`
}

// The F methods give counts to the template function num, which takes floats.
func (u surveyUnitCount) F() float64 { return float64(u.Count) }

func (t todayCounts) TodayF() float64 { return float64(t.Today) }

// todayCounts counts today's responses of the units the user may view.
func (s *Server) todayCounts(c *gin.Context) (todayCounts, error) {
	day := s.vietnamToday()
	out := todayCounts{Day: day.String(), ByUnit: []surveyUnitCount{}}
	_, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		return out, err
	}
	counts, err := s.db.ResponsesByUnitOn(c.Request.Context(), day)
	if err != nil {
		return out, err
	}
	for _, uc := range counts {
		if !visible[uc.UnitID] {
			continue
		}
		out.Today += uc.Count
		out.ByUnit = append(out.ByUnit, surveyUnitCount{uc.UnitCode, uc.UnitName, uc.Count})
	}
	return out, nil
}

type surveyHomeData struct {
	Counts      todayCounts
	Day         parindex.Date
	CanManage   bool
	Instruments []*parindex.StoredInstrument // published: the survey results download
}

func (s *Server) surveyHome(c *gin.Context) {
	counts, err := s.todayCounts(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := surveyHomeData{Counts: counts, Day: s.vietnamToday(), CanManage: canManageSurvey(c)}
	all, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		s.InternalError(c, err)
		return
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "survey_home", "survey.title", d)
}

// surveyToday answers the live counter's poll.
func (s *Server) surveyToday(c *gin.Context) {
	counts, err := s.todayCounts(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, counts)
}
