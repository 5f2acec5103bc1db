package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/tabular"
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

	write := s.requireAction(parindex.ActionWriteMetrics)
	admin := g.Group("/admin/metrics")
	admin.GET("/import", write, s.metricsImportPage)
	admin.POST("/import", write, s.metricsImport)
	admin.GET("/template.xlsx", write, s.metricsTemplate)
	admin.POST("/catalog", s.requireAction(parindex.ActionManageMetrics), s.saveMetric)

	tokens := g.Group("/admin/api-tokens", s.requireAction(parindex.ActionManageMetrics))
	tokens.GET("", s.tokensPage)
	tokens.POST("", s.createToken)
	tokens.POST("/:id/revoke", s.revokeToken)
}

// --- what frameworks need ---------------------------------------------------

// frameworkNeeds is the set of metrics one published framework reads.
type frameworkNeeds struct {
	Code, Name  string
	agencyTypes []string
	// metrics: code → true when every leaf reading it leaves the
	// denominator when it is missing (missing: exclude), so its absence
	// costs no points; false when a missing value scores 0.
	optional map[string]bool
}

// loadNeeds reads the published frameworks of a year: what each needs.
func (s *Server) loadNeeds(ctx context.Context, year int) ([]*frameworkNeeds, error) {
	recs, err := s.db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished, Year: year})
	if err != nil {
		return nil, err
	}
	var out []*frameworkNeeds
	for _, rec := range recs {
		f, err := rec.Framework()
		if err != nil {
			return nil, err
		}
		n := &frameworkNeeds{Code: f.Code, Name: f.Name, agencyTypes: f.AgencyTypes, optional: map[string]bool{}}
		for _, leaf := range f.Leaves() {
			if f.InAdjustment(leaf.Code) {
				continue
			}
			excluded := f.MissingFor(leaf.Code) == criteria.MissingExclude
			for _, m := range leaf.Metrics() {
				if opt, seen := n.optional[m]; !seen || opt {
					n.optional[m] = excluded
				}
			}
		}
		out = append(out, n)
	}
	return out, nil
}

func (n *frameworkNeeds) appliesTo(u *parindex.OrgUnit) bool {
	return slices.Contains(n.agencyTypes, u.Type)
}

// completeness says which metrics a framework reads that a unit lacks for
// a period.
type completeness struct {
	Framework, Name string
	Needed          int
	Missing         []string // a missing value scores 0 points
	Optional        []string // missing, but the leaves leave the denominator
	Unknown         []string // read by the framework, absent from the catalogue
}

// Complete reports whether nothing that costs points is missing.
func (c completeness) Complete() bool { return len(c.Missing) == 0 && len(c.Unknown) == 0 }

func (n *frameworkNeeds) check(values map[string]store.PeriodValue, catalog map[string]*parindex.Metric) completeness {
	out := completeness{Framework: n.Code, Name: n.Name, Needed: len(n.optional)}
	for _, m := range sortedKeys(n.optional) {
		if _, ok := values[m]; ok {
			continue
		}
		switch {
		case catalog[m] == nil:
			out.Unknown = append(out.Unknown, m)
		case n.optional[m]:
			out.Optional = append(out.Optional, m)
		default:
			out.Missing = append(out.Missing, m)
		}
	}
	return out
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
func checksFor(needs []*frameworkNeeds, u *parindex.OrgUnit, values map[string]store.PeriodValue, catalog map[string]*parindex.Metric) []completeness {
	var out []completeness
	for _, n := range needs {
		if n.appliesTo(u) {
			out = append(out, n.check(values, catalog))
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

// --- files ------------------------------------------------------------------

// readObservations reads an uploaded metrics file whole once its header
// has the metrics columns.
func readObservations(name string, data []byte) (*tabular.Table, error) {
	rd, err := tabular.Open(name, bytes.NewReader(data), tabular.Upload)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	tab, _, err := rd.Table(parindex.ObservationColumns, nil)
	return tab, err
}

// ObservationRows reads the rows of a metrics file (columns unit, period,
// metric, value, any order) for PutObservations.
func ObservationRows(tab *tabular.Table) ([]parindex.ObservationRow, error) {
	cols, err := tab.Columns(parindex.ObservationColumns, nil)
	if err != nil {
		return nil, err
	}
	if len(tab.Rows) == 0 {
		return nil, parindex.InputErrors{{File: tab.File, Sheet: tab.Sheet,
			VI: "tệp không có dòng số liệu nào dưới dòng tiêu đề", EN: "the file has no data rows under the header"}}
	}
	rows := make([]parindex.ObservationRow, len(tab.Rows))
	for i, r := range tab.Rows {
		rows[i] = parindex.ObservationRow{Row: r.Number, Unit: r.Cell(cols, "unit"), Period: r.Cell(cols, "period"),
			Metric: r.Cell(cols, "metric"), Value: r.Cell(cols, "value")}
	}
	return rows, nil
}

// Sheet names of the metrics template. The lists live on hidden sheets
// with plain ASCII names, so the validation formulas need no quoting.
const (
	templateDataSheet    = "Số liệu"
	templateCatalogSheet = "DanhMuc"
	templateUnitsSheet   = "DonVi"
	templateHelpSheet    = "Hướng dẫn"
	templateRows         = 5000 // rows with validated cells
)

// MetricsTemplate is the Excel template for importing metrics: the data
// sheet (first and active, the one imports read) with the four columns and
// validated cells (unit and metric from drop-down lists, period as text so
// that Excel does not turn 2026-03 into a date, value a number ≥ 0), a
// short help sheet, and the catalogue and the units on hidden sheets that
// feed the lists.
func MetricsTemplate(catalog []*parindex.Metric, units []*parindex.OrgUnit) ([]byte, error) {
	w := workbook.New("Mẫu nhập số liệu chỉ số (metrics import template)")
	defer w.Close()
	data, err := w.AddSheet(templateDataSheet, []workbook.Column{
		{Title: "unit", Width: 14, Format: workbook.Code},
		{Title: "period", Width: 12, Format: workbook.Code},
		{Title: "metric", Width: 30, Format: workbook.Code},
		{Title: "value", Width: 14, Format: workbook.Number},
	})
	if err != nil {
		return nil, err
	}
	if err := data.Finish(); err != nil {
		return nil, err
	}
	help, err := w.AddSheet(templateHelpSheet, []workbook.Column{{Title: "Hướng dẫn (how to fill in)", Width: 110, Format: workbook.Text}})
	if err != nil {
		return nil, err
	}
	for _, line := range []string{
		"Mỗi dòng của sheet “" + templateDataSheet + "” là một số liệu: đơn vị, kỳ, chỉ số, giá trị. (One figure per row: unit, period, metric, value.)",
		"unit: mã đơn vị, chọn trong danh sách. (Unit code, from the list.)",
		"period: 2026-03 (tháng), 2026-Q1 (quý) hoặc 2026 (năm). Số liệu năm được cộng dồn từ tháng, quý theo quy tắc của từng chỉ số, trừ khi nhập giá trị năm. (Month, quarter or year; a year is derived from months and quarters by each metric's rule unless a yearly value is given.)",
		"metric: mã chỉ số, chọn trong danh sách; tên và quy tắc cộng dồn ở sheet ẩn “" + templateCatalogSheet + "” (chuột phải vào tên sheet → Unhide). (Metric code from the list; names and rules on the hidden sheet.)",
		"value: số không âm, không dùng dấu phân cách hàng nghìn. (A number ≥ 0, no thousands separators.)",
		"Cả tệp được kiểm tra trước; nếu có lỗi, không số liệu nào được ghi và mọi lỗi được liệt kê theo dòng, cột. Nhập lại cùng tệp không ghi trùng; giá trị khác với giá trị đã có được ghi là đính chính (lưu lịch sử, nhật ký). (The whole file is checked first; nothing is written when any row is wrong. Re-importing is harmless; a different value is a correction, kept in history and the audit log.)",
	} {
		if _, err := help.Append(false, line); err != nil {
			return nil, err
		}
	}
	cat, err := w.AddSheet(templateCatalogSheet, []workbook.Column{
		{Title: "code", Width: 30, Format: workbook.Code}, {Title: "name_vi", Width: 60}, {Title: "name_en", Width: 50},
		{Title: "unit", Width: 14}, {Title: "combine", Width: 10, Format: workbook.Code}, {Title: "self_report", Width: 10, Format: workbook.Code},
		{Title: "description", Width: 60},
	})
	if err != nil {
		return nil, err
	}
	for _, m := range catalog {
		self := "không"
		if m.SelfReport {
			self = "có"
		}
		if _, err := cat.Append(false, m.Code, m.NameVI, m.NameEN, m.Unit, string(m.Combine), self, m.Description); err != nil {
			return nil, err
		}
	}
	us, err := w.AddSheet(templateUnitsSheet, []workbook.Column{{Title: "code", Width: 14, Format: workbook.Code}, {Title: "name", Width: 50}, {Title: "type", Width: 16}})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if _, err := us.Append(false, u.Code, u.Name, u.Type); err != nil {
			return nil, err
		}
	}
	raw, err := w.Bytes()
	if err != nil {
		return nil, err
	}
	// The workbook helper writes sheets and styles; hiding sheets and
	// validating cells against a range on another sheet are done on the
	// written file.
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	defer f.Close()
	last := strconv.Itoa(templateRows + 1)
	list := func(col, sheet string, n int, prompt, errMsg string) error {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + last)
		dv.SetSqrefDropList(fmt.Sprintf("%s!$A$2:$A$%d", sheet, max(n+1, 2)))
		dv.SetInput(col, prompt)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", errMsg)
		return f.AddDataValidation(templateDataSheet, dv)
	}
	if err := list("A", templateUnitsSheet, len(units), "Chọn mã đơn vị (unit code)", "Chọn một mã đơn vị trong danh sách (choose a unit code from the list)"); err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	if err := list("C", templateCatalogSheet, len(catalog), "Chọn mã chỉ số (metric code)", "Chọn một mã chỉ số trong danh mục (choose a metric code from the catalogue)"); err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	period := excelize.NewDataValidation(true)
	period.SetSqref("B2:B" + last)
	if err := period.SetRange(4, 7, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween); err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	period.SetInput("period", "2026-03 (tháng), 2026-Q1 (quý), 2026 (năm)")
	period.SetError(excelize.DataValidationErrorStyleStop, "Kỳ không hợp lệ", "Kỳ dạng 2026-03, 2026-Q1 hoặc 2026 (period as 2026-03, 2026-Q1 or 2026)")
	value := excelize.NewDataValidation(true)
	value.SetSqref("D2:D" + last)
	if err := value.SetRange(0, parindex.MaxMetricValue, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	value.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Giá trị là số không âm (value must be a number ≥ 0)")
	for _, dv := range []*excelize.DataValidation{period, value} {
		if err := f.AddDataValidation(templateDataSheet, dv); err != nil {
			return nil, fmt.Errorf("web: metrics template: %w", err)
		}
	}
	for _, sheet := range []string{templateCatalogSheet, templateUnitsSheet} {
		if err := f.SetSheetVisible(sheet, false); err != nil {
			return nil, fmt.Errorf("web: metrics template: %w", err)
		}
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("web: metrics template: %w", err)
	}
	return out.Bytes(), nil
}

// --- pages ------------------------------------------------------------------

// periodParam reads ?period=, defaulting to the current year in Vietnam.
func (s *Server) periodParam(value string) (parindex.Period, error) {
	if strings.TrimSpace(value) == "" {
		return parindex.YearPeriod(s.db.Now().In(vietnamTime).Year()), nil
	}
	return parindex.ParsePeriod(value)
}

// periodError is the page message for a bad ?period=.
func periodError(lang string, err error) string {
	var pe *parindex.PeriodError
	if errors.As(err, &pe) {
		return pick(lang, pe.VI, pe.EN)
	}
	return err.Error()
}

type overviewRow struct {
	Unit   *parindex.OrgUnit
	Values int
	Checks []completeness
}

type metricsOverviewData struct {
	Period     parindex.Period
	Input      string
	Error      string
	Rows       []overviewRow
	Frameworks []*frameworkNeeds
	CanWrite   bool
	CanManage  bool
}

// metricsOverview lists the units the user may view that existed in the
// period, with how many metrics they have and what each framework lacks.
func (s *Server) metricsOverview(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	d := metricsOverviewData{Input: c.Query("period"), CanWrite: parindex.Can(u, parindex.ActionWriteMetrics, parindex.Target{}),
		CanManage: parindex.Can(u, parindex.ActionManageMetrics, parindex.Target{})}
	p, err := s.periodParam(d.Input)
	if err != nil {
		d.Error = periodError(s.lang(c), err)
		s.render(c, http.StatusBadRequest, "metrics_overview", "metrics.title", d)
		return
	}
	d.Period, d.Input = p, p.String()
	units, err := s.visibleUnits(c, store.OrgFilter{})
	if err != nil {
		s.internalError(c, err)
		return
	}
	values, err := s.db.PeriodValues(ctx, p)
	if err != nil {
		s.internalError(c, err)
		return
	}
	if d.Frameworks, err = s.loadNeeds(ctx, p.Year); err != nil {
		s.internalError(c, err)
		return
	}
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	cat := catalogMap(catalog)
	for _, unit := range units {
		if unit.Type == parindex.OrgTypeProvince || !p.Overlaps(unit.ValidFrom, unit.ValidTo) {
			continue
		}
		d.Rows = append(d.Rows, overviewRow{Unit: unit, Values: len(values[unit.ID]), Checks: checksFor(d.Frameworks, unit, values[unit.ID], cat)})
	}
	s.render(c, http.StatusOK, "metrics_overview", "metrics.title", d)
}

// Checks of a row by framework code, for the overview's columns.
func (r overviewRow) Check(framework string) *completeness {
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
		s.internalError(c, err)
		return
	}
	d := metricsCatalogData{Metrics: ms, CanManage: parindex.Can(currentUser(c), parindex.ActionManageMetrics, parindex.Target{}),
		Combines: parindex.Combines, Edit: edit, Error: msg}
	if d.Edit == nil {
		d.Edit = &parindex.Metric{Combine: parindex.CombineSum}
		if code := c.Query("edit"); code != "" {
			if m := catalogMap(ms)[code]; m != nil {
				d.Edit = m
			}
		}
	}
	s.render(c, status, "metrics_catalog", "metrics.catalog", d)
}

func (s *Server) saveMetric(c *gin.Context) {
	m := &parindex.Metric{Code: c.PostForm("code"), NameVI: c.PostForm("name_vi"), NameEN: c.PostForm("name_en"), Unit: c.PostForm("unit"),
		Description: c.PostForm("description"), Combine: parindex.Combine(c.PostForm("combine")), SelfReport: c.PostForm("self_report") == "1"}
	if err := s.db.SaveMetric(c.Request.Context(), actor(c), m, c.PostForm("reason")); err != nil {
		s.showError(c, err, func(status int, msg string) { s.renderCatalog(c, status, m, msg) })
		return
	}
	s.setFlash(c, "metrics.saved")
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
	Checks     []completeness
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
	unit, target, err := s.unitTarget(c, c.Param("code"))
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !parindex.CanAny(currentUser(c), parindex.ActionViewProvince) {
			s.forbidden(c)
			return
		}
		s.fail(c, err)
		return
	}
	if !s.authorize(c, parindex.ActionViewUnit, target) {
		return
	}
	d := metricsUnitData{Unit: unit, Input: c.Query("period"), CanReport: parindex.Can(currentUser(c), parindex.ActionReportMetrics, target)}
	if form != nil {
		d.Form, d.Problems, d.Error = form.Form, form.Problems, form.Error
	}
	p, err := s.periodParam(d.Input)
	if err != nil {
		d.Error = periodError(s.lang(c), err)
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
		s.internalError(c, err)
		return
	}
	d.Names = catalogMap(catalog)
	values, err := s.db.PeriodValues(ctx, p, unit.ID)
	if err != nil {
		s.internalError(c, err)
		return
	}
	needs, err := s.loadNeeds(ctx, p.Year)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d.Checks = checksFor(needs, unit, values[unit.ID], d.Names)
	needed := map[string]bool{}
	for _, n := range needs {
		if n.appliesTo(unit) {
			for m, opt := range n.optional {
				if prev, seen := needed[m]; !seen || prev {
					needed[m] = opt
				}
			}
		}
	}
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
			s.internalError(c, err)
			return
		}
		for _, o := range hist {
			d.History = append(d.History, historyRow{o, points(s.lang(c), o.Value)})
		}
	}
	if d.Form.Period == "" {
		d.Form.Period = p.String()
	}
	s.render(c, status, "metrics_unit", "metrics.unit_title", d)
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
	unit, target, err := s.unitTarget(c, c.Param("code"))
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			s.forbidden(c)
			return
		}
		s.fail(c, err)
		return
	}
	if !s.authorize(c, parindex.ActionReportMetrics, target) {
		return
	}
	form := reportForm{Metric: c.PostForm("metric"), Period: strings.TrimSpace(c.PostForm("period")), Value: c.PostForm("value"), Reason: c.PostForm("reason")}
	res, err := s.db.PutObservations(c.Request.Context(), actor(c), []parindex.ObservationRow{{Row: 1, Unit: unit.Code, Period: form.Period,
		Metric: form.Metric, Value: form.Value}}, store.PutOptions{Source: parindex.MetricSourceAgency, Reason: form.Reason})
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		c.Request.URL.RawQuery = "period=" + c.Query("period")
		s.showMetricsUnit(c, http.StatusBadRequest, &metricsUnitData{Form: form, Problems: ie})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	key := "metrics.report_saved"
	if res.Unchanged > 0 {
		key = "metrics.report_unchanged"
	}
	s.setFlash(c, key)
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
		d.Inserted, _ = queryInt(c, "inserted")
		d.Updated, _ = queryInt(c, "updated")
	}
	s.render(c, http.StatusOK, "metrics_import", "metrics.import", d)
}

// metricsImport checks an uploaded file (a dry run: counts of new, changed
// and unchanged figures, or every problem) and, on the second step, stores
// it, all or nothing.
func (s *Server) metricsImport(c *gin.Context) {
	f, err := s.importUpload(c, "metrics", metricsLimit)
	d := metricsImportData{Reason: strings.TrimSpace(c.PostForm("reason")), File: f.Name}
	if err != nil {
		s.showError(c, err, func(status int, msg string) {
			d.Error = msg
			s.render(c, status, "metrics_import", "metrics.import", d)
		})
		return
	}
	tab, err := readObservations(d.File, f.Data)
	var rows []parindex.ObservationRow
	if err == nil {
		rows, err = ObservationRows(tab)
	}
	var res store.PutResult
	if err == nil {
		res, err = s.db.PutObservations(c.Request.Context(), actor(c), rows,
			store.PutOptions{Source: parindex.MetricSourceImport, File: tab.File, Sheet: tab.Sheet, Reason: d.Reason, DryRun: !f.Apply})
	}
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		d.Count, d.Problems, d.More = len(ie), shownProblems(ie), len(ie)-len(shownProblems(ie))
		s.render(c, http.StatusBadRequest, "metrics_import", "metrics.import", d)
		return
	case err != nil:
		s.showError(c, err, func(status int, msg string) {
			d.Error = msg
			s.render(c, status, "metrics_import", "metrics.import", d)
		})
		return
	}
	if f.Apply {
		s.discard(c, "metrics", f)
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/metrics/import?done=1&inserted=%d&updated=%d", res.Inserted, res.Updated))
		return
	}
	if err := s.keep(c, "metrics", &f); err != nil {
		s.internalError(c, err)
		return
	}
	d.Result, d.Token = &res, f.Token
	s.render(c, http.StatusOK, "metrics_import", "metrics.import", d)
}

func (s *Server) metricsTemplate(c *gin.Context) {
	ctx := c.Request.Context()
	catalog, err := s.db.Metrics(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	units, err := s.db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: s.vietnamToday()})
	if err != nil {
		s.internalError(c, err)
		return
	}
	data, err := MetricsTemplate(catalog, units)
	if err != nil {
		s.internalError(c, err)
		return
	}
	c.Header("Content-Disposition", workbook.ContentDisposition(translate(s.lang(c), "metrics.template_file")+".xlsx"))
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
		s.internalError(c, err)
		return
	}
	if d.Units, err = s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{ValidOn: s.vietnamToday()}); err != nil {
		s.internalError(c, err)
		return
	}
	SortUnits(d.Units)
	// The secret must not stay in any cache.
	c.Header("Cache-Control", "no-store")
	s.render(c, status, "metrics_tokens", "tokens.title", d)
}

func (s *Server) tokensPage(c *gin.Context) { s.renderTokens(c, http.StatusOK, tokensData{}) }

func (s *Server) createToken(c *gin.Context) {
	spec := store.APITokenSpec{Name: c.PostForm("name"), UnitCode: c.PostForm("unit"), Write: c.PostForm("write") == "1"}
	secret, tok, err := s.db.CreateAPIToken(c.Request.Context(), actor(c), spec)
	if err != nil {
		s.showError(c, err, func(status int, msg string) { s.renderTokens(c, status, tokensData{Name: spec.Name, Error: msg}) })
		return
	}
	s.renderTokens(c, http.StatusCreated, tokensData{Secret: secret, Made: tok})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.db.RevokeAPIToken(c.Request.Context(), actor(c), id, c.PostForm("reason")); err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeConflict {
			s.renderTokens(c, http.StatusConflict, tokensData{Error: parindex.ErrorMessage(err)})
			return
		}
		s.fail(c, err)
		return
	}
	s.setFlash(c, "tokens.revoked")
	c.Redirect(http.StatusSeeOther, "/admin/api-tokens")
}

// historyRow is one version of a value, formatted for the page.
type historyRow struct {
	*parindex.Observation
	Text string
}

// Text formats the row's value in the page's language.
func (r valueRow) Text(lang string) string { return points(lang, r.Value) }
