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
	"strings"
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

// CheckSection compares got with a section of a document, such as a
// README, between the lines
//
//	<!-- begin: NAME (a note) -->
//	<!-- end: NAME -->
//
// so that a document written by people can hold text the code writes.
// go test -update rewrites the section; the rest of the file is left as
// it is.
func CheckSection(t *testing.T, path, name string, got []byte) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j, ok := findSection(doc, name)
	if !ok {
		t.Fatalf("%s has no section %q: mark it with a line <!-- begin: %s (...) --> and a line <!-- end: %s -->", path, name, name, name)
	}
	if want := doc[i:j]; bytes.Equal(want, got) {
		return
	} else if !*update {
		t.Errorf("the section %q of %s differs from the output (run go test -update to rewrite it):\n%s",
			name, path, diff.Diff(path, want, "output", got))
		return
	}
	updated := append(append(append([]byte{}, doc[:i]...), got...), doc[j:]...)
	if err := os.WriteFile(path, updated, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated the section %q of %s", name, path)
}

// findSection returns where the text of the section NAME of a document
// begins and ends: after its begin line, and at its end line. A begin
// line names the section in full: "<!-- begin: a" does not begin the
// section "a b".
func findSection(doc []byte, name string) (start, end int, ok bool) {
	begin, endLine := "<!-- begin: "+name, "<!-- end: "+name+" -->"
	start = -1
	for at := 0; at < len(doc); {
		line, _, _ := strings.Cut(string(doc[at:]), "\n")
		next := min(at+len(line)+1, len(doc))
		switch rest, isBegin := strings.CutPrefix(line, begin); {
		case start < 0 && isBegin && (strings.HasPrefix(rest, " (") || rest == " -->"):
			start = next
		case start >= 0 && strings.TrimSpace(line) == endLine:
			return start, at, true
		}
		at = next
	}
	return 0, 0, false
}
