package integrity

import (
	"cmp"
	"math"
	"slices"

	"parindex/stats"
)

// burstWindowMinutes is the window of the burst indicator. Five minutes
// is how long a clerk needs to tap a pile of forms and shorter than any
// honest queue takes to be served.
const burstWindowMinutes = 5

// Assess judges every link and unit of a period under the policy. Links of
// units missing from units are judged and reported under a unit with only
// a code. The result is ranked worst first.
func Assess(policy Policy, units []Unit, links []Link) Report {
	report := Report{PolicyVersion: policy.Version, ProvinceTopBox: provinceTopBox(links)}
	byCode := map[string]*UnitJudgement{}
	var order []string
	unitOf := func(code string) *UnitJudgement {
		if u, ok := byCode[code]; ok {
			return u
		}
		byCode[code] = &UnitJudgement{Unit: Unit{Code: code}}
		order = append(order, code)
		return byCode[code]
	}
	for _, u := range units {
		unitOf(u.Code).Unit = u
	}
	for _, l := range links {
		u := unitOf(l.Unit)
		u.Links = append(u.Links, LinkJudgement{Link: l, Judgement: judgeLink(policy, l, report.ProvinceTopBox)})
	}
	for _, code := range order {
		u := byCode[code]
		judgeUnit(policy, u)
		slices.SortStableFunc(u.Links, func(a, b LinkJudgement) int {
			return cmp.Or(worseFirst(a.Judgement, b.Judgement), cmp.Compare(a.Link.ID, b.Link.ID))
		})
		report.Units = append(report.Units, *u)
	}
	slices.SortStableFunc(report.Units, func(a, b UnitJudgement) int {
		return cmp.Or(worseFirst(a.Judgement, b.Judgement), cmp.Compare(a.Unit.Code, b.Unit.Code))
	})
	return report
}

func worseFirst(a, b Judgement) int {
	return cmp.Or(cmp.Compare(b.Label, a.Label), cmp.Compare(len(b.Findings), len(a.Findings)))
}

// provinceTopBox is the centre of the top-box funnel: the share of
// five-star answers over every QR link (independent samples excluded, as
// they measure the same citizens another way).
func provinceTopBox(links []Link) float64 {
	var top, valid int
	for _, l := range links {
		if !l.Independent {
			top += l.TopBoxAnswers
			valid += l.ValidAnswers
		}
	}
	if valid == 0 {
		return math.NaN()
	}
	return float64(top) / float64(valid)
}

func judgeLink(policy Policy, l Link, provinceTopBox float64) Judgement {
	j := Judgement{Responses: l.Responses}
	if l.Responses < policy.MinimumResponses {
		return j
	}
	alpha := policy.Significance
	limits := policy.Indicators
	n := l.Responses
	var found []Finding
	add := func(f Finding) {
		f.Label = policy.Labels[f.Indicator]
		found = append(found, f)
	}
	if outside := outsideOfficeHours(policy, l.Hours); outside > 0 {
		p := stats.BinomialUpperTail(outside, n, limits.OutsideHoursExpected)
		if p < alpha {
			add(Finding{Indicator: OutsideHours, Value: share(outside, n), Limit: limits.OutsideHoursExpected, PValue: p, Lower: math.NaN()})
		}
	}
	if k := l.BusiestFiveMinutes; k > 0 {
		// The link's own rate over the hours it was in use: a quiet link
		// is not judged against the hours nobody came.
		span := float64(max(1, activeHours(l.Hours)) * 60)
		p := stats.ScanPValue(k, float64(n)/span, burstWindowMinutes, span)
		if p < alpha {
			add(Finding{Indicator: Burst, Value: float64(k), Limit: float64(n) / span * burstWindowMinutes, PValue: p, Lower: math.NaN()})
		}
	}
	boundFinding := func(ind Indicator, flag string, x int, limit float64) {
		lo, _ := stats.Wilson(x, n, stats.Z95)
		if lo > limit {
			add(Finding{Indicator: ind, Flag: flag, Value: share(x, n), Limit: limit, PValue: math.NaN(), Lower: lo})
		}
	}
	boundFinding(TopDevices, "", l.TopDevices, limits.TopDevicesShareMax)
	boundFinding(SharedDevices, "", l.SharedDevices, limits.SharedDevicesShareMax)
	if l.TopVector > 1 {
		p := math.Min(1, stats.BinomialUpperTail(l.TopVector, n, l.TopVectorProvinceShare)*float64(max(1, l.DistinctVectors)))
		if p < alpha {
			add(Finding{Indicator: RepeatedAnswers, Value: share(l.TopVector, n), Limit: l.TopVectorProvinceShare, PValue: p, Lower: math.NaN()})
		}
	}
	for _, flag := range QualityFlags {
		boundFinding(Flags, flag, l.FlagCounts[flag], limits.FlagShareMax[flag])
	}
	if l.ValidAnswers > 0 && !math.IsNaN(provinceTopBox) {
		// One person's answers move together, so the funnel counts
		// respondents, not answers: wider limits, no false alarm from a
		// counter whose few citizens happened to be pleased with everything.
		respondents := min(n, l.ValidAnswers)
		z := stats.NormalQuantile(1 - (1-limits.FunnelCoverage)/2)
		_, hi := stats.FunnelLimits(provinceTopBox, respondents, z)
		observed := share(l.TopBoxAnswers, l.ValidAnswers)
		if observed > hi {
			se := math.Sqrt(provinceTopBox * (1 - provinceTopBox) / float64(respondents))
			add(Finding{Indicator: TopBox, Value: observed, Limit: hi, PValue: math.Erfc((observed-provinceTopBox)/se/math.Sqrt2) / 2, Lower: math.NaN()})
		}
	}
	j.Findings = found
	j.Label = label(policy, found)
	return j
}

// judgeUnit judges what only a unit has, its response rate and the gap to
// its independent sample, over its QR links together; the unit then takes
// its worst link's label if that is worse.
func judgeUnit(policy Policy, u *UnitJudgement) {
	var qr, independent Link
	for _, l := range u.Links {
		into := &qr
		if l.Link.Independent {
			into = &independent
		}
		into.Responses += l.Link.Responses
		into.ValidAnswers += l.Link.ValidAnswers
		into.SatisfiedAnswers += l.Link.SatisfiedAnswers
	}
	u.Responses = qr.Responses
	u.IndependentGap, u.GapLower, u.GapUpper = math.NaN(), math.NaN(), math.NaN()
	var found []Finding
	add := func(f Finding) {
		f.Label = policy.Labels[f.Indicator]
		found = append(found, f)
	}
	// Above the maximum no test is needed: the count is impossible, not
	// unlikely. Judged at any volume for that reason.
	if u.Unit.RecordsKnown && qr.Responses > 0 {
		rate := math.Inf(1)
		if u.Unit.RecordsReturned > 0 {
			rate = float64(qr.Responses) / float64(u.Unit.RecordsReturned)
		}
		if rate > policy.Indicators.ResponseRateMax {
			add(Finding{Indicator: ResponseRate, Value: rate, Limit: policy.Indicators.ResponseRateMax, PValue: math.NaN(), Lower: math.NaN()})
		}
	}
	if qr.ValidAnswers > 0 && independent.ValidAnswers > 0 {
		u.IndependentGap = share(qr.SatisfiedAnswers, qr.ValidAnswers) - share(independent.SatisfiedAnswers, independent.ValidAnswers)
		u.GapLower, u.GapUpper = stats.NewcombeDifference(qr.SatisfiedAnswers, qr.ValidAnswers, independent.SatisfiedAnswers, independent.ValidAnswers, stats.Z95)
		if u.GapLower > policy.Indicators.IndependentGapMax {
			add(Finding{Indicator: IndependentGap, Value: u.IndependentGap, Limit: policy.Indicators.IndependentGapMax, PValue: math.NaN(), Lower: u.GapLower})
		}
	}
	u.Findings = found
	u.Label = label(policy, found)
	if len(found) == 0 && qr.Responses < policy.MinimumResponses {
		u.Label = NotJudged
	}
	for _, l := range u.Links {
		u.Label = max(u.Label, l.Label)
	}
}

// label applies the policy's label rule to the reasons found, and orders
// them worst first.
func label(policy Policy, found []Finding) Label {
	slices.SortStableFunc(found, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Label, a.Label), cmp.Compare(slices.Index(Indicators, a.Indicator), slices.Index(Indicators, b.Indicator)))
	})
	checks := 0
	worst := Credible
	for _, f := range found {
		worst = max(worst, f.Label)
		if f.Label == Check {
			checks++
		}
	}
	if policy.CheckReasonsForDoubtful > 0 && checks >= policy.CheckReasonsForDoubtful {
		worst = Doubtful
	}
	return worst
}

func outsideOfficeHours(policy Policy, hours []HourCount) int {
	outside := 0
	for _, h := range hours {
		if !policy.IsOfficeHour(h.Hour) {
			outside += h.Count
		}
	}
	return outside
}

func activeHours(hours []HourCount) int {
	active := 0
	for _, h := range hours {
		if h.Count > 0 {
			active++
		}
	}
	return active
}

func share(x, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return float64(x) / float64(n)
}
