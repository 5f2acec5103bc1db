package parindex_test

import (
	"strings"
	"testing"

	"parindex"
)

// TestTransitionTable states every (state, transition) pair by hand: the
// state it leads to, or that it is refused.
func TestTransitionTable(t *testing.T) {
	const refused = parindex.AssessmentState("")
	d, s, a1, e, a2, f := parindex.AssessmentDraft, parindex.AssessmentSubmitted, parindex.AssessmentAppraisal1,
		parindex.AssessmentExplanation, parindex.AssessmentAppraisal2, parindex.AssessmentFinal
	want := map[parindex.Transition]map[parindex.AssessmentState]parindex.AssessmentState{
		parindex.TransitionSubmit:            {d: s, s: refused, a1: refused, e: refused, a2: refused, f: refused},
		parindex.TransitionReturn:            {d: refused, s: d, a1: refused, e: refused, a2: refused, f: refused},
		parindex.TransitionStartAppraisal:    {d: refused, s: a1, a1: refused, e: refused, a2: refused, f: refused},
		parindex.TransitionSendResults:       {d: refused, s: refused, a1: e, e: refused, a2: refused, f: refused},
		parindex.TransitionSubmitExplanation: {d: refused, s: refused, a1: refused, e: a2, a2: refused, f: refused},
		parindex.TransitionCloseExplanation:  {d: refused, s: refused, a1: refused, e: a2, a2: refused, f: refused},
		parindex.TransitionFinalise:          {d: refused, s: refused, a1: refused, e: refused, a2: f, f: refused},
	}
	if len(want) != len(parindex.Transitions) {
		t.Fatalf("the table covers %d transitions, there are %d", len(want), len(parindex.Transitions))
	}
	facts := parindex.TransitionFacts{Reason: "lý do"}
	for _, tr := range parindex.Transitions {
		row, ok := want[tr]
		if !ok {
			t.Errorf("transition %s has no row", tr)
			continue
		}
		for _, st := range parindex.AssessmentStates {
			exp, ok := row[st]
			if !ok {
				t.Errorf("transition %s has no column for state %s", tr, st)
				continue
			}
			got, err := parindex.NextState(st, tr, facts)
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
	for tr, want := range map[parindex.Transition]parindex.Action{
		parindex.TransitionSubmit:            parindex.ActionSubmitAssessment,
		parindex.TransitionReturn:            parindex.ActionManageAssessments,
		parindex.TransitionStartAppraisal:    parindex.ActionManageAssessments,
		parindex.TransitionSendResults:       parindex.ActionManageAssessments,
		parindex.TransitionSubmitExplanation: parindex.ActionSubmitAssessment,
		parindex.TransitionCloseExplanation:  parindex.ActionManageAssessments,
		parindex.TransitionFinalise:          parindex.ActionManageAssessments,
	} {
		if got := tr.Action(); got != want {
			t.Errorf("%s needs %s, want %s", tr, got, want)
		}
	}
	if parindex.Transition("vote").Action() != "" {
		t.Error("an unknown transition needs an action")
	}
}

// TestTransitionConditions: the facts that refuse an otherwise allowed move.
func TestTransitionConditions(t *testing.T) {
	for _, c := range []struct {
		name  string
		from  parindex.AssessmentState
		tr    parindex.Transition
		facts parindex.TransitionFacts
		code  string // "" when allowed
		text  string
	}{
		{"submit locked", parindex.AssessmentDraft, parindex.TransitionSubmit, parindex.TransitionFacts{Locked: true}, parindex.ECodeConflict, "đã khóa"},
		{"submit with unscored leaves", parindex.AssessmentDraft, parindex.TransitionSubmit, parindex.TransitionFacts{Unscored: []string{"1.1", "2.3"}}, parindex.ECodeInvalid, "1.1, 2.3"},
		{"submit", parindex.AssessmentDraft, parindex.TransitionSubmit, parindex.TransitionFacts{}, "", ""},
		{"return without reason", parindex.AssessmentSubmitted, parindex.TransitionReturn, parindex.TransitionFacts{Reason: "  "}, parindex.ECodeInvalid, "lý do"},
		{"return", parindex.AssessmentSubmitted, parindex.TransitionReturn, parindex.TransitionFacts{Reason: "thiếu tài liệu"}, "", ""},
		// DoHA's moves ignore the agency's lock.
		{"start while locked", parindex.AssessmentSubmitted, parindex.TransitionStartAppraisal, parindex.TransitionFacts{Locked: true}, "", ""},
		{"send results with pending leaves", parindex.AssessmentAppraisal1, parindex.TransitionSendResults, parindex.TransitionFacts{PendingRound1: []string{"2.3"}}, parindex.ECodeConflict, "2.3"},
		{"explanation after the deadline", parindex.AssessmentExplanation, parindex.TransitionSubmitExplanation, parindex.TransitionFacts{Locked: true}, parindex.ECodeConflict, "khóa"},
		{"DoHA closes explanation after the deadline", parindex.AssessmentExplanation, parindex.TransitionCloseExplanation, parindex.TransitionFacts{Locked: true}, "", ""},
		{"finalise with pending round 2", parindex.AssessmentAppraisal2, parindex.TransitionFinalise, parindex.TransitionFacts{PendingRound2: []string{"6.3"}}, parindex.ECodeConflict, "6.3"},
		{"finalise ignores round 1 lists", parindex.AssessmentAppraisal2, parindex.TransitionFinalise, parindex.TransitionFacts{PendingRound1: []string{"6.3"}}, "", ""},
		{"unknown", parindex.AssessmentDraft, "vote", parindex.TransitionFacts{}, parindex.ECodeInvalid, "vote"},
	} {
		_, err := parindex.NextState(c.from, c.tr, c.facts)
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
		state                     parindex.AssessmentState
		deadline, reopened, today parindex.Date
		want                      bool
	}{
		{parindex.AssessmentDraft, none, none, day("2027-01-20"), false},              // no deadline
		{parindex.AssessmentDraft, day("2027-01-15"), none, day("2027-01-15"), false}, // the deadline day itself is open
		{parindex.AssessmentDraft, day("2027-01-15"), none, day("2027-01-16"), true},
		{parindex.AssessmentDraft, day("2027-01-15"), day("2027-01-20"), day("2027-01-20"), false}, // reopened
		{parindex.AssessmentDraft, day("2027-01-15"), day("2027-01-20"), day("2027-01-21"), true},  // the reopening ran out
		{parindex.AssessmentExplanation, day("2027-03-01"), none, day("2027-03-02"), true},
		{parindex.AssessmentSubmitted, day("2027-01-15"), none, day("2027-02-01"), false}, // not the agency's stage
		{parindex.AssessmentAppraisal1, day("2027-01-15"), none, day("2027-02-01"), false},
	} {
		if got := parindex.AssessmentLocked(c.state, c.deadline, c.reopened, c.today); got != c.want {
			t.Errorf("AssessmentLocked(%s, %s, %s, %s) = %v", c.state, c.deadline, c.reopened, c.today, got)
		}
	}
	if !parindex.AgencyMayEdit(parindex.AssessmentDraft, false) || parindex.AgencyMayEdit(parindex.AssessmentDraft, true) ||
		parindex.AgencyMayEdit(parindex.AssessmentSubmitted, false) {
		t.Error("AgencyMayEdit")
	}
	if !parindex.AgencyMayExplain(parindex.AssessmentExplanation, false) || parindex.AgencyMayExplain(parindex.AssessmentDraft, false) {
		t.Error("AgencyMayExplain")
	}
}
