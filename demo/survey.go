package demo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"parindex"
	"parindex/integrity"
	"parindex/store"
	"parindex/survey"
)

// InstrumentCode is the survey instrument the demo uses.
const InstrumentCode = "sipas-2026"

// SurveySummary says what seedSurvey did.
type SurveySummary struct {
	Links, Responses int
}

// demoComments are the free-text comments demo citizens leave.
var demoComments = []string{
	"Cán bộ hướng dẫn tận tình, dễ hiểu.",
	"Phải chờ khá lâu mới đến lượt.",
	"Nên có thêm ghế ngồi chờ.",
	"Thủ tục nhanh gọn, đúng hẹn.",
	"Bảng niêm yết khó đọc, chữ nhỏ.",
	"Máy lấy số hay bị hỏng.",
	"Rất hài lòng với thái độ phục vụ.",
	"Đề nghị cho nộp hồ sơ trực tuyến nhiều hơn.",
	"Phải đi lại hai lần vì thiếu giấy tờ mà không được báo trước.",
	"Không có chỗ để xe.",
}

// seedSurvey publishes the reference instrument, gives every current unit a
// QR link per counter and, once, responses for each demo year up to now
// (about 40,000 in all at volume 1): each unit's citizens answer around the
// satisfaction of its standing that year (satisfactionOf), so most units
// sit between 75% and 95% satisfied and the weakest lower; a few units
// have fewer than 30 answers in a year, and a few answers are flagged.
func seedSurvey(ctx context.Context, db *store.DB, actor parindex.Actor, volume float64) (SurveySummary, error) {
	var s SurveySummary
	stored, err := survey.EnsureReference(ctx, db, actor, InstrumentCode)
	if err != nil {
		return s, fmt.Errorf("demo: instrument: %w", err)
	}
	in, err := survey.ReferenceInstrument(InstrumentCode)
	if err != nil {
		return s, err
	}
	today := parindex.DateOf(db.Now())
	units, err := db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: today})
	if err != nil {
		return s, err
	}
	existing, err := db.FindLinks(ctx, store.LinkFilter{})
	if err != nil {
		return s, err
	}
	// By unit and counter: a unit may hold links of its own (the ingestion
	// benchmark's) and still lack the counters the demo plants its cases
	// at.
	type counterKey struct {
		unit  int64
		label string
	}
	hasLink := map[counterKey]bool{}
	for _, l := range existing {
		hasLink[counterKey{l.UnitID, l.CounterLabel}] = true
	}
	var specs []store.LinkSpec
	for _, u := range units {
		if u.Type == parindex.OrgTypeProvince {
			continue
		}
		counters := []string{"Quầy 1"}
		if u.Type == parindex.OrgTypeOneStopCentre {
			counters = []string{"Quầy 1", "Quầy 2", "Quầy 3", "Quầy 4"}
		} else if u.Type == parindex.OrgTypeWard {
			counters = []string{"Quầy 1", "Quầy 2"}
		}
		for _, c := range counters {
			if hasLink[counterKey{u.ID, c}] {
				continue
			}
			specs = append(specs, store.LinkSpec{Token: survey.NewLinkToken(), InstrumentCode: InstrumentCode, UnitCode: u.Code, CounterLabel: c})
		}
	}
	if len(specs) > 0 {
		if _, err := db.CreateLinks(ctx, actor, specs); err != nil {
			return s, fmt.Errorf("demo: links: %w", err)
		}
		s.Links = len(specs)
	}

	already, err := db.CountResponses(ctx, store.ResponseFilter{Source: parindex.SourceDemo})
	if err != nil {
		return s, err
	}
	if already > 0 {
		return s, nil
	}
	links, err := db.FindLinks(ctx, store.LinkFilter{})
	if err != nil {
		return s, err
	}
	byUnit := map[int64][]*parindex.SurveyLink{}
	var order []int64
	code := map[int64]string{}
	for _, l := range links {
		if l.InstrumentID != stored.ID {
			continue
		}
		if _, ok := byUnit[l.UnitID]; !ok {
			order = append(order, l.UnitID)
		}
		byUnit[l.UnitID] = append(byUnit[l.UnitID], l)
		code[l.UnitID] = l.UnitCode
	}
	validFrom := map[int64]parindex.Date{}
	for _, u := range units {
		validFrom[u.ID] = u.ValidFrom
	}
	codes := survey.QuestionCodes(in)
	elementOf := make([]int, len(codes))
	for i, c := range codes {
		for e, el := range in.Elements {
			for _, q := range el.Questions {
				if q.Code == c {
					elementOf[i] = e
				}
			}
		}
	}
	var batch []*parindex.Response
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := db.InsertResponses(ctx, batch, map[int64][]string{stored.ID: codes}, 0); err != nil {
			return fmt.Errorf("demo: responses: %w", err)
		}
		s.Responses += len(batch)
		batch = batch[:0]
		return nil
	}
	now := db.Now()
	policy := integrity.DefaultPolicy()
	add := func(rs []*parindex.Response) error {
		for _, r := range rs {
			batch = append(batch, r)
			if len(batch) == 2000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, unitID := range order {
		for _, year := range demoYears {
			if err := add(unitResponses(policy, code[unitID], unitID, year, validFrom[unitID], now, volume, byUnit[unitID], stored.ID, codes, elementOf)); err != nil {
				return s, err
			}
			if clerk := ClerkCounter; year == GamedYear && code[unitID] == clerk.Unit {
				if err := add(clerkResponses(policy, unitID, linkOf(byUnit[unitID], clerk.Counter), now, stored.ID, len(codes))); err != nil {
					return s, err
				}
			}
			if burst := BurstCounter; year == GamedYear && code[unitID] == burst.Unit {
				if err := add(burstResponses(unitID, linkOf(byUnit[unitID], burst.Counter), now, stored.ID, len(codes))); err != nil {
					return s, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return s, err
	}
	// The demo's honest arrivals rarely put three forms in one five-minute
	// slot; those slots, like the ingester's, are forgotten.
	return s, db.PurgeQuietSlots(ctx)
}

// CounterRef names one QR link of the demo: a unit's code and the
// counter's label.
type CounterRef struct{ Unit, Counter string }

// The demo's counters are honest, but for four in GamedYear, which the
// integrity report (integrity.Assess) is meant to catch; their units'
// responses in 2025 are as honest as everyone's, so the published 2025
// results do not change. Three are doubtful (ClerkCounter, BurstCounter,
// FriendsCounter) and one asks for a check (FiveStarCounter).
//
// ClerkCounter is a counter where a clerk rates herself on her own phone
// after closing: ClerkForms five-star forms with identical answers, three
// an evening between 18:00 and 21:00 on working days from September. The
// forms carry the flags the survey's screening gives them (straight-line,
// and a repeated device after an evening's first), so official results
// leave them out; the integrity report labels the link doubtful, for five
// check reasons together (ratings outside office hours, one device, one
// answer vector, the straight-line flag and the top box).
//
// FiveStarCounter is a counter whose clerk asks every citizen for five
// stars: its citizens are as satisfied as the unit's standing makes them,
// but nine in ten of the satisfied answer 5 rather than 4. Only its
// top-box share gives it away, above the province's funnel limit, so the
// report asks for a check; its survey scores differ from an honest run's
// only in the mean rescaled to 100 (criterion 8.1.6).
//
// BurstCounter is a counter where, one October morning, a clerk taps
// BurstForms five-star forms within three minutes on two phones: the burst
// alone makes it doubtful. The forms carry the straight-line flag and,
// after each phone's first, the repeated-device flag, so official results
// leave them out.
//
// FriendsCounter is a counter whose unit asks friends and relatives to
// rate it: from September, FriendsForms more forms than citizens came, each
// from its own phone in office hours and answered like the unit's citizens,
// so only the unit's response rate gives it away: about 180 % of the
// one-stop records it resolved in the year (its 2026 survey figures count
// them, as an official result that does not check would).
var (
	ClerkCounter    = CounterRef{"P008", "Quầy 2"}
	FiveStarCounter = CounterRef{"X041", "Quầy 1"}
	BurstCounter    = CounterRef{"X013", "Quầy 1"}
	FriendsCounter  = CounterRef{"X021", "Quầy 1"}
	GamedYear       = 2026
)

// BurstForms and FriendsForms are how many forms BurstCounter and
// FriendsCounter add in GamedYear.
const (
	BurstForms   = 40
	FriendsForms = 1630
)

// ClerkForms is how many forms the clerk of ClerkCounter taps in GamedYear.
const ClerkForms = 120

// topBoxGivenSatisfied is the chance that a satisfied answer is a 5 rather
// than a 4, for a unit whose citizens are satisfied with the given share.
// The top-box share it gives, 0.17 + 0.3 × satisfied, rises only a little
// with satisfaction (about 37% for the weakest unit, 45% for the best), so
// that honest counters stay inside the integrity report's top-box funnel,
// which judges every counter against the province's one share.
func topBoxGivenSatisfied(satisfied float64) float64 { return (0.17 + 0.3*satisfied) / satisfied }

// fiveStarTopBox is topBoxGivenSatisfied at FiveStarCounter.
const fiveStarTopBox = 0.9

// workingDays lists the days in [from, to) on which the policy's counters
// are open: its office days, not its holidays.
func workingDays(policy integrity.Policy, from, to time.Time) []time.Time {
	var days []time.Time
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		if noon := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, vietnamTime); policy.IsOfficeHour(noon) {
			days = append(days, noon.Add(-12*time.Hour))
		}
	}
	return days
}

// linkOf is the link of links at the counter with the given label, or nil.
func linkOf(links []*parindex.SurveyLink, counter string) *parindex.SurveyLink {
	for _, l := range links {
		if l.CounterLabel == counter {
			return l
		}
	}
	return nil
}

// unitResponses makes one unit's responses of one year, up to now, on the
// working days of the year it existed under the integrity policy, in
// office hours (08:00–16:59, and about 3% between 17:00 and 18:00, citizens
// rating on the way out). Its citizens' answers sit around the unit's
// satisfaction that year: an answer is satisfied (4 or 5) when the unit's
// level, the element's shift, the person's mood and the question's noise
// add up to 3.5 or more, so the unit's level is set from the share of
// satisfied answers wanted; a satisfied answer is a 5 by
// topBoxGivenSatisfied.
func unitResponses(policy integrity.Policy, unitCode string, unitID int64, year int, validFrom parindex.Date, now time.Time, volume float64,
	links []*parindex.SurveyLink, instrumentID int64, codes []string, elementOf []int) []*parindex.Response {
	d := newDice(unitCode + "/survey/" + strconv.Itoa(year))
	from := time.Date(year, 1, 1, 0, 0, 0, 0, vietnamTime)
	if start := time.Date(validFrom.Year, time.Month(validFrom.Month), validFrom.Day, 0, 0, 0, 0, vietnamTime); start.After(from) {
		from = start
	}
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, vietnamTime)
	if now.Before(to) {
		to = now.Truncate(time.Hour)
	}
	if !to.After(from) {
		return nil
	}
	days := int(to.Sub(from).Hours()/24) + 1
	open := workingDays(policy, from, to)
	if len(open) == 0 {
		return nil
	}
	// A unit's yearly volume; a few units (never among the best or the
	// weakest, whose bands the demo shows) are too small to rank with
	// confidence.
	st := standingOf(unitCode, year)
	n := int(d.between(120, 560) * volume * float64(days) / 365)
	if newDice(unitCode+"/small").chance(0.08) && st.skill > 0.15 && st.skill < 0.85 {
		n = 8 + d.intN(20)
	}
	// Person and question noise: sd √(0.6² + 0.5²); the feedback element
	// runs 0.3 lower (few people ever sent feedback, fewer were pleased).
	const spread = 0.781
	elementShift := []float64{0.15 * d.normal(), 0.15 * d.normal(), 0.15 * d.normal(), 0.15 * d.normal(), -0.3 + 0.15*d.normal()}
	satisfied := satisfactionOf(st)
	level := 3.5 + spread*normalQuantile(clamp(satisfied+0.02*d.normal(), 0.3, 0.99)) + 0.06
	// The rating hour past closing and the choice between 4 and 5 come
	// from dice of their own, so that each citizen's other draws, and so
	// every satisfied share the scores use, stay what they were before
	// both were added (2026-12-07).
	late := newDice(unitCode + "/survey-late/" + strconv.Itoa(year))
	top := newDice(unitCode + "/survey-top-box/" + strconv.Itoa(year))
	// The minute a form arrives, and the friends' forms of FriendsCounter,
	// come from dice of their own too (2026-12-07).
	minute := newDice(unitCode + "/survey-minute/" + strconv.Itoa(year))
	friends, friendDays := 0, open
	if september := time.Date(year, 9, 1, 0, 0, 0, 0, vietnamTime); year == GamedYear && unitCode == FriendsCounter.Unit && september.Before(to) {
		if from.After(september) {
			september = from
		}
		friends, friendDays = FriendsForms, workingDays(policy, september, to)
	}
	out := make([]*parindex.Response, 0, n+friends)
	for i := 0; i < n+friends; i++ {
		if i == n {
			d, open = newDice(unitCode+"/survey-friends/"+strconv.Itoa(year)), friendDays
		}
		day := open[d.intN(len(open))]
		hour := 8 + d.intN(9)
		if late.chance(0.03) {
			hour = 17
		}
		at := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, vietnamTime)
		arrived := at.Add(time.Duration(minute.intN(60)) * time.Minute)
		if !at.Before(to) {
			continue // later today than now: not answered yet
		}
		person := d.normal() * 0.6
		answers := make([]byte, len(codes))
		for q := range codes {
			naChance := 0.03
			if elementOf[q] == 4 {
				naChance = 0.25 // few people ever sent feedback
			}
			if d.chance(naChance) {
				answers[q] = '0'
				continue
			}
			v := int(math.Round(level + elementShift[elementOf[q]] + person + d.normal()*0.5))
			answers[q] = byte('0' + min(4, max(1, v)))
		}
		link := links[d.intN(len(links))]
		if i >= n {
			link = linkOf(links, FriendsCounter.Counter)
		}
		topBox := topBoxGivenSatisfied(satisfied)
		if year == GamedYear && unitCode == FiveStarCounter.Unit && link.CounterLabel == FiveStarCounter.Counter {
			topBox = fiveStarTopBox
		}
		for q, a := range answers {
			if a == '4' && top.chance(topBox) {
				answers[q] = '5'
			}
		}
		r := &parindex.Response{
			LinkID: link.ID, InstrumentID: instrumentID, UnitID: unitID,
			SubmittedHour: at.UTC(), ArrivalSlot: arrived.Truncate(parindex.ArrivalSlotLength), Day: parindex.DateOf(at),
			IdempotencyKey: fmt.Sprintf("demo-%d-%d-%d", unitID, year, i), Answers: string(answers),
			FillSeconds: 60 + d.intN(240), Source: parindex.SourceDemo,
			Profile: fmt.Sprintf("gender=%s;age_group=%s", []string{"male", "female"}[d.intN(2)], []string{"under_30", "age_30_44", "age_45_59", "age_60_plus"}[d.intN(4)]),
		}
		switch x := d.float(); {
		case x < 0.02:
			r.FillSeconds, r.Flags = 15+d.intN(20), []string{parindex.FlagSpeeder}
		case x < 0.03:
			for q := range answers {
				answers[q] = '5'
			}
			r.Answers, r.FillSeconds, r.Flags = string(answers), 50+d.intN(30), []string{parindex.FlagStraightline}
		}
		if d.chance(0.08) {
			r.Comment = demoComments[d.intN(len(demoComments))]
		}
		out = append(out, r)
	}
	return out
}

// clerkResponses are the forms ClerkCounter's clerk taps in GamedYear on
// her own phone (one device hash): ClerkForms all-five forms, three within
// one hour of an evening, from the first working day of September, before
// now.
func clerkResponses(policy integrity.Policy, unitID int64, link *parindex.SurveyLink, now time.Time, instrumentID int64, questions int) []*parindex.Response {
	if link == nil {
		return nil
	}
	d := newDice(ClerkCounter.Unit + "/clerk/" + strconv.Itoa(GamedYear))
	device := fmt.Sprintf("%016x", uint64(d.float()*(1<<63)))
	from := time.Date(GamedYear, 9, 1, 0, 0, 0, 0, vietnamTime)
	evenings := workingDays(policy, from, time.Date(GamedYear+1, 1, 1, 0, 0, 0, 0, vietnamTime))
	var out []*parindex.Response
	var at time.Time
	for i := 0; i < ClerkForms && i/3 < len(evenings); i++ {
		if i%3 == 0 {
			day := evenings[i/3]
			at = time.Date(day.Year(), day.Month(), day.Day(), 18+d.intN(4), 0, 0, 0, vietnamTime)
		}
		if !at.Before(now) {
			break
		}
		r := &parindex.Response{
			LinkID: link.ID, InstrumentID: instrumentID, UnitID: unitID,
			SubmittedHour: at.UTC(), ArrivalSlot: at.Add(time.Duration(20*(i%3)) * time.Minute), Day: parindex.DateOf(at),
			IdempotencyKey: fmt.Sprintf("demo-clerk-%d-%d-%d", unitID, GamedYear, i),
			Answers:        strings.Repeat("5", questions), DeviceHash: device,
			FillSeconds: 20 + d.intN(15), Source: parindex.SourceDemo,
			Flags: []string{parindex.FlagStraightline},
		}
		if i%3 > 0 {
			r.Flags = append(r.Flags, parindex.FlagDuplicateDevice)
		}
		out = append(out, r)
	}
	return out
}

// burstMorning is when BurstCounter's clerk taps her forms: a Wednesday
// morning in October, from 10:31 for three minutes.
var burstMorning = time.Date(2026, 10, 14, 10, 31, 0, 0, vietnamTime)

// burstResponses are the BurstForms all-five forms BurstCounter's clerk
// taps in three minutes on two phones, if that morning is past.
func burstResponses(unitID int64, link *parindex.SurveyLink, now time.Time, instrumentID int64, questions int) []*parindex.Response {
	if link == nil || !burstMorning.Add(3*time.Minute).Before(now) {
		return nil
	}
	d := newDice(BurstCounter.Unit + "/burst/" + strconv.Itoa(GamedYear))
	phones := []string{fmt.Sprintf("%016x", uint64(d.float()*(1<<63))), fmt.Sprintf("%016x", uint64(d.float()*(1<<63)))}
	out := make([]*parindex.Response, BurstForms)
	for i := range out {
		at := burstMorning.Add(time.Duration(i) * 3 * time.Minute / BurstForms)
		out[i] = &parindex.Response{
			LinkID: link.ID, InstrumentID: instrumentID, UnitID: unitID,
			SubmittedHour: at.UTC().Truncate(time.Hour), ArrivalSlot: at.Truncate(parindex.ArrivalSlotLength), Day: parindex.DateOf(at),
			IdempotencyKey: fmt.Sprintf("demo-burst-%d-%d-%d", unitID, GamedYear, i),
			Answers:        strings.Repeat("5", questions), DeviceHash: phones[i%2],
			FillSeconds: 3, Source: parindex.SourceDemo,
			Flags: []string{parindex.FlagStraightline},
		}
		if i >= len(phones) {
			out[i].Flags = append(out[i].Flags, parindex.FlagDuplicateDevice)
		}
	}
	return out
}
