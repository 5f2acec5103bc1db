package parindex

import (
	"fmt"
	"strings"
)

// AssessmentState is where one agency's self-assessment against one
// published framework stands in the yearly cycle (docs/assessment.md).
type AssessmentState string

// The states, in the order of the cycle.
const (
	// AssessmentDraft: the agency enters self-scores, evidence and notes.
	AssessmentDraft AssessmentState = "draft"
	// AssessmentSubmitted: the agency's leader approved and submitted; the
	// sheet is closed to the agency and waits for appraisal to start.
	AssessmentSubmitted AssessmentState = "submitted"
	// AssessmentAppraisal1: appraisers accept or adjust every leaf of
	// their areas (round 1).
	AssessmentAppraisal1 AssessmentState = "appraisal_1"
	// AssessmentExplanation: the agency reads the round-1 comments and
	// explains (giải trình) the leaves it disagrees with.
	AssessmentExplanation AssessmentState = "explanation"
	// AssessmentAppraisal2: appraisers decide the explained leaves again
	// (round 2).
	AssessmentAppraisal2 AssessmentState = "appraisal_2"
	// AssessmentFinal: the appraised points are final and feed scoring.
	AssessmentFinal AssessmentState = "final"
)

// AssessmentStates lists every state in the order of the cycle.
var AssessmentStates = []AssessmentState{AssessmentDraft, AssessmentSubmitted, AssessmentAppraisal1,
	AssessmentExplanation, AssessmentAppraisal2, AssessmentFinal}

// Valid reports whether s is one of AssessmentStates.
func (s AssessmentState) Valid() bool {
	for _, x := range AssessmentStates {
		if s == x {
			return true
		}
	}
	return false
}

// AgencyStage reports whether the agency works in this state (draft:
// self-scores; explanation: explanations), which is when a deadline locks
// its sheet.
func (s AssessmentState) AgencyStage() bool {
	return s == AssessmentDraft || s == AssessmentExplanation
}

// AppraisalRound is the appraisal round open in this state: 1, 2, or 0
// when appraisers have nothing to decide.
func (s AssessmentState) AppraisalRound() int {
	switch s {
	case AssessmentAppraisal1:
		return 1
	case AssessmentAppraisal2:
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
func (s AssessmentState) DeadlineStage() string {
	switch s {
	case AssessmentDraft:
		return StageSelfAssessment
	case AssessmentAppraisal1:
		return StageAppraisal1
	case AssessmentExplanation:
		return StageExplanation
	case AssessmentAppraisal2:
		return StageAppraisal2
	}
	return ""
}

// AssessmentLocked reports whether the agency's sheet is locked on day
// today: only in an agency stage, once the stage's deadline has passed,
// unless DoHA reopened the agency until a day not yet passed. A zero
// deadline never locks.
func AssessmentLocked(s AssessmentState, deadline, reopenedUntil, today Date) bool {
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
	from, to       AssessmentState
	action         Action
	agency         bool // the agency acts: refused while its sheet is locked
	needsReason    bool
	pendingRound   int // 1 or 2: refused while leaves wait for that round
	needsAllScored bool
}

var transitionRules = map[Transition]transitionRule{
	TransitionSubmit:            {from: AssessmentDraft, to: AssessmentSubmitted, action: ActionSubmitAssessment, agency: true, needsAllScored: true},
	TransitionReturn:            {from: AssessmentSubmitted, to: AssessmentDraft, action: ActionManageAssessments, needsReason: true},
	TransitionStartAppraisal:    {from: AssessmentSubmitted, to: AssessmentAppraisal1, action: ActionManageAssessments},
	TransitionSendResults:       {from: AssessmentAppraisal1, to: AssessmentExplanation, action: ActionManageAssessments, pendingRound: 1},
	TransitionSubmitExplanation: {from: AssessmentExplanation, to: AssessmentAppraisal2, action: ActionSubmitAssessment, agency: true},
	TransitionCloseExplanation:  {from: AssessmentExplanation, to: AssessmentAppraisal2, action: ActionManageAssessments},
	TransitionFinalise:          {from: AssessmentAppraisal2, to: AssessmentFinal, action: ActionManageAssessments, pendingRound: 2},
}

// Action is what the user must be allowed (parindex.Can on the agency's
// unit for agency actions) to make the transition; "" for an unknown one.
func (t Transition) Action() Action { return transitionRules[t].action }

// From is the state the transition leaves.
func (t Transition) From() AssessmentState { return transitionRules[t].from }

// To is the state the transition leads to.
func (t Transition) To() AssessmentState { return transitionRules[t].to }

// TransitionFacts are what the rules need to know about the assessment
// besides its state; the store gathers them in the transaction.
type TransitionFacts struct {
	Locked        bool     // the agency's sheet is locked (AssessmentLocked)
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
func NextState(s AssessmentState, t Transition, f TransitionFacts) (AssessmentState, error) {
	r, ok := transitionRules[t]
	if !ok {
		return s, Errorf(ECodeInvalid, "Không có thao tác %q (unknown transition %q)", t, t)
	}
	if s != r.from {
		return s, Errorf(ECodeConflict,
			"Không thể thực hiện %q khi hồ sơ đang ở trạng thái %q; thao tác này chỉ dùng ở trạng thái %q (transition %s needs state %s, the assessment is %s)",
			t, s, r.from, t, r.from, s)
	}
	if r.agency && f.Locked {
		return s, Errorf(ECodeConflict,
			"Đã quá hạn, hồ sơ đã khóa; đề nghị Sở Nội vụ mở lại nếu cần (the deadline has passed and the sheet is locked; DoHA may reopen it)")
	}
	if r.needsReason && strings.TrimSpace(f.Reason) == "" {
		return s, Errorf(ECodeInvalid, "Cần ghi lý do (a reason is required)")
	}
	if r.needsAllScored && len(f.Unscored) > 0 {
		return s, Errorf(ECodeInvalid,
			"Còn %d tiêu chí chưa tự chấm điểm (hoặc đánh dấu không áp dụng): %s (%d criteria have no self-score)",
			len(f.Unscored), listCodes(f.Unscored), len(f.Unscored))
	}
	switch {
	case r.pendingRound == 1 && len(f.PendingRound1) > 0:
		return s, Errorf(ECodeConflict, "Còn %d tiêu chí chưa thẩm định vòng 1: %s (%d criteria wait for round 1)",
			len(f.PendingRound1), listCodes(f.PendingRound1), len(f.PendingRound1))
	case r.pendingRound == 2 && len(f.PendingRound2) > 0:
		return s, Errorf(ECodeConflict, "Còn %d tiêu chí đã giải trình chưa thẩm định vòng 2: %s (%d explained criteria wait for round 2)",
			len(f.PendingRound2), listCodes(f.PendingRound2), len(f.PendingRound2))
	}
	return r.to, nil
}

// AgencyMayEdit says whether the agency may change self-scores, notes and
// evidence: in draft, while the sheet is not locked.
func AgencyMayEdit(s AssessmentState, locked bool) bool { return s == AssessmentDraft && !locked }

// AgencyMayExplain says whether the agency may write explanations: in the
// explanation stage, while the sheet is not locked.
func AgencyMayExplain(s AssessmentState, locked bool) bool {
	return s == AssessmentExplanation && !locked
}

// Appraisal decisions on one leaf in one round.
const (
	DecisionAccepted = "accepted" // the score stands as it was
	DecisionAdjusted = "adjusted" // the appraiser set another value, with a comment
)
