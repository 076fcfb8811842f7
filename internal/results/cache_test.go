package results_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/results"
)

// The sweep the stat cache's tests run: more runs than the terminal shows
// in detail (whose traces a rerun reads for their tables).
const cacheSweep = articleData + b3Weights + "tolerance: 0.001\nmax_iterations: 60\nsweep:\n  alpha: [0.01, 0.05, 0.1, 0.2, 0.3, 0.5]\n"

// opens counts the files opened through a results folder's file system.
type opens struct {
	mu    sync.Mutex
	names map[string]int
}

// wrap returns a Wrap for pipeline.Options that counts what is opened.
func (o *opens) wrap(fsys results.FileSystem) results.FileSystem {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = map[string]int{}
	return countingFS{fsys, o}
}

// traces returns the traces opened and how often each.
func (o *opens) traces() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := map[string]int{}
	for name, n := range o.names {
		if strings.HasSuffix(name, "/"+results.TraceFile) && !strings.HasPrefix(name, results.PrivateDir+"/") {
			t[name] = n
		}
	}
	return t
}

type countingFS struct {
	results.FileSystem
	o *opens
}

func (c countingFS) Open(name string) (results.ReadFile, error) {
	c.o.mu.Lock()
	c.o.names[name]++
	c.o.mu.Unlock()
	return c.FileSystem.Open(name)
}

// writeExperiment writes an experiment file in dir and loads it.
func writeExperiment(t *testing.T, dir, name, src string) []*experiment.Experiment {
	t.Helper()
	file := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(file, []byte("name: "+name+"\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	exps, err := experiment.Load([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	return exps
}

// runBatch runs a batch into out, failing the test on error.
func runBatch(t *testing.T, exps []*experiment.Experiment, out string, wrap func(results.FileSystem) results.FileSystem) *pipeline.Report {
	t.Helper()
	r, err := pipeline.Run(context.Background(), exps, options(out, wrap))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// options are a batch's options as the command line's defaults make them.
func options(out string, wrap func(results.FileSystem) results.FileSystem) *pipeline.Options {
	return &pipeline.Options{Out: out, Workers: 2, CSVDigits: results.DefaultCSVDigits, Limits: pipeline.DefaultLimits, Runner: "(test)", Wrap: wrap, Pictures: results.NoPictures}
}

// fileState is what a test compares of a file: its bytes, and with
// withStat its modification time and inode.
type fileState struct {
	sha256 [sha256.Size]byte
	mode   fs.FileMode
	mtime  int64
	ino    uint64
}

// folderState describes every file and folder under dir, .runner's too.
func folderState(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	state := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		s := fileState{mode: info.Mode(), mtime: st.Mtim.Nano(), ino: st.Ino}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s.sha256 = sha256.Sum256(data)
		}
		rel, _ := filepath.Rel(dir, p)
		state[filepath.ToSlash(rel)] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// compareStates lists the differences of two folder states: of contents
// only, or (withStat) of modification times and inodes too, and of
// folders' times. Names under skip are not compared.
func compareStates(a, b map[string]fileState, withStat bool, skip ...string) []string {
	var diffs []string
	skipped := func(name string) bool {
		return slices.ContainsFunc(skip, func(s string) bool { return name == s || strings.HasPrefix(name, s+"/") })
	}
	for name, x := range a {
		y, ok := b[name]
		switch {
		case skipped(name):
		case !ok:
			diffs = append(diffs, name+": gone")
		case x.sha256 != y.sha256 || x.mode != y.mode:
			diffs = append(diffs, name+": other contents")
		case withStat && (x.mtime != y.mtime || x.ino != y.ino):
			diffs = append(diffs, name+": touched")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok && !skipped(name) {
			diffs = append(diffs, name+": new")
		}
	}
	slices.Sort(diffs)
	return diffs
}

// TestRerunReadsNoTrace runs a sweep, then runs it again until the stat
// cache holds every file: each rerun reads only traces written in the
// cache's own clock tick (which may have changed unseen), and the next
// rerun reads none and modifies nothing under the results folder, its
// private folder included.
func TestRerunReadsNoTrace(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	exps := writeExperiment(t, dir, "lr", cacheSweep)
	runBatch(t, exps, out, nil)
	checkRerunsSettle(t, exps, out, nil)
}

// checkRerunsSettle reruns the experiments of lr into out, through wrap if
// not nil, until the stat cache holds every file: each rerun reads only
// traces written in the cache's own clock tick, and the next reads none
// and modifies nothing, the private folder included.
func checkRerunsSettle(t *testing.T, exps []*experiment.Experiment, out string, wrap func(results.FileSystem) results.FileSystem) {
	t.Helper()
	cache := filepath.Join(out, results.PrivateDir, "cache", "lr.csv")
	var o opens
	counted := func(fsys results.FileSystem) results.FileSystem {
		if wrap != nil {
			fsys = wrap(fsys)
		}
		return o.wrap(fsys)
	}
	for try := 1; ; try++ {
		written := mtime(t, cache)
		before := folderState(t, out)
		r := runBatch(t, exps, out, counted)
		if r.Computed != 0 || r.Changed != 0 {
			t.Fatalf("rerun %d: %d runs computed, %d files changed; want none", try, r.Computed, r.Changed)
		}
		read := o.traces()
		if len(read) == 0 {
			if diffs := compareStates(before, folderState(t, out), true); len(diffs) > 0 {
				t.Errorf("a rerun that read nothing modified %v", diffs)
			}
			return
		}
		for name := range read {
			if m := mtime(t, filepath.Join(out, name)); m < written {
				t.Errorf("rerun %d read %s, modified %v before the cache", try, name, time.Duration(written-m))
			}
		}
		if try == 2 {
			t.Fatalf("a second rerun read %v", read)
		}
	}
}

// mtime returns a file's modification time in nanoseconds.
func mtime(t *testing.T, name string) int64 {
	t.Helper()
	return lstat(t, name).Mtim.Nano()
}

// statIno returns a file's inode.
func statIno(t *testing.T, name string) uint64 {
	t.Helper()
	return lstat(t, name).Ino
}

// lstat returns what lstat(2) says of a file.
func lstat(t *testing.T, name string) *syscall.Stat_t {
	t.Helper()
	info, err := os.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t)
}

// setMtime sets a file's modification time, in nanoseconds.
func setMtime(t *testing.T, name string, ns int64) {
	t.Helper()
	if err := os.Chtimes(name, time.Unix(0, ns), time.Unix(0, ns)); err != nil {
		t.Fatal(err)
	}
}

// settled runs a sweep into a new results folder and reruns it until its
// stat cache vouches for every file.
func settled(t *testing.T) (dir, out string, exps []*experiment.Experiment) {
	t.Helper()
	dir = t.TempDir()
	out = filepath.Join(dir, "results")
	exps = writeExperiment(t, dir, "lr", cacheSweep)
	runBatch(t, exps, out, nil)
	var o opens
	for range 3 {
		runBatch(t, exps, out, o.wrap)
		if len(o.traces()) == 0 {
			return dir, out, exps
		}
	}
	t.Fatal("the cache never settled")
	return
}

// TestRacilyCleanTraceIsHashed rewrites a trace in place with other bytes
// of the same size, and gives it the modification time it had, which is
// also the cache file's (a trace written in the same clock tick as the
// cache): the file stats as the cache recorded it, but the cache cannot
// tell, so the trace is hashed and its run computed again, its trace
// restored. The next rerun reads nothing.
func TestRacilyCleanTraceIsHashed(t *testing.T) {
	out, exps, trace, original := settledTrace(t)
	recorded := mtime(t, trace)
	cache := filepath.Join(out, results.PrivateDir, "cache", "lr.csv")
	setMtime(t, cache, recorded) // the cache written in the trace's tick

	f, err := os.OpenFile(trace, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(string(original), "2.6") + 2 // a digit of the last row's b3
	if _, err := f.WriteAt([]byte{original[i] ^ 1}, int64(i)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	setMtime(t, trace, recorded)
	if ino := statIno(t, trace); ino == 0 {
		t.Fatal("no inode")
	}

	checkTraceRestored(t, exps, out, trace, original)
}

// TestEditedTraceWithItsTimeIsHashed edits a trace in place, keeping its
// size, and gives it back its modification time, as touch -d, cp -p or
// rsync --inplace can: the file stats as the cache recorded it but for
// its change time, which no program sets, so the trace is hashed and its
// run computed again.
func TestEditedTraceWithItsTimeIsHashed(t *testing.T) {
	out, exps, trace, original := settledTrace(t)
	recorded := mtime(t, trace)
	ino := statIno(t, trace)
	edited := []byte(strings.Replace(string(original), "2.6", "2.7", 1))
	if string(edited) == string(original) {
		t.Fatal("the trace has no 2.6 to edit")
	}
	if err := os.WriteFile(trace, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	setMtime(t, trace, recorded)
	if got := statIno(t, trace); got != ino {
		t.Fatalf("the edit changed the inode (%d, was %d)", got, ino)
	}

	checkTraceRestored(t, exps, out, trace, original)
}

// settledTrace returns a settled folder (see settled), its experiments,
// and the path and bytes of the trace of its run lr/alpha=0.1.
func settledTrace(t *testing.T) (out string, exps []*experiment.Experiment, trace string, original []byte) {
	t.Helper()
	_, out, exps = settled(t)
	trace = filepath.Join(out, "lr", "alpha=0.1", results.TraceFile)
	original, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	return out, exps, trace, original
}

// checkTraceRestored reruns the experiments after trace was changed unseen
// by its stat: the run is computed again, its trace restored to original,
// and the rerun after it reads no trace.
func checkTraceRestored(t *testing.T, exps []*experiment.Experiment, out, trace string, original []byte) {
	t.Helper()
	var o opens
	r := runBatch(t, exps, out, o.wrap)
	if r.Computed != 1 {
		t.Errorf("%d runs computed, want the one whose trace changed", r.Computed)
	}
	if got, _ := os.ReadFile(trace); string(got) != string(original) {
		t.Error("the trace was not written again")
	}
	runBatch(t, exps, out, o.wrap)
	if read := o.traces(); len(read) > 0 {
		t.Errorf("the rerun after it read %v", read)
	}
}

// TestCacheNotBelieved damages the stat cache, or takes it away, or copies
// the results folder (every inode another, the times kept; or by hard
// links, every file the same): each rerun hashes every trace once,
// computes nothing and leaves the results as they were; the rerun after it
// reads nothing.
func TestCacheNotBelieved(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, dir, out string) string // returns the folder to rerun
	}{
		{"corrupt", func(t *testing.T, dir, out string) string {
			cache := filepath.Join(out, results.PrivateDir, "cache", "lr.csv")
			data, err := os.ReadFile(cache)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0x55
			if err := os.WriteFile(cache, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"garbage", func(t *testing.T, dir, out string) string {
			if err := os.WriteFile(filepath.Join(out, results.PrivateDir, "cache", "lr.csv"), []byte("\x00\xff not a cache\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"missing", func(t *testing.T, dir, out string) string {
			if err := os.RemoveAll(filepath.Join(out, results.PrivateDir, "cache")); err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"another folder's", func(t *testing.T, dir, out string) string {
			copied := filepath.Join(dir, "copied")
			copyTree(t, out, copied, false)
			return copied
		}},
		// Every file of the copy is the same inode, of the same size and
		// time: only the cache's first line tells that it was made for
		// another folder.
		{"another folder's, of the same files", func(t *testing.T, dir, out string) string {
			linked := filepath.Join(dir, "linked")
			copyTree(t, out, linked, true)
			return linked
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, out, exps := settled(t)
			results0 := folderState(t, out)
			rerun := c.damage(t, dir, out)
			var o opens
			r := runBatch(t, exps, rerun, o.wrap)
			if r.Computed != 0 || r.Changed != 0 {
				t.Errorf("%d runs computed, %d files changed; want none", r.Computed, r.Changed)
			}
			read := o.traces()
			for i := range exps[0].RunCount() {
				name := exps[0].Run(i).ID + "/" + results.TraceFile
				if read[name] != 1 {
					t.Errorf("%s read %d times, want once", name, read[name])
				}
			}
			if diffs := compareStates(results0, folderState(t, rerun), false, results.PrivateDir); len(diffs) > 0 {
				t.Errorf("the results changed: %v", diffs)
			}
			runBatch(t, exps, rerun, o.wrap)
			if read := o.traces(); len(read) > 0 {
				t.Errorf("the rerun after it read %v", read)
			}
		})
	}
}

// copyTree copies a folder, keeping files' modification times; with link,
// each file of the copy is a hard link to the file copied.
func copyTree(t *testing.T, from, to string, link bool) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if link {
			return os.Link(p, target)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(target, info.ModTime(), info.ModTime())
	})
	if err != nil {
		t.Fatal(fmt.Errorf("copying %s: %w", from, err))
	}
}

// TestCheckoutOfEarlierResults puts a results folder back as it was before
// a change (as git checkout does: every file of the results as it was,
// .runner/, which git ignores, as the later batch left it) with the
// experiment as it was: every run is reused, each trace hashed once, none
// computed. The stat cache, of the later records, vouches for nothing.
func TestCheckoutOfEarlierResults(t *testing.T) {
	_, out, exps := settled(t)
	dir := filepath.Dir(out)
	saved := filepath.Join(dir, "saved")
	copyTree(t, out, saved, false)
	later := writeExperiment(t, dir, "lr", strings.Replace(cacheSweep, "tolerance: 0.001", "tolerance: 0.002", 1))
	if r := runBatch(t, later, out, nil); r.Computed != exps[0].RunCount() {
		t.Fatalf("the change computed %d runs, want every one", r.Computed)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != results.PrivateDir {
			if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
				t.Fatal(err)
			}
			copyTree(t, filepath.Join(saved, e.Name()), filepath.Join(out, e.Name()), false)
		}
	}
	exps = writeExperiment(t, dir, "lr", cacheSweep)
	var o opens
	r := runBatch(t, exps, out, o.wrap)
	if r.Computed != 0 || r.Reused != r.Runs {
		t.Errorf("after the checkout: %d runs computed, %d reused of %d; want every one reused", r.Computed, r.Reused, r.Runs)
	}
	if read := o.traces(); len(read) != r.Runs {
		t.Errorf("after the checkout, read %v; want each trace once", read)
	}
	if diffs := compareStates(folderState(t, saved), folderState(t, out), false, results.PrivateDir); len(diffs) > 0 {
		t.Errorf("the results are not those checked out: %v", diffs)
	}
}
