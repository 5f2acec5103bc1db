package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/metricsxlsx"
	"parindex/store"
	"parindex/tabular"
	"parindex/web/kit"
	"parindex/workbook"
)

type metricsImportData struct {
	File     string
	Reason   string
	Error    string
	Problems parindex.InputErrors
	Count    int
	More     int
	Result   *store.PutResult
	Token    string // the checked file's, for the apply step
	Done     bool
	Inserted int
	Updated  int
}

func (s *Server) metricsImportPage(c *gin.Context) {
	d := metricsImportData{}
	if c.Query("done") == "1" {
		d.Done = true
		d.Inserted, _ = kit.QueryInt(c, "inserted")
		d.Updated, _ = kit.QueryInt(c, "updated")
	}
	s.Render(c, http.StatusOK, "metrics_import", "metrics.import", d)
}

// metricsImport checks an uploaded file (a dry run: counts of new, changed
// and unchanged figures, or every problem) and, on the second step, stores
// it, all or nothing.
func (s *Server) metricsImport(c *gin.Context) {
	f, err := s.ImportUpload(c, "metrics", metricsLimit)
	d := metricsImportData{Reason: strings.TrimSpace(c.PostForm("reason")), File: f.Name}
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			d.Error = msg
			s.Render(c, status, "metrics_import", "metrics.import", d)
		})
		return
	}
	tab, rows, err := readObservations(d.File, f.Data)
	var res store.PutResult
	if err == nil {
		res, err = s.db.PutObservations(c.Request.Context(), kit.Actor(c), rows,
			store.PutOptions{Source: parindex.MetricSourceImport, File: tab.File, Sheet: tab.Sheet, Reason: d.Reason, DryRun: !f.Apply})
	}
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		d.Count, d.Problems, d.More = len(ie), kit.ShownProblems(ie), len(ie)-len(kit.ShownProblems(ie))
		s.Render(c, http.StatusBadRequest, "metrics_import", "metrics.import", d)
		return
	case err != nil:
		s.ShowError(c, err, func(status int, msg string) {
			d.Error = msg
			s.Render(c, status, "metrics_import", "metrics.import", d)
		})
		return
	}
	if f.Apply {
		s.Discard(c, "metrics", f)
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/metrics/import?done=1&inserted=%d&updated=%d", res.Inserted, res.Updated))
		return
	}
	if err := s.Keep(c, "metrics", &f); err != nil {
		s.InternalError(c, err)
		return
	}
	d.Result, d.Token = &res, f.Token
	s.Render(c, http.StatusOK, "metrics_import", "metrics.import", d)
}

// readObservations reads an uploaded metrics file whole.
func readObservations(name string, data []byte) (*tabular.Table, []parindex.ObservationRow, error) {
	rd, err := tabular.Open(name, bytes.NewReader(data), tabular.Upload)
	if err != nil {
		return nil, nil, err
	}
	defer rd.Close()
	return metricsxlsx.Read(rd)
}

func (s *Server) metricsTemplate(c *gin.Context) {
	ctx := c.Request.Context()
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	units, err := s.db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: s.vietnamToday()})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	data, err := metricsxlsx.Bytes(catalog, units)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	c.Header("Content-Disposition", workbook.ContentDisposition(kit.T(s.Lang(c), "metrics.template_file")+".xlsx"))
	c.Data(http.StatusOK, workbook.ContentType, data)
}
