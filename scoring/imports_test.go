package scoring

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The package is pure (doc.go): besides the standard library it may import
// only parindex/criteria and parindex/stats.
func TestImportsStayPure(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowedLocal := map[string]bool{"parindex/criteria": true, "parindex/stats": true}
	forbidden := []string{"database/sql", "net/http", "os", "time", "math/rand"}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			firstElement, _, _ := strings.Cut(path, "/")
			switch {
			case allowedLocal[path]:
			case strings.Contains(firstElement, ".") || firstElement == "parindex":
				t.Errorf("%s imports %s; scoring may import only the standard library, parindex/criteria and parindex/stats", name, path)
			}
			for _, bad := range forbidden {
				if path == bad {
					t.Errorf("%s imports %s: no I/O, clock or unseeded randomness in scoring", name, path)
				}
			}
		}
	}
}
