package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/survey"
	"parindex/tabular"
	"parindex/web/kit"
)

// paperLimit bounds an uploaded paper-forms file; larger batches go through
// the command line (parindex import responses).
const paperLimit = 4 << 20

type paperData struct {
	Instruments []*parindex.StoredInstrument
	Instrument  string
	File        string
	Token       string // the checked file's, for the apply step
	Result      *survey.PaperResult
	Problems    parindex.InputErrors
	Count       int // problems in all
	More        int // problems not listed
	Error       string
	Done        bool
	Inserted    int
	Already     int
}

func (s *Server) paperPageData(c *gin.Context, d *paperData) error {
	all, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		return err
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	if d.Instrument == "" && len(d.Instruments) > 0 {
		d.Instrument = d.Instruments[0].Code
	}
	return nil
}

func (s *Server) renderPaper(c *gin.Context, status int, d paperData) {
	if err := s.paperPageData(c, &d); err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, status, "survey_paper", "survey.paper", d)
}

func (s *Server) paperPage(c *gin.Context) {
	d := paperData{}
	if n, ok := kit.QueryInt(c, "inserted"); ok {
		d.Done, d.Inserted = true, n
		d.Already, _ = kit.QueryInt(c, "already")
	}
	s.renderPaper(c, http.StatusOK, d)
}

// paperImport checks an uploaded file (step 1, nothing written) or stores
// the file checked in step 1 (step 2, "apply"), checking everything again.
func (s *Server) paperImport(c *gin.Context) {
	f, err := s.ImportUpload(c, "paper", paperLimit)
	d := paperData{Instrument: strings.TrimSpace(c.PostForm("instrument")), File: f.Name}
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			d.Error = msg
			s.renderPaper(c, status, d)
		})
		return
	}
	file := func() (*tabular.Reader, error) { return tabular.Open(d.File, bytes.NewReader(f.Data), tabular.Upload) }
	res, err := survey.ImportPaper(c.Request.Context(), s.db, kit.Actor(c), file, d.Instrument, !f.Apply)
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		d.Count, d.Problems, d.More = len(ie), kit.ShownProblems(ie), len(ie)-len(kit.ShownProblems(ie))
		s.renderPaper(c, http.StatusBadRequest, d)
		return
	case err != nil:
		s.ShowError(c, err, func(status int, msg string) {
			if status == http.StatusNotFound {
				status = http.StatusBadRequest // the instrument chosen in the form
			}
			d.Error = msg
			s.renderPaper(c, status, d)
		})
		return
	}
	if f.Apply {
		s.Discard(c, "paper", f)
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/survey/paper?inserted=%d&already=%d", res.Inserted, res.AlreadyStored))
		return
	}
	if err := s.Keep(c, "paper", &f); err != nil {
		s.InternalError(c, err)
		return
	}
	d.Result, d.Token = &res, f.Token
	s.renderPaper(c, http.StatusOK, d)
}
