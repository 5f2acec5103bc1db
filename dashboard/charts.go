package dashboard

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"parindex/stats"
)

// Panel is one chart with its table. ID is fixed (golden tests and the
// page's element ids use it); Option is the ECharts option as JSON, nil
// when there is nothing to draw.
type Panel struct {
	ID     string
	Title  string
	Note   string
	Option json.RawMessage
	Table  *Table
	Height string // CSS class for the chart's height: "tall" for long rankings
	Rows   int    // categories on the chart's long axis, so the page can give each room
}

// panelByID returns the panel of panels with the id, or nil; the pages'
// Panel methods look up through it.
func panelByID(panels []Panel, id string) *Panel {
	for i := range panels {
		if panels[i].ID == id {
			return &panels[i]
		}
	}
	return nil
}

// chart is what every go-echarts chart offers.
type chart interface {
	Validate()
	JSON() map[string]interface{}
}

// encode validates a chart and encodes its option with encoding/json, which
// escapes <, > and & so the result can sit in an HTML data block. The
// go-echarts page renderer is never used: it would put the option into an
// executable script and turn "__f__…__f__" strings into code.
func encode(c chart) (json.RawMessage, error) {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, fmt.Errorf("dashboard: unable to encode chart: %w", err)
	}
	return b, nil
}

// markProvisional adds "provisional" to the title of every panel, its
// table's caption and its chart's title, for a page that shows a snapshot
// published as provisional: a chart copied out of the page still says so.
func markProvisional(l Locale, panels []Panel) error {
	suffix := " (" + l.T("dash.provisional_short") + ")"
	for i := range panels {
		p := &panels[i]
		p.Title += suffix
		if p.Table != nil {
			p.Table.Caption += suffix
		}
		if len(p.Option) == 0 {
			continue
		}
		var option map[string]any
		if err := json.Unmarshal(p.Option, &option); err != nil {
			return fmt.Errorf("dashboard: panel %s: %w", p.ID, err)
		}
		if title, ok := option["title"].(map[string]any); ok {
			if text, ok := title["text"].(string); ok {
				title["text"] = text + suffix
			}
		} else if titles, ok := option["title"].([]any); ok {
			for _, t := range titles {
				if title, ok := t.(map[string]any); ok {
					if text, ok := title["text"].(string); ok {
						title["text"] = text + suffix
					}
				}
			}
		}
		b, err := json.Marshal(option)
		if err != nil {
			return fmt.Errorf("dashboard: panel %s: %w", p.ID, err)
		}
		p.Option = b
	}
	return nil
}

// bandColours colour the bands from the best down; a framework with more
// bands reuses the last.
var bandColours = []string{"#1a7f37", "#0969da", "#bf8700", "#cf222e", "#6e7781"}

func bandColour(position int) string {
	if position < 0 {
		return "#8c959f"
	}
	if position >= len(bandColours) {
		return bandColours[len(bandColours)-1]
	}
	return bandColours[position]
}

func base(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
	}
}

// round2 keeps chart data short; tables carry the published figures.
func round2(x float64) float64 { return stats.RoundHalfUp(x, 2) }

// rankingChart draws agencies' indices as horizontal bars, best on top,
// each coloured by its band.
func rankingChart(title, axis string, rows []RankRow) (json.RawMessage, error) {
	names := make([]string, 0, len(rows))
	data := make([]opts.BarData, 0, len(rows))
	for _, r := range rows {
		if math.IsNaN(r.Index) {
			continue
		}
		names = append(names, r.Name)
		data = append(data, opts.BarData{Name: r.Name, Value: round2(r.Index), ItemStyle: &opts.ItemStyle{Color: bandColour(r.BandPosition)}})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title),
		charts.WithGridOpts(opts.Grid{Left: "30%", Right: "6%", Top: "40", Bottom: "30"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: axis, Min: 0, Max: 100}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
	)...)
	bar.SetXAxis(names).AddSeries(axis, data)
	bar.XYReversal()
	return encode(bar)
}

// rankIntervalChart draws each agency's 5th–95th percentile rank interval
// as a floating bar (an invisible bar up to the lower bound, stacked under
// the interval), with the median rank beside it.
func rankIntervalChart(title, axis string, rows []RankRow) (json.RawMessage, error) {
	var names []string
	var hidden, span []opts.BarData
	for _, r := range rows {
		if r.RankLow == 0 {
			continue
		}
		names = append(names, r.Name)
		hidden = append(hidden, opts.BarData{Value: r.RankLow - 1})
		span = append(span, opts.BarData{Name: r.Name, Value: r.RankHigh - r.RankLow + 1, ItemStyle: &opts.ItemStyle{Color: bandColour(r.BandPosition)}})
	}
	if len(names) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title),
		charts.WithGridOpts(opts.Grid{Left: "30%", Right: "6%", Top: "40", Bottom: "30"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: axis, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
	)...)
	bar.SetXAxis(names).
		AddSeries("offset", hidden, charts.WithBarChartOpts(opts.BarChart{Stack: "rank"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: "transparent"})).
		AddSeries(axis, span, charts.WithBarChartOpts(opts.BarChart{Stack: "rank"}))
	bar.XYReversal()
	return encode(bar)
}

// bandChart draws the number of agencies in each band.
func bandChart(title, axis string, bands []BandCount) (json.RawMessage, error) {
	names := make([]string, len(bands))
	data := make([]opts.BarData, len(bands))
	for i, b := range bands {
		names[i] = b.Name
		data[i] = opts.BarData{Name: b.Name, Value: b.Count, ItemStyle: &opts.ItemStyle{Color: bandColour(b.Position)}}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title), charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: axis, MinInterval: 1}))...)
	bar.SetXAxis(names).AddSeries(axis, data)
	return encode(bar)
}

// heatmapChart draws agency × area, each cell the percentage of the area's
// maximum the agency earned.
func heatmapChart(title, axis string, units []string, areas []string, values [][]float64) (json.RawMessage, error) {
	var data []opts.HeatMapData
	for i := range units {
		for j := range areas {
			v := values[i][j]
			if math.IsNaN(v) {
				continue
			}
			data = append(data, opts.HeatMapData{Value: [3]any{j, i, round2(v)}})
		}
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(append(base(title),
		charts.WithGridOpts(opts.Grid{Left: "30%", Right: "4%", Top: "40", Bottom: "90"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: areas, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: units, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: 0, Max: 100, Orient: "horizontal", Left: "center", Bottom: "0",
			Text: []string{axis}, InRange: &opts.VisualMapInRange{Color: []string{"#cf222e", "#f5e0a0", "#1a7f37"}}}),
	)...)
	hm.SetXAxis(areas).AddSeries(axis, data)
	return encode(hm)
}

// trendChart draws the average index per year.
func trendChart(title, axis string, points []YearPoint) (json.RawMessage, error) {
	years := make([]string, len(points))
	data := make([]opts.LineData, len(points))
	for i, p := range points {
		years[i] = fmt.Sprint(p.Year)
		data[i] = opts.LineData{Value: round2(p.Average)}
	}
	line := charts.NewLine()
	line.SetGlobalOptions(append(base(title), charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: axis, Min: 0, Max: 100}))...)
	line.SetXAxis(years).AddSeries(axis, data)
	return encode(line)
}

// funnelChart draws each unit's satisfaction against its respondents, with
// the 95% and 99.8% control limits around the province rate.
func funnelChart(title, xAxis, yAxis string, labels FunnelLabels, f FunnelView) (json.RawMessage, error) {
	if len(f.Points) == 0 {
		return nil, nil
	}
	var points []opts.ScatterData
	maxN := 0
	for _, p := range f.Points {
		points = append(points, opts.ScatterData{Name: p.Name, Value: []float64{float64(p.N), round2(p.Rate * 100)}})
		maxN = max(maxN, p.N)
	}
	sc := charts.NewScatter()
	sc.SetGlobalOptions(append(base(title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xAxis, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yAxis, Scale: opts.Bool(true)}),
	)...)
	sc.AddSeries(labels.Units, points)
	limit := func(z float64, sign float64) []opts.LineData {
		var out []opts.LineData
		for _, n := range funnelGrid(maxN) {
			se := math.Sqrt(f.Center * (1 - f.Center) / float64(n))
			out = append(out, opts.LineData{Value: []float64{float64(n), round2(math.Min(1, math.Max(0, f.Center+sign*z*se)) * 100)}})
		}
		return out
	}
	z998 := stats.NormalQuantile(0.999)
	lines := charts.NewLine()
	lines.AddSeries(labels.Center, []opts.LineData{{Value: []float64{1, round2(f.Center * 100)}}, {Value: []float64{float64(maxN), round2(f.Center * 100)}}},
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	for _, l := range []struct {
		name string
		z    float64
		dash string
	}{{labels.Limit95, stats.Z95, "dashed"}, {labels.Limit998, z998, "dotted"}} {
		for _, sign := range []float64{-1, 1} {
			lines.AddSeries(l.name, limit(l.z, sign), charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Smooth: opts.Bool(true)}),
				charts.WithLineStyleOpts(opts.LineStyle{Type: l.dash, Color: "#57606a"}))
		}
	}
	sc.Overlap(lines)
	return encode(sc)
}

// funnelGrid is the respondents counts the limits are drawn at: dense at
// small n where the limits bend.
func funnelGrid(maxN int) []int {
	var out []int
	for n := 5; n < maxN; n = int(math.Ceil(float64(n) * 1.25)) {
		out = append(out, n)
	}
	return append(out, max(maxN, 5))
}

// radarChart draws an agency's area percentages against its peers'
// average.
func radarChart(title string, areas []string, own, peers []float64, ownName, peerName string) (json.RawMessage, error) {
	ind := make([]*opts.Indicator, len(areas))
	for i, a := range areas {
		ind[i] = &opts.Indicator{Name: a, Max: 100}
	}
	clean := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			if !math.IsNaN(x) {
				out[i] = round2(x)
			}
		}
		return out
	}
	r := charts.NewRadar()
	r.SetGlobalOptions(append(base(title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithRadarComponentOpts(opts.RadarComponent{Indicator: ind}),
	)...)
	r.AddSeries(ownName, []opts.RadarData{{Name: ownName, Value: clean(own)}}).
		AddSeries(peerName, []opts.RadarData{{Name: peerName, Value: clean(peers)}})
	return encode(r)
}

// surveyChart draws a unit's satisfaction per question with the 95%
// interval as a floating bar behind the point estimate.
func surveyChart(title, axis string, questions []QuestionRow) (json.RawMessage, error) {
	var names []string
	var low, span []opts.BarData
	var points []opts.ScatterData
	for _, q := range questions {
		if math.IsNaN(q.Satisfaction) {
			continue
		}
		names = append(names, q.Code)
		lo, hi := q.Low, q.High
		if math.IsNaN(lo) || math.IsNaN(hi) {
			lo, hi = q.Satisfaction, q.Satisfaction
		}
		low = append(low, opts.BarData{Value: round2(lo * 100)})
		span = append(span, opts.BarData{Name: q.Code, Value: round2((hi - lo) * 100)})
		points = append(points, opts.ScatterData{Name: q.Code, Value: []any{q.Code, round2(q.Satisfaction * 100)}})
	}
	if len(names) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: axis, Min: 0, Max: 100}),
	)...)
	bar.SetXAxis(names).
		AddSeries("low", low, charts.WithBarChartOpts(opts.BarChart{Stack: "ci"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: "transparent"})).
		AddSeries("ci95", span, charts.WithBarChartOpts(opts.BarChart{Stack: "ci"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: "#b6d4fe"}))
	sc := charts.NewScatter()
	sc.AddSeries(axis, points, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#0550ae"}))
	bar.Overlap(sc)
	return encode(bar)
}

// localityChart draws each locality's average index beside its combined
// satisfaction.
func localityChart(title, indexName, satisfactionName string, locs []Locality) (json.RawMessage, error) {
	names := make([]string, len(locs))
	index := make([]opts.BarData, len(locs))
	sat := make([]opts.BarData, len(locs))
	for i, l := range locs {
		names[i] = l.Name
		index[i] = opts.BarData{Name: l.Name, Value: nullable(l.Average)}
		sat[i] = opts.BarData{Name: l.Name, Value: nullable(l.Satisfaction.Index * 100)}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100}),
	)...)
	bar.SetXAxis(names).AddSeries(indexName, index).AddSeries(satisfactionName, sat)
	return encode(bar)
}

// nullable is a rounded figure, or "-" (ECharts' empty value) when undefined.
func nullable(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return round2(x)
}
