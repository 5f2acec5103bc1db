package parindex_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The statistics vectors are published figures kept in two places: the
// shared folder beside the repository, where they are agreed, and the
// project's testdata, so that a clone tests itself with nothing beside it.
// This test keeps the copy byte for byte equal to the shared file whenever
// that file is there.
func TestStatsVectorsMatchShared(t *testing.T) {
	copyPath := filepath.Join("testdata", "stats-vectors.json")
	sharedPath := filepath.Join("..", "shared", "testdata", "stats-vectors.json")
	shared, err := os.ReadFile(sharedPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no shared vectors at %s (nothing beside the repository): the project's copy stands alone", sharedPath)
	}
	if err != nil {
		t.Fatalf("reading the shared vectors: %v", err)
	}
	project, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatalf("the project's copy of the statistics vectors is required at %s: %v", copyPath, err)
	}
	if !bytes.Equal(project, shared) {
		t.Fatalf("%s differs from %s: copy the shared file over the project's (cp %s %s), byte for byte",
			copyPath, sharedPath, sharedPath, copyPath)
	}
}
