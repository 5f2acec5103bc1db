package dashboard

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// vietnamTime is the province's clock, for "today".
var vietnamTime = time.FixedZone("ICT", 7*60*60)

// TreeRow is one node of an agency's scorecard.
type TreeRow struct {
	Code, Name  string
	Depth       int
	Leaf        bool
	Points, Max float64
	Percent     float64 // NaN when nothing applies
	Change      float64 // percentage points against last year on a mapped criterion; NaN when not mapped
	Status      string  // scored, missing, excluded, not_applicable, no_input; "" for a group
	Reason      string
	Adjustment  bool
}

// QuestionRow is one survey question of an agency.
type QuestionRow struct {
	Element, Code, Text string
	ElementName         string // the instrument's name of the element, in the reader's language
	N, NA               int
	Satisfaction        float64 // fraction; NaN when no valid answer
	Low, High           float64 // 95% interval
	Mean                float64
}

// ElementRow is one survey element of an agency.
type ElementRow struct {
	Code, Name       string
	Index, Low, High float64
	Alpha            float64
	// Insufficient: the unit has too few respondents (survey.AdequacyInsufficient);
	// the page shows the interval greyed, with that word.
	Insufficient bool
}

// LinkRow is one QR link of the agency with its counts.
type LinkRow struct {
	ID           int64
	Counter      string
	Instrument   string
	Active       bool
	Today, Total int64
}

// Agency is one agency's page.
type Agency struct {
	Unit      *parindex.OrgUnit
	Year      int
	Years     []Option
	Snapshot  *parindex.Snapshot // nil: the agency is in no published snapshot
	Framework *criteria.Framework
	Result    *scoring.AgencyResult
	Index     float64
	Change    float64 // index change against last year; NaN when unknown
	Peers     int
	// Incomplete is what was incomplete for the unit when the snapshot
	// was scored (why a provisional result is provisional).
	Incomplete []snapshot.PreflightItem

	Tree []TreeRow

	Instrument string
	Survey     *survey.GroupResult
	// SurveyLive is true when the survey figures are today's, not the
	// snapshot's (no published snapshot holds them).
	SurveyLive bool
	// SurveyResponses names the responses the snapshot's survey figures
	// counted (the framework's survey_responses), and SurveyLeftOut says
	// which of the unit's were left out and why; "" for live figures, and
	// SurveyLeftOut "" when nothing was left out.
	SurveyResponses, SurveyLeftOut string

	Elements  []ElementRow
	Questions []QuestionRow
	Comments  []string
	Links     []LinkRow

	Panels []Panel
}

// Panel returns the panel with the id, or nil.
func (a *Agency) Panel(id string) *Panel { return panelByID(a.Panels, id) }

// Agency builds one agency's page for a year (0: its latest published).
func (s *Service) Agency(ctx context.Context, unit *parindex.OrgUnit, year int, l Locale) (*Agency, error) {
	a := &Agency{Unit: unit, Index: math.NaN(), Change: math.NaN()}
	all, err := s.DB.FindSnapshots(ctx, store.SnapshotFilter{Status: parindex.StatusPublished, WithUnits: true})
	if err != nil {
		return nil, err
	}
	var chosen *parindex.Snapshot
	seen := map[int]bool{}
	for _, sn := range all {
		has := false
		for _, u := range sn.Units {
			if u.UnitCode == unit.Code {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		if !seen[sn.Year] {
			seen[sn.Year] = true
			a.Years = append(a.Years, Option{fmt.Sprint(sn.Year), fmt.Sprint(sn.Year)})
		}
		if chosen == nil && (year == 0 || sn.Year == year) {
			chosen = sn
		}
	}
	if chosen == nil {
		a.Year = year
		if a.Year == 0 {
			a.Year = time.Now().In(vietnamTime).Year()
		}
		if err := s.agencySurvey(ctx, a, l); err != nil {
			return nil, err
		}
		return a, a.surveyPanel(l, l.T("dash.percent"))
	}
	a.Year = chosen.Year
	loaded, err := s.loadSnapshot(ctx, chosen.ID)
	if err != nil {
		return nil, err
	}
	a.Snapshot, a.Framework = loaded.snapshot, loaded.framework
	res := loaded.result
	a.Result = res.Agency(unit.Code)
	if a.Result == nil {
		return nil, parindex.Errorf(parindex.ECodeNotFound, "Đơn vị %s không có trong bản chốt (unit not in snapshot)", unit.Code)
	}
	a.Index = value(a.Result.IndexRounded)
	a.Peers = len(res.Agencies)
	rec := loaded.record
	a.Incomplete = rec.Incomplete(unit.Code)
	yoy, err := snapshot.CompareWithPrevious(ctx, s.DB, a.Snapshot.ID)
	if err != nil {
		return nil, err
	}
	changes := map[string]float64{}
	if yoy != nil {
		if uc, ok := yoy.Units[unit.Code]; ok {
			a.Change = uc.Change
			for _, n := range uc.Nodes {
				changes[n.Node] = n.Change
			}
		}
	}
	nodes := map[string]scoring.NodeResult{}
	for _, n := range a.Result.Nodes {
		nodes[n.Code] = n
	}
	reasons, err := s.reasonNamer(ctx, l)
	if err != nil {
		return nil, err
	}
	a.Framework.Walk(func(n *criteria.Node, ancestors []*criteria.Node) bool {
		nr := nodes[n.Code]
		row := TreeRow{Code: n.Code, Name: n.Name, Depth: len(ancestors), Leaf: n.IsLeaf(), Points: nr.Points, Max: nr.Max,
			Percent: nr.Percent(), Change: math.NaN(), Adjustment: a.Framework.InAdjustment(n.Code)}
		if c, ok := changes[n.Code]; ok {
			row.Change = c
		}
		if n.IsLeaf() {
			row.Status = nr.Status.String()
		}
		if item, ok := rec.Item(unit.Code, n.Code); ok && item.Kind == snapshot.IncompleteAssessment {
			row.Reason = item.Text(l.Lang)
		} else if nr.Reason != nil {
			row.Reason = reasons.name(ctx, n, nr.Reason)
		}
		a.Tree = append(a.Tree, row)
		return true
	})
	if err := s.agencySurvey(ctx, a, l); err != nil {
		return nil, err
	}
	if err := a.panels(l, res); err != nil {
		return nil, err
	}
	if a.Snapshot.Provisional() {
		return a, markProvisional(l, a.Panels)
	}
	return a, nil
}

// agencySurvey adds the survey results, comments and QR links.
func (s *Service) agencySurvey(ctx context.Context, a *Agency, l Locale) error {
	if a.Framework != nil {
		a.Instrument = surveyInstrument(a.Framework)
	}
	links, err := s.DB.FindLinks(ctx, store.LinkFilter{UnitID: a.Unit.ID})
	if err != nil {
		return err
	}
	today := parindex.DateOf(s.DB.Now().In(vietnamTime))
	counts, err := s.DB.LinkResponseCounts(ctx, today, a.Unit.ID)
	if err != nil {
		return err
	}
	now := s.DB.Now()
	for _, ln := range links {
		c := counts[ln.ID]
		a.Links = append(a.Links, LinkRow{ID: ln.ID, Counter: ln.CounterLabel, Instrument: ln.InstrumentCode, Active: ln.Active(now), Today: c.Today, Total: c.Total})
		if a.Instrument == "" {
			a.Instrument = ln.InstrumentCode
		}
	}
	if a.Instrument == "" {
		return nil
	}
	in, err := s.Survey.Instrument(ctx, a.Instrument)
	if parindex.ErrorCode(err) == parindex.ECodeNotFound {
		a.Instrument = ""
		return nil
	}
	if err != nil {
		return err
	}
	g, err := s.unitSurvey(ctx, a, l)
	if err != nil {
		return err
	}
	a.Survey = &g
	a.Comments = g.Comments
	for _, e := range in.Elements {
		er := g.Elements[e.Code]
		row := ElementRow{Code: e.Code, Name: pick(l, e.Name), Index: float64(er.Index), Low: math.NaN(), High: math.NaN(), Alpha: math.NaN(),
			Insufficient: g.Adequacy == survey.AdequacyInsufficient}
		if er.CI95 != nil {
			row.Low, row.High = float64(er.CI95[0]), float64(er.CI95[1])
		}
		if er.Alpha != nil {
			row.Alpha = float64(*er.Alpha)
		}
		a.Elements = append(a.Elements, row)
		for _, q := range e.Questions {
			qr := g.Questions[q.Code]
			a.Questions = append(a.Questions, QuestionRow{Element: e.Code, ElementName: pick(l, e.Name), Code: q.Code, Text: pick(l, q.Text), N: qr.N, NA: qr.NA,
				Satisfaction: float64(qr.Satisfaction), Low: float64(qr.CI95[0]), High: float64(qr.CI95[1]), Mean: float64(qr.Mean)})
			// A question nobody answered has no interval (null in JSON).
		}
	}
	return nil
}

// unitSurvey is the unit's survey result for the page's year: the figures
// the published snapshot kept, so that the page shows what was published,
// or today's figures (SurveyLive) when no snapshot holds them. Comments are
// not figures and are never frozen: they are always today's.
func (s *Service) unitSurvey(ctx context.Context, a *Agency, l Locale) (survey.GroupResult, error) {
	live, err := s.Survey.Unit(ctx, a.Instrument, a.Unit.Code, survey.Year(a.Year), false)
	if err != nil {
		return survey.GroupResult{}, err
	}
	if a.Snapshot != nil {
		loaded, err := s.loadSnapshot(ctx, a.Snapshot.ID)
		if err != nil {
			return survey.GroupResult{}, err
		}
		u := loaded.record.Unit(a.Unit.Code)
		if g, ok := u.Survey[a.Instrument]; ok {
			g.Comments = live.Comments
			a.SurveyResponses = l.T("results.survey_responses." + string(loaded.record.SurveyResponsesUsed()))
			if left, ok := u.SurveyLeftOut[a.Instrument]; ok {
				a.SurveyLeftOut = left.Text(l.Lang)
			}
			return g, nil
		}
	}
	a.SurveyLive = true
	return live, nil
}

func pick(l Locale, t survey.Text) string {
	if l.Lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// panels builds the agency's radar and survey charts with their tables.
func (a *Agency) panels(l Locale, res *scoring.Result) error {
	pct := l.T("dash.percent")
	var err error

	// Scorecard tree, as a table panel without a chart.
	tree := Panel{ID: "scorecard", Title: l.T("dash.scorecard_title", a.Year)}
	tree.Table = &Table{ID: "scorecard", Caption: tree.Title, Columns: []Column{{Label: l.T("dash.col.criterion")}, {Label: l.T("dash.col.points"), Numeric: true},
		{Label: l.T("dash.col.max"), Numeric: true}, {Label: "%", Numeric: true}, {Label: l.T("dash.col.change"), Numeric: true}, {Label: l.T("dash.col.status")}}}
	for _, r := range a.Tree {
		name := text(r.Code + " " + r.Name)
		name.Depth = r.Depth
		if !r.Leaf {
			name.Class = "group"
		}
		status := text(r.Reason) // a scored survey leaf: the responses left out
		if r.Status != "" && r.Status != "scored" {
			status = text(l.T("dash.status." + r.Status))
			status.Class = "mark mark-" + r.Status
			if r.Reason != "" {
				status.Text += ": " + r.Reason
			}
		}
		change := number(l, r.Change, 1)
		if !math.IsNaN(r.Change) && r.Change > 0 {
			change.Text = "+" + change.Text
		}
		tree.Table.Rows = append(tree.Table.Rows, []Cell{name, number(l, r.Points, 2), number(l, r.Max, 2), number(l, r.Percent, 1), change, status})
	}

	// Radar of area percentages against the peers' average.
	radar := Panel{ID: "chart-radar", Title: l.T("dash.radar_title", a.Year)}
	areaNodes := areas(a.Framework)
	var names []string
	own, peers := make([]float64, len(areaNodes)), make([]float64, len(areaNodes))
	radar.Table = &Table{ID: "radar", Caption: radar.Title, Columns: []Column{{Label: l.T("dash.col.area")}, {Label: a.Unit.Name, Numeric: true},
		{Label: l.T("dash.peer_average"), Numeric: true}}}
	for j, n := range areaNodes {
		names = append(names, n.Code+". "+n.Label())
		own[j] = math.NaN()
		if nr, ok := a.Result.Node(n.Code); ok {
			own[j] = nr.Percent()
		}
		var sum float64
		var k int
		for i := range res.Agencies {
			if nr, ok := res.Agencies[i].Node(n.Code); ok && nr.Max > 0 {
				sum += nr.Percent()
				k++
			}
		}
		peers[j] = math.NaN()
		if k > 0 {
			peers[j] = sum / float64(k)
		}
		radar.Table.Rows = append(radar.Table.Rows, []Cell{text(n.Code + ". " + n.Name), number(l, own[j], 1), number(l, peers[j], 1)})
	}
	if radar.Option, err = radarChart(radar.Title, names, own, peers, a.Unit.Name, l.T("dash.peer_average")); err != nil {
		return err
	}
	a.Panels = append(a.Panels, radar, tree)
	return a.surveyPanel(l, pct)
}

func (a *Agency) surveyPanel(l Locale, pct string) error {
	if a.Survey == nil {
		return nil
	}
	sp := Panel{ID: "chart-survey", Title: l.T("dash.survey_title", a.Year), Note: l.T("dash.survey_note")}
	sp.Table = &Table{ID: "survey", Caption: sp.Title, Columns: []Column{{Label: l.T("dash.col.element")}, {Label: l.T("dash.col.question")},
		{Label: "n", Numeric: true}, {Label: l.T("dash.col.na"), Numeric: true}, {Label: l.T("dash.col.satisfaction"), Numeric: true}, {Label: l.T("dash.col.ci95")}}}
	for _, q := range a.Questions {
		ci := text("")
		if !math.IsNaN(q.Low) {
			ci = text(l.num(q.Low*100, 1) + "–" + l.num(q.High*100, 1))
		}
		sp.Table.Rows = append(sp.Table.Rows, []Cell{text(q.ElementName), text(q.Code + " " + strings.TrimSpace(q.Text)), number(l, float64(q.N), 0),
			number(l, float64(q.NA), 0), number(l, q.Satisfaction*100, 1), ci})
	}
	var err error
	if sp.Option, err = surveyChart(sp.Title, pct, a.Questions); err != nil {
		return err
	}
	a.Panels = append(a.Panels, sp)
	return nil
}

// NextBandPoints is the number of points that lift the agency into the
// next band; NaN in the top band.
func (a *Agency) NextBandPoints() float64 {
	if a.Result == nil || a.Result.PointsToNextBand == nil {
		return math.NaN()
	}
	return *a.Result.PointsToNextBand
}

// Percentages of an element row, for templates.

// IndexPct is the element index in percent.
func (e ElementRow) IndexPct() float64 { return e.Index * 100 }

// LowPct is the lower bound of the element's 95% interval in percent.
func (e ElementRow) LowPct() float64 { return e.Low * 100 }

// HighPct is the upper bound of the element's 95% interval in percent.
func (e ElementRow) HighPct() float64 { return e.High * 100 }

// reasonNamer words why a leaf has no input with names, not codes: the
// scoring engine's reasons (kept in snapshots) name metrics, instruments and
// elements by their codes.
type reasonNamer struct {
	s       *Service
	l       Locale
	metrics map[string]string // code → name in the reader's language
}

func (s *Service) reasonNamer(ctx context.Context, l Locale) (*reasonNamer, error) {
	ms, err := s.DB.Metrics(ctx)
	if err != nil {
		return nil, err
	}
	r := &reasonNamer{s: s, l: l, metrics: map[string]string{}}
	for _, m := range ms {
		name := m.NameVI
		if l.Lang == "en" && m.NameEN != "" {
			name = m.NameEN
		}
		r.metrics[m.Code] = name
	}
	return r, nil
}

// instrument is the instrument a survey leaf reads, nil for another
// leaf or an instrument that cannot be read (its reason then keeps codes).
func (r *reasonNamer) instrument(ctx context.Context, n *criteria.Node) *survey.Instrument {
	if n.Method != criteria.MethodSurvey {
		return nil
	}
	in, err := r.s.Survey.Instrument(ctx, n.Instrument)
	if err != nil {
		return nil
	}
	return in
}

// reasonWord finds the codes in a reason's text.
var reasonWord = regexp.MustCompile(`[a-z][a-z0-9_]*`)

func (r *reasonNamer) name(ctx context.Context, n *criteria.Node, reason *scoring.Reason) string {
	if in := r.instrument(ctx, n); in != nil {
		// The only reason of a survey leaf: no result for what it reads.
		what := pick(r.l, in.Name)
		switch {
		case n.Element != "":
			for _, e := range in.Elements {
				if e.Code == n.Element {
					what += " · " + pick(r.l, e.Name)
				}
			}
		case n.Question != "":
			what += " · " + r.l.T("dash.reason.survey_question", n.Question)
		default:
			what += " · " + r.l.T("dash.reason.survey_overall")
		}
		return r.l.T("dash.reason.no_survey", what)
	}
	text := reason.VI
	if r.l.Lang == "en" {
		text = reason.EN
	}
	return reasonWord.ReplaceAllStringFunc(text, func(w string) string {
		if name, ok := r.metrics[w]; ok {
			return "“" + name + "”"
		}
		return w
	})
}
