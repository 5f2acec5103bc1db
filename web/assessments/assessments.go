package assessments

import (
	"context"
	"net/url"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/store"
	"parindex/web/kit"
)

// unitTargets returns the authorisation target of every unit by code.
func (s *Handler) unitTargets(ctx context.Context) (map[string]parindex.Target, error) {
	all, err := s.db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	anc := parindex.AncestorIDs(all)
	out := make(map[string]parindex.Target, len(all))
	for _, u := range all {
		out[u.Code] = parindex.Target{UnitID: u.ID, UnitAncestors: anc[u.ID]}
	}
	return out, nil
}

func sheetURL(framework, unit string) string {
	return "/app/assessments/" + url.PathEscape(framework) + "/" + url.PathEscape(unit)
}

// publishedFrameworks lists the frameworks agencies are assessed with:
// the published ones that have a leaf the agency scores itself. A
// framework computed only from operational metrics and the survey (the
// service index of Decision 766) has no self-assessment cycle.
func (s *Handler) publishedFrameworks(ctx context.Context) ([]*store.FrameworkRecord, error) {
	recs, err := s.db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkPublished})
	if err != nil {
		return nil, err
	}
	var out []*store.FrameworkRecord
	for _, rec := range recs {
		_, f, err := s.db.AssessedFramework(ctx, rec.Code)
		if err != nil {
			return nil, err
		}
		if assessment.SelfAssessed(f) {
			out = append(out, rec)
		}
	}
	return out, nil
}

// frameworksInView is where the list, the inbox and the queue start: the
// published frameworks with assessments and every unit's authorisation
// target.
func (s *Handler) frameworksInView(ctx context.Context) ([]*store.FrameworkRecord, map[string]parindex.Target, error) {
	recs, err := s.publishedFrameworks(ctx)
	if err != nil {
		return nil, nil, err
	}
	targets, err := s.unitTargets(ctx)
	return recs, targets, err
}

// Routes mounts the pages on g, whose requests have a logged-in user.
func (s *Handler) Routes(g *gin.RouterGroup) {
	g.GET("/app/inbox", s.requireAssessmentUser, s.inboxPage)
	g.GET("/app/appraisal", s.requireAppraiser, s.queuePage)
	g.GET("/app/evidence/:id", s.requireAssessmentUser, s.evidenceDownload)
	a := g.Group("/app/assessments", s.requireAssessmentUser)
	a.GET("", s.assessmentsPage)
	a.GET("/:fw/:unit", s.sheetPage)
	a.POST("/:fw/:unit", s.sheetSave)
	a.GET("/:fw/:unit/template.xlsx", s.templateDownload)
	a.POST("/:fw/:unit/upload", s.templateUpload)
	a.POST("/:fw/:unit/transition", s.transition)
	a.POST("/:fw/:unit/reopen", s.reopen)
	a.POST("/:fw/:unit/accept", s.acceptArea)
	a.GET("/:fw/:unit/leaf/:node", s.leafPage)
	a.POST("/:fw/:unit/leaf/:node", s.leafSave)
	a.POST("/:fw/:unit/leaf/:node/evidence", s.evidenceUpload)
	a.POST("/:fw/:unit/leaf/:node/explain", s.leafExplain)
	a.POST("/:fw/:unit/leaf/:node/appraise", s.leafAppraise)
	a.POST("/:fw/:unit/evidence/:id/remove", s.evidenceRemove)
	m := g.Group("/admin/assessments", s.RequireAction(parindex.ActionManageAssessments))
	m.GET("/:fw", s.progressPage)
	m.POST("/:fw/deadlines", s.saveDeadlines)
	m.POST("/:fw/start", s.startAppraisalAll)
}

// CanUse puts the assessments in u's menu: agencies, appraisers, DoHA and
// leadership.
func CanUse(u *parindex.User) bool {
	return parindex.CanAny(u, parindex.ActionViewUnit) || parindex.CanAny(u, parindex.ActionAppraise) ||
		parindex.CanAny(u, parindex.ActionManageAssessments)
}

func (s *Handler) requireAssessmentUser(c *gin.Context) {
	if !CanUse(kit.CurrentUser(c)) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

// requireAppraiser admits users with an appraiser grant in some area; each
// leaf is then decided by the policy for its own area.
func (s *Handler) requireAppraiser(c *gin.Context) {
	if !parindex.CanAny(kit.CurrentUser(c), parindex.ActionAppraise) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

// assessmentToday is the day in Vietnam, the day deadlines count in.
func (s *Handler) assessmentToday() parindex.Date {
	return parindex.DateOf(s.db.Now().In(kit.VietnamTime))
}

// loaded is one assessment in a request: with its framework and the
// authorisation target of its unit.
type loaded struct {
	A      *assessment.Assessment
	F      *criteria.Framework
	Target parindex.Target
	Ref    assessment.Ref
}

// loadAssessment reads the assessment of the URL and checks that the user
// may view its unit; it renders the refusal itself and returns nil then.
func (s *Handler) loadAssessment(c *gin.Context) *loaded {
	ref := assessment.Ref{Framework: c.Param("fw"), Unit: c.Param("unit")}
	unit, target, err := s.UnitTarget(c, ref.Unit)
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !parindex.CanAny(kit.CurrentUser(c), parindex.ActionViewProvince) {
			s.Forbidden(c)
			return nil
		}
		s.Fail(c, err)
		return nil
	}
	if !s.Authorize(c, parindex.ActionViewUnit, target) {
		return nil
	}
	ref.Unit = unit.Code
	a, f, err := s.db.Assessment(c.Request.Context(), ref)
	if err != nil {
		s.Fail(c, err)
		return nil
	}
	return &loaded{A: a, F: f, Target: target, Ref: ref}
}

func (l *loaded) url() string {
	return "/app/assessments/" + url.PathEscape(l.Ref.Framework) + "/" + url.PathEscape(l.Ref.Unit)
}

func (l *loaded) leafURL(node string) string { return l.url() + "/leaf/" + url.PathEscape(node) }

// mayEdit, mayExplain, maySubmit: the policy (Can) and the cycle's rules.
func (l *loaded) mayEdit(u *parindex.User) bool {
	return parindex.Can(u, parindex.ActionEditAssessment, l.Target) && assessment.AgencyMayEdit(l.A.State, l.A.Locked)
}

func (l *loaded) mayExplain(u *parindex.User) bool {
	return parindex.Can(u, parindex.ActionEditAssessment, l.Target) && assessment.AgencyMayExplain(l.A.State, l.A.Locked)
}

func (l *loaded) mayAddEvidence(u *parindex.User) bool { return l.mayEdit(u) || l.mayExplain(u) }

// mayAppraise says whether u decides the leaf in the round open now.
func (l *loaded) mayAppraise(u *parindex.User, node string) bool {
	return l.A.MayAppraise(u, l.Target, l.F, node)
}

// appraisalTarget is the policy's target for appraising one area of this
// assessment: the area, and the unit whose assessment it is.
func (l *loaded) appraisalTarget(area string) parindex.Target {
	return parindex.AppraisalTarget(l.Target, l.F.Code, area)
}

// loadAssessmentFor loads the assessment of the request and asks the one
// policy whether the user may do a on its agency; nil after answering
// (not found, forbidden) when not.
func (s *Handler) loadAssessmentFor(c *gin.Context, a parindex.Action) *loaded {
	l := s.loadAssessment(c)
	if l == nil || !s.Authorize(c, a, l.Target) {
		return nil
	}
	return l
}
