package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
)

// published is one demo framework's published snapshot, read back as the
// dashboards read it, with each unit's state in the assessment cycle.
type published struct {
	snap      *parindex.Snapshot
	framework *criteria.Framework
	inputs    scoring.Inputs
	result    *scoring.Result
	state     map[string]string // unit code → assessment state ("" when none)
}

func readPublished(t *testing.T, db *store.DB, code string) published {
	t.Helper()
	ctx := context.Background()
	found, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: code, Status: parindex.StatusPublished, WithUnits: true, WithDocuments: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d published snapshots, want 1", code, len(found))
	}
	p := published{snap: found[0], state: map[string]string{}}
	rec, err := db.FrameworkByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if p.framework, err = rec.Framework(); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(p.snap.Inputs, &p.inputs); err != nil {
		t.Fatal(err)
	}
	if p.result, err = snapshot.Result(p.snap); err != nil {
		t.Fatal(err)
	}
	final, err := db.FinalAssessments(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for unit, in := range final {
		p.state[unit] = in.State
	}
	return p
}

func (p published) final(unit string) bool { return p.state[unit] == string(assessment.StateFinal) }

// notFinal counts the units still in the assessment cycle.
func (p published) notFinal() int {
	n := 0
	for _, u := range p.snap.Units {
		if !p.final(u.UnitCode) {
			n++
		}
	}
	return n
}

// bands counts the units of each band, all units or only the final ones.
func (p published) bands(onlyFinal bool) map[string]int {
	out := map[string]int{}
	for _, u := range p.snap.Units {
		if !onlyFinal || p.final(u.UnitCode) {
			out[u.Band]++
		}
	}
	return out
}

func (p published) meanIndex(onlyFinal bool) float64 {
	var sum float64
	n := 0
	for _, u := range p.snap.Units {
		if u.Index != nil && (!onlyFinal || p.final(u.UnitCode)) {
			sum += *u.Index
			n++
		}
	}
	return sum / float64(n)
}

// satisfaction is each unit's overall survey satisfaction, as the snapshot
// scored it.
func (p published) satisfaction() map[string]float64 {
	out := map[string]float64{}
	for _, a := range p.inputs.Agencies {
		for _, byKey := range a.Survey {
			if v, ok := byKey[scoring.Overall]; ok && v.Satisfaction != nil {
				out[a.Code] = *v.Satisfaction
			}
		}
	}
	return out
}

func (p published) describe() string {
	return fmt.Sprintf("%s: %d units, mean %.2f (final: %.2f), bands %v (final: %v)", p.snap.FrameworkCode, len(p.snap.Units),
		p.meanIndex(false), p.meanIndex(true), p.bands(false), p.bands(true))
}

// checkPublishedFigures: the demo's published results look like a real
// province's: last year every agency final and every band present, this
// year most final with indices around the mid-80s, every area of the
// communes' framework scored, rates with something to divide, citizens
// mostly 75–95% satisfied, and each unit's change since last year, up or
// down. Every fact is read from the stored snapshots.
func checkPublishedFigures(t *testing.T, db *store.DB) {
	ctx := context.Background()
	years := map[int]map[string]published{}
	for _, year := range []int{2025, 2026} {
		years[year] = map[string]published{}
		for _, kind := range []string{"province-departments", "communes"} {
			p := readPublished(t, db, fmt.Sprintf("%s-%d", kind, year))
			t.Log(p.describe())
			years[year][kind] = p
		}
	}

	// Last year: every agency final, every band present.
	for kind, p := range years[2025] {
		for _, u := range p.snap.Units {
			if !p.final(u.UnitCode) {
				t.Errorf("%s: %s is %q, want final", kind, u.UnitCode, p.state[u.UnitCode])
			}
		}
		bands := p.bands(true)
		for _, b := range p.framework.Bands {
			if bands[b.Code] == 0 {
				t.Errorf("%s 2025: no unit in band %s (%s): %v", kind, b.Code, b.Name, bands)
			}
		}
		if mean := p.meanIndex(true); mean < 78 || mean > 92 {
			t.Errorf("%s 2025: mean index %.2f, want a province's (about 80–90)", kind, mean)
		}
	}

	// This year: a few agencies still in the cycle; the final ones span
	// the top and bottom bands and one between; the mean of all units
	// stays a province's.
	for kind, p := range years[2026] {
		if inCycle := p.notFinal(); inCycle == 0 || inCycle > len(p.snap.Units)/4 {
			t.Errorf("%s 2026: %d of %d units not final, want a few", kind, inCycle, len(p.snap.Units))
		}
		bands := p.bands(true)
		top, bottom := p.framework.Bands[0].Code, p.framework.Bands[len(p.framework.Bands)-1].Code
		if len(bands) < 3 || bands[top] == 0 || bands[bottom] == 0 {
			t.Errorf("%s 2026: final units in bands %v, want at least 3 with %s and %s", kind, bands, top, bottom)
		}
		if mean := p.meanIndex(false); mean < 75 || mean > 92 {
			t.Errorf("%s 2026: mean index of all units %.2f, want 75–92", kind, mean)
		}
	}
	// Departments sit roughly between 70 and 95 with a mean in the
	// mid-80s; communes spread wider.
	for _, year := range []int{2025, 2026} {
		p := years[year]["province-departments"]
		inRange := 0
		for _, u := range p.snap.Units {
			if p.final(u.UnitCode) && *u.Index >= 70 && *u.Index <= 96 {
				inRange++
			}
		}
		if finals := len(p.snap.Units) - p.notFinal(); inRange < finals*3/4 {
			t.Errorf("departments %d: %d of %d final indices in 70–96", year, inRange, finals)
		}
		if mean := p.meanIndex(true); mean < 82 || mean > 90 {
			t.Errorf("departments %d: mean index of the final units %.2f, want the mid-80s", year, mean)
		}
	}

	// Every area of the communes' framework has points for most
	// communes: self-assessed areas included.
	for _, year := range []int{2025, 2026} {
		p := years[year]["communes"]
		for _, area := range p.framework.Nodes {
			if area.Adjustment {
				continue
			}
			scored := 0
			for _, a := range p.result.Agencies {
				if n, ok := a.Node(area.Code); ok && n.Points > 0 {
					scored++
				}
			}
			if scored < len(p.result.Agencies)*9/10 {
				t.Errorf("communes %d: area %s has points for %d of %d communes", year, area.Code, scored, len(p.result.Agencies))
			}
		}
	}

	// Rates have something to divide: every ratio criterion that counts
	// a missing figure as zero has a denominator above zero.
	for _, year := range []int{2025, 2026} {
		for kind, p := range years[year] {
			for _, a := range p.inputs.Agencies {
				for _, leaf := range p.framework.Leaves() {
					if leaf.Denominator == "" || p.framework.MissingFor(leaf.Code) == criteria.MissingExclude {
						continue
					}
					if a.Metrics[leaf.Denominator] <= 0 {
						t.Errorf("%s %d: %s has %s = %v for %s", kind, year, a.Code, leaf.Denominator, a.Metrics[leaf.Denominator], leaf.Code)
					}
				}
			}
		}
	}

	// Citizens: most units 75–95% satisfied, a few lower.
	for _, year := range []int{2025, 2026} {
		var in, low, all int
		for _, p := range years[year] {
			for _, sat := range p.satisfaction() {
				all++
				switch {
				case sat >= 0.75 && sat <= 0.95:
					in++
				case sat < 0.75:
					low++
				}
			}
		}
		if all < 70 || in < all*3/4 || low == 0 || low > all/5 {
			t.Errorf("%d: satisfaction of %d units: %d in 75–95%%, %d below", year, all, in, low)
		}
	}

	// Year over year: this year's frameworks map to last year's, and
	// units moved both ways.
	for kind, p := range years[2026] {
		prev := map[string]float64{}
		for _, u := range years[2025][kind].snap.Units {
			prev[u.UnitCode] = *u.IndexRounded
		}
		up, down := 0, 0
		for _, u := range p.snap.Units {
			if !p.final(u.UnitCode) {
				continue
			}
			switch change := *u.IndexRounded - prev[u.UnitCode]; {
			case change > 0:
				up++
			case change < 0:
				down++
			}
		}
		if up < 3 || down < 3 {
			t.Errorf("%s: %d final units rose and %d fell since 2025, want both", kind, up, down)
		}
		yoy, err := snapshot.CompareWithPrevious(ctx, db, p.snap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if yoy == nil || yoy.Previous.ID != years[2025][kind].snap.ID {
			t.Fatalf("%s 2026 is not compared with 2025: %+v", kind, yoy)
		}
		first := yoy.Units[p.snap.Units[0].UnitCode]
		if len(first.Nodes) == 0 || math.IsNaN(first.Change) {
			t.Errorf("%s: no change per criterion for %s: %+v", kind, first.Unit, first)
		}
	}
}
