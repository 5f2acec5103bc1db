package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"parindex"
	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/demo"
	"parindex/store/storetest"
)

func writeCriteriaFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func referenceSource(t *testing.T, code string) []byte {
	t.Helper()
	data, err := criteria.ReferenceSource(code)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCriteriaValidate(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARINDEX_DATA_DIR": dir}
	var files []string
	for _, code := range criteria.References() {
		files = append(files, writeCriteriaFile(t, dir, code+".yaml", referenceSource(t, code)))
	}
	code, out, errOut := cli(t, env, append([]string{"criteria", "validate"}, files...)...)
	if code != 0 || strings.Count(out, "hợp lệ (valid)") != 3 || errOut != "" {
		t.Fatalf("validate references: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "parindex.db")); err == nil {
		t.Error("validate opened the database")
	}

	// Every problem of a broken file, in the FILE:LINE: node X: message form.
	src := string(referenceSource(t, "service-index-766"))
	src = strings.Replace(src, "year: 2026", "year: 1990", 1)
	src = strings.Replace(src, "method: ratio", "method: vote", 1)
	bad := writeCriteriaFile(t, dir, "bad.yaml", []byte(src))
	code, out, errOut = cli(t, env, "criteria", "validate", files[0], bad)
	if code != 1 || !strings.Contains(out, "hợp lệ (valid)") {
		t.Errorf("validate with a bad file: exit %d\n%s", code, out)
	}
	for _, re := range []string{`(?m)^` + regexp.QuoteMeta(bad) + `:\d+: year 1990 is outside 2000..2100$`,
		`(?m)^` + regexp.QuoteMeta(bad) + `:\d+: node [0-9.]+: unknown method "vote"`, `1/2 tệp không hợp lệ`} {
		if !regexp.MustCompile(re).MatchString(errOut) {
			t.Errorf("stderr does not match %s:\n%s", re, errOut)
		}
	}

	// Warnings do not make a file invalid.
	warn := writeCriteriaFile(t, dir, "warn.yaml", bytes.Replace(referenceSource(t, "communes-2026"), []byte("element: access"), []byte("element: acess"), 1))
	if code, _, errOut = cli(t, env, "criteria", "validate", warn); code != 0 || !strings.Contains(errOut, "cảnh báo (warning): "+warn+":") || !strings.Contains(errOut, `"acess"`) {
		t.Errorf("warning file: exit %d\n%s", code, errOut)
	}

	// Excel files are validated the same way.
	f, _ := criteria.Reference("service-index-766")
	f.Find("2.1").Method = "vote"
	data, err := criteriaxlsx.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	xlsx := writeCriteriaFile(t, dir, "bad.xlsx", data)
	if code, _, errOut = cli(t, env, "criteria", "validate", xlsx); code != 1 || !strings.Contains(errOut, "sheet Tiêu chí, dòng 6, cột G (method)") {
		t.Errorf("bad workbook: exit %d\n%s", code, errOut)
	}
	if code, _, _ = cli(t, env, "criteria", "validate"); code != 2 {
		t.Errorf("validate without files: exit %d, want 2", code)
	}
	if code, _, errOut = cli(t, env, "criteria", "validate", filepath.Join(dir, "x.csv")); code != 1 || !strings.Contains(errOut, ".yaml, .yml") {
		t.Errorf("validate a .csv: exit %d\n%s", code, errOut)
	}
}

func TestCriteriaLifecycleCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARINDEX_DATA_DIR": dir}
	ref := "province-departments-2026"
	file := writeCriteriaFile(t, dir, "pd.yaml", referenceSource(t, ref))

	code, out, errOut := cli(t, env, "criteria", "import", file, "--reason", "dự thảo")
	if code != 0 || !strings.Contains(out, "Đã tạo bản nháp (draft created): "+ref) {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ = cli(t, env, "criteria", "import", file); code != 0 || !strings.Contains(out, "draft unchanged") {
		t.Errorf("import again: exit %d\n%s", code, out)
	}
	// A broken file is reported like every import: all problems, nothing written.
	broken := writeCriteriaFile(t, dir, "broken.yaml", bytes.Replace(referenceSource(t, ref), []byte("year: 2026"), []byte("year: 1990"), 1))
	if code, _, errOut = cli(t, env, "criteria", "import", broken); code != 1 || !strings.Contains(errOut, "broken.yaml, dòng") ||
		!strings.Contains(errOut, "năm 1990 nằm ngoài khoảng") || !strings.Contains(errOut, "không có gì được ghi") {
		t.Errorf("import broken: exit %d\n%s", code, errOut)
	}

	code, out, _ = cli(t, env, "criteria", "list")
	if code != 0 || !regexp.MustCompile(ref+`\s+2026\s+draft\s+[0-9a-f]{12}\s+department`).MatchString(out) || !strings.Contains(out, "1 bộ tiêu chí") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, env, "criteria", "show", ref)
	if code != 0 {
		t.Errorf("show: exit %d", code)
	}
	for _, want := range []string{ref + "  Bộ chỉ số", "· draft ·", "Tổng điểm tối đa (total max) 100", "A Tốt ≥ 90",
		"\n    3.2.1  4    tiers records_on_time/records_resolved [≥0.98: 4;", "\n3          13 ", "\n  T.1      —    bonus, cap 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}

	if code, out, _ = cli(t, env, "criteria", "publish", ref, "--reason", "QĐ 1"); code != 0 || !strings.Contains(out, "Đã ban hành (published) "+ref) {
		t.Fatalf("publish: exit %d\n%s", code, out)
	}
	changed := writeCriteriaFile(t, dir, "changed.yaml", bytes.Replace(referenceSource(t, ref), []byte("name: \"Bộ chỉ số"), []byte("name: \"Sửa: Bộ chỉ số"), 1))
	if code, _, errOut = cli(t, env, "criteria", "import", changed); code != 1 || !strings.Contains(errOut, "đã ban hành") || !strings.Contains(errOut, "new code") {
		t.Errorf("import over a published code: exit %d\n%s", code, errOut)
	}
	if code, _, _ = cli(t, env, "criteria", "publish", ref); code != 1 {
		t.Errorf("publish twice: exit %d", code)
	}

	// Copy to next year, then compare.
	if code, _, _ = cli(t, env, "criteria", "copy", ref); code != 2 {
		t.Errorf("copy without --to: exit %d, want 2", code)
	}
	code, out, errOut = cli(t, env, "criteria", "copy", ref, "--to", "province-departments-2027")
	if code != 0 || !strings.Contains(out, "province-departments-2027 năm 2027") {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, env, "criteria", "diff", ref, "province-departments-2027")
	for _, want := range []string{ref + " → province-departments-2027", "changed framework code: " + ref + " → province-departments-2027",
		"changed framework year: 2026 → 2027", "Thêm 0, bỏ 0"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("diff lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	// A file against a stored code; a reference against a file.
	code, out, _ = cli(t, env, "criteria", "diff", changed, ref)
	if code != 0 || !strings.Contains(out, "changed framework name: Sửa: Bộ chỉ số") {
		t.Errorf("diff file/code: exit %d\n%s", code, out)
	}
	if code, out, _ = cli(t, env, "criteria", "diff", "communes-2026", file); code != 0 || !strings.Contains(out, "removed node") && !strings.Contains(out, "changed node") {
		t.Errorf("diff reference/file: exit %d\n%s", code, out)
	}
	if code, _, errOut = cli(t, env, "criteria", "show", "khong-co"); code != 1 || !strings.Contains(errOut, "no framework") {
		t.Errorf("show unknown: exit %d\n%s", code, errOut)
	}
	if code, out, _ = cli(t, env, "criteria", "show", "service-index-766"); code != 0 || !strings.Contains(out, "mẫu tích hợp (embedded reference)") {
		t.Errorf("show a reference: exit %d\n%s", code, out)
	}

	// Export both formats; both read back as the stored framework.
	f, _ := criteria.Reference(ref)
	want, _ := criteria.Marshal(f)
	code, out, _ = cli(t, env, "criteria", "export", ref)
	if code != 0 || out != string(want) {
		t.Errorf("export to stdout: exit %d", code)
	}
	xlsx := filepath.Join(dir, "out.xlsx")
	if code, _, errOut = cli(t, env, "criteria", "export", ref, "--out", xlsx); code != 0 {
		t.Fatalf("export xlsx: exit %d\n%s", code, errOut)
	}
	x, err := os.Open(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	back, _, err := criteriaxlsx.Read("out.xlsx", x)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := criteria.Marshal(back); !bytes.Equal(got, want) {
		t.Error("exported workbook reads back differently")
	}
	yamlOut := filepath.Join(dir, "out.txt")
	if code, _, _ = cli(t, env, "criteria", "export", ref, "--format", "yaml", "--out", yamlOut); code != 0 {
		t.Errorf("export yaml: exit %d", code)
	}
	if got, _ := os.ReadFile(yamlOut); !bytes.Equal(got, want) {
		t.Error("exported YAML differs from the canonical form")
	}
	if code, _, _ = cli(t, env, "criteria", "export", ref, "--format", "pdf"); code != 2 {
		t.Errorf("export --format pdf: exit %d, want 2", code)
	}

	// An Excel file imports like YAML.
	svc, _ := criteria.Reference("service-index-766")
	data, _ := criteriaxlsx.Bytes(svc)
	if code, out, errOut = cli(t, env, "criteria", "import", writeCriteriaFile(t, dir, "svc.xlsx", data)); code != 0 || !strings.Contains(out, "service-index-766") {
		t.Errorf("import xlsx: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ = cli(t, env, "criteria"); code != 2 {
		t.Errorf("bare criteria: exit %d, want 2", code)
	}
}

func TestDemoPublishesReferenceFrameworks(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.SQLiteURL(t)
	db := storetest.MustOpen(t, dbURL)
	f, _ := criteria.Reference("communes-2026")
	if _, err := db.ImportFramework(ctx, parindex.Actor{Name: "test"}, f, ""); err != nil {
		t.Fatal(err)
	}
	// A draft left by hand is published by the demo; the rest are added
	// (the reference frameworks, and last year's departments and communes);
	// a second run changes nothing.
	for i, want := range []int{5, 0} {
		s, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.002})
		if err != nil {
			t.Fatal(err)
		}
		if s.Frameworks != want {
			t.Errorf("demo run %d published %d frameworks, want %d", i+1, s.Frameworks, want)
		}
	}
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir(), "PARINDEX_DATABASE_URL": dbURL}
	code, out, _ := cli(t, env, "criteria", "list")
	if code != 0 || strings.Count(out, " published ") != 5 || !strings.Contains(out, "5 bộ tiêu chí") {
		t.Errorf("after the demo:\n%s", out)
	}
}
