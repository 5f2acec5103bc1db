package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"parindex"
	"parindex/i18n"
	"parindex/store"
	"parindex/web/kit"
)

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
		s.Fail(c, err)
		return
	}
	s.Render(c, http.StatusOK, "survey_poster", "survey.poster", d)
}

// unitPosters prints a poster for every active counter of one unit, one a page.
func (s *Server) unitPosters(c *gin.Context) {
	unit, _, ok := s.viewableUnit(c, c.Param("code"))
	if !ok {
		return
	}
	links, err := s.db.FindLinks(c.Request.Context(), store.LinkFilter{UnitID: unit.ID})
	if err != nil {
		s.InternalError(c, err)
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
		s.Fail(c, err)
		return
	}
	s.Render(c, http.StatusOK, "survey_poster", "survey.poster", d)
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
		s.Render(c, http.StatusGone, "message", "error.title", kit.Message{Key: "survey.link_inactive"})
		return
	}
	png, err := qrPNG(s.linkURL(l))
	if err != nil {
		s.InternalError(c, err)
		return
	}
	// Private: the image is the link, and the link is as good as the token.
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "image/png", png)
}
