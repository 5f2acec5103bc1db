package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parindex"
	"parindex/store"
	"parindex/survey"
)

// paperEnv is a data folder with the units of unitsEnv and the published
// sipas-2026.
func paperEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	env, dir := unitsEnv(t)
	db := openTestDB(t, dir)
	if _, err := survey.EnsureReference(context.Background(), db, parindex.Actor{Name: "test"}, "sipas-2026"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return env, dir
}

func paperResponses(t *testing.T, dir string) int {
	t.Helper()
	n, err := openTestDB(t, dir).CountResponses(context.Background(), store.ResponseFilter{Source: parindex.SourcePaper})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func paperCSV(t *testing.T, dir, name string, rows []string, answer func(row, q int) string) string {
	t.Helper()
	in, err := survey.ReferenceInstrument("sipas-2026")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("unit,date," + strings.Join(survey.QuestionCodes(in), ",") + ",gender,comment\n")
	for i, r := range rows {
		b.WriteString(r)
		for q := 0; q < 22; q++ {
			b.WriteString("," + answer(i, q))
		}
		fmt.Fprintf(&b, ",female,\"Phiếu số %d, viết tay\"\n", i+1)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportResponsesCommand(t *testing.T) {
	env, dir := paperEnv(t)
	var rows []string
	for i := 0; i < 10; i++ {
		unit := []string{"SNV", "X1"}[i%2]
		rows = append(rows, fmt.Sprintf("%s,2026-03-%02d", unit, i+1))
	}
	scale := func(row, q int) string {
		if q == 21 {
			return "NA"
		}
		if q == 20 && row%3 == 0 {
			return ""
		}
		return fmt.Sprint(1 + (row+q)%5)
	}
	good := paperCSV(t, dir, "phieu.csv", rows, scale)

	// A dry run reports and writes nothing.
	code, out, errOut := cli(t, env, "import", "responses", good, "--instrument", "sipas-2026", "--dry-run")
	if code != 0 || !strings.Contains(out, "10 phiếu hợp lệ; sẽ ghi mới 10") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: exit %d %q %q", code, out, errOut)
	}
	if n := paperResponses(t, dir); n != 0 {
		t.Fatalf("the dry run stored %d responses", n)
	}

	code, out, errOut = cli(t, env, "import", "responses", good, "--instrument", "sipas-2026")
	if code != 0 || !strings.Contains(out, "10 phiếu; ghi mới 10") {
		t.Fatalf("import: exit %d %q %q", code, out, errOut)
	}
	if n := paperResponses(t, dir); n != 10 {
		t.Fatalf("%d responses stored, want 10", n)
	}
	// The same file again stores nothing new, and a dry run says so first.
	code, out, _ = cli(t, env, "import", "responses", good, "--instrument", "sipas-2026", "--dry-run")
	if code != 0 || !strings.Contains(out, "sẽ ghi mới 0, đã có từ lần nhập trước 10") {
		t.Errorf("dry run of a stored file: exit %d %q", code, out)
	}
	code, out, _ = cli(t, env, "import", "responses", good, "--instrument", "sipas-2026")
	if code != 0 || !strings.Contains(out, "ghi mới 0, đã có từ lần nhập trước 10") {
		t.Errorf("re-import: exit %d %q", code, out)
	}
	if n := paperResponses(t, dir); n != 10 {
		t.Errorf("re-import: %d responses stored, want 10", n)
	}
	// The stored forms are screened again, all channels alike: ten forms
	// of two units on ten days hold nothing beyond chance.
	code, out, errOut = cli(t, env, "survey", "screen", "--instrument", "sipas-2026", "--year", "2026")
	if code != 0 || !strings.Contains(out, "Đã sàng lọc 10 phiếu của bộ câu hỏi sipas-2026 năm 2026; gắn cờ thêm 0 phiếu") {
		t.Errorf("survey screen: exit %d %q %q", code, out, errOut)
	}

	// Three bad cells among valid ones: all three named, nothing written.
	bad := paperCSV(t, dir, "loi.csv", []string{"SNV,2026-04-01", "SNV,2026-04-02", "KHONGCO,2026-04-03", "X1,2026-04-04"},
		func(row, q int) string {
			switch {
			case row == 0 && q == 0:
				return "7"
			case row == 1 && q == 5:
				return "tốt"
			}
			return "4"
		})
	code, out, errOut = cli(t, env, "import", "responses", bad, "--instrument", "sipas-2026")
	if code != 1 {
		t.Errorf("bad file: exit %d, want 1; %q", code, out)
	}
	for _, want := range []string{
		`loi.csv, dòng 2, cột A1: câu A1: giá trị "7" không hợp lệ`,
		`loi.csv, dòng 3, cột B2: câu B2: giá trị "tốt" không hợp lệ`,
		`loi.csv, dòng 4, cột unit: không có đơn vị mã "KHONGCO"`,
		"Lỗi: 3 vấn đề, không có gì được ghi",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("bad file: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := paperResponses(t, dir); n != 10 {
		t.Errorf("after a refused file %d responses are stored, want 10", n)
	}

	// A dry run of a new valid file writes nothing either.
	other := paperCSV(t, dir, "dot-2.csv", []string{"X1,2026-05-01"}, func(int, int) string { return "5" })
	if code, out, _ := cli(t, env, "import", "responses", other, "--instrument", "sipas-2026", "--dry-run"); code != 0 || !strings.Contains(out, "sẽ ghi mới 1") {
		t.Errorf("dry run of a new file: exit %d %q", code, out)
	}
	if n := paperResponses(t, dir); n != 10 {
		t.Errorf("the dry run wrote: %d responses", n)
	}

	// Usage mistakes exit 2; an unknown instrument or file exits 1.
	if code, _, _ := cli(t, env, "import", "responses", good); code != 2 {
		t.Errorf("without --instrument: exit %d, want 2", code)
	}
	if code, _, _ := cli(t, env, "import"); code != 2 {
		t.Errorf("bare import: exit %d, want 2", code)
	}
	if code, _, errOut := cli(t, env, "import", "responses", good, "--instrument", "khong-co"); code != 1 || !strings.Contains(errOut, "khong-co") {
		t.Errorf("unknown instrument: exit %d %q", code, errOut)
	}
	if code, _, _ := cli(t, env, "import", "responses", filepath.Join(dir, "khong-co.csv"), "--instrument", "sipas-2026"); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}
