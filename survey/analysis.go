package survey

import (
	"math"
	"sort"

	"parindex/stats"
)

// UnitFigure is one unit's overall index and its number of respondents.
type UnitFigure struct {
	Unit        string
	Index       float64 // fraction in [0,1]
	Respondents int
}

// Weightings of a combined figure.
const (
	WeightTransactions = "transactions" // each unit weighted by its number of transactions
	WeightEqual        = "equal"        // transaction counts unknown: every unit counts the same
)

// Combined is a locality's or group's figure built from its units.
type Combined struct {
	Index       float64  `json:"index"`
	SE          float64  `json:"se"`
	CI95        Interval `json:"ci95"`
	Weighting   string   `json:"weighting"`
	Units       int      `json:"units"`
	Respondents int      `json:"respondents"`
}

// Combine makes a locality's figure from its units' figures as a stratified
// estimate: each unit's index weighted by its transactions when every unit's
// count is known, equally otherwise. Raw answers are never pooled across
// units: units are sampled at different rates, and pooling would let the
// busiest sample speak for everyone (Simpson's paradox). Units with no
// respondents are left out.
func Combine(units []UnitFigure, transactions map[string]float64) (Combined, error) {
	var pops, rates []float64
	var ns []int
	weighting := WeightTransactions
	for _, u := range units {
		if u.Respondents == 0 || math.IsNaN(u.Index) {
			continue
		}
		if t, ok := transactions[u.Unit]; !ok || !(t > 0) {
			weighting = WeightEqual
		}
	}
	res := Combined{Weighting: weighting}
	for _, u := range units {
		if u.Respondents == 0 || math.IsNaN(u.Index) {
			continue
		}
		pop := 1.0
		if weighting == WeightTransactions {
			pop = transactions[u.Unit]
		}
		pops, rates, ns = append(pops, pop), append(rates, u.Index), append(ns, u.Respondents)
		res.Units++
		res.Respondents += u.Respondents
	}
	if res.Units == 0 {
		res.Index, res.SE = math.NaN(), math.NaN()
		res.CI95 = Interval{Number(math.NaN()), Number(math.NaN())}
		return res, nil
	}
	st, err := stats.StratifiedRate(pops, rates, ns)
	if err != nil {
		return Combined{}, err
	}
	res.Index, res.SE = st.Estimate, st.SE
	res.CI95 = Interval{Number(math.Max(0, st.Estimate-stats.Z95*st.SE)), Number(math.Min(1, st.Estimate+stats.Z95*st.SE))}
	return res, nil
}

// Comparison is the difference between two shares with its 95% interval.
type Comparison struct {
	Diff        float64  `json:"diff"`
	CI95        Interval `json:"ci95"`
	PValue      float64  `json:"p_value"`
	Significant bool     `json:"significant"` // the interval excludes 0
}

// Compare compares two shares of satisfied answers (x of n each): a unit
// against the province, or a year against the year before. The interval is
// Newcombe's hybrid score interval for the difference; the p-value is the
// pooled two-proportion z-test's.
func Compare(x1, n1, x2, n2 int) (Comparison, error) {
	z, err := stats.TwoProportionZTest(x1, n1, x2, n2)
	if err != nil {
		return Comparison{}, err
	}
	lo, hi := stats.NewcombeDifference(x1, n1, x2, n2, stats.Z95)
	return Comparison{Diff: z.Diff, CI95: Interval{Number(lo), Number(hi)}, PValue: z.PValue, Significant: lo > 0 || hi < 0}, nil
}

// SatisfiedAnswers sums a group's satisfied (level 4–5) and valid answers
// over every question: the share Compare works on. Answers of one person
// are not independent, so this share's interval is somewhat too narrow; the
// dashboards say so where they show it.
func SatisfiedAnswers(r GroupResult) (satisfied, valid int) {
	for _, q := range r.Questions {
		satisfied += q.Counts[3] + q.Counts[4]
		valid += q.N
	}
	return satisfied, valid
}

// FunnelPoint is one unit on a funnel plot.
type FunnelPoint struct {
	Unit       string  `json:"unit"`
	N          int     `json:"n"`
	Rate       float64 `json:"rate"`
	Lower95    float64 `json:"lower95"`
	Upper95    float64 `json:"upper95"`
	Lower998   float64 `json:"lower998"`
	Upper998   float64 `json:"upper998"`
	Outside95  bool    `json:"outside95"`
	Outside998 bool    `json:"outside998"`
}

// Funnel is the data of a funnel plot: units' rates against their number of
// respondents, with control limits around the province rate, so that small
// units with extreme rates do not look falsely bad or good.
type Funnel struct {
	Center float64       `json:"center"`
	Points []FunnelPoint `json:"points"`
}

// FunnelData computes control limits at 95% and 99.8% around the
// respondent-weighted province rate: p0 ± z·sqrt(p0(1−p0)/n).
func FunnelData(units []UnitFigure) Funnel {
	var sum float64
	var n int
	for _, u := range units {
		if u.Respondents > 0 && !math.IsNaN(u.Index) {
			sum += u.Index * float64(u.Respondents)
			n += u.Respondents
		}
	}
	f := Funnel{Center: math.NaN()}
	if n == 0 {
		return f
	}
	p0 := sum / float64(n)
	f.Center = p0
	z998 := stats.NormalQuantile(0.999)
	for _, u := range units {
		if u.Respondents == 0 || math.IsNaN(u.Index) {
			continue
		}
		se := math.Sqrt(p0 * (1 - p0) / float64(u.Respondents))
		p := FunnelPoint{Unit: u.Unit, N: u.Respondents, Rate: u.Index,
			Lower95: math.Max(0, p0-stats.Z95*se), Upper95: math.Min(1, p0+stats.Z95*se),
			Lower998: math.Max(0, p0-z998*se), Upper998: math.Min(1, p0+z998*se)}
		p.Outside95 = p.Rate < p.Lower95 || p.Rate > p.Upper95
		p.Outside998 = p.Rate < p.Lower998 || p.Rate > p.Upper998
		f.Points = append(f.Points, p)
	}
	sort.Slice(f.Points, func(i, j int) bool { return f.Points[i].N < f.Points[j].N })
	return f
}

// SamplePlan says how many respondents a unit needs in a period.
type SamplePlan struct {
	Transactions int `json:"transactions"`
	Needed       int `json:"needed"` // Yamane, e = 5%
	Have         int `json:"have"`
	Short        int `json:"short"` // how many more are needed (0 when enough)
}

// PlanSample applies Yamane's formula n = N / (1 + N·e²) with e = 5% to
// the unit's transactions in the period.
func PlanSample(transactions, respondents int) (SamplePlan, error) {
	needed, err := stats.YamaneSampleSize(transactions, 0.05)
	if err != nil {
		return SamplePlan{}, err
	}
	return SamplePlan{Transactions: transactions, Needed: needed, Have: respondents, Short: max(0, needed-respondents)}, nil
}
