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

// ActionPublishResults is DoHA's scoring of a year into a draft snapshot, its
// preflight, and its publication as final or provisional.
const ActionPublishResults Action = "results.publish"

// Actions lists every action, for the role × action test matrix and the docs.
var Actions = []Action{ActionManageUsers, ActionManageOrgs, ActionViewAudit, ActionManageFrameworks,
	ActionViewProvince, ActionViewUnit, ActionEditAssessment, ActionSubmitAssessment, ActionAppraise, ActionManageSurvey, ActionManageAssessments, ActionPublishResults,
	ActionManageMetrics, ActionWriteMetrics, ActionReportMetrics, ActionUseAPI, ActionReadAPI}

// Target is what an action is about. For unit actions, UnitID and
// UnitAncestors (the ids of every unit above it) let a grant that includes
// descendants match; for appraisal, Framework and Area name the area and
// the unit fields the agency whose assessment is appraised, so that nobody
// appraises their own unit.
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

// AppraisalTarget is the target for appraising one area of a framework in
// the assessment of one unit (unit is that unit's target, from UnitTarget).
// Without a unit nothing may be appraised: the policy must know whose
// assessment it is to refuse a judge of their own unit.
func AppraisalTarget(unit Target, framework, area string) Target {
	unit.Framework, unit.Area = framework, area
	return unit
}

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

// coversArea: an appraiser grant reaches its area of its framework (of any
// framework when it names none), in the assessment of a named unit.
func coversArea(g RoleGrant, t Target) bool {
	return t.UnitID != 0 && t.Area != "" && g.Area == t.Area && (g.Framework == "" || g.Framework == t.Framework)
}

// judgesUnit lists the actions that judge a unit's self-assessment:
// appraising its leaves (deciding, adjusting, accepting, in either round,
// so accepting or rejecting its explanations too) and DoHA's running of its
// cycle (returning it, starting round 1, sending results, closing the
// explanations, finalising, reopening it after a deadline). Nobody judges
// their own unit: Can refuses these on a unit the user belongs to through an
// agency role, whatever other grant would allow them. With no unit in the
// target (DoHA's framework-wide deadlines and progress page) nothing is
// judged and no agency role stands in the way.
var judgesUnit = map[Action]bool{ActionAppraise: true, ActionManageAssessments: true}

// JudgesUnit reports whether a judges the self-assessment of the target's
// unit, so that an agency role on that unit rules it out.
func (a Action) JudgesUnit() bool { return judgesUnit[a] }

// partyTo reports whether u belongs to the target's unit: an agency role on
// the unit itself, or on a unit above it with its descendants.
func partyTo(u *User, t Target) bool {
	for _, g := range u.Grants {
		if IsAgencyRole(g.Role) && coversUnit(g, t) {
			return true
		}
	}
	return false
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
	ActionPublishResults:    {RoleAdmin: always},
}

// Can reports whether u may do a on t. A nil or disabled user may do nothing;
// nobody judges a unit they hold an agency role on (judgesUnit).
func Can(u *User, a Action, t Target) bool {
	if u == nil || u.Disabled {
		return false
	}
	if judgesUnit[a] && partyTo(u, t) {
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

// Conflict is an agency grant of an account that also holds a grant judging
// units: on the agency grant's unit (and its sub-units when the grant
// includes them) Can refuses the account Action.
type Conflict struct {
	Grant  RoleGrant
	Action Action
}

// Conflicts lists what u's agency grants rule out, for the accounts page to
// warn of when an administrator combines them: one entry per agency grant
// and judging action that another of u's grants would allow. It reads the
// same rules as Can, so the warning cannot disagree with the refusal.
func Conflicts(u *User) []Conflict {
	if u == nil {
		return nil
	}
	var out []Conflict
	for _, g := range u.Grants {
		if !IsAgencyRole(g.Role) || g.UnitID == 0 {
			continue
		}
		for _, a := range Actions {
			if !judgesUnit[a] {
				continue
			}
			for _, other := range u.Grants {
				if _, ok := rules[a][other.Role]; ok {
					out = append(out, Conflict{Grant: g, Action: a})
					break
				}
			}
		}
	}
	return out
}
