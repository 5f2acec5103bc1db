package assessment_test

import (
	"testing"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
)

// modelFramework has a leaf of each kind the agency enters, a leaf left
// out when missing, a survey leaf and a bonus/penalty block, in four
// areas.
const modelFramework = `
code: model-2026
name: "Bộ thử mô hình 2026"
year: 2026
agency_types: [department]
rounding: 2
missing: zero
bands:
  - {code: A, name: "Tốt", min: 90}
  - {code: D, name: "Yếu", min: 0}
nodes:
  - code: "1"
    name: "Lĩnh vực 1"
    children:
      - {code: "1.1", name: "Kế hoạch", max: 1, method: boolean}
      - {code: "1.2", name: "Tổ chức thực hiện", max: 3, method: assessed, step: 0.25}
      - {code: "1.3", name: "Hoàn thành nhiệm vụ", max: 2, method: ratio, numerator: tasks_done, denominator: tasks_total}
  - code: "2"
    name: "Lĩnh vực 2"
    children:
      - {code: "2.1", name: "Văn bản", max: 2, method: assessed, step: 0.5}
      - {code: "2.2", name: "Xin lỗi", max: 1, method: ratio, numerator: late_apologised, denominator: tasks_total, missing: exclude}
  - code: "8"
    name: "Khảo sát"
    children:
      - {code: "8.1", name: "Hài lòng", max: 1, method: survey, instrument: sipas-2026}
  - code: "T"
    name: "Thưởng, trừ"
    adjustment: true
    children:
      - {code: "T.1", name: "Thưởng", method: bonus, cap: 2}
      - {code: "T.2", name: "Trừ", method: penalty, cap: 3}
`

func mustFramework(t *testing.T) *criteria.Framework {
	t.Helper()
	f, _, err := criteria.Parse("model.yaml", []byte(modelFramework))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fptr(x float64) *float64 { return &x }
func bptr(b bool) *bool       { return &b }

func day(t *testing.T, s string) parindex.Date {
	t.Helper()
	d, err := parindex.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newAssessment is an empty assessment of unit in state s.
func newAssessment(unit string, s assessment.State) *assessment.Assessment {
	a := assessment.New()
	a.Framework, a.UnitCode, a.UnitName, a.State = "model-2026", unit, "Đơn vị "+unit, s
	return a
}

// score sets the agency's value of a leaf.
func score(a *assessment.Assessment, node string, v assessment.LeafValue) {
	a.Entries[node] = &assessment.Entry{Node: node, LeafValue: v}
}

// decide records a decision of a round on a leaf.
func decide(a *assessment.Assessment, node string, round int, decision string, v assessment.LeafValue, comment string) {
	pair := a.Appraisals[node]
	pair[round-1] = &assessment.Appraisal{Node: node, Round: round, Decision: decision, LeafValue: v, Comment: comment}
	a.Appraisals[node] = pair
}

// explain records the agency's explanation of a leaf.
func explain(a *assessment.Assessment, node, text string) {
	e := a.Entries[node]
	if e == nil {
		e = &assessment.Entry{Node: node}
		a.Entries[node] = e
	}
	e.Explanation = text
}
