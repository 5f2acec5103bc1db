package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"parindex"
	"parindex/i18n"
	"parindex/store"
	"parindex/survey"
	"parindex/tabular"
)

// surveyRoutes mounts the survey administration pages: instruments, QR
// links and their posters, the responses browser, the live counter and the
// paper-forms import. Reading pages are open to every user with a unit in
// view (each sees only the units it may view); changing anything is
// ActionManageSurvey.
func (s *Server) surveyRoutes(g *gin.RouterGroup) {
	sv := g.Group("/admin/survey", s.requireSurveyUser)
	manage := s.requireAction(parindex.ActionManageSurvey)
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
	sv.GET("/paper", manage, s.paperPage)
	sv.POST("/paper", manage, s.paperImport)
}

// canUseSurvey says whether the survey entry belongs in u's menu: anyone who
// may view some unit (its links, posters and responses) or manage the survey.
func canUseSurvey(u *parindex.User) bool {
	return parindex.CanAny(u, parindex.ActionViewUnit) || parindex.CanAny(u, parindex.ActionManageSurvey)
}

func (s *Server) requireSurveyUser(c *gin.Context) {
	if !canUseSurvey(currentUser(c)) {
		s.forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

func canManageSurvey(c *gin.Context) bool {
	return parindex.Can(currentUser(c), parindex.ActionManageSurvey, parindex.Target{})
}

// seesProvince says whether the user may look at every unit at once, so
// lists need no unit filter.
func seesProvince(c *gin.Context) bool {
	return parindex.Can(currentUser(c), parindex.ActionViewProvince, parindex.Target{})
}

// vietnamToday is the current day in Vietnam, the day responses are counted on.
func (s *Server) vietnamToday() parindex.Date { return parindex.DateOf(s.db.Now().In(vietnamTime)) }

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

// --- live counter -------------------------------------------------------

type surveyUnitCount struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

type todayCounts struct {
	Day    string            `json:"day"`
	Today  int64             `json:"today"`
	ByUnit []surveyUnitCount `json:"by_unit"`
}

// The F methods give counts to the template function num, which takes floats.
func (u surveyUnitCount) F() float64  { return float64(u.Count) }
func (t todayCounts) TodayF() float64 { return float64(t.Today) }

// todayCounts counts today's responses of the units the user may view.
func (s *Server) todayCounts(c *gin.Context) (todayCounts, error) {
	day := s.vietnamToday()
	out := todayCounts{Day: day.String(), ByUnit: []surveyUnitCount{}}
	_, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		return out, err
	}
	counts, err := s.db.ResponsesByUnitOn(c.Request.Context(), day)
	if err != nil {
		return out, err
	}
	for _, uc := range counts {
		if !visible[uc.UnitID] {
			continue
		}
		out.Today += uc.Count
		out.ByUnit = append(out.ByUnit, surveyUnitCount{uc.UnitCode, uc.UnitName, uc.Count})
	}
	return out, nil
}

type surveyHomeData struct {
	Counts      todayCounts
	Day         parindex.Date
	CanManage   bool
	Instruments []*parindex.StoredInstrument // published: the survey results download
}

func (s *Server) surveyHome(c *gin.Context) {
	counts, err := s.todayCounts(c)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d := surveyHomeData{Counts: counts, Day: s.vietnamToday(), CanManage: canManageSurvey(c)}
	all, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		s.internalError(c, err)
		return
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "survey_home", "survey.title", d)
}

// surveyToday answers the live counter's poll.
func (s *Server) surveyToday(c *gin.Context) {
	counts, err := s.todayCounts(c)
	if err != nil {
		s.internalError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, counts)
}

// --- instruments --------------------------------------------------------

type instrumentRow struct {
	*parindex.StoredInstrument
	HashPrefix string
}

type instrumentsData struct {
	Instruments []instrumentRow
	CanManage   bool
	File        string
	Problems    []survey.Problem
	Error       string
}

func (s *Server) renderInstruments(c *gin.Context, status int, d instrumentsData) {
	list, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		s.internalError(c, err)
		return
	}
	for _, in := range list {
		d.Instruments = append(d.Instruments, instrumentRow{in, hashPrefix(in.Hash, 12)})
	}
	d.CanManage = canManageSurvey(c)
	s.render(c, status, "survey_instruments", "survey.instruments", d)
}

func hashPrefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (s *Server) instrumentsPage(c *gin.Context) {
	s.renderInstruments(c, http.StatusOK, instrumentsData{})
}

// uploadedFile reads one uploaded file of at most limit bytes; name is its
// base name, for messages only.
func uploadedFile(c *gin.Context, field string, limit int64) (name string, data []byte, err error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10)
	fh, err := c.FormFile(field)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, parindex.Errorf(parindex.ECodeInvalid, "Tệp quá lớn: tối đa %d KiB (the file is too large)", limit>>10)
		}
		return "", nil, parindex.Errorf(parindex.ECodeInvalid, "Chưa chọn tệp (no file was uploaded)")
	}
	if fh.Size > limit {
		return "", nil, parindex.Errorf(parindex.ECodeInvalid, "Tệp quá lớn: tối đa %d KiB (the file is too large)", limit>>10)
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	// The part's size is known: one buffer of that size, not a growing one.
	data = make([]byte, fh.Size)
	if _, err := io.ReadFull(f, data); err != nil {
		return "", nil, err
	}
	name = filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if !utf8.ValidString(name) || name == "." || name == "/" {
		name = "upload"
	}
	return name, data, nil
}

// importInstrument stores an uploaded instrument as a draft; a file with
// problems is refused whole, every problem listed with its line.
func (s *Server) importInstrument(c *gin.Context) {
	name, data, err := uploadedFile(c, "file", survey.MaxInstrumentSize)
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeInternal {
			s.internalError(c, err)
			return
		}
		s.renderInstruments(c, HTTPStatus(err), instrumentsData{Error: parindex.ErrorMessage(err)})
		return
	}
	_, stored, err := survey.Import(c.Request.Context(), s.db, actor(c), name, data)
	var ie *survey.InstrumentError
	switch {
	case errors.As(err, &ie):
		s.renderInstruments(c, http.StatusBadRequest, instrumentsData{File: name, Problems: ie.Problems})
		return
	case err != nil && parindex.ErrorCode(err) != parindex.ECodeInternal:
		s.renderInstruments(c, HTTPStatus(err), instrumentsData{File: name, Error: parindex.ErrorMessage(err)})
		return
	case err != nil:
		s.internalError(c, err)
		return
	}
	s.setFlash(c, "survey.instrument_saved")
	c.Redirect(http.StatusSeeOther, "/admin/survey/instruments/"+url.PathEscape(stored.Code))
}

func (s *Server) publishInstrument(c *gin.Context) {
	code := c.Param("code")
	if err := s.db.PublishInstrument(c.Request.Context(), actor(c), code); err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeConflict {
			s.renderInstruments(c, http.StatusConflict, instrumentsData{Error: parindex.ErrorMessage(err)})
			return
		}
		s.fail(c, err)
		return
	}
	s.setFlash(c, "survey.instrument_published")
	c.Redirect(http.StatusSeeOther, "/admin/survey/instruments/"+url.PathEscape(code))
}

// surveyText is an instrument text in both languages, for templates.
type surveyText struct{ VI, EN string }

func surveyTextOf(t survey.Text) surveyText { return surveyText{t.VI, t.EN} }

type instrumentView struct {
	Stored      *parindex.StoredInstrument
	Name        surveyText
	Scale       []surveyScaleLevel
	NA          *surveyText
	Elements    []surveyElement
	Profile     []surveyProfile
	Comment     *surveyText
	CommentMax  int
	Aggregation survey.Aggregation
	CanManage   bool
}

type surveyScaleLevel struct {
	Value int
	Label surveyText
}

type surveyElement struct {
	Code        string
	Name        surveyText
	Description surveyText
	Questions   []surveyItem
}

type surveyItem struct {
	Code string
	Text surveyText
}

type surveyProfile struct {
	Code    string
	Text    surveyText
	Choices []surveyItem
}

// storedInstrument loads and parses one stored instrument.
func (s *Server) storedInstrument(c *gin.Context, code string) (*parindex.StoredInstrument, *survey.Instrument, error) {
	stored, err := s.db.InstrumentByCode(c.Request.Context(), code)
	if err != nil {
		return nil, nil, err
	}
	in, err := survey.ParseInstrument(stored.Code+".yaml", []byte(stored.Source))
	if err != nil {
		return nil, nil, fmt.Errorf("web: stored instrument %s does not parse: %w", stored.Code, err)
	}
	return stored, in, nil
}

func (s *Server) instrumentPage(c *gin.Context) {
	stored, in, err := s.storedInstrument(c, c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := instrumentView{Stored: stored, Name: surveyTextOf(in.Name), Aggregation: in.Aggregation, CanManage: canManageSurvey(c)}
	for _, l := range in.Scale {
		v.Scale = append(v.Scale, surveyScaleLevel{l.Value, surveyTextOf(l.Label)})
	}
	if in.NotApplicable != nil {
		na := surveyTextOf(in.NotApplicable.Label)
		v.NA = &na
	}
	for _, e := range in.Elements {
		ev := surveyElement{Code: e.Code, Name: surveyTextOf(e.Name), Description: surveyTextOf(e.Description)}
		for _, q := range e.Questions {
			ev.Questions = append(ev.Questions, surveyItem{q.Code, surveyTextOf(q.Text)})
		}
		v.Elements = append(v.Elements, ev)
	}
	for _, p := range in.Profile {
		pv := surveyProfile{Code: p.Code, Text: surveyTextOf(p.Text)}
		for _, ch := range p.Choices {
			pv.Choices = append(pv.Choices, surveyItem{ch.Code, surveyTextOf(ch.Label)})
		}
		v.Profile = append(v.Profile, pv)
	}
	if in.Comment != nil {
		label := surveyTextOf(in.Comment.Label)
		v.Comment, v.CommentMax = &label, in.Comment.MaxLength
	}
	s.render(c, http.StatusOK, "survey_instrument", "survey.instrument", v)
}

// instrumentYAML downloads the canonical file, the starting point of the
// next version.
func (s *Server) instrumentYAML(c *gin.Context) {
	stored, err := s.db.InstrumentByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+stored.Code+`.yaml"`)
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(stored.Source))
}

// --- links --------------------------------------------------------------

// Link statuses shown in lists.
const (
	linkActive  = "active"
	linkRevoked = "revoked"
	linkExpired = "expired"
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
	if n, err := strconv.Atoi(c.Query("created")); err == nil && n >= 0 {
		d.Notice, d.Created = true, n
		d.Skipped, _ = strconv.Atoi(c.Query("skipped"))
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
		s.internalError(c, err)
		return
	}
	d.Units = units
	f := store.LinkFilter{}
	if code != "" {
		unit, ok := s.viewableUnit(c, code)
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
		s.internalError(c, err)
		return
	}
	counts, err := s.db.LinkResponseCounts(ctx, s.vietnamToday(), f.UnitID)
	if err != nil {
		s.internalError(c, err)
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
			s.internalError(c, err)
			return
		}
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, status, "survey_links", "survey.links", d)
}

// viewableUnit loads a unit the user may view, or answers 403 (also for an
// unknown code, unless the user sees the whole province, so probing codes
// reveals nothing) and returns false.
func (s *Server) viewableUnit(c *gin.Context, code string) (*parindex.OrgUnit, bool) {
	unit, target, err := s.unitTarget(c, code)
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !seesProvince(c) {
			s.forbidden(c)
			return nil, false
		}
		s.fail(c, err)
		return nil, false
	}
	if !s.authorize(c, parindex.ActionViewUnit, target) {
		return nil, false
	}
	return unit, true
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
	return time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, vietnamTime).UTC(), nil
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
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.internalError(c, err)
		return
	}
	status := HTTPStatus(err)
	if status == http.StatusNotFound {
		status = http.StatusBadRequest // a unit or instrument named in the form
	}
	s.renderLinks(c, status, "", linksData{Form: f, Error: parindex.ErrorMessage(err)})
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
		_, err = s.db.CreateLinks(c.Request.Context(), actor(c), []store.LinkSpec{{Token: survey.NewLinkToken(),
			InstrumentCode: f.Instrument, UnitCode: f.Unit, CounterLabel: f.Counter, ExpiresAt: expires}})
	}
	if err != nil {
		s.linkFormError(c, f, err)
		return
	}
	s.setFlash(c, "survey.link_created")
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
		_, err = s.db.CreateLinks(c.Request.Context(), actor(c), specs)
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
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such link"))
		return nil
	}
	links, err := s.db.FindLinks(c.Request.Context(), store.LinkFilter{ID: id})
	if err != nil {
		s.internalError(c, err)
		return nil
	}
	if len(links) == 0 {
		// As for units: who cannot see every unit learns nothing from an id.
		if !seesProvince(c) {
			s.forbidden(c)
		} else {
			s.fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such link"))
		}
		return nil
	}
	if _, ok := s.viewableUnit(c, links[0].UnitCode); !ok {
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
		err = s.db.RevokeLink(c.Request.Context(), actor(c), l.ID, reason)
	}
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeInternal {
			s.internalError(c, err)
			return
		}
		s.renderLinks(c, HTTPStatus(err), l.UnitCode, linksData{Form: linkForm{Counter: defaultCounter}, Error: parindex.ErrorMessage(err)})
		return
	}
	s.setFlash(c, "survey.revoke_done")
	c.Redirect(http.StatusSeeOther, "/admin/survey/links?unit="+url.QueryEscape(l.UnitCode))
}

// --- posters ------------------------------------------------------------

type surveyPoster struct {
	Link     *parindex.SurveyLink
	Status   string
	URL      string // what the QR code holds
	ShortURL string // the URL without its scheme, to type by hand
	Code     string // the token in groups of four
	QR       string // the PNG's address on this site
}

type posterData struct {
	Unit     *parindex.OrgUnit
	Province string // the name of the unit at the top of the tree, above the agency
	Posters  []surveyPoster
	Size     string // "a5" or "a4"
	Single   bool   // one link, not a unit's sheet
	SheetURL string
	SizeURL  map[string]string
	// The poster speaks to citizens in Vietnamese, with English below,
	// whatever the language of the person printing it.
	Call, Hint, Open, CodeLabel surveyText
}

// bothLanguages returns a message in both languages.
func bothLanguages(key string) surveyText {
	vi, en := i18n.Both(key)
	return surveyText{vi, en}
}

func posterTexts(d *posterData) {
	d.Call, d.Hint = bothLanguages("survey.poster_call"), bothLanguages("survey.poster_hint")
	d.Open, d.CodeLabel = bothLanguages("survey.poster_open"), bothLanguages("survey.poster_code")
}

func posterSize(c *gin.Context) string {
	if c.Query("size") == "a4" {
		return "a4"
	}
	return "a5"
}

// linkURL is the address printed in a link's QR code.
func (s *Server) linkURL(l *parindex.SurveyLink) string { return s.cfg.BaseURL + "/s/" + l.Token }

// groupToken writes a token in blocks of four, separated by spaces (the
// token itself may hold '-' and '_').
func groupToken(token string) string {
	var b strings.Builder
	for i, r := range token {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) posterOf(l *parindex.SurveyLink) surveyPoster {
	u := s.linkURL(l)
	short := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return surveyPoster{Link: l, Status: linkStatus(l, s.db.Now()), URL: u, ShortURL: short, Code: groupToken(l.Token),
		QR: "/admin/survey/links/" + strconv.FormatInt(l.ID, 10) + "/qr.png"}
}

// posterHeader fills the unit and the name of the top of its tree.
func (s *Server) posterHeader(c *gin.Context, code string, d *posterData) error {
	unit, err := s.db.OrgUnitByCode(c.Request.Context(), code)
	if err != nil {
		return err
	}
	d.Unit = unit
	anc, err := s.db.OrgAncestors(c.Request.Context(), code)
	if err != nil {
		return err
	}
	if len(anc) > 0 {
		d.Province = anc[len(anc)-1].Name
	}
	return nil
}

func (s *Server) posterPage(c *gin.Context) {
	l := s.linkByID(c)
	if l == nil {
		return
	}
	size := posterSize(c)
	base := "/admin/survey/links/" + strconv.FormatInt(l.ID, 10) + "/poster?size="
	d := posterData{Size: size, Single: true, Posters: []surveyPoster{s.posterOf(l)},
		SheetURL: "/admin/survey/units/" + url.PathEscape(l.UnitCode) + "/posters?size=" + size,
		SizeURL:  map[string]string{"a5": base + "a5", "a4": base + "a4"}}
	posterTexts(&d)
	if err := s.posterHeader(c, l.UnitCode, &d); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "survey_poster", "survey.poster", d)
}

// unitPosters prints a poster for every active counter of one unit, one a page.
func (s *Server) unitPosters(c *gin.Context) {
	unit, ok := s.viewableUnit(c, c.Param("code"))
	if !ok {
		return
	}
	links, err := s.db.FindLinks(c.Request.Context(), store.LinkFilter{UnitID: unit.ID})
	if err != nil {
		s.internalError(c, err)
		return
	}
	size := posterSize(c)
	base := "/admin/survey/units/" + url.PathEscape(unit.Code) + "/posters?size="
	d := posterData{Size: size, SizeURL: map[string]string{"a5": base + "a5", "a4": base + "a4"}}
	now := s.db.Now()
	for _, l := range links {
		if l.Active(now) {
			d.Posters = append(d.Posters, s.posterOf(l))
		}
	}
	posterTexts(&d)
	if err := s.posterHeader(c, unit.Code, &d); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "survey_poster", "survey.poster", d)
}

// qrCache keeps the PNG of each link address: a code never changes for a
// URL, and a sheet of posters asks for many at once.
var qrCache = struct {
	sync.Mutex
	png map[string][]byte
}{png: map[string][]byte{}}

const qrCacheMax = 2000

func qrPNG(u string) ([]byte, error) {
	qrCache.Lock()
	png, ok := qrCache.png[u]
	qrCache.Unlock()
	if ok {
		return png, nil
	}
	png, err := qrcode.Encode(u, qrcode.Medium, 512)
	if err != nil {
		return nil, fmt.Errorf("web: unable to draw the QR code: %w", err)
	}
	qrCache.Lock()
	if len(qrCache.png) >= qrCacheMax {
		clear(qrCache.png)
	}
	qrCache.png[u] = png
	qrCache.Unlock()
	return png, nil
}

// linkQR serves the QR code of an active link as a PNG.
func (s *Server) linkQR(c *gin.Context) {
	l := s.linkByID(c)
	if l == nil {
		return
	}
	if !l.Active(s.db.Now()) {
		s.render(c, http.StatusGone, "message", "error.title", message{Key: "survey.link_inactive"})
		return
	}
	png, err := qrPNG(s.linkURL(l))
	if err != nil {
		s.internalError(c, err)
		return
	}
	// Private: the image is the link, and the link is as good as the token.
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "image/png", png)
}

// --- responses browser ---------------------------------------------------

const responsesPageSize = 50

// responseFlags are the values of the flag filter besides "" (all).
var responseFlags = []string{"any", "none", parindex.FlagSpeeder, parindex.FlagStraightline, parindex.FlagDuplicateDevice, parindex.FlagBatchDuplicate, parindex.FlagBot}

type surveyResponseRow struct {
	store.ResponseRow
	Answers     string // digits grouped by element
	ProfileText string // "question: choice; …" in the reader's language
	Flags       []string
}

type answerLegend struct {
	Code, Name string // the instrument's
	Elements   []answerLegendElement
	Scale      []surveyScaleLevel
	NA         string
}

type answerLegendElement struct {
	Name      string // the instrument's name of the element
	Questions string
}

type responsesData struct {
	Units     []*parindex.OrgUnit
	Province  bool // may list every unit at once
	Unit      string
	From, To  string
	Flag      string
	Flags     []string
	Rows      []surveyResponseRow
	Legends   []answerLegend
	Total     int
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string // the same filters as an Excel download
	Error     string
	Responses bool // the query ran
}

func (s *Server) responsesPage(c *gin.Context) {
	ctx := c.Request.Context()
	d := responsesData{Unit: strings.TrimSpace(c.Query("unit")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")),
		Flag: c.Query("flag"), Flags: responseFlags, Province: seesProvince(c)}
	units, visible, err := s.visibleUnitIDs(c)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d.Units = units
	f := store.ResponseFilter{Limit: responsesPageSize}
	var problems []string
	switch {
	case d.Unit != "":
		unit, ok := s.viewableUnit(c, d.Unit)
		if !ok {
			return
		}
		f.UnitID = unit.ID
	case !d.Province:
		// An agency user always looks at one of its own units.
		if len(units) == 0 {
			s.forbidden(c)
			return
		}
		d.Unit, f.UnitID = units[0].Code, units[0].ID
	}
	if f.UnitID != 0 && !visible[f.UnitID] {
		s.forbidden(c)
		return
	}
	if d.From != "" {
		if f.From, err = parindex.ParseDate(d.From); err != nil {
			problems = append(problems, translate(s.lang(c), "survey.bad_from"))
		}
	}
	if d.To != "" {
		if f.To, err = parindex.ParseDate(d.To); err != nil {
			problems = append(problems, translate(s.lang(c), "survey.bad_to"))
		}
	}
	if d.Flag != "" {
		known := false
		for _, fl := range responseFlags {
			known = known || fl == d.Flag
		}
		if !known {
			problems = append(problems, translate(s.lang(c), "survey.bad_flag"))
		}
		f.Flag = d.Flag
	}
	if len(problems) > 0 {
		d.Error = strings.Join(problems, " ")
		s.render(c, http.StatusBadRequest, "survey_responses", "survey.responses", d)
		return
	}
	d.Page, _ = strconv.Atoi(c.Query("page"))
	d.Page = max(d.Page, 1)
	f.Offset = (d.Page - 1) * responsesPageSize
	if d.Total, err = s.db.CountResponses(ctx, f); err != nil {
		s.internalError(c, err)
		return
	}
	rows, err := s.db.FindResponses(ctx, f)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d.Responses = true
	d.Pages = max(1, (d.Total+responsesPageSize-1)/responsesPageSize)
	if err := s.responseViews(c, rows, &d); err != nil {
		s.internalError(c, err)
		return
	}
	q := c.Request.URL.Query()
	q.Del("page")
	d.ExportURL = "/admin/survey/responses.xlsx?" + q.Encode()
	q.Set("page", strconv.Itoa(d.Page+1))
	d.NextURL = "/admin/survey/responses?" + q.Encode()
	q.Set("page", strconv.Itoa(d.Page-1))
	d.PrevURL = "/admin/survey/responses?" + q.Encode()
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "survey_responses", "survey.responses", d)
}

// responseViews groups each row's answer digits by element and builds a
// legend for every instrument on the page.
func (s *Server) responseViews(c *gin.Context, rows []store.ResponseRow, d *responsesData) error {
	instruments := map[string]*survey.Instrument{}
	lang := s.lang(c)
	for _, r := range rows {
		in, ok := instruments[r.Instrument]
		if !ok {
			var err error
			if _, in, err = s.storedInstrument(c, r.Instrument); err != nil {
				return err
			}
			instruments[r.Instrument] = in
			lg := answerLegend{Code: in.Code, Name: pickText(surveyTextOf(in.Name), lang)}
			for _, e := range in.Elements {
				var qs []string
				for _, q := range e.Questions {
					qs = append(qs, q.Code)
				}
				lg.Elements = append(lg.Elements, answerLegendElement{pickText(surveyTextOf(e.Name), lang), strings.Join(qs, " ")})
			}
			for _, l := range in.Scale {
				lg.Scale = append(lg.Scale, surveyScaleLevel{l.Value, surveyTextOf(l.Label)})
			}
			lg.NA = translate(lang, "survey.legend_unanswered")
			if in.NotApplicable != nil {
				lg.NA = pickText(surveyTextOf(in.NotApplicable.Label), lang) + "; " + lg.NA
			}
			d.Legends = append(d.Legends, lg)
		}
		v := surveyResponseRow{ResponseRow: r, Answers: groupAnswers(in, r.Answers), ProfileText: profileText(in, r.Profile, lang)}
		if r.Flags != "" {
			v.Flags = strings.Split(r.Flags, ",")
		}
		d.Rows = append(d.Rows, v)
	}
	return nil
}

func pickText(t surveyText, lang string) string {
	if lang == langEN && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// profileText writes a response's profile ("gender=female;age_group=
// under_30" as stored) with the instrument's question texts and choice
// labels: "Giới tính: Nữ; Nhóm tuổi: Dưới 30 tuổi". A code the instrument
// does not know is shown as stored.
func profileText(in *survey.Instrument, profile, lang string) string {
	if profile == "" {
		return ""
	}
	var parts []string
	for _, pair := range strings.Split(profile, ";") {
		code, choice, _ := strings.Cut(strings.TrimSpace(pair), "=")
		question, answer := code, choice
		for _, q := range in.Profile {
			if q.Code != code {
				continue
			}
			question = pickText(surveyTextOf(q.Text), lang)
			for _, ch := range q.Choices {
				if ch.Code == choice {
					answer = pickText(surveyTextOf(ch.Label), lang)
				}
			}
		}
		parts = append(parts, question+": "+answer)
	}
	return strings.Join(parts, "; ")
}

// groupAnswers writes the digits with a space between elements.
func groupAnswers(in *survey.Instrument, answers string) string {
	var b strings.Builder
	i := 0
	for e, el := range in.Elements {
		if e > 0 {
			b.WriteByte(' ')
		}
		for range el.Questions {
			if i < len(answers) {
				b.WriteByte(answers[i])
			}
			i++
		}
	}
	if i < len(answers) {
		b.WriteString(" " + answers[i:])
	}
	return b.String()
}

// --- paper forms ------------------------------------------------------

// paperLimit bounds an uploaded paper-forms file; larger batches go through
// the command line (parindex import responses).
const paperLimit = 4 << 20

// paperProblemsShown bounds the problems listed on the page; the count says
// how many there are in all.
const paperProblemsShown = 200

type paperData struct {
	Instruments []*parindex.StoredInstrument
	Instrument  string
	File        string
	Data        string // the checked file, base64, carried to the apply step
	Result      *survey.PaperResult
	Problems    parindex.InputErrors
	Count       int // problems in all
	More        int // problems not listed
	Error       string
	Done        bool
	Inserted    int
	Already     int
}

func (s *Server) paperPageData(c *gin.Context, d *paperData) error {
	all, err := s.db.FindInstruments(c.Request.Context())
	if err != nil {
		return err
	}
	for _, in := range all {
		if in.Status == parindex.StatusPublished {
			d.Instruments = append(d.Instruments, in)
		}
	}
	if d.Instrument == "" && len(d.Instruments) > 0 {
		d.Instrument = d.Instruments[0].Code
	}
	return nil
}

func (s *Server) renderPaper(c *gin.Context, status int, d paperData) {
	if err := s.paperPageData(c, &d); err != nil {
		s.internalError(c, err)
		return
	}
	s.render(c, status, "survey_paper", "survey.paper", d)
}

func (s *Server) paperPage(c *gin.Context) {
	d := paperData{}
	if n, err := strconv.Atoi(c.Query("inserted")); err == nil {
		d.Done, d.Inserted = true, n
		d.Already, _ = strconv.Atoi(c.Query("already"))
	}
	s.renderPaper(c, http.StatusOK, d)
}

// paperImport checks an uploaded file (step 1, nothing written) or stores
// the file checked in step 1 (step 2, "apply"), which comes back in a
// hidden field: the server keeps no state between the steps, and the apply
// step checks everything again.
func (s *Server) paperImport(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 2*paperLimit)
	d := paperData{Instrument: strings.TrimSpace(c.PostForm("instrument"))}
	apply := c.PostForm("step") == "apply"
	var data []byte
	var err error
	if apply {
		d.File = filepath.Base(c.PostForm("file_name"))
		if data, err = base64.StdEncoding.DecodeString(c.PostForm("data")); err != nil || len(data) > paperLimit {
			err = parindex.Errorf(parindex.ECodeInvalid, "Dữ liệu gửi lên không hợp lệ; hãy tải tệp lên lại (the form data is invalid; upload the file again)")
		}
	} else {
		d.File, data, err = uploadedFile(c, "file", paperLimit)
	}
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeInternal {
			s.internalError(c, err)
			return
		}
		d.Error = parindex.ErrorMessage(err)
		s.renderPaper(c, HTTPStatus(err), d)
		return
	}
	file := func() (*tabular.Reader, error) { return tabular.Open(d.File, bytes.NewReader(data), tabular.Upload) }
	res, err := survey.ImportPaper(c.Request.Context(), s.db, actor(c), file, d.Instrument, !apply)
	var ie parindex.InputErrors
	switch {
	case errors.As(err, &ie):
		d.Problems, d.Count = ie, len(ie)
		if len(ie) > paperProblemsShown {
			d.Problems, d.More = ie[:paperProblemsShown], len(ie)-paperProblemsShown
		}
		s.renderPaper(c, http.StatusBadRequest, d)
		return
	case err != nil && parindex.ErrorCode(err) != parindex.ECodeInternal:
		d.Error = parindex.ErrorMessage(err)
		status := HTTPStatus(err)
		if status == http.StatusNotFound {
			status = http.StatusBadRequest // the instrument chosen in the form
		}
		s.renderPaper(c, status, d)
		return
	case err != nil:
		s.internalError(c, err)
		return
	}
	if apply {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/survey/paper?inserted=%d&already=%d", res.Inserted, res.AlreadyStored))
		return
	}
	d.Result, d.Data = &res, base64.StdEncoding.EncodeToString(data)
	s.renderPaper(c, http.StatusOK, d)
}
