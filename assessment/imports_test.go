package assessment

import (
	"testing"

	"parindex/internal/imports"
)

// The package is pure (doc.go): besides the standard library it may import
// only parindex and parindex/criteria, never I/O, SQL, HTTP or
// randomness, and it reads no clock: time is a type here (time.Time), and
// time.Now, time.Since and time.Until are never called.
func TestImportsStayPure(t *testing.T) {
	allowedLocal := []string{"parindex", "parindex/criteria"}
	forbidden := []string{"database/sql", "net/http", "os", "os/exec", "io/fs", "math/rand", "math/rand/v2", "crypto/rand"}
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Outside(allowedLocal) {
			t.Errorf("%s imports %s; assessment may import only the standard library, parindex and parindex/criteria", f.Name, path)
		}
		for _, path := range f.Among(forbidden) {
			t.Errorf("%s imports %s: no I/O, SQL, HTTP or randomness in the assessment model", f.Name, path)
		}
		for _, name := range f.ClockCalls() {
			t.Errorf("%s calls time.%s: the model takes the day or time as an argument", f.Name, name)
		}
	}
}
