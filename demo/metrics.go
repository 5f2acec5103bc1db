package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"parindex"
	"parindex/store"
)

// oneStopMonthly are the one-stop-shop figures the demo reports every month.
var oneStopMonthly = []string{
	"records_received", "records_total", "records_resolved", "records_early", "records_on_time", "records_late",
	"records_late_apologised", "records_online", "records_payable", "records_paid_online", "records_digitised",
	"results_digitised", "records_reused_data", "records_synced", "feedback_received", "feedback_resolved",
	"ratings_total", "ratings_satisfied", "procedures_total", "procedures_published", "procedures_online_full",
}

// seedMetrics writes, once, monthly one-stop-shop figures for every unit
// for the 24 full months before the current one, and yearly self-reported
// figures (plans, legal documents, staff, budget, …) for the current units.
// A unit gets months only while it existed: the communes of the two-tier
// province from July 2025, the communes and districts they replaced until
// June 2025, so each month has the figures of the units that served
// people then. Units differ: volumes from a hundred to a few thousand
// records a month, on-time rates from about 80% to 99%, online submission
// rising over the two years; every seventh unit is a poor performer, and a
// few agencies have not reported some yearly figures (the completeness
// pages show them). It returns the number of values stored.
func seedMetrics(ctx context.Context, db *store.DB, actor parindex.Actor) (int, error) {
	if n, err := db.CountObservations(ctx, parindex.MetricSourceDemo); err != nil || n > 0 {
		return 0, err
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return 0, err
	}
	now := db.Now().In(time.FixedZone("ICT", 7*3600))
	thisMonth := parindex.MonthPeriod(now.Year(), now.Month())
	var months []parindex.Period
	for i := 24; i >= 1; i-- {
		t := time.Date(thisMonth.Year, time.Month(thisMonth.Index)-time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		months = append(months, parindex.MonthPeriod(t.Year(), t.Month()))
	}
	// Yearly figures for each year whose January is among the months: the
	// last full year, and the current one so far.
	var years []parindex.Period
	for _, m := range months {
		if m.Index == 1 {
			years = append(years, parindex.YearPeriod(m.Year))
		}
	}
	rng := rand.New(rand.NewPCG(2026, 766))
	var rows []parindex.ObservationRow
	add := func(unit string, p parindex.Period, metric string, v float64) {
		rows = append(rows, parindex.ObservationRow{Row: len(rows) + 1, Unit: unit, Period: p.String(), Metric: metric,
			Value: strconv.FormatFloat(math.Round(v), 'f', -1, 64)})
	}
	for ui, u := range units {
		if u.Type == parindex.OrgTypeProvince {
			continue
		}
		poor := ui%7 == 3
		volume := 100 + 600*rng.Float64()
		procedures := 100 + 30*rng.Float64()
		switch u.Type {
		case parindex.OrgTypeOneStopCentre:
			volume, procedures = 2500+2500*rng.Float64(), 1200+200*rng.Float64()
		case parindex.OrgTypeDepartment:
			volume, procedures = 150+2300*rng.Float64(), 60+200*rng.Float64()
		case parindex.OrgTypeWard:
			volume = 300 + 1200*rng.Float64()
		case parindex.OrgTypeDistrict:
			volume, procedures = 400+900*rng.Float64(), 200+60*rng.Float64()
		}
		onTime := 0.90 + 0.09*rng.Float64()
		online0 := 0.2 + 0.3*rng.Float64()
		digitised0 := 0.5 + 0.35*rng.Float64()
		satisfied := 0.88 + 0.11*rng.Float64()
		if poor {
			onTime, online0, digitised0, satisfied = 0.80+0.06*rng.Float64(), 0.08+0.1*rng.Float64(), 0.3+0.2*rng.Float64(), 0.75+0.1*rng.Float64()
		}
		carried := 0.0
		for mi, p := range months {
			if !p.Overlaps(u.ValidFrom, u.ValidTo) {
				continue
			}
			progress := float64(mi) / float64(len(months)-1) // 0 → 1 over the two years
			season := 1.0
			switch p.Index {
			case 1, 12:
				season = 1.15 // year-end rush
			case 2:
				season = 0.7 // Tết
			}
			received := math.Round(volume * season * (0.9 + 0.2*rng.Float64()))
			total := received + carried
			resolved := math.Round(total * (0.86 + 0.1*rng.Float64()))
			carried = total - resolved
			rate := math.Min(0.995, onTime+0.02*progress+0.02*rng.NormFloat64())
			onTimeN := math.Round(resolved * math.Max(0.7, rate))
			early := math.Round(onTimeN * (0.3 + 0.3*rng.Float64()))
			late := resolved - onTimeN
			online := math.Min(0.95, online0+0.3*progress+0.03*rng.NormFloat64())
			digitised := math.Min(0.99, digitised0+0.2*progress+0.02*rng.NormFloat64())
			payable := math.Round(received * (0.4 + 0.3*rng.Float64()))
			feedback := math.Round(received * 0.004 * rng.Float64() * 3)
			ratings := math.Round(resolved * (0.2 + 0.4*rng.Float64()))
			onlineProcedures := math.Min(0.9, 0.35+0.4*progress+0.1*rng.Float64())
			if poor {
				onlineProcedures *= 0.6
			}
			values := map[string]float64{
				"records_received":        received,
				"records_total":           total,
				"records_resolved":        resolved,
				"records_early":           early,
				"records_on_time":         onTimeN,
				"records_late":            late,
				"records_late_apologised": math.Round(late * (0.3 + 0.7*rng.Float64())),
				"records_online":          math.Round(received * math.Max(0, online)),
				"records_payable":         payable,
				"records_paid_online":     math.Round(payable * math.Max(0, online) * (0.6 + 0.3*rng.Float64())),
				"records_digitised":       math.Round(received * math.Max(0, digitised)),
				"results_digitised":       math.Round(resolved * math.Max(0, digitised-0.05)),
				"records_reused_data":     math.Round(received * (0.05 + 0.4*progress*rng.Float64())),
				"records_synced":          math.Round(received * (0.85 + 0.15*rng.Float64())),
				"feedback_received":       feedback,
				"feedback_resolved":       math.Round(feedback * (0.7 + 0.3*rng.Float64())),
				"ratings_total":           ratings,
				"ratings_satisfied":       math.Round(ratings * math.Min(1, satisfied+0.02*rng.NormFloat64())),
				"procedures_total":        math.Round(procedures),
				"procedures_published":    math.Round(procedures * (0.93 + 0.07*rng.Float64())),
				"procedures_online_full":  math.Round(procedures * onlineProcedures),
			}
			for _, m := range oneStopMonthly {
				add(u.Code, p, m, values[m])
			}
		}
		// Yearly self-reported figures for the units that exist today.
		if !u.ValidTo.IsZero() {
			continue
		}
		for _, y := range years {
			if !y.Overlaps(u.ValidFrom, u.ValidTo) {
				continue
			}
			yearly := selfReported(rng, u, poor)
			skip := ""
			if ui%9 == 4 {
				skip = "legal_docs_self_checked" // not reported yet: the completeness pages show it
			}
			for _, m := range selfReportedOrder {
				if m == skip || (ui%11 == 6 && m == "civil_servants_trained") {
					continue
				}
				add(u.Code, y, m, yearly[m])
			}
		}
	}
	res, err := db.PutObservations(ctx, actor, rows, store.PutOptions{Source: parindex.MetricSourceDemo, File: "demo",
		Reason: "dữ liệu minh họa (demo data)"})
	if err != nil {
		return 0, fmt.Errorf("demo: metrics: %w", err)
	}
	return res.Inserted, nil
}

var selfReportedOrder = []string{
	"plan_tasks_total", "plan_tasks_done", "assigned_tasks_total", "assigned_tasks_done", "units_total", "units_inspected",
	"initiatives_adopted", "legal_docs_planned", "legal_docs_on_time", "legal_docs_issued", "legal_docs_self_checked",
	"staff_reduction_target", "staff_reduced", "civil_servants_total", "civil_servants_trained", "civil_servants_qualified",
	"budget_allocated", "budget_disbursed", "budget_revenue_estimate", "budget_revenue_collected",
	"public_service_units_total", "public_service_units_autonomous", "outgoing_docs_total", "outgoing_docs_digital",
	"socio_targets_total", "socio_targets_met",
}

// selfReported makes one year's self-reported figures for a unit.
func selfReported(rng *rand.Rand, u *parindex.OrgUnit, poor bool) map[string]float64 {
	share := func(lo, hi float64) float64 {
		if poor {
			lo, hi = lo-0.15, hi-0.15
		}
		return lo + (hi-lo)*rng.Float64()
	}
	n := func(lo, hi int) float64 { return float64(lo + rng.IntN(hi-lo+1)) }
	staff := n(25, 70)
	if u.Type == parindex.OrgTypeDepartment || u.Type == parindex.OrgTypeOneStopCentre {
		staff = n(40, 250)
	}
	v := map[string]float64{
		"plan_tasks_total":           n(12, 30),
		"assigned_tasks_total":       n(8, 40),
		"units_total":                n(2, 12),
		"initiatives_adopted":        n(0, 4),
		"legal_docs_planned":         n(0, 8),
		"legal_docs_issued":          n(0, 10),
		"staff_reduction_target":     n(0, 6),
		"civil_servants_total":       staff,
		"budget_allocated":           n(2000, 90000),
		"budget_revenue_estimate":    n(5000, 200000),
		"public_service_units_total": n(0, 8),
		"outgoing_docs_total":        n(800, 6000),
		"socio_targets_total":        n(10, 25),
	}
	part := func(of string, lo, hi float64) float64 {
		return math.Round(v[of] * math.Max(0, math.Min(1, share(lo, hi))))
	}
	v["plan_tasks_done"] = part("plan_tasks_total", 0.85, 1)
	v["assigned_tasks_done"] = part("assigned_tasks_total", 0.85, 1)
	v["units_inspected"] = part("units_total", 0.3, 1)
	v["legal_docs_on_time"] = part("legal_docs_planned", 0.8, 1)
	v["legal_docs_self_checked"] = part("legal_docs_issued", 0.8, 1)
	v["staff_reduced"] = part("staff_reduction_target", 0.7, 1)
	v["civil_servants_trained"] = part("civil_servants_total", 0.5, 0.95)
	v["civil_servants_qualified"] = part("civil_servants_total", 0.9, 1)
	v["budget_disbursed"] = part("budget_allocated", 0.75, 1)
	v["budget_revenue_collected"] = math.Round(v["budget_revenue_estimate"] * share(0.92, 1.12))
	v["public_service_units_autonomous"] = part("public_service_units_total", 0.2, 0.8)
	v["outgoing_docs_digital"] = part("outgoing_docs_total", 0.85, 1)
	v["socio_targets_met"] = part("socio_targets_total", 0.75, 1)
	return v
}
