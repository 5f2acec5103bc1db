package demo_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/store"
	"parindex/store/storetest"
)

func TestSeedShapesATwoTierProvince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.02})
		if err != nil {
			t.Fatal(err)
		}
		if s.Units.Created != len(demo.OrgRows()) {
			t.Errorf("created %d units, want %d", s.Units.Created, len(demo.OrgRows()))
		}
		again, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.02})
		if err != nil {
			t.Fatal(err)
		}
		if again.Units.Created != 0 || again.Units.Updated != 0 || again.Accounts != 0 || again.Survey != (demo.SurveySummary{}) || again.Snapshots != 0 {
			t.Errorf("second seed changed data: %+v", again)
		}
		// The dashboards need a published ranking of each demo framework.
		if s.Snapshots != 2 {
			t.Errorf("published snapshots = %d, want 2", s.Snapshots)
		}
		if s.Survey.Links < 81 || s.Survey.Responses < 500 {
			t.Errorf("survey demo: %+v", s.Survey)
		}
		// Every current unit but the province has a QR link.
		links, err := db.FindLinks(ctx, store.LinkFilter{})
		if err != nil {
			t.Fatal(err)
		}
		withLink := map[string]bool{}
		for _, l := range links {
			withLink[l.UnitCode] = true
		}
		for _, code := range []string{"SNV", "STP", "X001", "P016", "TTPVHCC"} {
			if !withLink[code] {
				t.Errorf("%s has no QR link", code)
			}
		}
		flagged, _ := db.CountResponses(ctx, store.ResponseFilter{Flag: "any"})
		if flagged == 0 || flagged > s.Survey.Responses/10 {
			t.Errorf("%d of %d demo responses flagged, want a few", flagged, s.Survey.Responses)
		}

		today, _ := parindex.ParseDate("2026-01-15")
		count := func(typ string, on parindex.Date) int {
			units, err := db.FindOrgUnits(ctx, store.OrgFilter{Type: typ, ValidOn: on})
			if err != nil {
				t.Fatal(err)
			}
			return len(units)
		}
		if n := count(parindex.OrgTypeDepartment, today); n < 18 || n > 22 {
			t.Errorf("%d departments, want about 20", n)
		}
		if n := count(parindex.OrgTypeCommune, today) + count(parindex.OrgTypeWard, today); n != 60 {
			t.Errorf("%d communes and wards today, want 60", n)
		}
		if n := count(parindex.OrgTypeDistrict, today); n != 0 {
			t.Errorf("%d districts valid after the reform, want 0", n)
		}
		before, _ := parindex.ParseDate("2025-06-30")
		if n := count(parindex.OrgTypeDistrict, before); n != 2 {
			t.Errorf("%d districts before the reform, want 2", n)
		}
		// Every historical commune leads to a unit valid today.
		old, err := db.OrgDescendants(ctx, "H-TANLAP")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range old {
			chain, err := db.OrgSuccessorChain(ctx, u.Code)
			if err != nil {
				t.Fatal(err)
			}
			if len(chain) == 0 || !chain[len(chain)-1].ValidOn(today) {
				t.Errorf("%s has no current successor: %v", u.Code, chain)
			}
		}
		preds, _ := db.OrgPredecessors(ctx, "X001")
		if len(preds) < 2 {
			t.Errorf("X001 has %d predecessors, want a many-to-one merge", len(preds))
		}
	})
}
