package integrity_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"parindex/integrity"
	"parindex/integrity/integritytest"
)

// aggregate turns arrivals into what the store gathers, the busiest five
// minutes as a sliding window (the store's fixed slots never see more;
// store/integrity_synthetic_test.go runs the same provinces through them).
func aggregate(id int64, unit string, arrivals []integritytest.Arrival) integrity.Link {
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].At.Before(arrivals[j].At) })
	l := integrity.Link{ID: id, Unit: unit, Responses: len(arrivals), FlagCounts: map[string]int{}}
	hours := map[time.Time]int{}
	devices := map[string]int{}
	start := 0
	for i, a := range arrivals {
		hours[a.At.Truncate(time.Hour)]++
		devices[a.Device]++
		for arrivals[start].At.Before(a.At.Add(-5 * time.Minute)) {
			start++
		}
		l.BusiestFiveMinutes = max(l.BusiestFiveMinutes, i-start+1)
		if strings.HasPrefix(a.Device, "shared-") {
			l.SharedDevices++
		}
		for _, f := range a.Flags {
			l.FlagCounts[f]++
		}
		for _, c := range a.Answers {
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
		l.Hours = append(l.Hours, integrity.HourCount{Hour: h, Count: n})
	}
	counts := make([]int, 0, len(devices))
	for _, n := range devices {
		counts = append(counts, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	for i := 0; i < 3 && i < len(counts); i++ {
		l.TopDevices += counts[i]
	}
	return l
}

// topVector is the commonest answer vector (the smallest of equals) and
// its count.
func topVector(vectors map[string]int) (string, int) {
	best, n := "", 0
	for v, c := range vectors {
		if c > n || (c == n && v < best) {
			best, n = v, c
		}
	}
	return best, n
}

// The planted counters among honest ones, over several seeds: a
// clerk's 40 five-star forms in 3 minutes from two phones, ratings only at
// closing time, and 180 % of the records returned. Every planted counter
// must be labelled with its reason, and at most 5 % of honest counters may
// be labelled anything but credible.
func TestSyntheticProvinces(t *testing.T) {
	policy := integrity.DefaultPolicy()
	honest, falseAlarms := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		p := integritytest.SyntheticProvince(seed, "U")
		// The province's share of each answer vector, as the store reads it.
		province := map[string]int{}
		total := 0
		for _, as := range p.Arrivals {
			for _, a := range as {
				province[a.Answers]++
				total++
			}
		}
		var links []integrity.Link
		for i, u := range p.Units {
			l := aggregate(int64(i+1), u.Code, p.Arrivals[u.Code])
			vectors := map[string]int{}
			for _, a := range p.Arrivals[u.Code] {
				vectors[a.Answers]++
			}
			var top string
			top, l.TopVector = topVector(vectors)
			l.TopVectorProvinceShare = float64(province[top]) / float64(total)
			l.DistinctVectors = len(vectors)
			links = append(links, l)
		}
		h, f := p.Tally(t, integrity.Assess(policy, p.Units, links))
		honest += h
		falseAlarms += f
	}
	integritytest.CheckFalseAlarms(t, honest, falseAlarms, 250)
}
