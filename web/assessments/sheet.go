package assessments

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/web/kit"
)

// An agency's sheet (assessment_sheet.html): every leaf with its
// self-assessed, appraised and final values and live points, saved in one
// form.

type appraisalView struct {
	Round     int
	Decision  string
	Value     string
	Metrics   string
	Comment   string
	Appraiser string
	At        time.Time
}

func appraisalViewOf(nm *kit.Names, n *criteria.Node, ap *assessment.Appraisal) *appraisalView {
	if ap == nil {
		return nil
	}
	lang := nm.Lang
	v := &appraisalView{Round: ap.Round, Decision: kit.T(lang, "assess.decision."+ap.Decision), Comment: ap.Comment,
		Appraiser: ap.Appraiser, At: ap.At, Value: valueText(lang, n, ap.LeafValue)}
	if len(ap.Metrics) > 0 {
		var parts []string
		for _, m := range n.Metrics() {
			if x, ok := ap.Metrics[m]; ok {
				parts = append(parts, nm.Metric(m)+" = "+kit.Points(lang, x))
			}
		}
		v.Metrics = strings.Join(parts, "; ")
	}
	return v
}

// metricField is one metric input of a leaf. A metric read by several
// leaves is entered on the first; the others show its value.
type metricField struct {
	Name      string
	Label     string
	Value     string
	Shown     string
	Appraised string
	Owner     bool
	OwnerLeaf string
}

type sheetRow struct {
	Code, Name, Description string
	Depth                   int
	Group, Area, Leaf       bool
	Kind                    string
	Max                     string
	MaxInput, Step          string
	Method                  string
	Params                  []string
	Points                  string
	Answer                  string // "yes", "no" or ""
	NA                      bool
	Note                    string
	Metrics                 []metricField
	SelfPoints              string
	AppraisedPoints         string
	Status                  string
	Survey                  string // survey leaves: the current figure
	Self                    string // the self value in words
	R1, R2                  *appraisalView
	Explanation             string
	Evidence                int
	Pending                 bool
	CanAppraise             bool
	Errors                  []string
	URL                     string
	// the live computation (assessment.js)
	LiveMethod, LiveMax, LiveTarget, LiveTiers, LivePerUnit, LiveNum, LiveDen, LiveMetric string
}

type areaTotal struct {
	Code, Name, Max, Self, Appraised, Diff string
}

type transitionView struct {
	Name, Label, Help string
	NeedsReason       bool
}

type sheetData struct {
	A              *assessment.Assessment
	F              *criteria.Framework
	URL            string
	State          string
	Deadline       string
	Locked         bool
	ReopenedUntil  string
	Rows           []*sheetRow
	Areas          []areaTotal
	TotalMax       string
	SelfTotal      string
	SelfIndex      string
	SelfBand       string
	AppraisedTotal string
	AppraisedIndex string
	AppraisedBand  string
	HasAppraisal   bool
	CanEdit        bool
	CanExplain     bool
	CanManage      bool
	CanUpload      bool
	Round          int
	Pending        int
	MyPending      int
	AcceptAreas    []areaTotal
	Transitions    []transitionView
	Error          string
	ErrorCount     int
	Today          string
	ReopenMin      string
}

// buildSheet lays out the sheet of one assessment; posted (may be nil)
// holds the values of a refused save, shown again with their errors.
func (s *Handler) buildSheet(c *gin.Context, l *loaded, posted map[string]*sheetRow, problems assessment.EntryErrors) (*sheetData, error) {
	ctx := c.Request.Context()
	lang := s.Lang(c)
	u := kit.CurrentUser(c)
	sc, err := s.scoreFramework(ctx, l.Ref.Framework)
	if err != nil {
		return nil, err
	}
	// The list has the same assessment, read at the same moment as the sheet.
	for _, a := range sc.List {
		if a.UnitCode == l.A.UnitCode {
			l.A = a
		}
	}
	a, f := l.A, l.F
	nm, err := kit.NamesFor(ctx, s.db, lang, f)
	if err != nil {
		return nil, err
	}
	d := &sheetData{A: a, F: f, URL: l.url(), State: stateName(lang, a.State), Locked: a.Locked,
		CanEdit: l.mayEdit(u), CanExplain: l.mayExplain(u), Round: a.State.AppraisalRound(),
		CanManage: parindex.Can(u, parindex.ActionManageAssessments, l.Target), TotalMax: kit.Points(lang, f.TotalMax()),
		Today: s.assessmentToday().String(), ReopenMin: s.assessmentToday().String()}
	d.CanUpload = d.CanEdit
	if !a.Deadline.IsZero() {
		d.Deadline = s.clock.FormatDate(a.Deadline)
	}
	if !a.ReopenedUntil.IsZero() {
		d.ReopenedUntil = s.clock.FormatDate(a.ReopenedUntil)
	}
	selfRes, apprRes := sc.Self.Agency(a.UnitCode), sc.Appraised.Agency(a.UnitCode)
	d.HasAppraisal = len(a.Appraisals) > 0
	if selfRes != nil {
		d.SelfTotal = points(lang, selfRes.Points)
		d.SelfIndex, d.SelfBand = formatIndex(lang, f, selfRes)
	}
	if apprRes != nil {
		d.AppraisedTotal = points(lang, apprRes.Points)
		d.AppraisedIndex, d.AppraisedBand = formatIndex(lang, f, apprRes)
	}
	byNode := map[string][]string{}
	for _, p := range problems {
		key := p.Node
		byNode[key] = append(byNode[key], kit.Pick(lang, p.VI, p.EN))
	}
	d.ErrorCount = len(problems)
	pending := a.PendingLeaves(f)
	d.Pending = len(pending)
	_, users := metricOwners(f)
	myAreas := map[string]bool{}
	f.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		row := &sheetRow{Code: n.Code, Name: n.Name, Description: n.Description, Depth: len(ancestors), Group: !n.IsLeaf(),
			Area: len(ancestors) == 0, Leaf: n.IsLeaf(), URL: l.leafURL(n.Code)}
		if !f.InAdjustment(n.Code) {
			row.Max = kit.Points(lang, n.MaxPoints())
		}
		row.SelfPoints, _ = nodePoints(lang, sc.Self, a.UnitCode, n.Code)
		var status scoring.NodeStatus
		row.AppraisedPoints, status = nodePoints(lang, sc.Appraised, a.UnitCode, n.Code)
		if n.IsLeaf() {
			s.fillLeafRow(nm, row, l, n, users)
			if n.Method == criteria.MethodSurvey {
				row.Survey = surveyText(lang, sc.Self, a.UnitCode, n)
			}
			if status == scoring.StatusMissing || status == scoring.StatusExcluded || status == scoring.StatusNotApplicable {
				row.Status = kit.T(lang, "assess.status."+status.String())
			}
			row.Pending = slices.Contains(pending, n.Code)
			row.CanAppraise = l.mayAppraise(u, n.Code)
			if row.Pending && row.CanAppraise {
				d.MyPending++
				myAreas[assessment.AreaOf(f, n.Code)] = true
			}
			if p, ok := posted[n.Code]; ok {
				row.Points, row.Answer, row.NA, row.Note = p.Points, p.Answer, p.NA, p.Note
				for i := range row.Metrics {
					for _, pm := range p.Metrics {
						if pm.Name == row.Metrics[i].Name && row.Metrics[i].Owner {
							row.Metrics[i].Value = pm.Value
						}
					}
				}
			}
			row.Errors = byNode[n.Code]
		}
		d.Rows = append(d.Rows, row)
		return true
	})
	for _, area := range f.Nodes {
		t := areaTotal{Code: area.Code, Name: area.Name}
		if !area.Adjustment {
			t.Max = kit.Points(lang, area.MaxPoints())
		}
		var selfPts, apprPts float64
		if selfRes != nil {
			if n, ok := selfRes.Node(area.Code); ok {
				selfPts = n.Points
				t.Self = points(lang, n.Points)
			}
		}
		if apprRes != nil && d.HasAppraisal {
			if n, ok := apprRes.Node(area.Code); ok {
				apprPts = n.Points
				t.Appraised = points(lang, n.Points)
				t.Diff = points(lang, selfPts-apprPts)
			}
		}
		d.Areas = append(d.Areas, t)
		if myAreas[area.Code] {
			d.AcceptAreas = append(d.AcceptAreas, t)
		}
	}
	for _, tr := range assessment.Transitions {
		if tr.From() != a.State || !parindex.Can(u, tr.Action(), l.Target) {
			continue
		}
		d.Transitions = append(d.Transitions, transitionView{Name: string(tr), Label: kit.T(lang, "assess.tr."+string(tr)),
			Help: kit.T(lang, "assess.tr_help."+string(tr)), NeedsReason: tr == assessment.TransitionReturn})
	}
	return d, nil
}

// metricOwners says, per metric, the leaves that read it (the first owns
// its input).
func metricOwners(f *criteria.Framework) ([]string, map[string][]string) {
	users := map[string][]string{}
	var names []string
	for _, n := range f.Leaves() {
		for _, m := range n.Metrics() {
			if len(users[m]) == 0 {
				names = append(names, m)
			}
			users[m] = append(users[m], n.Code)
		}
	}
	return names, users
}

func (s *Handler) fillLeafRow(nm *kit.Names, row *sheetRow, l *loaded, n *criteria.Node, users map[string][]string) {
	lang := nm.Lang
	a := l.A
	row.Kind = assessment.LeafKind(n)
	row.Method = kit.T(lang, "criteria.method."+string(n.Method))
	row.Params = nm.MethodParams(n)
	v := a.SelfValue(n.Code)
	row.Self = valueText(lang, n, v)
	row.Points = inputNumber(v.Points)
	if v.Answer != nil {
		row.Answer = map[bool]string{true: "yes", false: "no"}[*v.Answer]
	}
	row.NA = v.NotApplicable
	if e := a.Entries[n.Code]; e != nil {
		row.Note, row.Explanation = e.Note, e.Explanation
	}
	row.R1 = appraisalViewOf(nm, n, a.Appraisal(n.Code, 1))
	row.R2 = appraisalViewOf(nm, n, a.Appraisal(n.Code, 2))
	row.Evidence = len(a.Evidence[n.Code])
	max := n.MaxPoints()
	row.Step = strconv.FormatFloat(n.InputStep(), 'f', -1, 64)
	row.LiveMethod = string(n.Method)
	row.LiveMax = strconv.FormatFloat(max, 'f', -1, 64)
	if n.Method.IsAdjustment() {
		row.MaxInput = strconv.FormatFloat(n.Cap, 'f', -1, 64)
		row.Step = "any"
	} else {
		row.MaxInput = row.LiveMax
	}
	switch n.Method {
	case criteria.MethodRatio:
		row.LiveTarget = strconv.FormatFloat(n.RatioTarget(), 'f', -1, 64)
		row.LiveNum, row.LiveDen = n.Numerator, n.Denominator
	case criteria.MethodTiers:
		var parts []string
		for _, t := range n.Tiers {
			parts = append(parts, strconv.FormatFloat(t.Min, 'f', -1, 64)+":"+strconv.FormatFloat(t.Points, 'f', -1, 64))
		}
		row.LiveTiers = strings.Join(parts, ";")
		row.LiveNum, row.LiveDen = n.Numerator, n.Denominator
	case criteria.MethodCount:
		row.LivePerUnit = strconv.FormatFloat(n.PerUnit, 'f', -1, 64)
		row.LiveMetric = n.Metric
	}
	for _, m := range n.Metrics() {
		mf := metricField{Name: m, Label: nm.Metric(m), Owner: users[m][0] == n.Code, OwnerLeaf: users[m][0]}
		if mv := a.Metrics[m]; mv != nil {
			mf.Value = strconv.FormatFloat(mv.Value, 'f', -1, 64)
			mf.Shown = kit.Points(lang, mv.Value)
			if mv.Appraised != nil {
				mf.Appraised = kit.Points(lang, *mv.Appraised)
			}
		}
		row.Metrics = append(row.Metrics, mf)
	}
}

func (s *Handler) sheetPage(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	d, err := s.buildSheet(c, l, nil, nil)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_sheet", "assess.title", d)
}

// readLeafForm reads one leaf of the sheet's or the leaf page's form (fields suffixed with
// "."+code); ok is false when the form does not carry the leaf at all.
// Only the metrics the leaf owns on the sheet are read.
func readLeafForm(c *gin.Context, n *criteria.Node, owners map[string][]string) (up assessment.EntryUpdate, shown *sheetRow, problems assessment.EntryErrors, ok bool) {
	form := c.Request.PostForm
	if _, present := form["note."+n.Code]; !present {
		return up, nil, nil, false
	}
	var owned []string
	for _, m := range n.Metrics() {
		if owners[m][0] == n.Code {
			owned = append(owned, m)
		}
	}
	shown, up.Value, up.Metrics, problems = readLeafValue(form, n, "."+n.Code, owned)
	up.Node, up.Note = n.Code, form.Get("note."+n.Code)
	shown.Note = up.Note
	return up, shown, problems, true
}

// readLeafValue reads what a form says of a leaf's value, once for the
// sheet and the appraisal form: the fields na<sfx>, p<sfx>, a<sfx> and
// m.<metric> for each of metrics present in the form (sfx is "."+code on
// the sheet, where many leaves share a form, and "" on a leaf's appraisal
// form). A metric sent empty is nil: cleared. Text that is not a number is
// a problem, named by field.
func readLeafValue(form url.Values, n *criteria.Node, sfx string, metrics []string) (shown *sheetRow, v assessment.LeafValue, nums map[string]*float64, problems assessment.EntryErrors) {
	shown = &sheetRow{Code: n.Code, NA: form.Get("na"+sfx) != ""}
	v.NotApplicable = shown.NA
	switch assessment.LeafKind(n) {
	case assessment.KindPoints:
		shown.Points = strings.TrimSpace(form.Get("p" + sfx))
		if shown.Points != "" {
			x, err := parseDecimal(shown.Points)
			if err != nil {
				problems = append(problems, assessment.EntryError{Node: n.Code, Field: "points",
					VI: fmt.Sprintf("điểm %q không phải là một số", shown.Points), EN: fmt.Sprintf("points %q are not a number", shown.Points)})
			} else if !shown.NA {
				v.Points = &x
			}
		}
	case assessment.KindAnswer:
		shown.Answer = form.Get("a" + sfx)
		if !shown.NA {
			switch shown.Answer {
			case "yes":
				v.Answer = boolPtr(true)
			case "no":
				v.Answer = boolPtr(false)
			}
		}
	case assessment.KindMetrics:
		for _, m := range metrics {
			raw, present := form["m."+m]
			if !present {
				continue
			}
			value := strings.TrimSpace(raw[0])
			shown.Metrics = append(shown.Metrics, metricField{Name: m, Value: value})
			if nums == nil {
				nums = map[string]*float64{}
			}
			if value == "" {
				nums[m] = nil
				continue
			}
			x, err := parseDecimal(value)
			if err != nil {
				problems = append(problems, assessment.EntryError{Node: n.Code, Metric: m, Field: "metric",
					VI: fmt.Sprintf("số liệu %s: %q không phải là một số", m, value), EN: fmt.Sprintf("metric %s: %q is not a number", m, value)})
				continue
			}
			nums[m] = &x
		}
	}
	return shown, v, nums, problems
}

func boolPtr(b bool) *bool { return &b }

// sheetSave stores every leaf of the sheet form that changed. A refused
// save shows the sheet again with what was typed and every problem.
func (s *Handler) sheetSave(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.BadRequest(c, "error.bad_form")
		return
	}
	_, owners := metricOwners(l.F)
	var updates []assessment.EntryUpdate
	var problems assessment.EntryErrors
	posted := map[string]*sheetRow{}
	for _, n := range l.F.Leaves() {
		if assessment.LeafKind(n) == assessment.KindSurvey {
			continue
		}
		up, shown, ps, ok := readLeafForm(c, n, owners)
		if !ok {
			continue
		}
		posted[n.Code] = shown
		problems = append(problems, ps...)
		updates = append(updates, up)
	}
	if len(problems) == 0 {
		_, err := s.db.SaveEntries(c.Request.Context(), kit.Actor(c), l.Ref, updates, "")
		if err == nil {
			s.SetFlash(c, "assess.saved")
			c.Redirect(http.StatusSeeOther, l.url())
			return
		}
		if !errors.As(err, &problems) {
			s.sheetError(c, l, err)
			return
		}
	}
	d, err := s.buildSheet(c, l, posted, problems)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Error = i18n.N(s.Lang(c), "assess.invalid", len(problems))
	s.Render(c, http.StatusBadRequest, "assessment_sheet", "assess.title", d)
}

// sheetError shows the sheet with a domain error (a locked sheet, a
// refused transition) above it.
func (s *Handler) sheetError(c *gin.Context, l *loaded, err error) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.InternalError(c, err)
		return
	}
	fresh, _, ferr := s.db.Assessment(c.Request.Context(), l.Ref)
	if ferr == nil {
		l.A = fresh
	}
	d, berr := s.buildSheet(c, l, nil, nil)
	if berr != nil {
		s.InternalError(c, berr)
		return
	}
	d.Error = parindex.ErrorMessage(err)
	s.Render(c, kit.HTTPStatus(err), "assessment_sheet", "assess.title", d)
}
