package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestOutputsAreDeterministic runs the same experiments into two folders
// and compares every file byte for byte.
func TestOutputsAreDeterministic(t *testing.T) {
	var trees [2]map[string][]byte
	for i := range trees {
		out := filepath.Join(t.TempDir(), "results")
		var stdout, stderr bytes.Buffer
		if status := Main([]string{"run", "-o", out, "testdata/golden/article/in", "testdata/golden/batch/in"}, &stdout, &stderr); status != ExitFailure {
			t.Fatalf("status %d, want %d (one published value fails on purpose)\n%s", status, ExitFailure, stderr.String())
		}
		trees[i] = map[string][]byte{}
		for _, f := range listFiles(t, out) {
			data, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			trees[i][f] = data
		}
	}
	if len(trees[0]) != 12 {
		t.Errorf("%d files written, want 12", len(trees[0]))
	}
	for f, data := range trees[0] {
		if !bytes.Equal(data, trees[1][f]) {
			t.Errorf("%s differs between two runs", f)
		}
	}
}
