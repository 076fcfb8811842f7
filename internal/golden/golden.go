// Package golden compares test output with expected output kept in files,
// in the manner of gofmt's tests: `go test -update` rewrites the files that
// differ, and a mismatch shows a diff and leaves the output beside the
// golden file as <file>.got for inspection (gitignored).
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite golden files that differ from the output")

// Check compares got with the content of the golden file at path.
func Check(t *testing.T, path string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(path)
	missing := os.IsNotExist(err)
	if err != nil && !(*update && missing) {
		t.Fatalf("reading golden file: %v (run go test -update to create it)", err)
	}
	gotPath := path + ".got"
	if bytes.Equal(got, want) && !missing {
		os.Remove(gotPath)
		return
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	if err := os.WriteFile(gotPath, got, 0o644); err != nil {
		t.Errorf("writing %s: %v", gotPath, err)
	}
	t.Errorf("output differs from %s (got: %s; run go test -update to accept it):\n%s",
		path, gotPath, diff.Diff(path, want, gotPath, got))
}

// Updating reports whether golden files are being rewritten (go test
// -update), for tests that also remove golden files no longer produced.
func Updating() bool {
	return *update
}
