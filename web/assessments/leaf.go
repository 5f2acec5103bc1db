package assessments

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/web/kit"
)

type leafData struct {
	Sheet      *sheetData
	Row        *sheetRow
	URL        string
	SheetURL   string
	Node       *criteria.Node
	Area       string
	Evidence   []*assessment.Evidence
	CanEdit    bool
	CanEvid    bool
	CanExplain bool
	Explain    bool // the leaf has a round-1 decision to explain
	CanAppr    bool
	Round      int
	ApprRound  *appraisalView // the decision of the open round, if any
	MaxSize    string
	Accept     string
	Error      string
	Comment    string
	Files      []fileView
	// The appraisal form starts from the value the open round decides on.
	ApprPoints, ApprAnswer string
	ApprNA                 bool
	ApprMetrics            []metricField
}

func (s *Handler) leafData(c *gin.Context, l *loaded, node string, posted *sheetRow, problems assessment.EntryErrors) (*leafData, bool) {
	n := l.F.Find(node)
	if n == nil || !n.IsLeaf() {
		s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such leaf"))
		return nil, false
	}
	var p map[string]*sheetRow
	if posted != nil {
		p = map[string]*sheetRow{node: posted}
	}
	sheet, err := s.buildSheet(c, l, p, problems)
	if err != nil {
		s.InternalError(c, err)
		return nil, false
	}
	u := kit.CurrentUser(c)
	d := &leafData{Sheet: sheet, URL: l.leafURL(node), SheetURL: l.url(), Node: n, Evidence: l.A.Evidence[node],
		CanEdit: l.mayEdit(u) && assessment.LeafKind(n) != assessment.KindSurvey, CanEvid: l.mayAddEvidence(u) && assessment.Appraisable(n),
		CanExplain: l.mayExplain(u), CanAppr: l.mayAppraise(u, node), Round: l.A.State.AppraisalRound(),
		MaxSize: kit.Points(s.Lang(c), float64(s.maxEvidence.Load())/(1<<20)),
		Accept:  "application/pdf,image/*,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp"}
	for _, r := range sheet.Rows {
		if r.Code == node {
			d.Row = r
		}
	}
	if a := l.F.Find(assessment.AreaOf(l.F, node)); a != nil {
		d.Area = a.Code + ". " + a.Name
	}
	d.Explain = l.A.Explainable(node)
	lang := s.Lang(c)
	for _, ev := range d.Evidence {
		d.Files = append(d.Files, fileView{ID: ev.ID, Name: ev.Name, Type: ev.ContentType, At: ev.UploadedAt, By: ev.UploadedBy,
			Size: fileSize(lang, ev.Size)})
	}
	if d.Round > 0 {
		nm, err := kit.NamesFor(c.Request.Context(), s.db, lang, nil)
		if err != nil {
			s.InternalError(c, err)
			return nil, false
		}
		d.ApprRound = appraisalViewOf(nm, n, l.A.Appraisal(node, d.Round))
		base := l.A.SelfValue(node)
		if d.Round == 2 {
			if r1 := l.A.Appraisal(node, 1); r1 != nil {
				base = r1.LeafValue
			}
		}
		if ap := l.A.Appraisal(node, d.Round); ap != nil {
			d.Comment = ap.Comment
			base = ap.LeafValue
		}
		d.ApprPoints, d.ApprNA = inputNumber(base.Points), base.NotApplicable
		if base.Answer != nil {
			d.ApprAnswer = map[bool]string{true: "yes", false: "no"}[*base.Answer]
		}
		for _, m := range n.Metrics() {
			mf := metricField{Name: m, Label: nm.Metric(m)}
			if mv := l.A.Metrics[m]; mv != nil {
				mf.Value = strconv.FormatFloat(mv.Effective(), 'f', -1, 64)
			}
			d.ApprMetrics = append(d.ApprMetrics, mf)
		}
	}
	return d, true
}

func (s *Handler) leafPage(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	d, ok := s.leafData(c, l, c.Param("node"), nil, nil)
	if !ok {
		return
	}
	s.Render(c, http.StatusOK, "assessment_leaf", "assess.leaf_title", d)
}

func (s *Handler) leafError(c *gin.Context, l *loaded, node string, status int, msg string, posted *sheetRow, problems assessment.EntryErrors) {
	if fresh, _, err := s.db.Assessment(c.Request.Context(), l.Ref); err == nil {
		l.A = fresh
	}
	d, ok := s.leafData(c, l, node, posted, problems)
	if !ok {
		return
	}
	d.Error = msg
	s.Render(c, status, "assessment_leaf", "assess.leaf_title", d)
}

func (s *Handler) leafSave(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	node := c.Param("node")
	n := l.F.Find(node)
	if n == nil || !n.IsLeaf() {
		s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such leaf"))
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.BadRequest(c, "error.bad_form")
		return
	}
	_, owners := metricOwners(l.F)
	// On the leaf's own page every metric it reads has an input.
	for _, m := range n.Metrics() {
		owners[m] = append([]string{node}, owners[m]...)
	}
	up, shown, problems, ok := readLeafForm(c, n, owners)
	if !ok {
		s.BadRequest(c, "error.bad_form")
		return
	}
	if len(problems) == 0 {
		_, err := s.db.SaveEntries(c.Request.Context(), kit.Actor(c), l.Ref, []assessment.EntryUpdate{up}, "")
		if err == nil {
			s.SetFlash(c, "assess.saved")
			c.Redirect(http.StatusSeeOther, l.leafURL(node))
			return
		}
		if !errors.As(err, &problems) {
			s.ShowError(c, err, func(status int, msg string) { s.leafError(c, l, node, status, msg, nil, nil) })
			return
		}
	}
	s.leafError(c, l, node, http.StatusBadRequest, i18n.N(s.Lang(c), "assess.invalid", len(problems)), shown, problems)
}

func (s *Handler) leafExplain(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	node := c.Param("node")
	s.leafDone(c, l, node, s.db.Explain(c.Request.Context(), kit.Actor(c), l.Ref, node, c.PostForm("explanation")), "assess.explained")
}

// leafAppraise records an appraiser's decision: "accept" keeps the score;
// otherwise the posted value, with a comment when it changes the score.
func (s *Handler) leafAppraise(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	node := c.Param("node")
	n := l.F.Find(node)
	if n == nil || !assessment.Appraisable(n) {
		s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such leaf"))
		return
	}
	if !s.Authorize(c, parindex.ActionAppraise, l.appraisalTarget(assessment.AreaOf(l.F, node))) {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.BadRequest(c, "error.bad_form")
		return
	}
	in := assessment.AppraisalInput{Node: node, Accept: c.PostForm("decision") == "accept", Comment: c.PostForm("comment")}
	if !in.Accept {
		_, value, nums, problems := readLeafValue(c.Request.PostForm, n, "", n.Metrics())
		if len(problems) > 0 {
			s.leafError(c, l, node, http.StatusBadRequest, kit.Pick(s.Lang(c), problems[0].VI, problems[0].EN), nil, nil)
			return
		}
		in.Value = value
		if assessment.LeafKind(n) == assessment.KindMetrics {
			in.Metrics = map[string]float64{}
			for m, x := range nums {
				if x != nil {
					in.Metrics[m] = *x
				}
			}
		}
	}
	if err := s.db.Appraise(c.Request.Context(), kit.Actor(c), l.Ref, in); err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.leafError(c, l, node, status, msg, nil, nil) })
		return
	}
	s.SetFlash(c, "assess.appraised_ok")
	if next := c.PostForm("next"); next == "queue" {
		c.Redirect(http.StatusSeeOther, "/app/appraisal")
		return
	}
	c.Redirect(http.StatusSeeOther, l.leafURL(node))
}

// acceptArea accepts every leaf of one area that waits for the appraiser.
func (s *Handler) acceptArea(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	area := c.PostForm("area")
	if !s.Authorize(c, parindex.ActionAppraise, l.appraisalTarget(area)) {
		return
	}
	var nodes []string
	for _, n := range l.F.Leaves() {
		if assessment.AreaOf(l.F, n.Code) == area {
			nodes = append(nodes, n.Code)
		}
	}
	if _, err := s.db.AcceptPending(c.Request.Context(), kit.Actor(c), l.Ref, nodes); err != nil {
		s.sheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.accepted_area")
	c.Redirect(http.StatusSeeOther, l.url())
}

// leafDone ends a change on a leaf's page: back to the leaf with a
// flash message when err is nil, the leaf page with the error otherwise (a
// clean 500 for internal errors).
func (s *Handler) leafDone(c *gin.Context, l *loaded, node string, err error, flashKey string) {
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.leafError(c, l, node, status, msg, nil, nil) })
		return
	}
	s.SetFlash(c, flashKey)
	c.Redirect(http.StatusSeeOther, l.leafURL(node))
}
