package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/password"
	"parindex/store"
	"parindex/web/kit"
)

// visibleUnits returns the units of the filter that the user may view, in
// display order, each with the ancestors used to decide.
func (s *Server) visibleUnits(c *gin.Context, f store.OrgFilter) ([]*parindex.OrgUnit, error) {
	all, err := s.db.FindOrgUnits(c.Request.Context(), store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	ancestors := parindex.AncestorIDs(all)
	units := all
	if f != (store.OrgFilter{}) {
		if units, err = s.db.FindOrgUnits(c.Request.Context(), f); err != nil {
			return nil, err
		}
	}
	u := kit.CurrentUser(c)
	var out []*parindex.OrgUnit
	for _, unit := range units {
		t := parindex.Target{UnitID: unit.ID, UnitAncestors: ancestors[unit.ID]}
		if parindex.Can(u, parindex.ActionViewUnit, t) {
			out = append(out, unit)
		}
	}
	parindex.SortUnits(out)
	return out, nil
}

// UnitTarget loads a unit and the authorisation target for it.
func (s *Server) UnitTarget(c *gin.Context, code string) (*parindex.OrgUnit, parindex.Target, error) {
	unit, err := s.db.OrgUnitByCode(c.Request.Context(), code)
	if err != nil {
		return nil, parindex.Target{}, err
	}
	anc, err := s.db.OrgAncestors(c.Request.Context(), code)
	if err != nil {
		return nil, parindex.Target{}, err
	}
	return unit, parindex.UnitTarget(unit, anc), nil
}

// viewableUnit loads a unit the user may view, with its authorisation
// target, or answers 403 (also for an unknown code, unless the user sees the
// whole province, so probing codes reveals nothing) and returns false.
func (s *Server) viewableUnit(c *gin.Context, code string) (*parindex.OrgUnit, parindex.Target, bool) {
	unit, target, err := s.UnitTarget(c, code)
	if err != nil {
		if parindex.ErrorCode(err) == parindex.ECodeNotFound && !seesProvince(c) {
			s.Forbidden(c)
			return nil, parindex.Target{}, false
		}
		s.Fail(c, err)
		return nil, parindex.Target{}, false
	}
	if !s.Authorize(c, parindex.ActionViewUnit, target) {
		return nil, parindex.Target{}, false
	}
	return unit, target, true
}

type homeData struct {
	Units    []*parindex.OrgUnit
	Province bool
}

func (s *Server) appHome(c *gin.Context) {
	u := kit.CurrentUser(c)
	d := homeData{Province: parindex.CanAny(u, parindex.ActionViewProvince)}
	if !d.Province {
		var err error
		if d.Units, err = s.visibleUnits(c, store.OrgFilter{ValidOn: parindex.DateOf(s.db.Now())}); err != nil {
			s.InternalError(c, err)
			return
		}
	}
	s.Render(c, http.StatusOK, "app_home", "home.title", d)
}

type unitsData struct {
	Trees      []*parindex.OrgNode
	On         string
	Historical bool
	CanManage  bool
}

func (s *Server) unitsPage(c *gin.Context) {
	d := unitsData{Historical: c.Query("all") == "1", On: c.Query("on"), CanManage: parindex.Can(kit.CurrentUser(c), parindex.ActionManageOrgs, parindex.Target{})}
	f := store.OrgFilter{}
	if !d.Historical {
		f.ValidOn = parindex.DateOf(s.db.Now().In(kit.VietnamTime))
		if d.On != "" {
			on, err := parindex.ParseDate(d.On)
			if err != nil {
				s.BadRequest(c, "error.bad_date")
				return
			}
			f.ValidOn = on
		}
		d.On = f.ValidOn.String()
	}
	units, err := s.visibleUnits(c, f)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	d.Trees = parindex.BuildOrgTree(units)
	s.Render(c, http.StatusOK, "units", "units.title", d)
}

type unitData struct {
	Unit         *parindex.OrgUnit
	Parent       *parindex.OrgUnit
	Children     []*parindex.OrgUnit
	Predecessors []*parindex.OrgUnit
	Successor    *parindex.OrgUnit
	CanManage    bool
}

func (s *Server) unitPage(c *gin.Context) {
	unit, _, ok := s.viewableUnit(c, c.Param("code"))
	if !ok {
		return
	}
	d := unitData{Unit: unit, CanManage: parindex.Can(kit.CurrentUser(c), parindex.ActionManageOrgs, parindex.Target{})}
	// Related units are listed only when the user may view them too.
	visible, err := s.visibleUnits(c, store.OrgFilter{})
	if err != nil {
		s.InternalError(c, err)
		return
	}
	for _, v := range visible {
		switch {
		case v.Code == unit.ParentCode:
			d.Parent = v
		case v.ParentCode == unit.Code:
			d.Children = append(d.Children, v)
		case v.SuccessorCode == unit.Code:
			d.Predecessors = append(d.Predecessors, v)
		case v.Code == unit.SuccessorCode:
			d.Successor = v
		}
	}
	s.Render(c, http.StatusOK, "unit", "units.title", d)
}

type accountData struct {
	Error string
}

func (s *Server) accountPage(c *gin.Context) {
	s.Render(c, http.StatusOK, "account", "account.title", accountData{})
}

func (s *Server) changePassword(c *gin.Context) {
	ctx := c.Request.Context()
	u := kit.CurrentUser(c)
	lang := s.Lang(c)
	_, hash, err := s.db.UserCredentials(ctx, u.Username)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !password.Verify(hash, c.PostForm("current")) {
		s.Render(c, http.StatusBadRequest, "account", "account.title", accountData{Error: kit.T(lang, "account.wrong_current")})
		return
	}
	newPW := c.PostForm("new")
	if err := password.Check(u.Username, newPW); err != nil {
		s.Render(c, http.StatusBadRequest, "account", "account.title", accountData{Error: err.Error()})
		return
	}
	newHash, err := password.Hash(newPW, s.passwordParams)
	if err != nil {
		s.InternalError(c, err)
		return
	}
	if err := s.db.SetPassword(ctx, kit.Actor(c), u.ID, newHash, ""); err != nil {
		s.Fail(c, err)
		return
	}
	// SetPassword ended every session, this one included; keep this one.
	if err := s.keepSession(c, u.ID); err != nil {
		s.InternalError(c, err)
		return
	}
	s.SetFlash(c, "account.changed")
	c.Redirect(http.StatusSeeOther, "/account")
}

func (s *Server) logoutEverywhere(c *gin.Context) {
	u := kit.CurrentUser(c)
	if err := s.db.EndAllSessions(c.Request.Context(), kit.Actor(c), u.ID); err != nil {
		s.Fail(c, err)
		return
	}
	_ = s.sessions.Destroy(c.Request.Context())
	c.Redirect(http.StatusSeeOther, "/login")
}

// keepSession moves the current session to the user's new epoch, under a
// new token.
func (s *Server) keepSession(c *gin.Context, userID int64) error {
	u, err := s.db.UserByID(c.Request.Context(), userID)
	if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(c.Request.Context()); err != nil {
		return err
	}
	s.sessions.Put(c.Request.Context(), sessEpoch, u.SessionEpoch)
	return nil
}
