package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
)

func linkStatus(l *parindex.SurveyLink, now time.Time) string {
	switch {
	case !l.RevokedAt.IsZero():
		return linkRevoked
	case !l.Active(now):
		return linkExpired
	}
	return linkActive
}

type surveyLinkRow struct {
	*parindex.SurveyLink
	Status string
}

func (l surveyLinkRow) TodayF() float64 { return float64(l.ResponsesToday) }

func (l surveyLinkRow) TotalF() float64 { return float64(l.ResponsesTotal) }

type linksData struct {
	Unit        *parindex.OrgUnit // the unit filter, nil for all units in view
	Units       []*parindex.OrgUnit
	Links       []surveyLinkRow
	Today       int64
	Total       int64
	CanManage   bool
	Instruments []*parindex.StoredInstrument // published ones, for the forms
	CurrentUnit []*parindex.OrgUnit          // units valid today, for the create form
	Types       []parindex.OrgType
	Form        linkForm
	Error       string
	Created     int
	Skipped     int
	Notice      bool // show Created and Skipped
}

func (d linksData) TodayF() float64 { return float64(d.Today) }

func (d linksData) TotalF() float64 { return float64(d.Total) }

type linkForm struct {
	Unit, Instrument, Counter, Expires string
	Types                              []string
}

func (f linkForm) HasType(t string) bool {
	for _, x := range f.Types {
		if x == t {
			return true
		}
	}
	return false
}

func (s *Server) linksPage(c *gin.Context) {
	d := linksData{Form: linkForm{Counter: defaultCounter}}
	if n, ok := kit.QueryInt(c, "created"); ok && n >= 0 {
		d.Notice, d.Created = true, n
		d.Skipped, _ = kit.QueryInt(c, "skipped")
	}
	s.renderLinks(c, http.StatusOK, c.Query("unit"), d)
}

// defaultCounter is the label most one-stop shops use for their only counter.
const defaultCounter = "Quầy 1"

// renderLinks shows the links of one unit (code) or of every unit in view.
func (s *Server) renderLinks(c *gin.Context, status int, code string, d linksData) {
	ctx := c.Request.Context()
	units, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Units = units
	f := store.LinkFilter{}
	if code != "" {
		unit, _, ok := s.viewableUnit(c, code)
		if !ok {
			return
		}
		d.Unit, f.UnitID = unit, unit.ID
		if d.Form.Unit == "" {
			d.Form.Unit = unit.Code
		}
	}
	links, err := s.db.FindLinks(ctx, f)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	counts, err := s.db.LinkResponseCounts(ctx, s.vietnamToday(), f.UnitID)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	now := s.db.Now()
	for _, l := range links {
		if !visible[l.UnitID] {
			continue
		}
		l.ResponsesToday, l.ResponsesTotal = counts[l.ID].Today, counts[l.ID].Total
		d.Links = append(d.Links, surveyLinkRow{l, linkStatus(l, now)})
		d.Today += l.ResponsesToday
		d.Total += l.ResponsesTotal
	}
	d.CanManage = canManageSurvey(c)
	if d.CanManage {
		if err := s.linkFormData(c, &d); err != nil {
			s.InternalError(c, err)
			return
		}
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "survey_links", "survey.links", d)
}

func (s *Server) linkFormData(c *gin.Context, d *linksData) error {
	ctx := c.Request.Context()
	all, err := s.db.FindInstruments(ctx)
	if err != nil {
		return err
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	if d.CurrentUnit, err = s.db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: s.vietnamToday()}); err != nil {
		return err
	}
	parindex.SortUnits(d.CurrentUnit)
	if d.Types, err = s.db.OrgTypes(ctx); err != nil {
		return err
	}
	if d.Form.Instrument == "" && len(d.Instruments) > 0 {
		d.Form.Instrument = d.Instruments[0].Code
	}
	return nil
}

func readLinkForm(c *gin.Context) linkForm {
	return linkForm{
		Unit:       strings.TrimSpace(c.PostForm("unit")),
		Instrument: strings.TrimSpace(c.PostForm("instrument")),
		Counter:    strings.TrimSpace(c.PostForm("counter")),
		Expires:    strings.TrimSpace(c.PostForm("expires")),
		Types:      c.PostFormArray("type"),
	}
}

// expiry turns the form's last valid day into the instant the link closes:
// the end of that day in Vietnam. Empty means never.
func (s *Server) expiry(f linkForm) (time.Time, error) {
	if f.Expires == "" {
		return time.Time{}, nil
	}
	d, err := parindex.ParseDate(f.Expires)
	if err != nil {
		return time.Time{}, parindex.Errorf(parindex.ECodeInvalid, "Ngày hết hạn cần dạng yyyy-mm-dd (the expiry date must be yyyy-mm-dd)")
	}
	if d.Before(s.vietnamToday()) {
		return time.Time{}, parindex.Errorf(parindex.ECodeInvalid, "Ngày hết hạn đã qua (the expiry date is in the past)")
	}
	next := d.AddDays(1)
	return time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, kit.VietnamTime).UTC(), nil
}

func checkCounter(label string) error {
	if label == "" {
		return parindex.Errorf(parindex.ECodeInvalid, "Cần tên quầy, ví dụ “Quầy 1” (a counter label is required)")
	}
	if utf8.RuneCountInString(label) > 100 || len(label) > 100 {
		return parindex.Errorf(parindex.ECodeInvalid, "Tên quầy tối đa 100 ký tự (counter label too long)")
	}
	return nil
}

func (s *Server) linkFormError(c *gin.Context, f linkForm, err error) {
	s.ShowError(c, err, func(status int, msg string) {
		if status == http.StatusNotFound {
			status = http.StatusBadRequest // a unit or instrument named in the form
		}
		s.renderLinks(c, status, "", linksData{Form: f, Error: msg})
	})
}

func (s *Server) createLink(c *gin.Context) {
	f := readLinkForm(c)
	expires, err := s.expiry(f)
	if err == nil {
		err = checkCounter(f.Counter)
	}
	if err == nil {
		var unit *parindex.OrgUnit
		if unit, err = s.db.OrgUnitByCode(c.Request.Context(), f.Unit); err == nil && !unit.ValidOn(s.vietnamToday()) {
			err = parindex.Errorf(parindex.ECodeInvalid, "Đơn vị %s không còn hiệu lực; hãy tạo mã QR cho đơn vị kế thừa (the unit is no longer valid)", unit.Code)
		}
	}
	if err == nil {
		_, err = s.db.CreateLinks(c.Request.Context(), kit.Actor(c), []store.LinkSpec{{Token: survey.NewLinkToken(),
			InstrumentCode: f.Instrument, UnitCode: f.Unit, CounterLabel: f.Counter, ExpiresAt: expires}})
	}
	if err != nil {
		s.linkFormError(c, f, err)
		return
	}
	s.SetFlash(c, "survey.link_created")
	c.Redirect(http.StatusSeeOther, "/admin/survey/links?unit="+url.QueryEscape(f.Unit))
}

// bulkLinks gives every current unit of the chosen types a link for one
// counter, skipping units that already have an active link with that label
// for that instrument, so running it twice creates nothing new. All links
// are created in one transaction.
func (s *Server) bulkLinks(c *gin.Context) {
	f := readLinkForm(c)
	specs, skipped, err := s.bulkSpecs(c, f)
	if err == nil && len(specs) > 0 {
		_, err = s.db.CreateLinks(c.Request.Context(), kit.Actor(c), specs)
	}
	if err != nil {
		s.linkFormError(c, f, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/survey/links?created=%d&skipped=%d", len(specs), skipped))
}

func (s *Server) bulkSpecs(c *gin.Context, f linkForm) (specs []store.LinkSpec, skipped int, err error) {
	ctx := c.Request.Context()
	expires, err := s.expiry(f)
	if err != nil {
		return nil, 0, err
	}
	if err := checkCounter(f.Counter); err != nil {
		return nil, 0, err
	}
	if len(f.Types) == 0 {
		return nil, 0, parindex.Errorf(parindex.ECodeInvalid, "Chọn ít nhất một loại đơn vị (choose at least one unit type)")
	}
	existing, err := s.db.FindLinks(ctx, store.LinkFilter{})
	if err != nil {
		return nil, 0, err
	}
	now := s.db.Now()
	key := func(unit, instrument, counter string) string {
		return unit + "\x00" + instrument + "\x00" + strings.ToLower(counter)
	}
	has := map[string]bool{}
	for _, l := range existing {
		if l.Active(now) {
			has[key(l.UnitCode, l.InstrumentCode, l.CounterLabel)] = true
		}
	}
	for _, typ := range f.Types {
		units, err := s.db.FindOrgUnits(ctx, store.OrgFilter{Type: typ, ValidOn: s.vietnamToday()})
		if err != nil {
			return nil, 0, err
		}
		for _, u := range units {
			if has[key(u.Code, f.Instrument, f.Counter)] {
				skipped++
				continue
			}
			has[key(u.Code, f.Instrument, f.Counter)] = true // a type given twice
			specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: f.Instrument, UnitCode: u.Code,
				CounterLabel: f.Counter, ExpiresAt: expires})
		}
	}
	return specs, skipped, nil
}

// linkByID loads a link and checks that the user may view its unit; on
// failure it has answered and returns nil.
func (s *Server) linkByID(c *gin.Context) *parindex.SurveyLink {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return nil
	}
	links, err := s.db.FindLinks(c.Request.Context(), store.LinkFilter{ID: id})
	if err != nil {
		s.InternalError(c, err)
		return nil
	}
	if len(links) == 0 {
		// As for units: who cannot see every unit learns nothing from an id.
		if !seesProvince(c) {
			s.Forbidden(c)
		} else {
			s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such link"))
		}
		return nil
	}
	if _, _, ok := s.viewableUnit(c, links[0].UnitCode); !ok {
		return nil
	}
	return links[0]
}

func (s *Server) revokeLink(c *gin.Context) {
	l := s.linkByID(c)
	if l == nil {
		return
	}
	reason := strings.TrimSpace(c.PostForm("reason"))
	var err error
	switch {
	case reason == "":
		err = parindex.Errorf(parindex.ECodeInvalid, "Cần ghi lý do thu hồi (a reason is required)")
	case utf8.RuneCountInString(reason) > 500:
		err = parindex.Errorf(parindex.ECodeInvalid, "Lý do tối đa 500 ký tự (the reason is too long)")
	default:
		err = s.db.RevokeLink(c.Request.Context(), kit.Actor(c), l.ID, reason)
	}
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			s.renderLinks(c, status, l.UnitCode, linksData{Form: linkForm{Counter: defaultCounter}, Error: msg})
		})
		return
	}
	s.SetFlash(c, "survey.revoke_done")
	c.Redirect(http.StatusSeeOther, "/admin/survey/links?unit="+url.QueryEscape(l.UnitCode))
}

// Link statuses shown in lists.
const (
	linkActive  = "active"
	linkRevoked = "revoked"
	linkExpired = "expired"
)
