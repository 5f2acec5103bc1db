package integrity

import (
	"testing"

	"parindex/internal/imports"
)

// The package is pure (doc.go): no I/O, SQL, HTTP or randomness, and no
// clock; the period's times come in as data.
func TestImportsStayPure(t *testing.T) {
	allowed := []string{"parindex", "parindex/stats", "parindex/vn", "go.yaml.in/yaml/v3"}
	forbidden := []string{"database/sql", "net/http", "os", "os/exec", "io/fs", "math/rand", "math/rand/v2", "crypto/rand"}
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Outside(allowed) {
			t.Errorf("%s imports %s; integrity may import only the standard library and %v", f.Name, path, allowed)
		}
		for _, path := range f.Among(forbidden) {
			t.Errorf("%s imports %s: no I/O, SQL, HTTP or randomness in the integrity engine", f.Name, path)
		}
		for _, name := range f.ClockCalls() {
			t.Errorf("%s calls time.%s: the engine takes its times as data", f.Name, name)
		}
	}
}
