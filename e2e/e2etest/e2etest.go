// Package e2etest holds what the end-to-end test packages (browser, faults)
// share: a temporary folder made and filled once per test binary, for what
// every test of the package reuses (a built server, a seeded database). It
// is for tests only and imports only the standard library.
package e2etest

import (
	"os"
	"sync"
	"testing"
)

// SharedDir is a temporary folder filled once per test binary and removed
// when its tests end (Main).
type SharedDir struct {
	Pattern string // the folder's name pattern, as os.MkdirTemp takes it

	once sync.Once
	path string
	err  error
}

// Fill makes the folder and runs fill in it the first time it is called;
// every call returns the folder and the error of that first call.
func (d *SharedDir) Fill(fill func(dir string) error) (string, error) {
	d.once.Do(func() {
		if d.path, d.err = os.MkdirTemp("", d.Pattern); d.err != nil {
			return
		}
		d.err = fill(d.path)
	})
	return d.path, d.err
}

// Main runs the package's tests, removes the folder when it was made and
// exits with the tests' code: the package's TestMain.
func (d *SharedDir) Main(m *testing.M) {
	code := m.Run()
	if d.path != "" {
		os.RemoveAll(d.path)
	}
	os.Exit(code)
}
