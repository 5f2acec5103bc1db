package assessment_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/assessment"
	"parindex/criteria"
)

// selfScored is an agency that scored every leaf it enters.
func selfScored(unit string, s assessment.State) *assessment.Assessment {
	a := newAssessment(unit, s)
	score(a, "1.1", assessment.LeafValue{Answer: bptr(true)})
	score(a, "1.2", assessment.LeafValue{Points: fptr(2.5)})
	score(a, "2.1", assessment.LeafValue{Points: fptr(1.5)})
	a.Metrics["tasks_done"] = &assessment.MetricValue{Metric: "tasks_done", Value: 9}
	a.Metrics["tasks_total"] = &assessment.MetricValue{Metric: "tasks_total", Value: 10}
	return a
}

func TestUnscored(t *testing.T) {
	f := mustFramework(t)
	a := newAssessment("SNV", assessment.StateDraft)
	// Bonus, penalty, survey and missing-excluded leaves are never listed.
	if got, want := a.Unscored(f, nil), []string{"1.1", "1.2", "1.3", "2.1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("nothing entered: unscored %v, want %v", got, want)
	}
	score(a, "1.1", assessment.LeafValue{Answer: bptr(false)})
	score(a, "2.1", assessment.LeafValue{NotApplicable: true})
	a.Metrics["tasks_done"] = &assessment.MetricValue{Metric: "tasks_done", Value: 4}
	if got, want := a.Unscored(f, nil), []string{"1.2", "1.3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("one metric of 1.3 missing: unscored %v, want %v", got, want)
	}
	// The one-stop-shop system's figure counts as given.
	if got, want := a.Unscored(f, map[string]float64{"tasks_total": 5}), []string{"1.2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("system reports tasks_total: unscored %v, want %v", got, want)
	}
	if got := selfScored("SNV", assessment.StateDraft).Unscored(f, nil); got != nil {
		t.Errorf("a complete sheet: unscored %v", got)
	}
}

// A metric leaf of the reference framework whose figures the one-stop-shop
// system already reports for the unit does not wait for the agency to type
// them in.
func TestUnscoredCountsSystemMetrics(t *testing.T) {
	f, err := criteria.Reference("province-departments-2026")
	if err != nil {
		t.Fatal(err)
	}
	var ratio *criteria.Node
	for _, n := range f.Leaves() {
		if n.Method == criteria.MethodRatio && f.MissingFor(n.Code) != criteria.MissingExclude {
			ratio = n
			break
		}
	}
	if ratio == nil {
		t.Fatal("no ratio leaf in the reference framework")
	}
	a := assessment.New()
	if !slices.Contains(a.Unscored(f, nil), ratio.Code) {
		t.Fatalf("%s is not listed as unscored with no figures at all", ratio.Code)
	}
	system := map[string]float64{}
	for _, m := range ratio.Metrics() {
		system[m] = 10
	}
	if slices.Contains(a.Unscored(f, system), ratio.Code) {
		t.Errorf("%s is listed as unscored although the system reports %v", ratio.Code, ratio.Metrics())
	}
}

func TestPendingLeaves(t *testing.T) {
	f := mustFramework(t)
	a := selfScored("SNV", assessment.StateAppraisal1)
	decide(a, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "")
	// Every appraisable leaf (not the survey's) without a round-1 decision.
	if got, want := a.PendingLeaves(f), []string{"1.2", "1.3", "2.1", "2.2", "T.1", "T.2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("round 1: pending %v, want %v", got, want)
	}
	a.State = assessment.StateAppraisal2
	explain(a, "1.2", "Đã có báo cáo")
	explain(a, "2.1", "Đã ban hành")
	explain(a, "T.1", "  ")
	decide(a, "2.1", 2, assessment.DecisionAccepted, assessment.LeafValue{Points: fptr(1.5)}, "")
	// Round 2 waits only for explained leaves.
	if got, want := a.PendingLeaves(f), []string{"1.2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("round 2: pending %v, want %v", got, want)
	}
	for _, s := range []assessment.State{assessment.StateDraft, assessment.StateSubmitted, assessment.StateExplanation, assessment.StateFinal} {
		a.State = s
		if got := a.PendingLeaves(f); got != nil {
			t.Errorf("%s: pending %v", s, got)
		}
	}
}

// TestNext: the facts a transition needs come from the assessment itself.
func TestNext(t *testing.T) {
	f := mustFramework(t)
	a := newAssessment("SNV", assessment.StateDraft)
	score(a, "1.1", assessment.LeafValue{Answer: bptr(true)})
	if _, err := a.Next(f, assessment.TransitionSubmit, "", nil); parindex.ErrorCode(err) != parindex.ECodeInvalid ||
		!strings.Contains(err.Error(), "Còn 3 tiêu chí chưa tự chấm điểm (hoặc đánh dấu không áp dụng): 1.2, 1.3, 2.1") {
		t.Errorf("submit with three leaves left: %v", err)
	}
	if got, err := selfScored("SNV", assessment.StateDraft).Next(f, assessment.TransitionSubmit, "", nil); err != nil || got != assessment.StateSubmitted {
		t.Errorf("submit a complete sheet: %s, %v", got, err)
	}
	a = selfScored("SNV", assessment.StateAppraisal1)
	for _, leaf := range []string{"1.1", "1.2", "1.3", "2.1", "2.2", "T.1"} {
		decide(a, leaf, 1, assessment.DecisionAccepted, a.SelfValue(leaf), "")
	}
	if _, err := a.Next(f, assessment.TransitionSendResults, "", nil); parindex.ErrorCode(err) != parindex.ECodeConflict ||
		!strings.Contains(err.Error(), "Còn 1 tiêu chí chưa thẩm định vòng 1: T.2") {
		t.Errorf("send results with T.2 waiting: %v", err)
	}
	decide(a, "T.2", 1, assessment.DecisionAccepted, assessment.LeafValue{}, "")
	if got, err := a.Next(f, assessment.TransitionSendResults, "", nil); err != nil || got != assessment.StateExplanation {
		t.Errorf("send results: %s, %v", got, err)
	}
	a.State = assessment.StateAppraisal2
	explain(a, "2.1", "Đã ban hành")
	if _, err := a.Next(f, assessment.TransitionFinalise, "", nil); parindex.ErrorCode(err) != parindex.ECodeConflict || !strings.Contains(err.Error(), ": 2.1") {
		t.Errorf("finalise with 2.1 explained and undecided: %v", err)
	}
}

func TestFinalInputs(t *testing.T) {
	f := mustFramework(t)
	a := newAssessment("SNV", assessment.StateFinal)
	score(a, "1.1", assessment.LeafValue{Answer: bptr(true)})
	score(a, "1.2", assessment.LeafValue{Points: fptr(2.5)})
	score(a, "2.1", assessment.LeafValue{Points: fptr(2)})
	score(a, "T.1", assessment.LeafValue{Points: fptr(1)})
	decide(a, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo")
	decide(a, "1.2", 2, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2.25)}, "Chấp nhận một phần")
	decide(a, "2.1", 1, assessment.DecisionAdjusted, assessment.LeafValue{NotApplicable: true}, "Không có văn bản")
	appraised := 8.0
	a.Metrics["tasks_done"] = &assessment.MetricValue{Metric: "tasks_done", Value: 9, Appraised: &appraised}
	a.Metrics["tasks_total"] = &assessment.MetricValue{Metric: "tasks_total", Value: 10}
	want := assessment.Inputs{
		State:         "final",
		Points:        map[string]float64{"1.2": 2.25, "T.1": 1},
		Answers:       map[string]bool{"1.1": true},
		NotApplicable: []string{"2.1"},
		Metrics:       map[string]float64{"tasks_done": 8, "tasks_total": 10},
	}
	if got := a.ScoringInputs(f); !reflect.DeepEqual(got, want) {
		t.Errorf("final inputs\n got %+v\nwant %+v", got, want)
	}
	// Before final, no value counts: the state alone.
	a.State = assessment.StateAppraisal2
	if got, want := a.ScoringInputs(f), (assessment.Inputs{State: "appraisal_2"}); !reflect.DeepEqual(got, want) {
		t.Errorf("appraisal_2 inputs %+v, want %+v", got, want)
	}
}

func TestDecide(t *testing.T) {
	f := mustFramework(t)
	round1 := func() *assessment.Assessment { return selfScored("SNV", assessment.StateAppraisal1) }
	for _, c := range []struct {
		name     string
		a        *assessment.Assessment
		in       assessment.AppraisalInput
		code     string // the refusal's code, "" when decided
		text     string
		decision string
		value    assessment.LeafValue
		metrics  map[string]float64
		changed  map[string]float64
	}{
		{name: "accept", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Accept: true},
			decision: assessment.DecisionAccepted, value: assessment.LeafValue{Points: fptr(2.5)}, changed: map[string]float64{}},
		{name: "the same value is accepted", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.5)}},
			decision: assessment.DecisionAccepted, value: assessment.LeafValue{Points: fptr(2.5)}, changed: map[string]float64{}},
		{name: "adjust", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2)}, Comment: "  Thiếu báo cáo "},
			decision: assessment.DecisionAdjusted, value: assessment.LeafValue{Points: fptr(2)}, changed: map[string]float64{}},
		{name: "adjust without a comment", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2)}, Comment: " "},
			code: parindex.ECodeInvalid, text: "Cần ghi ý kiến thẩm định khi điều chỉnh điểm của tiêu chí 1.2"},
		{name: "adjust out of range", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(3.5)}, Comment: "x"},
			code: parindex.ECodeInvalid, text: "Tiêu chí 1.2: điểm 3,5 nằm ngoài khoảng"},
		{name: "a survey leaf", a: round1(), in: assessment.AppraisalInput{Node: "8.1", Accept: true},
			code: parindex.ECodeInvalid, text: "không phải là tiêu chí cần thẩm định"},
		{name: "a comment too long", a: round1(), in: assessment.AppraisalInput{Node: "1.2", Accept: true, Comment: strings.Repeat("x", assessment.MaxNoteLength+1)},
			code: parindex.ECodeInvalid, text: "Ý kiến thẩm định dài hơn"},
		{name: "no round open", a: selfScored("SNV", assessment.StateSubmitted), in: assessment.AppraisalInput{Node: "1.2", Accept: true},
			code: parindex.ECodeConflict, text: "không có vòng thẩm định nào đang mở"},
		{name: "accept a metric leaf", a: round1(), in: assessment.AppraisalInput{Node: "1.3", Accept: true},
			decision: assessment.DecisionAccepted, metrics: map[string]float64{"tasks_done": 9, "tasks_total": 10}, changed: map[string]float64{}},
		{name: "correct a metric", a: round1(), in: assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"tasks_done": 8}, Comment: "Nhiệm vụ 9 chưa xong"},
			decision: assessment.DecisionAdjusted, metrics: map[string]float64{"tasks_done": 8, "tasks_total": 10}, changed: map[string]float64{"tasks_done": 8}},
		{name: "correct a metric to its value", a: round1(), in: assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"tasks_total": 10}},
			decision: assessment.DecisionAccepted, metrics: map[string]float64{"tasks_done": 9, "tasks_total": 10}, changed: map[string]float64{}},
		{name: "a metric the leaf does not read", a: round1(), in: assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"late_apologised": 1}, Comment: "x"},
			code: parindex.ECodeInvalid, text: "Tiêu chí 1.3 không dùng số liệu late_apologised"},
		{name: "a negative metric", a: round1(), in: assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"tasks_done": -1}, Comment: "x"},
			code: parindex.ECodeInvalid, text: "phải là số không âm"},
	} {
		d, err := c.a.Decide(f, c.in)
		if got := parindex.ErrorCode(err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("%s: %q lacks %q", c.name, err, c.text)
			}
			continue
		}
		if d.Round != 1 || d.Node != c.in.Node || d.Decision != c.decision || !d.Value.Equal(c.value) ||
			!reflect.DeepEqual(d.Metrics, c.metrics) || !reflect.DeepEqual(d.Changed, c.changed) || d.Unchanged {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
}

// TestDecideRound2AndRecord: round 2 appraises the round-1 value of the
// explained leaves; a recorded decision is seen by the next one.
func TestDecideRound2AndRecord(t *testing.T) {
	f := mustFramework(t)
	a := selfScored("SNV", assessment.StateAppraisal2)
	decide(a, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo")
	decide(a, "2.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Points: fptr(1.5)}, "")
	explain(a, "1.2", "Đã có báo cáo")
	if _, err := a.Decide(f, assessment.AppraisalInput{Node: "2.1", Accept: true}); parindex.ErrorCode(err) != parindex.ECodeConflict ||
		!strings.Contains(err.Error(), "Vòng 2 chỉ thẩm định các tiêu chí đơn vị đã giải trình") {
		t.Errorf("round 2 on an unexplained leaf: %v", err)
	}
	d, err := a.Decide(f, assessment.AppraisalInput{Node: "1.2", Accept: true})
	if err != nil || d.Round != 2 || d.Decision != assessment.DecisionAccepted || *d.Base.Points != 2 || *d.Value.Points != 2 {
		t.Fatalf("accept round 2: %+v, %v", d, err)
	}
	d, err = a.Decide(f, assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.75)}, Comment: "Chấp nhận một phần"})
	if err != nil || d.Decision != assessment.DecisionAdjusted {
		t.Fatalf("adjust round 2: %+v, %v", d, err)
	}
	at := time.Date(2027, 2, 1, 3, 0, 0, 0, time.UTC)
	a.Record(d, "thamdinh1", at)
	r2 := a.Appraisal("1.2", 2)
	if r2 == nil || r2.Decision != assessment.DecisionAdjusted || *r2.Points != 2.75 || r2.Appraiser != "thamdinh1" || !r2.At.Equal(at) {
		t.Fatalf("recorded %+v", r2)
	}
	if v, ok := a.AppraisedValue("1.2"); !ok || *v.Points != 2.75 {
		t.Errorf("appraised value %v, %v", v, ok)
	}
	again, err := a.Decide(f, assessment.AppraisalInput{Node: "1.2", Value: assessment.LeafValue{Points: fptr(2.75)}, Comment: "Chấp nhận một phần"})
	if err != nil || !again.Unchanged {
		t.Errorf("the same decision again: %+v, %v", again, err)
	}

	b := selfScored("STP", assessment.StateAppraisal1)
	delete(b.Metrics, "tasks_total")
	d, err = b.Decide(f, assessment.AppraisalInput{Node: "1.3", Metrics: map[string]float64{"tasks_total": 12}, Comment: "Theo báo cáo năm"})
	if err != nil {
		t.Fatal(err)
	}
	b.Record(d, "thamdinh1", at)
	if m := b.Metrics["tasks_total"]; m == nil || m.Value != 0 || m.Effective() != 12 {
		t.Errorf("a metric the agency never reported, corrected: %+v", m)
	}
	if m := b.Metrics["tasks_done"]; m.Appraised != nil || m.Effective() != 9 {
		t.Errorf("an untouched metric: %+v", m)
	}
}

func TestFinalValue(t *testing.T) {
	a := newAssessment("SNV", assessment.StateAppraisal2)
	score(a, "1.2", assessment.LeafValue{Points: fptr(2.5)})
	score(a, "2.1", assessment.LeafValue{Points: fptr(1.5)})
	score(a, "T.1", assessment.LeafValue{Points: fptr(1)})
	decide(a, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo")
	decide(a, "2.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Points: fptr(1.5)}, "")
	decide(a, "2.1", 2, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(1)}, "Chưa đủ")
	if _, ok := a.FinalValue("1.2"); ok {
		t.Error("a final value before the assessment is final")
	}
	a.State = assessment.StateFinal
	for node, want := range map[string]*float64{"1.2": fptr(2), "2.1": fptr(1), "T.1": fptr(1), "1.1": nil} {
		v, ok := a.FinalValue(node)
		if !ok || (want == nil) != (v.Points == nil) || (want != nil && *v.Points != *want) {
			t.Errorf("final value of %s = %+v, %v; want %v", node, v, ok, want)
		}
	}
}

func TestValues(t *testing.T) {
	f := mustFramework(t)
	a := selfScored("SNV", assessment.StateExplanation)
	decide(a, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo")
	decide(a, "2.1", 1, assessment.DecisionAdjusted, assessment.LeafValue{NotApplicable: true}, "Không có văn bản")
	corrected := 7.0
	a.Metrics["tasks_done"].Appraised = &corrected
	self := assessment.Inputs{
		Points:  map[string]float64{"1.2": 2.5, "2.1": 1.5},
		Answers: map[string]bool{"1.1": true},
		Metrics: map[string]float64{"tasks_done": 9, "tasks_total": 10},
	}
	if got := a.Values(f, assessment.ViewSelf); !reflect.DeepEqual(got, self) {
		t.Errorf("self view\n got %+v\nwant %+v", got, self)
	}
	appraised := assessment.Inputs{
		Points:        map[string]float64{"1.2": 2},
		Answers:       map[string]bool{"1.1": true},
		NotApplicable: []string{"2.1"},
		Metrics:       map[string]float64{"tasks_done": 7, "tasks_total": 10},
	}
	if got := a.Values(f, assessment.ViewAppraised); !reflect.DeepEqual(got, appraised) {
		t.Errorf("appraised view\n got %+v\nwant %+v", got, appraised)
	}
}
