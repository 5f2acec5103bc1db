package dashboard_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/dashboard"
	"parindex/snapshot"
	"parindex/store"
	"parindex/store/storetest"
	"parindex/survey"
)

// TestLocalityWeighting builds a province of two localities with two
// communes each, gives three communes a yearly count of records received
// and leaves the fourth without, and checks the combined satisfaction of
// each locality and of the headline against figures computed here from the
// units' own results and counts: weighted by records when every unit of
// the group has the count, else equally, and the page says which.
func TestLocalityWeighting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 12, 20, 3, 0, 0, 0, time.UTC) }
		actor := parindex.Actor{Name: "test"}
		if _, err := db.ImportOrgUnits(ctx, actor, "", []parindex.OrgRow{
			{Row: 2, Code: "T", Name: "Tỉnh Thử", Type: parindex.OrgTypeProvince, ValidFrom: "2020-01-01"},
			{Row: 3, Code: "KV1", Name: "Khu vực Một", Type: parindex.OrgTypeOther, Parent: "T", ValidFrom: "2020-01-01"},
			{Row: 4, Code: "KV2", Name: "Khu vực Hai", Type: parindex.OrgTypeOther, Parent: "T", ValidFrom: "2020-01-01"},
			{Row: 5, Code: "XA", Name: "Xã An", Type: parindex.OrgTypeCommune, Parent: "KV1", ValidFrom: "2020-01-01"},
			{Row: 6, Code: "XB", Name: "Xã Bình", Type: parindex.OrgTypeCommune, Parent: "KV1", ValidFrom: "2020-01-01"},
			{Row: 7, Code: "XC", Name: "Xã Cát", Type: parindex.OrgTypeCommune, Parent: "KV2", ValidFrom: "2020-01-01"},
			{Row: 8, Code: "XD", Name: "Xã Dương", Type: parindex.OrgTypeCommune, Parent: "KV2", ValidFrom: "2020-01-01"},
		}, ""); err != nil {
			t.Fatal(err)
		}
		f, err := criteria.Reference("communes-2026")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportFramework(ctx, actor, f, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PublishFramework(ctx, actor, f.Code, "test"); err != nil {
			t.Fatal(err)
		}
		stored, err := survey.EnsureReference(ctx, db, actor, "sipas-2026")
		if err != nil {
			t.Fatal(err)
		}
		in, _ := survey.ReferenceInstrument("sipas-2026")
		codes := survey.QuestionCodes(in)

		// Respondents answering every question 5 (satisfied) or 2 (not).
		respondents := map[string][2]int{"XA": {18, 2}, "XB": {6, 6}, "XC": {9, 1}, "XD": {4, 4}}
		var rs []*parindex.Response
		for code, counts := range respondents {
			u, err := db.OrgUnitByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < counts[0]+counts[1]; i++ {
				answer := "5"
				if i >= counts[0] {
					answer = "2"
				}
				rs = append(rs, &parindex.Response{InstrumentID: stored.ID, UnitID: u.ID, Day: parindex.Date{Year: 2026, Month: 6, Day: 1 + i},
					SubmittedHour: time.Date(2026, 6, 1+i, 2, 0, 0, 0, time.UTC), IdempotencyKey: fmt.Sprintf("%s-%d", code, i),
					DeviceHash: fmt.Sprintf("d-%s-%d", code, i), Answers: strings.Repeat(answer, len(codes)), Source: parindex.SourceQR})
			}
		}
		if _, err := db.InsertResponses(ctx, rs, map[int64][]string{stored.ID: codes}, 0); err != nil {
			t.Fatal(err)
		}
		records := map[string]float64{"XA": 300, "XB": 100, "XC": 50} // XD has none
		var obs []parindex.ObservationRow
		for code, v := range records {
			obs = append(obs, parindex.ObservationRow{Row: len(obs) + 1, Unit: code, Period: "2026", Metric: "records_received", Value: fmt.Sprint(v)})
		}
		if _, err := db.PutObservations(ctx, actor, obs, store.PutOptions{Source: parindex.MetricSourceImport}); err != nil {
			t.Fatal(err)
		}
		rn := &snapshot.Runner{DB: db, Survey: survey.NewService(db, survey.ResultOptions{}), Sources: snapshot.DatabaseSources(db)}
		sn, _, err := rn.Score(ctx, actor, f.Code, snapshot.Options{Year: 2026, Draws: 50})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishSnapshot(ctx, actor, sn.ID, parindex.PublicationFinal, nil, "test"); err != nil {
			t.Fatal(err)
		}
		svc := dashboard.New(db, survey.NewService(db, survey.ResultOptions{}))

		o, err := svc.Overview(ctx, dashboard.Filter{Framework: f.Code, Year: 2026}, keys)
		if err != nil {
			t.Fatal(err)
		}
		// The units' own results are the inputs: each one's share satisfied
		// and respondents, as the ranking shows them.
		p, n := map[string]float64{}, map[string]float64{}
		for _, r := range o.Rows {
			p[r.Code], n[r.Code] = r.Satisfaction, float64(r.Respondents)
		}
		for code, c := range respondents {
			if n[code] != float64(c[0]+c[1]) || math.Abs(p[code]-float64(c[0])/float64(c[0]+c[1])) > 1e-9 {
				t.Fatalf("%s: satisfaction %v of %v respondents, want %d of %d", code, p[code], n[code], c[0], c[0]+c[1])
			}
		}
		// KV1: every unit has its count: W = 300/400 and 100/400.
		wA, wB := 300.0/400, 100.0/400
		kv1 := wA*p["XA"] + wB*p["XB"]
		kv1SE := math.Sqrt(wA*wA*p["XA"]*(1-p["XA"])/n["XA"] + wB*wB*p["XB"]*(1-p["XB"])/n["XB"])
		// KV2 and the province: XD has no count, so units weigh equally.
		kv2 := (p["XC"] + p["XD"]) / 2
		kv2SE := math.Sqrt(0.25*p["XC"]*(1-p["XC"])/n["XC"] + 0.25*p["XD"]*(1-p["XD"])/n["XD"])
		all := (p["XA"] + p["XB"] + p["XC"] + p["XD"]) / 4
		var allVar float64
		for _, code := range []string{"XA", "XB", "XC", "XD"} {
			allVar += p[code] * (1 - p[code]) / n[code] / 16
		}

		locs := map[string]dashboard.Locality{}
		for _, l := range o.Localities {
			locs[l.Code] = l
		}
		check := func(what string, got survey.Combined, weighting string, index, se float64) {
			t.Helper()
			lo, hi := math.Max(0, index-1.959963984540054*se), math.Min(1, index+1.959963984540054*se)
			if got.Weighting != weighting || math.Abs(got.Index-index) > 1e-12 || math.Abs(got.SE-se) > 1e-12 ||
				math.Abs(float64(got.CI95[0])-lo) > 1e-9 || math.Abs(float64(got.CI95[1])-hi) > 1e-9 {
				t.Errorf("%s = %s %.6f ± %.6f [%v, %v], want %s %.6f ± %.6f [%.6f, %.6f]", what, got.Weighting, got.Index, got.SE,
					got.CI95[0], got.CI95[1], weighting, index, se, lo, hi)
			}
		}
		check("KV1", locs["KV1"].Satisfaction, survey.WeightTransactions, kv1, kv1SE)
		check("KV2", locs["KV2"].Satisfaction, survey.WeightEqual, kv2, kv2SE)
		check("province locality", locs["T"].Satisfaction, survey.WeightEqual, all, math.Sqrt(allVar))
		check("headline", o.Satisfaction, survey.WeightEqual, all, math.Sqrt(allVar))
		if len(locs["KV1"].Missing) != 0 || strings.Join(locs["KV2"].Missing, ",") != "Xã Dương" {
			t.Errorf("missing counts: KV1 %q, KV2 %q", locs["KV1"].Missing, locs["KV2"].Missing)
		}
		// The page says which weighting each figure uses, naming the
		// units whose count is missing.
		if o.SatisfactionWeighting != "dash.weight.missingXã Dương" {
			t.Errorf("headline weighting note %q", o.SatisfactionWeighting)
		}
		weightingCell := map[string]string{}
		for _, row := range o.Panel("chart-localities").Table.Rows {
			weightingCell[row[0].Text] = row[len(row)-1].Text
		}
		if weightingCell["Khu vực Một"] != "dash.weight.transactions" || weightingCell["Khu vực Hai"] != "dash.weight.missingXã Dương" {
			t.Errorf("weighting column %q", weightingCell)
		}

		// With only KV1 selected, the headline is weighted by records too,
		// and equals KV1's figure.
		o1, err := svc.Overview(ctx, dashboard.Filter{Framework: f.Code, Year: 2026, Parent: "KV1"}, keys)
		if err != nil {
			t.Fatal(err)
		}
		check("headline of KV1", o1.Satisfaction, survey.WeightTransactions, kv1, kv1SE)
		if o1.SatisfactionWeighting != "dash.weight.transactions" {
			t.Errorf("headline weighting note of KV1 %q", o1.SatisfactionWeighting)
		}
	})
}
