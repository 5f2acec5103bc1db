package assessment_test

import (
	"reflect"
	"testing"

	"parindex"
	"parindex/assessment"
)

// The province MG (id 1) and its departments SNV (2), STP (3) and SCT (4).
var workTargets = map[string]parindex.Target{
	"SNV": {UnitID: 2, UnitAncestors: []int64{1}},
	"STP": {UnitID: 3, UnitAncestors: []int64{1}},
	"SCT": {UnitID: 4, UnitAncestors: []int64{1}},
}

var (
	clerkSNV  = &parindex.User{Username: "canbo", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitID: 2}}}
	leaderSNV = &parindex.User{Username: "lanhdao", Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyLeader, UnitID: 2}}}
	appraiser = &parindex.User{Username: "thamdinh1", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "model-2026", Area: "1"}}}
	admin     = &parindex.User{Username: "snv.admin", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}}
	// An administrator who is also a clerk of STP: DoHA's counts leave STP out.
	adminOfSTP = &parindex.User{Username: "admin.stp", Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin},
		{Role: parindex.RoleAgencyEditor, UnitID: 3}}}
	// An appraiser of area 1 who works at STP never appraises STP.
	appraiserOfSTP = &parindex.User{Username: "thamdinh.stp", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "1"},
		{Role: parindex.RoleAgencyEditor, UnitID: 3}}}
)

// task is what a test reads of a Task.
type task struct {
	Kind   assessment.TaskKind
	Unit   string
	Count  int
	Round  int
	Stage  string
	Due    string
	Urgent bool
}

func tasksOf(ts []assessment.Task) []task {
	var out []task
	for _, t := range ts {
		w := task{Kind: t.Kind, Count: t.Count, Round: t.Round, Stage: t.Stage, Due: t.Due.String(), Urgent: t.Urgent}
		if t.Assessment != nil {
			w.Unit = t.Assessment.UnitCode
		}
		out = append(out, w)
	}
	return out
}

// round1Cycle: SNV works on its draft (self-assessment deadline 15
// December), STP waits for round 1 (its deadline 30 December) with only
// 1.1 decided; today is 10 December.
func round1Cycle(t *testing.T) assessment.Cycle {
	snv := selfScored("SNV", assessment.StateDraft)
	snv.Deadline = day(t, "2026-12-15")
	stp := selfScored("STP", assessment.StateAppraisal1)
	stp.Deadline = day(t, "2026-12-30")
	decide(stp, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "")
	return assessment.Cycle{Framework: mustFramework(t), Assessments: []*assessment.Assessment{snv, stp}, Targets: workTargets,
		Deadlines: map[string]parindex.Date{assessment.StageSelfAssessment: day(t, "2026-12-15"), assessment.StageAppraisal1: day(t, "2026-12-30")},
		Today:     day(t, "2026-12-10")}
}

func TestWorkPerRole(t *testing.T) {
	c := round1Cycle(t)
	for _, w := range []struct {
		user *parindex.User
		want []task
	}{
		// Complete, but only the leader submits; the clerk is told because the deadline is near.
		{clerkSNV, []task{{Kind: assessment.TaskSelfAssess, Unit: "SNV", Due: "2026-12-15", Urgent: true}}},
		{leaderSNV, []task{{Kind: assessment.TaskSubmit, Unit: "SNV", Due: "2026-12-15", Urgent: true}}},
		// Area 1 of STP: 1.2 and 1.3 wait (1.1 is decided).
		{appraiser, []task{{Kind: assessment.TaskAppraise, Unit: "STP", Count: 2, Round: 1, Due: "2026-12-30"}}},
		{appraiserOfSTP, nil},
		// Nothing to move yet; the self-assessment deadline is within 7 days, round 1's is not.
		{admin, []task{{Kind: assessment.TaskDeadline, Stage: assessment.StageSelfAssessment, Due: "2026-12-15", Urgent: true}}},
	} {
		if got := tasksOf(c.Work(w.user)); !reflect.DeepEqual(got, w.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", w.user.Username, got, w.want)
		}
	}
	for _, ts := range c.Work(admin) {
		if ts.Framework != c.Framework {
			t.Errorf("task %s names framework %v", ts.Kind, ts.Framework)
		}
	}
}

func TestWorkOfTheAgency(t *testing.T) {
	f := mustFramework(t)
	today := day(t, "2026-12-10")
	cycle := func(a *assessment.Assessment) assessment.Cycle {
		return assessment.Cycle{Framework: f, Assessments: []*assessment.Assessment{a}, Targets: workTargets, Today: today}
	}
	// Leaves left, the deadline far: the clerk is told how many.
	left := newAssessment("SNV", assessment.StateDraft)
	score(left, "1.1", assessment.LeafValue{Answer: bptr(true)})
	left.Deadline = day(t, "2027-01-31")
	// Nothing left and the deadline far: nothing to say to the clerk.
	done := selfScored("SNV", assessment.StateDraft)
	done.Deadline = day(t, "2027-01-31")
	// Locked after its deadline.
	locked := selfScored("SNV", assessment.StateDraft)
	locked.Deadline, locked.Locked = day(t, "2026-12-01"), true
	// Explanations: 1.2 adjusted and 1.1 commented on, 1.1 explained; the
	// stage's deadline passed but DoHA reopened the agency until 20 December.
	explaining := selfScored("SNV", assessment.StateExplanation)
	explaining.Deadline, explaining.ReopenedUntil = day(t, "2026-12-05"), day(t, "2026-12-20")
	decide(explaining, "1.2", 1, assessment.DecisionAdjusted, assessment.LeafValue{Points: fptr(2)}, "Thiếu báo cáo")
	decide(explaining, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "Bổ sung kế hoạch")
	decide(explaining, "2.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Points: fptr(1.5)}, "")
	explain(explaining, "1.1", "Đã bổ sung")
	lockedExplaining := selfScored("SNV", assessment.StateExplanation)
	lockedExplaining.Deadline, lockedExplaining.Locked = day(t, "2026-12-05"), true

	for _, w := range []struct {
		name string
		a    *assessment.Assessment
		want []task
	}{
		{"leaves left", left, []task{{Kind: assessment.TaskSelfAssess, Unit: "SNV", Count: 3, Due: "2027-01-31"}}},
		{"complete, deadline far", done, nil},
		{"locked", locked, []task{{Kind: assessment.TaskLocked, Unit: "SNV", Due: "2026-12-01", Urgent: true}}},
		{"explanations, reopened", explaining, []task{{Kind: assessment.TaskExplain, Unit: "SNV", Count: 1, Due: "2026-12-20"}}},
		{"explanations, locked", lockedExplaining, nil},
		{"submitted", selfScored("SNV", assessment.StateSubmitted), nil},
	} {
		if got := tasksOf(cycle(w.a).Work(clerkSNV)); !reflect.DeepEqual(got, w.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", w.name, got, w.want)
		}
	}
	// The one-stop-shop system's figures count as given.
	noMetrics := selfScored("SNV", assessment.StateDraft)
	noMetrics.Deadline = day(t, "2027-01-31")
	delete(noMetrics.Metrics, "tasks_total")
	c := cycle(noMetrics)
	if got := tasksOf(c.Work(clerkSNV)); len(got) != 1 || got[0].Count != 1 {
		t.Errorf("tasks_total missing: %+v, want one leaf left", got)
	}
	c.System = map[string]map[string]float64{"SNV": {"tasks_total": 10}}
	if got := tasksOf(c.Work(clerkSNV)); got != nil {
		t.Errorf("tasks_total reported by the system: %+v, want nothing", got)
	}
}

func TestWorkOfDoHA(t *testing.T) {
	f := mustFramework(t)
	snv := selfScored("SNV", assessment.StateSubmitted)
	// STP: round 1 complete, ready to send.
	stp := selfScored("STP", assessment.StateAppraisal1)
	for _, n := range f.Leaves() {
		if assessment.Appraisable(n) {
			decide(stp, n.Code, 1, assessment.DecisionAccepted, stp.SelfValue(n.Code), "")
		}
	}
	// SCT: round 2 with nothing explained, ready to finalise.
	sct := selfScored("SCT", assessment.StateAppraisal2)
	c := assessment.Cycle{Framework: f, Assessments: []*assessment.Assessment{snv, stp, sct}, Targets: workTargets, Today: day(t, "2026-12-10")}
	want := []task{{Kind: assessment.TaskStartAppraisal, Count: 1}, {Kind: assessment.TaskSendResults, Count: 1}, {Kind: assessment.TaskFinalise, Count: 1}}
	for i := range want {
		want[i].Due = "" // framework-wide tasks have no due day
	}
	if got := tasksOf(c.Work(admin)); !reflect.DeepEqual(got, want) {
		t.Errorf("admin:\n got %+v\nwant %+v", got, want)
	}
	// STP is left to another administrator.
	want = []task{{Kind: assessment.TaskStartAppraisal, Count: 1}, {Kind: assessment.TaskFinalise, Count: 1}}
	if got := tasksOf(c.Work(adminOfSTP)); !reflect.DeepEqual(got, want) {
		t.Errorf("admin of STP:\n got %+v\nwant %+v", got, want)
	}
	// A deadline already passed is not announced.
	c.Deadlines = map[string]parindex.Date{assessment.StageAppraisal1: day(t, "2026-12-09"), assessment.StageAppraisal2: day(t, "2026-12-17")}
	got := tasksOf(c.Work(admin))
	if last := got[len(got)-1]; len(got) != 4 || last.Kind != assessment.TaskDeadline || last.Stage != assessment.StageAppraisal2 || !last.Urgent {
		t.Errorf("deadlines: %+v", got)
	}
}

func TestDueSoonAndUrgentFirst(t *testing.T) {
	today := day(t, "2026-12-10")
	for due, want := range map[string]bool{"2026-12-17": true, "2026-12-18": false, "2026-12-10": true, "2026-11-30": true} {
		if got := assessment.DueSoon(day(t, due), today); got != want {
			t.Errorf("DueSoon(%s) = %v", due, got)
		}
	}
	if assessment.DueSoon(parindex.Date{}, today) {
		t.Error("no due day is soon")
	}
	tasks := []assessment.Task{{Count: 1}, {Count: 2, Urgent: true}, {Count: 3}, {Count: 4, Urgent: true}}
	assessment.UrgentFirst(tasks)
	var order []int
	for _, ts := range tasks {
		order = append(order, ts.Count)
	}
	if !reflect.DeepEqual(order, []int{2, 4, 1, 3}) {
		t.Errorf("order %v", order)
	}
}

func TestQueue(t *testing.T) {
	c := round1Cycle(t)
	var got []string
	for _, q := range c.Queue(appraiser) {
		got = append(got, q.Assessment.UnitCode+"/"+q.Leaf.Code)
		if q.Round != 1 {
			t.Errorf("%s/%s in round %d", q.Assessment.UnitCode, q.Leaf.Code, q.Round)
		}
	}
	if want := []string{"STP/1.2", "STP/1.3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("queue %v, want %v", got, want)
	}
	if q := c.Queue(appraiserOfSTP); q != nil {
		t.Errorf("an appraiser from STP is offered %+v", q)
	}
	if q := c.Queue(admin); q != nil {
		t.Errorf("an administrator is offered %+v", q)
	}
}

func TestProgress(t *testing.T) {
	f := mustFramework(t)
	snv := selfScored("SNV", assessment.StateDraft)
	// STP: round 1's deadline passed with 1.1 and T.1 decided only.
	stp := selfScored("STP", assessment.StateAppraisal1)
	stp.Deadline = day(t, "2026-12-05")
	decide(stp, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "")
	decide(stp, "T.1", 1, assessment.DecisionAccepted, assessment.LeafValue{}, "")
	sct := selfScored("SCT", assessment.StateFinal)
	c := assessment.Cycle{Framework: f, Assessments: []*assessment.Assessment{snv, stp, sct}, Today: day(t, "2026-12-10")}
	want := assessment.Progress{
		States:        map[assessment.State]int{assessment.StateDraft: 1, assessment.StateAppraisal1: 1, assessment.StateFinal: 1},
		Submitted:     2,
		Late:          1,
		PendingByArea: map[string]int{"1": 2, "2": 2, "T": 1},
	}
	got := c.Progress()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress\n got %+v\nwant %+v", got, want)
	}
	if areas := stp.DecidedAreas(f); !reflect.DeepEqual(areas, []string{"1", "T"}) {
		t.Errorf("decided areas %v", areas)
	}
	if areas := snv.DecidedAreas(f); areas != nil {
		t.Errorf("decided areas of a draft %v", areas)
	}

	users := []*parindex.User{
		{Username: "a1", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "model-2026", Area: "1"},
			{Role: parindex.RoleAppraiser, Area: "1"}}},
		{Username: "a2", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "other-2026", Area: "2"},
			{Role: parindex.RoleAppraiser, Area: "T"}}},
		{Username: "a3", Disabled: true, Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "2"}}},
		admin,
	}
	loads := assessment.AppraiserLoads(f, users, got.PendingByArea)
	var summary []string
	for _, l := range loads {
		summary = append(summary, l.User.Username)
		if l.User.Username == "a1" && (!reflect.DeepEqual(l.Areas, []string{"1"}) || l.Remaining != 2) {
			t.Errorf("a1: %+v", l)
		}
		if l.User.Username == "a2" && (!reflect.DeepEqual(l.Areas, []string{"T"}) || l.Remaining != 1) {
			t.Errorf("a2: %+v", l)
		}
	}
	if !reflect.DeepEqual(summary, []string{"a1", "a2"}) {
		t.Errorf("appraisers %v", summary)
	}
	// Area 8 holds only the survey's leaf: no one needs to appraise it.
	if got := assessment.UnassignedAreas(f, loads); !reflect.DeepEqual(got, []string{"2"}) {
		t.Errorf("unassigned %v", got)
	}
}

func TestLate(t *testing.T) {
	f := mustFramework(t)
	today := day(t, "2026-12-10")
	waiting := selfScored("STP", assessment.StateAppraisal1)
	waiting.Deadline = day(t, "2026-12-09")
	decidedAll := selfScored("STP", assessment.StateAppraisal1)
	decidedAll.Deadline = day(t, "2026-12-09")
	for _, n := range f.Leaves() {
		if assessment.Appraisable(n) {
			decide(decidedAll, n.Code, 1, assessment.DecisionAccepted, assessment.LeafValue{}, "")
		}
	}
	dueToday := selfScored("STP", assessment.StateAppraisal1)
	dueToday.Deadline = today
	noDeadline := selfScored("STP", assessment.StateAppraisal1)
	locked := selfScored("SNV", assessment.StateDraft)
	locked.Deadline, locked.Locked = day(t, "2026-12-01"), true
	submitted := selfScored("SNV", assessment.StateSubmitted)
	submitted.Deadline = day(t, "2026-12-01")
	for name, c := range map[string]struct {
		a    *assessment.Assessment
		want bool
	}{
		"leaves waiting after the deadline": {waiting, true},
		"every leaf decided":                {decidedAll, false},
		"the deadline is today":             {dueToday, false},
		"no deadline":                       {noDeadline, false},
		"locked":                            {locked, true},
		"submitted":                         {submitted, false},
	} {
		if got := c.a.Late(f, today); got != c.want {
			t.Errorf("%s: late %v", name, got)
		}
	}
}

func TestMayAppraise(t *testing.T) {
	f := mustFramework(t)
	stp := selfScored("STP", assessment.StateAppraisal1)
	decide(stp, "1.1", 1, assessment.DecisionAccepted, assessment.LeafValue{Answer: bptr(true)}, "")
	target := workTargets["STP"]
	for _, c := range []struct {
		user *parindex.User
		node string
		want bool
	}{
		{appraiser, "1.2", true},
		{appraiser, "1.1", true}, // decided, and may be changed until the round closes
		{appraiser, "2.1", false},
		{appraiser, "9.9", false},
		{appraiserOfSTP, "1.2", false},
		{admin, "1.2", false},
	} {
		if got := stp.MayAppraise(c.user, target, f, c.node); got != c.want {
			t.Errorf("round 1, %s on %s: %v", c.user.Username, c.node, got)
		}
	}
	stp.State = assessment.StateAppraisal2
	explain(stp, "1.3", "Đã hoàn thành")
	if !stp.MayAppraise(appraiser, target, f, "1.3") || stp.MayAppraise(appraiser, target, f, "1.2") {
		t.Error("round 2 decides the explained leaves only")
	}
	stp.State = assessment.StateExplanation
	if stp.MayAppraise(appraiser, target, f, "1.3") {
		t.Error("no round is open in the explanation stage")
	}
	stp.State = assessment.StateAppraisal1
	surveyAppraiser := &parindex.User{Username: "ks", Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "8"}}}
	if stp.MayAppraise(surveyAppraiser, target, f, "8.1") {
		t.Error("the survey's leaf is appraised")
	}
}
