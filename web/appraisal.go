package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/store"
	"parindex/web/kit"
)

// The pages around the sheets: the list of assessments, the inbox of what
// waits for the user, the appraisers' queue across agencies, and DoHA's
// progress page with deadlines and the self-versus-appraised comparison.

// asmUnitTargets returns the authorisation target of every unit by code.
func (s *Server) asmUnitTargets(ctx context.Context) (map[string]parindex.Target, error) {
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

func asmURL(framework, unit string) string {
	return "/app/assessments/" + url.PathEscape(framework) + "/" + url.PathEscape(unit)
}

// asmPublishedFrameworks lists the frameworks agencies are assessed with:
// the published ones that have a leaf the agency scores itself. A
// framework computed only from operational metrics and the survey (the
// service index of Decision 766) has no self-assessment cycle.
func (s *Server) asmPublishedFrameworks(ctx context.Context) ([]*store.FrameworkRecord, error) {
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

// --- the list -------------------------------------------------------------

type asmAgencyRow struct {
	Unit, Name, State, StateCode string
	URL                          string
	Deadline                     string
	Locked, Late                 bool
	ReopenedUntil                string
	SubmittedAt                  time.Time
	Pending                      int
	Self, Appraised, Diff        string
}

type asmStateCount struct {
	State string
	Code  string
	N     int
}

type asmFrameworkList struct {
	Code, Name string
	Year       int
	Agencies   []asmAgencyRow
	Counts     []asmStateCount
	CanManage  bool
}

type asmIndexData struct {
	Inbox      []asmInboxItem
	Frameworks []asmFrameworkList
	Appraiser  bool
}

func (s *Server) assessmentsPage(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := asmIndexData{Appraiser: parindex.CanAny(u, parindex.ActionAppraise)}
	if d.Inbox, err = s.asmInbox(c); err != nil {
		s.InternalError(c, err)
		return
	}
	for _, rec := range recs {
		list, f, err := s.db.ListAssessments(ctx, rec.Code)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		fa := asmFrameworkList{Code: rec.Code, Name: rec.Name, Year: rec.Year, CanManage: parindex.Can(u, parindex.ActionManageAssessments, parindex.Target{})}
		counts := map[assessment.State]int{}
		for _, a := range list {
			if !parindex.Can(u, parindex.ActionViewUnit, targets[a.UnitCode]) {
				continue
			}
			counts[a.State]++
			fa.Agencies = append(fa.Agencies, s.asmAgencyRow(lang, a, f))
		}
		if len(fa.Agencies) == 0 {
			continue
		}
		for _, st := range assessment.States {
			if counts[st] > 0 {
				fa.Counts = append(fa.Counts, asmStateCount{State: asmStateName(lang, st), Code: string(st), N: counts[st]})
			}
		}
		d.Frameworks = append(d.Frameworks, fa)
	}
	s.Render(c, http.StatusOK, "assessment_index", "assess.list_title", d)
}

func (s *Server) asmAgencyRow(lang string, a *assessment.Assessment, f *criteria.Framework) asmAgencyRow {
	r := asmAgencyRow{Unit: a.UnitCode, Name: a.UnitName, State: asmStateName(lang, a.State), StateCode: string(a.State),
		URL: asmURL(a.Framework, a.UnitCode), Locked: a.Locked, SubmittedAt: a.SubmittedAt, Pending: len(a.PendingLeaves(f))}
	if !a.Deadline.IsZero() {
		r.Deadline = s.clock.FormatDate(a.Deadline)
		r.Late = a.Late(f, s.assessmentToday())
	}
	if !a.ReopenedUntil.IsZero() {
		r.ReopenedUntil = s.clock.FormatDate(a.ReopenedUntil)
	}
	return r
}

// --- the inbox ------------------------------------------------------------

// asmInboxItem is one thing that waits for the user.
type asmInboxItem struct {
	Text   string
	URL    string
	Due    string
	Urgent bool // a deadline within 7 days or passed
}

// asmInbox lists what waits for the user across the published frameworks
// (assessment.Cycle.Work), urgent first, in the reader's language with
// frameworks named by their names, never their codes.
func (s *Server) asmInbox(c *gin.Context) ([]asmInboxItem, error) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		return nil, err
	}
	var tasks []assessment.Task
	for _, rec := range recs {
		cycle, err := s.asmCycle(ctx, rec.Code, targets)
		if err != nil {
			return nil, err
		}
		if cycle.System, err = s.db.YearMetrics(ctx, cycle.Framework.Year); err != nil {
			return nil, err
		}
		tasks = append(tasks, cycle.Work(u)...)
	}
	assessment.UrgentFirst(tasks)
	out := make([]asmInboxItem, len(tasks))
	for i, t := range tasks {
		out[i] = asmTaskItem(lang, t)
		if !t.Due.IsZero() {
			out[i].Due = s.clock.FormatDate(t.Due)
			out[i].Urgent = t.Urgent
		}
	}
	return out, nil
}

// asmTaskItem is a task in the reader's language, with its link.
func asmTaskItem(lang string, t assessment.Task) asmInboxItem {
	fw := t.Framework.Name
	if a := t.Assessment; a != nil {
		link := asmURL(a.Framework, a.UnitCode)
		switch t.Kind {
		case assessment.TaskLocked:
			return asmInboxItem{URL: link, Text: kit.T(lang, "inbox.locked", a.UnitName, fw)}
		case assessment.TaskSubmit:
			return asmInboxItem{URL: link, Text: kit.T(lang, "inbox.submit", a.UnitName, fw)}
		case assessment.TaskSelfAssess:
			return asmInboxItem{URL: link, Text: i18n.N(lang, "inbox.self", t.Count, a.UnitName, fw, t.Count)}
		case assessment.TaskExplain:
			return asmInboxItem{URL: link, Text: kit.T(lang, "inbox.explain", a.UnitName, fw, t.Count)}
		case assessment.TaskAppraise:
			return asmInboxItem{URL: link, Text: i18n.N(lang, "inbox.appraise", t.Count, t.Count, a.UnitName, t.Round)}
		}
	}
	admin := "/admin/assessments/" + url.PathEscape(t.Framework.Code)
	switch t.Kind {
	case assessment.TaskStartAppraisal:
		return asmInboxItem{URL: admin, Text: i18n.N(lang, "inbox.start", t.Count, t.Count, fw)}
	case assessment.TaskSendResults:
		return asmInboxItem{URL: admin, Text: i18n.N(lang, "inbox.send", t.Count, t.Count, fw)}
	case assessment.TaskFinalise:
		return asmInboxItem{URL: admin, Text: i18n.N(lang, "inbox.finalise", t.Count, t.Count, fw)}
	}
	return asmInboxItem{URL: admin, Text: kit.T(lang, "inbox.deadline", kit.T(lang, "assess.stage."+t.Stage), fw)}
}

// asmCycle loads a published framework's assessments as the model's
// rules about pending work read them, on the server's today.
func (s *Server) asmCycle(ctx context.Context, framework string, targets map[string]parindex.Target) (assessment.Cycle, error) {
	list, f, err := s.db.ListAssessments(ctx, framework)
	if err != nil {
		return assessment.Cycle{}, err
	}
	due, err := s.db.Deadlines(ctx, framework)
	if err != nil {
		return assessment.Cycle{}, err
	}
	return assessment.Cycle{Framework: f, Assessments: list, Targets: targets, Deadlines: due, Today: s.assessmentToday()}, nil
}

func (s *Server) asmInboxPage(c *gin.Context) {
	items, err := s.asmInbox(c)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_inbox", "inbox.title", items)
}

// --- the appraisers' queue ------------------------------------------------

type asmQueueItem struct {
	Framework, Unit, UnitName string
	Round                     int
	Code, Name                string
	Self                      string
	Round1                    string
	Explanation               string
	URL                       string
	Evidence                  int
}

type asmQueueData struct {
	Items  []asmQueueItem
	Areas  []string
	Agency int
}

// asmQueuePage lists, across agencies, the leaves of the user's areas that
// wait for the open round.
func (s *Server) asmQueuePage(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := asmQueueData{}
	for _, g := range u.Grants {
		if g.Role == parindex.RoleAppraiser {
			fw := g.FrameworkName
			if g.Framework == "" {
				fw = kit.T(lang, "assess.any_framework")
			} else if fw == "" {
				fw = g.Framework
			}
			d.Areas = append(d.Areas, fw+" · "+kit.T(lang, "role.area")+" "+g.Area)
		}
	}
	agencies := map[string]bool{}
	for _, rec := range recs {
		cycle, err := s.asmCycle(ctx, rec.Code, targets)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		f := cycle.Framework
		nm, err := kit.NamesFor(ctx, s.db, lang, f)
		if err != nil {
			s.InternalError(c, err)
			return
		}
		for _, q := range cycle.Queue(u) {
			a, n := q.Assessment, q.Leaf
			it := asmQueueItem{Framework: f.Code, Unit: a.UnitCode, UnitName: a.UnitName, Round: q.Round, Code: n.Code, Name: n.Name,
				Self: asmSelfText(nm, a, n), URL: asmURL(f.Code, a.UnitCode) + "/leaf/" + url.PathEscape(n.Code),
				Evidence: len(a.Evidence[n.Code])}
			if r1 := a.Appraisal(n.Code, 1); r1 != nil {
				it.Round1 = asmValueText(lang, n, r1.LeafValue)
			}
			if e := a.Entries[n.Code]; e != nil {
				it.Explanation = e.Explanation
			}
			d.Items = append(d.Items, it)
			agencies[f.Code+"/"+a.UnitCode] = true
		}
	}
	d.Agency = len(agencies)
	s.Render(c, http.StatusOK, "assessment_queue", "queue.title", d)
}

// asmSelfText is the agency's value of a leaf in words, metrics included
// by their names.
func asmSelfText(nm *kit.Names, a *assessment.Assessment, n *criteria.Node) string {
	lang := nm.Lang
	if assessment.LeafKind(n) != assessment.KindMetrics || a.SelfValue(n.Code).NotApplicable {
		return asmValueText(lang, n, a.SelfValue(n.Code))
	}
	var parts []string
	for _, m := range n.Metrics() {
		v := "–"
		if mv := a.Metrics[m]; mv != nil {
			v = kit.Points(lang, mv.Value)
		}
		parts = append(parts, nm.Metric(m)+" = "+v)
	}
	return strings.Join(parts, "; ")
}

// --- DoHA's progress --------------------------------------------------------

type asmAppraiserRow struct {
	Username, Name string
	Areas          []string
	Remaining      int
}

type asmAreaDiff struct {
	Code, Name, Max       string
	Agencies              int
	Self, Appraised, Diff string
	MeanDiff              string
	OverScored            bool
}

type asmDeadlineField struct {
	Stage, Label, Value string
}

type asmProgressData struct {
	Code, Name string
	Year       int
	Today      string
	Counts     []asmStateCount
	Agencies   []asmAgencyRow
	Appraisers []asmAppraiserRow
	Areas      []asmAreaDiff
	Deadlines  []asmDeadlineField
	Submitted  int
	Late       int
	Error      string
	Unassigned []string // areas with leaves to appraise and no appraiser
}

func (s *Server) asmProgressPage(c *gin.Context) {
	d, err := s.asmProgress(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_progress", "progress.title", d)
}

func (s *Server) asmProgress(c *gin.Context) (*asmProgressData, error) {
	ctx := c.Request.Context()
	lang := s.Lang(c)
	code := c.Param("fw")
	rec, _, err := s.db.AssessedFramework(ctx, code)
	if err != nil {
		return nil, err
	}
	sc, err := s.asmScoreFramework(ctx, code)
	if err != nil {
		return nil, err
	}
	f := sc.F
	d := &asmProgressData{Code: rec.Code, Name: rec.Name, Year: rec.Year, Today: s.assessmentToday().String()}
	due, err := s.db.Deadlines(ctx, code)
	if err != nil {
		return nil, err
	}
	for _, stage := range assessment.DeadlineStages {
		d.Deadlines = append(d.Deadlines, asmDeadlineField{Stage: stage, Label: kit.T(lang, "assess.stage."+stage), Value: due[stage].String()})
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
		row := s.asmAgencyRow(lang, a, f)
		selfRes, apprRes := sc.Self.Agency(a.UnitCode), sc.Appraised.Agency(a.UnitCode)
		if selfRes != nil {
			row.Self = asmPoints(lang, selfRes.Points)
		}
		if len(a.Appraisals) > 0 && apprRes != nil && selfRes != nil {
			row.Appraised = asmPoints(lang, apprRes.Points)
			row.Diff = asmPoints(lang, selfRes.Points-apprRes.Points)
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
		d.Counts = append(d.Counts, asmStateCount{State: asmStateName(lang, st), Code: string(st), N: progress.States[st]})
	}
	for _, area := range f.Nodes {
		ad := asmAreaDiff{Code: area.Code, Name: area.Name}
		if !area.Adjustment {
			ad.Max = kit.Points(lang, area.MaxPoints())
		}
		if sm := byArea[area.Code]; sm != nil && sm.n > 0 {
			diff := sm.self - sm.appraised
			ad.Agencies = sm.n
			ad.Self, ad.Appraised, ad.Diff = asmPoints(lang, sm.self), asmPoints(lang, sm.appraised), asmPoints(lang, diff)
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
		d.Appraisers = append(d.Appraisers, asmAppraiserRow{Username: l.User.Username, Name: l.User.DisplayName, Areas: l.Areas, Remaining: l.Remaining})
	}
	d.Unassigned = assessment.UnassignedAreas(f, loads)
	return d, nil
}

func (s *Server) asmSaveDeadlines(c *gin.Context) {
	code := c.Param("fw")
	reason := c.PostForm("reason")
	for _, stage := range assessment.DeadlineStages {
		raw := strings.TrimSpace(c.PostForm(stage))
		var due parindex.Date
		if raw != "" {
			var err error
			if due, err = parindex.ParseDate(raw); err != nil {
				s.asmProgressError(c, parindex.Errorf(parindex.ECodeInvalid, "Ngày %q không hợp lệ, cần dạng yyyy-mm-dd (bad date)", raw))
				return
			}
		}
		if err := s.db.SetDeadline(c.Request.Context(), kit.Actor(c), code, stage, due, reason); err != nil {
			s.asmProgressError(c, err)
			return
		}
	}
	s.SetFlash(c, "progress.deadlines_saved")
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}

func (s *Server) asmProgressError(c *gin.Context, err error) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.InternalError(c, err)
		return
	}
	d, perr := s.asmProgress(c)
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
func (s *Server) startAppraisalAll(c *gin.Context) {
	ctx := c.Request.Context()
	code := c.Param("fw")
	list, _, err := s.db.ListAssessments(ctx, code)
	if err != nil {
		s.Fail(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
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
			s.asmProgressError(c, err)
			return
		}
	}
	s.SetFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}
