package kit

import (
	"github.com/gin-gonic/gin"

	"parindex"
)

// Host is what a feature's handlers ask of the server that mounts them:
// the answers (a page, a domain error, a form's error, 400, 403, 404, the
// plain 500), the session's flash and language, the one authorisation
// policy, and the check-then-apply upload flow. *web.Server is the Host.
type Host interface {
	// Render executes a page template (templates/pages/<page>.html) with its
	// layout; titleKey is a catalogue key.
	Render(c *gin.Context, status int, page, titleKey string, data any)
	// Fail answers a domain error with a page of its own.
	Fail(c *gin.Context, err error)
	// ShowError answers an internal error with the plain 500 page and any
	// other error through show, with its status and message.
	ShowError(c *gin.Context, err error, show func(status int, msg string))
	// BadRequest answers 400 with a catalogue message, for a request no
	// page of ours sends.
	BadRequest(c *gin.Context, key string, args ...any)
	Forbidden(c *gin.Context)
	NotFound(c *gin.Context)
	InternalError(c *gin.Context, err error)

	// Authorize asks parindex.Can and answers 403 when the answer is no.
	Authorize(c *gin.Context, a parindex.Action, t parindex.Target) bool
	// RequireAction is Authorize as middleware, for actions without a target.
	RequireAction(a parindex.Action) gin.HandlerFunc
	// UnitTarget loads a unit and the authorisation target for it.
	UnitTarget(c *gin.Context, code string) (*parindex.OrgUnit, parindex.Target, error)

	// Lang is the reader's language (VI or EN).
	Lang(c *gin.Context) string
	// SetFlash keeps a catalogue key to show once on the next page.
	SetFlash(c *gin.Context, key string)

	// UploadedFile reads the form's "file", refused over limit bytes.
	UploadedFile(c *gin.Context, limit int64) (name string, data []byte, err error)
	// ImportUpload reads the file of an import's step (check or apply).
	ImportUpload(c *gin.Context, kind string, limit int64) (ImportFile, error)
	// Keep stores a checked file for the apply step and sets its token.
	Keep(c *gin.Context, kind string, f *ImportFile) error
	// Discard removes the kept file of an applied import.
	Discard(c *gin.Context, kind string, f ImportFile)
}
