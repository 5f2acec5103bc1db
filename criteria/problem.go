package criteria

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule names the validation rule a problem breaks. The values are stable:
// tests, the UI and translations may key on them.
type Rule string

// Problem is one thing wrong with a framework file, located as precisely as
// the file allows.
type Problem struct {
	File      string // as given to Parse; may be empty
	Line      int    // 1-based; 0 when unknown
	Node      string // code of the node concerned; empty for framework-level keys
	Rule      Rule
	Message   string // plain English; part of Error()
	MessageVI string // the same in Vietnamese, for users
}

// Error formats the problem as FILE:LINE: node CODE: message, leaving out
// the parts that are unknown.
func (p Problem) Error() string { return formatLocated(p.File, p.Line, p.Node, p.Message) }

// Vietnamese formats the problem like Error, with the Vietnamese message.
func (p Problem) Vietnamese() string {
	msg := p.MessageVI
	if msg == "" {
		msg = p.Message
	}
	if p.Node != "" {
		msg = "tiêu chí " + p.Node + ": " + msg
	}
	return formatLocated(p.File, p.Line, "", msg)
}

// Warning is something Parse could not confirm but that does not stop the
// framework from being used, such as a survey reference that only the
// database can check.
type Warning struct {
	File      string
	Line      int
	Node      string
	Rule      Rule
	Message   string
	MessageVI string
}

// String formats the warning as FILE:LINE: node CODE: message.
func (w Warning) String() string { return formatLocated(w.File, w.Line, w.Node, w.Message) }

func formatLocated(file string, line int, node, msg string) string {
	var b strings.Builder
	switch {
	case file != "" && line > 0:
		b.WriteString(file + ":" + strconv.Itoa(line) + ": ")
	case file != "":
		b.WriteString(file + ": ")
	case line > 0:
		b.WriteString("line " + strconv.Itoa(line) + ": ")
	}
	if node != "" {
		b.WriteString("node " + node + ": ")
	}
	b.WriteString(msg)
	return b.String()
}

// ValidationError lists every problem found in a framework, ordered by line.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// The rules. Each has one English and one Vietnamese format in messages;
// both take the same arguments in the same order.
const (
	RuleYAMLSyntax       Rule = "yaml-syntax"
	RuleEmptyFile        Rule = "empty-file"
	RuleManyDocuments    Rule = "many-documents"
	RuleAlias            Rule = "alias"
	RuleTopLevel         Rule = "top-level"
	RuleBadKey           Rule = "bad-key"
	RuleDuplicateKey     Rule = "duplicate-key"
	RuleUnknownKey       Rule = "unknown-key"
	RuleKeyNotForMethod  Rule = "key-not-for-method"
	RuleKeyNotForGroup   Rule = "key-not-for-group"
	RuleWrongType        Rule = "wrong-type"
	RuleNotFinite        Rule = "not-finite"
	RuleBadText          Rule = "bad-text"
	RuleMissingCode      Rule = "missing-code"
	RuleBadCode          Rule = "bad-code"
	RuleMissingName      Rule = "missing-name"
	RuleMissingYear      Rule = "missing-year"
	RuleYearRange        Rule = "year-range"
	RuleNoAgencyTypes    Rule = "no-agency-types"
	RuleBadAgencyType    Rule = "bad-agency-type"
	RuleDupAgencyType    Rule = "duplicate-agency-type"
	RuleRounding         Rule = "rounding-range"
	RuleCapIndex         Rule = "cap-index"
	RuleMissingPolicy    Rule = "missing-policy"
	RuleSurveyResponses  Rule = "survey-responses"
	RuleNoBands          Rule = "no-bands"
	RuleBandMissingCode  Rule = "band-missing-code"
	RuleBandMissingName  Rule = "band-missing-name"
	RuleBandMissingMin   Rule = "band-missing-min"
	RuleBandDuplicate    Rule = "band-duplicate"
	RuleBandOrder        Rule = "band-order"
	RuleBandFloor        Rule = "band-floor"
	RuleNoNodes          Rule = "no-nodes"
	RuleNotMapping       Rule = "not-mapping"
	RuleDuplicateCode    Rule = "duplicate-code"
	RuleTooDeep          Rule = "too-deep"
	RuleEmptyChildren    Rule = "empty-children"
	RuleChildrenAndMeth  Rule = "children-and-method"
	RuleMissingMethod    Rule = "missing-method"
	RuleUnknownMethod    Rule = "unknown-method"
	RuleMissingMax       Rule = "missing-max"
	RuleNegativeMax      Rule = "negative-max"
	RuleParentMaxSum     Rule = "parent-max-sum"
	RuleAdjustmentMax    Rule = "adjustment-max"
	RuleZeroTotal        Rule = "zero-total"
	RuleMissingNumerator Rule = "missing-numerator"
	RuleMissingDenom     Rule = "missing-denominator"
	RuleBadMetric        Rule = "bad-metric"
	RuleTarget           Rule = "target"
	RuleStep             Rule = "step"
	RuleNoTiers          Rule = "no-tiers"
	RuleTierMissingMin   Rule = "tier-missing-min"
	RuleTierMissingPts   Rule = "tier-missing-points"
	RuleTierOrder        Rule = "tier-order"
	RuleTierFloor        Rule = "tier-floor"
	RuleTierPointsAbove  Rule = "tier-points-above-max"
	RuleTierPointsNeg    Rule = "tier-points-negative"
	RuleCountMetric      Rule = "count-metric"
	RuleCountPerUnit     Rule = "count-per-unit"
	RulePerUnit          Rule = "per-unit"
	RuleMissingFormula   Rule = "missing-formula"
	RuleFormulaSyntax    Rule = "formula-syntax"
	RuleFormulaFunction  Rule = "formula-function"
	RuleFormulaArgs      Rule = "formula-arguments"
	RuleFormulaIdent     Rule = "formula-identifier"
	RuleFormulaMember    Rule = "formula-member"
	RuleFormulaOperator  Rule = "formula-operator"
	RuleFormulaConstruct Rule = "formula-construct"
	RuleFormulaTooLong   Rule = "formula-too-long"
	RuleFormulaCompile   Rule = "formula-compile"
	RuleBonusOutside     Rule = "adjustment-outside"
	RuleScoredInside     Rule = "scored-inside-adjustment"
	RuleMissingCap       Rule = "missing-cap"
	RuleNegativeCap      Rule = "negative-cap"
	RuleMissingInstr     Rule = "missing-instrument"
	RuleElementQuestion  Rule = "element-and-question"
	RuleBadMeasure       Rule = "bad-measure"
	RuleSurveyElement    Rule = "survey-element"
	RuleSurveyRef        Rule = "survey-reference"
)

type message struct{ en, vi string }

// messages holds the wording of every rule. Keep English plain and stable:
// Error() strings are part of the contract (tests compare them exactly).
var messages = map[Rule]message{
	RuleYAMLSyntax:    {"YAML syntax error: %s", "lỗi cú pháp YAML: %s"},
	RuleEmptyFile:     {"the file is empty", "tệp rỗng"},
	RuleManyDocuments: {"the file holds more than one YAML document; put one framework per file", "tệp chứa nhiều hơn một tài liệu YAML; mỗi tệp chỉ chứa một bộ tiêu chí"},
	RuleAlias:         {"YAML aliases (*%s) are not supported; write the value out in full", "không hỗ trợ bí danh YAML (*%s); hãy viết đầy đủ giá trị"},
	RuleTopLevel:      {"the top level must be a mapping of keys (code, name, year, …), not %s", "cấp trên cùng phải là danh sách khóa (code, name, year, …), không phải %s"},
	RuleBadKey:        {"a key must be a plain word, not %s", "khóa phải là một từ, không phải %s"},
	RuleDuplicateKey:  {"key %q appears twice (first on line %d)", "khóa %q xuất hiện hai lần (lần đầu ở dòng %d)"},
	RuleUnknownKey:    {"unknown key %q; allowed keys: %s", "khóa %q không hợp lệ; các khóa được phép: %s"},
	RuleKeyNotForMethod: {"key %q does not apply to method %s; keys for %s: %s",
		"khóa %q không dùng cho phương pháp %s; các khóa của %s: %s"},
	RuleKeyNotForGroup: {"key %q does not apply to a node with children (its maximum is the sum of theirs); remove it or make the node a leaf",
		"khóa %q không dùng cho tiêu chí có tiêu chí con (điểm tối đa bằng tổng điểm các tiêu chí con); hãy bỏ khóa này hoặc bỏ tiêu chí con"},
	RuleWrongType:     {"%s must be %s, got %s", "%s phải là %s, nhận được %s"},
	RuleNotFinite:     {"%s must be a finite number, got %s", "%s phải là số hữu hạn, nhận được %s"},
	RuleBadText:       {"%s is not valid UTF-8 text or holds a NUL character", "%s không phải văn bản UTF-8 hợp lệ hoặc chứa ký tự NUL"},
	RuleMissingCode:   {"code is missing", "thiếu mã (code)"},
	RuleBadCode:       {"code %q may contain only letters, digits, '.', '_' and '-', starting with a letter or digit", "mã %q chỉ được gồm chữ cái, chữ số, '.', '_' và '-', bắt đầu bằng chữ cái hoặc chữ số"},
	RuleMissingName:   {"name is missing", "thiếu tên (name)"},
	RuleMissingYear:   {"year is missing", "thiếu năm (year)"},
	RuleYearRange:     {"year %d is outside 2000..2100", "năm %d nằm ngoài khoảng 2000..2100"},
	RuleNoAgencyTypes: {"agency_types must list at least one agency type (e.g. department, commune, ward)", "agency_types phải có ít nhất một loại cơ quan (ví dụ department, commune, ward)"},
	RuleBadAgencyType: {"agency type %q must be lowercase letters, digits and _, starting with a letter", "loại cơ quan %q chỉ được gồm chữ thường, chữ số và _, bắt đầu bằng chữ cái"},
	RuleDupAgencyType: {"agency type %q is listed twice", "loại cơ quan %q bị lặp"},
	RuleRounding:      {"rounding %d is outside 0..6 decimals", "số chữ số thập phân làm tròn %d nằm ngoài khoảng 0..6"},
	RuleCapIndex:      {"cap_index must be greater than 0, got %s", "cap_index phải lớn hơn 0, nhận được %s"},
	RuleMissingPolicy: {"unknown missing policy %q; allowed: zero, exclude", "chính sách thiếu dữ liệu %q không hợp lệ; được phép: zero, exclude"},
	RuleSurveyResponses: {"unknown survey_responses %q; allowed: all, clean (flagged responses left out, the default), not_doubtful (clean, and none from QR links labelled doubtful)",
		"survey_responses %q không hợp lệ; được phép: all (mọi phiếu), clean (bỏ phiếu bị gắn cờ, mặc định), not_doubtful (phiếu không bị gắn cờ và không từ mã QR bị đánh giá đáng ngờ)"},
	RuleNoBands:         {"bands is empty; list at least one band, the last with min: 0", "chưa có mức xếp loại (bands); cần ít nhất một mức, mức cuối có min: 0"},
	RuleBandMissingCode: {"band %d has no code", "mức xếp loại thứ %d thiếu mã"},
	RuleBandMissingName: {"band %s has no name", "mức xếp loại %s thiếu tên"},
	RuleBandMissingMin:  {"band %s has no min", "mức xếp loại %s thiếu ngưỡng min"},
	RuleBandDuplicate:   {"band code %q is used twice (first on line %d)", "mã xếp loại %q bị lặp (lần đầu ở dòng %d)"},
	RuleBandOrder: {"band %s: min %s is not below the previous band's min %s; list bands from the highest min down",
		"mức xếp loại %s: ngưỡng %s không nhỏ hơn ngưỡng %s của mức trước; hãy liệt kê từ ngưỡng cao nhất xuống"},
	RuleBandFloor:     {"the last band (%s) must have min: 0 so that every index gets a band, got %s", "mức xếp loại cuối (%s) phải có min: 0 để mọi chỉ số đều được xếp loại, nhận được %s"},
	RuleNoNodes:       {"nodes is empty; a framework needs at least one area", "chưa có tiêu chí (nodes); bộ tiêu chí cần ít nhất một lĩnh vực"},
	RuleNotMapping:    {"each entry of %s must be a mapping of keys, not %s", "mỗi phần tử của %s phải là danh sách khóa, không phải %s"},
	RuleDuplicateCode: {"duplicate code %q (first used on line %d)", "mã %q bị trùng (đã dùng ở dòng %d)"},
	RuleTooDeep:       {"nodes nest deeper than %d levels", "tiêu chí lồng nhau quá %d cấp"},
	RuleEmptyChildren: {"children is empty; list at least one child, or remove the key and give the node a method", "children rỗng; hãy thêm tiêu chí con, hoặc bỏ khóa này và khai báo phương pháp chấm (method)"},
	RuleChildrenAndMeth: {"node has both children and a method; a node either groups children or is a leaf with a method",
		"tiêu chí vừa có tiêu chí con vừa có phương pháp chấm; chỉ được có một trong hai"},
	RuleMissingMethod: {"method is missing (a node without children is a leaf and needs one); allowed methods: %s", "thiếu phương pháp chấm (method) cho tiêu chí không có tiêu chí con; các phương pháp: %s"},
	RuleUnknownMethod: {"unknown method %q; allowed methods: %s", "phương pháp chấm %q không hợp lệ; các phương pháp: %s"},
	RuleMissingMax:    {"max is missing; every scored leaf needs its maximum points", "thiếu điểm tối đa (max); mọi tiêu chí được chấm điểm đều cần điểm tối đa"},
	RuleNegativeMax:   {"max must not be negative, got %s", "điểm tối đa không được âm, nhận được %s"},
	RuleParentMaxSum: {"max %s is not the sum of its children's maxima (%s)",
		"điểm tối đa %s khác tổng điểm tối đa của các tiêu chí con (%s)"},
	RuleAdjustmentMax: {"an adjustment node has no max (it sits outside the maximum); give each bonus or penalty leaf a cap instead",
		"tiêu chí điểm thưởng/điểm trừ không có điểm tối đa; hãy khai báo mức trần (cap) cho từng khoản thưởng, trừ"},
	RuleZeroTotal:        {"the total maximum is 0; at least one criterion must carry points", "tổng điểm tối đa bằng 0; cần ít nhất một tiêu chí có điểm"},
	RuleMissingNumerator: {"method %s needs a numerator (a metric name)", "phương pháp %s cần tử số (numerator, tên chỉ tiêu)"},
	RuleMissingDenom:     {"method %s needs a denominator (a metric name)", "phương pháp %s cần mẫu số (denominator, tên chỉ tiêu)"},
	RuleBadMetric: {"%s %q is not a metric name: use lowercase letters, digits and _, starting with a letter",
		"%s %q không phải tên chỉ tiêu hợp lệ: chỉ gồm chữ thường, chữ số và _, bắt đầu bằng chữ cái"},
	RuleTarget:          {"target must be greater than 0, got %s", "mục tiêu (target) phải lớn hơn 0, nhận được %s"},
	RuleStep:            {"step must be greater than 0, got %s", "bước điểm (step) phải lớn hơn 0, nhận được %s"},
	RuleNoTiers:         {"method tiers needs a list of tiers ({min, points}, highest min first)", "phương pháp tiers cần danh sách mức ({min, points}, ngưỡng cao nhất trước)"},
	RuleTierMissingMin:  {"tier %d has no min", "mức thứ %d thiếu ngưỡng min"},
	RuleTierMissingPts:  {"tier %d has no points", "mức thứ %d thiếu điểm (points)"},
	RuleTierOrder:       {"tier %d: min %s is not below the previous tier's min %s; list tiers from the highest min down", "mức thứ %d: ngưỡng %s không nhỏ hơn ngưỡng %s của mức trước; hãy liệt kê từ ngưỡng cao nhất xuống"},
	RuleTierFloor:       {"the last tier must have min: 0 so that every rate earns a tier, got %s", "mức cuối phải có min: 0 để mọi tỷ lệ đều thuộc một mức, nhận được %s"},
	RuleTierPointsAbove: {"tier %d: points %s are above the node's max %s", "mức thứ %d: điểm %s lớn hơn điểm tối đa %s"},
	RuleTierPointsNeg:   {"tier %d: points must not be negative, got %s", "mức thứ %d: điểm không được âm, nhận được %s"},
	RuleCountMetric:     {"method count needs a metric (the metric name to count)", "phương pháp count cần chỉ tiêu được đếm (metric)"},
	RuleCountPerUnit:    {"method count needs per_unit (the points each unit counted earns)", "phương pháp count cần số điểm cho mỗi đơn vị (per_unit)"},
	RulePerUnit:         {"per_unit must be greater than 0, got %s", "per_unit phải lớn hơn 0, nhận được %s"},
	RuleMissingFormula:  {"method formula needs a formula", "phương pháp formula cần công thức (formula)"},
	RuleFormulaSyntax:   {"formula does not parse: %s", "công thức sai cú pháp: %s"},
	RuleFormulaFunction: {"formula calls %s, which is not allowed; allowed functions: abs, max, min", "công thức gọi hàm %s không được phép; các hàm được phép: abs, max, min"},
	RuleFormulaArgs:     {"formula: %s", "công thức: %s"},
	RuleFormulaIdent: {"formula uses %q, which is not a metric name (lowercase letters, digits and _, starting with a letter) nor max",
		"công thức dùng %q, không phải tên chỉ tiêu (chữ thường, chữ số và _, bắt đầu bằng chữ cái) cũng không phải max"},
	RuleFormulaMember: {"formula uses member access or indexing (%s); only metric names, max and numbers may be used",
		"công thức dùng truy cập thuộc tính hoặc chỉ số (%s); chỉ được dùng tên chỉ tiêu, max và số"},
	RuleFormulaOperator: {"formula uses operator %q; allowed operators: + - * / and parentheses", "công thức dùng toán tử %q; các toán tử được phép: + - * / và dấu ngoặc"},
	RuleFormulaConstruct: {"formula uses %s, which is not allowed; a formula is arithmetic (+ - * /) on numbers, metric names and max, with abs, min, max",
		"công thức dùng %s, không được phép; công thức chỉ gồm phép tính (+ - * /) trên số, tên chỉ tiêu và max, với các hàm abs, min, max"},
	RuleFormulaTooLong: {"formula is longer than %d characters", "công thức dài quá %d ký tự"},
	RuleFormulaCompile: {"formula does not compile: %s", "công thức không biên dịch được: %s"},
	RuleBonusOutside: {"method %s is only allowed inside an adjustment node (adjustment: true)",
		"phương pháp %s chỉ dùng trong nhóm điểm thưởng/điểm trừ (adjustment: true)"},
	RuleScoredInside: {"only bonus and penalty leaves may sit inside an adjustment node, not method %s",
		"trong nhóm điểm thưởng/điểm trừ chỉ được dùng bonus và penalty, không dùng %s"},
	RuleMissingCap:  {"cap is missing; a %s leaf needs the most points it may add or remove", "thiếu mức trần (cap); khoản %s cần số điểm tối đa được cộng hoặc trừ"},
	RuleNegativeCap: {"cap must not be negative, got %s", "mức trần (cap) không được âm, nhận được %s"},
	RuleMissingInstr: {"method survey needs an instrument (the survey code, e.g. sipas-2026)",
		"phương pháp survey cần mã bộ công cụ khảo sát (instrument, ví dụ sipas-2026)"},
	RuleElementQuestion: {"element and question are both set; give one of them, or neither for the overall index",
		"khai báo cả element và question; chỉ được khai báo một, hoặc không khai báo để dùng chỉ số chung"},
	RuleBadMeasure: {"unknown measure %q; allowed: satisfaction, mean100", "thước đo %q không hợp lệ; được phép: satisfaction, mean100"},
	RuleSurveyElement: {"element %q is not one of the SIPAS elements (access, procedure, civil_servant, result, feedback); it can only be checked against instrument %s in the database",
		"yếu tố %q không thuộc các yếu tố SIPAS (access, procedure, civil_servant, result, feedback); chỉ kiểm tra được với bộ công cụ %s trong cơ sở dữ liệu"},
	RuleSurveyRef: {"survey reference %s is not known", "không tìm thấy tham chiếu khảo sát %s"},
}

func newProblem(file string, line int, node string, rule Rule, args ...any) Problem {
	m, ok := messages[rule]
	if !ok {
		m = message{string(rule), string(rule)}
	}
	return Problem{
		File:      file,
		Line:      line,
		Node:      node,
		Rule:      rule,
		Message:   fmt.Sprintf(m.en, args...),
		MessageVI: fmt.Sprintf(m.vi, args...),
	}
}

// num formats a number the way the file would write it.
func num(v float64) string { return formatNumber(v) }
