package criteria

import (
	"parindex/stats"

	"math"
	"slices"
	"strings"
	"testing"
)

func TestTreeHelpers(t *testing.T) {
	f := mustReference(t, "province-departments-2026")

	if n := f.Find("3.2.1"); n == nil || n.Method != MethodTiers {
		t.Fatalf("Find(3.2.1) = %+v", n)
	}
	if f.Find("9.9") != nil {
		t.Error("Find of an unknown code")
	}
	if p := f.Parent("3.2.1"); p == nil || p.Code != "3.2" {
		t.Errorf("Parent(3.2.1) = %v", p)
	}
	if f.Parent("3") != nil || f.Parent("nope") != nil {
		t.Error("an area or an unknown code has a parent")
	}
	var path []string
	for _, n := range f.Path("8.1.6") {
		path = append(path, n.Code)
	}
	if strings.Join(path, " > ") != "8 > 8.1 > 8.1.6" {
		t.Errorf("Path = %v", path)
	}

	leaves := f.Leaves()
	if leaves[0].Code != "1.1" || leaves[len(leaves)-1].Code != "T.2" {
		t.Errorf("leaves run from %s to %s", leaves[0].Code, leaves[len(leaves)-1].Code)
	}
	for _, l := range leaves {
		if !l.IsLeaf() {
			t.Errorf("%s is not a leaf", l.Code)
		}
	}
	groups := 0
	for _, n := range f.All() {
		if !n.IsLeaf() {
			groups++
		}
	}
	if groups != 13 || len(f.All()) != len(leaves)+groups { // 8 areas, T, and 3.1 3.2 5.4 8.1
		t.Errorf("All() has %d nodes: %d leaves, %d groups", len(f.All()), len(leaves), groups)
	}

	// Walk can prune.
	var visited []string
	f.Walk(func(n *Node, ancestors []*Node) bool {
		visited = append(visited, n.Code)
		return len(ancestors) == 0 && n.Code == "8"
	})
	if !slices.Contains(visited, "8.1") || slices.Contains(visited, "8.1.1") || slices.Contains(visited, "1.1") {
		t.Errorf("pruned walk visited %v", visited)
	}

	if got := f.Find("3").MaxPoints(); got != 13 {
		t.Errorf("area 3 max %v", got)
	}
	if got := f.Find("3.2").MaxPoints(); got != 7.5 {
		t.Errorf("group 3.2 max %v (computed, not stated)", got)
	}
	if got := f.Find("T").MaxPoints(); got != 0 {
		t.Errorf("adjustment max %v", got)
	}
	if got := f.Find("T.1").MaxPoints(); got != 0 {
		t.Errorf("bonus max %v", got)
	}
	if got := f.TotalMax(); got != 100 {
		t.Errorf("total %v", got)
	}
	if !f.InAdjustment("T.2") || f.InAdjustment("1.1") {
		t.Error("InAdjustment")
	}

	if got := f.MissingFor("3.2.3"); got != MissingExclude {
		t.Errorf("3.2.3 missing %s", got)
	}
	if got := f.MissingFor("3.2.1"); got != MissingZero {
		t.Errorf("3.2.1 missing %s", got)
	}
	f.Find("3.2").Missing = MissingExclude
	if got := f.MissingFor("3.2.1"); got != MissingExclude {
		t.Errorf("inherited missing %s", got)
	}
}

func TestLeafMetrics(t *testing.T) {
	f := mustReference(t, "province-departments-2026")
	for code, want := range map[string]string{
		"1.1":   "",
		"1.2":   "plan_tasks_done,plan_tasks_total",
		"1.5":   "initiatives_adopted",
		"3.2.2": "records_early,records_resolved",
		"7.5":   "records_digitised,records_received,records_resolved,results_digitised",
		"8.1.1": "",
		"T.1":   "",
	} {
		if got := strings.Join(f.Find(code).Metrics(), ","); got != want {
			t.Errorf("%s metrics %q, want %q", code, got, want)
		}
	}
	same := &Node{Method: MethodRatio, Numerator: "a", Denominator: "a"}
	if got := same.Metrics(); len(got) != 1 {
		t.Errorf("repeated metric listed twice: %v", got)
	}
}

func TestEffectiveParameters(t *testing.T) {
	n := &Node{}
	if n.InputStep() != 0.25 || n.RatioTarget() != 1 || n.SurveyMeasure() != MeasureSatisfaction {
		t.Error("defaults")
	}
	n = &Node{Step: 0.5, Target: 0.8, Measure: MeasureMean100}
	if n.InputStep() != 0.5 || n.RatioTarget() != 0.8 || n.SurveyMeasure() != MeasureMean100 {
		t.Error("explicit values")
	}
	f := &Framework{Nodes: []*Node{
		{Code: "a", Method: MethodAssessed},
		{Code: "r", Method: MethodRatio},
		{Code: "s", Method: MethodSurvey},
	}}
	f.ApplyDefaults()
	if f.Missing != MissingZero || f.Nodes[0].Step != 0.25 || f.Nodes[1].Target != 1 || f.Nodes[2].Measure != MeasureSatisfaction {
		t.Errorf("ApplyDefaults: %+v", f)
	}
}

func TestRoundHalfUp(t *testing.T) {
	for _, tc := range []struct {
		x        float64
		decimals int
		want     float64
	}{
		{89.995, 2, 90},
		{89.994999, 2, 89.99},
		{0.125, 2, 0.13},
		{1.005, 2, 1.01},
		{2.675, 2, 2.68},
		{-2.675, 2, -2.68},
		{86.98, 2, 86.98},
		{0.1 + 0.2, 1, 0.3},
		{79.5, 0, 80},
		{79.49, 0, 79},
		{1234.5678, 3, 1234.568},
		{0, 2, 0},
		{100, 6, 100},
		{1e300, 2, 1e300},
	} {
		if got := stats.RoundHalfUp(tc.x, tc.decimals); got != tc.want {
			t.Errorf("RoundHalfUp(%v, %d) = %v, want %v", tc.x, tc.decimals, got, tc.want)
		}
	}
	if got := stats.RoundHalfUp(math.NaN(), 2); !math.IsNaN(got) {
		t.Errorf("NaN rounds to %v", got)
	}
}

func TestBanding(t *testing.T) {
	f := mustReference(t, "province-departments-2026")
	for _, tc := range []struct {
		raw  float64
		band string
	}{
		{89.995, "A"}, // rounds to 90.00 first
		{89.994, "B"},
		{80, "B"},
		{79.999, "B"},
		{70, "C"},
		{12, "D"},
		{0, "D"},
		{104, "A"}, // capped at 100
	} {
		index := f.RoundIndex(f.ApplyCap(tc.raw))
		b, ok := f.BandFor(index)
		if !ok || b.Code != tc.band {
			t.Errorf("index %v → %v band %s, want %s", tc.raw, index, b.Code, tc.band)
		}
	}
	if got := f.ApplyCap(104); got != 100 {
		t.Errorf("ApplyCap(104) = %v", got)
	}
	if b, ok := f.BandFor(-1); ok || b.Code != "D" {
		t.Errorf("negative index: %v %v", b, ok)
	}
	if _, ok := (&Framework{}).BandFor(50); ok {
		t.Error("band without bands")
	}
}

func TestClone(t *testing.T) {
	f := mustReference(t, "communes-2026")
	c := f.Clone()
	*c.CapIndex = 5
	c.Find("3.2.1").Tiers[0].Points = 99
	*c.Find("1.1").Max = 7
	c.AgencyTypes[0] = "x"
	c.Bands[0].Min = 1
	if *f.CapIndex != 100 || f.Find("3.2.1").Tiers[0].Points != 4 || *f.Find("1.1").Max != 1 || f.AgencyTypes[0] != "commune" || f.Bands[0].Min != 90 {
		t.Error("Clone shares memory with the original")
	}
	var nilFramework *Framework
	if nilFramework.Clone() != nil {
		t.Error("Clone of nil")
	}
}

func TestMethodVocabulary(t *testing.T) {
	for _, m := range Methods {
		if !m.Valid() {
			t.Errorf("%s invalid", m)
		}
		if _, ok := methodKeys[m]; !ok {
			t.Errorf("%s has no keys", m)
		}
	}
	if Method("vote").Valid() || !MethodBonus.IsAdjustment() || MethodRatio.IsAdjustment() {
		t.Error("method predicates")
	}
	if !MissingExclude.Valid() || MissingPolicy("skip").Valid() || !MeasureMean100.Valid() || Measure("x").Valid() {
		t.Error("policy and measure predicates")
	}
}

// A chart labels a node by its short name, else by its name cut at a word.
func TestNodeLabel(t *testing.T) {
	for _, c := range []struct{ short, name, want string }{
		{"Thủ tục hành chính", "Cải cách thủ tục hành chính", "Thủ tục hành chính"},
		{"", "Cải cách chế độ công vụ", "Cải cách chế độ công vụ"},
		{"", "Công tác chỉ đạo, điều hành cải cách hành chính", "Công tác chỉ đạo, điều…"},
		{"", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", "Xây dựng và tổ chức thực…"},
	} {
		if got := (&Node{ShortName: c.short, Name: c.name}).Label(); got != c.want {
			t.Errorf("Label of %q/%q = %q, want %q", c.short, c.name, got, c.want)
		}
	}
	// The reference frameworks name their areas for charts, and the short
	// name survives the canonical writer.
	for _, code := range []string{"province-departments-2026", "communes-2026"} {
		f, err := Reference(code)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range f.Nodes {
			if a.ShortName == "" {
				t.Errorf("%s: area %s has no short name", code, a.Code)
			}
		}
		out, err := Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		g, _, err := Parse(code+".yaml", out)
		if err != nil {
			t.Fatal(err)
		}
		if g.Nodes[2].ShortName != f.Nodes[2].ShortName {
			t.Errorf("%s: short name %q read back as %q", code, f.Nodes[2].ShortName, g.Nodes[2].ShortName)
		}
	}
}
