package parindex

// Roles a staff account may hold. A role is granted with a scope: agency
// roles name one unit (optionally with its descendants), appraiser grants
// name one area of one criteria framework.
const (
	RoleAdmin        = "admin"         // DoHA: everything
	RoleViewer       = "viewer"        // leadership: read-only, whole province
	RoleAgencyEditor = "agency_editor" // agency clerk: self-assessment of one unit
	RoleAgencyLeader = "agency_leader" // agency head: as editor, and submits
	RoleAppraiser    = "appraiser"     // appraisal board member: assigned areas
)

// Roles lists every role in display order.
var Roles = []string{RoleAdmin, RoleViewer, RoleAgencyEditor, RoleAgencyLeader, RoleAppraiser}

// agencyRoles are the roles of an agency's own staff: their grants name a
// unit, and whoever holds one belongs to that unit (and to its descendants
// when the grant includes them), so never judges it (authz.go).
var agencyRoles = map[string]bool{RoleAgencyEditor: true, RoleAgencyLeader: true}

// IsAgencyRole reports whether r is the role of an agency's own staff.
func IsAgencyRole(r string) bool { return agencyRoles[r] }

// RoleGrant is one role held by a user, with its scope.
type RoleGrant struct {
	ID                 int64
	Role               string
	UnitID             int64 // agency roles
	UnitCode           string
	UnitName           string
	IncludeDescendants bool
	Framework          string // appraiser: framework code ("" = any framework)
	FrameworkName      string // its name, read with the grant ("" when it names no stored framework)
	Area               string // appraiser: area code within the framework
}

// User is a staff account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	Disabled     bool
	IsDemo       bool
	Lang         string // "vi" or "en"
	SessionEpoch int64  // raised by "log out everywhere": older sessions stop working
	Grants       []RoleGrant
}

// HasRole reports whether u holds role r in any scope.
func (u *User) HasRole(r string) bool {
	if u == nil {
		return false
	}
	for _, g := range u.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}
