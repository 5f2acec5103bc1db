package dashboard

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"parindex"
	"parindex/integrity"
	"parindex/store"
)

// LinkDevicesShown is how many of a link's busiest devices its integrity
// drill-down shows one by one; the rest are summed.
const LinkDevicesShown = 10

// Colours of the drill-down's charts: the site's blue, and the doubtful
// label's red for the hours outside office hours.
const (
	officeColour  = "#0969da"
	outsideColour = "#cf222e"
)

// LinkIntegrityPanels are the three panels of a QR link's integrity
// drill-down (docs/integrity.md), each a chart with its table: its
// responses by hour of the day, office hours apart from the rest as the
// policy counts them; its kept five-minute slots of arrivals (the burst
// timeline), shown at clock; and the shares of its busiest devices,
// numbered, never named.
func LinkIntegrityPanels(l Locale, clock parindex.Clock, policy integrity.Policy, link integrity.Link, slots []integrity.Slot, devices store.LinkDevices) ([]Panel, error) {
	hours, err := hourPanel(l, policy, link)
	if err != nil {
		return nil, err
	}
	timeline, err := slotPanel(l, clock, slots)
	if err != nil {
		return nil, err
	}
	devs, err := devicePanel(l, devices)
	if err != nil {
		return nil, err
	}
	return []Panel{hours, timeline, devs}, nil
}

// hourPanel sums a link's responses by hour of the day, each clock hour
// counted in office hours or outside them (evenings, days off, holidays)
// by the policy, as the outside-hours indicator counts it.
func hourPanel(l Locale, policy integrity.Policy, link integrity.Link) (Panel, error) {
	var office, outside [24]int
	for _, h := range link.Hours {
		if policy.IsOfficeHour(h.Hour) {
			office[h.Hour.Hour()] += h.Count
		} else {
			outside[h.Hour.Hour()] += h.Count
		}
	}
	minutes := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	p := Panel{ID: "chart-hours", Title: l.T("integrity.hours_title"),
		Note: l.T("integrity.hours_note", minutes(policy.OfficeStart), minutes(policy.OfficeEnd))}
	inName, outName := l.T("integrity.col.office"), l.T("integrity.col.outside")
	p.Table = &Table{ID: "hours", Caption: p.Title, Columns: []Column{{Label: l.T("integrity.col.hour")},
		{Label: inName, Numeric: true}, {Label: outName, Numeric: true}, {Label: l.T("integrity.responses"), Numeric: true}}}
	names := make([]string, 24)
	in, out := make([]opts.BarData, 24), make([]opts.BarData, 24)
	for h := range 24 {
		names[h] = fmt.Sprintf("%02d:00", h)
		in[h], out[h] = opts.BarData{Value: office[h]}, opts.BarData{Value: outside[h]}
		p.Table.Rows = append(p.Table.Rows, []Cell{text(names[h] + "–" + fmt.Sprintf("%02d:59", h)), number(l, float64(office[h]), 0),
			number(l, float64(outside[h]), 0), number(l, float64(office[h]+outside[h]), 0)})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(p.Title),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: l.T("integrity.col.hour")}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: l.T("integrity.responses"), MinInterval: 1}),
	)...)
	bar.SetXAxis(names).
		AddSeries(inName, in, charts.WithBarChartOpts(opts.BarChart{Stack: "hour"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: officeColour})).
		AddSeries(outName, out, charts.WithBarChartOpts(opts.BarChart{Stack: "hour"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: outsideColour}))
	var err error
	p.Option, err = encode(bar)
	return p, err
}

// slotPanel lists a link's kept five-minute slots in time order. With none
// kept it has no chart and no table, and its note says so.
func slotPanel(l Locale, clock parindex.Clock, slots []integrity.Slot) (Panel, error) {
	p := Panel{ID: "chart-slots", Title: l.T("integrity.slots_title"), Note: l.T("integrity.slots_note", parindex.SlotKeptMinimum)}
	if len(slots) == 0 {
		p.Note = l.T("integrity.slots_none", parindex.SlotKeptMinimum)
		return p, nil
	}
	p.Table = &Table{ID: "slots", Caption: p.Title, Columns: []Column{{Label: l.T("integrity.col.slot")}, {Label: l.T("integrity.responses"), Numeric: true}}}
	names := make([]string, len(slots))
	data := make([]opts.BarData, len(slots))
	for i, s := range slots {
		names[i] = clock.FormatTime(s.Start) + "–" + clock.In(s.Start.Add(parindex.ArrivalSlotLength)).Format("15:04")
		data[i] = opts.BarData{Name: names[i], Value: s.Responses}
		p.Table.Rows = append(p.Table.Rows, []Cell{text(names[i]), number(l, float64(s.Responses), 0)})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(p.Title),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: l.T("integrity.col.slot")}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: l.T("integrity.responses"), MinInterval: 1}),
	)...)
	bar.SetXAxis(names).AddSeries(l.T("integrity.responses"), data,
		charts.WithBarChartOpts(opts.BarChart{BarWidth: "60%"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: officeColour}))
	var err error
	p.Option, err = encode(bar)
	return p, err
}

// devicePanel shows each of the busiest devices' share of the link's
// responses, then the other devices' and that of responses without one.
func devicePanel(l Locale, d store.LinkDevices) (Panel, error) {
	p := Panel{ID: "chart-devices", Title: l.T("integrity.devices_title"), Note: l.T("integrity.devices_note")}
	total := d.Other + d.Unrecorded
	for _, n := range d.Busiest {
		total += n
	}
	if total == 0 {
		p.Note = l.T("integrity.devices_none")
		return p, nil
	}
	type row struct {
		name string
		n    int
	}
	var rows []row
	for i, n := range d.Busiest {
		rows = append(rows, row{l.T("integrity.device", i+1), n})
	}
	if d.Other > 0 {
		rows = append(rows, row{l.T("integrity.device_other"), d.Other})
	}
	if d.Unrecorded > 0 {
		rows = append(rows, row{l.T("integrity.device_none"), d.Unrecorded})
	}
	share := l.T("integrity.col.share")
	p.Table = &Table{ID: "devices", Caption: p.Title, Columns: []Column{{Label: l.T("integrity.col.device")},
		{Label: l.T("integrity.responses"), Numeric: true}, {Label: share, Numeric: true}}}
	names := make([]string, len(rows))
	data := make([]opts.BarData, len(rows))
	most := 0.0
	for i, r := range rows {
		pct := 100 * float64(r.n) / float64(total)
		most = math.Max(most, pct)
		names[i] = r.name
		data[i] = opts.BarData{Name: r.name, Value: round2(pct)}
		p.Table.Rows = append(p.Table.Rows, []Cell{text(r.name), number(l, float64(r.n), 0), number(l, pct, 1)})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(p.Title),
		charts.WithGridOpts(opts.Grid{Left: "25%", Right: "6%", Top: "40", Bottom: "30"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: share, Min: 0, Max: math.Ceil(most/10) * 10}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
	)...)
	bar.SetXAxis(names).AddSeries(share, data,
		charts.WithBarChartOpts(opts.BarChart{BarWidth: "40%"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: officeColour}))
	bar.XYReversal()
	var err error
	p.Option, err = encode(bar)
	return p, err
}
