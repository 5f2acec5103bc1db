package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

type tokensData struct {
	Tokens []*parindex.APIToken
	Units  []*parindex.OrgUnit
	Secret string // shown once, right after creation
	Made   *parindex.APIToken
	Name   string
	Error  string
}

func (s *Server) renderTokens(c *gin.Context, status int, d tokensData) {
	var err error
	if d.Tokens, err = s.db.FindAPITokens(c.Request.Context()); err != nil {
		s.InternalError(c, err)
		return
	}
	if d.Units, err = s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{ValidOn: s.vietnamToday()}); err != nil {
		s.InternalError(c, err)
		return
	}
	parindex.SortUnits(d.Units)
	// The secret must not stay in any cache.
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "metrics_tokens", "tokens.title", d)
}

func (s *Server) tokensPage(c *gin.Context) { s.renderTokens(c, http.StatusOK, tokensData{}) }

func (s *Server) createToken(c *gin.Context) {
	spec := store.APITokenSpec{Name: c.PostForm("name"), UnitCode: c.PostForm("unit"), Write: c.PostForm("write") == "1"}
	secret, tok, err := s.db.CreateAPIToken(c.Request.Context(), kit.Actor(c), spec)
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.renderTokens(c, status, tokensData{Name: spec.Name, Error: msg}) })
		return
	}
	s.renderTokens(c, http.StatusCreated, tokensData{Secret: secret, Made: tok})
}

func (s *Server) revokeToken(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	if err := s.db.RevokeAPIToken(c.Request.Context(), kit.Actor(c), id, c.PostForm("reason")); err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeConflict {
			s.renderTokens(c, http.StatusConflict, tokensData{Error: parindex.ErrorMessage(err)})
			return
		}
		s.Fail(c, err)
		return
	}
	s.SetFlash(c, "tokens.revoked")
	c.Redirect(http.StatusSeeOther, "/admin/api-tokens")
}
