package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"parindex/demo"
	"parindex/store"
	"parindex/store/storetest"
)

// tableContents reads every table of the database as sorted lines of text:
// two databases with equal contents give equal maps, whatever the order in
// which rows were written back.
func tableContents(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect() == store.Postgres {
		query = `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	out := map[string][]string{}
	for _, table := range storetest.Rows(t, db, query) {
		name := table["name"]
		var lines []string
		for _, row := range storetest.Rows(t, db, `SELECT * FROM "`+name+`"`) {
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&b, "%s=%q ", k, row[k])
			}
			lines = append(lines, b.String())
		}
		sort.Strings(lines)
		out[name] = lines
	}
	return out
}

func compareContents(t *testing.T, before, after map[string][]string) {
	t.Helper()
	if len(before) < 20 {
		t.Fatalf("only %d tables before the backup", len(before))
	}
	rows := 0
	for name, want := range before {
		rows += len(want)
		if got, ok := after[name]; !ok {
			t.Errorf("table %s is missing after the restore", name)
		} else if !slices.Equal(got, want) {
			t.Errorf("table %s: %d rows after the restore, %d before, or different contents", name, len(got), len(want))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("table %s appeared after the restore", name)
		}
	}
	if rows < 1000 {
		t.Errorf("only %d rows compared: the demo did not seed", rows)
	}
	t.Logf("%d tables, %d rows equal after the restore", len(before), rows)
}

// seedForBackup seeds a small demo province, with a published scoring run,
// and returns the contents of every table.
func seedForBackup(t *testing.T, dbURL string) map[string][]string {
	t.Helper()
	db := storetest.MustOpen(t, dbURL)
	if _, err := demo.Seed(context.Background(), db, demo.Options{SurveyVolume: 0.02}); err != nil {
		t.Fatal(err)
	}
	contents := tableContents(t, db)
	db.Close()
	return contents
}

// reopen opens the restored database as the server would: migrations find
// nothing to apply, it accepts writes, and its contents are read back.
func reopen(t *testing.T, dbURL string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Errorf("migrations after the restore: applied %v, %v; want none", applied, err)
	}
	if err := db.CheckWritable(ctx); err != nil {
		t.Errorf("the restored database refuses writes: %v", err)
	}
	return tableContents(t, db)
}

// The recipes of docs/deploy.md, run as written: back up, wipe, restore, and
// every table holds what it held.
func TestBackupWipeRestore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		dbFile := filepath.Join(dir, "parindex.db")
		before := seedForBackup(t, "sqlite:"+dbFile)

		// parindex backup FILE, as while serving: VACUUM INTO.
		backup := filepath.Join(t.TempDir(), "parindex-backup.db")
		env := map[string]string{"PARINDEX_DATA_DIR": dir, "PARINDEX_DATABASE_URL": "sqlite:" + dbFile}
		if code, out, errOut := cli(t, env, "backup", backup); code != 0 || !strings.Contains(out, backup) {
			t.Fatalf("parindex backup: exit %d\n%s\n%s", code, out, errOut)
		}
		if code, _, errOut := cli(t, env, "backup", backup); code != 1 || !strings.Contains(errOut, "không ghi đè") {
			t.Errorf("a second backup into the same file: exit %d, want 1 and a refusal\n%s", code, errOut)
		}

		// Wipe: the database and its write-ahead log are gone.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(dbFile + suffix); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		// Restore: copy the backup into place.
		data, err := os.ReadFile(backup)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dbFile, data, 0o600); err != nil {
			t.Fatal(err)
		}
		compareContents(t, before, reopen(t, "sqlite:"+dbFile))
	})

	t.Run("postgres", func(t *testing.T) {
		base := storetest.PostgresURL(t)
		var tools []string
		for _, tool := range []string{"pg_dump", "pg_restore"} {
			path, err := exec.LookPath(tool)
			if err != nil {
				if os.Getenv("PARINDEX_TEST_POSTGRES_REQUIRED") == "1" {
					t.Fatalf("%s is not installed (PARINDEX_TEST_POSTGRES_REQUIRED=1): apt-get install postgresql-client", tool)
				}
				t.Skipf("%s is not installed: the PostgreSQL half needs postgresql-client", tool)
			}
			tools = append(tools, path)
		}
		// A database of its own: the recipe dumps and restores a whole
		// database, as production does.
		admin, err := sql.Open("postgres", base)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() }) // after the drop below: cleanups run last first
		name := fmt.Sprintf("parindex_backup_test_%d", time.Now().UnixNano())
		create := func() {
			if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
				t.Fatal(err)
			}
		}
		drop := func() {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
				t.Fatal(err)
			}
		}
		create()
		t.Cleanup(drop)
		u, _ := url.Parse(base)
		u.Path = "/" + name
		dbURL := u.String()
		before := seedForBackup(t, dbURL)

		dump := filepath.Join(t.TempDir(), "parindex.dump")
		if out, err := exec.Command(tools[0], "--format=custom", "--file="+dump, dbURL).CombinedOutput(); err != nil {
			t.Fatalf("pg_dump: %v\n%s", err, out)
		}
		drop() // wipe
		create()
		if out, err := exec.Command(tools[1], "--no-owner", "--exit-on-error", "--dbname="+dbURL, dump).CombinedOutput(); err != nil {
			t.Fatalf("pg_restore: %v\n%s", err, out)
		}
		compareContents(t, before, reopen(t, dbURL))
	})
}
