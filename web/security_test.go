package web_test

import (
	"fmt"
	"sort"
	"testing"

	"parindex/store"
)

// The security checks of the web server, each driven over real HTTP
// against a real database: session fixation, cross-site POSTs on every
// state-changing route, stored XSS through every displayed field, path
// traversal on downloads, SQL metacharacters in filters, oversized bodies.

// crossOriginRefusal is what http.CrossOriginProtection answers (Server.Handler).
const crossOriginRefusal = "Cross-origin request refused"

// tableCounts returns the number of rows of every table of the schema,
// goose's own excepted: a before/after comparison proves a request changed
// nothing, and a missing table shows up as a changed key set.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`
	if db.Dialect() == store.Postgres {
		query = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'`
	}
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, name := range names {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM "` + name + `"`).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		counts[name] = n
	}
	return counts
}

// diffCounts lists the tables whose row count differs (or that exist on one
// side only), sorted.
func diffCounts(before, after map[string]int) []string {
	var out []string
	for name, n := range before {
		if m, ok := after[name]; !ok {
			out = append(out, name+" is gone")
		} else if m != n {
			out = append(out, fmt.Sprintf("%s %d → %d", name, n, m))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			out = append(out, name+" is new")
		}
	}
	sort.Strings(out)
	return out
}

// --- 1. session fixation -----------------------------------------------------

// --- 2. cross-site POSTs ---------------------------------------------------

// --- 3. stored XSS -----------------------------------------------------------

// --- 4. path traversal ---------------------------------------------------

// --- 5. SQL metacharacters -------------------------------------------------

// --- 6. oversized bodies -----------------------------------------------------
