package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/web/kit"
)

// valueRow is one metric of a unit's page.
type valueRow struct {
	Metric   *parindex.Metric
	Has      bool
	Value    float64
	Derived  bool
	Parts    int
	Last     *parindex.Observation
	Needed   bool // some framework of the year reads it
	Optional bool // only leaves that leave the denominator when it is missing
}

type reportForm struct {
	Metric, Period, Value, Reason string
}

type metricsUnitData struct {
	Unit       *parindex.OrgUnit
	Period     parindex.Period
	Input      string
	Up         *parindex.Period
	Parts      []parindex.Period
	Prev, Next parindex.Period
	Rows       []valueRow
	Checks     []criteria.Completeness
	Names      map[string]*parindex.Metric
	History    []historyRow
	HistoryOf  *parindex.Metric
	CanReport  bool
	Reportable []*parindex.Metric
	Form       reportForm
	Problems   parindex.InputErrors
	Error      string
}

// metricsUnit shows one unit's figures for a period: each catalogue
// metric's value (reported, or derived from shorter periods by its rule),
// where it came from, and what the year's frameworks still lack.
func (s *Server) metricsUnit(c *gin.Context) {
	s.showMetricsUnit(c, http.StatusOK, nil)
}

func (s *Server) showMetricsUnit(c *gin.Context, status int, form *metricsUnitData) {
	ctx := c.Request.Context()
	unit, target, ok := s.viewableUnit(c, c.Param("code"))
	if !ok {
		return
	}
	d := metricsUnitData{Unit: unit, Input: c.Query("period"), CanReport: parindex.Can(kit.CurrentUser(c), parindex.ActionReportMetrics, target)}
	if form != nil {
		d.Form, d.Problems, d.Error = form.Form, form.Problems, form.Error
	}
	p, err := kit.PeriodParam(s.db, d.Input)
	if err != nil {
		d.Error = periodError(s.Lang(c), err)
		status = http.StatusBadRequest
		p, _ = kit.PeriodParam(s.db, "")
	}
	d.Period, d.Input = p, p.String()
	switch p.Kind {
	case parindex.PeriodYear:
		d.Parts = append(p.Quarters(), p.Months()...)
		d.Prev, d.Next = parindex.YearPeriod(p.Year-1), parindex.YearPeriod(p.Year+1)
	case parindex.PeriodQuarter:
		d.Parts = p.Months()
		y := parindex.YearPeriod(p.Year)
		d.Up = &y
		d.Prev, d.Next = shiftQuarter(p, -1), shiftQuarter(p, 1)
	case parindex.PeriodMonth:
		q := parindex.QuarterPeriod(p.Year, (p.Index+2)/3)
		d.Up = &q
		d.Prev, d.Next = shiftMonth(p, -1), shiftMonth(p, 1)
	}
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Names = kit.CatalogMap(catalog)
	values, err := s.db.PeriodValues(ctx, p, unit.ID)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	needs, err := kit.LoadNeeds(ctx, s.db, p.Year)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Checks = kit.ChecksFor(needs, unit, values[unit.ID], d.Names)
	needed := criteria.NeededBy(needs, unit.Type)
	for _, m := range catalog {
		row := valueRow{Metric: m}
		if v, ok := values[unit.ID][m.Code]; ok {
			row.Has, row.Value, row.Derived, row.Parts, row.Last = true, v.Value, v.Derived, v.Parts, v.LastRecorded
		}
		if opt, ok := needed[m.Code]; ok {
			row.Needed, row.Optional = true, opt
		}
		d.Rows = append(d.Rows, row)
		if m.SelfReport {
			d.Reportable = append(d.Reportable, m)
		}
	}
	if code := c.Query("metric"); code != "" && d.Names[code] != nil {
		d.HistoryOf = d.Names[code]
		hist, err := s.db.ObservationHistory(ctx, unit.ID, p, code)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		for _, o := range hist {
			d.History = append(d.History, historyRow{o, kit.Points(s.Lang(c), o.Value)})
		}
	}
	if d.Form.Period == "" {
		d.Form.Period = p.String()
	}
	s.Render(c, status, "metrics_unit", "metrics.unit_title", d)
}

func shiftMonth(p parindex.Period, n int) parindex.Period {
	t := time.Date(p.Year, time.Month(p.Index+n), 1, 0, 0, 0, 0, time.UTC)
	return parindex.MonthPeriod(t.Year(), t.Month())
}

func shiftQuarter(p parindex.Period, n int) parindex.Period {
	i := p.Year*4 + p.Index - 1 + n
	return parindex.QuarterPeriod(i/4, i%4+1)
}

// metricsReport stores a figure an agency reports for itself (only the
// metrics the catalogue marks self-reported), audited like every change.
func (s *Server) metricsReport(c *gin.Context) {
	unit, target, err := s.UnitTarget(c, c.Param("code"))
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			s.Forbidden(c)
			return
		}
		s.Fail(c, err)
		return
	}
	if !s.Authorize(c, parindex.ActionReportMetrics, target) {
		return
	}
	form := reportForm{Metric: c.PostForm("metric"), Period: strings.TrimSpace(c.PostForm("period")), Value: c.PostForm("value"), Reason: c.PostForm("reason")}
	res, err := s.db.PutObservations(c.Request.Context(), kit.Actor(c), []parindex.ObservationRow{{Row: 1, Unit: unit.Code, Period: form.Period,
		Metric: form.Metric, Value: form.Value}}, store.PutOptions{Source: parindex.MetricSourceAgency, Reason: form.Reason})
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		c.Request.URL.RawQuery = "period=" + c.Query("period")
		s.showMetricsUnit(c, http.StatusBadRequest, &metricsUnitData{Form: form, Problems: ie})
		return
	case err != nil:
		s.Fail(c, err)
		return
	}
	key := "metrics.report_saved"
	if res.Unchanged > 0 {
		key = "metrics.report_unchanged"
	}
	s.SetFlash(c, key)
	c.Redirect(http.StatusSeeOther, "/app/metrics/units/"+unit.Code+"?period="+c.Query("period"))
}

// historyRow is one version of a value, formatted for the page.
type historyRow struct {
	*parindex.Observation
	Text string
}

// Text formats the row's value in the page's language.
func (r valueRow) Text(lang string) string { return kit.Points(lang, r.Value) }
