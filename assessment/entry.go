package assessment

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"parindex"
	"parindex/criteria"
)

// EntryError is one problem with a value entered for a leaf or a metric.
type EntryError struct {
	Node   string // the leaf ("" for a metric)
	Metric string // the metric, for a metric value
	Field  string // points, answer, not_applicable, note, metric, explanation, comment
	VI, EN string
}

func (e EntryError) Error() string {
	where := e.Node
	if e.Metric != "" {
		where = e.Metric
	}
	return fmt.Sprintf("%s: %s (%s)", where, e.VI, e.EN)
}

// EntryErrors is every problem of one save; nothing was written.
type EntryErrors []EntryError

func (es EntryErrors) Error() string { return parindex.JoinErrors(es) }

// num writes a number for messages: shortest form, decimal comma in
// Vietnamese.
func num(x float64, vi bool) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if vi {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// MaxNoteLength bounds notes, explanations and comments, in characters.
const MaxNoteLength = 4000

// CheckLeafValue checks a value for leaf n against the framework: points
// of an assessed leaf between 0 and its maximum in steps of its step (the
// maximum itself always accepted), an amount of a bonus or penalty leaf
// between 0 and its cap, an answer for a boolean leaf, nothing for a
// metric or survey leaf, and nothing but "not applicable" when it is set.
func CheckLeafValue(n *criteria.Node, v LeafValue) []EntryError {
	if n == nil || !n.IsLeaf() {
		return []EntryError{{Field: "points", VI: "tiêu chí này là nhóm, không nhập điểm", EN: "a group takes no input"}}
	}
	var out []EntryError
	bad := func(field, vi, en string, args ...any) {
		out = append(out, EntryError{Node: n.Code, Field: field, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)})
	}
	kind := LeafKind(n)
	if kind == KindSurvey {
		if !v.Empty() {
			bad("points", "tiêu chí %s lấy kết quả khảo sát, không nhập", "leaf %s reads the survey; it takes no input", n.Code)
		}
		return out
	}
	if v.NotApplicable {
		if v.Points != nil || v.Answer != nil {
			bad("not_applicable", "tiêu chí đã đánh dấu không áp dụng thì không nhập điểm", "a leaf marked not applicable takes no points")
		}
		return out
	}
	if v.Answer != nil && kind != KindAnswer {
		bad("answer", "tiêu chí %s không chấm theo có/không", "leaf %s is not a yes/no criterion", n.Code)
	}
	if v.Points == nil {
		return out
	}
	p := *v.Points
	switch {
	case kind != KindPoints:
		bad("points", "tiêu chí %s không nhập điểm trực tiếp", "leaf %s takes no points", n.Code)
	case math.IsNaN(p) || math.IsInf(p, 0):
		bad("points", "điểm phải là một số", "points must be a number")
	case n.Method.IsAdjustment():
		if p < 0 || p > n.Cap+1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("số điểm %s nằm ngoài khoảng 0 đến %s (mức tối đa của tiêu chí)", num(p, true), num(n.Cap, true)),
				EN: fmt.Sprintf("amount %s is outside 0 to %s (the leaf's cap)", num(p, false), num(n.Cap, false))})
		}
	default:
		max := n.MaxPoints()
		step := n.InputStep()
		if p < 0 || p > max+1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("điểm %s nằm ngoài khoảng 0 đến %s (điểm tối đa)", num(p, true), num(max, true)),
				EN: fmt.Sprintf("points %s are outside 0 to %s (the maximum)", num(p, false), num(max, false))})
			break
		}
		if q := p / step; math.Abs(q-math.Round(q)) > 1e-9 && math.Abs(p-max) > 1e-9 {
			out = append(out, EntryError{Node: n.Code, Field: "points",
				VI: fmt.Sprintf("điểm %s không phải bội số của %s (bước chấm điểm của tiêu chí)", num(p, true), num(step, true)),
				EN: fmt.Sprintf("points %s are not a multiple of %s (the leaf's step)", num(p, false), num(step, false))})
		}
	}
	return out
}

// CheckMetricValue checks a reported metric value: a finite number, not
// negative.
func CheckMetricValue(metric string, v float64) *EntryError {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return &EntryError{Metric: metric, Field: "metric",
			VI: fmt.Sprintf("số liệu %s phải là số không âm, nhận được %s", metric, num(v, true)),
			EN: fmt.Sprintf("metric %s must be a number ≥ 0, got %s", metric, num(v, false))}
	}
	return nil
}

// EntryUpdate is the agency's new input for one leaf: its value and note
// replace the stored ones. Metrics sets the values of metrics the leaf
// reads (a nil value clears the metric).
type EntryUpdate struct {
	Node    string
	Value   LeafValue
	Note    string
	Metrics map[string]*float64
}

// CheckEntries checks the agency's new input for several leaves of
// framework f, all at once: every leaf exists once, its value and note
// fit (CheckLeafValue, MaxNoteLength), every metric is read by its leaf,
// is a number ≥ 0 and has one value across the updates. It trims the
// notes in place and returns the metric values to store, by metric (a nil
// value clears one), or every problem found.
func CheckEntries(f *criteria.Framework, updates []EntryUpdate) (map[string]*float64, EntryErrors) {
	var problems EntryErrors
	metrics := map[string]*float64{}
	seen := map[string]bool{}
	for i := range updates {
		up := &updates[i]
		up.Note = strings.TrimSpace(up.Note)
		n := f.Find(up.Node)
		if n == nil || !n.IsLeaf() {
			problems = append(problems, EntryError{Node: up.Node, Field: "node",
				VI: fmt.Sprintf("%q không phải là tiêu chí chấm điểm của bộ %s", up.Node, f.Code),
				EN: fmt.Sprintf("%q is not a leaf of framework %s", up.Node, f.Code)})
			continue
		}
		if seen[up.Node] {
			problems = append(problems, EntryError{Node: up.Node, Field: "node", VI: "tiêu chí được nhập hai lần", EN: "the leaf is given twice"})
			continue
		}
		seen[up.Node] = true
		problems = append(problems, CheckLeafValue(n, up.Value)...)
		if len([]rune(up.Note)) > MaxNoteLength {
			problems = append(problems, EntryError{Node: up.Node, Field: "note",
				VI: fmt.Sprintf("ghi chú dài hơn %d ký tự", MaxNoteLength), EN: fmt.Sprintf("the note is longer than %d characters", MaxNoteLength)})
		}
		reads := n.Metrics()
		for m, v := range up.Metrics {
			if !slices.Contains(reads, m) {
				problems = append(problems, EntryError{Node: up.Node, Metric: m, Field: "metric",
					VI: fmt.Sprintf("tiêu chí %s không dùng số liệu %s", up.Node, m), EN: fmt.Sprintf("leaf %s does not read metric %s", up.Node, m)})
				continue
			}
			if v != nil {
				if p := CheckMetricValue(m, *v); p != nil {
					p.Node = up.Node
					problems = append(problems, *p)
					continue
				}
			}
			if prev, dup := metrics[m]; dup && !sameFloat(prev, v) {
				problems = append(problems, EntryError{Node: up.Node, Metric: m, Field: "metric",
					VI: fmt.Sprintf("số liệu %s được nhập hai giá trị khác nhau", m), EN: fmt.Sprintf("metric %s is given two different values", m)})
				continue
			}
			metrics[m] = v
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return metrics, nil
}

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// CheckEdit says why the agency may not change self-scores, notes and
// metrics now (AgencyMayEdit), or nil when it may.
func (a *Assessment) CheckEdit() error {
	if AgencyMayEdit(a.State, a.Locked) {
		return nil
	}
	return a.editRefused()
}

// editRefused says why the agency may not change its sheet now.
func (a *Assessment) editRefused() error {
	if a.Locked {
		return a.lockedError()
	}
	return parindex.Errorf(parindex.ECodeConflict,
		"Hồ sơ của %s đang ở trạng thái %q nên không sửa được điểm tự chấm (the assessment is %s; self-scores can change only in draft)",
		a.UnitCode, a.State, a.State)
}

func (a *Assessment) lockedError() error {
	return parindex.Errorf(parindex.ECodeConflict,
		"Đã quá hạn %s, hồ sơ của %s đã khóa; đề nghị Sở Nội vụ mở lại nếu cần (the deadline has passed; the sheet is locked)",
		a.Deadline.VietnameseString(), a.UnitCode)
}

// Explainable reports whether the agency may explain leaf node: round 1
// adjusted it or commented on it.
func (a *Assessment) Explainable(node string) bool {
	r1 := a.Appraisal(node, 1)
	return r1 != nil && (r1.Decision == DecisionAdjusted || strings.TrimSpace(r1.Comment) != "")
}

// CheckExplanation checks the agency's explanation (giải trình) of leaf
// node of framework f, already trimmed: not too long, in the explanation
// stage while the sheet is not locked, for a leaf round 1 adjusted or
// commented on.
func (a *Assessment) CheckExplanation(f *criteria.Framework, node, text string) error {
	if len([]rune(text)) > MaxNoteLength {
		return parindex.Errorf(parindex.ECodeInvalid, "Nội dung giải trình dài hơn %d ký tự (the explanation is too long)", MaxNoteLength)
	}
	if !AgencyMayExplain(a.State, a.Locked) {
		if a.Locked {
			return a.lockedError()
		}
		return parindex.Errorf(parindex.ECodeConflict,
			"Chỉ giải trình được khi hồ sơ ở giai đoạn giải trình; hồ sơ đang ở trạng thái %q (explanations are written in the explanation stage)", a.State)
	}
	if f.Find(node) == nil || !a.Explainable(node) {
		return parindex.Errorf(parindex.ECodeInvalid,
			"Tiêu chí %s không có ý kiến thẩm định vòng 1 để giải trình (leaf %s has no round-1 adjustment or comment to explain)", node, node)
	}
	return nil
}

// CheckReopenReason refuses a reopening without a reason.
func CheckReopenReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return parindex.Errorf(parindex.ECodeInvalid, "Cần ghi lý do mở lại (a reason is required)")
	}
	return nil
}

// CheckReopen checks that DoHA may let the agency work until day until
// (inclusive), on day today: only in an agency stage, and until today or
// later.
func (a *Assessment) CheckReopen(until, today parindex.Date) error {
	if !a.State.AgencyStage() {
		return parindex.Errorf(parindex.ECodeConflict,
			"Chỉ mở lại được hồ sơ đang ở giai đoạn tự chấm điểm hoặc giải trình; hồ sơ của %s đang ở trạng thái %q (only draft or explanation can be reopened)",
			a.UnitCode, a.State)
	}
	if until.IsZero() || until.Before(today) {
		return parindex.Errorf(parindex.ECodeInvalid, "Ngày mở lại đến phải từ hôm nay trở đi (the reopening must last until today or later)")
	}
	return nil
}
