package dashboard

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"parindex"
	"parindex/store"
)

// monitorDays is how far back the survey monitor looks.
const monitorDays = 90

// Monitor is the survey monitor: responses per day and per unit over the
// last days, and the share flagged by the quality checks.
type Monitor struct {
	From, To  parindex.Date
	Today     int // responses today
	Responses int
	Flagged   int
	Panels    []Panel
}

// FlaggedShare is the share of responses flagged, in percent; NaN when none.
func (m *Monitor) FlaggedShare() float64 { return share(m.Flagged, m.Responses) }

// TodayF is today's count as float64, for templates.
func (m *Monitor) TodayF() float64 { return float64(m.Today) }

// ResponsesF is the period's count as float64, for templates.
func (m *Monitor) ResponsesF() float64 { return float64(m.Responses) }

func share(part, whole int) float64 {
	if whole == 0 {
		return math.NaN()
	}
	return float64(part) / float64(whole) * 100
}

// Monitor builds the survey monitor for the days up to today (in Vietnam).
func (s *Service) Monitor(ctx context.Context, l Locale) (*Monitor, error) {
	now := s.DB.Now().In(vietnamTime)
	m := &Monitor{To: parindex.DateOf(now), From: parindex.DateOf(now.AddDate(0, 0, -(monitorDays - 1)))}
	days, err := s.DB.ResponsesPerDay(ctx, m.From, m.To)
	if err != nil {
		return nil, err
	}
	perUnit, err := s.DB.ResponsesPerUnit(ctx, m.From, m.To)
	if err != nil {
		return nil, err
	}
	units, err := s.DB.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*parindex.OrgUnit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	perDay := map[parindex.Date]store.ResponseTally{}
	for _, d := range days {
		perDay[d.Day] = d
		m.Responses += d.Responses
		m.Flagged += d.Flagged
	}
	m.Today = perDay[m.To].Responses

	// Per day: every day of the period, zero days included.
	dp := Panel{ID: "chart-monitor-days", Title: l.n("dash.monitor_days_title", monitorDays)}
	dp.Table = &Table{ID: "monitor-days", Caption: dp.Title, Columns: []Column{{Label: l.T("dash.col.day")}, {Label: l.T("dash.responses"), Numeric: true},
		{Label: l.T("dash.col.flagged"), Numeric: true}, {Label: l.T("dash.col.flagged_share"), Numeric: true}}}
	var labels []string
	var clean, flagged []opts.BarData
	for d := m.From; !m.To.Before(d); d = parindex.DateOf(time.Date(d.Year, time.Month(d.Month), d.Day+1, 12, 0, 0, 0, time.UTC)) {
		t := perDay[d]
		labels = append(labels, d.VietnameseString())
		clean = append(clean, opts.BarData{Value: t.Responses - t.Flagged})
		flagged = append(flagged, opts.BarData{Value: t.Flagged})
		dp.Table.Rows = append(dp.Table.Rows, []Cell{text(d.VietnameseString()), number(l, float64(t.Responses), 0), number(l, float64(t.Flagged), 0),
			number(l, share(t.Flagged, t.Responses), 1)})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(dp.Title), charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", MinInterval: 1}))...)
	bar.SetXAxis(labels).
		AddSeries(l.T("dash.col.clean"), clean, charts.WithBarChartOpts(opts.BarChart{Stack: "day"})).
		AddSeries(l.T("dash.col.flagged"), flagged, charts.WithBarChartOpts(opts.BarChart{Stack: "day"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: "#cf222e"}))
	if dp.Option, err = encode(bar); err != nil {
		return nil, err
	}
	m.Panels = append(m.Panels, dp)

	// Per unit, busiest first.
	up := Panel{ID: "monitor-units", Title: l.n("dash.monitor_units_title", monitorDays)}
	up.Table = &Table{ID: "monitor-units", Caption: up.Title, Columns: []Column{{Label: l.T("dash.col.unit")}, {Label: l.T("dash.responses"), Numeric: true},
		{Label: l.T("dash.col.flagged"), Numeric: true}, {Label: l.T("dash.col.flagged_share"), Numeric: true}}}
	tallies := make([]store.ResponseTally, 0, len(perUnit))
	for _, t := range perUnit {
		tallies = append(tallies, t)
	}
	sort.Slice(tallies, func(i, j int) bool {
		if tallies[i].Responses != tallies[j].Responses {
			return tallies[i].Responses > tallies[j].Responses
		}
		return tallies[i].UnitID < tallies[j].UnitID
	})
	for _, t := range tallies {
		name := text("")
		if u := byID[t.UnitID]; u != nil {
			name = text(u.Name)
			name.Link = "/app/units/" + u.Code + "/dashboard"
		}
		up.Table.Rows = append(up.Table.Rows, []Cell{name, number(l, float64(t.Responses), 0), number(l, float64(t.Flagged), 0),
			number(l, share(t.Flagged, t.Responses), 1)})
	}
	m.Panels = append(m.Panels, up)
	return m, nil
}
