// Package integritytest serves the tests of the counter-integrity report
// (issue 22); nothing imports it but tests. It simulates provinces with
// honest and gamed counters (synthetic.go: the pure test in package
// integrity aggregates the arrivals itself, the store's writes them as
// responses on SQLite and PostgreSQL and reads them back), and plants two
// counters in a database for the tests of the pages, the API and the
// workbook (plant.go).
package integritytest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/integrity"
)

// Zone is the counters' local time.
var Zone = time.FixedZone("ICT", 7*3600)

// Arrival is one simulated response: its moment and its content.
type Arrival struct {
	At      time.Time
	Device  string
	Answers string // five answers, 1–5
	Flags   []string
}

// Province is a simulated province: units with one QR link each and their
// one-stop records, each link's arrivals, and the three planted counters
// with the indicator that must find each.
type Province struct {
	Units    []integrity.Unit
	Arrivals map[string][]Arrival // by unit code
	Planted  map[string]integrity.Indicator
}

// Units is how many counters a province has.
const Units = 60

// SyntheticProvince simulates one province for seed, with unit codes
// prefix + "00" … prefix + "59": honest counters at 2–20 citizens a working
// day of December 2026, and three planted ones (the issue's): 40 five-star
// forms in 3 minutes from two phones (prefix00), ratings only in the hour
// after closing (prefix01), and responses at 180 % of the records returned
// (prefix02).
func SyntheticProvince(seed uint64, prefix string) Province {
	rng := rand.New(rand.NewPCG(seed, 22))
	p := Province{Arrivals: map[string][]Arrival{}}
	code := func(i int) string { return fmt.Sprintf("%s%02d", prefix, i) }
	for i := range Units {
		c := code(i)
		p.Arrivals[c] = honestArrivals(rng, c, 2+rng.Float64()*18)
		p.Units = append(p.Units, integrity.Unit{Code: c, RecordsKnown: true, RecordsReturned: len(p.Arrivals[c])*3 + 10})
	}
	burstAt := time.Date(2026, 12, 15, 10, 20, 0, 0, Zone)
	for i := range 40 {
		p.Arrivals[code(0)] = append(p.Arrivals[code(0)], Arrival{At: burstAt.Add(time.Duration(i*4) * time.Second),
			Device: []string{"clerk-a", "clerk-b"}[i%2], Answers: "55555"})
	}
	closing := p.Arrivals[code(1)]
	for i := range closing {
		a := &closing[i]
		a.At = time.Date(a.At.Year(), a.At.Month(), a.At.Day(), 17, rng.IntN(60), 0, 0, Zone)
	}
	p.Units[2].RecordsReturned = len(p.Arrivals[code(2)]) * 10 / 18
	p.Planted = map[string]integrity.Indicator{code(0): integrity.Burst, code(1): integrity.OutsideHours, code(2): integrity.ResponseRate}
	return p
}

// honestArrivals simulates a counter that serves citizens at random through
// December 2026's working days (Poisson arrivals at its own daily rate),
// a few of whom rate in the evening, return, or use a phone seen elsewhere.
func honestArrivals(rng *rand.Rand, name string, perDay float64) []Arrival {
	var out []Arrival
	for day := 1; day <= 28; day++ {
		d := time.Date(2026, 12, day, 0, 0, 0, 0, Zone)
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
				device = out[rng.IntN(len(out))].Device // a citizen who came back
			}
			if rng.Float64() < 0.01 {
				device = fmt.Sprintf("shared-%d", rng.IntN(50))
			}
			var flags []string
			if rng.Float64() < 0.04 {
				flags = append(flags, parindex.FlagSpeeder)
			}
			out = append(out, Arrival{At: d.Add(time.Duration(minute) * time.Minute), Device: device, Answers: honestAnswers(rng), Flags: flags})
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

// Tally checks a report of the province: every planted counter is
// labelled at least "check" with the reason that must find it (an error
// otherwise), and it counts the honest units judged and those labelled
// anything but credible.
func (p Province) Tally(t testing.TB, report integrity.Report) (honest, falseAlarms int) {
	t.Helper()
	for _, u := range report.Units {
		var found []integrity.Finding
		found = append(found, u.Findings...)
		for _, l := range u.Links {
			found = append(found, l.Findings...)
		}
		if want, ok := p.Planted[u.Unit.Code]; ok {
			has := false
			for _, f := range found {
				has = has || f.Indicator == want
			}
			if !has || u.Label < integrity.Check {
				t.Errorf("planted %s is %v without %s: %v", u.Unit.Code, u.Label, want, Indicators(found))
			}
			continue
		}
		if u.Label == integrity.NotJudged {
			continue
		}
		honest++
		if u.Label != integrity.Credible {
			falseAlarms++
			t.Logf("honest %s (%d responses) labelled %v: %v", u.Unit.Code, u.Responses, u.Label, Indicators(found))
		}
	}
	return honest, falseAlarms
}

// Indicators lists the findings' indicators, a flag's name after its
// indicator.
func Indicators(fs []integrity.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Indicator)+f.Flag)
	}
	return out
}

// CheckFalseAlarms fails when more than 5 % of the honest counters judged
// were labelled anything but credible, or too few were judged to tell.
func CheckFalseAlarms(t testing.TB, honest, falseAlarms, atLeast int) {
	t.Helper()
	t.Logf("%d false alarms among %d honest counters judged", falseAlarms, honest)
	if honest < atLeast || float64(falseAlarms) > 0.05*float64(honest) {
		t.Errorf("%d false alarms among %d honest counters judged (at least %d wanted): more than 5 %%", falseAlarms, honest, atLeast)
	}
}
