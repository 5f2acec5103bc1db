package parindex_test

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The root package owns no technology (doc.go): besides the standard
// library it may import only parindex/vn.
func TestRootImportsOnlyTheStandardLibraryAndVN(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
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
			if path != "parindex/vn" && (strings.Contains(firstElement, ".") || firstElement == "parindex") {
				t.Errorf("%s imports %s; the root package may import only the standard library and parindex/vn", name, path)
			}
		}
	}
}
