package assessment

import (
	"fmt"
	"slices"
	"strings"

	"parindex"
	"parindex/criteria"
)

// State is where one agency's self-assessment against one
// published framework stands in the yearly cycle (docs/assessment.md).
type State string

// The states, in the order of the cycle.
const (
	// StateDraft: the agency enters self-scores, evidence and notes.
	StateDraft State = "draft"
	// StateSubmitted: the agency's leader approved and submitted; the
	// sheet is closed to the agency and waits for appraisal to start.
	StateSubmitted State = "submitted"
	// StateAppraisal1: appraisers accept or adjust every leaf of
	// their areas (round 1).
	StateAppraisal1 State = "appraisal_1"
	// StateExplanation: the agency reads the round-1 comments and
	// explains (giải trình) the leaves it disagrees with.
	StateExplanation State = "explanation"
	// StateAppraisal2: appraisers decide the explained leaves again
	// (round 2).
	StateAppraisal2 State = "appraisal_2"
	// StateFinal: the appraised points are final and feed scoring.
	StateFinal State = "final"
)

// States lists every state in the order of the cycle.
var States = []State{StateDraft, StateSubmitted, StateAppraisal1,
	StateExplanation, StateAppraisal2, StateFinal}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, x := range States {
		if s == x {
			return true
		}
	}
	return false
}

// AgencyStage reports whether the agency works in this state (draft:
// self-scores; explanation: explanations), which is when a deadline locks
// its sheet.
func (s State) AgencyStage() bool {
	return s == StateDraft || s == StateExplanation
}

// AppraisalRound is the appraisal round open in this state: 1, 2, or 0
// when appraisers have nothing to decide.
func (s State) AppraisalRound() int {
	switch s {
	case StateAppraisal1:
		return 1
	case StateAppraisal2:
		return 2
	}
	return 0
}

// Deadline stages: DoHA sets one date per stage and framework. The agency's
// sheet locks after the end of the day of its stage's deadline.
const (
	StageSelfAssessment = "self_assessment" // draft: self-scores and submission
	StageAppraisal1     = "appraisal_1"     // round 1 of appraisal
	StageExplanation    = "explanation"     // the agency's explanations
	StageAppraisal2     = "appraisal_2"     // round 2 of appraisal
)

// DeadlineStages lists the stages in the order of the cycle.
var DeadlineStages = []string{StageSelfAssessment, StageAppraisal1, StageExplanation, StageAppraisal2}

// DeadlineStage is the stage whose deadline applies in state s, or "" when
// none does (submitted, final).
func (s State) DeadlineStage() string {
	switch s {
	case StateDraft:
		return StageSelfAssessment
	case StateAppraisal1:
		return StageAppraisal1
	case StateExplanation:
		return StageExplanation
	case StateAppraisal2:
		return StageAppraisal2
	}
	return ""
}

// Locked reports whether the agency's sheet is locked on day
// today: only in an agency stage, once the stage's deadline has passed,
// unless DoHA reopened the agency until a day not yet passed. A zero
// deadline never locks.
func Locked(s State, deadline, reopenedUntil, today parindex.Date) bool {
	if !s.AgencyStage() || deadline.IsZero() || !deadline.Before(today) {
		return false
	}
	return reopenedUntil.IsZero() || reopenedUntil.Before(today)
}

// Transition is a move from one state to the next.
type Transition string

// The transitions. Each has one rule in transitionRules.
const (
	TransitionSubmit            Transition = "submit"             // draft → submitted, by the agency's leader
	TransitionReturn            Transition = "return"             // submitted → draft, by DoHA, with a reason
	TransitionStartAppraisal    Transition = "start_appraisal"    // submitted → appraisal_1, by DoHA
	TransitionSendResults       Transition = "send_results"       // appraisal_1 → explanation, by DoHA, every leaf decided
	TransitionSubmitExplanation Transition = "submit_explanation" // explanation → appraisal_2, by the agency's leader
	TransitionCloseExplanation  Transition = "close_explanation"  // explanation → appraisal_2, by DoHA (e.g. after the deadline)
	TransitionFinalise          Transition = "finalise"           // appraisal_2 → final, by DoHA, every explained leaf decided
)

// Transitions lists every transition in the order of the cycle.
var Transitions = []Transition{TransitionSubmit, TransitionReturn, TransitionStartAppraisal, TransitionSendResults,
	TransitionSubmitExplanation, TransitionCloseExplanation, TransitionFinalise}

// transitionRule says where a transition leads, from where, and what it
// needs: the action the user must be allowed (asked of Can by the caller),
// whether the agency's lock applies, a reason, and no undecided leaves.
type transitionRule struct {
	from, to       State
	action         parindex.Action
	agency         bool // the agency acts: refused while its sheet is locked
	needsReason    bool
	pendingRound   int // 1 or 2: refused while leaves wait for that round
	needsAllScored bool
}

var transitionRules = map[Transition]transitionRule{
	TransitionSubmit:            {from: StateDraft, to: StateSubmitted, action: parindex.ActionSubmitAssessment, agency: true, needsAllScored: true},
	TransitionReturn:            {from: StateSubmitted, to: StateDraft, action: parindex.ActionManageAssessments, needsReason: true},
	TransitionStartAppraisal:    {from: StateSubmitted, to: StateAppraisal1, action: parindex.ActionManageAssessments},
	TransitionSendResults:       {from: StateAppraisal1, to: StateExplanation, action: parindex.ActionManageAssessments, pendingRound: 1},
	TransitionSubmitExplanation: {from: StateExplanation, to: StateAppraisal2, action: parindex.ActionSubmitAssessment, agency: true},
	TransitionCloseExplanation:  {from: StateExplanation, to: StateAppraisal2, action: parindex.ActionManageAssessments},
	TransitionFinalise:          {from: StateAppraisal2, to: StateFinal, action: parindex.ActionManageAssessments, pendingRound: 2},
}

// Action is what the user must be allowed (parindex.Can on the agency's
// unit for agency actions) to make the transition; "" for an unknown one.
func (t Transition) Action() parindex.Action { return transitionRules[t].action }

// From is the state the transition leaves.
func (t Transition) From() State { return transitionRules[t].from }

// To is the state the transition leads to.
func (t Transition) To() State { return transitionRules[t].to }

// TransitionFacts are what the rules need to know about the assessment
// besides its state; the store gathers them in the transaction.
type TransitionFacts struct {
	Locked        bool     // the agency's sheet is locked (the function Locked)
	Reason        string   // the reason given with the transition
	Unscored      []string // leaves with no self-score that count 0 when missing (submit)
	PendingRound1 []string // leaves waiting for a round-1 decision
	PendingRound2 []string // explained leaves waiting for a round-2 decision
}

// listCodes shows at most ten codes, then how many more.
func listCodes(codes []string) string {
	if len(codes) <= 10 {
		return strings.Join(codes, ", ")
	}
	return strings.Join(codes[:10], ", ") + fmt.Sprintf(" … (+%d)", len(codes)-10)
}

// NextState checks a transition from state s against the rules and returns
// the state it leads to, or an *Error saying why it is refused. It does
// not decide who may make it: ask Can with t.Action().
func NextState(s State, t Transition, f TransitionFacts) (State, error) {
	r, ok := transitionRules[t]
	if !ok {
		return s, parindex.Errorf(parindex.ECodeInvalid, "Không có thao tác %q (unknown transition %q)", t, t)
	}
	if s != r.from {
		return s, parindex.Errorf(parindex.ECodeConflict,
			"Không thể thực hiện %q khi hồ sơ đang ở trạng thái %q; thao tác này chỉ dùng ở trạng thái %q (transition %s needs state %s, the assessment is %s)",
			t, s, r.from, t, r.from, s)
	}
	if r.agency && f.Locked {
		return s, parindex.Errorf(parindex.ECodeConflict,
			"Đã quá hạn, hồ sơ đã khóa; đề nghị Sở Nội vụ mở lại nếu cần (the deadline has passed and the sheet is locked; DoHA may reopen it)")
	}
	if r.needsReason && strings.TrimSpace(f.Reason) == "" {
		return s, parindex.Errorf(parindex.ECodeInvalid, "Cần ghi lý do (a reason is required)")
	}
	if r.needsAllScored && len(f.Unscored) > 0 {
		return s, parindex.Errorf(parindex.ECodeInvalid,
			"Còn %d tiêu chí chưa tự chấm điểm (hoặc đánh dấu không áp dụng): %s (%d criteria have no self-score)",
			len(f.Unscored), listCodes(f.Unscored), len(f.Unscored))
	}
	switch {
	case r.pendingRound == 1 && len(f.PendingRound1) > 0:
		return s, parindex.Errorf(parindex.ECodeConflict, "Còn %d tiêu chí chưa thẩm định vòng 1: %s (%d criteria wait for round 1)",
			len(f.PendingRound1), listCodes(f.PendingRound1), len(f.PendingRound1))
	case r.pendingRound == 2 && len(f.PendingRound2) > 0:
		return s, parindex.Errorf(parindex.ECodeConflict, "Còn %d tiêu chí đã giải trình chưa thẩm định vòng 2: %s (%d explained criteria wait for round 2)",
			len(f.PendingRound2), listCodes(f.PendingRound2), len(f.PendingRound2))
	}
	return r.to, nil
}

// AgencyMayEdit says whether the agency may change self-scores, notes and
// evidence: in draft, while the sheet is not locked.
func AgencyMayEdit(s State, locked bool) bool { return s == StateDraft && !locked }

// AgencyMayExplain says whether the agency may write explanations: in the
// explanation stage, while the sheet is not locked.
func AgencyMayExplain(s State, locked bool) bool {
	return s == StateExplanation && !locked
}

// Appraisal decisions on one leaf in one round.
const (
	DecisionAccepted = "accepted" // the score stands as it was
	DecisionAdjusted = "adjusted" // the appraiser set another value, with a comment
)

// CheckStage refuses a deadline stage that is not one of DeadlineStages.
func CheckStage(stage string) error {
	if !slices.Contains(DeadlineStages, stage) {
		return parindex.Errorf(parindex.ECodeInvalid, "Không có giai đoạn %q; các giai đoạn: %s (unknown stage)", stage, strings.Join(DeadlineStages, ", "))
	}
	return nil
}

// Next checks transition t of the assessment against the rules of
// NextState, with the facts taken from the assessment and framework f,
// and returns the state it leads to. System holds the metrics the
// one-stop-shop system reports for the unit and the year, which count as
// given on submission (Unscored); only TransitionSubmit reads it.
func (a *Assessment) Next(f *criteria.Framework, t Transition, reason string, system map[string]float64) (State, error) {
	facts := TransitionFacts{Locked: a.Locked, Reason: reason}
	switch t {
	case TransitionSubmit:
		facts.Unscored = a.Unscored(f, system)
	case TransitionSendResults:
		facts.PendingRound1 = a.pendingRound(f, 1)
	case TransitionFinalise:
		facts.PendingRound2 = a.pendingRound(f, 2)
	}
	return NextState(a.State, t, facts)
}
