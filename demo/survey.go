package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
// QR link per counter and, once, about 50,000 responses over the past year
// with real differences between units: some excellent, some poor, a few with
// fewer than 30 answers, a few flagged.
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
	for _, l := range links {
		if l.InstrumentID != stored.ID {
			continue
		}
		if _, ok := byUnit[l.UnitID]; !ok {
			order = append(order, l.UnitID)
		}
		byUnit[l.UnitID] = append(byUnit[l.UnitID], l)
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
	rng := rand.New(rand.NewPCG(2026, 7))
	start := db.Now().AddDate(-1, 0, 0)
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
	for ui, unitID := range order {
		// Each unit has its own quality and volume; every 13th unit is small.
		quality := 3.0 + 1.7*rng.Float64()
		if ui%7 == 3 {
			quality = 2.4 + 0.6*rng.Float64() // a unit that serves poorly
		}
		n := int(float64(250+rng.IntN(900)) * volume)
		if ui%13 == 5 {
			n = 8 + rng.IntN(20) // too few answers to rank with confidence
		}
		elementShift := []float64{rng.NormFloat64() * 0.3, rng.NormFloat64() * 0.3, rng.NormFloat64() * 0.3, rng.NormFloat64() * 0.3, -0.3 + rng.NormFloat64()*0.3}
		for i := 0; i < n; i++ {
			at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			at = time.Date(at.Year(), at.Month(), at.Day(), 7+rng.IntN(10), 0, 0, 0, time.UTC)
			person := rng.NormFloat64() * 0.6
			answers := make([]byte, len(codes))
			for q := range codes {
				naChance := 0.03
				if elementOf[q] == 4 {
					naChance = 0.25 // few people ever sent feedback
				}
				if rng.Float64() < naChance {
					answers[q] = '0'
					continue
				}
				v := int(math.Round(quality + elementShift[elementOf[q]] + person + rng.NormFloat64()*0.5))
				answers[q] = byte('0' + min(5, max(1, v)))
			}
			r := &parindex.Response{
				LinkID: byUnit[unitID][rng.IntN(len(byUnit[unitID]))].ID, InstrumentID: stored.ID, UnitID: unitID,
				SubmittedHour: at, Day: parindex.DateOf(at.In(time.FixedZone("ICT", 7*3600))),
				IdempotencyKey: fmt.Sprintf("demo-%d-%d", unitID, i), Answers: string(answers),
				FillSeconds: 60 + rng.IntN(240), Source: parindex.SourceDemo,
				Profile: fmt.Sprintf("gender=%s;age_group=%s", []string{"male", "female"}[rng.IntN(2)], []string{"under_30", "age_30_44", "age_45_59", "age_60_plus"}[rng.IntN(4)]),
			}
			switch x := rng.Float64(); {
			case x < 0.02:
				r.FillSeconds, r.Flags = 15+rng.IntN(20), []string{parindex.FlagSpeeder}
			case x < 0.03:
				for q := range answers {
					answers[q] = '5'
				}
				r.Answers, r.FillSeconds, r.Flags = string(answers), 50+rng.IntN(30), []string{parindex.FlagStraightline}
			}
			if rng.Float64() < 0.08 {
				r.Comment = demoComments[rng.IntN(len(demoComments))]
			}
			batch = append(batch, r)
			if len(batch) == 2000 {
				if err := flush(); err != nil {
					return s, err
				}
			}
		}
	}
	return s, flush()
}
