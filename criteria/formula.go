package criteria

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// MaxFormulaLength bounds a formula's source so that validation stays cheap
// on hostile input; real formulas are one short line.
const MaxFormulaLength = 1000

// maxVariable is the name the node's max takes inside a compiled program.
// The formula writes "max", but expr would then treat max(…) as a call of
// that number, so the identifier is renamed to a name no metric can have
// (metric names start with a letter).
const maxVariable = "_max"

var metricName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// IsMetricName reports whether s has the form of a metric name: lowercase
// letters, digits and _, starting with a letter.
func IsMetricName(s string) bool { return len(s) <= 64 && metricName.MatchString(s) }

// Formula is a validated, compiled formula. It is safe for concurrent use.
type Formula struct {
	Source  string
	Metrics []string // the metric names it reads, sorted, without max
	program *vm.Program
}

// FormulaError says why a formula was rejected.
type FormulaError struct {
	Rule      Rule
	Message   string
	MessageVI string
}

func (e *FormulaError) Error() string { return e.Message }

// ErrMissingMetric is returned (wrapped) by Formula.Eval when a metric the
// formula reads has no value.
var ErrMissingMetric = errors.New("criteria: formula metric has no value")

// ErrNotFinite is returned (wrapped) by Formula.Eval when the formula
// divides by zero anywhere or its result is not a finite number.
var ErrNotFinite = errors.New("criteria: formula result is undefined (division by zero) or not finite")

// CompileFormula checks a formula against the sandbox (numbers, metric
// names, max, + - * /, parentheses, abs, min, max; nothing else) and
// compiles it. The error is a *FormulaError.
func CompileFormula(src string) (f *Formula, err error) {
	fail := func(rule Rule, args ...any) (*Formula, error) {
		p := newProblem("", 0, "", rule, args...)
		return nil, &FormulaError{Rule: rule, Message: p.Message, MessageVI: p.MessageVI}
	}
	if strings.TrimSpace(src) == "" {
		return fail(RuleMissingFormula)
	}
	if len([]rune(src)) > MaxFormulaLength {
		return fail(RuleFormulaTooLong, MaxFormulaLength)
	}
	defer func() {
		// The parser and compiler are third-party code fed untrusted
		// text: a panic there must become a rejection, not a crash.
		if r := recover(); r != nil {
			f, err = fail(RuleFormulaCompile, fmt.Sprint(r))
		}
	}()
	tree, perr := parser.Parse(src)
	if perr != nil {
		return fail(RuleFormulaSyntax, describeParseError(perr))
	}
	metrics := map[string]bool{}
	if rule, args := checkFormulaNode(tree.Node, metrics); rule != "" {
		return fail(rule, args...)
	}
	names := make([]string, 0, len(metrics))
	env := map[string]any{maxVariable: 0.0}
	for m := range metrics {
		names = append(names, m)
		env[m] = 0.0
	}
	slices.Sort(names)
	program, cerr := expr.Compile(src,
		expr.Env(env),
		expr.AsFloat64(),
		expr.Patch(sandboxPatch{}),
		expr.Function(divideFunction, divide, new(func(float64, float64) float64)),
		expr.DisableAllBuiltins(),
		expr.EnableBuiltin("abs"),
		expr.EnableBuiltin("min"),
		expr.EnableBuiltin("max"),
	)
	if cerr != nil {
		return fail(RuleFormulaCompile, firstLine(cerr.Error()))
	}
	return &Formula{Source: src, Metrics: names, program: program}, nil
}

// Eval runs the formula with the metric values and the node's max. It
// returns the raw result: clamping to [0, max] is the scoring method's
// job, as is deciding what a missing metric or ErrNotFinite means for the
// leaf (the format says: no input, so the missing policy applies).
func (f *Formula) Eval(values map[string]float64, max float64) (float64, error) {
	env := make(map[string]any, len(f.Metrics)+1)
	env[maxVariable] = max
	for _, m := range f.Metrics {
		v, ok := values[m]
		if !ok {
			return 0, fmt.Errorf("%w: %s", ErrMissingMetric, m)
		}
		env[m] = v
	}
	out, err := expr.Run(f.program, env)
	if err != nil {
		if errors.Is(err, errDivisionByZero) || strings.Contains(err.Error(), errDivisionByZero.Error()) {
			return math.NaN(), fmt.Errorf("%w: %s divides by zero", ErrNotFinite, f.Source)
		}
		return 0, fmt.Errorf("criteria: formula %q: %w", f.Source, err)
	}
	v, ok := out.(float64)
	if !ok {
		return 0, fmt.Errorf("criteria: formula %q returned %T", f.Source, out)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, ErrNotFinite
	}
	return v, nil
}

// sandboxPatch renames max (see maxVariable) and turns every division into
// a call of divideFunction, so that a division by zero is an error even
// where min(1, …) would otherwise hide the infinity it produces.
type sandboxPatch struct{}

func (sandboxPatch) Visit(n *ast.Node) {
	switch t := (*n).(type) {
	case *ast.IdentifierNode:
		if t.Value == "max" {
			ast.Patch(n, &ast.IdentifierNode{Value: maxVariable})
		}
	case *ast.BinaryNode:
		if t.Operator == "/" {
			ast.Patch(n, &ast.CallNode{
				Callee:    &ast.IdentifierNode{Value: divideFunction},
				Arguments: []ast.Node{t.Left, t.Right},
			})
		}
	}
}

const divideFunction = "_divide"

var errDivisionByZero = errors.New("division by zero")

func divide(params ...any) (any, error) {
	a, b := toFloat(params[0]), toFloat(params[1])
	if b == 0 {
		return nil, errDivisionByZero
	}
	return a / b, nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func describeParseError(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		if fe.Line > 1 {
			return fmt.Sprintf("%s at line %d, character %d", fe.Message, fe.Line, fe.Column+1)
		}
		return fmt.Sprintf("%s at character %d", fe.Message, fe.Column+1)
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// checkFormulaNode walks the tree outermost first, left to right, and
// returns the rule broken by the first construct outside the sandbox.
func checkFormulaNode(n ast.Node, metrics map[string]bool) (Rule, []any) {
	switch t := n.(type) {
	case nil:
		return RuleFormulaSyntax, []any{"empty expression"}
	case *ast.IntegerNode, *ast.FloatNode:
		return "", nil
	case *ast.IdentifierNode:
		switch {
		case t.Value == "max":
			return "", nil
		case t.Value == "abs" || t.Value == "min":
			return RuleFormulaConstruct, []any{fmt.Sprintf("the function name %s as a value (write %s(…))", t.Value, t.Value)}
		case IsMetricName(t.Value):
			metrics[t.Value] = true
			return "", nil
		}
		return RuleFormulaIdent, []any{t.Value}
	case *ast.UnaryNode:
		if t.Operator != "-" && t.Operator != "+" {
			return RuleFormulaOperator, []any{t.Operator}
		}
		return checkFormulaNode(t.Node, metrics)
	case *ast.BinaryNode:
		switch t.Operator {
		case "+", "-", "*", "/":
		default:
			return RuleFormulaOperator, []any{t.Operator}
		}
		if rule, args := checkFormulaNode(t.Left, metrics); rule != "" {
			return rule, args
		}
		return checkFormulaNode(t.Right, metrics)
	case *ast.BuiltinNode:
		switch t.Name {
		case "abs":
			if len(t.Arguments) != 1 {
				return RuleFormulaArgs, []any{fmt.Sprintf("abs takes exactly one argument, got %d", len(t.Arguments))}
			}
		case "min", "max":
			if len(t.Arguments) < 2 {
				return RuleFormulaArgs, []any{fmt.Sprintf("%s takes at least two arguments, got %d", t.Name, len(t.Arguments))}
			}
		default:
			return RuleFormulaFunction, []any{t.Name}
		}
		for _, a := range t.Arguments {
			if rule, args := checkFormulaNode(a, metrics); rule != "" {
				return rule, args
			}
		}
		return "", nil
	case *ast.CallNode:
		if id, ok := t.Callee.(*ast.IdentifierNode); ok {
			return RuleFormulaFunction, []any{id.Value}
		}
		return RuleFormulaMember, []any{safeString(t)}
	case *ast.MemberNode, *ast.ChainNode, *ast.SliceNode:
		return RuleFormulaMember, []any{safeString(t)}
	case *ast.StringNode:
		return RuleFormulaConstruct, []any{"text"}
	case *ast.BytesNode:
		return RuleFormulaConstruct, []any{"bytes"}
	case *ast.BoolNode:
		return RuleFormulaConstruct, []any{"true or false"}
	case *ast.NilNode:
		return RuleFormulaConstruct, []any{"nil"}
	case *ast.ConditionalNode:
		return RuleFormulaConstruct, []any{"a condition (?: or if/else)"}
	case *ast.ArrayNode:
		return RuleFormulaConstruct, []any{"a list"}
	case *ast.MapNode, *ast.PairNode:
		return RuleFormulaConstruct, []any{"a map"}
	case *ast.VariableDeclaratorNode:
		return RuleFormulaConstruct, []any{"a variable (let)"}
	case *ast.SequenceNode:
		return RuleFormulaConstruct, []any{"several expressions separated by ;"}
	case *ast.PredicateNode, *ast.PointerNode:
		return RuleFormulaConstruct, []any{"a predicate (#)"}
	}
	return RuleFormulaConstruct, []any{fmt.Sprintf("an expression of kind %T", n)}
}

func safeString(n ast.Node) (s string) {
	defer func() {
		if recover() != nil {
			s = "…"
		}
	}()
	s = n.String()
	if len(s) > 60 {
		s = s[:57] + "…"
	}
	return s
}
