package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/results"
)

// methodDigests are, for each version of the method, the SHA-256 of the
// run folders of testdata/golden/train/in and article/in, and from method
// 3 on of a range test's (every file of each, in path order): what a run
// folder holds for given inputs.
var methodDigests = map[int]string{
	1: "e493b86dac18f846ad151baaa00ecdf6c8f6b6e93072822ee8eb1037dbc5b139",
	2: "344090de27e4aa719bc50e1672c5a49f12a7bc22495f5f53a469da076fbe6b22",
	3: "b838a80fd119efe13ed5a96f7bfe0c42dca160883ad737bbbf4f60888521e698",
}

// rangeTest is a learning-rate range test, whose run folder the method
// covers too.
const rangeTest = `name: range
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
search:
  alpha: {find: lr-range, from: 0.0001, to: 10, iterations: 100}
`

// TestMethodCoversTheOutputs fails when a change makes run folders'
// bytes other than their method version's: results.Method must then be
// bumped, so that stored runs are computed again rather than reused, and
// the new digest added to methodDigests.
func TestMethodCoversTheOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitFailure, "run", "-o", out, "testdata/golden/train/in", "testdata/golden/article/in", writeFile(t, "range.yaml", rangeTest)) // a published value fails on purpose
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

// picturesDigests are, for each plots.Version, the SHA-256 of the
// pictures of every run that testdata/golden/sweep/in draws (curves.svg,
// sweep.svg, grid.svg of each experiment, in path order).
var picturesDigests = map[int]string{
	1: "b5b194896efc2dd8abe842693b68ac489dd1a1af750e3f10c4d09d18a916a954",
}

// TestPicturesOfVersion fails when a change draws the pictures of every
// run other than their version's: plots.Version must then be bumped, so
// that pictures kept by the stat cache are drawn again rather than kept.
func TestPicturesOfVersion(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitFailure, "run", "-o", out, "testdata/golden/sweep/in") // a published value fails on purpose
	h := sha256.New()
	var n int
	for _, f := range listFiles(t, out) {
		if filepath.Dir(f) == "." || !slices.Contains([]string{results.CurvesFile, results.SweepFile, results.GridFile}, filepath.Base(f)) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.ToSlash(f) + "\n"))
		h.Write(data)
		n++
	}
	if n < 5 {
		t.Fatalf("%d pictures of every run, want the curves, sweep and grid of the experiments", n)
	}
	got := hex.EncodeToString(h.Sum(nil))
	switch want, ok := picturesDigests[plots.Version]; {
	case !ok:
		t.Fatalf("plots.Version is %d, and picturesDigests has no digest for it: add %d: %q", plots.Version, plots.Version, got)
	case got != want:
		t.Errorf("the pictures of every run are not those of version %d (digest %s, want %s): if the change is meant, bump plots.Version and add its digest, so that kept pictures are drawn again", plots.Version, got, want)
	}
}
