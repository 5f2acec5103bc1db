package assessments

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/web/kit"
)

type agencyRow struct {
	Unit, Name, State, StateCode string
	URL                          string
	Deadline                     string
	Locked, Late                 bool
	ReopenedUntil                string
	SubmittedAt                  time.Time
	Pending                      int
	Self, Appraised, Diff        string
}

type stateCount struct {
	State string
	Code  string
	N     int
}

type frameworkList struct {
	Code, Name string
	Year       int
	Agencies   []agencyRow
	Counts     []stateCount
	CanManage  bool
}

type indexData struct {
	Inbox      []inboxItem
	Frameworks []frameworkList
	Appraiser  bool
}

func (s *Handler) assessmentsPage(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	recs, cycles, targets, err := s.cyclesInView(ctx)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := indexData{Appraiser: parindex.CanAny(u, parindex.ActionAppraise), Inbox: s.inbox(c, cycles)}
	for i, rec := range recs {
		list, f := cycles[i].Assessments, cycles[i].Framework
		fa := frameworkList{Code: rec.Code, Name: rec.Name, Year: rec.Year, CanManage: parindex.Can(u, parindex.ActionManageAssessments, parindex.Target{})}
		counts := map[assessment.State]int{}
		for _, a := range list {
			if !parindex.Can(u, parindex.ActionViewUnit, targets[a.UnitCode]) {
				continue
			}
			counts[a.State]++
			fa.Agencies = append(fa.Agencies, s.agencyRow(lang, a, f))
		}
		if len(fa.Agencies) == 0 {
			continue
		}
		for _, st := range assessment.States {
			if counts[st] > 0 {
				fa.Counts = append(fa.Counts, stateCount{State: stateName(lang, st), Code: string(st), N: counts[st]})
			}
		}
		d.Frameworks = append(d.Frameworks, fa)
	}
	s.Render(c, http.StatusOK, "assessment_index", "assess.list_title", d)
}

func (s *Handler) agencyRow(lang string, a *assessment.Assessment, f *criteria.Framework) agencyRow {
	r := agencyRow{Unit: a.UnitCode, Name: a.UnitName, State: stateName(lang, a.State), StateCode: string(a.State),
		URL: sheetURL(a.Framework, a.UnitCode), Locked: a.Locked, SubmittedAt: a.SubmittedAt, Pending: len(a.PendingLeaves(f))}
	if !a.Deadline.IsZero() {
		r.Deadline = s.clock.FormatDate(a.Deadline)
		r.Late = a.Late(f, s.assessmentToday())
	}
	if !a.ReopenedUntil.IsZero() {
		r.ReopenedUntil = s.clock.FormatDate(a.ReopenedUntil)
	}
	return r
}
