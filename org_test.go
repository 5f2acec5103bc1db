package parindex_test

import (
	"strings"
	"testing"

	"parindex"
)

// Units are listed by type (province, centres, departments, wards, communes,
// historical districts), then by name in Vietnamese alphabetical order:
// Đ after D, Ă after A.
func TestSortUnits(t *testing.T) {
	units := []*parindex.OrgUnit{
		{Code: "H1", Name: "Huyện Cũ", Type: parindex.OrgTypeDistrict},
		{Code: "X2", Name: "Xã Đông Hòa", Type: parindex.OrgTypeCommune},
		{Code: "S2", Name: "Sở Y tế", Type: parindex.OrgTypeDepartment},
		{Code: "X1", Name: "Xã Dương Minh", Type: parindex.OrgTypeCommune},
		{Code: "P1", Name: "Phường Ăn Khê", Type: parindex.OrgTypeWard},
		{Code: "P2", Name: "Phường An Lạc", Type: parindex.OrgTypeWard},
		{Code: "S1", Name: "Sở Nội vụ", Type: parindex.OrgTypeDepartment},
		{Code: "TT", Name: "Trung tâm Phục vụ hành chính công", Type: parindex.OrgTypeOneStopCentre},
		{Code: "T", Name: "Tỉnh Minh Giang", Type: parindex.OrgTypeProvince},
	}
	parindex.SortUnits(units)
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	if got, want := strings.Join(codes, " "), "T TT S1 S2 P2 P1 X1 X2 H1"; got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
}
