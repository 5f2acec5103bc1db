package web

import (
	"context"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/store"
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

// loadNeeds reads the published frameworks of a year: what each needs.
func (s *Server) loadNeeds(ctx context.Context, year int) ([]*criteria.MetricNeeds, error) {
	recs, err := s.db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished, Year: year})
	if err != nil {
		return nil, err
	}
	var out []*criteria.MetricNeeds
	for _, rec := range recs {
		f, err := rec.Framework()
		if err != nil {
			return nil, err
		}
		out = append(out, f.MetricNeeds())
	}
	return out, nil
}

// checksFor returns the completeness of a unit for every framework of the
// year that scores its type.
func checksFor(needs []*criteria.MetricNeeds, u *parindex.OrgUnit, values map[string]store.PeriodValue, catalog map[string]*parindex.Metric) []criteria.Completeness {
	present := make(map[string]bool, len(values))
	for m := range values {
		present[m] = true
	}
	catalogued := make(map[string]bool, len(catalog))
	for m := range catalog {
		catalogued[m] = true
	}
	var out []criteria.Completeness
	for _, n := range needs {
		if n.AppliesTo(u.Type) {
			out = append(out, n.Check(present, catalogued))
		}
	}
	return out
}

func catalogMap(ms []*parindex.Metric) map[string]*parindex.Metric {
	out := make(map[string]*parindex.Metric, len(ms))
	for _, m := range ms {
		out[m.Code] = m
	}
	return out
}

// periodParam reads ?period=, defaulting to the current year in Vietnam.
func (s *Server) periodParam(value string) (parindex.Period, error) {
	if strings.TrimSpace(value) == "" {
		return parindex.YearPeriod(s.db.Now().In(kit.VietnamTime).Year()), nil
	}
	return parindex.ParsePeriod(value)
}

// periodError is the page message for a bad ?period=.
func periodError(lang string, err error) string {
	var pe *parindex.PeriodError
	if errors.As(err, &pe) {
		return kit.Pick(lang, pe.VI, pe.EN)
	}
	return err.Error()
}
