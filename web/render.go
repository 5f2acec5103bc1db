package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// pages holds one template set per page: the base layout plus that page, so
// that each page's "content" block cannot overwrite another's (the trap of a
// single shared namespace). All are parsed at start-up.
type pages map[string]*template.Template

func loadPages(a *assets) (pages, error) {
	funcs := template.FuncMap{"asset": a.URL}
	entries, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, p := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
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
	Data      any
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 page rather than half a page with a 200 status.
func (s *Server) render(c *gin.Context, status int, page, title string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.internalError(c, fmt.Errorf("web: no page %q", page))
		return
	}
	var buf bytes.Buffer
	err := t.Execute(&buf, pageData{Title: title, Nonce: cspNonce(c), RequestID: requestID(c), Data: data})
	if err != nil {
		s.internalError(c, fmt.Errorf("web: render %s: %w", page, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// internalError logs the detail and shows the user a plain page in Vietnamese.
func (s *Server) internalError(c *gin.Context, err error) {
	s.log.Error("internal error", slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
	c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", []byte(
		`<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi hệ thống</title>`+
			`<h1>Đã xảy ra lỗi hệ thống</h1><p>Vui lòng thử lại sau. Mã yêu cầu: `+template.HTMLEscapeString(requestID(c))+
			`</p><p lang="en">An internal error occurred. Please try again later.</p></html>`))
}
