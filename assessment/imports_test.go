package assessment

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The package is pure (doc.go): besides the standard library it may import
// only parindex and parindex/criteria, never I/O, SQL, HTTP or
// randomness, and it reads no clock: time is a type here (time.Time), and
// time.Now, time.Since and time.Until are never called.
func TestImportsStayPure(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowedLocal := map[string]bool{"parindex": true, "parindex/criteria": true}
	forbidden := []string{"database/sql", "net/http", "os", "os/exec", "io/fs", "math/rand", "math/rand/v2", "crypto/rand"}
	clock := map[string]bool{"Now": true, "Since": true, "Until": true, "Tick": true, "After": true, "NewTimer": true, "NewTicker": true, "Sleep": true}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			firstElement, _, _ := strings.Cut(path, "/")
			switch {
			case allowedLocal[path]:
			case strings.Contains(firstElement, ".") || firstElement == "parindex":
				t.Errorf("%s imports %s; assessment may import only the standard library, parindex and parindex/criteria", name, path)
			}
			for _, bad := range forbidden {
				if path == bad {
					t.Errorf("%s imports %s: no I/O, SQL, HTTP or randomness in the assessment model", name, path)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "time" && clock[sel.Sel.Name] {
				t.Errorf("%s calls time.%s: the model takes the day or time as an argument", name, sel.Sel.Name)
			}
			return true
		})
	}
}
