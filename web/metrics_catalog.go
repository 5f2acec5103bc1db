package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/web/kit"
)

type metricsCatalogData struct {
	Metrics   []*parindex.Metric
	CanManage bool
	Edit      *parindex.Metric
	Combines  []parindex.Combine
	Error     string
}

func (s *Server) metricsCatalog(c *gin.Context) {
	s.renderCatalog(c, http.StatusOK, nil, "")
}

func (s *Server) renderCatalog(c *gin.Context, status int, edit *parindex.Metric, msg string) {
	ms, err := s.db.Metrics(c.Request.Context())
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := metricsCatalogData{Metrics: ms, CanManage: parindex.Can(kit.CurrentUser(c), parindex.ActionManageMetrics, parindex.Target{}),
		Combines: parindex.Combines, Edit: edit, Error: msg}
	if d.Edit == nil {
		d.Edit = &parindex.Metric{Combine: parindex.CombineSum}
		if code := c.Query("edit"); code != "" {
			if m := kit.CatalogMap(ms)[code]; m != nil {
				d.Edit = m
			}
		}
	}
	s.Render(c, status, "metrics_catalog", "metrics.catalog", d)
}

func (s *Server) saveMetric(c *gin.Context) {
	m := &parindex.Metric{Code: c.PostForm("code"), NameVI: c.PostForm("name_vi"), NameEN: c.PostForm("name_en"), Unit: c.PostForm("unit"),
		Description: c.PostForm("description"), Combine: parindex.Combine(c.PostForm("combine")), SelfReport: c.PostForm("self_report") == "1"}
	if err := s.db.SaveMetric(c.Request.Context(), kit.Actor(c), m, c.PostForm("reason")); err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.renderCatalog(c, status, m, msg) })
		return
	}
	s.SetFlash(c, "metrics.saved")
	c.Redirect(http.StatusSeeOther, "/app/metrics/catalog#"+m.Code)
}
