package demo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"parindex"
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
	hasLink := map[int64]bool{}
	for _, l := range existing {
		hasLink[l.UnitID] = true
	}
	var specs []store.LinkSpec
	for _, u := range units {
		if u.Type == parindex.OrgTypeProvince || hasLink[u.ID] {
			continue
		}
		counters := []string{"Quầy 1"}
		if u.Type == parindex.OrgTypeOneStopCentre {
			counters = []string{"Quầy 1", "Quầy 2", "Quầy 3", "Quầy 4"}
		} else if u.Type == parindex.OrgTypeWard {
			counters = []string{"Quầy 1", "Quầy 2"}
		}
		for _, c := range counters {
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
	for _, unitID := range order {
		for _, year := range demoYears {
			rs := unitResponses(code[unitID], unitID, year, validFrom[unitID], now, volume, byUnit[unitID], stored.ID, codes, elementOf)
			for _, r := range rs {
				batch = append(batch, r)
				if len(batch) == 2000 {
					if err := flush(); err != nil {
						return s, err
					}
				}
			}
		}
	}
	return s, flush()
}

// unitResponses makes one unit's responses of one year, dated in office
// hours on the days of the year it existed, up to now. Its citizens'
// answers sit around the unit's satisfaction that year: an answer is
// satisfied (4 or 5) when the unit's level, the element's shift, the
// person's mood and the question's noise add up to 3.5 or more, so the
// unit's level is set from the share of satisfied answers wanted.
func unitResponses(unitCode string, unitID int64, year int, validFrom parindex.Date, now time.Time, volume float64,
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
	level := 3.5 + spread*normalQuantile(clamp(satisfactionOf(st)+0.02*d.normal(), 0.3, 0.99)) + 0.06
	out := make([]*parindex.Response, 0, n)
	for i := 0; i < n; i++ {
		day := from.AddDate(0, 0, d.intN(days))
		at := time.Date(day.Year(), day.Month(), day.Day(), 7+d.intN(10), 0, 0, 0, vietnamTime)
		if at.Before(from) || !at.Before(to) {
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
			answers[q] = byte('0' + min(5, max(1, v)))
		}
		r := &parindex.Response{
			LinkID: links[d.intN(len(links))].ID, InstrumentID: instrumentID, UnitID: unitID,
			SubmittedHour: at.UTC(), Day: parindex.DateOf(at),
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
