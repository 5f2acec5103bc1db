package web

import (
	"bytes"
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
	importStep
	Instruments []*parindex.StoredInstrument
	Instrument  string
	Result      *survey.PaperResult
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
	d := paperData{}
	show := func(status int) {
		d.Instrument = strings.TrimSpace(c.PostForm("instrument")) // read once the upload's limit is set
		s.renderPaper(c, status, d)
	}
	s.importSteps(c, "paper", paperLimit, &d.importStep, show, func(f kit.ImportFile) (string, error) {
		d.Instrument = strings.TrimSpace(c.PostForm("instrument"))
		file := func() (*tabular.Reader, error) { return tabular.Open(f.Name, bytes.NewReader(f.Data), tabular.Upload) }
		res, err := survey.ImportPaper(c.Request.Context(), s.db, kit.Actor(c), file, d.Instrument, !f.Apply)
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			// The instrument chosen in the form: a bad form, not a missing page.
			err = parindex.Errorf(parindex.ECodeInvalid, "%s", parindex.ErrorMessage(err))
		}
		d.Result = &res
		return fmt.Sprintf("/admin/survey/paper?inserted=%d&already=%d", res.Inserted, res.AlreadyStored), err
	})
}
