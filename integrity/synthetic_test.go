package integrity

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"parindex"
)

// syntheticArrival is one simulated response: its minute and its content.
type syntheticArrival struct {
	at      time.Time
	device  string
	answers string
	flags   []string
}

// honestArrivals simulates a counter that serves citizens at random through
// December 2026's working days (Poisson arrivals at its own daily rate),
// a few of whom rate in the evening, return, or use a phone seen elsewhere.
func honestArrivals(rng *rand.Rand, name string, perDay float64) []syntheticArrival {
	var out []syntheticArrival
	for day := 1; day <= 28; day++ {
		d := time.Date(2026, 12, day, 0, 0, 0, 0, hcm)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		for n := poisson(rng, perDay); n > 0; n-- {
			minute := 7*60 + 30 + rng.IntN(9*60+30) // 07:30–17:00
			if rng.Float64() < 0.06 {
				minute = 17*60 + rng.IntN(4*60) // rated on the way home
			}
			device := fmt.Sprintf("%s-%d", name, len(out))
			if len(out) > 0 && rng.Float64() < 0.02 {
				device = out[rng.IntN(len(out))].device // a citizen who came back
			}
			if rng.Float64() < 0.01 {
				device = fmt.Sprintf("shared-%d", rng.IntN(50))
			}
			var flags []string
			if rng.Float64() < 0.04 {
				flags = append(flags, parindex.FlagSpeeder)
			}
			out = append(out, syntheticArrival{at: d.Add(time.Duration(minute) * time.Minute), device: device, answers: honestAnswers(rng), flags: flags})
		}
	}
	return out
}

// honestAnswers is five questions of a province where about 80 % are
// satisfied and citizens differ from one question to the next.
func honestAnswers(rng *rand.Rand) string {
	var b strings.Builder
	mood := rng.Float64()
	for range 5 {
		u := rng.Float64()*0.6 + mood*0.4
		switch {
		case u > 0.55:
			b.WriteByte('5')
		case u > 0.3:
			b.WriteByte('4')
		case u > 0.15:
			b.WriteByte('3')
		case u > 0.05:
			b.WriteByte('2')
		default:
			b.WriteByte('1')
		}
	}
	return b.String()
}

func poisson(rng *rand.Rand, mean float64) int {
	n, t := 0, rng.ExpFloat64()
	for t < mean {
		n++
		t += rng.ExpFloat64()
	}
	return n
}

// aggregate turns arrivals into what the store would gather (the busiest
// five minutes as ingestion would count it).
func aggregate(id int64, unit string, arrivals []syntheticArrival) Link {
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].at.Before(arrivals[j].at) })
	l := Link{ID: id, Unit: unit, Responses: len(arrivals), FlagCounts: map[string]int{}}
	hours := map[time.Time]int{}
	devices := map[string]int{}
	vectors := map[string]int{}
	start := 0
	for i, a := range arrivals {
		hours[a.at.Truncate(time.Hour)]++
		devices[a.device]++
		vectors[a.answers]++
		for arrivals[start].at.Before(a.at.Add(-5 * time.Minute)) {
			start++
		}
		l.BusiestFiveMinutes = max(l.BusiestFiveMinutes, i-start+1)
		if strings.HasPrefix(a.device, "shared-") {
			l.SharedDevices++
		}
		for _, f := range a.flags {
			l.FlagCounts[f]++
		}
		for _, c := range a.answers {
			l.ValidAnswers++
			if c >= '4' {
				l.SatisfiedAnswers++
			}
			if c == '5' {
				l.TopBoxAnswers++
			}
		}
	}
	for h, n := range hours {
		l.Hours = append(l.Hours, HourCount{Hour: h, Count: n})
	}
	counts := make([]int, 0, len(devices))
	for _, n := range devices {
		counts = append(counts, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	for i := 0; i < 3 && i < len(counts); i++ {
		l.TopDevices += counts[i]
	}
	for v, n := range vectors {
		if n > l.TopVector || (n == l.TopVector && v < topVectorOf(vectors, l.TopVector)) {
			l.TopVector = n
		}
	}
	return l
}

func topVectorOf(vectors map[string]int, n int) string {
	best := ""
	for v, c := range vectors {
		if c == n && (best == "" || v < best) {
			best = v
		}
	}
	return best
}

// The planted counters among honest ones, over several seeds: a
// clerk's 40 five-star forms in 3 minutes from two phones, ratings only at
// closing time, and 180 % of the records returned. Every planted counter
// must be labelled with its reason, and at most 5 % of honest counters may
// be labelled anything but credible.
func TestSyntheticProvinces(t *testing.T) {
	policy := DefaultPolicy()
	honest, falseAlarms := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 22))
		arrivals := map[string][]syntheticArrival{}
		var units []Unit
		for i := range 60 {
			code := fmt.Sprintf("U%02d", i)
			arrivals[code] = honestArrivals(rng, code, 2+rng.Float64()*18)
			units = append(units, Unit{Code: code, RecordsKnown: true, RecordsReturned: len(arrivals[code])*3 + 10})
		}
		// 1. Forty five-star forms in three minutes from two phones.
		burstAt := time.Date(2026, 12, 15, 10, 20, 0, 0, hcm)
		for i := range 40 {
			arrivals["U00"] = append(arrivals["U00"], syntheticArrival{at: burstAt.Add(time.Duration(i*4) * time.Second),
				device: []string{"clerk-a", "clerk-b"}[i%2], answers: "55555"})
		}
		// 2. Ratings only at closing time: every form of U01 moved to the
		// hour after the counter closes.
		for i := range arrivals["U01"] {
			a := &arrivals["U01"][i]
			a.at = time.Date(a.at.Year(), a.at.Month(), a.at.Day(), 17, rng.IntN(60), 0, 0, hcm)
		}
		// 3. 180 % of the records returned.
		units[2].RecordsReturned = len(arrivals["U02"]) * 10 / 18

		// The province's share of each answer vector, as the store reads it.
		province := map[string]int{}
		total := 0
		for _, as := range arrivals {
			for _, a := range as {
				province[a.answers]++
				total++
			}
		}
		var links []Link
		for i, u := range units {
			l := aggregate(int64(i+1), u.Code, arrivals[u.Code])
			vectors := map[string]int{}
			for _, a := range arrivals[u.Code] {
				vectors[a.answers]++
			}
			l.TopVectorProvinceShare = float64(province[topVectorOf(vectors, l.TopVector)]) / float64(total)
			l.DistinctVectors = len(vectors)
			links = append(links, l)
		}
		report := Assess(policy, units, links)
		planted := map[string]Indicator{"U00": Burst, "U01": OutsideHours, "U02": ResponseRate}
		for _, u := range report.Units {
			if want, ok := planted[u.Unit.Code]; ok {
				found := false
				for _, f := range append(u.Findings, u.Links[0].Findings...) {
					found = found || f.Indicator == want
				}
				if seed == 1 {
					t.Logf("planted %s: %v, %v", u.Unit.Code, u.Label, indicatorsOf(append(u.Findings, u.Links[0].Findings...)))
				}
				if !found || u.Label < Check {
					t.Errorf("seed %d: planted %s is %v without %s: %v", seed, u.Unit.Code, u.Label, want, indicatorsOf(append(u.Findings, u.Links[0].Findings...)))
				}
				continue
			}
			if u.Label == NotJudged {
				continue
			}
			honest++
			if u.Label != Credible {
				falseAlarms++
				t.Logf("seed %d: honest %s (%d responses) labelled %v: %v", seed, u.Unit.Code, u.Responses, u.Label, indicatorsOf(u.Links[0].Findings))
			}
		}
	}
	t.Logf("%d false alarms among %d honest counters judged", falseAlarms, honest)
	if honest < 250 || float64(falseAlarms) > 0.05*float64(honest) {
		t.Errorf("%d false alarms among %d honest counters: more than 5 %%", falseAlarms, honest)
	}
}
