package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
)

// Typed route, query and form parameters. A route parameter that is not an
// id is a page that does not exist; a query parameter that does not parse is
// absent (its page shows its default).

// idParam reads a route parameter that is a positive id; anything else is
// a not-found error, for s.fail.
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, parindex.Errorf(parindex.ECodeNotFound, "Không tìm thấy (not found)")
	}
	return id, nil
}

// queryInt reads an integer query parameter; ok is false when it is absent
// or not an integer.
func queryInt(c *gin.Context, name string) (n int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(c.Query(name)))
	return n, err == nil
}

// formID reads a form field that is a positive id; ok is false otherwise.
func formID(c *gin.Context, name string) (id int64, ok bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.PostForm(name)), 10, 64)
	return id, err == nil && id > 0
}
