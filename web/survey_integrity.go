package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/dashboard"
	"parindex/i18n"
	"parindex/integrity"
	"parindex/stats"
	"parindex/web/kit"
)

// The counter-integrity page (survey_integrity.html): DoHA's ranking of
// which units' and QR links' ratings to doubt in a year, with the reasons
// the policy gives (docs/integrity.md), and the
// marking of a link as DoHA's own independent sample, the yardstick of its
// unit's other links.

type integrityData struct {
	Instruments   []*parindex.StoredInstrument
	Instrument    string
	Year          int
	PolicyVersion int
	Judged        bool            // a report was computed
	Counts        map[string]int  // units by label name
	Units         []integrityUnit // worst first
	CanManage     bool
	Error         string
}

type integrityUnit struct {
	Code, Name string
	Label      string // the label's name: credible, check, doubtful, not_judged
	Responses  string
	Records    string // one-stop records resolved in the year; "" unknown
	Gap        string // QR share minus the independent sample's, with its interval; "" without one
	Reasons    []string
	Why        string // for a label without reasons of its own: why it has it
	Links      []integrityLink
}

type integrityLink struct {
	ID          int64
	Href        string // its drill-down
	Counter     string
	Independent bool
	Label       string
	Responses   string
	Reasons     []string
	Why         string
}

// integrityRow words a unit's judgement and its links' in lang, each link
// with the address of its drill-down for the instrument and year.
func (s *Server) integrityRow(lang, instrument string, year int, u integrity.UnitJudgement) integrityUnit {
	reasons := func(fs []integrity.Finding) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.Text(lang, i18n.T)
		}
		return out
	}
	why := func(j integrity.Judgement) string {
		switch {
		case j.Label == integrity.NotJudged:
			return i18n.N(lang, "integrity.not_judged_why", j.Responses, j.Responses, s.cfg.IntegrityPolicy.MinimumResponses)
		case j.Label == integrity.Credible:
			return kit.T(lang, "integrity.credible_plain")
		case len(j.Findings) == 0: // a unit labelled by its worst link
			return kit.T(lang, "integrity.from_links")
		}
		return ""
	}
	points := func(share float64) string { return kit.Points(lang, stats.RoundHalfUp(share*100, 1)) }
	row := integrityUnit{Code: u.Unit.Code, Name: u.Unit.Name, Label: u.Label.String(), Responses: kit.Number(lang, float64(u.Responses), 0),
		Reasons: reasons(u.Findings), Why: why(u.Judgement)}
	if u.Unit.RecordsKnown {
		row.Records = kit.Number(lang, float64(u.Unit.RecordsReturned), 0)
	}
	if !math.IsNaN(u.IndependentGap) {
		row.Gap = kit.T(lang, "integrity.gap_value", points(u.IndependentGap), points(u.GapLower), points(u.GapUpper))
	}
	query := url.Values{"instrument": {instrument}, "year": {strconv.Itoa(year)}}.Encode()
	for _, l := range u.Links {
		row.Links = append(row.Links, integrityLink{ID: l.Link.ID, Href: fmt.Sprintf("/admin/survey/integrity/links/%d?%s", l.Link.ID, query),
			Counter: l.Link.Label, Independent: l.Link.Independent, Label: l.Label.String(), Responses: kit.Number(lang, float64(l.Responses), 0),
			Reasons: reasons(l.Findings), Why: why(l.Judgement)})
	}
	return row
}

func (s *Server) integrityPage(c *gin.Context) {
	s.showIntegrity(c, http.StatusOK, c.Query("instrument"), c.Query("year"), "")
}

// showIntegrity renders the page for an instrument's code and a year as
// given in the request (the latest published instrument and this year
// when absent), with msg as the error of a refused change.
func (s *Server) showIntegrity(c *gin.Context, status int, instrument, year, msg string) {
	ctx := c.Request.Context()
	lang := s.Lang(c)
	d := integrityData{CanManage: canManageSurvey(c), Counts: map[string]int{}, Error: msg}
	all, err := s.db.FindInstruments(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	d.Instrument = strings.TrimSpace(instrument)
	if d.Instrument == "" && len(d.Instruments) > 0 {
		d.Instrument = d.Instruments[len(d.Instruments)-1].Code
	}
	d.Year = s.integrityYear(year)
	if !slices.ContainsFunc(d.Instruments, func(in *parindex.StoredInstrument) bool { return in.Code == d.Instrument }) {
		if d.Instrument != "" && d.Error == "" {
			d.Error = kit.T(lang, "integrity.no_instrument", d.Instrument)
		}
		s.Render(c, status, "survey_integrity", "integrity.title", d)
		return
	}
	report, err := s.dashboards.Integrity(ctx, d.Instrument, d.Year, s.cfg.IntegrityPolicy, s.cfg.Location)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Judged, d.PolicyVersion = true, report.PolicyVersion
	for _, u := range report.Units {
		row := s.integrityRow(lang, d.Instrument, d.Year, u)
		d.Counts[row.Label]++
		d.Units = append(d.Units, row)
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "survey_integrity", "integrity.title", d)
}

// integrityYear is the year a request asks for, this year when it asks for
// none or for one out of range.
func (s *Server) integrityYear(year string) int {
	if y, err := strconv.Atoi(strings.TrimSpace(year)); err == nil && y >= parindex.MinPeriodYear && y <= parindex.MaxPeriodYear {
		return y
	}
	return s.vietnamToday().Year
}

// integrityLinkData is a QR link's integrity drill-down: its judgement and
// its unit's, and the panels behind them.
type integrityLinkData struct {
	Instrument    string
	Year          int
	PolicyVersion int
	Unit          integrityUnit
	Link          integrityLink
	Panels        []panelView
	Scripts       chartScripts
}

// linkIntegrity loads a link's drill-down for the request's instrument
// (the link's own when absent) and year; a link that is not the
// instrument's is not found.
func (s *Server) linkIntegrity(c *gin.Context) (*integrityLinkData, []dashboard.Panel, bool) {
	l := s.linkByID(c)
	if l == nil {
		return nil, nil, false
	}
	ctx := c.Request.Context()
	d := &integrityLinkData{Instrument: strings.TrimSpace(c.Query("instrument")), Year: s.integrityYear(c.Query("year"))}
	if d.Instrument == "" {
		d.Instrument = l.InstrumentCode
	}
	report, err := s.dashboards.Integrity(ctx, d.Instrument, d.Year, s.cfg.IntegrityPolicy, s.cfg.Location)
	if err != nil {
		s.Fail(c, err)
		return nil, nil, false
	}
	unit, link, ok := report.Link(l.ID)
	if !ok {
		s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "Mã QR %d không thuộc bộ câu hỏi %s (link not of the instrument)", l.ID, d.Instrument))
		return nil, nil, false
	}
	period := parindex.YearPeriod(d.Year)
	slots, err := s.db.LinkSlots(ctx, l.ID, period, s.cfg.Location)
	if err != nil {
		s.InternalError(c, err)
		return nil, nil, false
	}
	devices, err := s.db.LinkDevices(ctx, l.ID, period, dashboard.LinkDevicesShown)
	if err != nil {
		s.InternalError(c, err)
		return nil, nil, false
	}
	panels, err := dashboard.LinkIntegrityPanels(s.dashLocale(c), s.clock, s.cfg.IntegrityPolicy, link.Link, slots, devices)
	if err != nil {
		s.InternalError(c, err)
		return nil, nil, false
	}
	lang := s.Lang(c)
	d.PolicyVersion = report.PolicyVersion
	d.Unit = s.integrityRow(lang, d.Instrument, d.Year, unit)
	for _, row := range d.Unit.Links {
		if row.ID == l.ID {
			d.Link = row
		}
	}
	return d, panels, true
}

// integrityLinkPage shows a QR link's drill-down: why it has its label, by
// hour of the day, busy five-minute slots and devices.
func (s *Server) integrityLinkPage(c *gin.Context) {
	d, panels, ok := s.linkIntegrity(c)
	if !ok {
		return
	}
	d.Scripts = s.chartScripts()
	d.Panels = panelViews(panels, fmt.Sprintf("/admin/survey/integrity/links/%d/table.csv", d.Link.ID),
		url.Values{"instrument": {d.Instrument}, "year": {strconv.Itoa(d.Year)}})
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "survey_integrity_link", "integrity.link_title", d)
}

// integrityLinkCSV sends one table of a link's drill-down.
func (s *Server) integrityLinkCSV(c *gin.Context) {
	d, panels, ok := s.linkIntegrity(c)
	if !ok {
		return
	}
	s.panelCSV(c, panels, fmt.Sprintf("parindex-integrity-%d-%d", d.Link.ID, d.Year))
}

// markIndependent marks a link as DoHA's independent sample, or unmarks
// it, with a reason, audited by the store in the same transaction.
func (s *Server) markIndependent(c *gin.Context) {
	l := s.linkByID(c)
	if l == nil {
		return
	}
	instrument, year := c.PostForm("instrument"), c.PostForm("year")
	reason := strings.TrimSpace(c.PostForm("reason"))
	var err error
	if reason == "" {
		err = parindex.Errorf(parindex.ECodeInvalid, "%s", kit.T(s.Lang(c), "integrity.reason_needed"))
	} else {
		err = s.db.MarkLinkIndependent(c.Request.Context(), kit.Actor(c), l.ID, c.PostForm("independent") == "1", reason)
	}
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.showIntegrity(c, status, instrument, year, msg) })
		return
	}
	s.dashboards.ForgetIntegrity()
	s.SetFlash(c, "integrity.marked")
	c.Redirect(http.StatusSeeOther, "/admin/survey/integrity?"+url.Values{"instrument": {instrument}, "year": {year}}.Encode())
}
