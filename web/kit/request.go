package kit

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
)

// Typed route, query and form parameters. A route parameter that is not an
// id is a page that does not exist; a query parameter that does not parse is
// absent (its page shows its default).

// Keys of what the middleware keeps in a request's gin context.
const (
	KeyUser      = "parindex.user"
	KeyRequestID = "parindex.request_id"
	KeyNonce     = "parindex.csp_nonce"
)

// CurrentUser returns the logged-in user of the request, or nil.
func CurrentUser(c *gin.Context) *parindex.User {
	u, _ := c.Get(KeyUser)
	user, _ := u.(*parindex.User)
	return user
}

// Actor is the audit identity of the request's user.
func Actor(c *gin.Context) parindex.Actor {
	name := "anonymous"
	if u := CurrentUser(c); u != nil {
		name = u.Username
	}
	return parindex.Actor{Name: name, RequestID: RequestID(c)}
}

// RequestID returns the id of the current request ("" outside one).
func RequestID(c *gin.Context) string { return c.GetString(KeyRequestID) }

// CSPNonce returns the nonce that inline scripts of this response must carry.
func CSPNonce(c *gin.Context) string { return c.GetString(KeyNonce) }

// IDParam reads a route parameter that is a positive id; anything else is
// a not-found error, for Host.Fail.
func IDParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, parindex.Errorf(parindex.ECodeNotFound, "Không tìm thấy (not found)")
	}
	return id, nil
}

// QueryInt reads an integer query parameter; ok is false when it is absent
// or not an integer.
func QueryInt(c *gin.Context, name string) (n int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(c.Query(name)))
	return n, err == nil
}

// FormID reads a form field that is a positive id; ok is false otherwise.
func FormID(c *gin.Context, name string) (id int64, ok bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return id, err == nil && id > 0
}
