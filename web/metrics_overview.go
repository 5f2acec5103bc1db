package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/web/kit"
)

type overviewRow struct {
	Unit   *parindex.OrgUnit
	Values int
	Checks []criteria.Completeness
}

type metricsOverviewData struct {
	Period     parindex.Period
	Input      string
	Error      string
	Rows       []overviewRow
	Frameworks []*criteria.MetricNeeds
	CanWrite   bool
	CanManage  bool
}

// metricsOverview lists the units the user may view that existed in the
// period, with how many metrics they have and what each framework lacks.
func (s *Server) metricsOverview(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	d := metricsOverviewData{Input: c.Query("period"), CanWrite: parindex.Can(u, parindex.ActionWriteMetrics, parindex.Target{}),
		CanManage: parindex.Can(u, parindex.ActionManageMetrics, parindex.Target{})}
	p, err := kit.PeriodParam(s.db, d.Input)
	if err != nil {
		d.Error = periodError(s.Lang(c), err)
		s.Render(c, http.StatusBadRequest, "metrics_overview", "metrics.title", d)
		return
	}
	d.Period, d.Input = p, p.String()
	units, err := s.visibleUnits(c, store.OrgFilter{})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	values, err := s.db.PeriodValues(ctx, p)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	if d.Frameworks, err = kit.LoadNeeds(ctx, s.db, p.Year); err != nil {
		s.InternalError(c, err)
		return
	}
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	cat := kit.CatalogMap(catalog)
	for _, unit := range units {
		if unit.Type == parindex.OrgTypeProvince || !p.Overlaps(unit.ValidFrom, unit.ValidTo) {
			continue
		}
		d.Rows = append(d.Rows, overviewRow{Unit: unit, Values: len(values[unit.ID]), Checks: kit.ChecksFor(d.Frameworks, unit, values[unit.ID], cat)})
	}
	s.Render(c, http.StatusOK, "metrics_overview", "metrics.title", d)
}

// Checks of a row by framework code, for the overview's columns.
func (r overviewRow) Check(framework string) *criteria.Completeness {
	for i := range r.Checks {
		if r.Checks[i].Framework == framework {
			return &r.Checks[i]
		}
	}
	return nil
}
