// Package imports reads what a package's files import, for the tests that
// hold each package to the boundaries docs/architecture.md draws (the pure
// root, assessment and scoring; web/kit below every web package; the
// command line importing web only to serve). It is for tests only.
package imports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// File is one Go file of a package, tests excluded, parsed whole.
type File struct {
	Name    string   // the file's name in its folder
	Imports []string // import paths
	AST     *ast.File
}

// Of parses every non-test Go file of the folder dir.
func Of(tb testing.TB, dir string) []File {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		file := File{Name: name, AST: f}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			file.Imports = append(file.Imports, path)
		}
		out = append(out, file)
	}
	if len(out) == 0 {
		tb.Fatalf("imports: no Go file in %s", dir)
	}
	return out
}

// Standard reports whether path is in the standard library: its first
// element has no dot and it is not this module's.
func Standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "parindex"
}

// Clock is the functions of package time that read the clock or wait on
// it, which a package that takes its times as data never calls.
var Clock = []string{"Now", "Since", "Until", "Tick", "After", "NewTimer", "NewTicker", "Sleep"}

// ClockCalls is the functions of Clock that f names (time.Now, …), in the
// order they appear.
func (f File) ClockCalls() []string {
	var calls []string
	ast.Inspect(f.AST, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "time" && slices.Contains(Clock, sel.Sel.Name) {
			calls = append(calls, sel.Sel.Name)
		}
		return true
	})
	return calls
}

// Outside is the imports of f that are neither in the standard library nor
// in allowed, in the file's order.
func (f File) Outside(allowed []string) []string {
	var out []string
	for _, path := range f.Imports {
		if !Standard(path) && !slices.Contains(allowed, path) {
			out = append(out, path)
		}
	}
	return out
}

// Among is the imports of f that are in list, in the file's order.
func (f File) Among(list []string) []string {
	var in []string
	for _, path := range f.Imports {
		if slices.Contains(list, path) {
			in = append(in, path)
		}
	}
	return in
}
