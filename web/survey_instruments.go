package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/survey"
	"parindex/web/kit"
)

type instrumentRow struct {
	*parindex.StoredInstrument
	HashPrefix string
}

type instrumentsData struct {
	Instruments []instrumentRow
	CanManage   bool
	File        string
	Problems    []survey.Problem
	Error       string
}

func (s *Server) renderInstruments(c *gin.Context, status int, d instrumentsData) {
	list, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		s.InternalError(c, err)
		return
	}
	for _, in := range list {
		d.Instruments = append(d.Instruments, instrumentRow{in, hashPrefix(in.Hash, 12)})
	}
	d.CanManage = canManageSurvey(c)
	s.Render(c, status, "survey_instruments", "survey.instruments", d)
}

func hashPrefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (s *Server) instrumentsPage(c *gin.Context) {
	s.renderInstruments(c, http.StatusOK, instrumentsData{})
}

// importInstrument stores an uploaded instrument as a draft; a file with
// problems is refused whole, every problem listed with its line.
func (s *Server) importInstrument(c *gin.Context) {
	name, data, err := s.UploadedFile(c, survey.MaxInstrumentSize)
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.renderInstruments(c, status, instrumentsData{Error: msg}) })
		return
	}
	_, stored, err := survey.Import(c.Request.Context(), s.db, kit.Actor(c), name, data)
	var ie *survey.InstrumentError
	switch {
	case errors.As(err, &ie):
		s.renderInstruments(c, http.StatusBadRequest, instrumentsData{File: name, Problems: ie.Problems})
		return
	case err != nil && parindex.ErrorCode(err) != parindex.ECodeInternal:
		s.renderInstruments(c, kit.HTTPStatus(err), instrumentsData{File: name, Error: parindex.ErrorMessage(err)})
		return
	case err != nil:
		s.InternalError(c, err)
		return
	}
	s.SetFlash(c, "survey.instrument_saved")
	c.Redirect(http.StatusSeeOther, "/admin/survey/instruments/"+url.PathEscape(stored.Code))
}

func (s *Server) publishInstrument(c *gin.Context) {
	code := c.Param("code")
	if err := s.db.PublishInstrument(c.Request.Context(), kit.Actor(c), code); err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeConflict {
			s.renderInstruments(c, http.StatusConflict, instrumentsData{Error: parindex.ErrorMessage(err)})
			return
		}
		s.Fail(c, err)
		return
	}
	s.SetFlash(c, "survey.instrument_published")
	c.Redirect(http.StatusSeeOther, "/admin/survey/instruments/"+url.PathEscape(code))
}
