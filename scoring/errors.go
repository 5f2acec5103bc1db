package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// InputError is one problem in the inputs: which agency, which node, which
// field and value, and what is allowed. Inputs are never clamped or
// repaired silently: Score refuses them and lists every problem at once.
type InputError struct {
	// Agency is the agency code as written ("" when the code itself is
	// missing or the problem is not about one agency).
	Agency string
	// Position is the 1-based position of the agency in Inputs.Agencies
	// (0 when the problem is not about one agency).
	Position int
	// Line is the line in the JSON file where the problem is (0 when the
	// inputs were not read by ParseInputs).
	Line int
	// Node is the node (criterion) code the problem is about, or "".
	Node string
	// Field says where in the agency's inputs: "points", "answers",
	// "metrics.records_total", "survey.sipas-2026.access.satisfaction",
	// "not_applicable", "code", …
	Field string
	// Value is the offending value as written, or "".
	Value string
	// Message says in English what is wrong and what is allowed; MessageVI
	// says it in Vietnamese, for users.
	Message   string
	MessageVI string
}

// where formats the location in English or Vietnamese.
func (e InputError) where(vi bool) string {
	var parts []string
	if e.Line > 0 {
		parts = append(parts, pick(vi, "dòng ", "line ")+strconv.Itoa(e.Line))
	}
	switch {
	case e.Agency != "":
		parts = append(parts, pick(vi, "đơn vị ", "agency ")+e.Agency)
	case e.Position > 0:
		parts = append(parts, pick(vi, "đơn vị thứ ", "agency #")+strconv.Itoa(e.Position))
	}
	if e.Node != "" {
		parts = append(parts, pick(vi, "tiêu chí ", "node ")+e.Node)
	}
	if e.Field != "" {
		f := e.Field
		if e.Value != "" {
			f += " = " + e.Value
		}
		parts = append(parts, f)
	} else if e.Value != "" {
		parts = append(parts, pick(vi, "giá trị ", "value ")+e.Value)
	}
	return strings.Join(parts, ", ")
}

func pick(vi bool, a, b string) string {
	if vi {
		return a
	}
	return b
}

// Error is the English form: "line 7, agency SNV, node 1.4, points = 1.3: …".
func (e InputError) Error() string {
	if w := e.where(false); w != "" {
		return w + ": " + e.Message
	}
	return e.Message
}

// Vietnamese is the form shown to users.
func (e InputError) Vietnamese() string {
	msg := e.MessageVI
	if msg == "" {
		msg = e.Message
	}
	if w := e.where(true); w != "" {
		return w + ": " + msg
	}
	return msg
}

// InputErrors is every problem found in one set of inputs, in the order of
// the agencies and, within an agency, of the fields.
type InputErrors []InputError

func (es InputErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// formatNumber writes a number the way JSON does (shortest exact form).
func formatNumber(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// problems collects InputErrors for one agency.
type problems struct {
	list     InputErrors
	agency   string
	position int
	lines    map[string]int // field key → line, from ParseInputs
	line     int            // the agency's line
}

func (p *problems) add(node, field, lineKey, value, en, vi string, args ...any) {
	p.addText(node, field, lineKey, value, fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))
}

// sortFrom orders the problems added since position start by node, then
// field (keeping the order of problems about the same node and field).
func (p *problems) sortFrom(start int) {
	if len(p.list)-start < 2 {
		return
	}
	slices.SortStableFunc(p.list[start:], func(x, y InputError) int {
		return cmp.Or(strings.Compare(x.Node, y.Node), strings.Compare(x.Field, y.Field))
	})
}

// addText adds a problem whose messages are already written.
func (p *problems) addText(node, field, lineKey, value, en, vi string) {
	line := p.line
	if l, ok := p.lines[lineKey]; ok {
		line = l
	}
	p.list = append(p.list, InputError{
		Agency: p.agency, Position: p.position, Line: line, Node: node, Field: field, Value: value,
		Message: en, MessageVI: vi,
	})
}
