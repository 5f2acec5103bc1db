package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"parindex"
	"parindex/store"
	"parindex/web/kit"
)

type Unit struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Parent    string `json:"parent,omitempty"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to,omitempty"`
	Successor string `json:"successor,omitempty"`
}

func unitOf(u *parindex.OrgUnit) Unit {
	return Unit{u.Code, u.Name, u.Type, u.ParentCode, u.ValidFrom.String(), u.ValidTo.String(), u.SuccessorCode}
}

// unitIndex is every unit with what the policy needs to decide about it.
type unitIndex struct {
	all       []*parindex.OrgUnit // by code
	byCode    map[string]*parindex.OrgUnit
	ancestors map[int64][]int64
}

func (a *Handler) units(ctx context.Context) (*unitIndex, error) {
	all, err := a.db.FindOrgUnits(ctx, store.OrgFilter{})
	if err != nil {
		return nil, err
	}
	ix := &unitIndex{all: all, byCode: make(map[string]*parindex.OrgUnit, len(all)), ancestors: parindex.AncestorIDs(all)}
	for _, u := range all {
		ix.byCode[u.Code] = u
	}
	return ix, nil
}

func (ix *unitIndex) target(u *parindex.OrgUnit) parindex.Target {
	return parindex.Target{UnitID: u.ID, UnitAncestors: ix.ancestors[u.ID]}
}

// readable returns whether the token may read the unit with a code, for
// the answers that list units' figures and leave out the ones it may not
// read; false, with the error answered, when the units could not be read.
func (a *Handler) readable(c *gin.Context) (func(code string) bool, bool) {
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return nil, false
	}
	u := userOf(c)
	return func(code string) bool {
		unit := ix.byCode[code]
		return unit != nil && parindex.Can(u, parindex.ActionReadAPI, ix.target(unit))
	}, true
}

// readableUnit finds a unit the token may read: 404 for an unknown code,
// 403 for a unit outside the token's scope.
func (a *Handler) readableUnit(c *gin.Context, ix *unitIndex, code string) (*parindex.OrgUnit, bool) {
	u := ix.byCode[code]
	if u == nil {
		a.fail(c, parindex.Errorf(parindex.ECodeNotFound, "Không có đơn vị mã %q (no unit with code %q)", code, code), "unit")
		return nil, false
	}
	if !parindex.Can(userOf(c), parindex.ActionReadAPI, ix.target(u)) {
		a.fail(c, parindex.Errorf(parindex.ECodeForbidden, "Mã truy cập này không đọc được đơn vị %s (this token may not read unit %s)", code, code), "unit")
		return nil, false
	}
	return u, true
}

func (a *Handler) today() parindex.Date { return parindex.DateOf(a.db.Now().In(kit.VietnamTime)) }

// listUnits: units valid today (or ?valid_on=, or every unit with
// ?all=true), of a type with ?type=, that the token may read, by code.
func (a *Handler) listUnits(c *gin.Context) {
	p, ok := a.page(c)
	if !ok {
		return
	}
	on := a.today()
	if v := c.Query("valid_on"); v != "" {
		d, err := parindex.ParseDate(v)
		if err != nil {
			a.invalid(c, "valid_on", "valid_on cần dạng yyyy-mm-dd", "valid_on must be yyyy-mm-dd")
			return
		}
		on = d
	}
	all := c.Query("all") == "true"
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return
	}
	u := userOf(c)
	typ := c.Query("type")
	var units []*parindex.OrgUnit
	for _, unit := range ix.all {
		if (all || unit.ValidOn(on)) && (typ == "" || unit.Type == typ) && parindex.Can(u, parindex.ActionReadAPI, ix.target(unit)) {
			units = append(units, unit)
		}
	}
	units, next := pageByCode(units, func(u *parindex.OrgUnit) string { return u.Code }, p)
	out := make([]Unit, len(units))
	for i, unit := range units {
		out[i] = unitOf(unit)
	}
	a.list(c, out, next)
}

func (a *Handler) getUnit(c *gin.Context) {
	u, ok := a.unitParam(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": unitOf(u)})
}

// unitParam is the unit of the route's :code when the token may read it;
// otherwise it answers and returns false.
func (a *Handler) unitParam(c *gin.Context) (*parindex.OrgUnit, bool) {
	ix, err := a.units(c.Request.Context())
	if err != nil {
		a.fail(c, err, "")
		return nil, false
	}
	return a.readableUnit(c, ix, c.Param("code"))
}
