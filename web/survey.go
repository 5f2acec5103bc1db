package web

import (
	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

// surveyRoutes mounts the survey administration pages: instruments, QR
// links and their posters, the responses browser, the live counter and the
// paper-forms import. Reading pages are open to every user with a unit in
// view (each sees only the units it may view); changing anything is
// ActionManageSurvey.
func (s *Server) surveyRoutes(g *gin.RouterGroup) {
	sv := g.Group("/admin/survey", s.requireSurveyUser)
	manage := s.RequireAction(parindex.ActionManageSurvey)
	sv.GET("", s.surveyHome)
	sv.GET("/today.json", s.surveyToday)
	sv.GET("/today/events", s.todayEvents)
	sv.GET("/instruments", s.instrumentsPage)
	sv.POST("/instruments", manage, s.importInstrument)
	sv.GET("/instruments/:code", s.instrumentPage)
	sv.GET("/instruments/:code/yaml", s.instrumentYAML)
	sv.POST("/instruments/:code/publish", manage, s.publishInstrument)
	sv.GET("/links", s.linksPage)
	sv.POST("/links", manage, s.createLink)
	sv.POST("/links/bulk", manage, s.bulkLinks)
	sv.POST("/links/:id/revoke", manage, s.revokeLink)
	sv.GET("/links/:id/poster", s.posterPage)
	sv.GET("/links/:id/qr.png", s.linkQR)
	sv.GET("/units/:code/posters", s.unitPosters)
	sv.GET("/responses", s.responsesPage)
	sv.GET("/integrity", manage, s.integrityPage)
	sv.GET("/integrity/links/:id", manage, s.integrityLinkPage)
	sv.GET("/integrity/links/:id/table.csv", manage, s.integrityLinkCSV)
	sv.POST("/links/:id/independent", manage, s.markIndependent)
	sv.GET("/paper", manage, s.paperPage)
	sv.POST("/paper", manage, s.paperImport)
}

// canUseSurvey says whether the survey entry belongs in u's menu: anyone who
// may view some unit (its links, posters and responses) or manage the survey.
func canUseSurvey(u *parindex.User) bool {
	return parindex.CanAny(u, parindex.ActionViewUnit) || parindex.CanAny(u, parindex.ActionManageSurvey)
}

func (s *Server) requireSurveyUser(c *gin.Context) {
	if !canUseSurvey(kit.CurrentUser(c)) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

func canManageSurvey(c *gin.Context) bool {
	return parindex.Can(kit.CurrentUser(c), parindex.ActionManageSurvey, parindex.Target{})
}

// seesProvince says whether the user may look at every unit at once, so
// lists need no unit filter.
func seesProvince(c *gin.Context) bool {
	return parindex.Can(kit.CurrentUser(c), parindex.ActionViewProvince, parindex.Target{})
}

// vietnamToday is the current day in Vietnam, the day responses are counted on.
func (s *Server) vietnamToday() parindex.Date { return parindex.DateOf(s.db.Now().In(kit.VietnamTime)) }

// visibleUnitIDs returns the units the user may view (every unit, historical
// ones included) and the same as a set of ids.
func (s *Server) visibleUnitIDs(c *gin.Context) ([]*parindex.OrgUnit, map[int64]bool, error) {
	units, err := s.visibleUnits(c, store.OrgFilter{})
	if err != nil {
		return nil, nil, err
	}
	ids := make(map[int64]bool, len(units))
	for _, u := range units {
		ids[u.ID] = true
	}
	return units, ids, nil
}
