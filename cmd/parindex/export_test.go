package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"parindex"
	"parindex/demo"
	"parindex/export"
	"parindex/store"
)

// seededDataDir is a data directory whose SQLite database holds the demo
// province (a twentieth of its responses) and its published snapshots.
func seededDataDir(t *testing.T) (string, *parindex.Snapshot) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db := openTestDB(t, dir)
	defer db.Close() // before the command line opens it
	if _, err := demo.Seed(ctx, db, demo.Options{SurveyVolume: 0.05}); err != nil {
		t.Fatal(err)
	}
	snaps, err := db.FindSnapshots(ctx, store.SnapshotFilter{FrameworkCode: "province-departments-2026", Status: parindex.StatusPublished})
	if err != nil || len(snaps) == 0 {
		t.Fatalf("snapshots: %v %v", snaps, err)
	}
	s, err := db.Snapshot(ctx, snaps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func TestExportCommands(t *testing.T) {
	dir, snap := seededDataDir(t)
	env := map[string]string{"PARINDEX_DATA_DIR": dir, "PARINDEX_DATABASE_URL": ""}
	id := strconv.FormatInt(snap.ID, 10)
	out := filepath.Join(dir, "cards")

	code, stdout, stderr := cli(t, env, "export", "scorecards", "--snapshot", id, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.xlsx"))
	if len(files) != len(snap.Units) || !strings.Contains(stdout, strconv.Itoa(len(snap.Units))) {
		t.Fatalf("%d files for %d units; stdout %q", len(files), len(snap.Units), stdout)
	}
	// Progress is drawn on a terminal only: a test's buffer, like a log
	// file or a pipe, gets none.
	if strings.Contains(stderr, "\r") || strings.Contains(stderr, "%") {
		t.Errorf("progress on a stream that is not a terminal:\n%q", stderr)
	}
	// The Sở Nội vụ's file holds the snapshot's index.
	var want parindex.SnapshotUnit
	for _, u := range snap.Units {
		if u.UnitCode == "SNV" {
			want = u
		}
	}
	f, err := excelize.OpenFile(filepath.Join(out, "Phiếu điểm CCHC 2026 - "+want.UnitName+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(export.SheetSummary, excelize.Options{RawCellValue: true})
	f.Close()
	got := ""
	for _, r := range rows {
		if len(r) > 1 && r[0] == export.LabelIndex {
			// The label spans the code and name columns, the value the
			// figures': the value is the first cell filled after it.
			for _, v := range r[1:] {
				if v != "" {
					got = v
					break
				}
			}
		}
	}
	if got != strconv.FormatFloat(*want.IndexRounded, 'f', -1, 64) {
		t.Errorf("SNV index in its file = %q, snapshot %v", got, *want.IndexRounded)
	}

	code, stdout, stderr = cli(t, env, "export", "ranking", "--snapshot", id, "--out", dir)
	if code != 0 || !strings.Contains(stdout, "Xếp hạng CCHC 2026") {
		t.Errorf("ranking: exit %d, %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = cli(t, env, "export", "survey", "--instrument", "sipas-2026", "--year", "2026", "--out", filepath.Join(dir, "survey.xlsx"))
	if _, err := os.Stat(filepath.Join(dir, "survey.xlsx")); code != 0 || err != nil {
		t.Errorf("survey: exit %d, %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = cli(t, env, "export", "responses", "--unit", "SNV", "--flag", "none", "--out", filepath.Join(dir, "responses.xlsx"))
	if code != 0 || !strings.Contains(stdout, "Đã xuất") || strings.Contains(stderr, "\r") {
		t.Errorf("responses: exit %d, %s %q", code, stdout, stderr)
	}
	// Nothing half-written is left behind.
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".export-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}

	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"export"}, 2},
		{[]string{"export", "scorecards", "--out", out}, 2},
		{[]string{"export", "scorecards", "--snapshot", id, "--out", out, "--unit", "NOPE"}, 2},
		{[]string{"export", "scorecards", "--snapshot", "999999", "--out", out}, 1},
		{[]string{"export", "responses", "--out", dir, "--flag", "bogus"}, 2},
		{[]string{"export", "responses", "--out", dir, "--from", "31/12/2026"}, 2},
		{[]string{"export", "survey", "--instrument", "sipas-2026", "--year", "2026", "--from", "2026-01-01", "--out", dir}, 2},
	} {
		if code, _, stderr := cli(t, env, tt.args...); code != tt.code {
			t.Errorf("parindex %v = exit %d (%s), want %d", tt.args, code, stderr, tt.code)
		}
	}
}
