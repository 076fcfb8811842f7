package results_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/descentlab/runner/internal/faultfs"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/results"
)

// The sweep whose runs the RunWriter's tests replace, and the same with a
// published value printed otherwise: every run is computed again, to the
// same trace, table and pictures, and another expected.md.
const (
	replacedSweep = articleData + b3Weights + "tolerance: 0.001\nmax_iterations: 60\nsweep:\n  alpha: [0.01, 0.1, 0.3]\nexpected:\n  - {final: true, b3: 2.61}\n"
	replacedOne   = articleData + b3Weights + "alpha: 0.1\ntolerance: 0.001\nexpected:\n  - {final: true, b3: 2.61}\n"
)

// replacedWide is replacedSweep with more runs than the terminal shows in
// detail, so that a rerun opens a trace only to check it.
var replacedWide = strings.Replace(replacedSweep, "alpha: [0.01, 0.1, 0.3]", "alpha: [0.01, 0.1, 0.2, 0.3]", 1)

// otherPin prints the published value otherwise.
func otherPin(src string) string {
	return strings.Replace(src, "b3: 2.61}", "b3: 2.6}", 1)
}

// noExchange is a Wrap whose file system cannot exchange two folders, as
// some cannot: runs are replaced file by file.
func noExchange(fsys results.FileSystem) results.FileSystem {
	return faultfs.Wrap(func(op faultfs.Op, _ string) error {
		if op == faultfs.Exchange {
			return errors.ErrUnsupported
		}
		return nil
	})(fsys)
}

// TestRunReplaced replaces the runs of a sweep, with a changed file, files
// no longer written (pictures turned off) and unchanged ones: by an
// exchange of folders, and file by file where that is not possible (the
// file system cannot, the run's folder holds a folder, the experiment is
// one run whose folder is the experiment's). Each time the user's files
// and folders are kept as they were, the unchanged files keep their times,
// the changed one is new, those no longer written are gone, nothing is
// left in .runner/tmp, and a rerun reuses every run; for sweeps, reruns
// settle as those of a folder written whole do: the stat cache knows the
// files as they are after the replacement, the kept ones included.
func TestRunReplaced(t *testing.T) {
	cases := []struct {
		name, src, run string
		wrap           func(results.FileSystem) results.FileSystem
		folder         bool // whether the user keeps a folder in the run's
		exchanged      bool // whether the run's folder is exchanged whole
	}{
		{"exchange", replacedWide, "lr/alpha=0.1", nil, false, true},
		{"file by file", replacedWide, "lr/alpha=0.1", noExchange, false, false},
		{"with a folder inside", replacedWide, "lr/alpha=0.1", nil, true, false},
		{"an experiment of one run", replacedOne, "lr", nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "results")
			runBatch(t, writeExperiment(t, dir, "lr", c.src), out, nil)
			run := filepath.Join(out, filepath.FromSlash(c.run))
			mustWrite(t, filepath.Join(run, "notes.txt"), "the user's notes\n")
			if c.folder {
				mustWrite(t, filepath.Join(run, "mine", "more.txt"), "the user's folder\n")
			}
			before := folderState(t, out)
			o := options(out, c.wrap)
			o.Pictures = results.NoPictures
			if _, err := pipeline.Run(context.Background(), writeExperiment(t, dir, "lr", otherPin(c.src)), o); err != nil {
				t.Fatal(err)
			}
			after := folderState(t, out)
			rel := func(name string) string { return c.run + "/" + name }
			for _, name := range []string{"notes.txt", results.TraceFile, results.IterationsFile, "mine", "mine/more.txt"} {
				if !c.folder && strings.HasPrefix(name, "mine") {
					continue
				}
				if b, a := before[rel(name)], after[rel(name)]; a != b {
					t.Errorf("%s: %+v → %+v; want it kept as it was", rel(name), b, a)
				}
			}
			if b, a := before[rel(results.ExpectedFile)], after[rel(results.ExpectedFile)]; a.sha256 == b.sha256 {
				t.Errorf("%s was not written again", rel(results.ExpectedFile))
			}
			for _, name := range []string{results.DescentFile, results.FitFile} {
				if _, ok := after[rel(name)]; ok {
					t.Errorf("%s is there, no longer written", rel(name))
				}
			}
			if swapped := before[c.run].ino != after[c.run].ino; swapped != c.exchanged {
				t.Errorf("the run's folder exchanged whole: %v, want %v", swapped, c.exchanged)
			}
			checkNoTemporary(t, out)
			exps := writeExperiment(t, dir, "lr", otherPin(c.src))
			if c.src == replacedWide {
				checkRerunsSettle(t, exps, out, c.wrap)
			} else if r := runBatch(t, exps, out, c.wrap); r.Computed != 0 { // one run, shown, whose trace a rerun reads to show it
				t.Errorf("the rerun computed %d runs", r.Computed)
			}
		})
	}
}

// checkNoTemporary checks that nothing is left in .runner/tmp.
func checkNoTemporary(t *testing.T, out string) {
	t.Helper()
	if left, err := os.ReadDir(filepath.Join(out, results.PrivateDir, "tmp")); err != nil || len(left) > 0 {
		t.Errorf("left in .runner/tmp: %v (%v)", left, err)
	}
}

// TestRunWriteFaults replaces a sweep's runs with the file system failing
// as a full disk, a read-only folder or a failing disk would, at the first
// file of the first run: the batch fails with an error that names the file
// (or the run's folder, for an exchange) and the error, and leaves every
// earlier file as it was, with nothing in .runner/tmp. A fault after some
// files were put in place (a run's second file, the records) leaves what
// the next batch replaces or reuses. Run again without the fault, the
// batch ends with the files of a batch that never failed.
func TestRunWriteFaults(t *testing.T) {
	// The edited sweep computes every run again, to other traces; an
	// added run, first, is new.
	edited := strings.Replace(replacedSweep, "tolerance: 0.001", "b3: 0.5\ntolerance: 0.001", 1)
	added := strings.Replace(replacedSweep, "alpha: [0.01,", "alpha: [0.005, 0.01,", 1)
	cases := []struct {
		name   string
		src    string
		op     faultfs.Op
		match  string // a path the fault is on contains it
		err    error
		where  string // what the message names, under the results folder
		noExch bool
		// half: the fault comes after some files were put in place, which
		// the batch after it replaces or reuses.
		half bool
	}{
		{"disk full", edited, faultfs.Write, "alpha=0.01/trace.csv", syscall.ENOSPC, "lr/alpha=0.01/trace.csv", false, false},
		{"read-only folder", edited, faultfs.Create, "alpha=0.01/trace.csv", syscall.EROFS, "lr/alpha=0.01/trace.csv", false, false},
		{"failing exchange", edited, faultfs.Exchange, "lr/alpha=0.01", syscall.EIO, "lr/alpha=0.01", false, false},
		{"failing rename, file by file", edited, faultfs.Rename, "lr/alpha=0.01/trace.csv", syscall.EIO, "lr/alpha=0.01/trace.csv", true, false},
		{"failing rename of a new run", added, faultfs.Rename, "lr/alpha=0.005", syscall.EIO, "lr/alpha=0.005", false, false},
		{"failing rename of a run's second file", edited, faultfs.Rename, "lr/alpha=0.01/iterations.md", syscall.EIO, "lr/alpha=0.01/iterations.md", true, true},
		{"failing rename of the records", edited, faultfs.Rename, "lr/records.csv", syscall.EIO, "lr/records.csv", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "results")
			runBatch(t, writeExperiment(t, dir, "lr", replacedSweep), out, nil)
			before := folderState(t, out)
			exps := writeExperiment(t, dir, "lr", c.src)
			o := options(out, func(fsys results.FileSystem) results.FileSystem {
				return faultfs.Wrap(func(op faultfs.Op, path string) error {
					switch {
					case op == c.op && strings.Contains(path, c.match):
						return c.err
					case op == faultfs.Exchange && c.noExch:
						return errors.ErrUnsupported
					}
					return nil
				})(fsys)
			})
			o.Workers = 1
			_, err := pipeline.Run(context.Background(), exps, o)
			if err == nil {
				t.Fatal("the batch did not fail")
			}
			if want := filepath.Join(out, filepath.FromSlash(c.where)); !strings.Contains(err.Error(), want+":") || !errors.Is(err, c.err) {
				t.Errorf("error %q; want it to name %s and say %q", err, want, c.err)
			}
			if diffs := compareStates(before, folderState(t, out), true, results.PrivateDir); len(diffs) > 0 && !c.half {
				t.Errorf("the failed batch changed %v", diffs)
			}
			checkNoTemporary(t, out)

			r, err := pipeline.Run(context.Background(), exps, options(out, nil))
			if err != nil {
				t.Fatalf("again without the fault: %v", err)
			}
			// Runs computed before the fault are whole and journaled: a
			// fault in writing the records costs no run.
			want := r.Runs // the edit changes every run
			switch c.where {
			case "lr/records.csv":
				want = 0
			case "lr/alpha=0.005":
				want = 1 // the run added
			}
			if r.Computed != want {
				t.Errorf("again without the fault: %d runs computed, want %d", r.Computed, want)
			}
			clean := filepath.Join(dir, "clean")
			runBatch(t, exps, clean, nil)
			if diffs := compareStates(folderState(t, clean), folderState(t, out), false, results.PrivateDir); len(diffs) > 0 {
				t.Errorf("after the fault, the files differ from a batch that never failed: %v", diffs)
			}
		})
	}
}
