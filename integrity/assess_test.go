package integrity

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/i18n"
)

// honestLink is a counter that serves ten citizens a working day for four
// weeks of December 2026, one of them rating on the way home (17:00), on
// phones of their own.
func honestLink(id int64, unit string) Link {
	l := Link{ID: id, Unit: unit, Label: "Quầy " + unit, FlagCounts: map[string]int{parindex.FlagSpeeder: 4, parindex.FlagStraightline: 3}}
	for day := 1; day <= 28; day++ {
		d := time.Date(2026, 12, day, 0, 0, 0, 0, hcm)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		for _, hour := range []int{8, 9, 9, 10, 10, 11, 14, 15, 16, 17} {
			at := d.Add(time.Duration(hour) * time.Hour)
			if n := len(l.Hours); n > 0 && l.Hours[n-1].Hour.Equal(at) {
				l.Hours[n-1].Count++
			} else {
				l.Hours = append(l.Hours, HourCount{Hour: at, Count: 1})
			}
			l.Responses++
		}
	}
	l.BusiestFiveMinutes = 3
	l.TopDevices = 6 // three citizens came back twice
	l.SharedDevices = 2
	l.TopVector, l.TopVectorProvinceShare = l.Responses*35/100, 0.35
	l.ValidAnswers = l.Responses * 5
	l.SatisfiedAnswers = l.ValidAnswers * 85 / 100
	l.TopBoxAnswers = l.ValidAnswers / 2
	return l
}

// clerkLink is a clerk tapping 60 five-star forms in 4 minutes at night on
// one phone: every form the same, every form flagged duplicate-device.
func clerkLink(id int64, unit string) Link {
	night := time.Date(2026, 12, 9, 22, 0, 0, 0, hcm)
	return Link{ID: id, Unit: unit, Label: "Quầy đêm", Responses: 60,
		Hours:              []HourCount{{Hour: night, Count: 60}},
		BusiestFiveMinutes: 60, TopDevices: 60, TopVector: 60, TopVectorProvinceShare: 0.35,
		FlagCounts:   map[string]int{parindex.FlagDuplicateDevice: 59},
		ValidAnswers: 300, SatisfiedAnswers: 300, TopBoxAnswers: 300}
}

func indicatorsOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Indicator)+f.Flag)
	}
	return out
}

func TestClerkTappingFormsIsDoubtfulAndHonestCountersCredible(t *testing.T) {
	links := []Link{clerkLink(99, "U9")}
	units := []Unit{{Code: "U9", RecordsKnown: true, RecordsReturned: 400}}
	for i := range 10 {
		code := string(rune('A' + i))
		links = append(links, honestLink(int64(i+1), code))
		units = append(units, Unit{Code: code, RecordsKnown: true, RecordsReturned: 400})
	}
	report := Assess(DefaultPolicy(), units, links)
	// Centre of the funnel, by hand: 20 working days × 10 forms × 5 answers
	// a link, half of them five-star: (10 × 500 + 300) ÷ (10 × 1000 + 300).
	if want := 5300.0 / 10300; math.Abs(report.ProvinceTopBox-want) > 1e-12 {
		t.Errorf("province top box %g, want %g", report.ProvinceTopBox, want)
	}
	worst := report.Units[0]
	if worst.Unit.Code != "U9" || worst.Label != Doubtful || worst.Links[0].Label != Doubtful {
		t.Fatalf("first unit %s %v, want U9 doubtful", worst.Unit.Code, worst.Label)
	}
	got := indicatorsOf(worst.Links[0].Findings)
	want := []string{"burst", "outside_hours", "top_devices", "repeated_answers", "flagsduplicate_device", "top_box"}
	if !slices.Equal(got, want) {
		t.Errorf("clerk's reasons %v, want %v", got, want)
	}
	if f := worst.Links[0].Findings[0]; f.Label != Doubtful || !(f.PValue < 1e-30) || f.Value != 60 {
		t.Errorf("burst finding %+v", f)
	}
	for _, u := range report.Units[1:] {
		if u.Label != Credible || len(u.Findings) != 0 || u.Links[0].Label != Credible || len(u.Links[0].Findings) != 0 {
			t.Errorf("honest unit %s: %v, reasons %v", u.Unit.Code, u.Label, indicatorsOf(u.Links[0].Findings))
		}
	}
}

func TestResponseRateAboveRecordsAndIndependentGap(t *testing.T) {
	qr := honestLink(1, "A") // 200 responses, 85 % satisfied
	qr.SatisfiedAnswers = qr.ValidAnswers * 98 / 100
	interviewers := Link{ID: 2, Unit: "A", Independent: true, Responses: 100, ValidAnswers: 500, SatisfiedAnswers: 400}
	report := Assess(DefaultPolicy(), []Unit{{Code: "A", RecordsKnown: true, RecordsReturned: 110}}, []Link{qr, interviewers})
	u := report.Units[0]
	if u.Label != Doubtful || !slices.Equal(indicatorsOf(u.Findings), []string{"response_rate", "independent_gap"}) {
		t.Fatalf("unit %v with reasons %v", u.Label, indicatorsOf(u.Findings))
	}
	// 200 responses for 110 records; 0.98 − 0.80 with Newcombe's interval
	// from the two Wilson intervals (0.969310, 0.987016) and (0.762711,
	// 0.832715), worked out apart from this code:
	// lower 0.18 − hypot(0.98−0.969310, 0.832715−0.80) = 0.145583,
	// upper 0.18 + hypot(0.987016−0.98, 0.80−0.762711) = 0.217943.
	if rate := u.Findings[0].Value; math.Abs(rate-200.0/110) > 1e-12 {
		t.Errorf("response rate %g", rate)
	}
	if math.Abs(u.IndependentGap-0.18) > 1e-12 || math.Abs(u.GapLower-0.145583) > 1e-6 || math.Abs(u.GapUpper-0.217943) > 1e-6 {
		t.Errorf("gap %g (%g, %g)", u.IndependentGap, u.GapLower, u.GapUpper)
	}
}

func TestLabelRules(t *testing.T) {
	policy := DefaultPolicy()
	small := honestLink(1, "A")
	small.Responses = policy.MinimumResponses - 1
	small.BusiestFiveMinutes = small.Responses
	// Ratings only at closing time: every form in the 17:00 hour.
	closing := honestLink(2, "B")
	for i := range closing.Hours {
		closing.Hours[i].Hour = closing.Hours[i].Hour.Truncate(24 * time.Hour).Add(10 * time.Hour) // 17:00 in ICT
	}
	report := Assess(policy, nil, []Link{small, closing})
	byUnit := map[string]UnitJudgement{}
	for _, u := range report.Units {
		byUnit[u.Unit.Code] = u
	}
	if a := byUnit["A"]; a.Label != NotJudged || len(a.Links[0].Findings) != 0 {
		t.Errorf("a link below the minimum is not judged: %v %v", a.Label, indicatorsOf(a.Links[0].Findings))
	}
	b := byUnit["B"].Links[0]
	if b.Label != Check || !slices.Equal(indicatorsOf(b.Findings), []string{"outside_hours"}) {
		t.Errorf("closing-time link %v %v", b.Label, indicatorsOf(b.Findings))
	}
	policy.Labels[OutsideHours] = Doubtful
	if got := Assess(policy, nil, []Link{closing}).Units[0].Label; got != Doubtful {
		t.Errorf("with outside_hours made doubtful the link is %v", got)
	}
	policy.Labels[OutsideHours] = Check
	policy.CheckReasonsForDoubtful = 1
	if got := Assess(policy, nil, []Link{closing}).Units[0].Label; got != Doubtful {
		t.Errorf("one check reason of at most 1 allowed gives %v", got)
	}
}

// Every reason reads in both languages with all its arguments filled.
func TestReasonsReadInBothLanguages(t *testing.T) {
	report := Assess(DefaultPolicy(), []Unit{{Code: "U9", RecordsKnown: true, RecordsReturned: 10}},
		[]Link{clerkLink(1, "U9"), {ID: 2, Unit: "U9", Independent: true, Responses: 50, ValidAnswers: 250, SatisfiedAnswers: 150}})
	u := report.Units[0]
	all := append(slices.Clone(u.Findings), u.Links[0].Findings...)
	// The clerk's six reasons, and the unit's response rate and gap (its
	// top box is the whole province's, so no funnel reason).
	if len(all) != 7 {
		t.Fatalf("only %d findings", len(all))
	}
	for _, lang := range []string{i18n.VI, i18n.EN} {
		for _, f := range all {
			if !i18n.Has(f.MessageKey()) {
				t.Fatalf("the catalogue lacks %s", f.MessageKey())
			}
			text := i18n.T(lang, f.MessageKey(), f.MessageArgs(lang, func(k string) string { return i18n.T(lang, k) })...)
			if strings.Contains(text, "%!") || strings.Contains(text, "survey.flag_") {
				t.Errorf("%s: %s", lang, text)
			}
		}
	}
	if got := i18n.T(i18n.VI, "integrity.reason.burst", all[2].MessageArgs(i18n.VI, nil)...); all[2].Indicator != Burst || !strings.Contains(got, "60 phiếu trong 5 phút") {
		t.Errorf("burst in Vietnamese: %s", got)
	}
}
