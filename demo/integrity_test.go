package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"parindex"
	"parindex/demo"
	"parindex/integrity"
	"parindex/store"
)

// checkCountersTellTheTruth runs the integrity report over each demo year:
// the gamed counters of demo.GamedYear get their labels for their reasons
// (three doubtful, one to check), and every other link and unit is
// credible, or not judged for having fewer responses than the policy's
// minimum.
func checkCountersTellTheTruth(t *testing.T, db *store.DB) {
	ctx := context.Background()
	in, err := db.InstrumentByCode(ctx, demo.InstrumentCode)
	if err != nil {
		t.Fatal(err)
	}
	policy := integrity.DefaultPolicy()
	for _, year := range []int{2025, 2026} {
		units, links, err := db.IntegrityAggregates(ctx, store.IntegrityFilter{
			InstrumentID: in.ID, Period: parindex.YearPeriod(year), Location: time.FixedZone("ICT", 7*3600)})
		if err != nil {
			t.Fatal(err)
		}
		report := integrity.Assess(policy, units, links)
		credible, found := 0, map[demo.CounterRef]integrity.LinkJudgement{}
		var friends integrity.UnitJudgement
		for _, u := range report.Units {
			gamed := false
			for _, l := range u.Links {
				ref := demo.CounterRef{Unit: l.Link.Unit, Counter: l.Link.Label}
				if year == demo.GamedYear && slices.Contains(gamedLinks, ref) {
					found[ref], gamed = l, true
					continue
				}
				switch {
				case l.Label == integrity.Credible:
					credible++
				case l.Label == integrity.NotJudged && l.Responses < policy.MinimumResponses:
				default:
					t.Errorf("%d: honest link %s %s (%d responses) labelled %s: %v", year, ref.Unit, ref.Counter, l.Responses, l.Label, indicatorsOf(l.Findings))
				}
			}
			if year == demo.GamedYear && u.Unit.Code == demo.FriendsCounter.Unit {
				friends = u
				continue
			}
			if !gamed && (len(u.Findings) > 0 || u.Label > integrity.Credible) {
				t.Errorf("%d: honest unit %s labelled %s: %v", year, u.Unit.Code, u.Label, indicatorsOf(u.Findings))
			}
		}
		// Most links are judged, or "credible" would say little.
		if credible < len(links)/2 {
			t.Errorf("%d: %d of %d links credible", year, credible, len(links))
		}
		if year != demo.GamedYear {
			continue
		}

		clerk, ok := found[demo.ClerkCounter]
		if !ok {
			t.Fatalf("%d: no link at %v", year, demo.ClerkCounter)
		}
		if clerk.Label != integrity.Doubtful {
			t.Errorf("clerk's counter labelled %s, want doubtful: %v", clerk.Label, indicatorsOf(clerk.Findings))
		}
		// Doubtful for its check reasons together: after hours, one phone,
		// one answer vector, straight-lined, all five stars.
		for _, want := range []integrity.Indicator{integrity.OutsideHours, integrity.TopDevices, integrity.RepeatedAnswers, integrity.Flags, integrity.TopBox} {
			if !slices.Contains(indicatorsOf(clerk.Findings), want) {
				t.Errorf("clerk's counter: no %s reason among %v", want, indicatorsOf(clerk.Findings))
			}
		}
		for _, f := range clerk.Findings {
			if f.Indicator == integrity.OutsideHours && f.Value*float64(clerk.Responses) < demo.ClerkForms {
				t.Errorf("clerk's counter: %.3f of %d responses outside office hours, fewer than her %d forms", f.Value, clerk.Responses, demo.ClerkForms)
			}
		}
		burst, ok := found[demo.BurstCounter]
		if !ok {
			t.Fatalf("%d: no link at %v", year, demo.BurstCounter)
		}
		if burst.Label != integrity.Doubtful || burst.Findings[0].Indicator != integrity.Burst || burst.Findings[0].Value < demo.BurstForms {
			t.Errorf("burst counter labelled %s for %+v, want doubtful for a burst of %d first", burst.Label, burst.Findings, demo.BurstForms)
		}

		// The friends' unit: doubtful for its response rate alone (about
		// 180 % of its records resolved at the demo's full volume; the
		// test seeds a quarter of the citizens); its link looks like its
		// citizens.
		rate := float64(friends.Responses) / float64(friends.Unit.RecordsReturned)
		if friends.Label != integrity.Doubtful || !slices.Equal(indicatorsOf(friends.Findings), []integrity.Indicator{integrity.ResponseRate}) || rate <= policy.Indicators.ResponseRateMax {
			t.Errorf("friends' unit %s labelled %s for %v at a response rate of %.3f, want doubtful for response_rate alone", friends.Unit.Code, friends.Label, indicatorsOf(friends.Findings), rate)
		}

		fiveStar, ok := found[demo.FiveStarCounter]
		if !ok {
			t.Fatalf("%d: no link at %v", year, demo.FiveStarCounter)
		}
		if got := indicatorsOf(fiveStar.Findings); fiveStar.Label != integrity.Check || !slices.Equal(got, []integrity.Indicator{integrity.TopBox}) {
			t.Errorf("five-star counter labelled %s for %v, want check for top_box alone", fiveStar.Label, got)
		}
	}
}

// gamedLinks are the links the demo games in demo.GamedYear.
var gamedLinks = []demo.CounterRef{demo.ClerkCounter, demo.BurstCounter, demo.FiveStarCounter}

func indicatorsOf(findings []integrity.Finding) []integrity.Indicator {
	var out []integrity.Indicator
	for _, f := range findings {
		out = append(out, f.Indicator)
	}
	return out
}
