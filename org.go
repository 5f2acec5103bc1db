package parindex

import (
	"sort"

	"parindex/vn"
)

// Organisation unit types seeded by the first migration. The set is data (the
// org_types table), so a province can add a type without a code change; these
// constants name the ones the code itself reasons about.
const (
	OrgTypeProvince      = "province"
	OrgTypeDepartment    = "department"
	OrgTypeCommune       = "commune"
	OrgTypeWard          = "ward"
	OrgTypeDistrict      = "district" // historical: district committees ended on 1 July 2025
	OrgTypeOneStopCentre = "one_stop_centre"
	OrgTypeOther         = "other"
)

// OrgUnit is a node of the organisation tree: the province, its departments,
// communes and wards, one-stop centres, and historical units kept for old data.
// A unit is valid from ValidFrom to ValidTo inclusive (ValidTo zero: still
// valid). When units merge, each old unit names the one unit that succeeded it.
type OrgUnit struct {
	ID            int64
	Code          string
	Name          string
	Type          string
	ParentID      int64 // 0 for a root
	ParentCode    string
	ValidFrom     Date
	ValidTo       Date
	SuccessorCode string // "" when the unit has no successor
	Depth         int    // filled by tree queries: 0 for a root
}

// ValidOn reports whether the unit exists on day d.
func (u *OrgUnit) ValidOn(d Date) bool {
	if !u.ValidFrom.IsZero() && d.Before(u.ValidFrom) {
		return false
	}
	return u.ValidTo.IsZero() || !u.ValidTo.Before(d)
}

// unitTypeOrder puts the province first, then centres, departments, wards,
// communes and historical districts.
var unitTypeOrder = map[string]int{OrgTypeProvince: 0, OrgTypeOneStopCentre: 1, OrgTypeDepartment: 2, OrgTypeWard: 3, OrgTypeCommune: 4, OrgTypeDistrict: 5, OrgTypeOther: 6}

// SortUnits orders units by type, then by name in Vietnamese alphabetical
// order; every list and tree of units people read uses it.
func SortUnits(units []*OrgUnit) {
	vn.SortBy(units, func(u *OrgUnit) string { return u.Name })
	sort.SliceStable(units, func(i, j int) bool { return unitTypeOrder[units[i].Type] < unitTypeOrder[units[j].Type] })
}

// OrgType is one kind of organisation unit, with its Vietnamese and English names.
type OrgType struct {
	Code   string
	NameVI string
	NameEN string
}

// OrgNode is a unit with its children, for drawing trees.
type OrgNode struct {
	Unit     *OrgUnit
	Children []*OrgNode
}

// BuildOrgTree arranges units into trees, keeping the order of units among
// siblings. A unit whose parent is not in the list becomes a root, so a list
// filtered to what a user may see still draws as a tree.
func BuildOrgTree(units []*OrgUnit) []*OrgNode {
	nodes := make(map[string]*OrgNode, len(units))
	for _, u := range units {
		nodes[u.Code] = &OrgNode{Unit: u}
	}
	var roots []*OrgNode
	for _, u := range units {
		n := nodes[u.Code]
		if p, ok := nodes[u.ParentCode]; ok && u.ParentCode != u.Code {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

// AncestorIDs returns, for each unit in the list, the ids of the units above
// it (nearest first), following parent codes within the list.
func AncestorIDs(units []*OrgUnit) map[int64][]int64 {
	byCode := make(map[string]*OrgUnit, len(units))
	for _, u := range units {
		byCode[u.Code] = u
	}
	out := make(map[int64][]int64, len(units))
	for _, u := range units {
		var ids []int64
		seen := map[string]bool{u.Code: true}
		for p := byCode[u.ParentCode]; p != nil && !seen[p.Code]; p = byCode[p.ParentCode] {
			seen[p.Code] = true
			ids = append(ids, p.ID)
		}
		out[u.ID] = ids
	}
	return out
}
