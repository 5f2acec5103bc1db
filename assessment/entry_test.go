package assessment_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"parindex"
	"parindex/assessment"
)

// TestCheckLeafValue: what a clerk or appraiser may enter for each kind of
// leaf, the fields refused and the Vietnamese words of the problem.
func TestCheckLeafValue(t *testing.T) {
	f := mustFramework(t)
	for _, c := range []struct {
		node   string
		value  assessment.LeafValue
		fields []string // fields refused, in order; none when accepted
		vi     string   // in the first problem's Vietnamese text
	}{
		{"1.2", assessment.LeafValue{Points: fptr(2.75)}, nil, ""},
		{"1.2", assessment.LeafValue{Points: fptr(3)}, nil, ""},
		{"1.2", assessment.LeafValue{Points: fptr(0)}, nil, ""},
		{"1.2", assessment.LeafValue{Points: fptr(3.5)}, []string{"points"}, "điểm 3,5 nằm ngoài khoảng 0 đến 3 (điểm tối đa)"},
		{"1.2", assessment.LeafValue{Points: fptr(-1)}, []string{"points"}, "nằm ngoài khoảng 0 đến 3"},
		{"1.2", assessment.LeafValue{Points: fptr(1.1)}, []string{"points"}, "điểm 1,1 không phải bội số của 0,25"},
		{"2.1", assessment.LeafValue{Points: fptr(1.25)}, []string{"points"}, "không phải bội số của 0,5"},
		{"2.1", assessment.LeafValue{Points: fptr(2)}, nil, ""},
		{"1.2", assessment.LeafValue{Points: fptr(math.NaN())}, []string{"points"}, "điểm phải là một số"},
		{"1.2", assessment.LeafValue{Answer: bptr(true)}, []string{"answer"}, "không chấm theo có/không"},
		{"1.2", assessment.LeafValue{NotApplicable: true}, nil, ""},
		{"1.2", assessment.LeafValue{NotApplicable: true, Points: fptr(1)}, []string{"not_applicable"}, "không áp dụng thì không nhập điểm"},
		{"1.1", assessment.LeafValue{Answer: bptr(false)}, nil, ""},
		{"1.1", assessment.LeafValue{Points: fptr(1)}, []string{"points"}, "không nhập điểm trực tiếp"},
		{"1.3", assessment.LeafValue{Points: fptr(1)}, []string{"points"}, "không nhập điểm trực tiếp"},
		{"8.1", assessment.LeafValue{}, nil, ""},
		{"8.1", assessment.LeafValue{NotApplicable: true}, []string{"points"}, "lấy kết quả khảo sát"},
		{"T.1", assessment.LeafValue{Points: fptr(2)}, nil, ""},
		{"T.1", assessment.LeafValue{Points: fptr(2.5)}, []string{"points"}, "số điểm 2,5 nằm ngoài khoảng 0 đến 2 (mức tối đa của tiêu chí)"},
		{"T.2", assessment.LeafValue{Points: fptr(1.3)}, nil, ""}, // an amount has no step
		{"1", assessment.LeafValue{Points: fptr(1)}, []string{"points"}, "là nhóm"},
	} {
		problems := assessment.CheckLeafValue(f.Find(c.node), c.value)
		var fields []string
		for _, p := range problems {
			fields = append(fields, p.Field)
		}
		if !reflect.DeepEqual(fields, c.fields) {
			t.Errorf("%s %+v: fields %v, want %v (%v)", c.node, c.value, fields, c.fields, problems)
			continue
		}
		if c.vi != "" && !strings.Contains(problems[0].VI, c.vi) {
			t.Errorf("%s %+v: %q lacks %q", c.node, c.value, problems[0].VI, c.vi)
		}
		if len(problems) > 0 && problems[0].EN == "" {
			t.Errorf("%s: no English text", c.node)
		}
	}
}

func TestCheckMetricValue(t *testing.T) {
	for v, bad := range map[float64]bool{0: false, 12.5: false, -1: true, math.Inf(1): true, math.NaN(): true} {
		p := assessment.CheckMetricValue("tasks_done", v)
		if (p != nil) != bad {
			t.Errorf("CheckMetricValue(%v) = %v, want refused %v", v, p, bad)
		}
		if p != nil && (p.Metric != "tasks_done" || p.Field != "metric" || !strings.Contains(p.VI, "phải là số không âm")) {
			t.Errorf("CheckMetricValue(%v) = %+v", v, p)
		}
	}
}

func TestCheckEntries(t *testing.T) {
	f := mustFramework(t)
	type problem struct{ node, metric, field string }
	for _, c := range []struct {
		name    string
		updates []assessment.EntryUpdate
		want    []problem
	}{
		{"not a leaf", []assessment.EntryUpdate{{Node: "9.9"}, {Node: "1"}}, []problem{{"9.9", "", "node"}, {"1", "", "node"}}},
		{"a leaf twice", []assessment.EntryUpdate{{Node: "1.2", Value: assessment.LeafValue{Points: fptr(1)}}, {Node: "1.2"}},
			[]problem{{"1.2", "", "node"}}},
		{"a note too long", []assessment.EntryUpdate{{Node: "1.2", Note: strings.Repeat("ă", assessment.MaxNoteLength+1)}},
			[]problem{{"1.2", "", "note"}}},
		{"a note at the limit", []assessment.EntryUpdate{{Node: "1.2", Note: strings.Repeat("ă", assessment.MaxNoteLength)}}, nil},
		{"a metric the leaf does not read", []assessment.EntryUpdate{{Node: "1.3", Metrics: map[string]*float64{"late_apologised": fptr(1)}}},
			[]problem{{"1.3", "late_apologised", "metric"}}},
		{"a negative metric", []assessment.EntryUpdate{{Node: "1.3", Metrics: map[string]*float64{"tasks_done": fptr(-2)}}},
			[]problem{{"1.3", "tasks_done", "metric"}}},
		{"one metric, two values", []assessment.EntryUpdate{{Node: "1.3", Metrics: map[string]*float64{"tasks_total": fptr(10)}},
			{Node: "2.2", Metrics: map[string]*float64{"tasks_total": fptr(12)}}}, []problem{{"2.2", "tasks_total", "metric"}}},
		{"a bad value and a bad note together", []assessment.EntryUpdate{{Node: "2.1", Value: assessment.LeafValue{Points: fptr(5)},
			Note: strings.Repeat("x", assessment.MaxNoteLength+1)}}, []problem{{"2.1", "", "points"}, {"2.1", "", "note"}}},
	} {
		_, problems := assessment.CheckEntries(f, c.updates)
		var got []problem
		for _, p := range problems {
			got = append(got, problem{p.Node, p.Metric, p.Field})
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	updates := []assessment.EntryUpdate{
		{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.5)}, Note: "  Kế hoạch số 12  "},
		{Node: "1.3", Metrics: map[string]*float64{"tasks_done": fptr(8), "tasks_total": nil}},
		{Node: "2.2", Metrics: map[string]*float64{"tasks_total": nil, "late_apologised": fptr(3)}},
	}
	metrics, problems := assessment.CheckEntries(f, updates)
	if problems != nil {
		t.Fatal(problems)
	}
	want := map[string]*float64{"tasks_done": fptr(8), "tasks_total": nil, "late_apologised": fptr(3)}
	if !reflect.DeepEqual(metrics, want) {
		t.Errorf("metrics %v, want %v", metrics, want)
	}
	if updates[0].Note != "Kế hoạch số 12" {
		t.Errorf("note %q is not trimmed", updates[0].Note)
	}
}

// TestAgencyChecks: when the agency may change its sheet, explain and
// touch evidence, and when DoHA may reopen it.
func TestAgencyChecks(t *testing.T) {
	f := mustFramework(t)
	draft := newAssessment("SNV", assessment.StateDraft)
	locked := newAssessment("SNV", assessment.StateDraft)
	locked.Locked, locked.Deadline = true, day(t, "2026-12-15")
	submitted := newAssessment("SNV", assessment.StateSubmitted)
	explaining := newAssessment("SNV", assessment.StateExplanation)
	decide(explaining, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo quý IV")
	decide(explaining, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "Đề nghị bổ sung")
	decide(explaining, "2.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Points: fptr(2)}, "  ")
	lockedExplaining := newAssessment("SNV", assessment.StateExplanation)
	lockedExplaining.Locked, lockedExplaining.Deadline = true, day(t, "2027-01-10")
	decide(lockedExplaining, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu")

	for _, c := range []struct {
		name string
		err  error
		code string // "" when allowed
		vi   string
	}{
		{"edit a draft", draft.CheckEdit(), "", ""},
		{"edit a locked draft", locked.CheckEdit(), parindex.ECodeConflict, "Đã quá hạn 15/12/2026, hồ sơ của SNV đã khóa"},
		{"edit a submitted sheet", submitted.CheckEdit(), parindex.ECodeConflict, "không sửa được điểm tự chấm"},
		{"edit while explaining", explaining.CheckEdit(), parindex.ECodeConflict, "không sửa được điểm tự chấm"},
		{"explain an adjusted leaf", explaining.CheckExplanation(f, "1.2", "Đã có báo cáo"), "", ""},
		{"explain a commented leaf", explaining.CheckExplanation(f, "1.1", "Đã bổ sung"), "", ""},
		{"explain an accepted leaf with a blank comment", explaining.CheckExplanation(f, "2.1", "x"), parindex.ECodeInvalid, "không có ý kiến thẩm định vòng 1"},
		{"explain a leaf round 1 never saw", explaining.CheckExplanation(f, "9.9", "x"), parindex.ECodeInvalid, "9.9"},
		{"explain too much", explaining.CheckExplanation(f, "1.2", strings.Repeat("x", assessment.MaxNoteLength+1)), parindex.ECodeInvalid, "dài hơn 4000"},
		{"explain a draft", draft.CheckExplanation(f, "1.2", "x"), parindex.ECodeConflict, "giai đoạn giải trình"},
		{"explain after the deadline", lockedExplaining.CheckExplanation(f, "1.2", "x"), parindex.ECodeConflict, "đã khóa"},
		{"evidence on a draft", draft.CheckEvidence(f, "1.2"), "", ""},
		{"evidence while explaining", explaining.CheckEvidence(f, "1.3"), "", ""},
		{"evidence on a survey leaf", draft.CheckEvidence(f, "8.1"), parindex.ECodeInvalid, "không phải là tiêu chí nhận tài liệu"},
		{"evidence on a submitted sheet", submitted.CheckEvidence(f, "1.2"), parindex.ECodeConflict, "không sửa được"},
		{"evidence withdrawn after the deadline", locked.CheckEvidenceChange(), parindex.ECodeConflict, "đã khóa"},
		{"reopen a draft until today", draft.CheckReopen(day(t, "2026-12-10"), day(t, "2026-12-10")), "", ""},
		{"reopen until yesterday", draft.CheckReopen(day(t, "2026-12-09"), day(t, "2026-12-10")), parindex.ECodeInvalid, "từ hôm nay trở đi"},
		{"reopen with no day", draft.CheckReopen(parindex.Date{}, day(t, "2026-12-10")), parindex.ECodeInvalid, "từ hôm nay trở đi"},
		{"reopen a submitted sheet", submitted.CheckReopen(day(t, "2026-12-20"), day(t, "2026-12-10")), parindex.ECodeConflict, "Chỉ mở lại được"},
		{"reopen without a reason", assessment.CheckReopenReason(" \n"), parindex.ECodeInvalid, "Cần ghi lý do mở lại"},
		{"reopen with a reason", assessment.CheckReopenReason("ốm"), "", ""},
		{"a known stage", assessment.CheckStage(assessment.StageExplanation), "", ""},
		{"an unknown stage", assessment.CheckStage("vote"), parindex.ECodeInvalid, "Không có giai đoạn \"vote\""},
	} {
		if got := parindex.ErrorCode(c.err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, c.err, c.code)
			continue
		}
		if c.err != nil && !strings.Contains(parindex.ErrorMessage(c.err), c.vi) {
			t.Errorf("%s: %q lacks %q", c.name, parindex.ErrorMessage(c.err), c.vi)
		}
	}
}

func TestTooLargeError(t *testing.T) {
	err := assessment.TooLargeError(5 << 19)
	if parindex.ErrorCode(err) != parindex.ECodeInvalid || !strings.Contains(err.Error(), "Tệp quá lớn: tối đa 2,5 MB") || !strings.Contains(err.Error(), "at most 2.5 MB") {
		t.Errorf("TooLargeError = %v", err)
	}
}
