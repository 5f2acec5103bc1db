package scoring

import (
	"testing"

	"parindex/internal/imports"
)

// The package is pure (doc.go): besides the standard library it may import
// only parindex/criteria and parindex/stats.
func TestImportsStayPure(t *testing.T) {
	allowedLocal := []string{"parindex/criteria", "parindex/stats"}
	forbidden := []string{"database/sql", "net/http", "os", "time", "math/rand"}
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Outside(allowedLocal) {
			t.Errorf("%s imports %s; scoring may import only the standard library, parindex/criteria and parindex/stats", f.Name, path)
		}
		for _, path := range f.Among(forbidden) {
			t.Errorf("%s imports %s: no I/O, clock or unseeded randomness in scoring", f.Name, path)
		}
	}
}
