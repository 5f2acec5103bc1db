package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"parindex/store"
)

func TestMetricsImportCommand(t *testing.T) {
	env, dir := unitsEnv(t)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("unit,period,metric,value\nSNV,2026-01,records_received,10\nX1,2025-03,records_received,5\nSNV,2026-01,khong_co,1\n"), 0o600)
	code, _, errOut := cli(t, env, "metrics", "import", bad)
	if code != 1 || !strings.Contains(errOut, "bad.csv, dòng 3, cột period") || !strings.Contains(errOut, "dòng 4, cột metric") || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("bad file: %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "(2 problems; nothing was written.)") {
		t.Errorf("two problems are not counted in the plural: %s", errOut)
	}
	one := filepath.Join(dir, "one.csv")
	os.WriteFile(one, []byte("unit,period,metric,value\nSNV,2026-01,khong_co,1\n"), 0o600)
	if code, _, errOut := cli(t, env, "metrics", "import", one); code != 1 || !strings.Contains(errOut, "Lỗi: 1 vấn đề, không có gì được ghi. (1 problem; nothing was written.)") {
		t.Errorf("one problem: %d\n%s", code, errOut)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("unit;period;metric;value\nSNV;2026-01;records_received;10\nSNV;2026-02;records_received;12\nX1;2026;plan_tasks_total;9\n"), 0o600)
	code, out, errOut := cli(t, env, "metrics", "import", "--dry-run", good)
	if code != 0 || !strings.Contains(out, "3 new") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: %d %s %s", code, out, errOut)
	}
	if n, _ := openTestDB(t, dir).CountObservations(context.Background(), ""); n != 0 {
		t.Errorf("the dry run wrote %d values", n)
	}
	if code, out, errOut := cli(t, env, "metrics", "import", good, "--reason", "tháng 1-2"); code != 0 || !strings.Contains(out, "new 3") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if code, out, _ := cli(t, env, "metrics", "import", good); code != 0 || !strings.Contains(out, "unchanged 3") {
		t.Errorf("re-import: %d %s", code, out)
	}
	y, _ := openTestDB(t, dir).YearMetrics(context.Background(), 2026)
	if y["SNV"]["records_received"] != 22 || y["X1"]["plan_tasks_total"] != 9 {
		t.Errorf("YearMetrics: %v", y)
	}
	if code, out, _ := cli(t, env, "metrics", "catalog"); code != 0 || !strings.Contains(out, "records_received") || !strings.Contains(out, "47 chỉ số") {
		t.Errorf("catalog: %d %s", code, out)
	}
}

func TestMetricsTemplateCommand(t *testing.T) {
	env, dir := unitsEnv(t)
	out := filepath.Join(dir, "mau.xlsx")
	if code, stdout, errOut := cli(t, env, "metrics", "template", "--out", out); code != 0 || !strings.Contains(stdout, "3 đơn vị") {
		t.Fatalf("template: %d %s %s", code, stdout, errOut)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("Số liệu", "A2", &[]any{"SNV", "2026-03", "records_received", 40})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, stdout, errOut := cli(t, env, "metrics", "import", out); code != 0 || !strings.Contains(stdout, "new 1") {
		t.Errorf("import of the filled template: %d %s %s", code, stdout, errOut)
	}
	if code, _, _ := cli(t, env, "metrics", "template"); code != 2 {
		t.Errorf("template without --out = %d", code)
	}
}

func TestTokenCommands(t *testing.T) {
	env, dir := unitsEnv(t)
	code, secret, errOut := cli(t, env, "token", "create", "--name", "Một cửa", "--unit", "SNV", "--write")
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, store.APITokenPrefix) || !strings.Contains(errOut, "unit SNV") || !strings.Contains(errOut, "read+write") {
		t.Fatalf("create: %d %q %s", code, secret, errOut)
	}
	db := openTestDB(t, dir)
	tok, err := db.APITokenBySecret(context.Background(), secret)
	if err != nil || tok.UnitCode != "SNV" || !tok.CanWrite {
		t.Fatalf("token: %+v %v", tok, err)
	}
	code, out, _ := cli(t, env, "token", "list")
	if code != 0 || !strings.Contains(out, "Một cửa") || strings.Contains(out, secret) || !strings.Contains(out, "active") {
		t.Errorf("list: %d\n%s", code, out)
	}
	// Tables show dates as people read them, in the configured zone.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code, out, _ = cli(t, env, "--time-zone", "Europe/Paris", "token", "list")
	if day := now.In(paris).Format("02/01/2006"); code != 0 || !strings.Contains(out, day) || strings.Contains(out, now.In(paris).Format("2006-01-02")) {
		t.Errorf("list in Paris, want the creation day %s:\n%s", day, out)
	}
	if code, _, errOut := cli(t, env, "--time-zone", "Mars/Olympus", "token", "list"); code != 2 || !strings.Contains(errOut, "PARINDEX_TIME_ZONE") {
		t.Errorf("a bad zone = %d %s, want 2 naming PARINDEX_TIME_ZONE", code, errOut)
	}
	if code, _, _ := cli(t, env, "token", "revoke", "1", "--reason", "thử"); code != 0 {
		t.Errorf("revoke = %d", code)
	}
	if _, err := db.APITokenBySecret(context.Background(), secret); err == nil {
		t.Error("the revoked token still works")
	}
	if code, _, _ := cli(t, env, "token", "revoke", "1"); code != 1 {
		t.Errorf("revoke twice = %d", code)
	}
	for _, args := range [][]string{{"token", "create"}, {"token", "revoke", "x"}, {"token"}, {"metrics"}} {
		if code, _, _ := cli(t, env, args...); code != 2 {
			t.Errorf("%v = %d, want 2", args, code)
		}
	}
	if code, _, errOut := cli(t, env, "token", "create", "--name", "x", "--unit", "KHONGCO"); code != 1 || !strings.Contains(errOut, "KHONGCO") {
		t.Errorf("unknown unit = %d %s", code, errOut)
	}
}
