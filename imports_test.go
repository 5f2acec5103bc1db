package parindex_test

import (
	"testing"

	"parindex/internal/imports"
)

// The root package owns no technology (doc.go): besides the standard
// library it may import only parindex/vn.
func TestRootImportsOnlyTheStandardLibraryAndVN(t *testing.T) {
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Outside([]string{"parindex/vn"}) {
			t.Errorf("%s imports %s; the root package may import only the standard library and parindex/vn", f.Name, path)
		}
	}
}
