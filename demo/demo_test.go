package demo_test

import (
	"context"
	"testing"

	"parindex"
	"parindex/demo"
	"parindex/demo/demotest"
	"parindex/store"
	"parindex/store/storetest"
)

// TestSeed seeds the demo once per dialect (seeding is the slow part) and
// checks what it holds: a two-tier province, published results that look
// like a real province's, counters whose integrity report finds only the
// two planted on purpose, and a second run that changes nothing.
func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		opts := demo.Options{SurveyVolume: 0.25}
		s := demotest.Seed(t, db, opts)
		t.Run("shapes a two-tier province", func(t *testing.T) { checkTwoTierProvince(t, db, s) })
		t.Run("publishes a realistic year", func(t *testing.T) { checkPublishedFigures(t, db) })
		t.Run("gamed counters found, honest ones credible", func(t *testing.T) { checkCountersTellTheTruth(t, db) })
		t.Run("a second run changes nothing", func(t *testing.T) {
			audit := func() string { return storetest.Rows(t, db, `SELECT COUNT(*) AS n FROM audit_log`)[0]["n"] }
			before := audit()
			if again := demotest.Seed(t, db, opts); again != (demo.Summary{Units: store.OrgImportResult{Unchanged: len(demo.OrgRows())}}) {
				t.Errorf("second seed changed data: %+v", again)
			}
			if after := audit(); after != before {
				t.Errorf("second seed wrote audit rows: %s before, %s after", before, after)
			}
		})
	})
}

func checkTwoTierProvince(t *testing.T, db *store.DB, s demo.Summary) {
	ctx := context.Background()
	if s.Units.Created != len(demo.OrgRows()) {
		t.Errorf("created %d units, want %d", s.Units.Created, len(demo.OrgRows()))
	}
	// The dashboards need a published ranking of each demo framework,
	// this year's and last year's.
	if s.Snapshots != 4 || s.Frameworks != 5 {
		t.Errorf("published snapshots = %d, frameworks = %d, want 4 and 5", s.Snapshots, s.Frameworks)
	}
	if s.Survey.Links < 81 || s.Survey.Responses < 5000 {
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
	// Answers come in both demo years; a commune's start with the commune.
	for _, year := range []int{2025, 2026} {
		n, _ := db.CountResponses(ctx, store.ResponseFilter{From: parindex.Date{Year: year, Month: 1, Day: 1}, To: parindex.Date{Year: year, Month: 12, Day: 31}})
		if n < s.Survey.Responses/4 {
			t.Errorf("%d of %d responses in %d", n, s.Survey.Responses, year)
		}
	}
	x001, _ := db.OrgUnitByCode(ctx, "X001")
	if early, _ := db.CountResponses(ctx, store.ResponseFilter{UnitID: x001.ID, To: parindex.Date{Year: 2025, Month: 6, Day: 30}}); early != 0 {
		t.Errorf("X001, created on 1 July 2025, has %d responses before", early)
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
}
