package snapshot

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
	"parindex/scoring"
	"parindex/survey"
)

// randomYear builds the stored documents of a snapshot of a random year:
// every leaf of f gets a random input, or none (about one in eight), or
// "does not apply"; a random share of the agencies is still in appraisal.
func randomYear(t *testing.T, f *criteria.Framework, seed uint64) *parindex.Snapshot {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	in := scoring.Inputs{Framework: f.Code}
	rec := &Record{Draws: 20, Units: map[string]*UnitRecord{}}
	states := []assessment.State{assessment.StateFinal, assessment.StateFinal, assessment.StateFinal, assessment.StateAppraisal1, ""}
	for i := range 5 + rng.IntN(20) {
		a := scoring.AgencyInput{Code: fmt.Sprintf("U%02d", i), Name: fmt.Sprintf("Đơn vị %d", i),
			Points: map[string]float64{}, Answers: map[string]bool{}, Metrics: map[string]float64{}}
		u := &UnitRecord{Assessment: states[rng.IntN(len(states))], Leaves: map[string]LeafRecord{}}
		final := u.Assessment == assessment.StateFinal
		for _, m := range f.Metrics() {
			switch r := rng.Float64(); {
			case r < 0.1: // absent
			case r < 0.15:
				a.Metrics[m] = 0
			default:
				a.Metrics[m] = float64(rng.IntN(500))
			}
		}
		for _, n := range f.Leaves() {
			r := rng.Float64()
			if r < 0.05 && !n.Adjustment && !f.InAdjustment(n.Code) {
				a.NotApplicable = append(a.NotApplicable, n.Code)
				if final && assessment.Appraisable(n) {
					u.Leaves[n.Code] = LeafRecord{Final: &Value{NotApplicable: true}}
				}
				continue
			}
			switch n.Method {
			case criteria.MethodAssessed, criteria.MethodBonus, criteria.MethodPenalty:
				if r < 0.15 || !final {
					continue
				}
				top := n.MaxPoints()
				if n.Cap > 0 {
					top = n.Cap
				}
				step := n.Step
				if step <= 0 {
					step = 0.25
				}
				p := math.Floor(rng.Float64()*top/step) * step
				a.Points[n.Code] = p
				u.Leaves[n.Code] = LeafRecord{Self: &Value{Points: &p}, Final: &Value{Points: &p}}
			case criteria.MethodBoolean:
				if r < 0.15 || !final {
					continue
				}
				yes := rng.IntN(4) > 0
				a.Answers[n.Code] = yes
				u.Leaves[n.Code] = LeafRecord{Final: &Value{Answer: &yes}}
			case criteria.MethodSurvey:
				if r < 0.15 {
					continue
				}
				key := scoring.Overall
				if n.Question != "" {
					key = n.Question
				} else if n.Element != "" {
					key = n.Element
				}
				sat, m100 := 0.5+rng.Float64()/2, 50+rng.Float64()*50
				if a.Survey == nil {
					a.Survey = map[string]map[string]scoring.SurveyValue{}
				}
				if a.Survey[n.Instrument] == nil {
					a.Survey[n.Instrument] = map[string]scoring.SurveyValue{}
				}
				a.Survey[n.Instrument][key] = scoring.SurveyValue{Satisfaction: &sat, Mean100: &m100, N: 1 + rng.IntN(200)}
				adequacy := survey.AdequacyReliable
				if rng.IntN(4) == 0 {
					adequacy = survey.AdequacyInsufficient
				}
				if u.Survey == nil {
					u.Survey = map[string]survey.GroupResult{}
				}
				u.Survey[n.Instrument] = survey.GroupResult{Unit: a.Code, Respondents: 10, Adequacy: adequacy}
			}
		}
		if !final {
			// An agency not yet final has no assessed inputs at all.
			for _, n := range f.Leaves() {
				if assessment.Appraisable(n) && n.Method != criteria.MethodSurvey {
					delete(a.Points, n.Code)
					delete(a.Answers, n.Code)
				}
			}
		}
		in.Agencies = append(in.Agencies, a)
		rec.Units[a.Code] = u
	}
	res, err := scoring.ScoreWith(f, in, scoring.Options{Uncertainty: &scoring.UncertaintyOptions{Draws: rec.Draws, Seed: seed}})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	rec.Preflight = preflight(f, res, rec, nil)
	snap := &parindex.Snapshot{ID: int64(seed), FrameworkCode: f.Code, FrameworkHash: f.Hash(), Year: f.Year, Seed: seed,
		Status: parindex.StatusPublished, Publication: parindex.PublicationProvisional}
	for _, doc := range []struct {
		dst *[]byte
		v   any
	}{{&snap.Inputs, in}, {&snap.Results, res}, {&snap.Record, rec}} {
		if *doc.dst, err = json.Marshal(doc.v); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range res.Agencies {
		snap.Units = append(snap.Units, parindex.SnapshotUnit{UnitCode: a.Code, UnitName: a.Name, Points: a.Points, MaxPoints: a.Max,
			Index: a.Index, IndexRounded: a.IndexRounded, Rank: a.Rank, Band: a.Band})
	}
	return snap
}

// Randomly generated years check clean, and each kind of tampering with
// what a snapshot shows is found.
func TestCheckOnRandomYears(t *testing.T) {
	for _, code := range criteria.References() {
		f, err := criteria.Reference(code)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 8; seed++ {
			snap := randomYear(t, f, seed)
			if c, problems := CheckDocuments(f, snap); len(problems) > 0 || c.Leaves == 0 {
				t.Fatalf("%s seed %d: %d leaves checked, problems %v", code, seed, c.Leaves, problems)
			}
		}
		snap := randomYear(t, f, 42)
		res, err := Result(snap)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := DecodeRecord(snap)
		if err != nil {
			t.Fatal(err)
		}
		// Find a missing leaf and a scored leaf to tamper with.
		var missingUnit, missingNode, scoredUnit, scoredNode string
		for _, a := range res.Agencies {
			for _, n := range a.Nodes {
				if n.Spec == nil {
					continue
				}
				if n.Status == scoring.StatusMissing && missingNode == "" {
					missingUnit, missingNode = a.Code, n.Code
				}
				if n.Status == scoring.StatusScored && n.Points > 0 && scoredNode == "" {
					scoredUnit, scoredNode = a.Code, n.Code
				}
			}
		}
		if missingNode == "" || scoredNode == "" {
			t.Fatalf("%s: the random year has no missing or no scored leaf", code)
		}
		tamper := func(name, want string, change func(s *parindex.Snapshot)) {
			t.Helper()
			s := *snap
			s.Units = append([]parindex.SnapshotUnit(nil), snap.Units...)
			change(&s)
			_, problems := CheckDocuments(f, &s)
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p.EN, want)
			}
			if !found {
				t.Errorf("%s, %s: want a problem saying %q, got %v", code, name, want, problems)
			}
		}
		reencode := func(s *parindex.Snapshot, v any, dst *[]byte) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			*dst = b
		}
		tamper("a stored point changed", "another result", func(s *parindex.Snapshot) {
			r, _ := Result(snap)
			a := r.Agency(scoredUnit)
			for i := range a.Nodes {
				if a.Nodes[i].Code == scoredNode {
					a.Nodes[i].Points += 0.01
				}
			}
			reencode(s, r, &s.Results)
		})
		tamper("points from a missing value", "missing, yet", func(s *parindex.Snapshot) {
			r, _ := Result(snap)
			a := r.Agency(missingUnit)
			for i := range a.Nodes {
				if a.Nodes[i].Code == missingNode {
					a.Nodes[i].Points = 1
				}
			}
			reencode(s, r, &s.Results)
		})
		tamper("a value shown yet missing", "final value in the record, yet says missing", func(s *parindex.Snapshot) {
			r2, _ := DecodeRecord(snap)
			one := 1.0
			u := r2.Units[missingUnit]
			if u.Leaves == nil {
				u.Leaves = map[string]LeafRecord{}
			}
			u.Leaves[missingNode] = LeafRecord{Final: &Value{Points: &one}}
			reencode(s, r2, &s.Record)
		})
		tamper("missing without a reason", "not in the preflight", func(s *parindex.Snapshot) {
			r2, _ := DecodeRecord(snap)
			var kept []PreflightItem
			for _, p := range r2.Preflight {
				if !(p.Unit == missingUnit && p.Node == missingNode) {
					kept = append(kept, p)
				}
			}
			r2.Preflight = kept
			reencode(s, r2, &s.Record)
		})
		tamper("a unit row changed", "unit row differs", func(s *parindex.Snapshot) {
			s.Units[0].Band = "Z"
		})
		tamper("final although incomplete", "published as final with", func(s *parindex.Snapshot) {
			s.Publication = parindex.PublicationFinal
		})
		if len(rec.Preflight) == 0 {
			t.Errorf("%s: the random year has nothing incomplete", code)
		}
	}
}
