package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"parindex/criteria"
)

// FuzzScoreInputs reads fuzzed JSON inputs with ParseInputs and scores
// what it accepts against one of the reference frameworks. A refusal, by
// either, must be InputErrors that say what is wrong in both languages,
// never a panic or another error. Accepted inputs must read back the same
// from their JSON, and their scores keep the invariants of TestInvariants:
// every node within 0..its maximum, totals that add up, the index within
// 0..100 (the references cap it at 100) and the band and rank that follow
// from it.
func FuzzScoreInputs(f *testing.F) {
	var frameworks []*criteria.Framework
	for _, code := range criteria.References() {
		fw, err := criteria.Reference(code)
		if err != nil {
			f.Fatal(err)
		}
		frameworks = append(frameworks, fw)
	}
	demo, err := os.ReadFile("testdata/demo-inputs.json")
	if err != nil {
		f.Fatal(err)
	}
	for i, fw := range frameworks {
		if fw.Code == "province-departments-2026" {
			f.Add(demo, uint8(i))
			f.Add([]byte(contractExample), uint8(i))
		}
		in := randomInputs(fw, 3, uint64(i))
		extremes(in, uint64(i))
		data, err := json.Marshal(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(i))
	}
	f.Add([]byte(`{"agencies": [{"code": "A", "points": {"T.1": 1e308, "1.4": -0}, "metrics": {"records_total": 1e308, "records_on_time": 1e308}}]}`), uint8(0))
	f.Add([]byte(`{"agencies": [{"code": "A", "code": "B", "answers": {"1.1": null}, "not_applicable": ["1", "1", "9.9"]}]}`), uint8(1))
	f.Add([]byte(`{"framework": "x", "agencies": [{"code": "A", "survey": {"sipas-2026": {"overall": {"satisfaction": 1.5, "n": -1}}}}]}`), uint8(2))
	f.Add([]byte(`{"agencies": []}`), uint8(0))
	f.Add([]byte("\xef\xbb\xbf{\"agencies\": [\n{\"code\": \"\"}]}"), uint8(0))
	f.Add([]byte(`[`), uint8(0))

	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		in, err := ParseInputs(data)
		if err != nil {
			checkInputErrors(t, err)
			return
		}
		first, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("accepted inputs do not marshal: %v", err)
		}
		again, err := ParseInputs(first)
		if err != nil {
			t.Fatalf("accepted inputs, written as JSON, are refused: %v\n%s", err, first)
		}
		if second, _ := json.Marshal(again); !bytes.Equal(first, second) {
			t.Fatalf("the JSON round trip changed the inputs\n%s\n---\n%s", first, second)
		}

		fw := frameworks[int(which)%len(frameworks)]
		res, err := Score(fw, in)
		if err != nil {
			checkInputErrors(t, err)
			return
		}
		if len(res.Agencies) != len(in.Agencies) {
			t.Fatalf("%d results for %d agencies", len(res.Agencies), len(in.Agencies))
		}
		fullMax := map[string]float64{}
		adjustment, area := map[string]bool{}, map[string]bool{}
		for _, n := range fw.All() {
			fullMax[n.Code] = n.MaxPoints()
			adjustment[n.Code] = fw.InAdjustment(n.Code)
			area[n.Code] = fw.Parent(n.Code) == nil
		}
		checkInvariants(t, fw, res, fullMax, adjustment, area)
		for _, a := range res.Agencies {
			for _, x := range []float64{a.Points, a.ScoredPoints, a.Bonus, a.Penalty, a.Max} {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%s: totals %v %v %v %v %v", a.Code, a.Points, a.ScoredPoints, a.Bonus, a.Penalty, a.Max)
				}
			}
			if a.Index != nil && (*a.Index < 0 || *a.Index > 100 || *a.IndexRounded < 0 || *a.IndexRounded > 100) {
				t.Fatalf("%s: index %v (published %v)", a.Code, *a.Index, *a.IndexRounded)
			}
		}
	})
}

// checkInputErrors fails unless err is InputErrors, each problem saying
// what is wrong in English and Vietnamese.
func checkInputErrors(t *testing.T, err error) {
	t.Helper()
	var ie InputErrors
	if !errors.As(err, &ie) || len(ie) == 0 {
		t.Fatalf("error %T is not InputErrors: %v", err, err)
	}
	for _, e := range ie {
		if e.Message == "" || e.MessageVI == "" || e.Line < 0 || e.Position < 0 {
			t.Fatalf("problem without its text: %+v", e)
		}
	}
}
