package criteria

import (
	"math"
	"strings"
	"testing"
)

func mustReference(tb testing.TB, code string) *Framework {
	tb.Helper()
	f, err := Reference(code)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestReferencesList(t *testing.T) {
	want := []string{"communes-2026", "province-departments-2026", "service-index-766"}
	if got := References(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("References() = %v", got)
	}
	if _, err := Reference("nope"); err == nil || !strings.Contains(err.Error(), "known: communes-2026") {
		t.Errorf("unknown reference: %v", err)
	}
	if _, err := Reference("../parse.go"); err == nil {
		t.Error("path-like code accepted")
	}
	if _, err := ReferenceSource("communes-2026"); err != nil {
		t.Error(err)
	}
}

func TestReferencesValidate(t *testing.T) {
	for _, code := range References() {
		t.Run(code, func(t *testing.T) {
			data, err := ReferenceSource(code)
			if err != nil {
				t.Fatal(err)
			}
			f, warnings, err := Parse(code+".yaml", data)
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if f.Code != code {
				t.Errorf("file %s holds code %s", code, f.Code)
			}
			if got := f.TotalMax(); math.Abs(got-100) > Tolerance {
				t.Errorf("total maximum %v, want 100", got)
			}
			if f.Rounding != 2 || f.CapIndex == nil || *f.CapIndex != 100 {
				t.Errorf("rounding %d, cap %v", f.Rounding, f.CapIndex)
			}
			if len(f.Bands) < 4 || f.Bands[len(f.Bands)-1].Min != 0 {
				t.Errorf("bands %v", f.Bands)
			}
			if !strings.Contains(f.Source, "illustrative") {
				t.Errorf("source does not say the points are illustrative: %q", f.Source)
			}
			if err := Validate(f); err != nil {
				t.Errorf("Validate after Parse: %v", err)
			}
			assertRoundTrip(t, f)
		})
	}
}

// The two PAR index references share a shape: the 8 areas of Decision 876,
// every method at least once, about 30 survey points and an adjustment
// block.
func TestPARReferencesShape(t *testing.T) {
	for _, tc := range []struct {
		code  string
		types string
	}{
		{"province-departments-2026", "department"},
		{"communes-2026", "commune,ward"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := mustReference(t, tc.code)
			if got := strings.Join(f.AgencyTypes, ","); got != tc.types {
				t.Errorf("agency types %s", got)
			}
			if !strings.Contains(f.Source, "876/QĐ-BNV") {
				t.Errorf("source %q does not name Decision 876/QĐ-BNV", f.Source)
			}
			var areas []string
			for _, n := range f.Nodes {
				if !n.Adjustment {
					areas = append(areas, n.Code)
				}
			}
			if strings.Join(areas, ",") != "1,2,3,4,5,6,7,8" {
				t.Errorf("areas %v", areas)
			}
			methods := map[Method]int{}
			var survey float64
			scored := 0
			for _, leaf := range f.Leaves() {
				methods[leaf.Method]++
				if leaf.Method == MethodSurvey {
					survey += leaf.MaxPoints()
					if leaf.Instrument != "sipas-2026" {
						t.Errorf("%s: instrument %s", leaf.Code, leaf.Instrument)
					}
				}
				if !leaf.Method.IsAdjustment() {
					scored++
				}
			}
			for _, m := range Methods {
				if methods[m] == 0 {
					t.Errorf("method %s unused", m)
				}
			}
			if survey < 28 || survey > 32 {
				t.Errorf("survey points %v, want about 30", survey)
			}
			if scored < 30 || scored > 40 {
				t.Errorf("%d scored leaves, want 30–40", scored)
			}
			elements := map[string]bool{}
			overall := 0
			for _, leaf := range f.Leaves() {
				if leaf.Method == MethodSurvey {
					if leaf.Element == "" && leaf.Question == "" {
						overall++
					}
					elements[leaf.Element] = true
				}
			}
			for _, e := range sipasElements {
				if !elements[e] {
					t.Errorf("no survey leaf for element %s", e)
				}
			}
			if overall != 1 {
				t.Errorf("%d overall survey leaves, want 1", overall)
			}
			if !f.InAdjustment("T.1") || f.Find("T.1").Method != MethodBonus || f.Find("T.2").Method != MethodPenalty {
				t.Error("no bonus/penalty block T")
			}
		})
	}
}

func TestServiceIndexReference(t *testing.T) {
	f := mustReference(t, "service-index-766")
	want := map[string]float64{"1": 18, "2": 20, "3": 22, "4": 22, "5": 18}
	if len(f.Nodes) != len(want) {
		t.Fatalf("%d groups", len(f.Nodes))
	}
	for _, n := range f.Nodes {
		if got := n.MaxPoints(); got != want[n.Code] {
			t.Errorf("group %s max %v, want %v", n.Code, got, want[n.Code])
		}
	}
	for _, leaf := range f.Leaves() {
		if leaf.Method != MethodRatio && leaf.Method != MethodTiers {
			t.Errorf("%s uses %s; the service index is built from ratio and tiers", leaf.Code, leaf.Method)
		}
	}
	if got := strings.Join(f.AgencyTypes, ","); got != "department,commune,ward" {
		t.Errorf("agency types %s", got)
	}
}

func TestReferenceMetricsCatalogue(t *testing.T) {
	listed := map[string]bool{}
	for _, m := range ReferenceMetrics {
		if !IsMetricName(m.Code) {
			t.Errorf("metric %q is not a metric name", m.Code)
		}
		if listed[m.Code] {
			t.Errorf("metric %s listed twice", m.Code)
		}
		if m.Name == "" || m.NameEN == "" || m.Unit == "" {
			t.Errorf("metric %s lacks a name or unit", m.Code)
		}
		listed[m.Code] = true
	}
	for _, code := range References() {
		for _, m := range mustReference(t, code).Metrics() {
			if !listed[m] {
				t.Errorf("%s uses metric %s, which ReferenceMetrics does not list", code, m)
			}
		}
	}
}
