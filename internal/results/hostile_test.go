package results_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/results"
)

// TestHostileFolders plants links and special files in a results folder
// written before, where the runner reads, writes and removes, and runs
// the batch again (with --prune where it removes): nothing outside the
// folder changes, byte for byte, and each plant is refused with its name,
// or left alone, or replaced by the run it stands for.
func TestHostileFolders(t *testing.T) {
	cases := []struct {
		name  string
		plant func(t *testing.T, out, victim string)
		prune bool
		// refused, if not "", is what the error must say (RESULTS for
		// the results folder); else the batch must succeed.
		refused string
	}{
		{"a run's folder a link to a copy outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, "lr", "alpha=0.1"), filepath.Join(victim, "run"))
		}, false, "lr/alpha=0.1: it is a symbolic link"},
		{"a run's trace a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, "lr", "alpha=0.1", results.TraceFile), filepath.Join(victim, "trace.csv"))
		}, false, ""},
		{"a stale run's folder a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, "lr", "alpha=0.3"), filepath.Join(victim, "run"))
		}, true, ""},
		{"the experiment's folder a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, "lr"), filepath.Join(victim, "lr"))
		}, true, "lr: it is a symbolic link"},
		{"records.csv a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, "lr", results.RecordsFile), filepath.Join(victim, "records.csv"))
		}, false, ""}, // not read: its runs are checked from their files, and it is written again
		{"records.csv a named pipe", func(t *testing.T, out, victim string) {
			path := filepath.Join(out, "lr", results.RecordsFile)
			os.Remove(path)
			if err := mkfifo(path); err != nil {
				t.Fatal(err)
			}
		}, false, ""}, // not waited on, and written again
		{".runner/tmp a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, results.PrivateDir, "tmp"), filepath.Join(victim, "tmp"))
		}, false, ".runner/tmp is a symbolic link"},
		{".runner/cache a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, results.PrivateDir, "cache"), filepath.Join(victim, "cache"))
		}, false, ".runner/cache is a symbolic link"},
		{".runner/lock a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, results.PrivateDir, "lock"), filepath.Join(victim, "lock"))
		}, false, "lock"},
		{".runner a link outside", func(t *testing.T, out, victim string) {
			moveToLink(t, filepath.Join(out, results.PrivateDir), filepath.Join(victim, "private"))
		}, false, ".runner is a symbolic link"},
		{"a journal a link outside", func(t *testing.T, out, victim string) {
			dir := filepath.Join(out, results.PrivateDir, "journal", "lr")
			mustWrite(t, filepath.Join(victim, "journal.csv"), "the victim's\n")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(victim, "journal.csv"), filepath.Join(dir, "run-1.csv")); err != nil {
				t.Fatal(err)
			}
		}, false, "reading RESULTS/.runner/journal/lr/run-1.csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "results")
			victim := filepath.Join(dir, "victim")
			runBatch(t, writeExperiment(t, dir, "lr", replacedSweep), out, nil)
			c.plant(t, out, victim)
			mustWrite(t, filepath.Join(victim, "victim.txt"), "the victim's file\n")
			before := snapshot(t, victim)
			src := replacedSweep
			if c.prune {
				src = strings.Replace(src, "[0.01, 0.1, 0.3]", "[0.01, 0.1]", 1) // alpha=0.3 stale
			}
			o := options(out, nil)
			o.Prune = c.prune
			_, err := withinTimeErr(t, func() (*pipeline.Report, error) {
				return pipeline.Run(context.Background(), writeExperiment(t, dir, "lr", src), o)
			})
			switch {
			case c.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.refused != "" && (err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), out, "RESULTS"), c.refused)):
				t.Errorf("error %v; want one that says %q", err, c.refused)
			}
			if err != nil {
				checkMessage(t, c.name, err)
			}
			if diff := diffSnapshots(before, snapshot(t, victim)); diff != "" {
				t.Errorf("changed outside the results folder:\n%s", diff)
			}
		})
	}
}

// moveToLink moves name to target, outside the results folder, and puts a
// link to it in its place.
func moveToLink(t *testing.T, name, target string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(name, target); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// withinTimeErr calls do, failing the test if it blocks.
func withinTimeErr(t *testing.T, do func() (*pipeline.Report, error)) (*pipeline.Report, error) {
	t.Helper()
	var r *pipeline.Report
	err := withinTime(t, func() error {
		var err error
		r, err = do()
		return err
	})
	return r, err
}

// mkfifo makes a named pipe.
func mkfifo(name string) error {
	return syscall.Mkfifo(name, 0o644)
}
