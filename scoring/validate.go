package scoring

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"parindex/criteria"
)

// stepTolerance is how far points may be from a multiple of the step and
// still count as one (points typed as 1.1 + 0.15 are not exact binary
// multiples of 0.25). It is far below any step a framework uses.
const stepTolerance = 1e-9

// check verifies every agency's inputs against the framework and returns
// every problem, agency by agency; na says, per agency, which nodes are not
// applicable (indexed like p.nodes), and metrics holds each agency's values
// of the metrics the leaves read (indexed by p.metricIndex, NaN when absent).
func (p *plan) check(in Inputs) (InputErrors, [][]bool, [][]float64) {
	var all InputErrors
	if in.Framework != "" && in.Framework != p.f.Code {
		all = append(all, InputError{Field: "framework", Value: in.Framework,
			Message:   "the inputs are for framework " + in.Framework + ", not " + p.f.Code,
			MessageVI: "dữ liệu dành cho bộ tiêu chí " + in.Framework + ", không phải " + p.f.Code})
	}
	// Repeated codes need every agency; the rest is checked agency by
	// agency, in parallel, and the problems kept in agency order.
	first := map[string]int{}
	repeatedOf := make([]int, len(in.Agencies))
	for i := range in.Agencies {
		code := in.Agencies[i].Code
		if prev, dup := first[code]; dup {
			repeatedOf[i] = prev
		} else {
			first[code] = i + 1
		}
	}
	naAll := make([][]bool, len(in.Agencies))
	metrics := make([][]float64, len(in.Agencies))
	values := make([]float64, len(in.Agencies)*len(p.metricIndex))
	for i := range values {
		values[i] = math.NaN()
	}
	lists := make([]InputErrors, len(in.Agencies))
	parallel(len(in.Agencies), func(i int) {
		a := &in.Agencies[i]
		pr := &problems{agency: a.Code, position: i + 1, lines: a.lines, line: a.Line}
		switch {
		case strings.TrimSpace(a.Code) == "":
			pr.add("", "code", "code", "", "the agency has no code", "đơn vị chưa có mã (code)")
		case repeatedOf[i] > 0:
			pr.add("", "code", "code", a.Code, "agency code %s is repeated (first used by agency #%d); each agency appears once",
				"mã đơn vị %s bị lặp (đã dùng ở đơn vị thứ %d); mỗi đơn vị chỉ xuất hiện một lần", a.Code, repeatedOf[i])
		}
		naAll[i] = p.checkNotApplicable(a, pr)
		p.checkPoints(a, naAll[i], pr)
		p.checkAnswers(a, naAll[i], pr)
		metrics[i] = values[i*len(p.metricIndex) : (i+1)*len(p.metricIndex) : (i+1)*len(p.metricIndex)]
		p.checkMetrics(a, pr, metrics[i])
		checkSurvey(a, pr)
		if a.lines != nil {
			slices.SortStableFunc(pr.list, func(x, y InputError) int { return x.Line - y.Line })
		}
		lists[i] = pr.list
	})
	for _, list := range lists {
		all = append(all, list...)
	}
	return all, naAll, metrics
}

func (p *plan) checkNotApplicable(a *AgencyInput, pr *problems) []bool {
	na := make([]bool, len(p.nodes))
	for _, code := range a.NotApplicable {
		i, ok := p.byCode[code]
		if !ok {
			pr.add(code, "not_applicable", "not_applicable", code,
				"%q is not a node of framework %s; list the codes of criteria that do not apply", "%q không phải là tiêu chí của bộ %s; chỉ liệt kê mã các tiêu chí không áp dụng",
				code, p.f.Code)
			continue
		}
		for j := i; j < p.nodes[i].end; j++ {
			na[j] = true
		}
	}
	return na
}

// leafFor resolves a code given in points or answers, reporting an unknown
// code or a group. ok is false when the code is unusable. value formats the
// offending value, only when there is a problem.
func (p *plan) leafFor(code, field string, value func() string, pr *problems) (int, bool) {
	i, ok := p.byCode[code]
	if !ok {
		pr.add(code, field, field+"/"+code, value(), "%q is not a node of framework %s", "%q không phải là tiêu chí của bộ %s", code, p.f.Code)
		return 0, false
	}
	if !p.nodes[i].leaf {
		leaves := strings.Join(p.subtreeLeaves(i), ", ")
		pr.add(code, field, field+"/"+code, value(), "node %s is a group: its points are the sum of its sub-criteria (%s); enter values on those",
			"tiêu chí %s là nhóm, điểm là tổng các tiêu chí con (%s); hãy nhập giá trị cho các tiêu chí con", code, leaves)
		return 0, false
	}
	return i, true
}

// howToEnter says where a leaf's input goes, for messages.
func howToEnter(s *LeafSpec) (en, vi string) {
	switch s.Method {
	case criteria.MethodAssessed, criteria.MethodBonus, criteria.MethodPenalty:
		return "enter it under points", "nhập trong points"
	case criteria.MethodBoolean:
		return "enter it under answers (true or false)", "nhập trong answers (true hoặc false)"
	case criteria.MethodRatio, criteria.MethodTiers, criteria.MethodRelative:
		m := s.NumeratorMetric + " and " + s.DenominatorMetric
		return "it is computed from the metrics " + m, "điểm được tính từ các chỉ số " + s.NumeratorMetric + " và " + s.DenominatorMetric
	case criteria.MethodCount:
		return "it is computed from the metric " + s.Metric, "điểm được tính từ chỉ số " + s.Metric
	case criteria.MethodFormula:
		return "it is computed by the formula " + s.Formula, "điểm được tính theo công thức " + s.Formula
	case criteria.MethodSurvey:
		where := "survey." + s.Instrument + "." + s.SurveyKey + "." + string(s.Measure)
		return "it is computed from " + where, "điểm được tính từ " + where
	}
	return "", ""
}

// The checks below walk the maps in Go's random order, which is cheap, and
// sort only the problems they find (sortFrom), so that the error list is
// stable without sorting every agency's keys.

func (p *plan) checkPoints(a *AgencyInput, na []bool, pr *problems) {
	defer pr.sortFrom(len(pr.list))
	for code, v := range a.Points {
		i, ok := p.leafFor(code, "points", func() string { return formatNumber(v) }, pr)
		if !ok {
			continue
		}
		s := p.nodes[i].spec
		// Messages are built only for problems: the happy path allocates nothing.
		value, lineKey := func() string { return formatNumber(v) }, func() string { return "points/" + code }
		if math.IsNaN(v) || math.IsInf(v, 0) {
			pr.add(code, "points", lineKey(), value(), "points must be a finite number", "điểm phải là một số hữu hạn")
			continue
		}
		switch s.Method {
		case criteria.MethodAssessed:
			switch {
			case v < 0 || v > s.Max:
				pr.add(code, "points", lineKey(), value(), "points %s are outside 0..%s (the criterion's maximum)",
					"điểm %s nằm ngoài khoảng 0..%s (điểm tối đa của tiêu chí)", value(), formatNumber(s.Max))
			case v != s.Max && !isMultiple(v, s.Step):
				pr.add(code, "points", lineKey(), value(), "points %s are not a multiple of the step %s; allowed: 0, %s, %s, … up to %s",
					"điểm %s không phải bội số của bước %s; được phép: 0, %s, %s, … đến %s",
					value(), formatNumber(s.Step), formatNumber(s.Step), formatNumber(2*s.Step), formatNumber(s.Max))
			}
		case criteria.MethodBonus, criteria.MethodPenalty:
			if v < 0 {
				pr.addText(code, "points", lineKey(), value(),
					fmt.Sprintf("a %s amount cannot be negative; enter the amount as a positive number (a penalty is subtracted)", s.Method),
					fmt.Sprintf("số điểm %s không được âm; nhập số dương (điểm trừ sẽ được trừ đi)", methodVI(s.Method)))
			}
		default:
			en, vi := howToEnter(s)
			pr.addText(code, "points", lineKey(), value(),
				fmt.Sprintf("node %s uses method %s, which does not take entered points: %s", code, s.Method, en),
				fmt.Sprintf("tiêu chí %s tính theo phương pháp %s, không nhập điểm trực tiếp: %s", code, s.Method, vi))
			continue
		}
		if na[i] {
			pr.add(code, "points", lineKey(), value(), "node %s is marked not applicable for this agency; remove its points or the not_applicable entry",
				"tiêu chí %s được đánh dấu không áp dụng cho đơn vị này; hãy bỏ điểm hoặc bỏ mục not_applicable", code)
		}
	}
}

func methodVI(m criteria.Method) string {
	if m == criteria.MethodPenalty {
		return "trừ"
	}
	return "thưởng"
}

func isMultiple(v, step float64) bool {
	return math.Abs(math.Remainder(v, step)) <= stepTolerance*math.Max(1, math.Abs(v/step))
}

func (p *plan) checkAnswers(a *AgencyInput, na []bool, pr *problems) {
	defer pr.sortFrom(len(pr.list))
	for code, answer := range a.Answers {
		value := "false"
		if answer {
			value = "true"
		}
		i, ok := p.leafFor(code, "answers", func() string { return value }, pr)
		if !ok {
			continue
		}
		s := p.nodes[i].spec
		if s.Method != criteria.MethodBoolean {
			en, vi := howToEnter(s)
			pr.addText(code, "answers", "answers/"+code, value,
				fmt.Sprintf("node %s uses method %s, not boolean, so it takes no yes/no answer: %s", code, s.Method, en),
				fmt.Sprintf("tiêu chí %s tính theo phương pháp %s, không phải có/không: %s", code, s.Method, vi))
			continue
		}
		if na[i] {
			pr.add(code, "answers", "answers/"+code, value, "node %s is marked not applicable for this agency; remove its answer or the not_applicable entry",
				"tiêu chí %s được đánh dấu không áp dụng cho đơn vị này; hãy bỏ câu trả lời hoặc bỏ mục not_applicable", code)
		}
	}
}

// checkMetrics checks the metrics and copies those the leaves read into
// values.
func (p *plan) checkMetrics(a *AgencyInput, pr *problems, values []float64) {
	defer pr.sortFrom(len(pr.list))
	for name, v := range a.Metrics {
		if i, ok := p.metricIndex[name]; ok {
			values[i] = v
		}
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			pr.add("", "metrics."+name, "metrics/"+name, formatNumber(v), "metric %s must be a finite number", "chỉ số %s phải là một số hữu hạn", name)
		case v < 0:
			pr.add("", "metrics."+name, "metrics/"+name, formatNumber(v), "metric %s is %s; metrics are counts or amounts and cannot be negative",
				"chỉ số %s bằng %s; chỉ số là số đếm hoặc số tiền, không được âm", name, formatNumber(v))
		}
	}
}

func checkSurvey(a *AgencyInput, pr *problems) {
	defer pr.sortFrom(len(pr.list))
	for instrument, values := range a.Survey {
		for key, sv := range values {
			if !badSurvey(sv) {
				continue
			}
			base := "survey." + instrument + "." + key
			lineBase := "survey/" + instrument + "/" + key + "/"
			if s := sv.Satisfaction; s != nil && !(*s >= 0 && *s <= 1) {
				pr.add("", base+".satisfaction", lineBase+"satisfaction", formatNumber(*s),
					"a satisfaction share must be between 0 and 1 (0.84 means 84 %%)", "tỷ lệ hài lòng phải từ 0 đến 1 (0.84 nghĩa là 84 %%)")
			}
			if m := sv.Mean100; m != nil && !(*m >= 0 && *m <= 100) {
				pr.add("", base+".mean100", lineBase+"mean100", formatNumber(*m),
					"a mean100 score must be between 0 and 100", "điểm bình quân quy về thang 100 (mean100) phải từ 0 đến 100")
			}
			if sv.N < 0 {
				pr.add("", base+".n", lineBase+"n", formatNumber(float64(sv.N)),
					"n (the number of valid answers) cannot be negative; leave it out when unknown", "n (số câu trả lời hợp lệ) không được âm; bỏ trống nếu không biết")
			}
		}
	}
}

func badSurvey(sv SurveyValue) bool {
	return (sv.Satisfaction != nil && !(*sv.Satisfaction >= 0 && *sv.Satisfaction <= 1)) ||
		(sv.Mean100 != nil && !(*sv.Mean100 >= 0 && *sv.Mean100 <= 100)) || sv.N < 0
}
