package web

import (
	"errors"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/web/kit"
)

// metricsLimit bounds an uploaded metrics file: two years of monthly
// figures for a hundred units is about 2 MB of CSV.
const metricsLimit = 16 << 20

// metricsRoutes serves the operational-metrics pages: every staff user who
// may view a unit reads its figures and what its frameworks still lack;
// agencies enter their self-reported figures; DoHA imports files, keeps
// the catalogue and issues API tokens.
func (s *Server) metricsRoutes(g *gin.RouterGroup) {
	view := g.Group("/app/metrics", s.requireFrameworkViewer)
	view.GET("", s.metricsOverview)
	view.GET("/catalog", s.metricsCatalog)
	view.GET("/units/:code", s.metricsUnit)
	view.POST("/units/:code", s.metricsReport)

	write := s.RequireAction(parindex.ActionWriteMetrics)
	admin := g.Group("/admin/metrics")
	admin.GET("/import", write, s.metricsImportPage)
	admin.POST("/import", write, s.metricsImport)
	admin.GET("/template.xlsx", write, s.metricsTemplate)
	admin.POST("/catalog", s.RequireAction(parindex.ActionManageMetrics), s.saveMetric)

	tokens := g.Group("/admin/api-tokens", s.RequireAction(parindex.ActionManageMetrics))
	tokens.GET("", s.tokensPage)
	tokens.POST("", s.createToken)
	tokens.POST("/:id/revoke", s.revokeToken)
}

// --- what frameworks need ---------------------------------------------------

// periodError is the page message for a bad ?period=.
func periodError(lang string, err error) string {
	var pe *parindex.PeriodError
	if errors.As(err, &pe) {
		return kit.Pick(lang, pe.VI, pe.EN)
	}
	return err.Error()
}
