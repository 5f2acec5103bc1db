package web

// The answers every handler gives when something goes wrong, in one place:
// fail for a domain error on a page of its own, showError for an error shown
// on the form that caused it, badRequest for a request no page of ours
// sends, forbidden, and the plain 500 page.

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/web/kit"
)

// Fail renders the right page for a domain error: a not-found unit is shown
// as forbidden to users who could not see it anyway, so probing codes
// reveals nothing.
func (s *Server) Fail(c *gin.Context, err error) {
	switch parindex.ErrorCode(err) {
	case parindex.ECodeNotFound:
		s.Render(c, http.StatusNotFound, "message", "error.title", kit.Message{Key: "error.notfound"})
	case parindex.ECodeForbidden:
		s.Forbidden(c)
	case parindex.ECodeInternal:
		s.InternalError(c, err)
	default:
		c.Data(kit.HTTPStatus(err), "text/plain; charset=utf-8", []byte(parindex.ErrorMessage(err)))
	}
}

// InternalError logs the detail and shows the user a plain page in Vietnamese.
func (s *Server) InternalError(c *gin.Context, err error) {
	s.log.Error("internal error", slog.String("request_id", kit.RequestID(c)), slog.String("error", err.Error()))
	c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", []byte(
		`<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi hệ thống</title>`+
			`<h1>Đã xảy ra lỗi hệ thống</h1><p>Vui lòng thử lại sau. Mã yêu cầu: `+template.HTMLEscapeString(kit.RequestID(c))+
			`</p><p lang="en">An internal error occurred. Please try again later.</p></html>`))
}

func (s *Server) Forbidden(c *gin.Context) {
	s.Render(c, http.StatusForbidden, "message", "error.title", kit.Message{Key: "error.forbidden"})
}

// BadRequest answers 400 with a short message from the catalogue, for a
// request no page of ours sends (a forged or truncated form, a bad query).
func (s *Server) BadRequest(c *gin.Context, key string, args ...any) {
	c.Data(http.StatusBadRequest, "text/plain; charset=utf-8", []byte(kit.T(s.Lang(c), key, args...)))
}

// ShowError answers a failed action: an internal error with the plain 500
// page (the detail goes to the log), any other domain error through show,
// with its HTTP status and the message a user may read.
func (s *Server) ShowError(c *gin.Context, err error, show func(status int, msg string)) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.InternalError(c, err)
		return
	}
	show(kit.HTTPStatus(err), parindex.ErrorMessage(err))
}

// The server is the Host of the feature packages (web/assessment).
var _ kit.Host = (*Server)(nil)
