package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/password"
	"parindex/store"
	"parindex/vn"
	"parindex/web/kit"
)

type usersData struct {
	Users      []*parindex.User
	Conflicted map[int64]bool // accounts whose agency roles keep them from judging a unit
}

func (s *Server) usersPage(c *gin.Context) {
	users, err := s.db.FindUsers(c.Request.Context())
	if err != nil {
		s.InternalError(c, err)
		return
	}
	vn.SortBy(users, func(u *parindex.User) string { return u.DisplayName })
	d := usersData{Users: users, Conflicted: map[int64]bool{}}
	for _, u := range users {
		d.Conflicted[u.ID] = len(parindex.Conflicts(u)) > 0
	}
	s.Render(c, http.StatusOK, "users", "users.title", d)
}

// userForm is the data of the new-account and account pages.
type userForm struct {
	User        *parindex.User
	Units       []*parindex.OrgUnit
	Roles       []string
	Error       string
	NewPassword string // shown once after a reset or creation
	Grant       parindex.RoleGrant
	Conflicts   []string // what the account's agency roles keep it from judging
}

func (s *Server) userFormData(c *gin.Context, u *parindex.User) (userForm, error) {
	units, err := s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{ValidOn: parindex.DateOf(s.db.Now())})
	if err != nil {
		return userForm{}, err
	}
	parindex.SortUnits(units)
	return userForm{User: u, Units: units, Roles: parindex.Roles, Conflicts: conflictWarnings(s.Lang(c), u)}, nil
}

// conflictWarnings words parindex.Conflicts for the account page. Such a
// grant is allowed (a Justice appraiser may well be a clerk of Justice, a
// DoHA administrator a member of DoHA's own staff): the policy refuses the
// judging itself, and the warning tells the administrator that someone else
// must judge that unit.
func conflictWarnings(lang string, u *parindex.User) []string {
	var out []string
	for _, c := range parindex.Conflicts(u) {
		scope := ""
		if c.Grant.IncludeDescendants {
			scope = kit.T(lang, "users.conflict_sub")
		}
		out = append(out, kit.T(lang, "users.conflict."+string(c.Action),
			kit.T(lang, "role."+c.Grant.Role), c.Grant.UnitName, c.Grant.UnitCode, scope))
	}
	return out
}

func (s *Server) newUserPage(c *gin.Context) {
	d, err := s.userFormData(c, &parindex.User{Lang: kit.VI})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "user_new", "users.new", d)
}

// grantFromForm reads the role fields shared by the create and add-role forms.
func grantFromForm(c *gin.Context) parindex.RoleGrant {
	return parindex.RoleGrant{
		Role:               c.PostForm("role"),
		UnitCode:           strings.TrimSpace(c.PostForm("unit")),
		IncludeDescendants: c.PostForm("descendants") == "1",
		Framework:          strings.TrimSpace(c.PostForm("framework")),
		Area:               strings.TrimSpace(c.PostForm("area")),
	}
}

func (s *Server) createUser(c *gin.Context) {
	u := &parindex.User{
		Username:    c.PostForm("username"),
		DisplayName: c.PostForm("display_name"),
		Lang:        kit.VI,
	}
	g := grantFromForm(c)
	if g.Role != "" {
		u.Grants = []parindex.RoleGrant{g}
	}
	pw := password.Random(14)
	hash, err := password.Hash(pw, s.passwordParams)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	if err := s.db.CreateUser(c.Request.Context(), kit.Actor(c), u, hash); err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			d, ferr := s.userFormData(c, u)
			if ferr != nil {
				s.InternalError(c, ferr)
				return
			}
			d.Error, d.Grant = msg, g
			s.Render(c, status, "user_new", "users.new", d)
		})
		return
	}
	s.showUser(c, u.ID, http.StatusCreated, "users.created", func(d *userForm) { d.NewPassword = pw })
}

// showUser renders an account's page with status; the new password (shown
// once) and the error of a refused change go into the page's data.
func (s *Server) showUser(c *gin.Context, id int64, status int, flashKey string, fill func(d *userForm)) {
	u, err := s.db.UserByID(c.Request.Context(), id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	d, err := s.userFormData(c, u)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	if fill != nil {
		fill(&d)
	}
	if flashKey != "" {
		s.SetFlash(c, flashKey)
	}
	s.Render(c, status, "user", "users.title", d)
}

func (s *Server) userPage(c *gin.Context) {
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.showUser(c, id, http.StatusOK, "", nil)
}

// userAction handles the buttons of an account page: save, disable/enable,
// reset password, add role, remove role. Each redirects back (PRG), except
// a reset, whose new password is shown once and never stored in clear.
func (s *Server) userAction(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := kit.IDParam(c, "id")
	if err != nil {
		s.Fail(c, err)
		return
	}
	switch c.PostForm("do") {
	case "save":
		name := c.PostForm("display_name")
		err = s.db.UpdateUser(ctx, kit.Actor(c), id, store.UserUpdate{DisplayName: &name}, "")
	case "disable", "enable":
		if current := kit.CurrentUser(c); current.ID == id && c.PostForm("do") == "disable" {
			err = parindex.Errorf(parindex.ECodeInvalid, "Không thể tự khóa tài khoản của mình (you cannot disable yourself)")
			break
		}
		disabled := c.PostForm("do") == "disable"
		err = s.db.UpdateUser(ctx, kit.Actor(c), id, store.UserUpdate{Disabled: &disabled}, c.PostForm("reason"))
	case "reset":
		pw := password.Random(14)
		var hash string
		if hash, err = password.Hash(pw, s.passwordParams); err == nil {
			err = s.db.SetPassword(ctx, kit.Actor(c), id, hash, "reset by administrator")
		}
		if err == nil {
			s.showUser(c, id, http.StatusOK, "users.saved", func(d *userForm) { d.NewPassword = pw })
			return
		}
	case "grant":
		if err = s.db.AddGrant(ctx, kit.Actor(c), id, grantFromForm(c)); err == nil {
			// Allowed, but said at once: the page below explains the warning.
			if u, uerr := s.db.UserByID(ctx, id); uerr == nil && len(parindex.Conflicts(u)) > 0 {
				s.SetFlash(c, "users.granted_conflict")
				c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(id, 10))
				return
			}
		}
	case "revoke":
		grantID, _ := kit.FormID(c, "grant")
		err = s.db.RemoveGrant(ctx, kit.Actor(c), id, grantID)
	default:
		err = parindex.Errorf(parindex.ECodeInvalid, "Yêu cầu không hợp lệ (unknown action)")
	}
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound {
			s.Fail(c, err)
			return
		}
		s.ShowError(c, err, func(status int, msg string) {
			s.showUser(c, id, status, "", func(d *userForm) { d.Error = msg })
		})
		return
	}
	s.SetFlash(c, "users.saved")
	c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(id, 10))
}

// unitForm is the data of the unit create/edit page.
type unitForm struct {
	Unit  *parindex.OrgUnit
	Types []parindex.OrgType
	Units []*parindex.OrgUnit
	New   bool
	Error string
}

func (s *Server) unitFormData(c *gin.Context, u *parindex.OrgUnit, isNew bool) (unitForm, error) {
	types, err := s.db.OrgTypes(c.Request.Context())
	if err != nil {
		return unitForm{}, err
	}
	units, err := s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{})
	if err != nil {
		return unitForm{}, err
	}
	parindex.SortUnits(units)
	return unitForm{Unit: u, Types: types, Units: units, New: isNew}, nil
}

func (s *Server) unitEditPage(c *gin.Context) {
	code := c.Param("code")
	u := &parindex.OrgUnit{ValidFrom: parindex.DateOf(s.db.Now().In(kit.VietnamTime))}
	isNew := code == ""
	if !isNew {
		var err error
		if u, err = s.db.OrgUnitByCode(c.Request.Context(), code); err != nil {
			s.Fail(c, err)
			return
		}
	}
	d, err := s.unitFormData(c, u, isNew)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "unit_edit", "units.edit", d)
}

// saveUnit creates or edits a unit through the same all-or-nothing checks as
// a file import, so the form and the import can never disagree.
func (s *Server) saveUnit(c *gin.Context) {
	isNew := c.Param("code") == ""
	code := c.Param("code")
	if isNew {
		code = c.PostForm("code")
	}
	row := parindex.OrgRow{Row: 0, Code: code, Name: c.PostForm("name"), Type: c.PostForm("type"),
		Parent: c.PostForm("parent"), ValidFrom: c.PostForm("valid_from"), ValidTo: c.PostForm("valid_to")}
	if !isNew {
		old, err := s.db.OrgUnitByCode(c.Request.Context(), code)
		if err != nil {
			s.Fail(c, err)
			return
		}
		row.Successor = old.SuccessorCode // merges go through their own form
	} else if existing, _ := s.db.OrgUnitByCode(c.Request.Context(), code); existing != nil {
		s.unitFormError(c, row, isNew, "Mã đơn vị "+code+" đã có (the code is taken)", http.StatusConflict)
		return
	}
	_, err := s.db.ImportOrgUnits(c.Request.Context(), kit.Actor(c), "", []parindex.OrgRow{row}, c.PostForm("reason"))
	if err != nil {
		var msgs []string
		if ie, ok := err.(parindex.InputErrors); ok {
			for _, e := range ie {
				msgs = append(msgs, e.Column+": "+e.VI)
			}
			s.unitFormError(c, row, isNew, strings.Join(msgs, "; "), http.StatusBadRequest)
			return
		}
		s.Fail(c, err)
		return
	}
	s.SetFlash(c, "units.saved")
	c.Redirect(http.StatusSeeOther, "/app/units/"+code)
}

func (s *Server) unitFormError(c *gin.Context, row parindex.OrgRow, isNew bool, msg string, status int) {
	u := &parindex.OrgUnit{Code: row.Code, Name: row.Name, Type: row.Type, ParentCode: row.Parent}
	u.ValidFrom, _ = parindex.ParseDate(row.ValidFrom)
	u.ValidTo, _ = parindex.ParseDate(row.ValidTo)
	d, err := s.unitFormData(c, u, isNew)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Error = msg
	s.Render(c, status, "unit_edit", "units.edit", d)
}

func (s *Server) mergeUnit(c *gin.Context) {
	code := c.Param("code")
	on, err := parindex.ParseDate(c.PostForm("on"))
	if err != nil {
		s.unitFormError(c, parindex.OrgRow{Code: code}, false, "Ngày sáp nhập cần dạng yyyy-mm-dd (bad date)", http.StatusBadRequest)
		return
	}
	if err := s.db.MergeOrgUnits(c.Request.Context(), kit.Actor(c), []string{code}, c.PostForm("successor"), on, c.PostForm("reason")); err != nil {
		s.ShowError(c, err, func(status int, msg string) {
			u, uerr := s.db.OrgUnitByCode(c.Request.Context(), code)
			if uerr != nil {
				s.Fail(c, uerr)
				return
			}
			d, ferr := s.unitFormData(c, u, false)
			if ferr != nil {
				s.InternalError(c, ferr)
				return
			}
			d.Error = msg
			s.Render(c, status, "unit_edit", "units.edit", d)
		})
		return
	}
	s.SetFlash(c, "units.merged")
	c.Redirect(http.StatusSeeOther, "/app/units/"+code)
}

const auditPageSize = 50

type auditData struct {
	Entries []parindex.AuditEntry
	Filter  store.AuditFilter
	Page    int
	HasNext bool
	PrevURL string
	NextURL string
}

func (s *Server) auditPage(c *gin.Context) {
	page, _ := kit.QueryInt(c, "page")
	if page < 1 {
		page = 1
	}
	f := store.AuditFilter{
		ObjectType: strings.TrimSpace(c.Query("object_type")),
		ObjectID:   strings.TrimSpace(c.Query("object_id")),
		Actor:      strings.TrimSpace(c.Query("actor")),
		Limit:      auditPageSize + 1,
		Offset:     (page - 1) * auditPageSize,
	}
	entries, err := s.db.FindAudit(c.Request.Context(), f)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d := auditData{Filter: f, Page: page, Entries: entries}
	if len(entries) > auditPageSize {
		d.HasNext, d.Entries = true, entries[:auditPageSize]
	}
	q := c.Request.URL.Query()
	q.Set("page", strconv.Itoa(page+1))
	d.NextURL = "/admin/audit?" + q.Encode()
	q.Set("page", strconv.Itoa(page-1))
	d.PrevURL = "/admin/audit?" + q.Encode()
	s.Render(c, http.StatusOK, "audit", "audit.title", d)
}
