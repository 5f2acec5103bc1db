package store_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"parindex/store"
	"parindex/store/storetest"
)

// columns lists "table.column" for every user table, goose's own excepted.
// On PostgreSQL, responses is partitioned by year (migration 00015): its
// partitions are the parent's columns again and are left out, as are the
// two tables that keep its keys unique across partitions, which SQLite's
// unpartitioned table does not need.
func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	query := `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
	if db.Dialect() == store.Postgres {
		query = `SELECT c.table_name || '.' || c.column_name FROM information_schema.columns c
			JOIN pg_class r ON r.oid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
			WHERE c.table_schema = current_schema() AND c.table_name <> 'goose_db_version' AND NOT r.relispartition
			AND c.table_name NOT IN ('response_keys', 'response_dossiers')`
	}
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestDialectsHaveTheSameSchema(t *testing.T) {
	lite := columns(t, storetest.MustOpenSQLite(t))
	pg := columns(t, storetest.MustOpenPostgres(t))
	if len(lite) < 10 {
		t.Fatalf("suspiciously few columns in SQLite: %v", lite)
	}
	if !reflect.DeepEqual(lite, pg) {
		t.Errorf("schemas differ\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, dialect, dsn, err string
	}{
		{"sqlite:./data/parindex.db", store.SQLite, "./data/parindex.db", ""},
		{"sqlite://./data/x.db", store.SQLite, "./data/x.db", ""},
		{"sqlite:///var/lib/parindex/x.db", store.SQLite, "/var/lib/parindex/x.db", ""},
		{"sqlite:", "", "", "names no file"},
		{"sqlite:x.db?mode=ro", "", "", "must not carry parameters"},
		{"postgres://u@h/db?sslmode=disable", store.Postgres, "postgres://u@h/db?sslmode=disable", ""},
		{"postgres://u@h/db", "", "", "sslmode explicitly"},
		{"mysql://u@h/db", "", "", "must start with sqlite: or postgres://"},
	}
	for _, tt := range tests {
		d, dsn, err := store.ParseURL(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURL(%q) err = %v, want %q", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil || d != tt.dialect || dsn != tt.dsn {
			t.Errorf("ParseURL(%q) = %q, %q, %v", tt.url, d, dsn, err)
		}
	}
	if got := store.MaskURL("postgres://u:secret@h/db?sslmode=disable"); strings.Contains(got, "secret") {
		t.Errorf("MaskURL kept the password: %s", got)
	}
}
