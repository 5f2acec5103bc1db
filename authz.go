package parindex

// Action is something a user may ask to do. Each action has one rule in
// rules below; Can is the only place in the product that decides.
type Action string

const (
	ActionManageUsers      Action = "users.manage"      // accounts, roles, passwords
	ActionManageOrgs       Action = "orgs.manage"       // create, edit, merge units
	ActionViewAudit        Action = "audit.view"        // the audit log
	ActionManageFrameworks Action = "frameworks.manage" // import, publish criteria sets
	ActionViewProvince     Action = "province.view"     // province-wide lists, rankings, dashboards
	ActionViewUnit         Action = "unit.view"         // one unit's pages, scorecard and files
	ActionEditAssessment   Action = "assessment.edit"   // enter self-scores and evidence for a unit
	ActionSubmitAssessment Action = "assessment.submit" // approve and submit a unit's self-assessment
	ActionAppraise         Action = "appraisal.edit"    // appraise one area of a framework
	ActionManageSurvey     Action = "survey.manage"     // import, publish instruments; create, revoke QR links; import paper forms
	ActionManageMetrics    Action = "metrics.manage"    // the metrics catalogue and API tokens
	ActionWriteMetrics     Action = "metrics.write"     // import or send a unit's operational metrics (DoHA, write tokens)
	ActionReportMetrics    Action = "metrics.report"    // enter a unit's self-reported metrics (the agency itself)
	ActionUseAPI           Action = "api.use"           // call /api/v1 at all: the catalogue, frameworks, the unit list
	ActionReadAPI          Action = "api.read"          // read one unit's metrics, scores and survey results through the API
)

// ActionManageAssessments is DoHA's running of the yearly cycle: deadlines, starting and closing stages, returning and reopening agencies.
const ActionManageAssessments Action = "assessments.manage"

// Actions lists every action, for the role × action test matrix and the docs.
var Actions = []Action{ActionManageUsers, ActionManageOrgs, ActionViewAudit, ActionManageFrameworks,
	ActionViewProvince, ActionViewUnit, ActionEditAssessment, ActionSubmitAssessment, ActionAppraise, ActionManageSurvey, ActionManageAssessments,
	ActionManageMetrics, ActionWriteMetrics, ActionReportMetrics, ActionUseAPI, ActionReadAPI}

// Target is what an action is about. For unit actions, UnitID and
// UnitAncestors (the ids of every unit above it) let a grant that includes
// descendants match; for appraisal, Framework and Area name the area.
type Target struct {
	UnitID        int64
	UnitAncestors []int64
	Framework     string
	Area          string
}

// UnitTarget is the target for an action on one unit.
func UnitTarget(u *OrgUnit, ancestors []*OrgUnit) Target {
	t := Target{UnitID: u.ID}
	for _, a := range ancestors {
		t.UnitAncestors = append(t.UnitAncestors, a.ID)
	}
	return t
}

// AreaTarget is the target for appraising one area of a framework.
func AreaTarget(framework, area string) Target { return Target{Framework: framework, Area: area} }

// rule decides one action for one grant.
type rule func(g RoleGrant, t Target) bool

func always(RoleGrant, Target) bool { return true }

// coversUnit reports whether an agency grant reaches the target unit.
func coversUnit(g RoleGrant, t Target) bool {
	if t.UnitID == 0 || g.UnitID == 0 {
		return false
	}
	if g.UnitID == t.UnitID {
		return true
	}
	if g.IncludeDescendants {
		for _, a := range t.UnitAncestors {
			if a == g.UnitID {
				return true
			}
		}
	}
	return false
}

// tokenCoversUnit: an API token's grant names one unit, or none for a token
// that reaches every unit. A token never reaches a unit's descendants.
func tokenCoversUnit(g RoleGrant, t Target) bool {
	return t.UnitID != 0 && (g.UnitID == 0 || g.UnitID == t.UnitID)
}

func coversArea(g RoleGrant, t Target) bool {
	return t.Area != "" && g.Area == t.Area && (g.Framework == "" || g.Framework == t.Framework)
}

// rules is the whole authorisation policy: action → role → rule. A missing
// entry means "no".
var rules = map[Action]map[string]rule{
	ActionManageUsers:      {RoleAdmin: always},
	ActionManageOrgs:       {RoleAdmin: always},
	ActionViewAudit:        {RoleAdmin: always},
	ActionManageFrameworks: {RoleAdmin: always},
	ActionViewProvince:     {RoleAdmin: always, RoleViewer: always, RoleAppraiser: always},
	ActionViewUnit: {RoleAdmin: always, RoleViewer: always, RoleAppraiser: always,
		RoleAgencyEditor: coversUnit, RoleAgencyLeader: coversUnit},
	ActionEditAssessment:   {RoleAgencyEditor: coversUnit, RoleAgencyLeader: coversUnit},
	ActionSubmitAssessment: {RoleAgencyLeader: coversUnit},
	ActionAppraise:         {RoleAppraiser: coversArea},
	ActionManageSurvey:     {RoleAdmin: always},
	ActionManageMetrics:    {RoleAdmin: always},
	ActionWriteMetrics:     {RoleAdmin: always, RoleAPIWrite: tokenCoversUnit},
	ActionReportMetrics:    {RoleAgencyEditor: coversUnit, RoleAgencyLeader: coversUnit},
	ActionUseAPI:           {RoleAPIRead: always, RoleAPIWrite: always},
	ActionReadAPI:          {RoleAPIRead: tokenCoversUnit, RoleAPIWrite: tokenCoversUnit},

	ActionManageAssessments: {RoleAdmin: always},
}

// Can reports whether u may do a on t. A nil or disabled user may do nothing.
func Can(u *User, a Action, t Target) bool {
	if u == nil || u.Disabled {
		return false
	}
	byRole := rules[a]
	for _, g := range u.Grants {
		if r, ok := byRole[g.Role]; ok && r(g, t) {
			return true
		}
	}
	return false
}

// CanAny reports whether u may do a on at least some target: navigation uses
// it to show each role only what it can use.
func CanAny(u *User, a Action) bool {
	if u == nil || u.Disabled {
		return false
	}
	for _, g := range u.Grants {
		if _, ok := rules[a][g.Role]; ok {
			return true
		}
	}
	return false
}
