package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/store"
	"parindex/store/storetest"
)

var cli = parindex.Actor{Name: "test"}

func date(s string) parindex.Date {
	d, err := parindex.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// treeRows is a small province: two departments, a historical district with
// two old communes merged on 2025-07-01 into one new commune.
func treeRows() []parindex.OrgRow {
	return []parindex.OrgRow{
		{Row: 2, Code: "P", Name: "Tỉnh Thử", Type: "province", ValidFrom: "2000-01-01"},
		{Row: 3, Code: "SNV", Name: "Sở Nội vụ", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
		{Row: 4, Code: "STC", Name: "Sở Tài chính", Type: "department", Parent: "P", ValidFrom: "2000-01-01"},
		{Row: 5, Code: "H1", Name: "Huyện Cũ", Type: "district", Parent: "P", ValidFrom: "2000-01-01", ValidTo: "2025-06-30"},
		{Row: 6, Code: "X1", Name: "Xã Một", Type: "commune", Parent: "H1", ValidFrom: "2000-01-01", ValidTo: "2025-06-30", Successor: "XN"},
		{Row: 7, Code: "X2", Name: "Xã Hai", Type: "commune", Parent: "H1", ValidFrom: "2000-01-01", ValidTo: "2025-06-30", Successor: "XN"},
		{Row: 8, Code: "XN", Name: "Xã Mới", Type: "commune", Parent: "P", ValidFrom: "2025-07-01"},
	}
}

func codes(units []*parindex.OrgUnit) string {
	var out []string
	for _, u := range units {
		out = append(out, u.Code)
	}
	return strings.Join(out, ",")
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrgTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) }
		res, err := db.ImportOrgUnits(ctx, cli, "tree.csv", treeRows(), "initial load")
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 7 || res.Updated != 0 {
			t.Fatalf("import result = %+v, want 7 created", res)
		}

		for _, c := range []struct {
			what string
			find func() ([]*parindex.OrgUnit, error)
			want string
		}{
			{"children of P", func() ([]*parindex.OrgUnit, error) { return db.OrgChildren(ctx, "P") }, "H1,SNV,STC,XN"},
			{"descendants of P", func() ([]*parindex.OrgUnit, error) { return db.OrgDescendants(ctx, "P") }, "H1,SNV,STC,X1,X2,XN"},
			{"ancestors of X1", func() ([]*parindex.OrgUnit, error) { return db.OrgAncestors(ctx, "X1") }, "H1,P"},
			{"valid on 2025-06-30", func() ([]*parindex.OrgUnit, error) {
				return db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: date("2025-06-30")})
			}, "H1,P,SNV,STC,X1,X2"},
			{"communes valid on 2025-07-01", func() ([]*parindex.OrgUnit, error) {
				return db.FindOrgUnits(ctx, store.OrgFilter{ValidOn: date("2025-07-01"), Type: "commune"})
			}, "XN"},
			{"successor chain of X2", func() ([]*parindex.OrgUnit, error) { return db.OrgSuccessorChain(ctx, "X2") }, "XN"},
			{"predecessors of XN", func() ([]*parindex.OrgUnit, error) { return db.OrgPredecessors(ctx, "XN") }, "X1,X2"},
		} {
			units, err := c.find()
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(units); got != c.want {
				t.Errorf("%s = %s", c.what, got)
			}
		}
		desc, err := db.OrgDescendants(ctx, "P")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range desc {
			want := 1
			if u.Code == "X1" || u.Code == "X2" {
				want = 2
			}
			if u.Depth != want {
				t.Errorf("depth of %s = %d, want %d", u.Code, u.Depth, want)
			}
		}

		u := storetest.Unit(t, db, "X1")
		if u.ValidTo != date("2025-06-30") || u.ValidFrom != date("2000-01-01") || u.ParentCode != "H1" || u.SuccessorCode != "XN" {
			t.Errorf("X1 read back as %+v", u)
		}
		if _, err := db.OrgUnitByCode(ctx, "NOPE"); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("unknown code: err = %v, want not_found", err)
		}

		audit, err := db.FindAudit(ctx, store.AuditFilter{ObjectType: "org_unit", ObjectID: "X1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].Action != "org.create" || audit[0].Before != "" ||
			!strings.Contains(audit[0].After, `"successor":"XN"`) || audit[0].Reason != "initial load" ||
			!audit[0].At.Equal(db.Now()) {
			t.Errorf("audit of X1 = %+v", audit)
		}
	})
}

func TestOrgUpdateAndMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importTree(t, db)
		// Re-importing the same rows changes nothing and audits nothing.
		res, err := db.ImportOrgUnits(ctx, cli, "", treeRows(), "")
		if err != nil {
			t.Fatal(err)
		}
		if res != (store.OrgImportResult{Unchanged: 7}) {
			t.Errorf("re-import = %+v, want 7 unchanged", res)
		}
		if n := countRows(t, db, "audit_log"); n != 7 {
			t.Errorf("audit rows after a no-op re-import = %d, want 7", n)
		}

		// Rename and move one unit.
		res, err = db.ImportOrgUnits(ctx, cli, "", []parindex.OrgRow{
			{Row: 2, Code: "STC", Name: "Sở Tài chính tỉnh", Type: "department", Parent: "SNV", ValidFrom: "2000-01-01"},
		}, "restructure")
		if err != nil {
			t.Fatal(err)
		}
		if res.Updated != 1 {
			t.Errorf("update result = %+v", res)
		}
		u, _ := db.OrgUnitByCode(ctx, "STC")
		if u.Name != "Sở Tài chính tỉnh" || u.ParentCode != "SNV" {
			t.Errorf("STC after update = %+v", u)
		}
		audit, _ := db.FindAudit(ctx, store.AuditFilter{ObjectID: "STC"})
		if len(audit) != 2 || audit[0].Action != "org.update" || !strings.Contains(audit[0].Before, `"parent":"P"`) ||
			!strings.Contains(audit[0].After, `"parent":"SNV"`) {
			t.Errorf("audit of STC = %+v", audit)
		}

		// Moving SNV under STC would close a loop with the stored tree.
		_, err = db.ImportOrgUnits(ctx, cli, "", []parindex.OrgRow{
			{Row: 2, Code: "SNV", Name: "Sở Nội vụ", Type: "department", Parent: "STC", ValidFrom: "2000-01-01"},
		}, "")
		var ie parindex.InputErrors
		if !errors.As(err, &ie) || len(ie) != 1 || ie[0].Row != 2 || !strings.Contains(ie[0].EN, "SNV -> STC -> SNV") {
			t.Fatalf("cycle with stored units: err = %v", err)
		}

		// Merge SNV and STC into a new unit from 2026-01-01.
		if _, err := db.ImportOrgUnits(ctx, cli, "", []parindex.OrgRow{
			{Row: 2, Code: "SNVTC", Name: "Sở Nội vụ và Tài chính", Type: "department", Parent: "P", ValidFrom: "2026-01-01"},
		}, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.MergeOrgUnits(ctx, cli, []string{"SNV", "STC"}, "SNVTC", date("2026-01-01"), "Quyết định sáp nhập"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"SNV", "STC"} {
			u, _ := db.OrgUnitByCode(ctx, c)
			if u.ValidTo != date("2025-12-31") || u.SuccessorCode != "SNVTC" {
				t.Errorf("%s after merge = %+v", c, u)
			}
		}
		if err := db.MergeOrgUnits(ctx, cli, []string{"SNVTC"}, "SNVTC", date("2026-01-01"), ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("merge into itself: err = %v", err)
		}
	})
}

func TestOrgImportRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importTree(t, db)
		unitsBefore, auditBefore := countRows(t, db, "org_units"), countRows(t, db, "audit_log")
		bad := []parindex.OrgRow{
			{Row: 2, Code: "OK1", Name: "Đơn vị hợp lệ", Type: "other", Parent: "P", ValidFrom: "2026-01-01"},
			{Row: 3, Code: "A", Name: "A", Type: "other", Parent: "B", ValidFrom: "2026-01-01"},
			{Row: 4, Code: "B", Name: "B", Type: "other", Parent: "A", ValidFrom: "2026-01-01"},
			{Row: 5, Code: "C", Name: "C", Type: "other", Parent: "GHOST", ValidFrom: "2026-01-01"},
			{Row: 6, Code: "OK1", Name: "Trùng", Type: "other", ValidFrom: "2026-01-01"},
			{Row: 7, Code: "D", Name: "D", Type: "other", ValidFrom: "2026-02-30"},
		}
		_, err := db.ImportOrgUnits(ctx, cli, "bad.csv", bad, "")
		var ie parindex.InputErrors
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want InputErrors", err)
		}
		byRow := map[int]string{}
		for _, e := range ie {
			byRow[e.Row] += e.Column + ":" + e.EN + ";"
			if e.File != "bad.csv" {
				t.Errorf("error without file name: %+v", e)
			}
		}
		wantContains := map[int]string{
			3: "parent:parent links form a cycle: A -> B -> A",
			4: "parent:parent links form a cycle: A -> B -> A",
			5: `parent:unknown parent "GHOST"`,
			6: `code:duplicate code "OK1" (first at row 2)`,
			7: "valid_from:",
		}
		for row, want := range wantContains {
			if !strings.Contains(byRow[row], want) {
				t.Errorf("row %d errors = %q, want %q", row, byRow[row], want)
			}
		}
		if _, ok := byRow[2]; ok {
			t.Errorf("valid row 2 reported: %q", byRow[2])
		}
		if u, a := countRows(t, db, "org_units"), countRows(t, db, "audit_log"); u != unitsBefore || a != auditBefore {
			t.Errorf("after a failed import: %d units, %d audit rows; want %d, %d", u, a, unitsBefore, auditBefore)
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second migrate applied %v, want nothing", applied)
		}
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(status) == 0 {
			t.Fatal("no migrations known")
		}
		for _, s := range status {
			if !s.Applied {
				t.Errorf("migration %d not applied", s.Version)
			}
		}
		current, err := db.SchemaCurrent(ctx)
		if err != nil || !current {
			t.Errorf("SchemaCurrent = %v, %v", current, err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportOrgUnits(ctx, cli, "", treeRows()[:1], ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE audit_log SET actor = 'someone else'`); err == nil {
			t.Error("UPDATE of audit_log succeeded")
		}
		if _, err := db.SQL().Exec(`DELETE FROM audit_log`); err == nil {
			t.Error("DELETE from audit_log succeeded")
		}
		if n := countRows(t, db, "audit_log"); n != 1 {
			t.Errorf("audit rows = %d, want 1", n)
		}
	})
}
