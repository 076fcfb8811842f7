package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/results"
)

// TestGolden runs each case of testdata/golden in-process. A case is a
// folder holding args (the command line; $OUT stands for a fresh output
// folder), its input files, and want/: the expected stdout, stderr, exit
// status and every file written, under want/results. go test -update
// rewrites want/ from what the runner does now, for review.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/golden/*/args")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, argsFile := range cases {
		dir := filepath.Dir(argsFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results")
			stdout, stderr, status := runArgs(t, argsFile, out)
			want := filepath.Join(dir, "want")
			golden.Check(t, filepath.Join(want, "stdout"), stdout)
			golden.Check(t, filepath.Join(want, "stderr"), stderr)
			golden.Check(t, filepath.Join(want, "status"), fmt.Appendf(nil, "%d\n", status))
			checkTree(t, out, filepath.Join(want, "results"))
		})
	}
}

// runArgs runs the command line in file with $OUT replaced by out, and
// returns its output with out replaced back by $OUT.
func runArgs(t *testing.T, file, out string) (stdout, stderr []byte, status int) {
	t.Helper()
	line, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(strings.ReplaceAll(string(line), "$OUT", out))
	var o, e bytes.Buffer
	status = Main(args, &o, &e)
	unexpand := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte(out), []byte("$OUT")) }
	return unexpand(o.Bytes()), unexpand(e.Bytes()), status
}

// checkTree compares every file under got with the golden files under want,
// and checks that no golden file is missing from got.
func checkTree(t *testing.T, got, want string) {
	t.Helper()
	gotFiles, wantFiles := listFiles(t, got), listFiles(t, want)
	for _, f := range gotFiles {
		data, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join(want, f), data)
	}
	for _, f := range wantFiles {
		if !slices.Contains(gotFiles, f) && !strings.HasSuffix(f, ".got") {
			if golden.Updating() {
				os.Remove(filepath.Join(want, f))
				continue
			}
			t.Errorf("%s was not written", f)
		}
	}
}

// listFiles returns the files under dir, relative to it, or none if dir
// does not exist; the private folder (the lock, temporary files) is not
// results, and is left out.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == results.PrivateDir {
			return fs.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, rel)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}
