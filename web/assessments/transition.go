package assessments

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/web/kit"
)

// transition makes one move of the cycle. Who may ask is the policy's
// answer for the transition's action on the agency's unit.
func (s *Handler) transition(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	t := assessment.Transition(c.PostForm("t"))
	if t.Action() == "" {
		s.BadRequest(c, "error.bad_action")
		return
	}
	if !s.Authorize(c, t.Action(), l.Target) {
		return
	}
	if _, err := s.db.Transition(c.Request.Context(), kit.Actor(c), l.Ref, t, c.PostForm("reason")); err != nil {
		s.sheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.tr_done."+string(t))
	c.Redirect(http.StatusSeeOther, l.url())
}

// reopen lets one agency work after its deadline (DoHA).
func (s *Handler) reopen(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionManageAssessments)
	if l == nil {
		return
	}
	until, err := parindex.ParseDate(c.PostForm("until"))
	if err != nil {
		s.sheetError(c, l, parindex.Errorf(parindex.ECodeInvalid, "Ngày không hợp lệ, cần dạng yyyy-mm-dd (bad date)"))
		return
	}
	if err := s.db.Reopen(c.Request.Context(), kit.Actor(c), l.Ref, until, c.PostForm("reason")); err != nil {
		s.sheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.reopened")
	c.Redirect(http.StatusSeeOther, l.url())
}
