package main

import (
	"testing"

	"parindex/internal/imports"
)

// The command line imports web only to serve (serve.go); workbooks, unit
// order and other rules the commands share with the pages live in packages
// of their own.
func TestOnlyServeImportsWeb(t *testing.T) {
	for _, f := range imports.Of(t, ".") {
		for _, path := range f.Imports {
			if path == "parindex/web" && f.Name != "serve.go" {
				t.Errorf("%s imports parindex/web; only the serve command (serve.go) may", f.Name)
			}
		}
	}
}
