package demo

import (
	"context"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

func TestDemoMetricsArePlausible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
		actor := parindex.Actor{Name: "demo"}
		if _, err := db.ImportOrgUnits(ctx, actor, "demo", OrgRows(), ""); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		n, err := seedMetrics(ctx, db, actor)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seeded %d metric values in %v", n, time.Since(start))
		if n < 30000 {
			t.Errorf("%d metric values, want monthly figures for every unit", n)
		}
		if again, err := seedMetrics(ctx, db, actor); err != nil || again != 0 {
			t.Errorf("second seed stored %d values (%v)", again, err)
		}
		// Every unit of today has figures for every month it existed in,
		// from January 2025 to October 2026, the last full month.
		units, _ := db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: parindex.Date{Year: 2026, Month: 11, Day: 26}})
		for _, u := range units {
			if u.Type == parindex.OrgTypeProvince {
				continue
			}
			obs, err := db.FindObservations(ctx, store.ObservationFilter{UnitID: u.ID, Metric: "records_received"})
			if err != nil {
				t.Fatal(err)
			}
			want := 22
			if u.ValidFrom.Year == 2025 {
				want = 16 // July 2025 to October 2026
			}
			if len(obs) != want || obs[0].Period.String() > "2025-07" || obs[len(obs)-1].Period.String() != "2026-10" {
				t.Errorf("%s: %d months of records_received, want %d", u.Code, len(obs), want)
			}
		}
		// The commune that existed before the reform has its months too.
		old, _ := db.OrgUnitByCode(ctx, "H-TANLAP-03")
		if obs, _ := db.FindObservations(ctx, store.ObservationFilter{UnitID: old.ID, Metric: "records_received"}); len(obs) != 6 {
			t.Errorf("H-TANLAP-03: %d months, want January to June 2025", len(obs))
		}
		y, err := db.YearMetrics(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		poor, good := 0, 0
		for code, m := range y {
			monthly := m["records_received"] / 12
			if code[0] == 'S' && (monthly < 100 || monthly > 3500) {
				t.Errorf("%s receives %.0f records a month", code, monthly)
			}
			if m["records_resolved"] == 0 {
				continue
			}
			rate := m["records_on_time"] / m["records_resolved"]
			if rate < 0.7 || rate > 1 {
				t.Errorf("%s: on-time rate %.3f", code, rate)
			}
			if rate < 0.9 { // the weakest units: about one in ten
				poor++
			} else {
				good++
			}
			if m["records_on_time"]+m["records_late"] != m["records_resolved"] {
				t.Errorf("%s: on time + late ≠ resolved", code)
			}
		}
		if poor == 0 || good < 3*poor {
			t.Errorf("%d poor and %d good units: want some poor, mostly good", poor, good)
		}
		// Online submission rises over the two years.
		rise := 0
		y26, _ := db.YearMetrics(ctx, 2026)
		for code, m := range y26 {
			if p := y[code]; p["records_received"] > 0 && m["records_online"]/m["records_received"] > p["records_online"]/p["records_received"] {
				rise++
			}
		}
		if rise < len(y26)*3/4 {
			t.Errorf("online share rose in %d of %d units", rise, len(y26))
		}
		// Yearly self-reported figures, with a few missing.
		if y26["SNV"]["plan_tasks_total"] == 0 || y26["X001"]["civil_servants_total"] == 0 {
			t.Error("no yearly self-reported figures")
		}
	})
}
