package dashboard

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parindex/survey"
)

var update = flag.Bool("update", false, "rewrite the golden chart options in testdata/")

// Names a chart must carry as plain text: a script end tag and go-echarts'
// JS-function marker.
const (
	scriptName   = `</script><script>alert(1)</script>`
	functionName = `__f__alert(2)__f__`
)

// golden compares a chart option with testdata/<name>.json, indented.
func golden(t *testing.T, name string, option json.RawMessage, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if bytes.ContainsAny(option, "<>&") {
		t.Errorf("%s: option holds a raw <, > or &", name)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, option, "", "  "); err != nil {
		t.Fatalf("%s: option is not JSON: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./dashboard -run Golden -update)", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		got, exp := strings.Split(buf.String(), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(got) && line < len(exp) && got[line] == exp[line] {
			line++
		}
		var g, e string
		if line < len(got) {
			g = got[line]
		}
		if line < len(exp) {
			e = exp[line]
		}
		t.Errorf("%s: chart option differs from %s at line %d: got %q, want %q (run with -update after checking the change)", name, path, line+1, g, e)
	}
}

// TestGoldenChartOptions pins every chart's option on fixed inputs, hostile
// names included: they must come out as JSON strings, escaped.
func TestGoldenChartOptions(t *testing.T) {
	rows := []RankRow{
		{Code: "A", Name: "Sở Nội vụ", Index: 91.25, Rank: 1, RankLow: 1, RankHigh: 2, BandPosition: 0},
		{Code: "B", Name: scriptName, Index: 84.5, Rank: 2, RankLow: 1, RankHigh: 3, BandPosition: 1},
		{Code: "C", Name: functionName, Index: 72, Rank: 3, RankLow: 2, RankHigh: 3, BandPosition: 2},
		{Code: "D", Name: "Sở Y tế", Index: math.NaN(), BandPosition: -1},
	}
	opt, err := rankingChart("Xếp hạng 2026", "%", rows)
	golden(t, "ranking", opt, err)
	opt, err = rankIntervalChart("Khoảng thứ hạng 2026", "Hạng", rows)
	golden(t, "rank-interval", opt, err)
	opt, err = bandChart("Xếp loại 2026", "Số cơ quan", []BandCount{{Code: "A", Name: "Tốt", Count: 1}, {Code: "B", Name: "Khá", Position: 1, Count: 1},
		{Code: "C", Name: "Trung bình", Position: 2, Count: 1}, {Code: "D", Name: "Yếu", Position: 3}})
	golden(t, "bands", opt, err)
	opt, err = heatmapChart("Lĩnh vực 2026", "%", []string{"Sở Nội vụ", scriptName}, []string{"1", "2"}, [][]float64{{100, 50}, {math.NaN(), 12.345}})
	golden(t, "heatmap", opt, err)
	opt, err = trendChart("Qua các năm", "%", []YearPoint{{Year: 2025, Average: 80.123, Agencies: 20}, {Year: 2026, Average: 82.5, Agencies: 20}})
	golden(t, "trend", opt, err)
	fd := survey.FunnelData([]survey.UnitFigure{{Unit: "A", Index: 0.8, Respondents: 120}, {Unit: "B", Index: 0.55, Respondents: 40}, {Unit: "C", Index: 0.9, Respondents: 300}})
	fv := FunnelView{Center: fd.Center}
	names := map[string]string{"A": "Sở Nội vụ", "B": scriptName, "C": functionName}
	for _, p := range fd.Points {
		fv.Points = append(fv.Points, FunnelPointView{FunnelPoint: p, Name: names[p.Unit]})
	}
	opt, err = funnelChart("Phễu 2026", "n", "%", FunnelLabels{Units: "Đơn vị", Center: "Tỉnh", Limit95: "95%", Limit998: "99,8%"}, fv)
	golden(t, "funnel", opt, err)
	opt, err = radarChart("Radar 2026", []string{"1. Chỉ đạo", "2. Thể chế", "3. TTHC"}, []float64{80, math.NaN(), 60}, []float64{70, 65.4321, 75}, scriptName, "Trung bình")
	golden(t, "radar", opt, err)
	opt, err = surveyChart("Khảo sát 2026", "%", []QuestionRow{{Code: "A1", Satisfaction: 0.8, Low: 0.7, High: 0.87}, {Code: "A2", Satisfaction: math.NaN(), Low: math.NaN(), High: math.NaN()},
		{Code: "B1", Satisfaction: 0.5, Low: math.NaN(), High: math.NaN()}})
	golden(t, "survey", opt, err)
	opt, err = localityChart("Địa bàn 2026", "Chỉ số", "Hài lòng", []Locality{{Code: "MG", Name: scriptName, Average: 81.5, Satisfaction: survey.Combined{Index: 0.8123}},
		{Code: "X", Name: "Phường 1", Average: math.NaN(), Satisfaction: survey.Combined{Index: math.NaN()}}})
	golden(t, "localities", opt, err)

	// The hostile names survive as JSON strings, escaped.
	opt, _ = rankingChart("t", "%", rows)
	if !bytes.Contains(opt, []byte(`"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"`)) || !bytes.Contains(opt, []byte(`"`+functionName+`"`)) {
		t.Errorf("ranking option does not carry the names as escaped strings: %s", opt)
	}
}
