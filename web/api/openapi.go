package api

import (
	"bytes"
	_ "embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Document is the contract of /api/v1 (OpenAPI 3.1), written by
// hand and kept true by TestOpenAPIMatchesRoutes, which compares its paths
// and methods with the routes the server registers.
//
//go:embed openapi.json
var Document []byte

// openAPI serves the OpenAPI 3 document, with the server's own address.
func (a *Handler) openAPI(c *gin.Context) {
	doc := Document
	if base := strings.TrimRight(a.baseURL, "/"); base != "" {
		if u, err := url.Parse(base); err == nil && u.Host != "" {
			doc = bytes.Replace(doc, []byte(`"url": "/api/v1"`), []byte(`"url": `+strconv.Quote(base+Prefix)), 1)
		}
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
}
