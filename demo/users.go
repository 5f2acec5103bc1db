package demo

import (
	"context"
	"fmt"

	"parindex"
	"parindex/password"
	"parindex/store"
)

// Password is the shared password of every demo account. Demo accounts are
// marked as such in the database and on the accounts page; never run the
// demo on a production database.
const Password = "parindex-demo"

// Account is one documented demo login.
type Account struct {
	Username, DisplayName, About string
	Grant                        parindex.RoleGrant
}

// Accounts lists the demo logins, one for each kind of user.
var Accounts = []Account{
	{"demo.sonoivu", "Nguyễn Thị Hồng (Sở Nội vụ)", "quản trị (admin)", parindex.RoleGrant{Role: parindex.RoleAdmin}},
	{"demo.lanhdao", "Trần Văn Bình (UBND tỉnh)", "lãnh đạo, chỉ xem (viewer)", parindex.RoleGrant{Role: parindex.RoleViewer}},
	{"demo.snv.canbo", "Lê Thu Trang (Sở Nội vụ)", "cán bộ Sở Nội vụ (agency_editor)", parindex.RoleGrant{Role: parindex.RoleAgencyEditor, UnitCode: "SNV"}},
	{"demo.snv.lanhdao", "Phạm Quốc Huy (Sở Nội vụ)", "lãnh đạo Sở Nội vụ (agency_leader)", parindex.RoleGrant{Role: parindex.RoleAgencyLeader, UnitCode: "SNV"}},
	{"demo.stp.canbo", "Võ Minh Châu (Sở Tư pháp)", "cán bộ Sở Tư pháp (agency_editor)", parindex.RoleGrant{Role: parindex.RoleAgencyEditor, UnitCode: "STP"}},
	{"demo.x001.lanhdao", "Đặng Văn Lâm (UBND xã Bình Sơn)", "lãnh đạo UBND xã Bình Sơn (agency_leader)", parindex.RoleGrant{Role: parindex.RoleAgencyLeader, UnitCode: "X001"}},
	{"demo.thamdinh.tuphap", "Hoàng Thị Mai (Sở Tư pháp)", "thẩm định lĩnh vực 2 (appraiser)", parindex.RoleGrant{Role: parindex.RoleAppraiser, Framework: "province-departments-2026", Area: "2"}},
	{"demo.thamdinh.taichinh", "Bùi Đức Nam (Sở Tài chính)", "thẩm định lĩnh vực 6 (appraiser)", parindex.RoleGrant{Role: parindex.RoleAppraiser, Framework: "province-departments-2026", Area: "6"}},
}

// seedUsers creates the demo accounts that do not exist yet.
func seedUsers(ctx context.Context, db *store.DB, actor parindex.Actor) (created int, err error) {
	existing, err := db.FindUsers(ctx)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, u := range existing {
		have[u.Username] = true
	}
	hash, err := password.Hash(Password, password.Default)
	if err != nil {
		return 0, err
	}
	for _, a := range Accounts {
		if have[a.Username] {
			continue
		}
		u := &parindex.User{Username: a.Username, DisplayName: a.DisplayName, IsDemo: true, Lang: "vi",
			Grants: []parindex.RoleGrant{a.Grant}}
		if err := db.CreateUser(ctx, actor, u, hash); err != nil {
			return created, fmt.Errorf("demo: account %s: %w", a.Username, err)
		}
		created++
	}
	return created, nil
}
