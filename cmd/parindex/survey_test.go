package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSurveyStatsByHand reads testdata/ten-forms.csv: 6 forms from SNV and 4
// from STP, every answer 4 except A1 and E3 (left empty, counted as not
// applicable). The expected figures are worked out by hand below.
func TestSurveyStatsByHand(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}
	out := cliOK(t, env, "survey", "stats", "--instrument", "sipas-2026", "--responses", "testdata/ten-forms.csv", "--by", "unit")
	var res struct {
		Instrument string `json:"instrument"`
		Groups     []struct {
			Unit        string `json:"unit"`
			Respondents int    `json:"respondents"`
			Adequacy    string `json:"adequacy"`
			Questions   map[string]struct {
				N            int       `json:"n"`
				NA           int       `json:"na"`
				Counts       [5]int    `json:"counts"`
				Satisfaction *float64  `json:"satisfaction"`
				Mean         *float64  `json:"mean"`
				Mean100      *float64  `json:"mean100"`
				CI95         []float64 `json:"ci95"`
			} `json:"questions"`
			Elements map[string]struct {
				Index float64 `json:"index"`
			} `json:"elements"`
			Overall struct {
				Index float64   `json:"index"`
				CI95  []float64 `json:"ci95"`
			} `json:"overall"`
			Comments []string `json:"comments"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Instrument != "sipas-2026" || len(res.Groups) != 2 || res.Groups[0].Unit != "SNV" || res.Groups[1].Unit != "STP" {
		t.Fatalf("groups = %+v", res.Groups)
	}
	snv, stp := res.Groups[0], res.Groups[1]
	// SNV A1: 5, 5, 4, 3, 2 and one NA → n 5, counts [0 1 1 1 2],
	// satisfied 3/5 = 0.6, mean 19/5 = 3.8, mean100 (3.8−1)/4×100 = 70.
	a1 := snv.Questions["A1"]
	if a1.N != 5 || a1.NA != 1 || a1.Counts != [5]int{0, 1, 1, 1, 2} || *a1.Satisfaction != 0.6 || *a1.Mean != 3.8 || *a1.Mean100 != 70 {
		t.Errorf("SNV A1 = %+v", a1)
	}
	// E3 was never answered: no figures, 6 not applicable.
	if e3 := snv.Questions["E3"]; e3.N != 0 || e3.NA != 6 || e3.Satisfaction != nil {
		t.Errorf("SNV E3 = %+v", e3)
	}
	// access = mean(0.6, 1, 1, 1) = 0.9; the other elements are 1 (all 4s);
	// overall = (0.9 + 1 + 1 + 1 + 1) / 5 = 0.98.
	if !closeTo(snv.Elements["access"].Index, 0.9) || !closeTo(snv.Overall.Index, 0.98) {
		t.Errorf("SNV access %v, overall %v", snv.Elements["access"].Index, snv.Overall.Index)
	}
	// STP A1: 1, 2, 5, 5 → 2/4 satisfied; access (0.5+1+1+1)/4 = 0.875;
	// overall (0.875 + 4) / 5 = 0.975.
	if !closeTo(stp.Elements["access"].Index, 0.875) || !closeTo(stp.Overall.Index, 0.975) || stp.Respondents != 4 {
		t.Errorf("STP access %v, overall %v, n %d", stp.Elements["access"].Index, stp.Overall.Index, stp.Respondents)
	}
	// Under 30 respondents: insufficient; under 5: no comments shown.
	if snv.Adequacy != "insufficient" || len(snv.Comments) != 1 || snv.Comments[0] != "Tốt" || len(stp.Comments) != 0 {
		t.Errorf("SNV %s %v, STP %v", snv.Adequacy, snv.Comments, stp.Comments)
	}
	if len(snv.Overall.CI95) != 2 || snv.Overall.CI95[0] > snv.Overall.Index || snv.Overall.CI95[1] < snv.Overall.Index {
		t.Errorf("SNV overall interval %v", snv.Overall.CI95)
	}

	// Without --by unit: one group "*" of all ten forms.
	code, out, _ := cli(t, env, "survey", "stats", "--instrument", "sipas-2026", "--responses", "testdata/ten-forms.csv", "--format", "table")
	if code != 0 || !strings.Contains(out, "*") || !strings.Contains(out, "10") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	if code, _, _ := cli(t, env, "survey", "stats", "--instrument", "khong-co", "--responses", "testdata/ten-forms.csv"); code != 2 {
		t.Errorf("unknown instrument: exit %d", code)
	}
	if code, _, _ := cli(t, env, "survey", "stats", "--instrument", "sipas-2026", "--responses", "testdata/ten-forms.csv", "--by", "day"); code != 2 {
		t.Errorf("--by day: exit %d", code)
	}
}

func closeTo(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
