package demo

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"parindex"
	"parindex/assessment"
)

// demoYears are the years the demo runs the cycle for: the last completed
// year, scored and published with every agency final, and the current one,
// with a few agencies still in the cycle for the demo logins.
var demoYears = []int{2025, 2026}

// vietnamTime is the zone the demo's days and office hours are counted in.
var vietnamTime = time.FixedZone("ICT", 7*3600)

// dice is a small deterministic generator per unit, so that the demo is
// the same on every machine and a unit's figures do not depend on which
// other units were drawn before it.
type dice struct{ state uint64 }

func newDice(seed string) *dice {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &dice{state: h.Sum64() | 1}
}

func (d *dice) float() float64 {
	d.state ^= d.state << 13
	d.state ^= d.state >> 7
	d.state ^= d.state << 17
	return float64(d.state>>11) / float64(1<<53)
}

func (d *dice) between(lo, hi float64) float64 { return lo + (hi-lo)*d.float() }

// intN returns an integer in [0, n).
func (d *dice) intN(n int) int { return min(n-1, int(d.float()*float64(n))) }

// chance is true with probability p.
func (d *dice) chance(p float64) bool { return d.float() < p }

// normal returns a standard normal draw (Box–Muller).
func (d *dice) normal() float64 {
	u := 1 - d.float() // (0, 1]: the logarithm stays finite
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*d.float())
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// standing is how well a unit does in a year. Every figure the demo makes
// for the unit in that year — its one-stop-shop records, its yearly
// self-reported figures, its self-scores, the appraisers' corrections and
// its citizens' answers — is drawn around it, so that its published index
// lands near target.
type standing struct {
	target float64 // the PAR index the unit is meant to reach, in percent
	skill  float64 // 0 for the weakest agency a province has, 1 for a model one
}

// skillOf turns a target index into the skill the figures are drawn from.
// The criteria's rules (tiers, caps, targets) are not linear and appraisal
// lowers some scores, so the ends were fitted on the seeded demo: a final
// agency of skill 0 publishes about 52, one of skill 1 about 97.
func skillOf(target float64) float64 {
	return clamp((target-skillFloor)/(skillCeiling-skillFloor), 0, 1)
}

const (
	skillFloor   = 52.5
	skillCeiling = 97.5
)

// ladder is a quantile curve of target indices: rank 0 (the best of its
// peers) to rank 1 (the weakest), straight between the points.
type ladder []struct{ rank, index float64 }

func (l ladder) at(rank float64) float64 {
	for i := 1; i < len(l); i++ {
		if rank <= l[i].rank {
			a, b := l[i-1], l[i]
			return a.index + (b.index-a.index)*(rank-a.rank)/(b.rank-a.rank)
		}
	}
	return l[len(l)-1].index
}

// The targets of a year as a real province publishes them (DOMAIN.md: the
// provincial average 86.98% in 2023, best 92.18%, lowest 81.32%; a
// province's own departments spread wider). Ranks span 0 to 1, so the ends
// of each ladder are always reached: every band, the lowest included, has a
// unit. Communes and wards spread wider than departments.
var (
	departmentLadder = ladder{{0, 95.5}, {0.2, 91.5}, {0.45, 87.5}, {0.7, 83}, {0.9, 76}, {1, 63}}
	communeLadder    = ladder{{0, 96.5}, {0.1, 93}, {0.35, 88}, {0.65, 83}, {0.88, 75}, {1, 59}}
)

// improvement is how much the whole ladder rises from one year to the
// next: the province's reform moves on.
const improvement = 1.2

// peerGroups are the units ranked against each other, as the frameworks
// score them.
var peerGroups = []struct {
	types  []string
	ladder ladder
}{
	{[]string{parindex.OrgTypeDepartment}, departmentLadder},
	{[]string{parindex.OrgTypeCommune, parindex.OrgTypeWard}, communeLadder},
}

var (
	standingsOnce sync.Once
	standings     map[string]map[int]standing // unit code → year → standing
)

// standingOf returns a unit's standing in a year. Departments and communes
// are ranked among their peers by a draw from their own dice, and each
// year's rank moves a little from the year before, so that some units rise
// and some fall; the rank sets the target on the year's ladder. Units no
// framework scores (the one-stop centre, the units abolished in 2025) get
// a standing from their dice alone.
func standingOf(code string, year int) standing {
	standingsOnce.Do(rankUnits)
	if s, ok := standings[code][year]; ok {
		return s
	}
	d := newDice(code + "/standing/" + strconv.Itoa(year))
	t := d.between(80, 93)
	return standing{target: t, skill: skillOf(t)}
}

func rankUnits() {
	standings = map[string]map[int]standing{}
	rows := OrgRows()
	for _, g := range peerGroups {
		var codes []string
		for _, r := range rows {
			if slices.Contains(g.types, r.Type) && r.ValidTo == "" {
				codes = append(codes, r.Code)
			}
		}
		key := map[string]float64{}
		for _, c := range codes {
			key[c] = newDice(c + "/standing").float()
		}
		for yi, year := range demoYears {
			if yi > 0 {
				for _, c := range codes {
					key[c] += 0.2 * (newDice(c+"/standing/"+strconv.Itoa(year)).float() - 0.5)
				}
			}
			order := slices.Clone(codes)
			slices.SortFunc(order, func(a, b string) int { return cmp.Or(cmp.Compare(key[a], key[b]), strings.Compare(a, b)) })
			keepFinalAtEnds(order, year)
			for i, c := range order {
				if standings[c] == nil {
					standings[c] = map[int]standing{}
				}
				t := g.ladder.at(float64(i)/float64(len(order)-1)) + improvement*float64(yi)
				standings[c][year] = standing{target: t, skill: skillOf(t)}
			}
		}
	}
}

// keepFinalAtEnds makes sure that the best and the weakest of a year are
// agencies the demo takes to the end of the cycle: an agency still in
// appraisal scores with missing leaves, so the published ranking would
// otherwise lose its top or bottom band.
func keepFinalAtEnds(order []string, year int) {
	final := func(code string) bool { return planned(year, code).state == assessment.StateFinal }
	ends := []struct{ at, step int }{{0, 1}, {len(order) - 1, -1}}
	for _, e := range ends {
		if final(order[e.at]) {
			continue
		}
		for j := e.at + e.step; j >= 0 && j < len(order); j += e.step {
			if final(order[j]) {
				order[e.at], order[j] = order[j], order[e.at]
				break
			}
		}
	}
}

// satisfactionOf is the share of satisfied answers a unit's citizens give
// in a year, by its skill: about 66% for the weakest, 94% for a model
// unit (national SIPAS: 80–84% in 2022–2024).
func satisfactionOf(s standing) float64 { return 0.66 + 0.28*s.skill }

// normalQuantile inverts the standard normal distribution function by
// bisection: the demo calls it once per unit and year.
func normalQuantile(p float64) float64 {
	lo, hi := -8.0, 8.0
	for range 60 {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(-mid/math.Sqrt2) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
