package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/descentlab/runner/internal/faultfs"
	"github.com/descentlab/runner/internal/results"
)

// TestWriteFailures runs a batch over results written before, with the
// file system failing as a full disk or a read-only folder would: the
// runner must exit 1 naming the file, and leave every earlier file as it
// was, with no temporary file.
func TestWriteFailures(t *testing.T) {
	in := "testdata/golden/batch/in"
	tests := []struct {
		name string
		op   faultfs.Op
		err  error
		want string
	}{
		{"disk full", faultfs.Write, syscall.ENOSPC, "diverge/trace.csv: write "},
		{"read-only folder", faultfs.Create, syscall.EROFS, "diverge/trace.csv: create "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, before := runInto(t, ExitFailure, "run", "-j", "1", in)
			// A change that rewrites every run's files.
			edited := filepath.Join(t.TempDir(), "in")
			copyDir(t, in, edited, func(data []byte) []byte {
				return bytes.ReplaceAll(data, []byte("tolerance: 0.001"), []byte("tolerance: 0.0011"))
			})

			// A trace is written in .runner/tmp, in a folder named after its
			// run's: 1234-5-diverge/trace.csv.
			wrapResults = faultfs.Wrap(func(op faultfs.Op, path string) error {
				if op == tt.op && strings.Contains(path, "trace.csv") && strings.Contains(path, "diverge") {
					return tt.err
				}
				return nil
			})
			defer func() { wrapResults = nil }()

			var stdout, stderr bytes.Buffer
			if status := Main([]string{"run", "-j", "1", "-o", out, edited}, &stdout, &stderr); status != ExitFailure {
				t.Fatalf("status %d, want %d\n%s", status, ExitFailure, stderr.String())
			}
			wantMsg := "runner: writing " + filepath.Join(out, "diverge", "trace.csv") + ": "
			if !strings.HasPrefix(stderr.String(), wantMsg) || !strings.Contains(stderr.String(), tt.err.Error()) {
				t.Errorf("stderr %q, want it to start %q and say %q", stderr.String(), wantMsg, tt.err)
			}
			after := map[string][]byte{}
			for _, f := range listFiles(t, out) {
				if f == filepath.Join("slow", "trace.csv") || strings.HasPrefix(f, "slow"+string(filepath.Separator)) {
					continue // slow ran before diverge failed, and was rewritten whole
				}
				data, err := os.ReadFile(filepath.Join(out, f))
				if err != nil {
					t.Fatal(err)
				}
				after[f] = data
			}
			if left, err := os.ReadDir(filepath.Join(out, results.PrivateDir, "tmp")); err != nil || len(left) > 0 {
				t.Errorf("temporary files left in .runner/tmp: %v (%v)", left, err)
			}
			for f, data := range after {
				if !bytes.Equal(data, before[f]) {
					t.Errorf("%s changed though its run failed", f)
				}
			}
		})
	}
}

// copyDir copies the files of a folder, editing each.
func copyDir(t *testing.T, from, to string, edit func([]byte) []byte) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), edit(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
