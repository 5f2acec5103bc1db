package demo

import (
	"fmt"

	"parindex"
)

// ProvinceCode is the code of the demo province, the root of its tree.
const ProvinceCode = "MG"

const (
	provinceSince = "1997-01-01"
	reformDay     = "2025-07-01" // two-tier local government starts
	lastDistrict  = "2025-06-30"
)

var departments = []struct{ code, name string }{
	{"VPUB", "Văn phòng Ủy ban nhân dân tỉnh"},
	{"SNV", "Sở Nội vụ"},
	{"STP", "Sở Tư pháp"},
	{"STC", "Sở Tài chính"},
	{"SCT", "Sở Công Thương"},
	{"SNNMT", "Sở Nông nghiệp và Môi trường"},
	{"SXD", "Sở Xây dựng"},
	{"SKHCN", "Sở Khoa học và Công nghệ"},
	{"SGDDT", "Sở Giáo dục và Đào tạo"},
	{"SYT", "Sở Y tế"},
	{"SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"},
	{"SDTTG", "Sở Dân tộc và Tôn giáo"},
	{"SNGV", "Sở Ngoại vụ"},
	{"TTRA", "Thanh tra tỉnh"},
	{"BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"},
	{"BQLDA", "Ban Quản lý dự án đầu tư xây dựng tỉnh"},
	{"DPTTH", "Đài Phát thanh và Truyền hình tỉnh"},
	{"BHXH", "Bảo hiểm xã hội tỉnh"},
	{"CATINH", "Công an tỉnh"},
	{"THUE", "Thuế tỉnh"},
}

// Syllables of the fictional place names: every pair is a plausible
// Vietnamese commune name, and none is meant to name a real place.
var (
	placeFirst  = []string{"Tân", "Hòa", "Phú", "An", "Bình", "Long", "Thạnh", "Mỹ", "Vĩnh", "Phước", "Đông", "Thuận"}
	placeSecond = []string{"Lộc", "Hưng", "Thành", "Điền", "Xuân", "Lợi", "Khánh", "Hiệp", "Thịnh", "Sơn", "Quang", "Đức"}
)

func placeName(i int) string {
	return placeFirst[i%len(placeFirst)] + " " + placeSecond[(i*5+i/len(placeFirst))%len(placeSecond)]
}

// OrgRows returns the demo organisation tree as import rows.
func OrgRows() []parindex.OrgRow {
	var rows []parindex.OrgRow
	add := func(code, name, typ, parent, from, to, successor string) {
		rows = append(rows, parindex.OrgRow{Row: len(rows) + 2, Code: code, Name: name, Type: typ,
			Parent: parent, ValidFrom: from, ValidTo: to, Successor: successor})
	}
	add(ProvinceCode, "Tỉnh Minh Giang", parindex.OrgTypeProvince, "", provinceSince, "", "")
	add("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh", parindex.OrgTypeOneStopCentre, ProvinceCode, "2019-01-01", "", "")
	for _, d := range departments {
		add(d.code, d.name, parindex.OrgTypeDepartment, ProvinceCode, provinceSince, "", "")
	}
	// 16 wards and 44 communes of the two-tier province.
	used := map[string]bool{}
	n := 0
	for i := 0; n < 60; i++ {
		name := placeName(i)
		if used[name] {
			continue
		}
		used[name] = true
		n++
		if n <= 16 {
			add(fmt.Sprintf("P%03d", n), "Phường "+name, parindex.OrgTypeWard, ProvinceCode, reformDay, "", "")
		} else {
			add(fmt.Sprintf("X%03d", n-16), "Xã "+name, parindex.OrgTypeCommune, ProvinceCode, reformDay, "", "")
		}
	}
	// Two districts abolished on 1 July 2025: their communes merged, several
	// into one, into communes of the new tree.
	history := []struct {
		code, name, typ string
		communes        []struct{ code, name, typ, successor string }
	}{
		{"H-TANLAP", "Huyện Tân Lập", parindex.OrgTypeDistrict, []struct{ code, name, typ, successor string }{
			{"H-TANLAP-01", "Thị trấn Tân Lập", parindex.OrgTypeWard, "P001"},
			{"H-TANLAP-02", "Xã Tân Lập Đông", parindex.OrgTypeCommune, "P001"},
			{"H-TANLAP-03", "Xã Tân Lập Tây", parindex.OrgTypeCommune, "X001"},
			{"H-TANLAP-04", "Xã Bàu Sen", parindex.OrgTypeCommune, "X001"},
			{"H-TANLAP-05", "Xã Gò Me", parindex.OrgTypeCommune, "X001"},
		}},
		{"TX-HOAAN", "Thị xã Hòa An", parindex.OrgTypeDistrict, []struct{ code, name, typ, successor string }{
			{"TX-HOAAN-01", "Phường Hòa An 1", parindex.OrgTypeWard, "P002"},
			{"TX-HOAAN-02", "Phường Hòa An 2", parindex.OrgTypeWard, "P002"},
			{"TX-HOAAN-03", "Xã Rạch Cát", parindex.OrgTypeCommune, "X002"},
			{"TX-HOAAN-04", "Xã Cồn Tre", parindex.OrgTypeCommune, "X002"},
		}},
	}
	for _, h := range history {
		add(h.code, h.name, h.typ, ProvinceCode, "2005-01-01", lastDistrict, "")
		for _, c := range h.communes {
			add(c.code, c.name, c.typ, h.code, "2005-01-01", lastDistrict, c.successor)
		}
	}
	return rows
}
