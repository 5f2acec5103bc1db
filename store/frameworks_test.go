package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"parindex"
	"parindex/criteria"
	"parindex/store"
	"parindex/store/storetest"
)

func reference(t *testing.T, code string) *criteria.Framework {
	t.Helper()
	f, err := criteria.Reference(code)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// reworked is the framework with leaf 1.5 replaced by a new leaf 1.6 of the
// same maximum: one node dropped, one node new, the total unchanged.
func reworked(f *criteria.Framework) *criteria.Framework {
	f = f.Clone()
	area := f.Find("1")
	var kept []*criteria.Node
	for _, n := range area.Children {
		if n.Code != "1.5" {
			kept = append(kept, n)
		}
	}
	max := 1.5
	area.Children = append(kept, &criteria.Node{Code: "1.6", Name: "Tiêu chí mới", Max: &max, Method: criteria.MethodBoolean})
	return f
}

func frameworkAudit(t *testing.T, db *store.DB, code string) []parindex.AuditEntry {
	t.Helper()
	entries, err := db.FindAudit(context.Background(), store.AuditFilter{ObjectType: "framework", ObjectID: code})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestFrameworkImportReplacePublish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		f := reference(t, "province-departments-2026")

		res, err := db.ImportFramework(ctx, cli, f, "first draft")
		if err != nil {
			t.Fatal(err)
		}
		rec := res.Record
		want, _ := criteria.Marshal(f)
		if res.Action != store.ImportCreated || rec.Status != store.FrameworkDraft || rec.Hash != f.Hash() ||
			!bytes.Equal(rec.Source, want) || rec.Year != 2026 || strings.Join(rec.AgencyTypes, ",") != "department" ||
			rec.CreatedBy != "test" || !rec.CreatedAt.Equal(clock) || !rec.PublishedAt.IsZero() {
			t.Fatalf("import = %s %+v", res.Action, rec)
		}
		back, err := rec.Framework()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := criteria.Marshal(back); !bytes.Equal(got, want) {
			t.Error("stored source does not read back as the same framework")
		}

		// The same content again changes nothing and is not audited.
		if res, err := db.ImportFramework(ctx, cli, f.Clone(), ""); err != nil || res.Action != store.ImportUnchanged {
			t.Errorf("re-import of the same draft = %v, %v", res.Action, err)
		}
		if a := frameworkAudit(t, db, f.Code); len(a) != 1 || a[0].Action != "framework.import" || a[0].Reason != "first draft" ||
			!strings.Contains(a[0].After, `"status":"draft"`) || !strings.Contains(a[0].After, f.Hash()) {
			t.Fatalf("audit after import = %+v", a)
		}

		// Re-importing a draft with other content replaces it, audited.
		clock = clock.Add(time.Hour)
		changed := f.Clone()
		changed.Name = "Bộ chỉ số (dự thảo 2)"
		res, err = db.ImportFramework(ctx, parindex.Actor{Name: "other"}, changed, "second draft")
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ImportReplaced || res.Record.Name != changed.Name || res.Record.Hash != changed.Hash() ||
			res.Record.UpdatedBy != "other" || !res.Record.UpdatedAt.Equal(clock) || res.Record.CreatedBy != "test" || res.Record.ID != rec.ID {
			t.Fatalf("replace = %s %+v", res.Action, res.Record)
		}
		a := frameworkAudit(t, db, f.Code)
		if len(a) != 2 || a[0].Action != "framework.replace" || !strings.Contains(a[0].Before, f.Hash()) || !strings.Contains(a[0].After, changed.Hash()) {
			t.Fatalf("audit after replace = %+v", a)
		}

		// Publish freezes it.
		clock = clock.Add(time.Hour)
		pub, err := db.PublishFramework(ctx, cli, f.Code, "Quyết định 12/QĐ-SNV")
		if err != nil {
			t.Fatal(err)
		}
		if !pub.Published() || !pub.PublishedAt.Equal(clock) || pub.PublishedBy != "test" || pub.Hash != changed.Hash() {
			t.Fatalf("published = %+v", pub)
		}
		if a := frameworkAudit(t, db, f.Code); len(a) != 3 || a[0].Action != "framework.publish" ||
			!strings.Contains(a[0].After, `"status":"published"`) || a[0].Reason != "Quyết định 12/QĐ-SNV" {
			t.Fatalf("audit after publish = %+v", a)
		}

		// After publishing, nothing changes it, and a refusal writes no audit row.
		audits := countRows(t, db, "audit_log")
		_, err = db.ImportFramework(ctx, cli, f, "")
		if parindex.ErrorCode(err) != parindex.ECodeConflict || !strings.Contains(err.Error(), "đã ban hành") || !strings.Contains(err.Error(), "new code") {
			t.Errorf("re-import of a published code: err = %v", err)
		}
		if _, err := db.PublishFramework(ctx, cli, f.Code, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("second publish: err = %v", err)
		}
		if _, err := db.PublishFramework(ctx, cli, "no-such-code", ""); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("publish of an unknown code: err = %v", err)
		}
		if n := countRows(t, db, "audit_log"); n != audits {
			t.Errorf("refused changes wrote %d audit rows", n-audits)
		}
		if got, _ := db.FrameworkByCode(ctx, f.Code); got.Hash != changed.Hash() || got.Name != changed.Name {
			t.Errorf("published framework changed: %+v", got)
		}

		// The database itself refuses to change or delete a published row.
		if _, err := db.SQL().Exec(`UPDATE frameworks SET name = 'x' WHERE code = $1`, f.Code); err == nil {
			t.Error("UPDATE of a published framework succeeded")
		}
		if _, err := db.SQL().Exec(`DELETE FROM frameworks WHERE code = $1`, f.Code); err == nil {
			t.Error("DELETE of a published framework succeeded")
		}

		// An invalid framework is refused before anything is written.
		bad := reference(t, "communes-2026")
		bad.Year = 1990
		if _, err := db.ImportFramework(ctx, cli, bad, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid || !strings.Contains(err.Error(), "1990") {
			t.Errorf("invalid framework: err = %v", err)
		}
		list, err := db.FindFrameworks(ctx, store.FrameworkFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("frameworks = %v, %v", list, err)
		}
		if got, _ := db.FindFrameworks(ctx, store.FrameworkFilter{Status: store.FrameworkDraft}); len(got) != 0 {
			t.Errorf("drafts = %d, want 0", len(got))
		}
	})
}

func TestFrameworkCopyToNextYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := importReference(t, db, "province-departments-2026")
		// A draft cannot be copied: its mapping would follow a moving target.
		if _, err := db.CopyFramework(ctx, cli, f.Code, "province-departments-2027", 2027, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("copy of a draft: err = %v", err)
		}
		if _, err := db.PublishFramework(ctx, cli, f.Code, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CopyFramework(ctx, cli, f.Code, "x-2026", 2026, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("copy to the same year: err = %v", err)
		}
		if _, err := db.CopyFramework(ctx, cli, f.Code, f.Code, 2027, ""); parindex.ErrorCode(err) != parindex.ECodeConflict {
			t.Errorf("copy onto a taken code: err = %v", err)
		}
		if _, err := db.CopyFramework(ctx, cli, f.Code, "bad code!", 2027, ""); parindex.ErrorCode(err) != parindex.ECodeInvalid {
			t.Errorf("copy to a malformed code: err = %v", err)
		}

		cp, err := db.CopyFramework(ctx, cli, f.Code, "province-departments-2027", 2027, "năm mới")
		if err != nil {
			t.Fatal(err)
		}
		if cp.Status != store.FrameworkDraft || cp.Year != 2027 || cp.CopiedFrom != f.Code || !strings.Contains(cp.Name, "năm 2027") {
			t.Fatalf("copy = %+v", cp)
		}
		copied, err := cp.Framework()
		if err != nil {
			t.Fatal(err)
		}
		if copied.Code != "province-departments-2027" || copied.Year != 2027 || len(copied.All()) != len(f.All()) {
			t.Errorf("copied framework = %s %d with %d nodes", copied.Code, copied.Year, len(copied.All()))
		}
		m, err := db.FrameworkMappings(ctx, cp.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != len(f.All()) {
			t.Fatalf("mapping has %d entries, want %d", len(m), len(f.All()))
		}
		for _, e := range m {
			if e.Kind != store.MappingMapped || e.OldNode != e.NewNode || e.Previous != f.Code || e.Framework != cp.Code {
				t.Errorf("mapping entry %+v, want identity", e)
			}
		}
		if a := frameworkAudit(t, db, cp.Code); len(a) != 1 || a[0].Action != "framework.copy" || a[0].Reason != "năm mới" ||
			!strings.Contains(a[0].After, `"copied_from":"province-departments-2026"`) {
			t.Errorf("audit of the copy = %+v", a)
		}

		// Replacing the draft recomputes the mapping.
		next := reworked(copied)
		res, err := db.ImportFramework(ctx, cli, next, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ImportReplaced || res.Record.CopiedFrom != f.Code {
			t.Fatalf("replace of the copy = %s %+v", res.Action, res.Record)
		}
		m, err = db.FrameworkMappings(ctx, cp.Code)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, e := range m {
			kinds[e.Kind+":"+e.OldNode+">"+e.NewNode] = e.Kind
		}
		if _, ok := kinds["dropped:1.5>"]; !ok {
			t.Errorf("1.5 not dropped: %v", kinds)
		}
		if _, ok := kinds["new:>1.6"]; !ok {
			t.Errorf("1.6 not new: %v", kinds)
		}
		if _, ok := kinds["mapped:1.4>1.4"]; !ok || len(m) != len(f.All())+1 {
			t.Errorf("mapping after replace = %v", kinds)
		}
		if a := frameworkAudit(t, db, cp.Code); len(a) != 2 || !strings.Contains(a[0].After, `"mapping_dropped":1`) || !strings.Contains(a[0].After, `"mapping_new":1`) {
			t.Errorf("audit of the replace = %+v", a)
		}
		if m, err := db.FrameworkMappings(ctx, f.Code); err != nil || len(m) != 0 {
			t.Errorf("mapping of an original = %v, %v", m, err)
		}
	})
}

// TestFailingChangeWritesNoAudit makes the last statement of a copy fail
// (after its audit row was written) and checks that nothing stays behind.
func TestFailingChangeWritesNoAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := importReference(t, db, "service-index-766")
		if _, err := db.PublishFramework(ctx, cli, f.Code, ""); err != nil {
			t.Fatal(err)
		}
		trigger := `CREATE TRIGGER refuse_mappings BEFORE INSERT ON framework_mappings
			BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`
		if db.Dialect() == store.Postgres {
			if _, err := db.SQL().Exec(`CREATE FUNCTION refuse_mappings() RETURNS trigger AS $$
				BEGIN RAISE EXCEPTION 'refused for the test'; END; $$ LANGUAGE plpgsql`); err != nil {
				t.Fatal(err)
			}
			trigger = `CREATE TRIGGER refuse_mappings BEFORE INSERT ON framework_mappings
				FOR EACH ROW EXECUTE FUNCTION refuse_mappings()`
		}
		if _, err := db.SQL().Exec(trigger); err != nil {
			t.Fatal(err)
		}
		audits := countRows(t, db, "audit_log")
		if _, err := db.CopyFramework(ctx, cli, f.Code, "service-index-2027", 2027, ""); err == nil || !strings.Contains(err.Error(), "refused for the test") {
			t.Fatalf("copy with failing mapping: err = %v", err)
		}
		if n := countRows(t, db, "audit_log"); n != audits {
			t.Errorf("a failed copy left %d audit rows", n-audits)
		}
		if _, err := db.FrameworkByCode(ctx, "service-index-2027"); parindex.ErrorCode(err) != parindex.ECodeNotFound {
			t.Errorf("a failed copy left its framework: %v", err)
		}
	})
}
