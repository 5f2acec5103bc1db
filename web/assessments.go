package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/assessment"
	"parindex/assessmentxlsx"
	"parindex/criteria"
	"parindex/i18n"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/stats"
	"parindex/store"
	"parindex/survey"
	"parindex/web/kit"
	"parindex/workbook"
)

// The self-assessment pages (docs/assessment.md): an agency's sheet with
// live points, one leaf's page with evidence, comments and explanations,
// the Excel round trip, and the transitions of the yearly cycle. The
// appraisers' and DoHA's pages are in appraisal.go.

// SetMaxEvidenceSize sets the limit of one evidence file in bytes (0 or
// less restores the default of 20 MB). The server starts with the limit of
// its configuration (PARINDEX_EVIDENCE_MAX_MB); tests lower it.
func (s *Server) SetMaxEvidenceSize(n int64) {
	if n <= 0 {
		n = store.DefaultMaxEvidenceSize
	}
	s.maxEvidence.Store(n)
}

// asmMaxTemplateUpload bounds an uploaded assessment workbook (a template is
// about 30 KB).
const asmMaxTemplateUpload = 4 << 20

func (s *Server) assessmentRoutes(g *gin.RouterGroup) {
	g.GET("/app/inbox", s.requireAssessmentUser, s.asmInboxPage)
	g.GET("/app/appraisal", s.requireAppraiser, s.asmQueuePage)
	g.GET("/app/evidence/:id", s.requireAssessmentUser, s.evidenceDownload)
	a := g.Group("/app/assessments", s.requireAssessmentUser)
	a.GET("", s.assessmentsPage)
	a.GET("/:fw/:unit", s.asmSheetPage)
	a.POST("/:fw/:unit", s.asmSheetSave)
	a.GET("/:fw/:unit/template.xlsx", s.asmTemplateDownload)
	a.POST("/:fw/:unit/upload", s.asmTemplateUpload)
	a.POST("/:fw/:unit/transition", s.asmTransition)
	a.POST("/:fw/:unit/reopen", s.asmReopen)
	a.POST("/:fw/:unit/accept", s.acceptArea)
	a.GET("/:fw/:unit/leaf/:node", s.asmLeafPage)
	a.POST("/:fw/:unit/leaf/:node", s.asmLeafSave)
	a.POST("/:fw/:unit/leaf/:node/evidence", s.evidenceUpload)
	a.POST("/:fw/:unit/leaf/:node/explain", s.leafExplain)
	a.POST("/:fw/:unit/leaf/:node/appraise", s.leafAppraise)
	a.POST("/:fw/:unit/evidence/:id/remove", s.evidenceRemove)
	m := g.Group("/admin/assessments", s.RequireAction(parindex.ActionManageAssessments))
	m.GET("/:fw", s.asmProgressPage)
	m.POST("/:fw/deadlines", s.asmSaveDeadlines)
	m.POST("/:fw/start", s.startAppraisalAll)
}

// canUseAssessments puts the assessments in u's menu: agencies, appraisers,
// DoHA and leadership.
func canUseAssessments(u *parindex.User) bool {
	return parindex.CanAny(u, parindex.ActionViewUnit) || parindex.CanAny(u, parindex.ActionAppraise) ||
		parindex.CanAny(u, parindex.ActionManageAssessments)
}

func (s *Server) requireAssessmentUser(c *gin.Context) {
	if !canUseAssessments(kit.CurrentUser(c)) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

// requireAppraiser admits users with an appraiser grant in some area; each
// leaf is then decided by the policy for its own area.
func (s *Server) requireAppraiser(c *gin.Context) {
	if !parindex.CanAny(kit.CurrentUser(c), parindex.ActionAppraise) {
		s.Forbidden(c)
		c.Abort()
		return
	}
	c.Next()
}

// assessmentToday is the day in Vietnam, the day deadlines count in.
func (s *Server) assessmentToday() parindex.Date {
	return parindex.DateOf(s.db.Now().In(kit.VietnamTime))
}

// asmLoaded is one assessment in a request: with its framework and the
// authorisation target of its unit.
type asmLoaded struct {
	A      *assessment.Assessment
	F      *criteria.Framework
	Target parindex.Target
	Ref    assessment.Ref
}

// loadAssessment reads the assessment of the URL and checks that the user
// may view its unit; it renders the refusal itself and returns nil then.
func (s *Server) loadAssessment(c *gin.Context) *asmLoaded {
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
	return &asmLoaded{A: a, F: f, Target: target, Ref: ref}
}

func (l *asmLoaded) url() string {
	return "/app/assessments/" + url.PathEscape(l.Ref.Framework) + "/" + url.PathEscape(l.Ref.Unit)
}

func (l *asmLoaded) leafURL(node string) string { return l.url() + "/leaf/" + url.PathEscape(node) }

// mayEdit, mayExplain, maySubmit: the policy (Can) and the cycle's rules.
func (l *asmLoaded) mayEdit(u *parindex.User) bool {
	return parindex.Can(u, parindex.ActionEditAssessment, l.Target) && assessment.AgencyMayEdit(l.A.State, l.A.Locked)
}

func (l *asmLoaded) mayExplain(u *parindex.User) bool {
	return parindex.Can(u, parindex.ActionEditAssessment, l.Target) && assessment.AgencyMayExplain(l.A.State, l.A.Locked)
}

func (l *asmLoaded) mayAddEvidence(u *parindex.User) bool { return l.mayEdit(u) || l.mayExplain(u) }

// mayAppraise says whether u decides the leaf in the round open now.
func (l *asmLoaded) mayAppraise(u *parindex.User, node string) bool {
	return l.A.MayAppraise(u, l.Target, l.F, node)
}

// appraisalTarget is the policy's target for appraising one area of this
// assessment: the area, and the unit whose assessment it is.
func (l *asmLoaded) appraisalTarget(area string) parindex.Target {
	return parindex.AppraisalTarget(l.Target, l.F.Code, area)
}

// --- scoring the sheet --------------------------------------------------

// asmAgencyInput turns an assessment's values in a view into the scoring
// engine's input. The one-stop-shop figures of the year (system) come
// first; what the agency reported for the same metric replaces them, as in
// a score snapshot.
func asmAgencyInput(a *assessment.Assessment, f *criteria.Framework, view assessment.View, surveyValues map[string]map[string]scoring.SurveyValue, system map[string]float64) scoring.AgencyInput {
	values := a.Values(f, view)
	in := scoring.AgencyInput{Code: a.UnitCode, Name: a.UnitName, Points: values.Points, Answers: values.Answers,
		NotApplicable: values.NotApplicable, Metrics: maps.Clone(system), Survey: surveyValues}
	if in.Metrics == nil {
		in.Metrics = map[string]float64{}
	}
	maps.Copy(in.Metrics, values.Metrics)
	return in
}

// asmSurveyFigures reads the current survey figures of every agency for
// the framework's survey leaves, for the framework's year, exactly as the
// score snapshot gathers them: unit code → instrument → element, question
// or overall → value.
func (s *Server) asmSurveyFigures(ctx context.Context, f *criteria.Framework) (map[string]map[string]map[string]scoring.SurveyValue, error) {
	rn := &snapshot.Runner{DB: s.db, Survey: survey.NewService(s.db, survey.ResultOptions{})}
	run, err := rn.Build(ctx, f.Code, f.Year)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]map[string]scoring.SurveyValue{}
	for _, a := range run.Inputs.Agencies {
		if a.Survey != nil {
			out[a.Code] = a.Survey
		}
	}
	return out, nil
}

// asmScores is every agency of a framework scored twice: with the agencies'
// own values and with the appraised ones, together (relative leaves
// compare the agencies with each other).
type asmScores struct {
	List      []*assessment.Assessment
	F         *criteria.Framework
	Self      *scoring.Result
	Appraised *scoring.Result
}

func (s *Server) asmScoreFramework(ctx context.Context, framework string) (*asmScores, error) {
	list, f, err := s.db.ListAssessments(ctx, framework)
	if err != nil {
		return nil, err
	}
	figures, err := s.asmSurveyFigures(ctx, f)
	if err != nil {
		return nil, err
	}
	system, err := s.db.YearMetrics(ctx, f.Year)
	if err != nil {
		return nil, err
	}
	out := &asmScores{List: list, F: f}
	for _, view := range []assessment.View{assessment.ViewSelf, assessment.ViewAppraised} {
		in := scoring.Inputs{Framework: f.Code}
		for _, a := range list {
			in.Agencies = append(in.Agencies, asmAgencyInput(a, f, view, figures[a.UnitCode], system[a.UnitCode]))
		}
		res, err := scoring.Score(f, in)
		if err != nil {
			return nil, fmt.Errorf("web: scoring %s: %w", framework, err)
		}
		if view == assessment.ViewSelf {
			out.Self = res
		} else {
			out.Appraised = res
		}
	}
	return out, nil
}

// --- formatting ---------------------------------------------------------

// asmPoints shows computed points: the engine keeps full precision; what
// people read is rounded half up to 2 decimals (criteria.RoundHalfUp's
// rule, through stats) and shown with the decimals it has.
func asmPoints(lang string, x float64) string { return kit.Points(lang, stats.RoundHalfUp(x, 2)) }

// asmInputNumber writes a number for an input field (a dot as decimal point,
// as browsers post it).
func asmInputNumber(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// asmParseDecimal reads a number typed with a decimal point or comma.
func asmParseDecimal(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, errors.New("not a number")
	}
	return x, nil
}

func asmStateName(lang string, st assessment.State) string {
	return kit.T(lang, "assess.state."+string(st))
}

// asmValueText shows a leaf value in words.
func asmValueText(lang string, n *criteria.Node, v assessment.LeafValue) string {
	switch {
	case v.NotApplicable:
		return kit.T(lang, "assess.na")
	case v.Points != nil:
		return kit.Points(lang, *v.Points)
	case v.Answer != nil && *v.Answer:
		return kit.T(lang, "common.yes")
	case v.Answer != nil:
		return kit.T(lang, "common.no")
	}
	if n != nil && assessment.LeafKind(n) == assessment.KindMetrics {
		return kit.T(lang, "assess.by_metrics")
	}
	return "–"
}

// asmNodePoints shows the points of a node in a result ("" when absent).
func asmNodePoints(lang string, res *scoring.Result, unit, code string) (string, scoring.NodeStatus) {
	if res == nil {
		return "", 0
	}
	a := res.Agency(unit)
	if a == nil {
		return "", 0
	}
	n, ok := a.Node(code)
	if !ok {
		return "", 0
	}
	return asmPoints(lang, n.Points), n.Status
}

// asmSurveyText shows the survey figure a survey leaf read, with its n.
func asmSurveyText(lang string, res *scoring.Result, unit string, n *criteria.Node) string {
	a := res.Agency(unit)
	if a == nil {
		return ""
	}
	nr, ok := a.Node(n.Code)
	if !ok || math.IsNaN(nr.Inputs.Value) {
		return kit.T(lang, "assess.survey_none")
	}
	v := kit.Number(lang, nr.Inputs.Value*100, 1) + "%"
	if n.SurveyMeasure() == criteria.MeasureMean100 {
		v = kit.Number(lang, nr.Inputs.Value, 1) + "/100"
	}
	if nr.Inputs.N > 0 {
		v += " (n = " + kit.Number(lang, float64(nr.Inputs.N), 0) + ")"
	}
	return v
}

// --- the sheet ------------------------------------------------------------

type asmAppraisalView struct {
	Round     int
	Decision  string
	Value     string
	Metrics   string
	Comment   string
	Appraiser string
	At        time.Time
}

func asmAppraisalViewOf(nm *kit.Names, n *criteria.Node, ap *assessment.Appraisal) *asmAppraisalView {
	if ap == nil {
		return nil
	}
	lang := nm.Lang
	v := &asmAppraisalView{Round: ap.Round, Decision: kit.T(lang, "assess.decision."+ap.Decision), Comment: ap.Comment,
		Appraiser: ap.Appraiser, At: ap.At, Value: asmValueText(lang, n, ap.LeafValue)}
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

// asmMetricField is one metric input of a leaf. A metric read by several
// leaves is entered on the first; the others show its value.
type asmMetricField struct {
	Name      string
	Label     string
	Value     string
	Shown     string
	Appraised string
	Owner     bool
	OwnerLeaf string
}

type asmSheetRow struct {
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
	Metrics                 []asmMetricField
	SelfPoints              string
	AppraisedPoints         string
	Status                  string
	Survey                  string // survey leaves: the current figure
	Self                    string // the self value in words
	R1, R2                  *asmAppraisalView
	Explanation             string
	Evidence                int
	Pending                 bool
	CanAppraise             bool
	Errors                  []string
	URL                     string
	// the live computation (assessment.js)
	LiveMethod, LiveMax, LiveTarget, LiveTiers, LivePerUnit, LiveNum, LiveDen, LiveMetric string
}

type asmAreaTotal struct {
	Code, Name, Max, Self, Appraised, Diff string
}

type asmTransitionView struct {
	Name, Label, Help string
	NeedsReason       bool
}

type asmSheetData struct {
	A              *assessment.Assessment
	F              *criteria.Framework
	URL            string
	State          string
	Deadline       string
	Locked         bool
	ReopenedUntil  string
	Rows           []*asmSheetRow
	Areas          []asmAreaTotal
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
	AcceptAreas    []asmAreaTotal
	Transitions    []asmTransitionView
	Error          string
	ErrorCount     int
	Today          string
	ReopenMin      string
}

func asmFormatIndex(lang string, f *criteria.Framework, a *scoring.AgencyResult) (index, band string) {
	if a == nil || a.IndexRounded == nil {
		return "–", ""
	}
	return kit.Number(lang, *a.IndexRounded, f.Rounding), a.Band + " – " + a.BandName
}

// asmBuildSheet lays out the sheet of one assessment; posted (may be nil)
// holds the values of a refused save, shown again with their errors.
func (s *Server) asmBuildSheet(c *gin.Context, l *asmLoaded, posted map[string]*asmSheetRow, problems assessment.EntryErrors) (*asmSheetData, error) {
	ctx := c.Request.Context()
	lang := s.Lang(c)
	u := kit.CurrentUser(c)
	sc, err := s.asmScoreFramework(ctx, l.Ref.Framework)
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
	d := &asmSheetData{A: a, F: f, URL: l.url(), State: asmStateName(lang, a.State), Locked: a.Locked,
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
		d.SelfTotal = asmPoints(lang, selfRes.Points)
		d.SelfIndex, d.SelfBand = asmFormatIndex(lang, f, selfRes)
	}
	if apprRes != nil {
		d.AppraisedTotal = asmPoints(lang, apprRes.Points)
		d.AppraisedIndex, d.AppraisedBand = asmFormatIndex(lang, f, apprRes)
	}
	byNode := map[string][]string{}
	for _, p := range problems {
		key := p.Node
		byNode[key] = append(byNode[key], kit.Pick(lang, p.VI, p.EN))
	}
	d.ErrorCount = len(problems)
	pending := a.PendingLeaves(f)
	d.Pending = len(pending)
	_, users := asmMetricOwners(f)
	myAreas := map[string]bool{}
	f.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		row := &asmSheetRow{Code: n.Code, Name: n.Name, Description: n.Description, Depth: len(ancestors), Group: !n.IsLeaf(),
			Area: len(ancestors) == 0, Leaf: n.IsLeaf(), URL: l.leafURL(n.Code)}
		if !f.InAdjustment(n.Code) {
			row.Max = kit.Points(lang, n.MaxPoints())
		}
		row.SelfPoints, _ = asmNodePoints(lang, sc.Self, a.UnitCode, n.Code)
		var status scoring.NodeStatus
		row.AppraisedPoints, status = asmNodePoints(lang, sc.Appraised, a.UnitCode, n.Code)
		if n.IsLeaf() {
			s.asmFillLeafRow(nm, row, l, n, users)
			if n.Method == criteria.MethodSurvey {
				row.Survey = asmSurveyText(lang, sc.Self, a.UnitCode, n)
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
		t := asmAreaTotal{Code: area.Code, Name: area.Name}
		if !area.Adjustment {
			t.Max = kit.Points(lang, area.MaxPoints())
		}
		var selfPts, apprPts float64
		if selfRes != nil {
			if n, ok := selfRes.Node(area.Code); ok {
				selfPts = n.Points
				t.Self = asmPoints(lang, n.Points)
			}
		}
		if apprRes != nil && d.HasAppraisal {
			if n, ok := apprRes.Node(area.Code); ok {
				apprPts = n.Points
				t.Appraised = asmPoints(lang, n.Points)
				t.Diff = asmPoints(lang, selfPts-apprPts)
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
		d.Transitions = append(d.Transitions, asmTransitionView{Name: string(tr), Label: kit.T(lang, "assess.tr."+string(tr)),
			Help: kit.T(lang, "assess.tr_help."+string(tr)), NeedsReason: tr == assessment.TransitionReturn})
	}
	return d, nil
}

// asmMetricOwners says, per metric, the leaves that read it (the first owns
// its input).
func asmMetricOwners(f *criteria.Framework) ([]string, map[string][]string) {
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

func (s *Server) asmFillLeafRow(nm *kit.Names, row *asmSheetRow, l *asmLoaded, n *criteria.Node, users map[string][]string) {
	lang := nm.Lang
	a := l.A
	row.Kind = assessment.LeafKind(n)
	row.Method = kit.T(lang, "criteria.method."+string(n.Method))
	row.Params = methodParams(nm, n)
	v := a.SelfValue(n.Code)
	row.Self = asmValueText(lang, n, v)
	row.Points = asmInputNumber(v.Points)
	if v.Answer != nil {
		row.Answer = map[bool]string{true: "yes", false: "no"}[*v.Answer]
	}
	row.NA = v.NotApplicable
	if e := a.Entries[n.Code]; e != nil {
		row.Note, row.Explanation = e.Note, e.Explanation
	}
	row.R1 = asmAppraisalViewOf(nm, n, a.Appraisal(n.Code, 1))
	row.R2 = asmAppraisalViewOf(nm, n, a.Appraisal(n.Code, 2))
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
		mf := asmMetricField{Name: m, Label: nm.Metric(m), Owner: users[m][0] == n.Code, OwnerLeaf: users[m][0]}
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

func (s *Server) asmSheetPage(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	d, err := s.asmBuildSheet(c, l, nil, nil)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "assessment_sheet", "assess.title", d)
}

// asmReadLeafForm reads one leaf's fields of a sheet or leaf form. ok is
// false when the form has no field of that leaf (not on the page).
func asmReadLeafForm(c *gin.Context, n *criteria.Node, owners map[string][]string) (up assessment.EntryUpdate, shown *asmSheetRow, problems assessment.EntryErrors, ok bool) {
	form := c.Request.PostForm
	if _, present := form["note."+n.Code]; !present {
		return up, nil, nil, false
	}
	up = assessment.EntryUpdate{Node: n.Code, Note: form.Get("note." + n.Code)}
	shown = &asmSheetRow{Code: n.Code, Note: up.Note, NA: form.Get("na."+n.Code) != ""}
	up.Value.NotApplicable = shown.NA
	switch assessment.LeafKind(n) {
	case assessment.KindPoints:
		shown.Points = strings.TrimSpace(form.Get("p." + n.Code))
		if shown.Points != "" {
			x, err := asmParseDecimal(shown.Points)
			if err != nil {
				problems = append(problems, assessment.EntryError{Node: n.Code, Field: "points",
					VI: fmt.Sprintf("điểm %q không phải là một số", shown.Points), EN: fmt.Sprintf("points %q are not a number", shown.Points)})
			} else if !shown.NA {
				up.Value.Points = &x
			}
		}
	case assessment.KindAnswer:
		shown.Answer = form.Get("a." + n.Code)
		if !shown.NA {
			switch shown.Answer {
			case "yes":
				up.Value.Answer = asmBool(true)
			case "no":
				up.Value.Answer = asmBool(false)
			}
		}
	case assessment.KindMetrics:
		for _, m := range n.Metrics() {
			if owners[m][0] != n.Code {
				continue
			}
			raw, present := form["m."+m]
			if !present {
				continue
			}
			value := strings.TrimSpace(raw[0])
			shown.Metrics = append(shown.Metrics, asmMetricField{Name: m, Value: value})
			if up.Metrics == nil {
				up.Metrics = map[string]*float64{}
			}
			if value == "" {
				up.Metrics[m] = nil
				continue
			}
			x, err := asmParseDecimal(value)
			if err != nil {
				problems = append(problems, assessment.EntryError{Node: n.Code, Metric: m, Field: "metric",
					VI: fmt.Sprintf("số liệu %s: %q không phải là một số", m, value), EN: fmt.Sprintf("metric %s: %q is not a number", m, value)})
				continue
			}
			up.Metrics[m] = &x
		}
	}
	return up, shown, problems, true
}

func asmBool(b bool) *bool { return &b }

// asmSheetSave stores every leaf of the sheet form that changed. A refused
// save shows the sheet again with what was typed and every problem.
func (s *Server) asmSheetSave(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.BadRequest(c, "error.bad_form")
		return
	}
	_, owners := asmMetricOwners(l.F)
	var updates []assessment.EntryUpdate
	var problems assessment.EntryErrors
	posted := map[string]*asmSheetRow{}
	for _, n := range l.F.Leaves() {
		if assessment.LeafKind(n) == assessment.KindSurvey {
			continue
		}
		up, shown, ps, ok := asmReadLeafForm(c, n, owners)
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
			s.asmSheetError(c, l, err)
			return
		}
	}
	d, err := s.asmBuildSheet(c, l, posted, problems)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Error = i18n.N(s.Lang(c), "assess.invalid", len(problems))
	s.Render(c, http.StatusBadRequest, "assessment_sheet", "assess.title", d)
}

// asmSheetError shows the sheet with a domain error (a locked sheet, a
// refused transition) above it.
func (s *Server) asmSheetError(c *gin.Context, l *asmLoaded, err error) {
	if parindex.ErrorCode(err) == parindex.ECodeInternal {
		s.InternalError(c, err)
		return
	}
	fresh, _, ferr := s.db.Assessment(c.Request.Context(), l.Ref)
	if ferr == nil {
		l.A = fresh
	}
	d, berr := s.asmBuildSheet(c, l, nil, nil)
	if berr != nil {
		s.InternalError(c, berr)
		return
	}
	d.Error = parindex.ErrorMessage(err)
	s.Render(c, kit.HTTPStatus(err), "assessment_sheet", "assess.title", d)
}

// asmTransition makes one move of the cycle. Who may ask is the policy's
// answer for the transition's action on the agency's unit.
func (s *Server) asmTransition(c *gin.Context) {
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
		s.asmSheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.tr_done."+string(t))
	c.Redirect(http.StatusSeeOther, l.url())
}

// asmReopen lets one agency work after its deadline (DoHA).
func (s *Server) asmReopen(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionManageAssessments)
	if l == nil {
		return
	}
	until, err := parindex.ParseDate(c.PostForm("until"))
	if err != nil {
		s.asmSheetError(c, l, parindex.Errorf(parindex.ECodeInvalid, "Ngày không hợp lệ, cần dạng yyyy-mm-dd (bad date)"))
		return
	}
	if err := s.db.Reopen(c.Request.Context(), kit.Actor(c), l.Ref, until, c.PostForm("reason")); err != nil {
		s.asmSheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.reopened")
	c.Redirect(http.StatusSeeOther, l.url())
}

// --- one leaf ---------------------------------------------------------------

type asmLeafData struct {
	Sheet      *asmSheetData
	Row        *asmSheetRow
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
	ApprRound  *asmAppraisalView // the decision of the open round, if any
	MaxSize    string
	Accept     string
	Error      string
	Comment    string
	Files      []asmFileView
	// The appraisal form starts from the value the open round decides on.
	ApprPoints, ApprAnswer string
	ApprNA                 bool
	ApprMetrics            []asmMetricField
}

// asmFileSize shows a file size in B, KB or MB.
func asmFileSize(lang string, n int64) string {
	switch {
	case n < 1024:
		return kit.Number(lang, float64(n), 0) + " B"
	case n < 1<<20:
		return kit.Number(lang, float64(n)/1024, 1) + " KB"
	}
	return kit.Number(lang, float64(n)/(1<<20), 1) + " MB"
}

type asmFileView struct {
	ID               int64
	Name, Size, Type string
	At               time.Time
	By               string
}

func (s *Server) asmLeafData(c *gin.Context, l *asmLoaded, node string, posted *asmSheetRow, problems assessment.EntryErrors) (*asmLeafData, bool) {
	n := l.F.Find(node)
	if n == nil || !n.IsLeaf() {
		s.Fail(c, parindex.Errorf(parindex.ECodeNotFound, "no such leaf"))
		return nil, false
	}
	var p map[string]*asmSheetRow
	if posted != nil {
		p = map[string]*asmSheetRow{node: posted}
	}
	sheet, err := s.asmBuildSheet(c, l, p, problems)
	if err != nil {
		s.InternalError(c, err)
		return nil, false
	}
	u := kit.CurrentUser(c)
	d := &asmLeafData{Sheet: sheet, URL: l.leafURL(node), SheetURL: l.url(), Node: n, Evidence: l.A.Evidence[node],
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
		d.Files = append(d.Files, asmFileView{ID: ev.ID, Name: ev.Name, Type: ev.ContentType, At: ev.UploadedAt, By: ev.UploadedBy,
			Size: asmFileSize(lang, ev.Size)})
	}
	if d.Round > 0 {
		nm, err := kit.NamesFor(c.Request.Context(), s.db, lang, nil)
		if err != nil {
			s.InternalError(c, err)
			return nil, false
		}
		d.ApprRound = asmAppraisalViewOf(nm, n, l.A.Appraisal(node, d.Round))
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
		d.ApprPoints, d.ApprNA = asmInputNumber(base.Points), base.NotApplicable
		if base.Answer != nil {
			d.ApprAnswer = map[bool]string{true: "yes", false: "no"}[*base.Answer]
		}
		for _, m := range n.Metrics() {
			mf := asmMetricField{Name: m, Label: nm.Metric(m)}
			if mv := l.A.Metrics[m]; mv != nil {
				mf.Value = strconv.FormatFloat(mv.Effective(), 'f', -1, 64)
			}
			d.ApprMetrics = append(d.ApprMetrics, mf)
		}
	}
	return d, true
}

func (s *Server) asmLeafPage(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	d, ok := s.asmLeafData(c, l, c.Param("node"), nil, nil)
	if !ok {
		return
	}
	s.Render(c, http.StatusOK, "assessment_leaf", "assess.leaf_title", d)
}

func (s *Server) asmLeafError(c *gin.Context, l *asmLoaded, node string, status int, msg string, posted *asmSheetRow, problems assessment.EntryErrors) {
	if fresh, _, err := s.db.Assessment(c.Request.Context(), l.Ref); err == nil {
		l.A = fresh
	}
	d, ok := s.asmLeafData(c, l, node, posted, problems)
	if !ok {
		return
	}
	d.Error = msg
	s.Render(c, status, "assessment_leaf", "assess.leaf_title", d)
}

func (s *Server) asmLeafSave(c *gin.Context) {
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
	_, owners := asmMetricOwners(l.F)
	// On the leaf's own page every metric it reads has an input.
	for _, m := range n.Metrics() {
		owners[m] = append([]string{node}, owners[m]...)
	}
	up, shown, problems, ok := asmReadLeafForm(c, n, owners)
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
			s.ShowError(c, err, func(status int, msg string) { s.asmLeafError(c, l, node, status, msg, nil, nil) })
			return
		}
	}
	s.asmLeafError(c, l, node, http.StatusBadRequest, i18n.N(s.Lang(c), "assess.invalid", len(problems)), shown, problems)
}

func (s *Server) leafExplain(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	node := c.Param("node")
	s.asmLeafDone(c, l, node, s.db.Explain(c.Request.Context(), kit.Actor(c), l.Ref, node, c.PostForm("explanation")), "assess.explained")
}

// leafAppraise records an appraiser's decision: "accept" keeps the score;
// otherwise the posted value, with a comment when it changes the score.
func (s *Server) leafAppraise(c *gin.Context) {
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
	lang := s.Lang(c)
	if !in.Accept {
		in.Value.NotApplicable = c.PostForm("na") != ""
		switch assessment.LeafKind(n) {
		case assessment.KindPoints:
			if raw := strings.TrimSpace(c.PostForm("p")); raw != "" && !in.Value.NotApplicable {
				x, err := asmParseDecimal(raw)
				if err != nil {
					s.asmLeafError(c, l, node, http.StatusBadRequest, kit.T(lang, "assess.not_number", raw), nil, nil)
					return
				}
				in.Value.Points = &x
			}
		case assessment.KindAnswer:
			if !in.Value.NotApplicable {
				switch c.PostForm("a") {
				case "yes":
					in.Value.Answer = asmBool(true)
				case "no":
					in.Value.Answer = asmBool(false)
				}
			}
		case assessment.KindMetrics:
			in.Metrics = map[string]float64{}
			for _, m := range n.Metrics() {
				raw := strings.TrimSpace(c.PostForm("m." + m))
				if raw == "" {
					continue
				}
				x, err := asmParseDecimal(raw)
				if err != nil {
					s.asmLeafError(c, l, node, http.StatusBadRequest, kit.T(lang, "assess.not_number", raw), nil, nil)
					return
				}
				in.Metrics[m] = x
			}
		}
	}
	if err := s.db.Appraise(c.Request.Context(), kit.Actor(c), l.Ref, in); err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.asmLeafError(c, l, node, status, msg, nil, nil) })
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
func (s *Server) acceptArea(c *gin.Context) {
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
		s.asmSheetError(c, l, err)
		return
	}
	s.SetFlash(c, "assess.accepted_area")
	c.Redirect(http.StatusSeeOther, l.url())
}

// --- evidence ---------------------------------------------------------------

func (s *Server) asmEvidenceDir() string { return s.cfg.DataDir }

func (s *Server) evidenceUpload(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	node := c.Param("node")
	limit := s.maxEvidence.Load()
	name, data, err := s.UploadedFile(c, limit)
	if err == nil {
		_, err = s.db.AddEvidence(c.Request.Context(), kit.Actor(c), l.Ref, node, name, data, s.asmEvidenceDir(), limit)
	}
	s.asmLeafDone(c, l, node, err, "assess.evidence_added")
}

func (s *Server) evidenceRemove(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	id, _ := kit.IDParam(c, "id") // 0 is no file of this sheet: RemoveEvidence says so
	node := c.PostForm("node")
	s.asmLeafDone(c, l, node, s.db.RemoveEvidence(c.Request.Context(), kit.Actor(c), l.Ref, id, c.PostForm("reason")), "assess.evidence_removed")
}

// evidenceDownload serves a file to those who may view its agency; to
// anyone else it does not exist.
func (s *Server) evidenceDownload(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.NotFound(c)
		return
	}
	ev, ref, err := s.db.EvidenceFile(c.Request.Context(), id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	_, target, err := s.UnitTarget(c, ref.Unit)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !parindex.Can(kit.CurrentUser(c), parindex.ActionViewUnit, target) {
		s.NotFound(c)
		return
	}
	f, err := s.db.OpenEvidence(c.Request.Context(), s.asmEvidenceDir(), ev)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	defer f.Close()
	c.Header("Content-Disposition", workbook.ContentDisposition(ev.Name))
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, ev.Size, ev.ContentType, f, nil)
}

// --- Excel ------------------------------------------------------------------

func (s *Server) asmTemplateDownload(c *gin.Context) {
	l := s.loadAssessment(c)
	if l == nil {
		return
	}
	rec, _, err := s.db.AssessedFramework(c.Request.Context(), l.Ref.Framework)
	if err != nil {
		s.Fail(c, err)
		return
	}
	names := map[string]string{}
	for _, m := range criteria.ReferenceMetrics {
		names[m.Code] = m.Name
	}
	data, err := assessmentxlsx.Bytes(assessmentxlsx.Template{Framework: l.F, Hash: rec.Hash, Assessment: l.A, MetricNames: names})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	name := kit.T(s.Lang(c), "assess.file_prefix") + " - " + l.Ref.Unit + " - " + l.Ref.Framework + ".xlsx"
	c.Header("Content-Disposition", workbook.ContentDisposition(name))
	c.Data(http.StatusOK, workbook.ContentType, data)
}

// asmUploadChange is one line of the dry-run report.
type asmUploadChange struct {
	Where, What, Old, New string
}

type asmUploadReport struct {
	Sheet    *asmSheetData
	File     string
	Token    string
	Problems []kit.Problem
	Changes  []asmUploadChange
	Error    string
	Applied  bool
}

// asmReadUpload reads a workbook against the assessment and renders the
// report of its problems; it returns nil when there were problems.
func (s *Server) asmReadUpload(c *gin.Context, l *asmLoaded, file string, data []byte, rep *asmUploadReport) *assessmentxlsx.Upload {
	lang := s.Lang(c)
	rec, _, err := s.db.AssessedFramework(c.Request.Context(), l.Ref.Framework)
	if err != nil {
		s.Fail(c, err)
		return nil
	}
	up, err := assessmentxlsx.Read(file, strings.NewReader(string(data)), assessmentxlsx.Template{Framework: l.F, Hash: rec.Hash, Assessment: l.A})
	if err != nil {
		var ie parindex.InputErrors
		if !errors.As(err, &ie) {
			s.InternalError(c, err)
			return nil
		}
		for _, e := range ie {
			rep.Problems = append(rep.Problems, kit.Problem{Where: kit.CellWhere(lang, e), Message: kit.Pick(lang, e.VI, e.EN)})
		}
		rep.Error = i18n.N(lang, "assess.upload_invalid", len(ie))
		s.asmRenderUpload(c, l, http.StatusBadRequest, rep)
		return nil
	}
	nm, err := kit.NamesFor(c.Request.Context(), s.db, lang, nil)
	if err != nil {
		s.InternalError(c, err)
		return nil
	}
	for _, ch := range up.Changes {
		what := ch.Node
		if ch.Metric != "" {
			what = nm.Metric(ch.Metric)
		}
		rep.Changes = append(rep.Changes, asmUploadChange{Where: kit.CellWhere(lang, parindex.InputError{Sheet: ch.Sheet, Row: ch.Row, Column: ch.Column}),
			What: what, Old: ch.Old, New: ch.New})
	}
	return up
}

func (s *Server) asmRenderUpload(c *gin.Context, l *asmLoaded, status int, rep *asmUploadReport) {
	sheet, err := s.asmBuildSheet(c, l, nil, nil)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	rep.Sheet = sheet
	s.Render(c, status, "assessment_upload", "assess.upload_title", rep)
}

// asmTemplateUpload checks a workbook (the dry run: every bad cell, or
// every change it would make; nothing is written) and, on the apply step,
// reads the checked file again against the assessment as it is then and
// writes every leaf in one transaction.
func (s *Server) asmTemplateUpload(c *gin.Context) {
	l := s.loadAssessmentFor(c, parindex.ActionEditAssessment)
	if l == nil {
		return
	}
	lang := s.Lang(c)
	rep := &asmUploadReport{}
	if s.asmRefuseUpload(c, l, rep) {
		return
	}
	f, err := s.ImportUpload(c, "assessment", asmMaxTemplateUpload)
	rep.File = f.Name
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			rep.Error = msg
			s.asmRenderUpload(c, l, status, rep)
		})
		return
	}
	up := s.asmReadUpload(c, l, rep.File, f.Data, rep)
	if up == nil {
		return
	}
	if !f.Apply {
		if err := s.Keep(c, "assessment", &f); err != nil {
			s.InternalError(c, err)
			return
		}
		rep.Token = f.Token
		s.asmRenderUpload(c, l, http.StatusOK, rep)
		return
	}
	if _, err := s.db.SaveEntries(c.Request.Context(), kit.Actor(c), l.Ref, up.Updates, "Excel: "+rep.File); err != nil {
		var ee assessment.EntryErrors
		if errors.As(err, &ee) {
			for _, e := range ee {
				rep.Problems = append(rep.Problems, kit.Problem{Where: e.Node + e.Metric, Message: kit.Pick(lang, e.VI, e.EN)})
			}
			rep.Error = i18n.N(lang, "assess.upload_invalid", len(ee))
			s.asmRenderUpload(c, l, http.StatusBadRequest, rep)
			return
		}
		s.ShowError(c, err, func(status int, msg string) {
			rep.Error = msg
			s.asmRenderUpload(c, l, status, rep)
		})
		return
	}
	s.Discard(c, "assessment", f)
	s.SetFlash(c, "assess.upload_applied")
	c.Redirect(http.StatusSeeOther, l.url())
}

// asmRefuseUpload answers 409 when the user may not change the sheet now:
// who may upload, and whether the sheet takes changes, is settled before a
// byte of the file is parsed.
func (s *Server) asmRefuseUpload(c *gin.Context, l *asmLoaded, rep *asmUploadReport) bool {
	if l.mayEdit(kit.CurrentUser(c)) {
		return false
	}
	rep.Error = parindex.ErrorMessage(asmEditRefusal(l.A))
	s.asmRenderUpload(c, l, http.StatusConflict, rep)
	return true
}

func asmEditRefusal(a *assessment.Assessment) error {
	if a.Locked {
		return parindex.Errorf(parindex.ECodeConflict, "Đã quá hạn, hồ sơ đã khóa (the deadline has passed; the sheet is locked)")
	}
	return parindex.Errorf(parindex.ECodeConflict, "Hồ sơ đã gửi, không sửa được điểm tự chấm (self-scores can change only in draft)")
}

// asmLeafDone ends a change on a leaf's page: back to the leaf with a
// flash message when err is nil, the leaf page with the error otherwise (a
// clean 500 for internal errors).
func (s *Server) asmLeafDone(c *gin.Context, l *asmLoaded, node string, err error, flashKey string) {
	if err != nil {
		s.ShowError(c, err, func(status int, msg string) { s.asmLeafError(c, l, node, status, msg, nil, nil) })
		return
	}
	s.SetFlash(c, flashKey)
	c.Redirect(http.StatusSeeOther, l.leafURL(node))
}

// loadAssessmentFor loads the assessment of the request and asks the one
// policy whether the user may do a on its agency; nil after answering
// (not found, forbidden) when not.
func (s *Server) loadAssessmentFor(c *gin.Context, a parindex.Action) *asmLoaded {
	l := s.loadAssessment(c)
	if l == nil || !s.Authorize(c, a, l.Target) {
		return nil
	}
	return l
}
