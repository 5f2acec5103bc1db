package parindex_test

import (
	"testing"

	"parindex"
)

// The province (1) has department 10 and commune 20; commune 20 has a
// sub-unit 21 (a one-stop counter). Unit 30 is another department.
var (
	ownUnit    = parindex.Target{UnitID: 10, UnitAncestors: []int64{1}}
	otherUnit  = parindex.Target{UnitID: 30, UnitAncestors: []int64{1}}
	childUnit  = parindex.Target{UnitID: 21, UnitAncestors: []int64{20, 1}}
	parentUnit = parindex.Target{UnitID: 20, UnitAncestors: []int64{1}}
	// Appraisal targets: area 2 of dt-2026 in the assessment of a unit.
	ownArea      = parindex.AppraisalTarget(otherUnit, "dt-2026", "2")
	otherArea    = parindex.AppraisalTarget(otherUnit, "dt-2026", "6")
	otherFwArea  = parindex.AppraisalTarget(otherUnit, "communes-2026", "2")
	areaOfOwn    = parindex.AppraisalTarget(ownUnit, "dt-2026", "2")
	areaOfChild  = parindex.AppraisalTarget(childUnit, "dt-2026", "2")
	areaOfParent = parindex.AppraisalTarget(parentUnit, "dt-2026", "2")
	areaOfNoUnit = parindex.AppraisalTarget(parindex.Target{}, "dt-2026", "2")
	noTarget     = parindex.Target{}
)

func users() map[string]*parindex.User {
	return map[string]*parindex.User{
		"admin":          {Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}},
		"viewer":         {Grants: []parindex.RoleGrant{{Role: parindex.RoleViewer}}},
		"editor":         {Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitID: 10}}},
		"leader":         {Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyLeader, UnitID: 10}}},
		"leader-subtree": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyLeader, UnitID: 20, IncludeDescendants: true}}},
		"editor-flat":    {Grants: []parindex.RoleGrant{{Role: parindex.RoleAgencyEditor, UnitID: 20}}},
		"appraiser":      {Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "dt-2026", Area: "2"}}},
		"disabled-admin": {Disabled: true, Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}}},
		// Judges who also belong to a unit (issue 17: conflict of interest).
		"appraiser-leader": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Framework: "dt-2026", Area: "2"},
			{Role: parindex.RoleAgencyLeader, UnitID: 10}}},
		"appraiser-subtree": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "2"},
			{Role: parindex.RoleAgencyEditor, UnitID: 20, IncludeDescendants: true}}},
		"appraiser-flat": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAppraiser, Area: "2"},
			{Role: parindex.RoleAgencyEditor, UnitID: 20}}},
		"admin-leader": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}, {Role: parindex.RoleAgencyLeader, UnitID: 10}}},
		"admin-subtree": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin},
			{Role: parindex.RoleAgencyEditor, UnitID: 20, IncludeDescendants: true}}},
		// API tokens, as parindex.APIToken.User presents them.
		"token-read-all":   {Grants: []parindex.RoleGrant{{Role: parindex.RoleAPIRead}}},
		"token-write-all":  {Grants: []parindex.RoleGrant{{Role: parindex.RoleAPIWrite}}},
		"token-read-unit":  {Grants: []parindex.RoleGrant{{Role: parindex.RoleAPIRead, UnitID: 10}}},
		"token-write-unit": {Grants: []parindex.RoleGrant{{Role: parindex.RoleAPIWrite, UnitID: 20}}},
		"token-revoked":    {Disabled: true, Grants: []parindex.RoleGrant{{Role: parindex.RoleAPIWrite}}},
	}
}

// TestRoleActionMatrix states the whole policy by hand: every user, every
// action, on targets inside and outside the user's scope.
func TestRoleActionMatrix(t *testing.T) {
	type tc struct {
		user   string
		action parindex.Action
		target parindex.Target
		want   bool
	}
	var cases []tc
	add := func(user string, action parindex.Action, target parindex.Target, want bool) {
		cases = append(cases, tc{user, action, target, want})
	}
	adminOnly := []parindex.Action{parindex.ActionManageUsers, parindex.ActionManageOrgs, parindex.ActionViewAudit, parindex.ActionManageFrameworks,
		parindex.ActionManageSurvey, parindex.ActionManageAssessments, parindex.ActionPublishResults}
	for _, a := range adminOnly {
		add("admin", a, noTarget, true)
		for _, u := range []string{"viewer", "editor", "leader", "leader-subtree", "appraiser", "disabled-admin"} {
			add(u, a, noTarget, false)
		}
	}
	// survey.manage is DoHA's alone: an agency prints its posters but does not make links.
	add("editor", parindex.ActionManageSurvey, ownUnit, false)
	add("leader", parindex.ActionManageSurvey, ownUnit, false)
	// assessments.manage (deadlines, return, reopen) is DoHA's: not the agency's own leader, not an appraiser.
	add("leader", parindex.ActionManageAssessments, ownUnit, false)
	add("appraiser", parindex.ActionManageAssessments, ownArea, false)
	for u, want := range map[string]bool{"admin": true, "viewer": true, "appraiser": true, "editor": false, "leader": false, "leader-subtree": false, "disabled-admin": false} {
		add(u, parindex.ActionViewProvince, noTarget, want)
	}
	// unit.view
	for _, target := range []parindex.Target{ownUnit, otherUnit, childUnit} {
		add("admin", parindex.ActionViewUnit, target, true)
		add("viewer", parindex.ActionViewUnit, target, true)
		add("appraiser", parindex.ActionViewUnit, target, true)
		add("disabled-admin", parindex.ActionViewUnit, target, false)
	}
	add("editor", parindex.ActionViewUnit, ownUnit, true)
	add("editor", parindex.ActionViewUnit, otherUnit, false)
	add("leader", parindex.ActionViewUnit, ownUnit, true)
	add("leader", parindex.ActionViewUnit, otherUnit, false)
	add("leader-subtree", parindex.ActionViewUnit, parentUnit, true)
	add("leader-subtree", parindex.ActionViewUnit, childUnit, true)
	add("leader-subtree", parindex.ActionViewUnit, ownUnit, false)
	add("editor-flat", parindex.ActionViewUnit, parentUnit, true)
	add("editor-flat", parindex.ActionViewUnit, childUnit, false) // no descendants without the flag
	// assessment.edit
	add("editor", parindex.ActionEditAssessment, ownUnit, true)
	add("editor", parindex.ActionEditAssessment, otherUnit, false)
	add("leader", parindex.ActionEditAssessment, ownUnit, true)
	add("leader-subtree", parindex.ActionEditAssessment, childUnit, true)
	add("admin", parindex.ActionEditAssessment, ownUnit, false)
	add("viewer", parindex.ActionEditAssessment, ownUnit, false)
	add("appraiser", parindex.ActionEditAssessment, ownUnit, false)
	// assessment.submit: leaders only
	add("leader", parindex.ActionSubmitAssessment, ownUnit, true)
	add("leader", parindex.ActionSubmitAssessment, otherUnit, false)
	add("leader-subtree", parindex.ActionSubmitAssessment, childUnit, true)
	add("editor", parindex.ActionSubmitAssessment, ownUnit, false)
	add("admin", parindex.ActionSubmitAssessment, ownUnit, false)
	// appraisal.edit: the assigned area of the assigned framework only
	add("appraiser", parindex.ActionAppraise, ownArea, true)
	add("appraiser", parindex.ActionAppraise, otherArea, false)
	add("appraiser", parindex.ActionAppraise, otherFwArea, false)
	for _, u := range []string{"admin", "viewer", "editor", "leader"} {
		add(u, parindex.ActionAppraise, ownArea, false)
	}
	// ... always in the assessment of a named unit: the policy must know whose.
	add("appraiser", parindex.ActionAppraise, areaOfOwn, true)
	add("appraiser", parindex.ActionAppraise, areaOfNoUnit, false)
	// Nobody appraises a unit they hold an agency role on, nor a descendant
	// their grant reaches; other units they still appraise.
	add("appraiser-leader", parindex.ActionAppraise, areaOfOwn, false)
	add("appraiser-leader", parindex.ActionAppraise, ownArea, true)
	add("appraiser-leader", parindex.ActionAppraise, areaOfChild, true)
	add("appraiser-subtree", parindex.ActionAppraise, areaOfParent, false)
	add("appraiser-subtree", parindex.ActionAppraise, areaOfChild, false)
	add("appraiser-subtree", parindex.ActionAppraise, areaOfOwn, true)
	add("appraiser-subtree", parindex.ActionAppraise, ownArea, true)
	add("appraiser-flat", parindex.ActionAppraise, areaOfParent, false)
	add("appraiser-flat", parindex.ActionAppraise, areaOfChild, true) // the grant does not reach the sub-unit
	add("appraiser-leader", parindex.ActionAppraise, otherArea, false)
	// Their agency role works as it does for anyone.
	add("appraiser-leader", parindex.ActionEditAssessment, ownUnit, true)
	add("appraiser-leader", parindex.ActionSubmitAssessment, ownUnit, true)
	add("appraiser-leader", parindex.ActionViewUnit, ownUnit, true)
	// DoHA running one unit's cycle (return, start, send, close, finalise,
	// reopen) judges it too: not on a unit of one's own agency role; the
	// framework-wide work (deadlines, progress) names no unit and stays open.
	add("admin", parindex.ActionManageAssessments, ownUnit, true)
	add("admin-leader", parindex.ActionManageAssessments, ownUnit, false)
	add("admin-leader", parindex.ActionManageAssessments, otherUnit, true)
	add("admin-leader", parindex.ActionManageAssessments, childUnit, true)
	add("admin-leader", parindex.ActionManageAssessments, noTarget, true)
	add("admin-subtree", parindex.ActionManageAssessments, parentUnit, false)
	add("admin-subtree", parindex.ActionManageAssessments, childUnit, false)
	add("admin-subtree", parindex.ActionManageAssessments, ownUnit, true)
	add("admin-leader", parindex.ActionAppraise, ownArea, false) // DoHA administrators do not appraise at all
	// Judging is all it rules out: the administrator's other work goes on.
	for _, a := range []parindex.Action{parindex.ActionManageUsers, parindex.ActionManageOrgs, parindex.ActionViewAudit, parindex.ActionManageFrameworks,
		parindex.ActionManageSurvey, parindex.ActionManageMetrics} {
		add("admin-leader", a, noTarget, true)
	}
	for _, a := range []parindex.Action{parindex.ActionViewUnit, parindex.ActionEditAssessment, parindex.ActionSubmitAssessment,
		parindex.ActionReportMetrics, parindex.ActionWriteMetrics} {
		add("admin-leader", a, ownUnit, true)
	}
	// metrics.manage: the catalogue and API tokens are DoHA's.
	add("admin", parindex.ActionManageMetrics, noTarget, true)
	for _, u := range []string{"viewer", "editor", "leader", "appraiser", "disabled-admin", "token-write-all"} {
		add(u, parindex.ActionManageMetrics, noTarget, false)
	}
	// metrics.write: DoHA anywhere; a write token on its own unit only (not
	// its unit's sub-units), an all-units write token anywhere; nobody else.
	for _, target := range []parindex.Target{ownUnit, otherUnit, childUnit, noTarget} {
		add("admin", parindex.ActionWriteMetrics, target, true)
		add("token-read-all", parindex.ActionWriteMetrics, target, false)
		add("viewer", parindex.ActionWriteMetrics, target, false)
		add("token-revoked", parindex.ActionWriteMetrics, target, false)
	}
	add("token-write-all", parindex.ActionWriteMetrics, ownUnit, true)
	add("token-write-all", parindex.ActionWriteMetrics, childUnit, true)
	add("token-write-all", parindex.ActionWriteMetrics, noTarget, false)
	add("token-write-unit", parindex.ActionWriteMetrics, parentUnit, true)
	add("token-write-unit", parindex.ActionWriteMetrics, ownUnit, false)
	add("token-write-unit", parindex.ActionWriteMetrics, childUnit, false)
	add("token-read-unit", parindex.ActionWriteMetrics, ownUnit, false)
	add("editor", parindex.ActionWriteMetrics, ownUnit, false) // agencies self-report instead
	add("leader", parindex.ActionWriteMetrics, ownUnit, false)
	// metrics.report: an agency enters its own self-reported metrics.
	add("editor", parindex.ActionReportMetrics, ownUnit, true)
	add("editor", parindex.ActionReportMetrics, otherUnit, false)
	add("leader", parindex.ActionReportMetrics, ownUnit, true)
	add("leader-subtree", parindex.ActionReportMetrics, childUnit, true)
	add("editor-flat", parindex.ActionReportMetrics, childUnit, false)
	for _, u := range []string{"admin", "viewer", "appraiser", "token-write-all", "token-write-unit"} {
		add(u, parindex.ActionReportMetrics, ownUnit, false)
	}
	// api.use: tokens only; a staff session never reaches the API.
	for u, want := range map[string]bool{"token-read-all": true, "token-write-all": true, "token-read-unit": true, "token-write-unit": true,
		"token-revoked": false, "admin": false, "viewer": false, "editor": false} {
		add(u, parindex.ActionUseAPI, noTarget, want)
	}
	// api.read: a token reads its own unit, or every unit when it names none.
	for _, target := range []parindex.Target{ownUnit, otherUnit, childUnit} {
		add("token-read-all", parindex.ActionReadAPI, target, true)
		add("token-write-all", parindex.ActionReadAPI, target, true)
		add("token-revoked", parindex.ActionReadAPI, target, false)
		add("admin", parindex.ActionReadAPI, target, false)
		add("viewer", parindex.ActionReadAPI, target, false)
	}
	add("token-read-unit", parindex.ActionReadAPI, ownUnit, true)
	add("token-read-unit", parindex.ActionReadAPI, otherUnit, false)
	add("token-write-unit", parindex.ActionReadAPI, parentUnit, true)
	add("token-write-unit", parindex.ActionReadAPI, childUnit, false)
	add("token-read-all", parindex.ActionReadAPI, noTarget, false)
	// Tokens hold nothing of the staff policy.
	for _, a := range []parindex.Action{parindex.ActionViewProvince, parindex.ActionViewUnit, parindex.ActionEditAssessment, parindex.ActionManageUsers, parindex.ActionManageSurvey} {
		add("token-write-all", a, ownUnit, false)
		add("token-read-all", a, noTarget, false)
	}

	covered := map[parindex.Action]bool{}
	us := users()
	for _, c := range cases {
		covered[c.action] = true
		if got := parindex.Can(us[c.user], c.action, c.target); got != c.want {
			t.Errorf("Can(%s, %s, %+v) = %v, want %v", c.user, c.action, c.target, got, c.want)
		}
	}
	for _, a := range parindex.Actions {
		if !covered[a] {
			t.Errorf("action %s has no case in the matrix", a)
		}
	}
	if parindex.Can(nil, parindex.ActionViewProvince, noTarget) {
		t.Error("a nil user may view the province")
	}
}

func TestCanAnyDrivesNavigation(t *testing.T) {
	us := users()
	for _, c := range []struct {
		user   string
		action parindex.Action
		want   bool
	}{
		{"admin", parindex.ActionManageUsers, true},
		{"editor", parindex.ActionManageUsers, false},
		{"editor", parindex.ActionEditAssessment, true},
		{"viewer", parindex.ActionEditAssessment, false},
		{"appraiser", parindex.ActionAppraise, true},
		{"disabled-admin", parindex.ActionViewProvince, false},
	} {
		if got := parindex.CanAny(us[c.user], c.action); got != c.want {
			t.Errorf("CanAny(%s, %s) = %v, want %v", c.user, c.action, got, c.want)
		}
	}
}

// TestConflictsWarnWhatCanRefuses: the accounts page's warning lists, per
// agency grant, each judging action another grant of the account allows,
// and Can refuses exactly that action on the grant's unit.
func TestConflictsWarnWhatCanRefuses(t *testing.T) {
	us := users()
	both := &parindex.User{Grants: []parindex.RoleGrant{{Role: parindex.RoleAdmin}, {Role: parindex.RoleAppraiser, Area: "2"},
		{Role: parindex.RoleAgencyEditor, UnitID: 10}, {Role: parindex.RoleAgencyLeader, UnitID: 20, IncludeDescendants: true}}}
	for _, c := range []struct {
		user *parindex.User
		want []parindex.Action // per conflict, in order
	}{
		{us["appraiser-leader"], []parindex.Action{parindex.ActionAppraise}},
		{us["appraiser-subtree"], []parindex.Action{parindex.ActionAppraise}},
		{us["admin-leader"], []parindex.Action{parindex.ActionManageAssessments}},
		{both, []parindex.Action{parindex.ActionAppraise, parindex.ActionManageAssessments, parindex.ActionAppraise, parindex.ActionManageAssessments}},
		{us["appraiser"], nil},
		{us["leader"], nil},
		{us["admin"], nil},
		{us["viewer"], nil},
		{nil, nil},
	} {
		got := parindex.Conflicts(c.user)
		if len(got) != len(c.want) {
			t.Errorf("Conflicts(%+v) = %+v, want actions %v", c.user, got, c.want)
			continue
		}
		for i, conflict := range got {
			if conflict.Action != c.want[i] || !parindex.IsAgencyRole(conflict.Grant.Role) {
				t.Errorf("conflict %d of %+v = %+v, want %s on an agency grant", i, c.user, conflict, c.want[i])
			}
			unit := parindex.Target{UnitID: conflict.Grant.UnitID, UnitAncestors: []int64{1}}
			target := unit
			if conflict.Action == parindex.ActionAppraise {
				target = parindex.AppraisalTarget(unit, "dt-2026", "2")
			}
			if parindex.Can(c.user, conflict.Action, target) {
				t.Errorf("the warning says %s is refused on unit %d, but Can allows it", conflict.Action, unit.UnitID)
			}
			if !conflict.Action.JudgesUnit() {
				t.Errorf("%s is listed as a conflict but does not judge a unit", conflict.Action)
			}
		}
	}
}

// TestAgencyRolesAreTheUnitScopedRoles: the roles that make their holder a
// party to a unit are exactly the staff roles whose grant of a unit allows
// something there and not on another unit. A new unit-scoped role must join
// them, or its holders could judge their own unit.
func TestAgencyRolesAreTheUnitScopedRoles(t *testing.T) {
	for _, role := range parindex.Roles {
		u := &parindex.User{Grants: []parindex.RoleGrant{{Role: role, UnitID: 10}}}
		scoped := false
		for _, a := range parindex.Actions {
			if parindex.Can(u, a, ownUnit) && !parindex.Can(u, a, otherUnit) {
				scoped = true
			}
		}
		if scoped != parindex.IsAgencyRole(role) {
			t.Errorf("role %s: scoped to its unit = %v, agency role = %v", role, scoped, parindex.IsAgencyRole(role))
		}
	}
}
