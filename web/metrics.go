package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/criteria"
	"parindex/metricsxlsx"
	"parindex/store"
	"parindex/tabular"
	"parindex/web/kit"
	"parindex/workbook"
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
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

// --- pages ------------------------------------------------------------------

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
	p, err := s.periodParam(d.Input)
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
	if d.Frameworks, err = s.loadNeeds(ctx, p.Year); err != nil {
		s.InternalError(c, err)
		return
	}
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	cat := catalogMap(catalog)
	for _, unit := range units {
		if unit.Type == parindex.OrgTypeProvince || !p.Overlaps(unit.ValidFrom, unit.ValidTo) {
			continue
		}
		d.Rows = append(d.Rows, overviewRow{Unit: unit, Values: len(values[unit.ID]), Checks: checksFor(d.Frameworks, unit, values[unit.ID], cat)})
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
			if m := catalogMap(ms)[code]; m != nil {
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
	unit, target, err := s.UnitTarget(c, c.Param("code"))
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !parindex.CanAny(kit.CurrentUser(c), parindex.ActionViewProvince) {
			s.Forbidden(c)
			return
		}
		s.Fail(c, err)
		return
	}
	if !s.Authorize(c, parindex.ActionViewUnit, target) {
		return
	}
	d := metricsUnitData{Unit: unit, Input: c.Query("period"), CanReport: parindex.Can(kit.CurrentUser(c), parindex.ActionReportMetrics, target)}
	if form != nil {
		d.Form, d.Problems, d.Error = form.Form, form.Problems, form.Error
	}
	p, err := s.periodParam(d.Input)
	if err != nil {
		d.Error = periodError(s.Lang(c), err)
		status = http.StatusBadRequest
		p, _ = s.periodParam("")
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
	d.Names = catalogMap(catalog)
	values, err := s.db.PeriodValues(ctx, p, unit.ID)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	needs, err := s.loadNeeds(ctx, p.Year)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Checks = checksFor(needs, unit, values[unit.ID], d.Names)
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

// --- API tokens ---------------------------------------------------------------

type tokensData struct {
	Tokens []*parindex.APIToken
	Units  []*parindex.OrgUnit
	Secret string // shown once, right after creation
	Made   *parindex.APIToken
	Name   string
	Error  string
}

func (s *Server) renderTokens(c *gin.Context, status int, d tokensData) {
	var err error
	if d.Tokens, err = s.db.FindAPITokens(c.Request.Context()); err != nil {
		s.InternalError(c, err)
		return
	}
	if d.Units, err = s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{ValidOn: s.vietnamToday()}); err != nil {
		s.InternalError(c, err)
		return
	}
	parindex.SortUnits(d.Units)
	// The secret must not stay in any cache.
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "metrics_tokens", "tokens.title", d)
}

func (s *Server) tokensPage(c *gin.Context) { s.renderTokens(c, http.StatusOK, tokensData{}) }

func (s *Server) createToken(c *gin.Context) {
	spec := store.APITokenSpec{Name: c.PostForm("name"), UnitCode: c.PostForm("unit"), Write: c.PostForm("write") == "1"}
	secret, tok, err := s.db.CreateAPIToken(c.Request.Context(), kit.Actor(c), spec)
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.renderTokens(c, status, tokensData{Name: spec.Name, Error: msg}) })
		return
	}
	s.renderTokens(c, http.StatusCreated, tokensData{Secret: secret, Made: tok})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	if err := s.db.RevokeAPIToken(c.Request.Context(), kit.Actor(c), id, c.PostForm("reason")); err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeConflict {
			s.renderTokens(c, http.StatusConflict, tokensData{Error: parindex.ErrorMessage(err)})
			return
		}
		s.Fail(c, err)
		return
	}
	s.SetFlash(c, "tokens.revoked")
	c.Redirect(http.StatusSeeOther, "/admin/api-tokens")
}

// historyRow is one version of a value, formatted for the page.
type historyRow struct {
	*parindex.Observation
	Text string
}

// Text formats the row's value in the page's language.
func (r valueRow) Text(lang string) string { return kit.Points(lang, r.Value) }
