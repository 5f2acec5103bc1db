package snapshot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/integrity"
	"parindex/scoring"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

const responsesInstrument = `code: hl-2026
name: Khảo sát thử
year: 2026
scale:
  - {value: 1, label: Rất không hài lòng}
  - {value: 2, label: Không hài lòng}
  - {value: 3, label: Bình thường}
  - {value: 4, label: Hài lòng}
  - {value: 5, label: Rất hài lòng}
elements:
  - code: access
    name: Tiếp cận
    questions:
      - {code: A1, text: Chỗ ngồi chờ}
      - {code: A2, text: Hướng dẫn}
aggregation: {question: satisfaction, element: mean, overall: mean}
`

// responsesFramework is a framework of two survey leaves read under the
// setting ("" leaves the key out).
func responsesFramework(t *testing.T, code, setting string) *criteria.Framework {
	t.Helper()
	src := "code: " + code + "\nname: Thử\nyear: 2026\nagency_types: [department]\n"
	if setting != "" {
		src += "survey_responses: " + setting + "\n"
	}
	src += `bands: [{code: A, name: Tốt, min: 0}]
nodes:
  - code: "1"
    name: Khảo sát
    children:
      - {code: "1.1", name: Chỗ ngồi, max: 4, method: survey, instrument: hl-2026, question: A1}
      - {code: "1.2", name: Chung, max: 6, method: survey, instrument: hl-2026}
`
	f, _, err := criteria.Parse(code+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type writtenResponse struct {
	unit, counter, device, answers string
	day                            parindex.Date
	flagged                        bool
}

// The same responses scored under each survey_responses setting: the
// figures count exactly the responses the setting keeps (tallied here from
// the rows written), the record names what was left out and why, and
// `parindex score check` scores every snapshot again to the last digit.
func TestSurveyResponsesSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := parindex.Actor{Name: "test"}
		db.Now = func() time.Time { return time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC) }
		if _, err := db.ImportOrgUnits(ctx, actor, "", []parindex.OrgRow{
			{Row: 2, Code: "P", Name: "Tỉnh Thử", Type: "province", ValidFrom: "2000-01-01"},
			{Row: 3, Code: "SNV", Name: "Sở Nội vụ", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
			{Row: 4, Code: "STC", Name: "Sở Tài chính", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
		}, ""); err != nil {
			t.Fatal(err)
		}
		_, stored, err := survey.Import(ctx, db, actor, "hl.yaml", []byte(responsesInstrument))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishInstrument(ctx, actor, stored.Code); err != nil {
			t.Fatal(err)
		}
		links, err := db.CreateLinks(ctx, actor, []store.LinkSpec{
			{Token: "t-snv-1", InstrumentCode: stored.Code, UnitCode: "SNV", CounterLabel: "Quầy 1"},
			{Token: "t-snv-2", InstrumentCode: stored.Code, UnitCode: "SNV", CounterLabel: "Quầy 2"},
			{Token: "t-stc", InstrumentCode: stored.Code, UnitCode: "STC", CounterLabel: "Quầy A"}})
		if err != nil {
			t.Fatal(err)
		}
		linkOf := map[string]int64{"Quầy 1": links[0].ID, "Quầy 2": links[1].ID, "Quầy A": links[2].ID}

		// Quầy 1 takes every form on one tablet: with the test's policy
		// (top devices doubtful from 5 responses) it is the one doubtful
		// link. Every other response has a device of its own.
		day, lastYear := parindex.Date{Year: 2026, Month: 3, Day: 10}, parindex.Date{Year: 2025, Month: 12, Day: 30}
		var written []writtenResponse
		for i, a := range []string{"55", "54", "45", "55", "44", "53", "35"} {
			written = append(written, writtenResponse{unit: "SNV", counter: "Quầy 1", device: "tablet", answers: a, day: day, flagged: i == 6})
		}
		for i, a := range []string{"21", "34", "40", "52", "13", "44", "31", "05"} {
			written = append(written, writtenResponse{unit: "SNV", counter: "Quầy 2", device: fmt.Sprint("snv-", i), answers: a, day: day, flagged: i < 2})
		}
		written = append(written,
			writtenResponse{unit: "SNV", answers: "22", day: day},                                                     // paper: no link
			writtenResponse{unit: "SNV", counter: "Quầy 2", device: "old", answers: "11", day: lastYear},              // another year
			writtenResponse{unit: "SNV", counter: "Quầy 1", device: "tablet", answers: "11", day: lastYear},           // another year
			writtenResponse{unit: "SNV", counter: "Quầy 1", device: "tablet", answers: "12", day: day, flagged: true}, // doubtful and flagged
		)
		for i, a := range []string{"43", "25", "51", "34", "42", "15"} {
			written = append(written, writtenResponse{unit: "STC", counter: "Quầy A", device: fmt.Sprint("stc-", i), answers: a, day: day, flagged: i == 0})
		}
		var rs []*parindex.Response
		for i, w := range written {
			unit, err := db.OrgUnitByCode(ctx, w.unit)
			if err != nil {
				t.Fatal(err)
			}
			r := &parindex.Response{InstrumentID: stored.ID, UnitID: unit.ID, LinkID: linkOf[w.counter], Day: w.day,
				SubmittedHour:  time.Date(w.day.Year, time.Month(w.day.Month), w.day.Day, 2, 0, 0, 0, time.UTC), // 09:00 in Vietnam
				IdempotencyKey: fmt.Sprint("k", i), DeviceHash: w.device, Answers: w.answers, Source: parindex.SourceQR}
			if w.counter == "" {
				r.Source = parindex.SourcePaper
			}
			if w.flagged {
				r.Flags = []string{parindex.FlagSpeeder}
			}
			rs = append(rs, r)
		}
		if _, err := db.InsertResponses(ctx, rs, map[int64][]string{stored.ID: {"A1", "A2"}}, 0); err != nil {
			t.Fatal(err)
		}

		policy := integrity.DefaultPolicy()
		policy.MinimumResponses = 5
		policy.Labels[integrity.TopDevices] = integrity.Doubtful
		ict := time.FixedZone("ICT", 7*3600)
		rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Integrity: &policy, Location: ict}
		// The premise: Quầy 1 alone is doubtful.
		_, report, err := rn.Survey.Integrity(ctx, stored.Code, 2026, policy, ict)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range report.Units {
			for _, l := range u.Links {
				if doubtful := l.Label == integrity.Doubtful; doubtful != (l.Link.Label == "Quầy 1") {
					t.Fatalf("%s is labelled %s", l.Link.Label, l.Label)
				}
			}
		}

		for _, setting := range []string{"all", "", "clean", "not_doubtful"} {
			t.Run("setting "+setting, func(t *testing.T) {
				code := "hl-" + strings.ReplaceAll(setting, "_", "-")
				if setting == "" {
					code = "hl-default"
				}
				if _, err := db.ImportFramework(ctx, actor, responsesFramework(t, code, setting), ""); err != nil {
					t.Fatal(err)
				}
				if _, err := db.PublishFramework(ctx, actor, code, ""); err != nil {
					t.Fatal(err)
				}
				s, _, err := rn.Score(ctx, actor, code, snapshot.Options{Draws: 20})
				if err != nil {
					t.Fatal(err)
				}
				rec, err := snapshot.DecodeRecord(s)
				if err != nil {
					t.Fatal(err)
				}
				inputs, err := scoring.ParseInputs(s.Inputs)
				if err != nil {
					t.Fatal(err)
				}
				used := criteria.SurveyResponses(setting)
				if setting == "" {
					used = criteria.ResponsesClean
				}
				if rec.SurveyResponses != used {
					t.Errorf("record says %q", rec.SurveyResponses)
				}
				if want := map[bool]int{true: 1}[used == criteria.ResponsesNotDoubtful]; rec.IntegrityPolicy != want {
					t.Errorf("record's integrity policy = %d, want %d", rec.IntegrityPolicy, want)
				}
				for _, unit := range []string{"SNV", "STC"} {
					// What the setting keeps, tallied from the rows written.
					var forms, flagged, doubtful int
					var a1 [6]int
					valid := [2]int{}
					for _, w := range written {
						if w.unit != unit || w.day.Year != 2026 {
							continue
						}
						switch {
						case w.flagged && used != criteria.ResponsesAll:
							flagged++
							continue
						case w.counter == "Quầy 1" && used == criteria.ResponsesNotDoubtful:
							doubtful++
							continue
						}
						forms++
						a1[w.answers[0]-'0']++
						for q := range valid {
							if w.answers[q] != '0' {
								valid[q]++
							}
						}
					}
					respondents := max(valid[0], valid[1])
					g := rec.Unit(unit).Survey["hl-2026"]
					if g.Forms != forms || g.Respondents != respondents || g.Questions["A1"].N != valid[0] {
						t.Errorf("%s: %d forms, %d respondents, A1 n %d; want %d, %d, %d", unit, g.Forms, g.Respondents, g.Questions["A1"].N, forms, respondents, valid[0])
					}
					if got := g.Questions["A1"].Counts; got != [5]int{a1[1], a1[2], a1[3], a1[4], a1[5]} || g.Questions["A1"].NA != a1[0] {
						t.Errorf("%s: A1 counts %v (n/a %d), want %v", unit, got, g.Questions["A1"].NA, a1)
					}
					var in *scoring.AgencyInput
					for i := range inputs.Agencies {
						if inputs.Agencies[i].Code == unit {
							in = &inputs.Agencies[i]
						}
					}
					share := float64(a1[4]+a1[5]) / float64(valid[0])
					if v := in.Survey["hl-2026"]["A1"]; v.Satisfaction == nil || *v.Satisfaction != share || v.N != valid[0] {
						t.Errorf("%s: scored A1 from %+v, want share %v of %d", unit, v, share, valid[0])
					}
					if v := in.Survey["hl-2026"]["overall"]; v.N != respondents {
						t.Errorf("%s: overall n = %d, want %d", unit, v.N, respondents)
					}

					left, ok := rec.Unit(unit).SurveyLeftOut["hl-2026"]
					if ok != (flagged+doubtful > 0) || left.Flagged != flagged || left.Responses() != flagged+doubtful {
						t.Errorf("%s: left out %+v, want %d flagged and %d from doubtful links", unit, left, flagged, doubtful)
					}
					var wantLinks []snapshot.LeftOutLink
					if doubtful > 0 {
						wantLinks = []snapshot.LeftOutLink{{Link: linkOf["Quầy 1"], Counter: "Quầy 1", Responses: doubtful}}
					}
					if !slices.Equal(left.DoubtfulLinks, wantLinks) {
						t.Errorf("%s: doubtful links %+v, want %+v", unit, left.DoubtfulLinks, wantLinks)
					}
					if flagged > 0 && (!strings.Contains(left.VI, fmt.Sprintf("%d phiếu bị gắn cờ", flagged)) ||
						!strings.Contains(left.EN, fmt.Sprintf("%d response", flagged))) {
						t.Errorf("%s: the explanation does not count the flagged responses: %q / %q", unit, left.VI, left.EN)
					}
					if doubtful > 0 && (!strings.Contains(left.VI, fmt.Sprintf("%d phiếu qua mã QR bị đánh giá đáng ngờ (Quầy 1: %d)", doubtful, doubtful)) ||
						!strings.Contains(left.EN, fmt.Sprintf("%d responses through QR links labelled doubtful (Quầy 1: %d)", doubtful, doubtful))) {
						t.Errorf("%s: the explanation does not name the doubtful link: %q / %q", unit, left.VI, left.EN)
					}
				}
				c, problems := snapshot.CheckDocuments(responsesFramework(t, code, setting), s)
				if len(problems) > 0 || c.Units != 2 {
					t.Errorf("check: %d units, problems %v", c.Units, problems)
				}
			})
		}

		// Without the integrity policy, not_doubtful cannot be scored.
		bare := &snapshot.Runner{DB: db, Survey: rn.Survey}
		if _, err := bare.Build(ctx, "hl-not-doubtful", 0); err == nil {
			t.Error("not_doubtful scored without an integrity policy")
		}
	})
}
