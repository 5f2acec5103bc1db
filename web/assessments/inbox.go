package assessments

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/i18n"
	"parindex/store"
	"parindex/web/kit"
)

// inboxItem is one thing that waits for the user.
type inboxItem struct {
	Text   string
	URL    string
	Due    string
	Urgent bool // a deadline within 7 days or passed
}

// inbox lists what waits for the user across the published frameworks
// (assessment.Cycle.Work), urgent first, in the reader's language with
// frameworks named by their names, never their codes.
func (s *Handler) inbox(c *gin.Context, cycles []assessment.Cycle) []inboxItem {
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	var tasks []assessment.Task
	for _, cycle := range cycles {
		tasks = append(tasks, cycle.Work(u)...)
	}
	assessment.UrgentFirst(tasks)
	out := make([]inboxItem, len(tasks))
	for i, t := range tasks {
		out[i] = taskItem(lang, t)
		if !t.Due.IsZero() {
			out[i].Due = s.clock.FormatDate(t.Due)
			out[i].Urgent = t.Urgent
		}
	}
	return out
}

// cyclesInView loads each published framework's cycle (its assessments,
// deadlines and the year's system metrics), in the order of recs, which it
// returns with the units' targets. The assessments list reads them once
// for its inbox and its tables: loading a framework's assessments is the
// page's main cost.
func (s *Handler) cyclesInView(ctx context.Context) ([]*store.FrameworkRecord, []assessment.Cycle, map[string]parindex.Target, error) {
	recs, targets, err := s.frameworksInView(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cycles := make([]assessment.Cycle, len(recs))
	for i, rec := range recs {
		if cycles[i], err = s.cycle(ctx, rec.Code, targets); err != nil {
			return nil, nil, nil, err
		}
		if cycles[i].System, err = s.db.YearMetrics(ctx, cycles[i].Framework.Year); err != nil {
			return nil, nil, nil, err
		}
	}
	return recs, cycles, targets, nil
}

// taskItem is a task in the reader's language, with its link.
func taskItem(lang string, t assessment.Task) inboxItem {
	fw := t.Framework.Name
	if a := t.Assessment; a != nil {
		link := sheetURL(a.Framework, a.UnitCode)
		switch t.Kind {
		case assessment.TaskLocked:
			return inboxItem{URL: link, Text: kit.T(lang, "inbox.locked", a.UnitName, fw)}
		case assessment.TaskSubmit:
			return inboxItem{URL: link, Text: kit.T(lang, "inbox.submit", a.UnitName, fw)}
		case assessment.TaskSelfAssess:
			return inboxItem{URL: link, Text: i18n.N(lang, "inbox.self", t.Count, a.UnitName, fw, t.Count)}
		case assessment.TaskExplain:
			return inboxItem{URL: link, Text: kit.T(lang, "inbox.explain", a.UnitName, fw, t.Count)}
		case assessment.TaskAppraise:
			return inboxItem{URL: link, Text: i18n.N(lang, "inbox.appraise", t.Count, t.Count, a.UnitName, t.Round)}
		}
	}
	admin := "/admin/assessments/" + url.PathEscape(t.Framework.Code)
	switch t.Kind {
	case assessment.TaskStartAppraisal:
		return inboxItem{URL: admin, Text: i18n.N(lang, "inbox.start", t.Count, t.Count, fw)}
	case assessment.TaskSendResults:
		return inboxItem{URL: admin, Text: i18n.N(lang, "inbox.send", t.Count, t.Count, fw)}
	case assessment.TaskFinalise:
		return inboxItem{URL: admin, Text: i18n.N(lang, "inbox.finalise", t.Count, t.Count, fw)}
	}
	return inboxItem{URL: admin, Text: kit.T(lang, "inbox.deadline", kit.T(lang, "assess.stage."+t.Stage), fw)}
}

// cycle loads a published framework's assessments as the model's
// rules about pending work read them, on the server's today.
func (s *Handler) cycle(ctx context.Context, framework string, targets map[string]parindex.Target) (assessment.Cycle, error) {
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

func (s *Handler) inboxPage(c *gin.Context) {
	_, cycles, _, err := s.cyclesInView(c.Request.Context())
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_inbox", "inbox.title", s.inbox(c, cycles))
}
