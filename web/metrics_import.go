package web

import (
	"bytes"
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
	importStep
	Reason   string
	Result   *store.PutResult
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
	d := metricsImportData{}
	show := func(status int) {
		d.Reason = strings.TrimSpace(c.PostForm("reason")) // read once the upload's limit is set
		s.Render(c, status, "metrics_import", "metrics.import", d)
	}
	s.importSteps(c, "metrics", metricsLimit, &d.importStep, show, func(f kit.ImportFile) (string, error) {
		d.Reason = strings.TrimSpace(c.PostForm("reason"))
		tab, rows, err := readObservations(f.Name, f.Data)
		if err != nil {
			return "", err
		}
		res, err := s.db.PutObservations(c.Request.Context(), kit.Actor(c), rows,
			store.PutOptions{Source: parindex.MetricSourceImport, File: tab.File, Sheet: tab.Sheet, Reason: d.Reason, DryRun: !f.Apply})
		d.Result = &res
		return fmt.Sprintf("/admin/metrics/import?done=1&inserted=%d&updated=%d", res.Inserted, res.Updated), err
	})
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
