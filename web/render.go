package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/i18n"
	"parindex/web/assessments"
	"parindex/web/kit"
)

//go:embed templates
var templateFS embed.FS

// pages holds one template set per page: the base layout plus that page, so
// that each page's "content" block cannot overwrite another's (the trap of a
// single shared namespace). All are parsed at start-up.
type pages map[string]*template.Template

// clock shows every date and time of every page (the "date" and "time"
// functions), in the province's zone; unitType names a unit type ("unitType").
func loadPages(a *assets, clock parindex.Clock, unitType func(lang, code string) string) (pages, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"t":     func(p *pageData, key string, args ...any) string { return kit.T(p.Lang, key, args...) },
		// n is t for a message shown with a count: {{n $ "key" count args...}}.
		// The count may be any integer type the page data holds.
		"n": func(p *pageData, key string, count any, args ...any) (string, error) {
			v := reflect.ValueOf(count)
			if !v.CanInt() {
				return "", fmt.Errorf("n %q: the count is a %T, not an integer", key, count)
			}
			return i18n.N(p.Lang, key, int(v.Int()), args...), nil
		},
		"num":  func(p *pageData, x float64, decimals int) string { return kit.Number(p.Lang, x, decimals) },
		"date": clock.FormatDate,
		"time": clock.FormatTime,
		"role": func(p *pageData, role string) string { return kit.T(p.Lang, "role."+role) },
		// unitType names a unit type: {{unitType $ .Type}}, never the code.
		"unitType": func(p *pageData, code string) string { return unitType(p.Lang, code) },
		// dict passes several values to a partial: {{template "x" (dict "P" . "G" .Data.Grant)}}.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs key, value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict keys must be strings")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	entries, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, p := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("web: no page templates found")
	}
	return out, nil
}

// pageData is what every page template receives: the page's own data under
// .Data, plus what the layout needs.
type pageData struct {
	Title     string
	Nonce     string
	RequestID string
	Lang      string
	User      *parindex.User
	Nav       nav
	Flash     string
	Path      string
	Data      any
}

// nav says which menu entries the user may use: each role sees only what it can.
type nav struct {
	Units, Users, Audit, Criteria bool
	Metrics                       bool // operational metrics per unit
	Survey                        bool // the survey pages: links, posters, responses
	Dashboard                     string
	Assessments                   bool // self-assessment, appraisal, the inbox
	Results                       bool // the scoring snapshots, their preflight and publication
}

// Render executes a page into a buffer first, so a template error becomes a
// clean 500 page rather than half a page with a 200 status.
// The title is a message key.
func (s *Server) Render(c *gin.Context, status int, page, titleKey string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.InternalError(c, fmt.Errorf("web: no page %q", page))
		return
	}
	u := kit.CurrentUser(c)
	p := &pageData{Nonce: kit.CSPNonce(c), RequestID: kit.RequestID(c), Lang: s.Lang(c), User: u, Path: c.Request.URL.Path, Data: data,
		Flash: s.popFlash(c)}
	p.Title = kit.T(p.Lang, titleKey)
	if u != nil {
		p.Nav = nav{
			Units:    parindex.CanAny(u, parindex.ActionViewUnit),
			Users:    parindex.CanAny(u, parindex.ActionManageUsers),
			Audit:    parindex.CanAny(u, parindex.ActionViewAudit),
			Criteria: canViewFrameworks(u),
			Metrics:  canViewFrameworks(u),
			Survey:   canUseSurvey(u),
		}
		p.Nav.Dashboard = dashboardLink(u) // the overview, or the user's own agency page; "": none
		p.Nav.Assessments = assessments.CanUse(u)
		p.Nav.Results = parindex.CanAny(u, parindex.ActionViewProvince)
	}
	var buf bytes.Buffer
	err := t.Execute(&buf, p)
	if err != nil {
		s.InternalError(c, fmt.Errorf("web: render %s: %w", page, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
