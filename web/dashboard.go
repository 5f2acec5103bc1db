package web

// The dashboards' pages. The figures, tables and chart options are built by
// package dashboard, which knows nothing of HTTP or of who is asking; here
// the handlers parse the filters, authorise with parindex.Can and render.
// Chart options reach the page as JSON data blocks read by the static
// charts.js: no inline executable script, no code built from data.

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/dashboard"
	"parindex/i18n"
	"parindex/survey"
	"parindex/web/kit"
	"parindex/workbook"
)

type dashboards struct {
	s   *Server
	svc *dashboard.Service
}

// dashboardRoutes registers the overview (province-wide viewers) and the
// agency page (anyone who may view the unit).
func (s *Server) dashboardRoutes(staff *gin.RouterGroup) {
	results := survey.NewService(s.reader, survey.ResultOptions{})
	results.ServeStale(10*time.Minute, s.log)
	d := &dashboards{s: s, svc: dashboard.New(s.reader, results)}
	s.dashboards = d.svc
	province := staff.Group("/app/dashboard", s.RequireAction(parindex.ActionViewProvince))
	province.GET("", d.overview)
	province.GET("/table.csv", d.overviewCSV)
	province.GET("/survey", d.monitor)
	province.GET("/survey/table.csv", d.monitorCSV)
	province.GET("/survey/today.json", s.surveyToday)
	province.GET("/survey/events", s.todayEvents)
	staff.GET("/app/units/:code/dashboard", d.agency)
	staff.GET("/app/units/:code/dashboard/table.csv", d.agencyCSV)
}

// dashboardLink is where the menu's dashboard entry leads: the overview for
// province-wide viewers, else the page of the first agency the user holds a
// role in (the page itself still asks parindex.Can), else nowhere.
func dashboardLink(u *parindex.User) string {
	if parindex.CanAny(u, parindex.ActionViewProvince) {
		return "/app/dashboard"
	}
	for _, g := range u.Grants {
		if g.UnitCode != "" && (g.Role == parindex.RoleAgencyEditor || g.Role == parindex.RoleAgencyLeader) {
			return "/app/units/" + url.PathEscape(g.UnitCode) + "/dashboard"
		}
	}
	return ""
}

// panelView is a panel as the template needs it: the option as template.JS
// (already JSON with <, > and & escaped, so it cannot end its data block)
// and the URL of its table's CSV.
type panelView struct {
	dashboard.Panel
	OptionJS template.JS
	CSV      string
}

func panelViews(panels []dashboard.Panel, csvBase string, q url.Values) []panelView {
	out := make([]panelView, len(panels))
	for i, p := range panels {
		out[i] = panelView{Panel: p, OptionJS: template.JS(p.Option)}
		if p.Table != nil {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("table", p.Table.ID)
			out[i].CSV = csvBase + "?" + v.Encode()
		}
	}
	return out
}

// chartScripts are the URLs of ECharts (empty when the build did not
// vendor it: the pages then show their tables only) and of charts.js.
type chartScripts struct {
	ECharts, Init string
}

func (s *Server) chartScripts() chartScripts {
	return chartScripts{ECharts: s.assets.urlFor["vendor/echarts.min.js"], Init: s.assets.urlFor["charts.js"]}
}

// dashLocale is the reader's language for package dashboard.
func (s *Server) dashLocale(c *gin.Context) dashboard.Locale { return dashLocaleFor(s.Lang(c)) }

// dashLocaleFor is the catalogue in lang, for the dashboards.
func dashLocaleFor(lang string) dashboard.Locale {
	return dashboard.Locale{Lang: lang, T: func(key string, args ...any) string { return kit.T(lang, key, args...) },
		N: func(key string, count int, args ...any) string { return i18n.N(lang, key, count, args...) }}
}

type overviewPage struct {
	O       *dashboard.Overview
	Panels  []panelView
	Scripts chartScripts
}

func overviewFilter(c *gin.Context) (dashboard.Filter, url.Values) {
	f := dashboard.Filter{Framework: c.Query("framework"), AgencyType: c.Query("type"), Parent: c.Query("parent")}
	f.Year, _ = kit.QueryInt(c, "year")
	q := url.Values{}
	for k, v := range map[string]string{"framework": f.Framework, "type": f.AgencyType, "parent": f.Parent, "year": c.Query("year")} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return f, q
}

func (d *dashboards) overview(c *gin.Context) {
	f, q := overviewFilter(c)
	o, err := d.svc.Overview(c.Request.Context(), f, d.s.dashLocale(c))
	if err != nil {
		d.s.Fail(c, err)
		return
	}
	d.s.Render(c, http.StatusOK, "dashboard_overview", "dash.overview", overviewPage{O: o, Panels: panelViews(o.Panels, "/app/dashboard/table.csv", q), Scripts: d.s.chartScripts()})
}

func (d *dashboards) overviewCSV(c *gin.Context) {
	f, _ := overviewFilter(c)
	o, err := d.svc.Overview(c.Request.Context(), f, d.s.dashLocale(c))
	if err != nil {
		d.s.Fail(c, err)
		return
	}
	d.s.panelCSV(c, o.Panels, fmt.Sprintf("parindex-%d", o.Filter.Year))
}

// panelCSV sends the table of panels that the query's "table" names, as
// CSV named prefix-table.csv; 404 when no panel has it.
func (s *Server) panelCSV(c *gin.Context, panels []dashboard.Panel, prefix string) {
	id := c.Query("table")
	for _, p := range panels {
		if p.Table != nil && p.Table.ID == id {
			c.Header("Content-Disposition", workbook.ContentDisposition(prefix+"-"+id+".csv"))
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Status(http.StatusOK)
			if err := p.Table.WriteCSV(c.Writer); err != nil {
				s.log.Warn("dashboard: writing CSV", "error", err.Error())
			}
			return
		}
	}
	s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
}

type agencyPage struct {
	A       *dashboard.Agency
	Panels  []panelView
	Scripts chartScripts
	Year    string
	// Integrity is the unit's counter-integrity judgement for the year and
	// the page's instrument; nil when the unit has no QR link of it.
	Integrity *integrityUnit
	// CanManage: the reader is DoHA's survey manager, whose drill-down the
	// unit's links lead to.
	CanManage bool
}

// agencyFor loads the unit and checks that the user may view it; a unit
// that does not exist looks forbidden to users who could not see it anyway.
func (d *dashboards) agencyFor(c *gin.Context) (*dashboard.Agency, bool) {
	unit, target, err := d.s.UnitTarget(c, c.Param("code"))
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !parindex.CanAny(kit.CurrentUser(c), parindex.ActionViewProvince) {
			d.s.Forbidden(c)
			return nil, false
		}
		d.s.Fail(c, err)
		return nil, false
	}
	if !d.s.Authorize(c, parindex.ActionViewUnit, target) {
		return nil, false
	}
	year, _ := kit.QueryInt(c, "year")
	a, err := d.svc.Agency(c.Request.Context(), unit, year, d.s.dashLocale(c))
	if err != nil {
		d.s.Fail(c, err)
		return nil, false
	}
	return a, true
}

func (d *dashboards) agency(c *gin.Context) {
	a, ok := d.agencyFor(c)
	if !ok {
		return
	}
	q := url.Values{}
	if y := c.Query("year"); y != "" {
		q.Set("year", y)
	}
	page := agencyPage{A: a, Scripts: d.s.chartScripts(), Year: strconv.Itoa(a.Year), CanManage: canManageSurvey(c),
		Panels: panelViews(a.Panels, "/app/units/"+url.PathEscape(a.Unit.Code)+"/dashboard/table.csv", q)}
	if a.Instrument != "" {
		// The report covers the whole province (its top-box funnel is
		// centred on the province's share); the page shows the unit's part.
		report, err := d.svc.Integrity(c.Request.Context(), a.Instrument, a.Year, d.s.cfg.IntegrityPolicy, d.s.cfg.Location)
		if err != nil {
			d.s.Fail(c, err)
			return
		}
		if u, ok := report.Unit(a.Unit.Code); ok {
			row := d.s.integrityRow(d.s.Lang(c), a.Instrument, a.Year, u)
			page.Integrity = &row
		}
	}
	d.s.Render(c, http.StatusOK, "dashboard_agency", "dash.agency", page)
}

func (d *dashboards) agencyCSV(c *gin.Context) {
	a, ok := d.agencyFor(c)
	if !ok {
		return
	}
	d.s.panelCSV(c, a.Panels, fmt.Sprintf("parindex-%s-%d", a.Unit.Code, a.Year))
}

type monitorPage struct {
	M       *dashboard.Monitor
	Panels  []panelView
	Scripts chartScripts
}

// monitor is the survey monitor: responses per day and per unit, and the
// share flagged. Today's count is as of the page load; the live counter is
// on the survey administration page.
func (d *dashboards) monitor(c *gin.Context) {
	m, err := d.svc.Monitor(c.Request.Context(), d.s.dashLocale(c))
	if err != nil {
		d.s.Fail(c, err)
		return
	}
	d.s.Render(c, http.StatusOK, "dashboard_monitor", "dash.monitor", monitorPage{M: m, Panels: panelViews(m.Panels, "/app/dashboard/survey/table.csv", url.Values{}), Scripts: d.s.chartScripts()})
}

func (d *dashboards) monitorCSV(c *gin.Context) {
	m, err := d.svc.Monitor(c.Request.Context(), d.s.dashLocale(c))
	if err != nil {
		d.s.Fail(c, err)
		return
	}
	d.s.panelCSV(c, m.Panels, "parindex-survey-"+m.To.String())
}
