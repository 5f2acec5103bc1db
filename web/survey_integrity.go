package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
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
	Links      []integrityLink
}

type integrityLink struct {
	ID          int64
	Counter     string
	Independent bool
	Label       string
	Responses   string
	Reasons     []string
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
	d.Year = s.vietnamToday().Year
	if y, err := strconv.Atoi(strings.TrimSpace(year)); err == nil && y >= parindex.MinPeriodYear && y <= parindex.MaxPeriodYear {
		d.Year = y
	}
	if !slices.ContainsFunc(d.Instruments, func(in *parindex.StoredInstrument) bool { return in.Code == d.Instrument }) {
		if d.Instrument != "" && d.Error == "" {
			d.Error = kit.T(lang, "integrity.no_instrument", d.Instrument)
		}
		s.Render(c, status, "survey_integrity", "integrity.title", d)
		return
	}
	_, report, err := s.results.Integrity(ctx, d.Instrument, d.Year, s.cfg.IntegrityPolicy, s.cfg.Location)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Judged, d.PolicyVersion = true, report.PolicyVersion
	reasons := func(fs []integrity.Finding) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.Text(lang, i18n.T)
		}
		return out
	}
	points := func(share float64) string { return kit.Points(lang, stats.RoundHalfUp(share*100, 1)) }
	for _, u := range report.Units {
		row := integrityUnit{Code: u.Unit.Code, Name: u.Unit.Name, Label: u.Label.String(), Responses: kit.Number(lang, float64(u.Responses), 0), Reasons: reasons(u.Findings)}
		if u.Unit.RecordsKnown {
			row.Records = kit.Number(lang, float64(u.Unit.RecordsReturned), 0)
		}
		if !math.IsNaN(u.IndependentGap) {
			row.Gap = kit.T(lang, "integrity.gap_value", points(u.IndependentGap), points(u.GapLower), points(u.GapUpper))
		}
		for _, l := range u.Links {
			row.Links = append(row.Links, integrityLink{ID: l.Link.ID, Counter: l.Link.Label, Independent: l.Link.Independent,
				Label: l.Label.String(), Responses: kit.Number(lang, float64(l.Responses), 0), Reasons: reasons(l.Findings)})
		}
		d.Counts[row.Label]++
		d.Units = append(d.Units, row)
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "survey_integrity", "integrity.title", d)
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
	s.SetFlash(c, "integrity.marked")
	c.Redirect(http.StatusSeeOther, "/admin/survey/integrity?"+url.Values{"instrument": {instrument}, "year": {year}}.Encode())
}
