package criteria

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCompileFormula(t *testing.T) {
	for _, tc := range []struct {
		src     string
		metrics string
		rule    Rule
	}{
		{"max * online_paid / records_total", "online_paid,records_total", ""},
		{"max * min(1, (a / b + c / d) / 2)", "a,b,c,d", ""},
		{"max(a, b, 3) - abs(-c) + +1.5e0", "a,b,c", ""},
		{"max", "", ""},
		{"2 * (records_early - records_late)", "records_early,records_late", ""},
		{"", "", RuleMissingFormula},
		{"max *", "", RuleFormulaSyntax},
		{"sqrt(a)", "", RuleFormulaFunction},
		{"now()", "", RuleFormulaFunction},
		{"len(a)", "", RuleFormulaFunction},
		{"all(a, # > 1)", "", RuleFormulaFunction},
		{"abs(a, b)", "", RuleFormulaArgs},
		{"max(a)", "", RuleFormulaArgs},
		{"a.b", "", RuleFormulaMember},
		{"a[0]", "", RuleFormulaMember},
		{"a?.b", "", RuleFormulaMember},
		{"a.b()", "", RuleFormulaMember},
		{"Records", "", RuleFormulaIdent},
		{"_x", "", RuleFormulaIdent},
		{"abs * 2", "", RuleFormulaConstruct},
		{"a ** 2", "", RuleFormulaOperator},
		{"a % 2", "", RuleFormulaOperator},
		{"a ?? 1", "", RuleFormulaOperator},
		{"not a", "", RuleFormulaOperator},
		{"a in [1]", "", RuleFormulaOperator},
		{`"text"`, "", RuleFormulaConstruct},
		{"true", "", RuleFormulaConstruct},
		{"nil", "", RuleFormulaConstruct},
		{"[1, 2]", "", RuleFormulaConstruct},
		{"{a: 1}", "", RuleFormulaConstruct},
		{"let x = 1; x", "", RuleFormulaConstruct},
		{"a; b", "", RuleFormulaConstruct},
		{"a > 1 ? 1 : 0", "", RuleFormulaConstruct},
		{"if a > 1 { 1 } else { 0 }", "", RuleFormulaConstruct},
		{strings.Repeat("a+", 600) + "a", "", RuleFormulaTooLong},
	} {
		f, err := CompileFormula(tc.src)
		if tc.rule == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.src, err)
				continue
			}
			if got := strings.Join(f.Metrics, ","); got != tc.metrics {
				t.Errorf("%q metrics %q, want %q", tc.src, got, tc.metrics)
			}
			continue
		}
		var fe *FormulaError
		if !errors.As(err, &fe) {
			t.Errorf("%q: err %v, want rule %s", tc.src, err, tc.rule)
			continue
		}
		if fe.Rule != tc.rule {
			t.Errorf("%q: rule %s (%s), want %s", tc.src, fe.Rule, fe.Message, tc.rule)
		}
		if fe.MessageVI == "" || fe.Error() != fe.Message {
			t.Errorf("%q: messages %+v", tc.src, fe)
		}
	}
}

func TestFormulaEval(t *testing.T) {
	f, err := CompileFormula("max * min(1, (records_digitised / records_received + results_digitised / records_resolved) / 2)")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{"records_digitised": 80, "records_received": 100, "results_digitised": 30, "records_resolved": 60}
	got, err := f.Eval(values, 3)
	if err != nil || math.Abs(got-1.95) > 1e-12 {
		t.Errorf("Eval = %v, %v; want 1.95", got, err)
	}
	delete(values, "records_resolved")
	if _, err := f.Eval(values, 3); !errors.Is(err, ErrMissingMetric) || !strings.Contains(err.Error(), "records_resolved") {
		t.Errorf("missing metric: %v", err)
	}
	values["records_resolved"] = 0
	if _, err := f.Eval(values, 3); !errors.Is(err, ErrNotFinite) {
		t.Errorf("division by zero: %v", err)
	}
	// The raw result is returned; clamping is the method's job.
	g, _ := CompileFormula("max * a - 10")
	if got, err := g.Eval(map[string]float64{"a": 1}, 2); err != nil || got != -8 {
		t.Errorf("unclamped result %v, %v", got, err)
	}
	// max is both the node's maximum and a function.
	h, _ := CompileFormula("max(max, a) + min(1, 2)")
	if got, err := h.Eval(map[string]float64{"a": 5}, 2); err != nil || got != 6 {
		t.Errorf("max as value and function: %v, %v", got, err)
	}
}
