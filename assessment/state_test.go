package assessment_test

import (
	"strings"
	"testing"

	"parindex"
	"parindex/assessment"
)

// TestTransitionTable states every (state, transition) pair by hand: the
// state it leads to, or that it is refused.
func TestTransitionTable(t *testing.T) {
	const refused = assessment.State("")
	d, s, a1, e, a2, f := assessment.StateDraft, assessment.StateSubmitted, assessment.StateAppraisal1,
		assessment.StateExplanation, assessment.StateAppraisal2, assessment.StateFinal
	want := map[assessment.Transition]map[assessment.State]assessment.State{
		assessment.TransitionSubmit:            {d: s, s: refused, a1: refused, e: refused, a2: refused, f: refused},
		assessment.TransitionReturn:            {d: refused, s: d, a1: refused, e: refused, a2: refused, f: refused},
		assessment.TransitionStartAppraisal:    {d: refused, s: a1, a1: refused, e: refused, a2: refused, f: refused},
		assessment.TransitionSendResults:       {d: refused, s: refused, a1: e, e: refused, a2: refused, f: refused},
		assessment.TransitionSubmitExplanation: {d: refused, s: refused, a1: refused, e: a2, a2: refused, f: refused},
		assessment.TransitionCloseExplanation:  {d: refused, s: refused, a1: refused, e: a2, a2: refused, f: refused},
		assessment.TransitionFinalise:          {d: refused, s: refused, a1: refused, e: refused, a2: f, f: refused},
	}
	if len(want) != len(assessment.Transitions) {
		t.Fatalf("the table covers %d transitions, there are %d", len(want), len(assessment.Transitions))
	}
	facts := assessment.TransitionFacts{Reason: "lý do"}
	for _, tr := range assessment.Transitions {
		row, ok := want[tr]
		if !ok {
			t.Errorf("transition %s has no row", tr)
			continue
		}
		for _, st := range assessment.States {
			exp, ok := row[st]
			if !ok {
				t.Errorf("transition %s has no column for state %s", tr, st)
				continue
			}
			got, err := assessment.NextState(st, tr, facts)
			if exp == refused {
				if err == nil || got != st || parindex.ErrorCode(err) != parindex.ECodeConflict {
					t.Errorf("%s from %s = %s, %v; want refused with a conflict", tr, st, got, err)
				}
				continue
			}
			if err != nil || got != exp {
				t.Errorf("%s from %s = %s, %v; want %s", tr, st, got, err, exp)
			}
		}
	}
}

func TestTransitionActions(t *testing.T) {
	for tr, want := range map[assessment.Transition]parindex.Action{
		assessment.TransitionSubmit:            parindex.ActionSubmitAssessment,
		assessment.TransitionReturn:            parindex.ActionManageAssessments,
		assessment.TransitionStartAppraisal:    parindex.ActionManageAssessments,
		assessment.TransitionSendResults:       parindex.ActionManageAssessments,
		assessment.TransitionSubmitExplanation: parindex.ActionSubmitAssessment,
		assessment.TransitionCloseExplanation:  parindex.ActionManageAssessments,
		assessment.TransitionFinalise:          parindex.ActionManageAssessments,
	} {
		if got := tr.Action(); got != want {
			t.Errorf("%s needs %s, want %s", tr, got, want)
		}
	}
	if assessment.Transition("vote").Action() != "" {
		t.Error("an unknown transition needs an action")
	}
}

// TestTransitionConditions: the facts that refuse an otherwise allowed move.
func TestTransitionConditions(t *testing.T) {
	for _, c := range []struct {
		name  string
		from  assessment.State
		tr    assessment.Transition
		facts assessment.TransitionFacts
		code  string // "" when allowed
		text  string
	}{
		{"submit locked", assessment.StateDraft, assessment.TransitionSubmit, assessment.TransitionFacts{Locked: true}, parindex.ECodeConflict, "đã khóa"},
		{"submit with unscored leaves", assessment.StateDraft, assessment.TransitionSubmit, assessment.TransitionFacts{Unscored: []string{"1.1", "2.3"}}, parindex.ECodeInvalid, "1.1, 2.3"},
		{"submit", assessment.StateDraft, assessment.TransitionSubmit, assessment.TransitionFacts{}, "", ""},
		{"return without reason", assessment.StateSubmitted, assessment.TransitionReturn, assessment.TransitionFacts{Reason: "  "}, parindex.ECodeInvalid, "lý do"},
		{"return", assessment.StateSubmitted, assessment.TransitionReturn, assessment.TransitionFacts{Reason: "thiếu tài liệu"}, "", ""},
		// DoHA's moves ignore the agency's lock.
		{"start while locked", assessment.StateSubmitted, assessment.TransitionStartAppraisal, assessment.TransitionFacts{Locked: true}, "", ""},
		{"send results with pending leaves", assessment.StateAppraisal1, assessment.TransitionSendResults, assessment.TransitionFacts{PendingRound1: []string{"2.3"}}, parindex.ECodeConflict, "2.3"},
		{"explanation after the deadline", assessment.StateExplanation, assessment.TransitionSubmitExplanation, assessment.TransitionFacts{Locked: true}, parindex.ECodeConflict, "khóa"},
		{"DoHA closes explanation after the deadline", assessment.StateExplanation, assessment.TransitionCloseExplanation, assessment.TransitionFacts{Locked: true}, "", ""},
		{"finalise with pending round 2", assessment.StateAppraisal2, assessment.TransitionFinalise, assessment.TransitionFacts{PendingRound2: []string{"6.3"}}, parindex.ECodeConflict, "6.3"},
		{"finalise ignores round 1 lists", assessment.StateAppraisal2, assessment.TransitionFinalise, assessment.TransitionFacts{PendingRound1: []string{"6.3"}}, "", ""},
		{"unknown", assessment.StateDraft, "vote", assessment.TransitionFacts{}, parindex.ECodeInvalid, "vote"},
	} {
		_, err := assessment.NextState(c.from, c.tr, c.facts)
		if got := parindex.ErrorCode(err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %q lacks %q", c.name, err, c.text)
		}
	}
}

func TestAssessmentLocked(t *testing.T) {
	day := func(s string) parindex.Date {
		d, err := parindex.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	none := parindex.Date{}
	for _, c := range []struct {
		state                     assessment.State
		deadline, reopened, today parindex.Date
		want                      bool
	}{
		{assessment.StateDraft, none, none, day("2027-01-20"), false},              // no deadline
		{assessment.StateDraft, day("2027-01-15"), none, day("2027-01-15"), false}, // the deadline day itself is open
		{assessment.StateDraft, day("2027-01-15"), none, day("2027-01-16"), true},
		{assessment.StateDraft, day("2027-01-15"), day("2027-01-20"), day("2027-01-20"), false}, // reopened
		{assessment.StateDraft, day("2027-01-15"), day("2027-01-20"), day("2027-01-21"), true},  // the reopening ran out
		{assessment.StateExplanation, day("2027-03-01"), none, day("2027-03-02"), true},
		{assessment.StateSubmitted, day("2027-01-15"), none, day("2027-02-01"), false}, // not the agency's stage
		{assessment.StateAppraisal1, day("2027-01-15"), none, day("2027-02-01"), false},
	} {
		if got := assessment.Locked(c.state, c.deadline, c.reopened, c.today); got != c.want {
			t.Errorf("AssessmentLocked(%s, %s, %s, %s) = %v", c.state, c.deadline, c.reopened, c.today, got)
		}
	}
	if !assessment.AgencyMayEdit(assessment.StateDraft, false) || assessment.AgencyMayEdit(assessment.StateDraft, true) ||
		assessment.AgencyMayEdit(assessment.StateSubmitted, false) {
		t.Error("AgencyMayEdit")
	}
	if !assessment.AgencyMayExplain(assessment.StateExplanation, false) || assessment.AgencyMayExplain(assessment.StateDraft, false) {
		t.Error("AgencyMayExplain")
	}
}
