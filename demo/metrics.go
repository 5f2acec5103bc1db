package demo

import (
	"context"
	"fmt"
	"math"
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

// demoMonths are the months the demo reports: from January of the first
// demo year to the last full month before now.
func demoMonths(now time.Time) []parindex.Period {
	var months []parindex.Period
	for t := time.Date(demoYears[0], 1, 1, 0, 0, 0, 0, time.UTC); ; t = t.AddDate(0, 1, 0) {
		if t.Year() > now.Year() || (t.Year() == now.Year() && t.Month() >= now.Month()) {
			return months
		}
		months = append(months, parindex.MonthPeriod(t.Year(), t.Month()))
	}
}

// seedMetrics writes, once, monthly one-stop-shop figures for every unit
// for each month from January 2025 to the last full month, and yearly
// self-reported figures (plans, legal documents, staff, budget, …) for the
// current units, for each of those years. A unit gets months only while it
// existed: the communes of the two-tier province from July 2025, the
// communes and districts they replaced until June 2025, so each month has
// the figures of the units that served people then. Units differ by their
// standing in the year (standingOf): volumes from a hundred to a few
// thousand records a month, on-time rates from about 86% to 99.5%, online
// submission rising over the months; a few agencies have not reported
// some yearly figures (the completeness pages show them). It returns the
// number of values stored.
func seedMetrics(ctx context.Context, db *store.DB, actor parindex.Actor) (int, error) {
	if n, err := db.CountObservations(ctx, parindex.MetricSourceDemo); err != nil || n > 0 {
		return 0, err
	}
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return 0, err
	}
	months := demoMonths(db.Now().In(vietnamTime))
	if len(months) == 0 {
		return 0, nil
	}
	var rows []parindex.ObservationRow
	add := func(unit string, p parindex.Period, metric string, v float64) {
		rows = append(rows, parindex.ObservationRow{Row: len(rows) + 1, Unit: unit, Period: p.String(), Metric: metric,
			Value: strconv.FormatFloat(math.Round(v), 'f', -1, 64)})
	}
	for _, u := range units {
		if u.Type == parindex.OrgTypeProvince {
			continue
		}
		d := newDice(u.Code + "/one-stop")
		volume := d.between(100, 700)
		procedures := d.between(100, 130)
		switch u.Type {
		case parindex.OrgTypeOneStopCentre:
			volume, procedures = d.between(2500, 5000), d.between(1200, 1400)
		case parindex.OrgTypeDepartment:
			volume, procedures = d.between(150, 2450), d.between(60, 260)
		case parindex.OrgTypeWard:
			volume = d.between(300, 1500)
		case parindex.OrgTypeDistrict:
			volume, procedures = d.between(400, 1300), d.between(200, 260)
		}
		carried := 0.0
		var publishedAll bool
		for mi, p := range months {
			if !p.Overlaps(u.ValidFrom, u.ValidTo) {
				continue
			}
			s := standingOf(u.Code, p.Year).skill
			if mi == 0 || p.Index == 1 {
				// Whether every procedure is published is a year's fact.
				publishedAll = newDice(u.Code + "/published/" + strconv.Itoa(p.Year)).chance(0.2 + 0.8*s)
			}
			progress := float64(mi) / float64(max(1, len(months)-1)) // 0 → 1 over the months
			season := 1.0
			switch p.Index {
			case 1, 12:
				season = 1.15 // year-end rush
			case 2:
				season = 0.7 // Tết
			}
			received := math.Round(volume * season * d.between(0.9, 1.1))
			total := received + carried
			resolved := math.Round(total * d.between(0.86, 0.96))
			carried = total - resolved
			onTime := clamp(0.86+0.135*s+0.01*progress+0.008*d.normal(), 0.7, 0.999)
			onTimeN := math.Round(resolved * onTime)
			late := resolved - onTimeN
			online := clamp(0.12+0.4*s+0.25*progress+0.03*d.normal(), 0, 0.95)
			digitised := clamp(0.5+0.45*s+0.05*progress+0.02*d.normal(), 0, 0.99)
			payable := math.Round(received * d.between(0.4, 0.7))
			feedback := math.Round(received * 0.012 * d.float())
			ratings := math.Round(resolved * d.between(0.2, 0.6))
			published := procedures
			if !publishedAll {
				published = procedures * d.between(0.9, 0.98)
			}
			values := map[string]float64{
				"records_received":        received,
				"records_total":           total,
				"records_resolved":        resolved,
				"records_early":           math.Round(onTimeN * clamp((0.2+0.4*s)*d.between(0.9, 1.1), 0, 1)),
				"records_on_time":         onTimeN,
				"records_late":            late,
				"records_late_apologised": math.Round(late * clamp(0.3+0.7*s+0.1*d.normal(), 0, 1)),
				"records_online":          math.Round(received * online),
				"records_payable":         payable,
				"records_paid_online":     math.Round(payable * clamp(0.3+0.65*s+0.05*d.normal(), 0, 1)),
				"records_digitised":       math.Round(received * digitised),
				"results_digitised":       math.Round(resolved * math.Max(0, digitised-0.03)),
				"records_reused_data":     math.Round(received * (0.05 + 0.4*progress*d.float())),
				"records_synced":          math.Round(received * clamp(0.86+0.16*s+0.01*d.normal(), 0, 1)),
				"feedback_received":       feedback,
				"feedback_resolved":       math.Round(feedback * clamp(0.7+0.3*s+0.1*d.normal(), 0, 1)),
				"ratings_total":           ratings,
				"ratings_satisfied":       math.Round(ratings * clamp(0.8+0.19*s+0.02*d.normal(), 0, 1)),
				"procedures_total":        math.Round(procedures),
				"procedures_published":    math.Round(published),
				"procedures_online_full":  math.Round(procedures * clamp(0.4+0.45*s+0.1*progress, 0, 0.95)),
			}
			for _, m := range oneStopMonthly {
				add(u.Code, p, m, values[m])
			}
		}
		// Yearly self-reported figures for the units that exist today.
		if !u.ValidTo.IsZero() {
			continue
		}
		for year := months[0].Year; year <= months[len(months)-1].Year; year++ {
			y := parindex.YearPeriod(year)
			if !y.Overlaps(u.ValidFrom, u.ValidTo) {
				continue
			}
			yearly := yearlyFigures(u.Code, u.Type, year)
			gaps := newDice(u.Code + "/gaps/" + strconv.Itoa(year))
			for _, m := range selfReportedOrder {
				// Not reported yet: the completeness pages show it.
				if (m == "legal_docs_self_checked" && gaps.chance(0.1)) || (m == "civil_servants_trained" && gaps.chance(0.08)) {
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

// selfReportedOrder are the yearly figures an agency reports for itself;
// the self-assessment enters them too (selfScores).
var selfReportedOrder = []string{
	"plan_tasks_total", "plan_tasks_done", "assigned_tasks_total", "assigned_tasks_done", "units_total", "units_inspected",
	"initiatives_adopted", "legal_docs_planned", "legal_docs_on_time", "legal_docs_issued", "legal_docs_self_checked",
	"staff_reduction_target", "staff_reduced", "civil_servants_total", "civil_servants_trained", "civil_servants_qualified",
	"budget_allocated", "budget_disbursed", "budget_revenue_estimate", "budget_revenue_collected",
	"public_service_units_total", "public_service_units_autonomous", "outgoing_docs_total", "outgoing_docs_digital",
	"socio_targets_total", "socio_targets_met",
}

// yearlyFigures makes one year's self-reported figures for a unit from its
// standing that year: every count with a denominator above zero where the
// criteria divide by it, and shares that grow with the unit's skill.
func yearlyFigures(code, unitType string, year int) map[string]float64 {
	d := newDice(code + "/yearly/" + strconv.Itoa(year))
	s := standingOf(code, year).skill
	share := func(lo, hi float64) float64 { return clamp(lo+(hi-lo)*s+0.04*d.normal(), 0, 1) }
	n := func(lo, hi int) float64 { return float64(lo + d.intN(hi-lo+1)) }
	staff := n(25, 70)
	if unitType == parindex.OrgTypeDepartment || unitType == parindex.OrgTypeOneStopCentre {
		staff = n(40, 250)
	}
	v := map[string]float64{
		"plan_tasks_total":           n(12, 30),
		"assigned_tasks_total":       n(8, 40),
		"units_total":                n(2, 12),
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
	part := func(of string, lo, hi float64) float64 { return math.Round(v[of] * share(lo, hi)) }
	// All or nothing: a tier criterion gives its top points only at 100%.
	whole := func(of string, lo, hi float64) float64 {
		if d.chance(s) {
			return v[of]
		}
		return part(of, lo, hi)
	}
	v["plan_tasks_done"] = part("plan_tasks_total", 0.72, 1)
	v["assigned_tasks_done"] = whole("assigned_tasks_total", 0.8, 0.97)
	v["units_inspected"] = part("units_total", 0.2, 1)
	v["initiatives_adopted"] = math.Round(clamp(3*s+0.8*d.normal(), 0, 4))
	v["legal_docs_on_time"] = part("legal_docs_planned", 0.65, 1)
	v["legal_docs_self_checked"] = part("legal_docs_issued", 0.65, 1)
	v["staff_reduced"] = part("staff_reduction_target", 0.55, 1)
	v["civil_servants_trained"] = part("civil_servants_total", 0.5, 0.95)
	v["civil_servants_qualified"] = whole("civil_servants_total", 0.85, 0.98)
	v["budget_disbursed"] = part("budget_allocated", 0.68, 1)
	v["budget_revenue_collected"] = math.Round(v["budget_revenue_estimate"] * (0.9 + 0.15*s + 0.03*d.normal()))
	v["public_service_units_autonomous"] = part("public_service_units_total", 0.2, 0.7)
	v["outgoing_docs_digital"] = part("outgoing_docs_total", 0.8, 1)
	v["socio_targets_met"] = part("socio_targets_total", 0.68, 1)
	return v
}
