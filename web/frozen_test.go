package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/assessment"
	"parindex/demo"
	"parindex/snapshot"
	"parindex/store"
	"parindex/survey"
)

// publishedOutputs reads everything a published snapshot shows about one
// unit and the province: the scorecard's and the ranking's cell values,
// the API's JSON and the dashboards' figures.
func publishedOutputs(t *testing.T, ts *testServer, token string, id int64, unit string) map[string]string {
	t.Helper()
	admin := ts.loggedIn(t, "admin")
	out := map[string]string{}
	workbook := func(name, path string) {
		f := openXLSX(t, admin.get(path))
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			out[name+"/"+sheet] = fmt.Sprint(rows)
		}
	}
	workbook("scorecard", fmt.Sprintf("/app/units/%s/scorecard.xlsx?snapshot=%d", unit, id))
	workbook("ranking", fmt.Sprintf("/app/ranking.xlsx?snapshot=%d", id))
	for _, path := range []string{fmt.Sprintf("/api/v1/snapshots/%d", id), fmt.Sprintf("/api/v1/snapshots/%d/units/%s", id, unit)} {
		r := admin.api("GET", path, token, nil)
		if r.Status != 200 {
			t.Fatalf("%s = %d %s", path, r.Status, r.Body)
		}
		out[path] = r.Body
	}
	page := admin.get("/app/units/" + unit + "/dashboard")
	if page.Status != 200 {
		t.Fatalf("agency page = %d", page.Status)
	}
	headline := regexp.MustCompile(`(?s)<section class="headline".*?</section>`).FindString(page.Body)
	survey := regexp.MustCompile(`(?s)<section class="panel" aria-labelledby="survey-title">.*?</table>`).FindString(page.Body)
	scorecard := regexp.MustCompile(`(?s)<table[^>]*id="table-scorecard".*?</table>`).FindString(page.Body)
	if headline == "" || survey == "" {
		t.Fatalf("the agency page has no headline or survey table:\n%.2000s", page.Body)
	}
	out["agency page headline"], out["agency page survey"], out["agency page scorecard"] = headline, survey, scorecard
	overview := admin.get("/app/dashboard")
	if overview.Status != 200 {
		t.Fatalf("overview = %d", overview.Status)
	}
	out["overview tables"] = strings.Join(regexp.MustCompile(`(?s)<table.*?</table>`).FindAllString(overview.Body, -1), "\n")
	return out
}

// A published snapshot's outputs never change: after an assessment, a
// metric and the survey change, the scorecard, the ranking, the API and
// the dashboards show exactly what they showed when it was published.
func TestPublishedOutputsDoNotChangeAfterPublication(t *testing.T) {
	eachServer(t, newTestServer, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		seedDemo(t, ts.DB, demo.Options{SurveyVolume: 0.05, SkipSnapshots: true})
		const framework, unit = "province-departments-2026", "SNV"
		actor := parindex.Actor{Name: "test"}
		rn := &snapshot.Runner{DB: ts.DB, Survey: survey.NewService(ts.DB, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(ts.DB)}
		s, _, err := rn.Score(ctx, actor, framework, snapshot.Options{Draws: 50})
		if err != nil {
			t.Fatal(err)
		}
		if err := snapshot.Publish(ctx, ts.DB, actor, s.ID, snapshot.Decision{As: parindex.PublicationProvisional, Note: "thử"}); err != nil {
			t.Fatal(err)
		}
		token := mustToken(t, ts.DB, "frozen", "", false)
		before := publishedOutputs(t, ts, token, s.ID, unit)

		// 1. The agency changes its self-assessment.
		a, f, err := ts.DB.Assessment(ctx, assessment.Ref{Framework: framework, Unit: unit})
		if err != nil {
			t.Fatal(err)
		}
		changed := false
		for _, n := range f.Leaves() {
			if assessment.LeafKind(n) != assessment.KindPoints || n.Adjustment || f.InAdjustment(n.Code) {
				continue
			}
			max := n.MaxPoints()
			if v := a.SelfValue(n.Code); v.Points != nil && *v.Points == max {
				max = 0
			}
			if _, err := ts.DB.SaveEntries(ctx, actor, assessment.Ref{Framework: framework, Unit: unit},
				[]assessment.EntryUpdate{{Node: n.Code, Value: assessment.LeafValue{Points: &max}}}, "thay đổi sau công bố"); err != nil {
				t.Fatalf("changing %s: %v", n.Code, err)
			}
			changed = true
			break
		}
		if !changed {
			t.Fatal("no assessed leaf to change")
		}
		// 2. A metric the framework reads gets another value.
		var metric string
		for _, m := range f.Metrics() {
			if _, err := ts.DB.PutObservations(ctx, actor, []parindex.ObservationRow{{Row: 2, Unit: unit, Period: fmt.Sprint(s.Year), Metric: m, Value: "7"}},
				store.PutOptions{Source: parindex.MetricSourceImport, Reason: "thay đổi sau công bố"}); err == nil {
				metric = m
				break
			}
		}
		if metric == "" {
			t.Fatal("no metric of the framework could be changed")
		}
		// 3. Forty new survey responses, all "very dissatisfied".
		addResponses(t, ts.DB, unit, 40)

		// The live data did change: a new run scores SNV differently.
		again, _, err := rn.Score(ctx, actor, framework, snapshot.Options{Draws: 50})
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Results) == string(s.Results) {
			t.Fatal("the changes did not change the live scores; the test proves nothing")
		}
		// A new server, so that no cache of the first one hides a change.
		after := publishedOutputs(t, serveOn(t, ts.DB, nil), token, s.ID, unit)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed after publication:\nbefore %.600s\nafter  %.600s", k, v, after[k])
			}
		}
		if !strings.Contains(before["scorecard/"+"Tổng hợp"], "TẠM THỜI") && !strings.Contains(before["ranking/"+firstKey(before, "ranking/")], "tạm thời") {
			t.Errorf("the provisional snapshot's workbooks do not say provisional")
		}
		if !strings.Contains(before[fmt.Sprintf("/api/v1/snapshots/%d", s.ID)], `"provisional":true`) {
			t.Errorf("the API does not say provisional: %.300s", before[fmt.Sprintf("/api/v1/snapshots/%d", s.ID)])
		}
		if !strings.Contains(before["agency page headline"], `class="provisional"`) {
			t.Errorf("the agency page does not say provisional")
		}
		if !strings.Contains(before["overview tables"], "(tạm thời)</caption>") && !strings.Contains(before["overview tables"], "(tạm thời) <span") {
			t.Errorf("the overview's tables do not say provisional:\n%.1500s", before["overview tables"])
		}
	})
}

func firstKey(m map[string]string, prefix string) string {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return strings.TrimPrefix(k, prefix)
		}
	}
	return ""
}

// addResponses stores n responses answering 1 to every question at one of
// the unit's QR links, submitted now.
func addResponses(t *testing.T, db *store.DB, unitCode string, n int) {
	t.Helper()
	ctx := context.Background()
	links := unitLinks(t, db, unitCode)
	if len(links) == 0 {
		t.Fatalf("%s has no survey link", unitCode)
	}
	svc := survey.NewService(db, survey.ResultOptions{})
	in, err := svc.Instrument(ctx, links[0].InstrumentCode)
	if err != nil {
		t.Fatal(err)
	}
	codes := survey.QuestionCodes(in)
	now := db.Now()
	var rs []*parindex.Response
	for i := range n {
		rs = append(rs, &parindex.Response{LinkID: links[0].ID, InstrumentID: links[0].InstrumentID, UnitID: links[0].UnitID,
			SubmittedHour: now.Truncate(time.Hour), Day: parindex.Clock{}.Today(now),
			IdempotencyKey: fmt.Sprintf("frozen-%d", i), DeviceHash: fmt.Sprintf("dev-%d", i), DeviceKey: fmt.Sprintf("key-%d", i),
			Answers: strings.Repeat("1", len(codes)), FillSeconds: 120, Source: parindex.SourceQR})
	}
	outcomes, err := db.InsertResponses(ctx, rs, map[int64][]string{links[0].InstrumentID: codes}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range outcomes {
		if o != store.Inserted {
			t.Fatalf("response %d not inserted: outcome %d", i, o)
		}
	}
}
