package dashboard

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"

	"parindex"
	"parindex/criteria"
	"parindex/integrity"
	"parindex/scoring"
	"parindex/store"
	"parindex/survey"
)

// Service builds dashboards from the database.
type Service struct {
	DB             *store.DB
	Survey         *survey.Service
	surveyCache    *freshCache[surveyKey, map[string]survey.GroupResult]
	integrityCache *freshCache[surveyKey, integrity.Report]
	snapshots      snapshotCache
}

// New prepares the dashboards' service.
func New(db *store.DB, sv *survey.Service) *Service {
	return &Service{DB: db, Survey: sv, surveyCache: newFreshCache[surveyKey, map[string]survey.GroupResult](surveyMinAge, 0),
		integrityCache: newFreshCache[surveyKey, integrity.Report](integrityMinAge, integrityMaxAge),
		snapshots:      snapshotCache{entries: map[int64]*loadedSnapshot{}, frameworks: map[string]*criteria.Framework{}}}
}

// Filter selects what the overview shows; zero fields take defaults (the
// newest published framework and year, every agency type and parent).
type Filter struct {
	Year       int
	Framework  string
	AgencyType string
	Parent     string // a unit code: only the units under it
}

// Option is one choice of a filter's list.
type Option struct {
	Value, Label string
}

// RankRow is one agency of a ranking.
type RankRow struct {
	Code, Name, Type string
	Index            float64 // published (rounded) index; NaN when none
	Points, Max      float64
	Rank             int
	RankLow          int // 5th–95th percentile of the simulated rank; 0 when not simulated
	RankHigh         int
	Band, BandName   string
	BandPosition     int     // 0 for the best band; -1 for none
	Respondents      int     // answering respondents (from counts: the most answers to one question)
	Forms            int     // survey forms counted, the headline's responses
	Satisfaction     float64 // overall survey index as a fraction; NaN when none
}

// BandCount is the number of agencies in one band.
type BandCount struct {
	Code, Name string
	Position   int
	Count      int
}

// YearPoint is the average index of one year.
type YearPoint struct {
	Year     int
	Average  float64
	Agencies int
}

// FunnelView is the funnel plot's data with unit names.
type FunnelView struct {
	Center float64
	Points []FunnelPointView
}

// FunnelPointView is one unit on the funnel plot.
type FunnelPointView struct {
	survey.FunnelPoint
	Name string
}

// FunnelLabels name the funnel plot's series.
type FunnelLabels struct {
	Units, Center, Limit95, Limit998 string
}

// Overview is the province overview.
type Overview struct {
	Filter     Filter
	Years      []Option
	Frameworks []Option
	Types      []Option
	Parents    []Option

	Snapshot  *parindex.Snapshot // nil: nothing published for the filter
	Framework *criteria.Framework

	Agencies     int
	Average      float64 // mean published index; NaN when none
	Bands        []BandCount
	Responses    int
	Satisfaction survey.Combined // overall satisfaction, combined over the units
	// SatisfactionWeighting says how Satisfaction weighs the units, and
	// which units' missing transaction counts made the weights equal.
	SatisfactionWeighting string
	Instrument            string

	Rows       []RankRow
	Localities []Locality // parent units with their combined survey figures
	Panels     []Panel
}

// Panel returns the panel with the id, or nil.
func (o *Overview) Panel(id string) *Panel { return panelByID(o.Panels, id) }

// published lists the published snapshots, newest first, without documents.
func (s *Service) published(ctx context.Context) ([]*parindex.Snapshot, error) {
	return s.DB.FindSnapshots(ctx, store.SnapshotFilter{Status: parindex.StatusPublished})
}

// Overview builds the province overview for the filter.
func (s *Service) Overview(ctx context.Context, f Filter, l Locale) (*Overview, error) {
	all, err := s.published(ctx)
	if err != nil {
		return nil, err
	}
	o := &Overview{Filter: f, Average: math.NaN()}
	o.Satisfaction.Index = math.NaN()
	seenFw := map[string]bool{}
	for _, sn := range all {
		if !seenFw[sn.FrameworkCode] {
			seenFw[sn.FrameworkCode] = true
			// Published frameworks are cached: naming them costs no query.
			fw, err := s.framework(ctx, sn.FrameworkCode)
			if err != nil {
				return nil, err
			}
			o.Frameworks = append(o.Frameworks, Option{sn.FrameworkCode, fw.Name})
		}
	}
	if o.Filter.Framework == "" && len(all) > 0 {
		o.Filter.Framework = all[0].FrameworkCode
	}
	var chosen *parindex.Snapshot
	seenYear := map[int]bool{}
	for _, sn := range all { // newest first: the first match is the latest run
		if sn.FrameworkCode != o.Filter.Framework {
			continue
		}
		if !seenYear[sn.Year] {
			seenYear[sn.Year] = true
			o.Years = append(o.Years, Option{fmt.Sprint(sn.Year), fmt.Sprint(sn.Year)})
		}
		if chosen == nil && (o.Filter.Year == 0 || o.Filter.Year == sn.Year) {
			chosen = sn
		}
	}
	if chosen == nil {
		return o, nil
	}
	o.Filter.Year = chosen.Year
	loaded, err := s.loadSnapshot(ctx, chosen.ID)
	if err != nil {
		return nil, err
	}
	o.Snapshot, o.Framework = loaded.snapshot, loaded.framework
	res := loaded.result
	units, err := s.DB.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	byCode := map[string]*parindex.OrgUnit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	o.Types, o.Parents = filterOptions(res, byCode, l)
	include := func(code string) bool {
		u := byCode[code]
		if u == nil {
			return o.Filter.AgencyType == "" && o.Filter.Parent == ""
		}
		if o.Filter.AgencyType != "" && u.Type != o.Filter.AgencyType {
			return false
		}
		return o.Filter.Parent == "" || under(u, o.Filter.Parent, byCode)
	}

	o.Instrument = surveyInstrument(o.Framework)
	surveyed, transactions, err := s.publishedFigures(ctx, loaded, o.Instrument, o.Filter.Year)
	if err != nil {
		return nil, err
	}
	bandPos := map[string]int{}
	for i, b := range o.Framework.Bands {
		bandPos[b.Code] = i
		o.Bands = append(o.Bands, BandCount{Code: b.Code, Name: b.Name, Position: i})
	}
	var sum float64
	var figures []survey.UnitFigure
	names := map[string]string{}
	for _, a := range res.Agencies {
		if !include(a.Code) {
			continue
		}
		row := RankRow{Code: a.Code, Name: a.Name, Index: value(a.IndexRounded), Points: a.Points, Max: a.Max, Rank: a.Rank,
			Band: a.Band, BandName: a.BandName, BandPosition: -1, Satisfaction: math.NaN()}
		names[a.Code] = a.Name
		if u := byCode[a.Code]; u != nil {
			row.Type = u.Type
		}
		if p, ok := bandPos[a.Band]; ok && a.Band != "" {
			row.BandPosition = p
			o.Bands[p].Count++
		}
		if a.RankInterval != nil {
			row.RankLow, row.RankHigh = a.RankInterval[0], a.RankInterval[1]
		}
		if g, ok := surveyed[a.Code]; ok {
			row.Respondents = g.Respondents
			row.Satisfaction = float64(g.Overall.Index)
			// Responses are forms; records kept before issue 21 have no
			// forms, and their respondents counted every form.
			row.Forms = g.Forms
			if row.Forms == 0 {
				row.Forms = g.Respondents
			}
			o.Responses += row.Forms
			figures = append(figures, survey.UnitFigure{Unit: a.Code, Index: row.Satisfaction, Respondents: g.Respondents})
		}
		if !math.IsNaN(row.Index) {
			sum += row.Index
			o.Agencies++
		}
		o.Rows = append(o.Rows, row)
	}
	if o.Agencies > 0 {
		o.Average = sum / float64(o.Agencies)
	}
	// The same weighting as the localities': by the year's transactions
	// when every unit has the count, else equally; raw answers are never
	// pooled.
	var missing []string
	if o.Satisfaction, missing, err = combine(figures, transactions, names); err != nil {
		return nil, err
	}
	o.SatisfactionWeighting = weightingText(l, o.Satisfaction, missing)
	trend, err := s.trend(ctx, all, o.Framework, include)
	if err != nil {
		return nil, err
	}
	if err := o.panels(l, res, trend, figures); err != nil {
		return nil, err
	}
	if o.Snapshot.Provisional() {
		if err := markProvisional(l, o.Panels); err != nil {
			return nil, err
		}
	}
	if err := o.localities(l, byCode, transactions); err != nil {
		return nil, err
	}
	return o, nil
}

// Locality is a parent unit with the selected agencies under it.
type Locality struct {
	Code, Name   string
	Agencies     int
	Average      float64 // mean published index; NaN when none
	Satisfaction survey.Combined
	Missing      []string // units without a transaction count, when they made the weights equal
}

// recordsMetric is the metric that counts a unit's transactions: its
// yearly value weighs the unit in a combined survey figure.
const recordsMetric = "records_received"

// transactions returns each unit's records received in the year, by unit
// code, for those that have the figure (reported for the year, or summed
// from its months and quarters).
// publishedFigures are the survey results and the transaction counts that
// the overview shows beside a snapshot's scores: those the snapshot kept,
// so that a published overview never changes; for a snapshot scored before
// snapshots kept them, today's.
func (s *Service) publishedFigures(ctx context.Context, l *loadedSnapshot, instrument string, year int) (map[string]survey.GroupResult, map[string]float64, error) {
	if l.record.Draws > 0 {
		surveyed := map[string]survey.GroupResult{}
		for code, u := range l.record.Units {
			if g, ok := u.Survey[instrument]; ok {
				surveyed[code] = g
			}
		}
		return surveyed, l.transactions, nil
	}
	var surveyed map[string]survey.GroupResult
	if instrument != "" {
		var err error
		surveyed, err = s.surveyUnits(ctx, instrument, year)
		if err != nil && parindex.ErrorCode(err) != parindex.ECodeNotFound {
			return nil, nil, err
		}
	}
	transactions, err := s.transactions(ctx, year)
	return surveyed, transactions, err
}

func (s *Service) transactions(ctx context.Context, year int) (map[string]float64, error) {
	metrics, err := s.DB.YearMetrics(ctx, year)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(metrics))
	for code, m := range metrics {
		if v, ok := m[recordsMetric]; ok {
			out[code] = v
		}
	}
	return out, nil
}

// combine is survey.Combine with the names of the units whose missing (or
// zero) transaction count made the weights equal.
func combine(figures []survey.UnitFigure, transactions map[string]float64, names map[string]string) (survey.Combined, []string, error) {
	c, err := survey.Combine(figures, transactions)
	if err != nil || c.Weighting != survey.WeightEqual {
		return c, nil, err
	}
	var missing []string
	for _, f := range figures {
		if f.Respondents == 0 || math.IsNaN(f.Index) {
			continue // left out of the figure: its count does not matter
		}
		if t := transactions[f.Unit]; !(t > 0) {
			missing = append(missing, names[f.Unit])
		}
	}
	return c, missing, nil
}

// maxMissingNames is how many units without a transaction count a
// weighting note names before it counts the rest.
const maxMissingNames = 5

// weightingText says how a combined figure weighs its units.
func weightingText(l Locale, c survey.Combined, missing []string) string {
	switch {
	case c.Weighting == survey.WeightTransactions:
		return l.T("dash.weight.transactions")
	case len(missing) > maxMissingNames:
		return l.T("dash.weight.missing", l.n("dash.weight.more", len(missing)-maxMissingNames, strings.Join(missing[:maxMissingNames], ", "), len(missing)-maxMissingNames))
	case len(missing) > 0:
		return l.T("dash.weight.missing", strings.Join(missing, ", "))
	default:
		return l.T("dash.weight.equal")
	}
}

// localities groups the selected agencies under each parent unit that has
// any: their average index and their combined survey figure, a stratified
// estimate over the units (never pooled raw answers) weighted like the
// headline's.
func (o *Overview) localities(l Locale, byCode map[string]*parindex.OrgUnit, transactions map[string]float64) error {
	p := Panel{ID: "chart-localities", Title: l.T("dash.localities_title", o.Filter.Year), Note: l.T("dash.localities_note")}
	p.Table = &Table{ID: "localities", Caption: p.Title, Columns: []Column{{Label: l.T("dash.col.locality")}, {Label: l.T("dash.col.agencies"), Numeric: true},
		{Label: l.T("dash.col.average"), Numeric: true}, {Label: l.T("dash.col.respondents"), Numeric: true}, {Label: l.T("dash.col.satisfaction"), Numeric: true},
		{Label: l.T("dash.col.ci95")}, {Label: l.T("dash.col.weighting")}}}
	var locs []Locality
	for _, parent := range o.Parents {
		loc := Locality{Code: parent.Value, Name: parent.Label, Average: math.NaN()}
		var sum float64
		var n int
		var figs []survey.UnitFigure
		names := map[string]string{}
		for _, r := range o.Rows {
			u := byCode[r.Code]
			if u == nil || u.Code == parent.Value || !under(u, parent.Value, byCode) {
				continue
			}
			loc.Agencies++
			if !math.IsNaN(r.Index) {
				sum += r.Index
				n++
			}
			if r.Respondents > 0 {
				figs = append(figs, survey.UnitFigure{Unit: r.Code, Index: r.Satisfaction, Respondents: r.Respondents})
				names[r.Code] = r.Name
			}
		}
		if loc.Agencies == 0 {
			continue
		}
		if n > 0 {
			loc.Average = sum / float64(n)
		}
		var err error
		if loc.Satisfaction, loc.Missing, err = combine(figs, transactions, names); err != nil {
			return err
		}
		locs = append(locs, loc)
		c := loc.Satisfaction
		ci := text("")
		if !math.IsNaN(c.Index) {
			ci = text(l.num(float64(c.CI95[0])*100, 1) + "–" + l.num(float64(c.CI95[1])*100, 1))
			if c.Respondents < survey.DefaultMinRespondents {
				// Greyed, with the word: too few respondents to conclude.
				ci.Text += " (" + l.T("dash.adequacy.insufficient") + ")"
				ci.Class = "ci-insufficient"
			}
		}
		name := text(loc.Name)
		name.Link = "/app/dashboard?" + url.Values{"framework": {o.Filter.Framework}, "year": {fmt.Sprint(o.Filter.Year)}, "parent": {loc.Code}}.Encode()
		p.Table.Rows = append(p.Table.Rows, []Cell{name, number(l, float64(loc.Agencies), 0), number(l, loc.Average, 2),
			number(l, float64(c.Respondents), 0), number(l, c.Index*100, 1), ci, text(weightingText(l, c, loc.Missing))})
	}
	if len(locs) == 0 {
		return nil
	}
	o.Localities = locs
	var err error
	if p.Option, err = localityChart(p.Title, l.T("dash.col.average"), l.T("dash.col.satisfaction"), locs); err != nil {
		return err
	}
	o.Panels = append(o.Panels, p)
	return nil
}

// framework returns a stored framework, parsed; published frameworks are
// frozen, so they are parsed once and kept. Callers must not modify it.
func (s *Service) framework(ctx context.Context, code string) (*criteria.Framework, error) {
	s.snapshots.mu.Lock()
	f, ok := s.snapshots.frameworks[code]
	s.snapshots.mu.Unlock()
	if ok {
		return f, nil
	}
	rec, err := s.DB.FrameworkByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if f, err = rec.Framework(); err != nil {
		return nil, err
	}
	if rec.Status == parindex.StatusPublished {
		s.snapshots.mu.Lock()
		s.snapshots.frameworks[code] = f
		s.snapshots.mu.Unlock()
	}
	return f, nil
}

// surveyInstrument is the instrument the framework's survey leaves read.
func surveyInstrument(f *criteria.Framework) string {
	for _, leaf := range f.Leaves() {
		if leaf.Method == criteria.MethodSurvey && leaf.Instrument != "" {
			return leaf.Instrument
		}
	}
	return ""
}

func value(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// under reports whether the unit is the parent or below it.
func under(u *parindex.OrgUnit, parent string, byCode map[string]*parindex.OrgUnit) bool {
	for depth := 0; u != nil && depth < 64; depth++ {
		if u.Code == parent {
			return true
		}
		u = byCode[u.ParentCode]
	}
	return false
}

// filterOptions lists the agency types of the snapshot and the units that
// are parents of its agencies.
func filterOptions(res *scoring.Result, byCode map[string]*parindex.OrgUnit, l Locale) (types, parents []Option) {
	seenType, seenParent := map[string]bool{}, map[string]bool{}
	for _, a := range res.Agencies {
		u := byCode[a.Code]
		if u == nil {
			continue
		}
		if !seenType[u.Type] {
			seenType[u.Type] = true
			types = append(types, Option{u.Type, l.T("unit_type." + u.Type)})
		}
		for p := byCode[u.ParentCode]; p != nil && !seenParent[p.Code]; p = byCode[p.ParentCode] {
			seenParent[p.Code] = true
			parents = append(parents, Option{p.Code, p.Name})
		}
	}
	sort.Slice(types, func(i, j int) bool { return types[i].Value < types[j].Value })
	return types, parents
}

// trend averages, per year, the published index of the selected agencies
// over the latest published snapshot of every framework that scores the
// same agency types.
func (s *Service) trend(ctx context.Context, all []*parindex.Snapshot, f *criteria.Framework, include func(string) bool) ([]YearPoint, error) {
	done := map[int]bool{}
	frameworks := map[string]*criteria.Framework{f.Code: f}
	var out []YearPoint
	for _, sn := range all {
		fw, ok := frameworks[sn.FrameworkCode]
		if !ok {
			var err error
			if fw, err = s.framework(ctx, sn.FrameworkCode); err != nil {
				return nil, err
			}
			frameworks[sn.FrameworkCode] = fw
		}
		if done[sn.Year] || !slices.ContainsFunc(fw.AgencyTypes, func(t string) bool { return slices.Contains(f.AgencyTypes, t) }) {
			continue
		}
		done[sn.Year] = true
		full, err := s.DB.FindSnapshots(ctx, store.SnapshotFilter{ID: sn.ID, WithUnits: true})
		if err != nil || len(full) == 0 {
			return nil, err
		}
		p := YearPoint{Year: sn.Year}
		var sum float64
		for _, u := range full[0].Units {
			if u.IndexRounded != nil && include(u.UnitCode) {
				sum += *u.IndexRounded
				p.Agencies++
			}
		}
		if p.Agencies > 0 {
			p.Average = sum / float64(p.Agencies)
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// areas are the framework's top-level nodes outside the bonus/penalty block.
func areas(f *criteria.Framework) []*criteria.Node {
	var out []*criteria.Node
	for _, n := range f.Nodes {
		if !n.Adjustment {
			out = append(out, n)
		}
	}
	return out
}

// panels builds every chart of the overview with its table.
func (o *Overview) panels(l Locale, res *scoring.Result, trend []YearPoint, figures []survey.UnitFigure) error {
	year := o.Filter.Year
	pct := l.T("dash.percent")
	var err error

	// Ranking.
	rank := Panel{ID: "chart-ranking", Title: l.T("dash.ranking_title", year), Height: "tall", Rows: len(o.Rows)}
	rank.Table = &Table{ID: "ranking", Caption: rank.Title, Columns: []Column{{Label: l.T("dash.col.rank"), Numeric: true},
		{Label: l.T("dash.col.unit")}, {Label: l.T("dash.col.index"), Numeric: true}, {Label: l.T("dash.col.band")},
		{Label: l.T("dash.col.rank_interval")}, {Label: l.T("dash.col.points"), Numeric: true}, {Label: l.T("dash.col.max"), Numeric: true},
		{Label: l.T("dash.col.respondents"), Numeric: true}, {Label: l.T("dash.col.satisfaction"), Numeric: true}}}
	for _, r := range o.Rows {
		interval := text("")
		if r.RankLow > 0 {
			interval = Cell{Text: fmt.Sprintf("%d–%d", r.RankLow, r.RankHigh), Value: math.NaN()}
		}
		rk := number(l, float64(r.Rank), 0)
		if r.Rank == 0 {
			rk = text("")
		}
		name := text(r.Name)
		name.Link = "/app/units/" + r.Code + "/dashboard?year=" + fmt.Sprint(year)
		band := text(r.BandName)
		if r.BandPosition >= 0 {
			band.Class = fmt.Sprintf("band band-%d", r.BandPosition)
		}
		rank.Table.Rows = append(rank.Table.Rows, []Cell{rk, name, number(l, r.Index, o.Framework.Rounding), band, interval,
			number(l, r.Points, 2), number(l, r.Max, 2), number(l, float64(r.Respondents), 0), number(l, r.Satisfaction*100, 1)})
	}
	if rank.Option, err = rankingChart(rank.Title, pct, o.Rows); err != nil {
		return err
	}
	o.Panels = append(o.Panels, rank)

	// Rank intervals.
	ri := Panel{ID: "chart-rank-interval", Title: l.T("dash.rank_interval_title", year), Note: l.T("dash.rank_interval_note"), Height: "tall", Rows: len(o.Rows)}
	if ri.Option, err = rankIntervalChart(ri.Title, l.T("dash.col.rank"), o.Rows); err != nil {
		return err
	}
	if ri.Option != nil {
		ri.Table = &Table{ID: "rank-interval", Caption: ri.Title, Columns: []Column{{Label: l.T("dash.col.unit")}, {Label: l.T("dash.col.rank"), Numeric: true},
			{Label: l.T("dash.col.rank_low"), Numeric: true}, {Label: l.T("dash.col.rank_high"), Numeric: true}}}
		for _, r := range o.Rows {
			if r.RankLow > 0 {
				ri.Table.Rows = append(ri.Table.Rows, []Cell{text(r.Name), number(l, float64(r.Rank), 0), number(l, float64(r.RankLow), 0), number(l, float64(r.RankHigh), 0)})
			}
		}
		o.Panels = append(o.Panels, ri)
	}

	// Bands.
	bands := Panel{ID: "chart-bands", Title: l.T("dash.bands_title", year)}
	bands.Table = &Table{ID: "bands", Caption: bands.Title, Columns: []Column{{Label: l.T("dash.col.band")}, {Label: l.T("dash.col.agencies"), Numeric: true}}}
	for _, b := range o.Bands {
		bands.Table.Rows = append(bands.Table.Rows, []Cell{text(b.Name), number(l, float64(b.Count), 0)})
	}
	if bands.Option, err = bandChart(bands.Title, l.T("dash.col.agencies"), o.Bands); err != nil {
		return err
	}
	o.Panels = append(o.Panels, bands)

	// Heatmap agency × area.
	heat := Panel{ID: "chart-heatmap", Title: l.T("dash.heatmap_title", year), Height: "tall", Rows: len(o.Rows)}
	areaNodes := areas(o.Framework)
	heat.Table = &Table{ID: "heatmap", Caption: heat.Title, Columns: []Column{{Label: l.T("dash.col.unit")}}}
	var areaNames, unitNames []string
	for _, a := range areaNodes {
		areaNames = append(areaNames, a.Label())
		heat.Table.Columns = append(heat.Table.Columns, Column{Label: a.Code + ". " + a.Name, Numeric: true})
	}
	var values [][]float64
	for _, r := range o.Rows {
		a := res.Agency(r.Code)
		if a == nil {
			continue
		}
		unitNames = append(unitNames, r.Name)
		row := []Cell{text(r.Name)}
		vals := make([]float64, len(areaNodes))
		for j, n := range areaNodes {
			vals[j] = math.NaN()
			if nr, ok := a.Node(n.Code); ok {
				vals[j] = nr.Percent()
			}
			row = append(row, number(l, vals[j], 1))
		}
		values = append(values, vals)
		heat.Table.Rows = append(heat.Table.Rows, row)
	}
	if heat.Option, err = heatmapChart(heat.Title, pct, unitNames, areaNames, values); err != nil {
		return err
	}
	o.Panels = append(o.Panels, heat)

	// Index over the years.
	tr := Panel{ID: "chart-trend", Title: l.T("dash.trend_title")}
	tr.Table = &Table{ID: "trend", Caption: tr.Title, Columns: []Column{{Label: l.T("dash.col.year")}, {Label: l.T("dash.col.average"), Numeric: true},
		{Label: l.T("dash.col.agencies"), Numeric: true}}}
	for _, p := range trend {
		tr.Table.Rows = append(tr.Table.Rows, []Cell{text(fmt.Sprint(p.Year)), number(l, p.Average, 2), number(l, float64(p.Agencies), 0)})
	}
	if tr.Option, err = trendChart(tr.Title, pct, trend); err != nil {
		return err
	}
	o.Panels = append(o.Panels, tr)

	// Funnel plot.
	fn := Panel{ID: "chart-funnel", Title: l.T("dash.funnel_title", year), Note: l.T("dash.funnel_note")}
	fd := survey.FunnelData(figures)
	names := map[string]string{}
	for _, r := range o.Rows {
		names[r.Code] = r.Name
	}
	fv := FunnelView{Center: fd.Center}
	for _, p := range fd.Points {
		fv.Points = append(fv.Points, FunnelPointView{FunnelPoint: p, Name: names[p.Unit]})
	}
	fn.Table = &Table{ID: "funnel", Caption: fn.Title, Columns: []Column{{Label: l.T("dash.col.unit")}, {Label: l.T("dash.col.respondents"), Numeric: true},
		{Label: l.T("dash.col.satisfaction"), Numeric: true}, {Label: l.T("dash.col.limits95")}, {Label: l.T("dash.col.limits998")}, {Label: l.T("dash.col.signal")}}}
	for _, p := range fv.Points {
		signal := ""
		switch {
		case p.Outside998:
			signal = l.T("dash.outside998")
		case p.Outside95:
			signal = l.T("dash.outside95")
		}
		fn.Table.Rows = append(fn.Table.Rows, []Cell{text(p.Name), number(l, float64(p.N), 0), number(l, p.Rate*100, 1),
			text(l.num(p.Lower95*100, 1) + "–" + l.num(p.Upper95*100, 1)), text(l.num(p.Lower998*100, 1) + "–" + l.num(p.Upper998*100, 1)), text(signal)})
	}
	labels := FunnelLabels{Units: l.T("dash.col.unit"), Center: l.T("dash.funnel_center"), Limit95: l.T("dash.col.limits95"), Limit998: l.T("dash.col.limits998")}
	if fn.Option, err = funnelChart(fn.Title, l.T("dash.col.respondents"), l.T("dash.col.satisfaction"), labels, fv); err != nil {
		return err
	}
	o.Panels = append(o.Panels, fn)
	return nil
}

// Figures as float64, for templates' number formatting.

// AgenciesF is the number of agencies with an index.
func (o *Overview) AgenciesF() float64 { return float64(o.Agencies) }

// ResponsesF is the number of survey respondents of the selected agencies.
func (o *Overview) ResponsesF() float64 { return float64(o.Responses) }

// SatisfactionPct is the combined overall satisfaction in percent, with its
// 95% interval.
func (o *Overview) SatisfactionPct() [3]float64 {
	c := o.Satisfaction
	return [3]float64{c.Index * 100, float64(c.CI95[0]) * 100, float64(c.CI95[1]) * 100}
}

// CountF is the band's count as float64.
func (b BandCount) CountF() float64 { return float64(b.Count) }
