package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/store"
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
	u := currentUser(c)
	lang := s.lang(c)
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d := asmIndexData{Appraiser: parindex.CanAny(u, parindex.ActionAppraise)}
	if d.Inbox, err = s.asmInbox(c); err != nil {
		s.internalError(c, err)
		return
	}
	for _, rec := range recs {
		list, f, err := s.db.ListAssessments(ctx, rec.Code)
		if err != nil {
			s.internalError(c, err)
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
	s.render(c, http.StatusOK, "assessment_index", "assess.list_title", d)
}

func (s *Server) asmAgencyRow(lang string, a *assessment.Assessment, f *criteria.Framework) asmAgencyRow {
	r := asmAgencyRow{Unit: a.UnitCode, Name: a.UnitName, State: asmStateName(lang, a.State), StateCode: string(a.State),
		URL: asmURL(a.Framework, a.UnitCode), Locked: a.Locked, SubmittedAt: a.SubmittedAt, Pending: len(a.PendingLeaves(f))}
	if !a.Deadline.IsZero() {
		r.Deadline = s.clock.FormatDate(a.Deadline)
		// Late: an agency whose sheet locked (not reopened), or a round
		// whose deadline passed with leaves still waiting.
		r.Late = a.Locked || (a.State.AppraisalRound() > 0 && a.Deadline.Before(s.assessmentToday()) && r.Pending > 0)
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

// asmWithin7 says whether a deadline falls within the next 7 days (or has
// passed), the window in which the inbox warns.
func asmWithin7(due, today parindex.Date) bool {
	return !due.IsZero() && due.Before(today.AddDays(8))
}

// asmInbox lists what waits for the user across the published frameworks:
// leaves to appraise, comments to answer, sheets to submit, stages to move
// on (DoHA) and deadlines within 7 days.
func (s *Server) asmInbox(c *gin.Context) ([]asmInboxItem, error) {
	ctx := c.Request.Context()
	u := currentUser(c)
	lang := s.lang(c)
	today := s.assessmentToday()
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		return nil, err
	}
	manage := parindex.Can(u, parindex.ActionManageAssessments, parindex.Target{})
	var out []asmInboxItem
	// The day that counts for an agency: its stage's deadline, or the day
	// DoHA reopened it until.
	agencyDue := func(a *assessment.Assessment) parindex.Date {
		if a.Deadline.Before(a.ReopenedUntil) {
			return a.ReopenedUntil
		}
		return a.Deadline
	}
	// text is the item in the reader's language, the framework named by
	// its name, never its code.
	add := func(due parindex.Date, url, text string) {
		it := asmInboxItem{Text: text, URL: url}
		if !due.IsZero() {
			it.Due = s.clock.FormatDate(due)
			it.Urgent = asmWithin7(due, today)
		}
		out = append(out, it)
	}
	for _, rec := range recs {
		list, f, err := s.db.ListAssessments(ctx, rec.Code)
		if err != nil {
			return nil, err
		}
		system, err := s.db.YearMetrics(ctx, f.Year)
		if err != nil {
			return nil, err
		}
		due, err := s.db.Deadlines(ctx, rec.Code)
		if err != nil {
			return nil, err
		}
		var submitted, toSend, toFinalise int
		for _, a := range list {
			t := targets[a.UnitCode]
			link := asmURL(a.Framework, a.UnitCode)
			switch {
			case parindex.Can(u, parindex.ActionEditAssessment, t):
				switch {
				case a.State == assessment.StateDraft && a.Locked:
					add(a.Deadline, link, translate(lang, "inbox.locked", a.UnitName, rec.Name))
				case a.State == assessment.StateDraft:
					left := len(a.Unscored(f, system[a.UnitCode]))
					if parindex.Can(u, parindex.ActionSubmitAssessment, t) && left == 0 {
						add(agencyDue(a), link, translate(lang, "inbox.submit", a.UnitName, rec.Name))
					} else if asmWithin7(agencyDue(a), today) || left > 0 {
						add(agencyDue(a), link, i18n.N(lang, "inbox.self", left, a.UnitName, rec.Name, left))
					}
				case a.State == assessment.StateExplanation && !a.Locked:
					var open int
					for _, n := range f.Leaves() {
						r1 := a.Appraisal(n.Code, 1)
						if r1 != nil && (r1.Decision == assessment.DecisionAdjusted || r1.Comment != "") && !a.Explained(n.Code) {
							open++
						}
					}
					add(agencyDue(a), link, translate(lang, "inbox.explain", a.UnitName, rec.Name, open))
				}
			}
			if round := a.State.AppraisalRound(); round > 0 {
				var mine int
				for _, node := range a.PendingLeaves(f) {
					if parindex.Can(u, parindex.ActionAppraise, parindex.AppraisalTarget(t, f.Code, assessment.AreaOf(f, node))) {
						mine++
					}
				}
				if mine > 0 {
					add(a.Deadline, link, i18n.N(lang, "inbox.appraise", mine, mine, a.UnitName, round))
				}
			}
			// DoHA's counts leave out the units the policy keeps from this
			// user (an agency role of theirs: another administrator moves them).
			if !parindex.Can(u, parindex.ActionManageAssessments, t) {
				continue
			}
			switch a.State {
			case assessment.StateSubmitted:
				submitted++
			case assessment.StateAppraisal1:
				if len(a.PendingLeaves(f)) == 0 {
					toSend++
				}
			case assessment.StateAppraisal2:
				if len(a.PendingLeaves(f)) == 0 {
					toFinalise++
				}
			}
		}
		if manage {
			admin := "/admin/assessments/" + url.PathEscape(rec.Code)
			if submitted > 0 {
				add(parindex.Date{}, admin, i18n.N(lang, "inbox.start", submitted, submitted, rec.Name))
			}
			if toSend > 0 {
				add(parindex.Date{}, admin, i18n.N(lang, "inbox.send", toSend, toSend, rec.Name))
			}
			if toFinalise > 0 {
				add(parindex.Date{}, admin, i18n.N(lang, "inbox.finalise", toFinalise, toFinalise, rec.Name))
			}
			for _, stage := range assessment.DeadlineStages {
				if d := due[stage]; !d.IsZero() && !d.Before(today) && asmWithin7(d, today) {
					add(d, admin, translate(lang, "inbox.deadline", translate(lang, "assess.stage."+stage), rec.Name))
				}
			}
		}
	}
	// Urgent first, then in the order found.
	slices.SortStableFunc(out, func(a, b asmInboxItem) int {
		switch {
		case a.Urgent && !b.Urgent:
			return -1
		case b.Urgent && !a.Urgent:
			return 1
		}
		return 0
	})
	return out, nil
}

func (s *Server) asmInboxPage(c *gin.Context) {
	items, err := s.asmInbox(c)
	if err != nil {
		s.internalError(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessment_inbox", "inbox.title", items)
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
	u := currentUser(c)
	lang := s.lang(c)
	recs, err := s.asmPublishedFrameworks(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	d := asmQueueData{}
	for _, g := range u.Grants {
		if g.Role == parindex.RoleAppraiser {
			fw := g.FrameworkName
			if g.Framework == "" {
				fw = translate(lang, "assess.any_framework")
			} else if fw == "" {
				fw = g.Framework
			}
			d.Areas = append(d.Areas, fw+" · "+translate(lang, "role.area")+" "+g.Area)
		}
	}
	agencies := map[string]bool{}
	for _, rec := range recs {
		list, f, err := s.db.ListAssessments(ctx, rec.Code)
		if err != nil {
			s.internalError(c, err)
			return
		}
		nm, err := s.namesFor(ctx, lang, f)
		if err != nil {
			s.internalError(c, err)
			return
		}
		for _, a := range list {
			round := a.State.AppraisalRound()
			for _, node := range a.PendingLeaves(f) {
				if !parindex.Can(u, parindex.ActionAppraise, parindex.AppraisalTarget(targets[a.UnitCode], f.Code, assessment.AreaOf(f, node))) {
					continue
				}
				n := f.Find(node)
				it := asmQueueItem{Framework: f.Code, Unit: a.UnitCode, UnitName: a.UnitName, Round: round, Code: node, Name: n.Name,
					Self: asmSelfText(nm, a, n), URL: asmURL(f.Code, a.UnitCode) + "/leaf/" + url.PathEscape(node),
					Evidence: len(a.Evidence[node])}
				if r1 := a.Appraisal(node, 1); r1 != nil {
					it.Round1 = asmValueText(lang, n, r1.LeafValue)
				}
				if e := a.Entries[node]; e != nil {
					it.Explanation = e.Explanation
				}
				d.Items = append(d.Items, it)
				agencies[f.Code+"/"+a.UnitCode] = true
			}
		}
	}
	d.Agency = len(agencies)
	s.render(c, http.StatusOK, "assessment_queue", "queue.title", d)
}

// asmSelfText is the agency's value of a leaf in words, metrics included
// by their names.
func asmSelfText(nm *names, a *assessment.Assessment, n *criteria.Node) string {
	lang := nm.lang
	if assessment.LeafKind(n) != assessment.KindMetrics || a.SelfValue(n.Code).NotApplicable {
		return asmValueText(lang, n, a.SelfValue(n.Code))
	}
	var parts []string
	for _, m := range n.Metrics() {
		v := "–"
		if mv := a.Metrics[m]; mv != nil {
			v = points(lang, mv.Value)
		}
		parts = append(parts, nm.metric(m)+" = "+v)
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
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessment_progress", "progress.title", d)
}

func (s *Server) asmProgress(c *gin.Context) (*asmProgressData, error) {
	ctx := c.Request.Context()
	lang := s.lang(c)
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
		d.Deadlines = append(d.Deadlines, asmDeadlineField{Stage: stage, Label: translate(lang, "assess.stage."+stage), Value: due[stage].String()})
	}
	counts := map[assessment.State]int{}
	type sums struct {
		self, appraised float64
		n               int
	}
	byArea := map[string]*sums{}
	pendingByArea := map[string]int{}
	for _, a := range sc.List {
		counts[a.State]++
		row := s.asmAgencyRow(lang, a, f)
		if row.Late {
			d.Late++
		}
		if a.State != assessment.StateDraft {
			d.Submitted++
		}
		selfRes, apprRes := sc.Self.Agency(a.UnitCode), sc.Appraised.Agency(a.UnitCode)
		if selfRes != nil {
			row.Self = asmPoints(lang, selfRes.Points)
		}
		if len(a.Appraisals) > 0 && apprRes != nil && selfRes != nil {
			row.Appraised = asmPoints(lang, apprRes.Points)
			row.Diff = asmPoints(lang, selfRes.Points-apprRes.Points)
			for _, area := range f.Nodes {
				decided := false
				for _, n := range (&criteria.Framework{Nodes: []*criteria.Node{area}}).Leaves() {
					if a.Appraisal(n.Code, 1) != nil {
						decided = true
						break
					}
				}
				if !decided {
					continue
				}
				sn, _ := selfRes.Node(area.Code)
				an, _ := apprRes.Node(area.Code)
				if byArea[area.Code] == nil {
					byArea[area.Code] = &sums{}
				}
				byArea[area.Code].self += sn.Points
				byArea[area.Code].appraised += an.Points
				byArea[area.Code].n++
			}
		}
		for _, node := range a.PendingLeaves(f) {
			pendingByArea[assessment.AreaOf(f, node)]++
		}
		d.Agencies = append(d.Agencies, row)
	}
	for _, st := range assessment.States {
		d.Counts = append(d.Counts, asmStateCount{State: asmStateName(lang, st), Code: string(st), N: counts[st]})
	}
	for _, area := range f.Nodes {
		ad := asmAreaDiff{Code: area.Code, Name: area.Name}
		if !area.Adjustment {
			ad.Max = points(lang, area.MaxPoints())
		}
		if sm := byArea[area.Code]; sm != nil && sm.n > 0 {
			diff := sm.self - sm.appraised
			ad.Agencies = sm.n
			ad.Self, ad.Appraised, ad.Diff = asmPoints(lang, sm.self), asmPoints(lang, sm.appraised), asmPoints(lang, diff)
			ad.MeanDiff = formatNumber(lang, diff/float64(sm.n), 2)
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
	for _, u := range users {
		if u.Disabled {
			continue
		}
		r := asmAppraiserRow{Username: u.Username, Name: u.DisplayName}
		for _, g := range u.Grants {
			if g.Role != parindex.RoleAppraiser || (g.Framework != "" && g.Framework != code) || slices.Contains(r.Areas, g.Area) {
				continue
			}
			r.Areas = append(r.Areas, g.Area)
			r.Remaining += pendingByArea[g.Area]
		}
		if len(r.Areas) > 0 {
			d.Appraisers = append(d.Appraisers, r)
		}
	}
	for _, area := range f.Nodes {
		covered := false
		for _, r := range d.Appraisers {
			covered = covered || slices.Contains(r.Areas, area.Code)
		}
		appraisable := false
		for _, n := range (&criteria.Framework{Nodes: []*criteria.Node{area}}).Leaves() {
			appraisable = appraisable || assessment.Appraisable(n)
		}
		if appraisable && !covered {
			d.Unassigned = append(d.Unassigned, area.Code)
		}
	}
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
		if err := s.db.SetDeadline(c.Request.Context(), actor(c), code, stage, due, reason); err != nil {
			s.asmProgressError(c, err)
			return
		}
	}
	s.setFlash(c, "progress.deadlines_saved")
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}

func (s *Server) asmProgressError(c *gin.Context, err error) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.internalError(c, err)
		return
	}
	d, perr := s.asmProgress(c)
	if perr != nil {
		s.fail(c, perr)
		return
	}
	d.Error = parindex.ErrorMessage(err)
	s.render(c, HTTPStatus(err), "assessment_progress", "progress.title", d)
}

// startAppraisalAll opens round 1 for every submitted agency at once,
// except those the policy keeps from the user (a unit they hold an agency
// role on), which stay submitted for another administrator.
func (s *Server) startAppraisalAll(c *gin.Context) {
	ctx := c.Request.Context()
	code := c.Param("fw")
	list, _, err := s.db.ListAssessments(ctx, code)
	if err != nil {
		s.fail(c, err)
		return
	}
	targets, err := s.asmUnitTargets(ctx)
	if err != nil {
		s.internalError(c, err)
		return
	}
	u := currentUser(c)
	flash := "progress.started"
	for _, a := range list {
		if a.State != assessment.StateSubmitted {
			continue
		}
		if !parindex.Can(u, assessment.TransitionStartAppraisal.Action(), targets[a.UnitCode]) {
			flash = "progress.started_not_own"
			continue
		}
		if _, err := s.db.Transition(ctx, actor(c), a.Ref(), assessment.TransitionStartAppraisal, c.PostForm("reason")); err != nil {
			s.asmProgressError(c, err)
			return
		}
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/admin/assessments/"+url.PathEscape(code))
}
