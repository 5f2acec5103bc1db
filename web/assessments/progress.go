package assessments

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/web/kit"
)

type appraiserRow struct {
	Username, Name string
	Areas          []string
	Remaining      int
}

type areaDiff struct {
	Code, Name, Max       string
	Agencies              int
	Self, Appraised, Diff string
	MeanDiff              string
	OverScored            bool
}

type deadlineField struct {
	Stage, Label, Value string
}

type progressData struct {
	Code, Name string
	Year       int
	Today      string
	Counts     []stateCount
	Agencies   []agencyRow
	Appraisers []appraiserRow
	Areas      []areaDiff
	Deadlines  []deadlineField
	Submitted  int
	Late       int
	Error      string
	Unassigned []string // areas with leaves to appraise and no appraiser
}

func (s *Handler) progressPage(c *gin.Context) {
	d, err := s.progress(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_progress", "progress.title", d)
}

func (s *Handler) progress(c *gin.Context) (*progressData, error) {
	ctx := c.Request.Context()
	lang := s.Lang(c)
	code := c.Param("fw")
	rec, _, err := s.db.AssessedFramework(ctx, code)
	if err != nil {
		return nil, err
	}
	sc, err := s.scoreFramework(ctx, code)
	if err != nil {
		return nil, err
	}
	f := sc.F
	d := &progressData{Code: rec.Code, Name: rec.Name, Year: rec.Year, Today: s.assessmentToday().String()}
	due, err := s.db.Deadlines(ctx, code)
	if err != nil {
		return nil, err
	}
	for _, stage := range assessment.DeadlineStages {
		d.Deadlines = append(d.Deadlines, deadlineField{Stage: stage, Label: kit.T(lang, "assess.stage."+stage), Value: due[stage].String()})
	}
	cycle := assessment.Cycle{Framework: f, Assessments: sc.List, Deadlines: due, Today: s.assessmentToday()}
	progress := cycle.Progress()
	d.Submitted, d.Late = progress.Submitted, progress.Late
	type sums struct {
		self, appraised float64
		n               int
	}
	byArea := map[string]*sums{}
	for _, a := range sc.List {
		row := s.agencyRow(lang, a, f)
		selfRes, apprRes := sc.Self.Agency(a.UnitCode), sc.Appraised.Agency(a.UnitCode)
		if selfRes != nil {
			row.Self = points(lang, selfRes.Points)
		}
		if len(a.Appraisals) > 0 && apprRes != nil && selfRes != nil {
			row.Appraised = points(lang, apprRes.Points)
			row.Diff = points(lang, selfRes.Points-apprRes.Points)
			for _, area := range a.DecidedAreas(f) {
				sn, _ := selfRes.Node(area)
				an, _ := apprRes.Node(area)
				if byArea[area] == nil {
					byArea[area] = &sums{}
				}
				byArea[area].self += sn.Points
				byArea[area].appraised += an.Points
				byArea[area].n++
			}
		}
		d.Agencies = append(d.Agencies, row)
	}
	for _, st := range assessment.States {
		d.Counts = append(d.Counts, stateCount{State: stateName(lang, st), Code: string(st), N: progress.States[st]})
	}
	for _, area := range f.Nodes {
		ad := areaDiff{Code: area.Code, Name: area.Name}
		if !area.Adjustment {
			ad.Max = kit.Points(lang, area.MaxPoints())
		}
		if sm := byArea[area.Code]; sm != nil && sm.n > 0 {
			diff := sm.self - sm.appraised
			ad.Agencies = sm.n
			ad.Self, ad.Appraised, ad.Diff = points(lang, sm.self), points(lang, sm.appraised), points(lang, diff)
			ad.MeanDiff = kit.Number(lang, diff/float64(sm.n), 2)
			// The flag: agencies claimed on average more than 5% of the
			// area's maximum above what appraisal found.
			ad.OverScored = area.MaxPoints() > 0 && diff/float64(sm.n) > 0.05*area.MaxPoints()
		}
		d.Areas = append(d.Areas, ad)
	}
	users, err := s.db.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	loads := assessment.AppraiserLoads(f, users, progress.PendingByArea)
	for _, l := range loads {
		d.Appraisers = append(d.Appraisers, appraiserRow{Username: l.User.Username, Name: l.User.DisplayName, Areas: l.Areas, Remaining: l.Remaining})
	}
	d.Unassigned = assessment.UnassignedAreas(f, loads)
	return d, nil
}

func (s *Handler) saveDeadlines(c *gin.Context) {
	code := c.Param("fw")
	reason := c.PostForm("reason")
	for _, stage := range assessment.DeadlineStages {
		raw := strings.TrimSpace(c.PostForm(stage))
		var due parindex.Date
		if raw != "" {
			var err error
			if due, err = parindex.ParseDate(raw); err != nil {
				s.progressError(c, parindex.Errorf(parindex.ECodeInvalid, "Ngày %q không hợp lệ, cần dạng yyyy-mm-dd (bad date)", raw))
				return
			}
		}
		if err := s.db.SetDeadline(c.Request.Context(), kit.Actor(c), code, stage, due, reason); err != nil {
			s.progressError(c, err)
			return
		}
	}
	s.SetFlash(c, "progress.deadlines_saved")
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}

func (s *Handler) progressError(c *gin.Context, err error) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.InternalError(c, err)
		return
	}
	d, perr := s.progress(c)
	if perr != nil {
		s.Fail(c, perr)
		return
	}
	d.Error = parindex.ErrorMessage(err)
	s.Render(c, kit.HTTPStatus(err), "assessment_progress", "progress.title", d)
}

// startAppraisalAll opens round 1 for every submitted agency at once,
// except those the policy keeps from the user (a unit they hold an agency
// role on), which stay submitted for another administrator.
func (s *Handler) startAppraisalAll(c *gin.Context) {
	ctx := c.Request.Context()
	code := c.Param("fw")
	list, _, err := s.db.ListAssessments(ctx, code)
	if err != nil {
		s.Fail(c, err)
		return
	}
	targets, err := s.unitTargets(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	u := kit.CurrentUser(c)
	flash := "progress.started"
	for _, a := range list {
		if a.State != assessment.StateSubmitted {
			continue
		}
		if !parindex.Can(u, assessment.TransitionStartAppraisal.Action(), targets[a.UnitCode]) {
			flash = "progress.started_not_own"
			continue
		}
		if _, err := s.db.Transition(ctx, kit.Actor(c), a.Ref(), assessment.TransitionStartAppraisal, c.PostForm("reason")); err != nil {
			s.progressError(c, err)
			return
		}
	}
	s.SetFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}
