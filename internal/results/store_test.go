package results_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/faultfs"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// open opens a results folder, failing the test on error.
func open(t *testing.T, dir string, o results.Options) *results.Store {
	t.Helper()
	if o.Mode == 0 {
		o.Mode = results.Write
	}
	s, err := results.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// record is a record of a run with the given trace digits.
func record(id string, digits int) *results.Record {
	return &results.Record{Run: id, Method: results.Method, Inputs: results.Inputs{
		Data: []engine.Point{{X: 0, Y: 0}}, Train: engine.NewParamSet(engine.B3),
		Alpha: 0.1, Tolerance: 0.001, MaxIterations: 10, TraceEvery: 1, CSVDigits: digits,
	}, Outcome: results.Outcome{Status: engine.Converged, Iterations: 2}}
}

// writeRun writes a run's folder: a trace written in pieces, as the
// runner does, then the files given, then its record.
func writeRun(s *results.Store, id, trace string, files ...string) (bool, error) {
	w, err := s.NewRun(id)
	if err != nil {
		return false, err
	}
	p, err := w.Create(results.TraceFile)
	for _, line := range strings.SplitAfter(trace, "\n") {
		if err == nil {
			_, err = p.Write([]byte(line))
		}
	}
	for _, f := range files {
		if err == nil {
			err = w.Put(f, []byte(f+" of "+trace))
		}
	}
	if err != nil {
		w.Abort()
		return false, err
	}
	return w.Commit(record(id, len(trace)))
}

// tree returns every file and folder under root, with the files'
// contents and modification times, but the private folder.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if d.Name() == results.PrivateDir {
				return filepath.SkipDir
			}
			files[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		info, _ := d.Info()
		files[rel] = string(data) + " @" + info.ModTime().Format(time.RFC3339Nano)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// tmp lists what is in the private folder's tmp.
func tmp(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, results.PrivateDir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestRunsAreWrittenWhole writes a run, replaces it, and writes it again
// unchanged: by a swap of folders, and where that is not possible (the
// file system cannot, or the folder holds a folder) file by file. Each
// time the folder holds the run's files and its record, the files the
// runner did not write are kept, unchanged files keep their modification
// times, and nothing is left in .runner/tmp.
func TestRunsAreWrittenWhole(t *testing.T) {
	for _, how := range []string{"exchange", "file by file", "with a folder inside"} {
		t.Run(how, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "results")
			o := results.Options{}
			if how == "file by file" {
				o.FS = faultfs.FS{FileSystem: results.OS, Fail: func(op faultfs.Op, _ string) error {
					if op == faultfs.Exchange {
						return errors.ErrUnsupported
					}
					return nil
				}}
			}
			s := open(t, root, o)
			if changed, err := writeRun(s, "lr/alpha=0.1", "a\nb\n", results.IterationsFile, results.DescentFile); err != nil || !changed {
				t.Fatalf("new run: changed %v, %v", changed, err)
			}
			dir := filepath.Join(root, "lr", "alpha=0.1")
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			if how == "with a folder inside" {
				if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			before := tree(t, root)
			time.Sleep(10 * time.Millisecond)
			// The same trace and table, a changed picture dropped and another
			// file added.
			if changed, err := writeRun(s, "lr/alpha=0.1", "a\nb\n", results.IterationsFile, results.FitFile); err != nil || !changed {
				t.Fatalf("replacing: changed %v, %v", changed, err)
			}
			after := tree(t, root)
			for _, f := range []string{"lr/alpha=0.1/trace.csv", "lr/alpha=0.1/iterations.md", "lr/alpha=0.1/notes.txt"} {
				if after[f] != before[f] {
					t.Errorf("%s: %q → %q; want it untouched", f, before[f], after[f])
				}
			}
			if _, ok := after["lr/alpha=0.1/descent.svg"]; ok {
				t.Errorf("the dropped picture is still there")
			}
			if _, err := results.VerifyRun(os.DirFS(root), "lr/alpha=0.1"); err != nil {
				t.Errorf("the run is not whole: %v", err)
			}
			if changed, err := writeRun(s, "lr/alpha=0.1", "a\nb\n", results.IterationsFile, results.FitFile); err != nil || changed {
				t.Errorf("unchanged: changed %v, %v", changed, err)
			}
			if again := tree(t, root); len(again) != len(after) {
				t.Errorf("writing the same run again changed the folder")
			} else {
				for f, v := range after {
					if again[f] != v {
						t.Errorf("%s changed, though the run did not", f)
					}
				}
			}
			if left := tmp(t, root); len(left) > 0 {
				t.Errorf("left in .runner/tmp: %v", left)
			}
		})
	}
}

// TestFaultsLeaveEarlierResultsWhole injects failures into the writing of
// a run, new or replacing one already there: the error names the file, and
// the results folder is as it was before, with nothing left in
// .runner/tmp.
func TestFaultsLeaveEarlierResultsWhole(t *testing.T) {
	tests := []struct {
		name, run string
		op        faultfs.Op
		err       error
		want      string
	}{
		{"disk full in a new run", "lr/alpha=0.2", faultfs.Write, syscall.ENOSPC, "lr/alpha=0.2/trace.csv"},
		{"disk full replacing a run", "lr/alpha=0.1", faultfs.Write, syscall.ENOSPC, "lr/alpha=0.1/trace.csv"},
		{"read-only folder, new run", "lr/alpha=0.2", faultfs.Mkdir, syscall.EROFS, "lr/alpha=0.2"},
		{"read-only folder, replacing", "lr/alpha=0.1", faultfs.Create, syscall.EACCES, "lr/alpha=0.1/trace.csv"},
		{"rename refused", "lr/alpha=0.2", faultfs.Rename, syscall.EIO, "lr/alpha=0.2"},
		{"exchange refused", "lr/alpha=0.1", faultfs.Exchange, syscall.EIO, "lr/alpha=0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "results")
			first := open(t, root, results.Options{})
			if _, err := writeRun(first, "lr/alpha=0.1", "a\nb\n"); err != nil {
				t.Fatal(err)
			}
			first.Close()
			before := tree(t, root)
			fsys := faultfs.FS{FileSystem: results.OS, Fail: func(op faultfs.Op, path string) error {
				if op == tt.op && strings.Contains(filepath.ToSlash(path), filepath.Base(tt.run)) {
					return tt.err
				}
				return nil
			}}
			_, err := writeRun(open(t, root, results.Options{FS: fsys}), tt.run, "c\nd\ne\n")
			if err == nil || !strings.Contains(err.Error(), filepath.Join(root, filepath.FromSlash(tt.want))) {
				t.Errorf("error %v, want one naming %s", err, filepath.Join(root, tt.want))
			}
			after := tree(t, root)
			if len(after) != len(before) {
				t.Errorf("files before: %v\nafter: %v", before, after)
			}
			for name, data := range before {
				if after[name] != data {
					t.Errorf("%s changed: %q → %q", name, data, after[name])
				}
			}
			if left := tmp(t, root); len(left) > 0 {
				t.Errorf("left in .runner/tmp: %v", left)
			}
		})
	}
}

// TestReusable checks the decision to reuse a stored run.
func TestReusable(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	s := open(t, root, results.Options{})
	if _, err := writeRun(s, "lr/alpha=0.1", "a\nb\n", results.IterationsFile); err != nil {
		t.Fatal(err)
	}
	rec := record("lr/alpha=0.1", 4)
	in := &rec.Inputs
	files := []string{results.TraceFile, results.IterationsFile}
	if _, ok := s.Reusable(rec.Run, in, files); !ok {
		t.Fatal("a stored run with the same inputs and files is not reusable")
	}
	other := record("lr/alpha=0.1", 5)
	for what, ok := range map[string]bool{
		"other inputs":     reusable(s, rec.Run, &other.Inputs, files),
		"another file":     reusable(s, rec.Run, in, append(files, results.FitFile)),
		"a file fewer":     reusable(s, rec.Run, in, files[:1]),
		"a run not stored": reusable(s, "lr/alpha=0.2", in, files),
	} {
		if ok {
			t.Errorf("%s: reusable", what)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "lr", "alpha=0.1", "trace.csv"), []byte("a\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Reusable(rec.Run, in, files); ok {
		t.Errorf("a run whose trace changed (same size) is reusable")
	}
	// Changed in the tick of the clock in which the record was written:
	// the same modification time as the record's, and still not reusable.
	dir := filepath.Join(root, "lr", "alpha=0.1")
	info, err := os.Stat(filepath.Join(dir, results.RecordFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "trace.csv"), info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Reusable(rec.Run, in, files); ok {
		t.Errorf("a run whose trace changed in the record's tick is reusable")
	}
	// Put back, and older than the record: trusted without being read.
	older := info.ModTime().Add(-time.Second)
	if err := os.WriteFile(filepath.Join(dir, "trace.csv"), []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "trace.csv"), older, older); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Reusable(rec.Run, in, files); !ok {
		t.Errorf("a run whose trace is as recorded is not reusable")
	}
}

func reusable(s *results.Store, id string, in *results.Inputs, files []string) bool {
	_, ok := s.Reusable(id, in, files)
	return ok
}

// TestFilesTheRunnerDidNotWriteAreNotReplaced puts a file of a user's where
// the runner would write one of its own: the runner refuses, naming it.
func TestFilesTheRunnerDidNotWriteAreNotReplaced(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	s := open(t, root, results.Options{})
	if _, err := writeRun(s, "lr/alpha=0.1", "a\n"); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(root, "lr", "alpha=0.1", results.FitFile)
	if err := os.WriteFile(mine, []byte("my picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := writeRun(s, "lr/alpha=0.1", "b\n", results.FitFile)
	if want := "will not replace " + mine + ": the runner did not write it"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if data, _ := os.ReadFile(mine); string(data) != "my picture" {
		t.Errorf("the user's file is now %q", data)
	}
	manifest := func([]string) []byte { return []byte("manifest\n") }
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte("my readme"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenFolder("", nil, []string{results.IndexFile}, manifest); err == nil || !strings.Contains(err.Error(), "will not replace") {
		t.Errorf("replacing a README.md the runner did not write: %v", err)
	}
}

// TestFoldersNoOneMeansAreRefused gives the store folders that cannot be
// meant as results folders: each is refused, and nothing is written.
func TestFoldersNoOneMeansAreRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("README.md", []byte("the user's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	for _, tt := range []struct{ dir, want string }{
		{"", "-o: an empty folder name; name the results folder, such as -o results"},
		{"/", "-o /: is the root of the file system"},
		{home, "is your home folder"},
		{".", "-o .: holds files (such as README.md) but is not a results folder of the runner (it has no manifest.yaml); write results to a new or empty folder, or move its files away"},
		{"file", "-o file: is a file, not a folder"},
	} {
		for _, mode := range []results.Mode{results.Write, results.Shard} {
			_, err := results.Open(tt.dir, results.Options{Mode: mode, Shard: "1-of-2"})
			var fe *results.FolderError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("-o %q: %v, want a refusal saying %q", tt.dir, err, tt.want)
			}
		}
	}
	if _, err := os.Stat(results.PrivateDir); err == nil {
		t.Errorf("a refused folder was written in")
	}
	// A new folder, and an empty one, are taken.
	for _, d := range []string{"new/results", "empty"} {
		if err := os.MkdirAll("empty", 0o755); err != nil {
			t.Fatal(err)
		}
		open(t, d, results.Options{}).Close()
		if err := results.CheckFolder(os.DirFS(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

// TestOneWriterAtATime takes the lock of a results folder: a second writer
// is refused at once, naming the first; shards of one sweep share it, but
// not a shard run twice.
func TestOneWriterAtATime(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	first := open(t, root, results.Options{Command: "process 1234 (runner run)"})
	_, err := results.Open(root, results.Options{Mode: results.Write})
	if want := root + " is being written by process 1234 (runner run); wait for it to finish"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a second writer: %v, want %q", err, want)
	}
	if _, err := results.Open(root, results.Options{Mode: results.Shard, Shard: "1-of-2"}); err == nil {
		t.Errorf("a shard took the lock of a writer")
	}
	if _, err := results.Open(root, results.Options{Mode: results.Compare}); err != nil {
		t.Errorf("a reader was refused: %v", err)
	}
	first.Close()

	a := open(t, root, results.Options{Mode: results.Shard, Shard: "1-of-2", Command: "process 11 (shard 1)"})
	open(t, root, results.Options{Mode: results.Shard, Shard: "2-of-2", Command: "process 12 (shard 2)"})
	if _, err := results.Open(root, results.Options{Mode: results.Shard, Shard: "1-of-2"}); err == nil || !strings.Contains(err.Error(), "shard 1-of-2 already") {
		t.Errorf("a shard run twice: %v", err)
	}
	_, err = results.Open(root, results.Options{Mode: results.Write})
	if err == nil || !strings.Contains(err.Error(), "process 11 (shard 1) and process 12 (shard 2)") {
		t.Errorf("a writer while shards write: %v, want the shards named", err)
	}
	a.Close()
}

// TestLeftoversAreReportedThenRemoved leaves what a killed writer would in
// .runner/tmp: Compare mode reports it, and the next writer removes it.
func TestLeftoversAreReportedThenRemoved(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	open(t, root, results.Options{}).Close()
	junk := filepath.Join(root, results.PrivateDir, "tmp", "999-1-lr_alpha=0.1")
	if err := os.MkdirAll(junk, 0o755); err != nil {
		t.Fatal(err)
	}
	check := open(t, root, results.Options{Mode: results.Compare})
	if n, _, err := check.Leftovers(); n != 1 || err != nil {
		t.Errorf("Leftovers: %d, %v; want 1", n, err)
	}
	open(t, root, results.Options{}).Close()
	if _, err := os.Stat(junk); err == nil {
		t.Errorf("the next writer did not remove %s", junk)
	}
}

// TestCompareWritesNothing writes a run in Compare mode: it is counted as
// changed, and nothing is written.
func TestCompareWritesNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	open(t, root, results.Options{}).Close()
	before := tree(t, root)
	s := open(t, root, results.Options{Mode: results.Compare})
	if changed, err := writeRun(s, "lr/alpha=0.1", "a\n"); err != nil || !changed {
		t.Fatalf("changed %v, %v", changed, err)
	}
	if got := s.Changed(); len(got) != 2 || got[0] != "lr/alpha=0.1/run.yaml" {
		t.Errorf("Changed: %v", got)
	}
	if after := tree(t, root); len(after) != len(before) {
		t.Errorf("Compare mode wrote: %v", after)
	}
}

// TestRemoveRunKeepsWhatTheRunnerDidNotWrite prunes a run whose folder
// holds a file of a user's: the runner's files go, the user's is kept and
// named.
func TestRemoveRunKeepsWhatTheRunnerDidNotWrite(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	s := open(t, root, results.Options{})
	for _, id := range []string{"lr/alpha=0.1", "lr/alpha=0.2"} {
		if _, err := writeRun(s, id, "a\n", results.IterationsFile); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "lr", "alpha=0.1", "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{"lr/alpha=0.1": {"lr/alpha=0.1/notes.txt"}, "lr/alpha=0.2": nil} {
		kept, err := s.RemoveRun(id)
		if err != nil || strings.Join(kept, " ") != strings.Join(want, " ") {
			t.Errorf("RemoveRun(%s): kept %v, %v; want %v", id, kept, err, want)
		}
	}
	got := tree(t, root)
	if _, ok := got["lr/alpha=0.2/"]; ok {
		t.Errorf("the emptied folder lr/alpha=0.2 is still there")
	}
	if _, ok := got["lr/alpha=0.1/notes.txt"]; !ok || len(got) != 5 {
		t.Errorf("left: %v; want the results folder and its manifest, lr/, lr/alpha=0.1/ and the notes", got)
	}
}
