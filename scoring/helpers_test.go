package scoring

import (
	"errors"
	"math"
	"testing"

	"parindex/criteria"
)

// tolerance is how close a computed figure must be to its hand-computed
// value: the engine works in binary floating point, the comments in decimal.
const tolerance = 1e-9

func near(got, want float64) bool { return math.Abs(got-want) <= tolerance*math.Max(1, math.Abs(want)) }

// framework builds a framework file around the given settings and nodes
// (YAML, nodes indented by two spaces under "nodes:") and parses it.
func framework(t testing.TB, settings, nodes string) *criteria.Framework {
	t.Helper()
	src := "code: test-2026\nname: Thử nghiệm\nyear: 2026\nagency_types: [department]\n" + settings +
		"bands:\n  - {code: A, name: Tốt, min: 90}\n  - {code: B, name: Khá, min: 80}\n  - {code: C, name: Trung bình, min: 70}\n  - {code: D, name: Yếu, min: 0}\n" +
		"nodes:\n" + nodes
	f, _, err := criteria.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("framework does not parse: %v\n%s", err, src)
	}
	return f
}

func mustScore(t testing.TB, f *criteria.Framework, in Inputs) *Result {
	t.Helper()
	res, err := Score(f, in)
	if err != nil {
		t.Fatalf("Score: %v", err)
	}
	return res
}

func agency(t testing.TB, res *Result, code string) *AgencyResult {
	t.Helper()
	a := res.Agency(code)
	if a == nil {
		t.Fatalf("no agency %s in the result", code)
	}
	return a
}

func nodeOf(t testing.TB, res *Result, agencyCode, node string) NodeResult {
	t.Helper()
	n, ok := agency(t, res, agencyCode).Node(node)
	if !ok {
		t.Fatalf("agency %s has no node %s", agencyCode, node)
	}
	return n
}

func inputErrors(t testing.TB, err error) InputErrors {
	t.Helper()
	var ie InputErrors
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not InputErrors", err, err)
	}
	return ie
}

func index(a *AgencyResult) float64 {
	if a.Index == nil {
		return math.NaN()
	}
	return *a.Index
}

func rounded(a *AgencyResult) float64 {
	if a.IndexRounded == nil {
		return math.NaN()
	}
	return *a.IndexRounded
}

func metrics(kv ...any) map[string]float64 {
	m := map[string]float64{}
	for i := 0; i < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case int:
			m[kv[i].(string)] = float64(v)
		case float64:
			m[kv[i].(string)] = v
		}
	}
	return m
}

func f64(x float64) *float64 { return &x }

func reasonEN(n NodeResult) string {
	if n.Reason == nil {
		return ""
	}
	return n.Reason.EN
}

func reasonVI(n NodeResult) string {
	if n.Reason == nil {
		return ""
	}
	return n.Reason.VI
}
