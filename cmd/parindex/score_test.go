package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"parindex/config"
	"parindex/demo"
)

// scoreDemoInputs is the demo file of the scoring package, written for the
// reference framework province-departments-2026.
const scoreDemoInputs = "../../scoring/testdata/demo-inputs.json"

func TestScoreCommand(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}

	out := cliOK(t, env, "score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs)
	var res struct {
		Framework string `json:"framework"`
		Agencies  []struct {
			Code         string   `json:"code"`
			Rank         int      `json:"rank"`
			IndexRounded *float64 `json:"index_rounded"`
			Band         string   `json:"band"`
			Nodes        map[string]json.RawMessage
		} `json:"agencies"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if res.Framework != "province-departments-2026" || len(res.Agencies) < 10 {
		t.Fatalf("framework %q, %d agencies", res.Framework, len(res.Agencies))
	}
	for i, a := range res.Agencies {
		if a.Rank < 1 || (i > 0 && a.Rank < res.Agencies[i-1].Rank) || a.IndexRounded == nil || a.Band == "" || len(a.Nodes) == 0 {
			t.Errorf("agency %d: %+v", i, a)
		}
	}

	// The table, with rank intervals, in Vietnamese number format.
	code, out, errOut := cli(t, env, "score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs,
		"--format", "table", "--uncertainty", "200", "--seed", "3")
	if code != 0 || !strings.Contains(out, "HẠNG") || !strings.Contains(out, "KHOẢNG HẠNG") || !strings.Contains(out, "SNV") {
		t.Fatalf("table: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, ",") || strings.Contains(strings.SplitN(out, "\n", 4)[3], ".") {
		t.Errorf("the index should be written with a decimal comma:\n%s", out)
	}

	// --out writes the file and prints nothing on standard output; the same
	// seed gives the same file.
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, path := range []string{first, second} {
		code, out, errOut = cli(t, env, "score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs,
			"--uncertainty", "100", "--seed", "9", "--out", path)
		if code != 0 || out != "" || !strings.Contains(errOut, path) {
			t.Fatalf("--out: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if len(a) == 0 || string(a) != string(b) || !strings.Contains(string(a), `"rank_interval"`) {
		t.Errorf("two runs with the same seed differ or lack rank intervals")
	}

	// A framework given as a YAML file.
	yamlPath := filepath.Join(dir, "small.yaml")
	writeScoreTestFile(t, yamlPath, `code: small-2026
name: Nhỏ
year: 2026
agency_types: [department]
bands:
  - {code: A, name: Tốt, min: 50}
  - {code: B, name: Chưa tốt, min: 0}
nodes:
  - code: "1"
    name: Một
    children:
      - {code: "1.1", name: Chấm, max: 4, method: assessed}
`)
	inputsPath := filepath.Join(dir, "small.json")
	writeScoreTestFile(t, inputsPath, `{"agencies": [{"code": "X", "points": {"1.1": 3}}, {"code": "Y", "points": {"1.1": 1}}]}`)
	code, out, errOut = cli(t, env, "score", "--framework", yamlPath, "--inputs", inputsPath, "--format", "table")
	if code != 0 || !strings.Contains(out, "75,00") || !strings.Contains(out, "25,00") {
		t.Errorf("YAML framework: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestScoreCommandErrors(t *testing.T) {
	env := map[string]string{"PARINDEX_DATA_DIR": t.TempDir()}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	writeScoreTestFile(t, bad, `{"agencies": [
  {"code": "SNV",
   "points": {"2.3": 1.3, "9.9": 1},
   "answers": {"2.3": true},
   "metrics": {"records_total": -5}},
  {"code": "STP",
   "survey": {"sipas-2026": {"access": {"satisfaction": 84}}}}
]}`)
	code, out, errOut := cli(t, env, "score", "--framework", "province-departments-2026", "--inputs", bad)
	if code != 1 || out != "" {
		t.Fatalf("broken inputs: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	for _, want := range []string{
		"agency SNV, node 2.3, points = 1.3",
		"agency SNV, node 9.9, points = 1",
		"agency SNV, node 2.3, answers = true",
		"agency SNV, metrics.records_total = -5",
		"agency STP, survey.sipas-2026.access.satisfaction = 84",
		"đơn vị SNV, tiêu chí 2.3, points = 1.3",
		"bad.json, dòng 3",
		"5 vấn đề",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// An unknown field in the JSON is refused with its place.
	unknown := filepath.Join(dir, "unknown.json")
	writeScoreTestFile(t, unknown, "{\"agencies\": [\n {\"code\": \"SNV\", \"pionts\": {}}]}")
	code, _, errOut = cli(t, env, "score", "--framework", "province-departments-2026", "--inputs", unknown)
	if code != 1 || !strings.Contains(errOut, `unknown field "pionts"`) || !strings.Contains(errOut, "dòng 2") {
		t.Errorf("unknown field: exit %d\n%s", code, errOut)
	}

	usage := [][]string{
		{"score", "--framework", "province-departments-2026"},                                                 // no --inputs
		{"score", "--inputs", scoreDemoInputs},                                                                // no --framework
		{"score", "--framework", "no-such-framework", "--inputs", scoreDemoInputs},                            // neither file nor reference
		{"score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs, "--format", "xml"}, // bad format
		{"score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs, "--uncertainty", "-1"},
		{"score", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs, "--seed", "4"}, // seed without draws
		{"score", "extra", "--framework", "province-departments-2026", "--inputs", scoreDemoInputs},
	}
	for _, args := range usage {
		if code, _, errOut := cli(t, env, args...); code != 2 {
			t.Errorf("parindex %v: exit %d, want 2\n%s", args, code, errOut)
		}
	}
	if code, _, _ := cli(t, env, "score", "--framework", "province-departments-2026", "--inputs", filepath.Join(dir, "none.json")); code != 1 {
		t.Errorf("missing inputs file: exit %d, want 1", code)
	}
}

func TestVietnameseDecimal(t *testing.T) {
	tests := []struct {
		x        float64
		decimals int
		want     string
	}{
		{72.32, 2, "72,32"}, {90, 2, "90,00"}, {1234.5, 2, "1.234,50"}, {100, 0, "100"}, {6.67, 2, "6,67"}, {-3.5, 1, "-3,5"},
	}
	for _, tt := range tests {
		if got := vietnameseDecimal(tt.x, tt.decimals); got != tt.want {
			t.Errorf("vietnameseDecimal(%v, %d) = %q, want %q", tt.x, tt.decimals, got, tt.want)
		}
	}
}

func writeScoreTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// score run and score publish work on the database: the demo has published
// frameworks and survey answers to score.
func TestScoreRunAndPublish(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARINDEX_DATA_DIR": dir}
	ctx := context.Background()
	db, err := openDB(ctx, config.Config{DatabaseURL: "sqlite:" + filepath.Join(dir, "parindex.db")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.02, SkipSnapshots: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := cli(t, env, "score", "run", "--framework", "communes-2026", "--uncertainty", "100")
	m := regexp.MustCompile(`parindex score publish (\d+)`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "X001") {
		t.Fatalf("score run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cli(t, env, "score", "preflight", m[1])
	count := regexp.MustCompile(`(\d+) mục chưa đầy đủ`).FindStringSubmatch(out)
	if code != 0 || count == nil {
		t.Fatalf("score preflight: exit %d\n%s\n%s", code, out, errOut)
	}
	if count[1] != "0" {
		// Something is incomplete: final is refused, provisional needs a reason.
		if code, _, errOut := cli(t, env, "score", "publish", m[1], "--reason", "QĐ công bố"); code != 1 || !strings.Contains(errOut, count[1]+" mục chưa đầy đủ") {
			t.Errorf("publishing an incomplete snapshot as final: exit %d %s", code, errOut)
		}
		if code, _, errOut := cli(t, env, "score", "publish", m[1], "--as", "provisional"); code != 1 || !strings.Contains(errOut, "lý do") {
			t.Errorf("provisional without a reason: exit %d %s", code, errOut)
		}
		if code, out, errOut := cli(t, env, "score", "publish", m[1], "--as", "provisional", "--reason", "QĐ công bố tạm thời"); code != 0 || !strings.Contains(out, "published as provisional") {
			t.Errorf("score publish --as provisional: exit %d %s %s", code, out, errOut)
		}
	} else if code, out, _ := cli(t, env, "score", "publish", m[1], "--reason", "QĐ công bố"); code != 0 || !strings.Contains(out, "published") {
		t.Errorf("score publish: exit %d %s", code, out)
	}
	if code, out, errOut := cli(t, env, "score", "check", m[1]); code != 0 || !strings.Contains(out, "khớp") {
		t.Errorf("score check: exit %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, env, "score", "publish", m[1]); code != 1 || !strings.Contains(errOut, "đã công bố") {
		t.Errorf("second publish: exit %d %s", code, errOut)
	}
	if code, _, _ := cli(t, env, "score", "publish", "abc"); code != 2 {
		t.Errorf("bad snapshot number: exit %d", code)
	}
	if code, _, errOut := cli(t, env, "score", "run", "--framework", "khong-co"); code != 1 {
		t.Errorf("unknown framework: exit %d %s", code, errOut)
	}
}
