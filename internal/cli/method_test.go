package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/descentlab/runner/internal/results"
)

// methodDigests are, for each version of the method, the SHA-256 of the
// run folders of testdata/golden/train/in and article/in (every file of
// each, in path order): what a run folder holds for given inputs.
var methodDigests = map[int]string{
	1: "e493b86dac18f846ad151baaa00ecdf6c8f6b6e93072822ee8eb1037dbc5b139",
}

// TestMethodCoversTheOutputs fails when a change makes run folders'
// bytes other than their method version's: results.Method must then be
// bumped, so that stored runs are computed again rather than reused, and
// the new digest added to methodDigests.
func TestMethodCoversTheOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitFailure, "run", "-o", out, "testdata/golden/train/in", "testdata/golden/article/in") // a published value fails on purpose
	var files []string
	for _, f := range listFiles(t, out) {
		if filepath.Dir(f) != "." && !slices.Contains([]string{results.SummaryFile, results.ManifestFile}, filepath.Base(f)) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.ToSlash(f) + "\n"))
		h.Write(data)
	}
	got := hex.EncodeToString(h.Sum(nil))
	want, ok := methodDigests[results.Method]
	switch {
	case !ok:
		t.Fatalf("results.Method is %d, and methodDigests has no digest for it: add %d: %q", results.Method, results.Method, got)
	case got != want:
		t.Errorf("run folders are not those of method %d (digest %s, want %s): if the change is meant, bump results.Method and add its digest, so that stored runs are computed again", results.Method, got, want)
	}
}
