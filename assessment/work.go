package assessment

import (
	"slices"

	"parindex"
	"parindex/criteria"
)

// Cycle is one published framework's assessments as they stand on day
// Today, with what the rules about pending work need to know besides them.
// The caller loads it; every function on it is a pure function of it.
type Cycle struct {
	Framework   *criteria.Framework
	Assessments []*Assessment
	// Targets is the authorisation target of every unit, by unit code.
	Targets map[string]parindex.Target
	// System holds the metrics the one-stop-shop system reports for the
	// framework's year, by unit code then metric (they count as given).
	System map[string]map[string]float64
	// Deadlines holds DoHA's deadline of each stage that has one.
	Deadlines map[string]parindex.Date
	Today     parindex.Date
}

// TaskKind says what a user has to do next.
type TaskKind string

// The kinds of pending work, by who does it.
const (
	// The agency (who may edit the agency's assessment).
	TaskLocked     TaskKind = "locked"  // the draft locked after its deadline: ask DoHA to reopen it
	TaskSubmit     TaskKind = "submit"  // the draft is complete: the leader submits it
	TaskSelfAssess TaskKind = "self"    // Count leaves still to self-score
	TaskExplain    TaskKind = "explain" // round-1 comments to answer, Count not explained yet
	// Appraisers: Count leaves of their areas wait for round Round.
	TaskAppraise TaskKind = "appraise"
	// DoHA, across the framework (Assessment is nil).
	TaskStartAppraisal TaskKind = "start"    // Count agencies submitted
	TaskSendResults    TaskKind = "send"     // Count agencies whose round 1 is complete
	TaskFinalise       TaskKind = "finalise" // Count agencies whose round 2 is complete
	TaskDeadline       TaskKind = "deadline" // Stage's deadline falls within the warning window
)

// Task is one piece of work waiting for a user.
type Task struct {
	Kind       TaskKind
	Framework  *criteria.Framework
	Assessment *Assessment // the agency's assessment; nil for DoHA's framework-wide tasks
	Count      int
	Round      int    // TaskAppraise
	Stage      string // TaskDeadline
	Due        parindex.Date
	// Urgent: the due day falls within the warning window (DueSoon).
	Urgent bool
}

// warningDays is how many days ahead a deadline is announced.
const warningDays = 7

// DueSoon reports whether a due day falls within the next seven days of
// today, or has passed: the window in which the inbox warns.
func DueSoon(due, today parindex.Date) bool {
	return !due.IsZero() && due.Before(today.AddDays(warningDays+1))
}

// AgencyDue is the day that counts for the agency: its stage's deadline,
// or the later day DoHA reopened it until.
func (a *Assessment) AgencyDue() parindex.Date {
	if a.Deadline.Before(a.ReopenedUntil) {
		return a.ReopenedUntil
	}
	return a.Deadline
}

// OpenExplanations counts the leaves round 1 adjusted or commented on
// that the agency has not explained yet.
func (a *Assessment) OpenExplanations(f *criteria.Framework) int {
	open := 0
	for _, n := range f.Leaves() {
		if a.Explainable(n.Code) && !a.Explained(n.Code) {
			open++
		}
	}
	return open
}

// Late reports whether the agency is behind on day today: its sheet
// locked (and not reopened), or an appraisal round whose deadline has
// passed with leaves still waiting.
func (a *Assessment) Late(f *criteria.Framework, today parindex.Date) bool {
	if a.Locked {
		return true
	}
	return a.State.AppraisalRound() > 0 && !a.Deadline.IsZero() && a.Deadline.Before(today) && len(a.PendingLeaves(f)) > 0
}

// Work lists what waits for user u in the cycle, in the order of the
// assessments, DoHA's framework-wide tasks last: for the agency, sheets
// locked, to submit, to finish (when leaves are left or the deadline is
// near) and comments to answer; for appraisers, the leaves of their areas
// waiting for the open round; for DoHA, agencies to start, results to
// send, assessments to finalise (leaving out the units the policy keeps
// from u: another administrator moves them) and deadlines within the
// warning window.
func (c Cycle) Work(u *parindex.User) []Task {
	f := c.Framework
	var out []Task
	add := func(t Task) {
		t.Framework = f
		t.Urgent = DueSoon(t.Due, c.Today)
		out = append(out, t)
	}
	var submitted, toSend, toFinalise int
	for _, a := range c.Assessments {
		t := c.Targets[a.UnitCode]
		if parindex.Can(u, parindex.ActionEditAssessment, t) {
			switch {
			case a.State == StateDraft && a.Locked:
				add(Task{Kind: TaskLocked, Assessment: a, Due: a.Deadline})
			case a.State == StateDraft:
				left := len(a.Unscored(f, c.System[a.UnitCode]))
				if parindex.Can(u, parindex.ActionSubmitAssessment, t) && left == 0 {
					add(Task{Kind: TaskSubmit, Assessment: a, Due: a.AgencyDue()})
				} else if DueSoon(a.AgencyDue(), c.Today) || left > 0 {
					add(Task{Kind: TaskSelfAssess, Assessment: a, Count: left, Due: a.AgencyDue()})
				}
			case a.State == StateExplanation && !a.Locked:
				add(Task{Kind: TaskExplain, Assessment: a, Count: a.OpenExplanations(f), Due: a.AgencyDue()})
			}
		}
		if round := a.State.AppraisalRound(); round > 0 {
			if mine := len(c.appraisable(u, a)); mine > 0 {
				add(Task{Kind: TaskAppraise, Assessment: a, Count: mine, Round: round, Due: a.Deadline})
			}
		}
		if !parindex.Can(u, parindex.ActionManageAssessments, t) {
			continue
		}
		switch a.State {
		case StateSubmitted:
			submitted++
		case StateAppraisal1:
			if len(a.PendingLeaves(f)) == 0 {
				toSend++
			}
		case StateAppraisal2:
			if len(a.PendingLeaves(f)) == 0 {
				toFinalise++
			}
		}
	}
	if !parindex.Can(u, parindex.ActionManageAssessments, parindex.Target{}) {
		return out
	}
	for _, t := range []Task{{Kind: TaskStartAppraisal, Count: submitted}, {Kind: TaskSendResults, Count: toSend},
		{Kind: TaskFinalise, Count: toFinalise}} {
		if t.Count > 0 {
			add(t)
		}
	}
	for _, stage := range DeadlineStages {
		if d := c.Deadlines[stage]; !d.IsZero() && !d.Before(c.Today) && DueSoon(d, c.Today) {
			add(Task{Kind: TaskDeadline, Stage: stage, Due: d})
		}
	}
	return out
}

// UrgentFirst orders tasks urgent first, each group in the order found.
func UrgentFirst(tasks []Task) {
	slices.SortStableFunc(tasks, func(a, b Task) int {
		switch {
		case a.Urgent && !b.Urgent:
			return -1
		case b.Urgent && !a.Urgent:
			return 1
		}
		return 0
	})
}

// MayAppraise reports whether user u decides leaf node of framework f in
// the round open now: an appraisable leaf (in round 2, one the agency
// explained) of an area u appraises, in the assessment of a unit u is no
// member of. unit is the unit's authorisation target.
func (a *Assessment) MayAppraise(u *parindex.User, unit parindex.Target, f *criteria.Framework, node string) bool {
	round := a.State.AppraisalRound()
	if round == 0 {
		return false
	}
	n := f.Find(node)
	if n == nil || !Appraisable(n) || (round == 2 && !a.Explained(node)) {
		return false
	}
	return parindex.Can(u, parindex.ActionAppraise, parindex.AppraisalTarget(unit, f.Code, AreaOf(f, node)))
}

// appraisable lists the leaves of a waiting for the open round that u may
// decide.
func (c Cycle) appraisable(u *parindex.User, a *Assessment) []*criteria.Node {
	var out []*criteria.Node
	for _, node := range a.PendingLeaves(c.Framework) {
		if a.MayAppraise(u, c.Targets[a.UnitCode], c.Framework, node) {
			out = append(out, c.Framework.Find(node))
		}
	}
	return out
}

// QueueItem is one leaf waiting for u's decision in the open round.
type QueueItem struct {
	Assessment *Assessment
	Leaf       *criteria.Node
	Round      int
}

// Queue lists, agency by agency in framework order, the leaves of u's
// areas that wait for the open round.
func (c Cycle) Queue(u *parindex.User) []QueueItem {
	var out []QueueItem
	for _, a := range c.Assessments {
		for _, n := range c.appraisable(u, a) {
			out = append(out, QueueItem{Assessment: a, Leaf: n, Round: a.State.AppraisalRound()})
		}
	}
	return out
}

// Progress counts where the cycle stands, for DoHA.
type Progress struct {
	States    map[State]int // assessments by state
	Submitted int           // assessments past draft
	Late      int           // agencies behind (Assessment.Late)
	// PendingByArea counts the leaves waiting for the open round, by area.
	PendingByArea map[string]int
}

// Progress counts the cycle's assessments by state, those submitted, those
// late, and the leaves waiting for appraisal by area.
func (c Cycle) Progress() Progress {
	p := Progress{States: map[State]int{}, PendingByArea: map[string]int{}}
	for _, a := range c.Assessments {
		p.States[a.State]++
		if a.State != StateDraft {
			p.Submitted++
		}
		if a.Late(c.Framework, c.Today) {
			p.Late++
		}
		for _, node := range a.PendingLeaves(c.Framework) {
			p.PendingByArea[AreaOf(c.Framework, node)]++
		}
	}
	return p
}

// AppraiserLoad is one appraiser's areas in a framework and how many
// leaves wait in them.
type AppraiserLoad struct {
	User      *parindex.User
	Areas     []string // in the order of the grants, each once
	Remaining int
}

// AppraiserLoads lists, in the order of users, every enabled user with an
// appraiser grant on framework f (or on every framework), with the leaves
// waiting in the grant's areas (pendingByArea, from Progress).
func AppraiserLoads(f *criteria.Framework, users []*parindex.User, pendingByArea map[string]int) []AppraiserLoad {
	var out []AppraiserLoad
	for _, u := range users {
		if u.Disabled {
			continue
		}
		l := AppraiserLoad{User: u}
		for _, g := range u.Grants {
			if g.Role != parindex.RoleAppraiser || (g.Framework != "" && g.Framework != f.Code) || slices.Contains(l.Areas, g.Area) {
				continue
			}
			l.Areas = append(l.Areas, g.Area)
			l.Remaining += pendingByArea[g.Area]
		}
		if len(l.Areas) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// UnassignedAreas lists, in framework order, the areas with a leaf to
// appraise that no appraiser of loads covers: no one can decide them.
func UnassignedAreas(f *criteria.Framework, loads []AppraiserLoad) []string {
	var out []string
	for _, area := range f.Nodes {
		covered := false
		for _, l := range loads {
			covered = covered || slices.Contains(l.Areas, area.Code)
		}
		if !covered && slices.ContainsFunc(areaLeaves(area), Appraisable) {
			out = append(out, area.Code)
		}
	}
	return out
}

// DecidedAreas lists, in framework order, the areas where round 1 has
// decided at least one leaf of a: where self-scores and appraised scores
// can be compared.
func (a *Assessment) DecidedAreas(f *criteria.Framework) []string {
	var out []string
	for _, area := range f.Nodes {
		if slices.ContainsFunc(areaLeaves(area), func(n *criteria.Node) bool { return a.Appraisal(n.Code, 1) != nil }) {
			out = append(out, area.Code)
		}
	}
	return out
}

// areaLeaves lists the leaves under a top-level node.
func areaLeaves(area *criteria.Node) []*criteria.Node {
	return (&criteria.Framework{Nodes: []*criteria.Node{area}}).Leaves()
}
