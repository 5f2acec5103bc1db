package scoring

import (
	"slices"
	"testing"

	"parindex/internal/imports"
)

// The package is pure (doc.go): besides the standard library it may import
// only parindex/criteria and parindex/stats.
func TestImportsStayPure(t *testing.T) {
	allowedLocal := []string{"parindex/criteria", "parindex/stats"}
	forbidden := []string{"database/sql", "net/http", "os", "time", "math/rand"}
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Imports {
			if !imports.Standard(path) && !slices.Contains(allowedLocal, path) {
				t.Errorf("%s imports %s; scoring may import only the standard library, parindex/criteria and parindex/stats", f.Name, path)
			}
			if slices.Contains(forbidden, path) {
				t.Errorf("%s imports %s: no I/O, clock or unseeded randomness in scoring", f.Name, path)
			}
		}
	}
}
