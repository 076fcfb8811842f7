package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/faultfs"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/results"
)

// The experiments the tests run: a sweep of two fields crossed with runs
// entries, and an experiment of one run, in one file.
const (
	data    = "data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]\n"
	weights = "weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}\n"
	noB2    = "weights: {w1: 3.34, b1: -1.43, w2: -3.53, w3: -1.22, w4: -2.30}\n" // b2 swept
	grid    = "name: grid\n" + data + noB2 + "max_iterations: 40\nsweep:\n  alpha: [0.01, 0.1, 0.3, 0.5]\n  tolerance: [0.001, 0.01]\nruns:\n  - {b2: 0.57, b3: 0}\n  - {b2: 0.5, b3: 1}\n"
	single  = "name: single\n" + data + weights + "alpha: 0.1\ntolerance: 0.001\nexpected:\n  - {iteration: 1, gradient_b3: -15.7}\n  - {final: true, b3: 2.61}\n"
	lr      = "name: lr\n" + data + weights + "tolerance: 0.001\nmax_iterations: 60\nsweep:\n  alpha: [0.01, 0.1, 0.3]\n"
)

// write writes an experiment file in dir and loads it.
func write(t *testing.T, dir, file, src string) []*experiment.Experiment {
	t.Helper()
	name := filepath.Join(dir, file)
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	exps, err := experiment.Load([]string{name})
	if err != nil {
		t.Fatal(err)
	}
	return exps
}

// options are a batch's options as the command line's defaults make them,
// into the results folder out.
func options(out string) *pipeline.Options {
	return &pipeline.Options{Out: out, Workers: 2, CSVDigits: results.DefaultCSVDigits, Limits: pipeline.DefaultLimits, Runner: "(test)"}
}

// run runs a batch, failing the test on error.
func run(t *testing.T, exps []*experiment.Experiment, o *pipeline.Options) *pipeline.Report {
	t.Helper()
	r, err := pipeline.Run(context.Background(), exps, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// files returns the contents of every file under dir but the private
// folder, by slash-separated name.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == results.PrivateDir {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// diffFiles lists the files that differ between two folders' files.
func diffFiles(a, b map[string]string) []string {
	var diffs []string
	for name, x := range a {
		if y, ok := b[name]; !ok {
			diffs = append(diffs, name+" only in the first")
		} else if x != y {
			diffs = append(diffs, name+" differs")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			diffs = append(diffs, name+" only in the second")
		}
	}
	slices.Sort(diffs)
	return diffs
}

// recordedRuns returns the runs an experiment's records.csv lists, in its
// order.
func recordedRuns(t *testing.T, out, experiment string) []string {
	t.Helper()
	fsys, closeFS, err := results.OpenFS(out)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFS()
	m, err := results.ReadManifest(fsys, experiment)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := results.RunIDs(fsys, m)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// planned returns the identifiers of the runs of exps, in the plan's
// order.
func planned(exps []*experiment.Experiment, s batch.Shard) []string {
	runs := s.Of(experiment.NewPlan(exps))
	ids := make([]string, runs.Len())
	for i := range ids {
		ids[i] = runs.Run(i).ID
	}
	return ids
}

// TestBatchRunsInOrder runs a batch of two experiments on 4 workers: the
// records list each experiment's runs in the plan's order, and the report
// counts them all.
func TestBatchRunsInOrder(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	o := options(filepath.Join(dir, "results"))
	o.Workers = 4
	r := run(t, exps, o)
	want := planned(exps, batch.Shard{})
	if r.Runs != len(want) || r.Computed != len(want) || r.Reused != 0 {
		t.Errorf("report: %d runs, %d computed, %d reused; want %d computed", r.Runs, r.Computed, r.Reused, len(want))
	}
	got := append(recordedRuns(t, o.Out, "grid"), recordedRuns(t, o.Out, "single")...)
	if !slices.Equal(got, want) {
		t.Errorf("records list\n%v\nwant the plan's order\n%v", got, want)
	}
	if n := pipeline.Count(exps, batch.Shard{}); n != len(want) {
		t.Errorf("Count: %d, want %d", n, len(want))
	}
}

// TestShardsPartitionTheBatch runs each shard of 2 and of 3 into a folder
// of its own: each writes the runs the shard holds, in the plan's order,
// and the shards of a batch write each run once.
func TestShardsPartitionTheBatch(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	all := planned(exps, batch.Shard{})
	for _, n := range []int{2, 3} {
		var union []string
		for k := 1; k <= n; k++ {
			s := batch.Shard{K: k, N: n}
			o := options(filepath.Join(dir, fmt.Sprintf("results-%d-of-%d", k, n)))
			o.Shard = s
			r := run(t, exps, o)
			written := runFolders(t, o.Out)
			want := planned(exps, s)
			slices.Sort(want)
			if !slices.Equal(written, want) {
				t.Errorf("shard %v wrote %v, want %v", s, written, want)
			}
			if r.Runs != len(want) || pipeline.Count(exps, s) != len(want) {
				t.Errorf("shard %v: report %d runs, Count %d, want %d", s, r.Runs, pipeline.Count(exps, s), len(want))
			}
			union = append(union, written...)
		}
		slices.Sort(union)
		want := slices.Sorted(slices.Values(all))
		if !slices.Equal(union, want) {
			t.Errorf("%d shards wrote %v, want each of %v once", n, union, want)
		}
	}
}

// runFolders returns the runs whose traces are under a results folder,
// sorted.
func runFolders(t *testing.T, out string) []string {
	t.Helper()
	var ids []string
	for name := range files(t, out) {
		if id, ok := strings.CutSuffix(name, "/"+results.TraceFile); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestLimitsRefusedBeforeAnythingIsWritten runs batches that exceed each
// limit, and all at once: each is refused with a LimitError for each limit
// exceeded, at the field of the file that exceeds it, and nothing is
// written, not even the results folder.
func TestLimitsRefusedBeforeAnythingIsWritten(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	tight := pipeline.Limits{MaxPoints: 2, MaxTraceRows: 10, MaxIterations: 100, MaxBytes: 10_000}
	each := map[pipeline.Limit]func(*pipeline.Limits){
		pipeline.MaxPoints:          func(l *pipeline.Limits) { l.MaxPoints = tight.MaxPoints },
		pipeline.MaxTraceRows:       func(l *pipeline.Limits) { l.MaxTraceRows = tight.MaxTraceRows },
		pipeline.MaxTotalIterations: func(l *pipeline.Limits) { l.MaxIterations = tight.MaxIterations },
		pipeline.MaxOutput:          func(l *pipeline.Limits) { l.MaxBytes = tight.MaxBytes },
	}
	check := func(name string, limits pipeline.Limits, want []pipeline.Limit) {
		o := options(filepath.Join(dir, "results"))
		o.Limits = limits
		_, err := pipeline.Run(context.Background(), exps, o)
		var errs pipeline.LimitErrors
		if !errors.As(err, &errs) {
			t.Fatalf("%s: %v; want LimitErrors", name, err)
		}
		var got []pipeline.Limit
		for _, e := range errs {
			if !slices.Contains(got, e.Limit) {
				got = append(got, e.Limit)
			}
			if e.Reach <= e.Max || !strings.HasSuffix(e.Pos.File, "exps.yaml") || e.Pos.Line == 0 || e.Field == "" {
				t.Errorf("%s: %+v; want what it reaches beyond the limit, at a field of the file", name, e)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: limits %v exceeded, want %v\n%v", name, got, want, err)
		}
		if _, err := os.Lstat(o.Out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the results folder was made (%v)", name, err)
		}
	}
	for limit, set := range each {
		limits := pipeline.DefaultLimits
		set(&limits)
		check(fmt.Sprint("limit ", limit), limits, []pipeline.Limit{limit})
	}
	check("every limit", tight, []pipeline.Limit{pipeline.MaxPoints, pipeline.MaxTraceRows, pipeline.MaxTotalIterations, pipeline.MaxOutput})
}

// TestRunsReused runs a batch again: every run is reused and nothing is
// written; with one value changed, one run is computed and the rest
// reused.
func TestRunsReused(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	o := options(filepath.Join(dir, "results"))
	first := run(t, exps, o)
	before := files(t, o.Out)
	r := run(t, exps, o)
	if r.Reused != first.Runs || r.Computed != 0 || r.Changed != 0 {
		t.Errorf("rerun: %d reused, %d computed, %d files changed; want %d reused and nothing else", r.Reused, r.Computed, r.Changed, first.Runs)
	}
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("a rerun changed %v", diffs)
	}
	exps = write(t, dir, "exps.yaml", grid+"---\n"+strings.Replace(single, "alpha: 0.1", "alpha: 0.11", 1))
	r = run(t, exps, o)
	if r.Computed != 1 || r.Reused != first.Runs-1 {
		t.Errorf("one value changed: %d computed, %d reused; want 1 and %d", r.Computed, r.Reused, first.Runs-1)
	}
}

// TestSummariesRebuiltFromRecords edits every summary by hand: a rerun
// writes each again from the records, as it was.
func TestSummariesRebuiltFromRecords(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	o := options(filepath.Join(dir, "results"))
	run(t, exps, o)
	before := files(t, o.Out)
	for _, name := range []string{"summary.csv", "summary.md", "README.md", "grid/summary.csv"} {
		p := filepath.Join(o.Out, filepath.FromSlash(name))
		edited := strings.Replace(before[name], "converged", "diverged", 1)
		if edited == before[name] {
			t.Fatalf("%s says no run converged", name)
		}
		if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, exps, o)
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("the summaries were not rebuilt from the records: %v", diffs)
	}
}

// slowFirstRun is a Wrap that holds back the run that creates its trace
// first, so that the runs after it finish before it.
func slowFirstRun() func(results.FileSystem) results.FileSystem {
	var held atomic.Bool
	return faultfs.Wrap(func(op faultfs.Op, path string) error {
		if op == faultfs.Create && strings.HasSuffix(path, "/"+results.TraceFile) && held.CompareAndSwap(false, true) {
			time.Sleep(300 * time.Millisecond)
		}
		return nil
	})
}

// TestSummariesDoNotDependOnOrder runs a batch on one worker, and on four
// with its first run held back so that others finish first: every file is
// the same, byte for byte.
func TestSummariesDoNotDependOnOrder(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	one := options(filepath.Join(dir, "one"))
	one.Workers = 1
	run(t, exps, one)
	four := options(filepath.Join(dir, "four"))
	four.Workers = 4
	four.Wrap = slowFirstRun()
	run(t, exps, four)
	if diffs := diffFiles(files(t, one.Out), files(t, four.Out)); len(diffs) > 0 {
		t.Errorf("-j 1 and -j 4 wrote other files: %v", diffs)
	}
}

// TestStaleRunsFoundAndPruned changes a sweep's values: the runs it no
// longer makes are reported stale and kept, listed in its manifest, and
// shown by a dry run; pruning removes them, but for a file of the user's,
// which is kept. An experiment whose file is gone is reported, and pruned.
func TestStaleRunsFoundAndPruned(t *testing.T) {
	dir := t.TempDir()
	o := options(filepath.Join(dir, "results"))
	run(t, append(write(t, dir, "lr.yaml", lr), write(t, dir, "gone.yaml", strings.Replace(single, "name: single", "name: gone", 1))...), o)
	mustWrite(t, filepath.Join(o.Out, "lr", "alpha=0.3", "notes.txt"), "the user's\n")
	if err := os.Remove(filepath.Join(dir, "gone.yaml")); err != nil {
		t.Fatal(err)
	}
	exps := write(t, dir, "lr.yaml", strings.Replace(lr, "[0.01, 0.1, 0.3]", "[0.01, 0.2]", 1))
	stale := []string{"lr/alpha=0.1", "lr/alpha=0.3"}

	plan, err := pipeline.DryRun(context.Background(), exps, o, func(*pipeline.Verdict) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.StaleRuns, stale) || !slices.Equal(plan.StaleExperiments, []string{"gone"}) {
		t.Errorf("dry run: stale runs %v and experiments %v, want %v and [gone]", plan.StaleRuns, plan.StaleExperiments, stale)
	}
	r := run(t, exps, o)
	if !slices.Equal(r.StaleRuns, stale) || !slices.Equal(r.StaleExperiments, []string{"gone"}) {
		t.Errorf("stale runs %v and experiments %v, want %v and [gone]", r.StaleRuns, r.StaleExperiments, stale)
	}
	for _, id := range stale {
		if _, err := os.Stat(filepath.Join(o.Out, filepath.FromSlash(id), results.TraceFile)); err != nil {
			t.Errorf("stale run %s not kept: %v", id, err)
		}
	}
	manifest := files(t, o.Out)["lr/manifest.yaml"]
	if !strings.Contains(manifest, "stale_runs:\n  - \"lr/alpha=0.1\"\n  - \"lr/alpha=0.3\"\n") {
		t.Errorf("the manifest does not list the stale runs:\n%s", manifest)
	}

	o.Prune = true
	r = run(t, exps, o)
	if !slices.Equal(r.Removed, append(slices.Clone(stale), "gone")) || !slices.Equal(r.Kept, []string{"lr/alpha=0.3/notes.txt"}) {
		t.Errorf("pruning removed %v and kept %v; want %v and gone removed, lr/alpha=0.3/notes.txt kept", r.Removed, r.Kept, stale)
	}
	left := files(t, o.Out)
	for name := range left {
		if strings.HasPrefix(name, "lr/alpha=0.1/") || strings.HasPrefix(name, "gone/") || (strings.HasPrefix(name, "lr/alpha=0.3/") && name != "lr/alpha=0.3/notes.txt") {
			t.Errorf("%s left after pruning", name)
		}
	}
	if left["lr/alpha=0.3/notes.txt"] != "the user's\n" {
		t.Error("the user's file in a stale run was not kept")
	}
	if strings.Contains(left["lr/manifest.yaml"], "alpha=0.1") || strings.Contains(left["manifest.yaml"], "gone") {
		t.Errorf("the manifests still list what was pruned:\n%s\n%s", left["lr/manifest.yaml"], left["manifest.yaml"])
	}
}

// TestStaleRunHoldingRunsPruned sweeps a second field: each old run's
// folder (lr/alpha=0.1) is stale, and holds the folders of the new runs
// (lr/alpha=0.1/b3_initial=0). Pruning removes the old runs' files, and
// neither the new runs nor reports them as kept because the runner did
// not write them: they are its.
func TestStaleRunHoldingRunsPruned(t *testing.T) {
	dir := t.TempDir()
	o := options(filepath.Join(dir, "results"))
	run(t, write(t, dir, "lr.yaml", lr), o)
	exps := write(t, dir, "lr.yaml", strings.Replace(lr, "alpha: [0.01, 0.1, 0.3]", "alpha: [0.01, 0.1, 0.3]\n  b3: [0, 1]", 1))
	o.Prune = true
	r := run(t, exps, o)
	if want := []string{"lr/alpha=0.01", "lr/alpha=0.1", "lr/alpha=0.3"}; !slices.Equal(r.Removed, want) || len(r.Kept) > 0 {
		t.Errorf("pruning removed %v and kept %v; want %v removed, nothing kept", r.Removed, r.Kept, want)
	}
	left := files(t, o.Out)
	if _, ok := left["lr/alpha=0.1/trace.csv"]; ok {
		t.Error("the stale run's trace was left")
	}
	if _, ok := left["lr/alpha=0.1/b3_initial=1/trace.csv"]; !ok {
		t.Error("a run of the batch was removed")
	}
	if r := run(t, exps, o); r.Computed > 0 || len(r.Kept)+len(r.Removed) > 0 {
		t.Errorf("the rerun computed %d runs, removed %v and kept %v", r.Computed, r.Removed, r.Kept)
	}
}

// TestHugeManifestsReadInBoundedMemory grows manifests to 512 MiB (the
// manifest, then zeros: a sparse file), as a hostile results folder may:
// the runner reads no more of them than a manifest can be (16 MiB), and
// allocates less than half the file's size (with -race too). An experiment's
// is damaged, and written again; the results folder's is refused, with
// what to do.
func TestHugeManifestsReadInBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	o := options(filepath.Join(dir, "results"))
	exps := write(t, dir, "lr.yaml", lr)
	run(t, exps, o)
	want := files(t, o.Out)
	if err := os.Truncate(filepath.Join(o.Out, "lr", "manifest.yaml"), 512<<20); err != nil {
		t.Fatal(err)
	}
	var repaired []string
	o.Notify = func(what string) { repaired = append(repaired, what) }
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	run(t, exps, o)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
		t.Errorf("the run allocated %d MiB", got>>20)
	}
	if len(repaired) != 1 || !strings.Contains(repaired[0], "manifest.yaml") {
		t.Errorf("repaired %q, want the experiment's manifest", repaired)
	}
	if diffs := diffFiles(want, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("the results are not as they were: %v", diffs)
	}

	if err := os.Truncate(filepath.Join(o.Out, "manifest.yaml"), 512<<20); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&before)
	_, err := pipeline.Run(context.Background(), exps, o)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
		t.Errorf("the run allocated %d MiB", got>>20)
	}
	if err == nil || !strings.Contains(err.Error(), "manifest.yaml") || !strings.Contains(err.Error(), "git checkout") {
		t.Errorf("a huge manifest of the results folder: %v, want it refused with what to do", err)
	}
}

func mustWrite(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDryRunAfterAnInterruptedRun interrupts a batch after two runs: a dry
// run counts those two as stored and the rest to compute, and the next
// batch computes exactly the rest.
func TestDryRunAfterAnInterruptedRun(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	ids := planned(exps, batch.Shard{})
	o := options(filepath.Join(dir, "results"))
	o.Workers = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Progress = func(done int) {
		if done == 2 {
			cancel()
		}
	}
	_, err := pipeline.Run(ctx, exps, o)
	var interrupted *pipeline.InterruptedError
	if !errors.As(err, &interrupted) || interrupted.Done != 2 || interrupted.Runs != len(ids) {
		t.Fatalf("%v; want an InterruptedError after 2 of %d runs", err, len(ids))
	}
	o.Progress = nil

	var verdicts []results.Missing
	plan, err := pipeline.DryRun(context.Background(), exps, o, func(v *pipeline.Verdict) error {
		verdicts = append(verdicts, v.Missing)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Stored != 2 || plan.Compute != len(ids)-2 || plan.ComputeBytes <= 0 {
		t.Errorf("dry run: %d stored, %d to compute (%d bytes); want 2 and %d", plan.Stored, plan.Compute, plan.ComputeBytes, len(ids)-2)
	}
	for i, v := range verdicts {
		if want := map[bool]results.Missing{true: results.NotMissing, false: results.NotStored}[i < 2]; v != want {
			t.Errorf("%s: %v, want %v", ids[i], v, want)
		}
	}
	r := run(t, exps, o)
	if r.Computed != len(ids)-2 || r.Reused != 2 {
		t.Errorf("after the interruption: %d computed, %d reused; want %d and 2", r.Computed, r.Reused, len(ids)-2)
	}
}

// TestSummarizeAfterShards runs a batch in two shards into one folder,
// then summarizes it: every file is that of one batch run whole, byte for
// byte.
func TestSummarizeAfterShards(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	whole := options(filepath.Join(dir, "whole"))
	run(t, exps, whole)

	sharded := options(filepath.Join(dir, "sharded"))
	for k := 1; k <= 2; k++ {
		sharded.Shard = batch.Shard{K: k, N: 2}
		run(t, exps, sharded)
	}
	sharded.Shard = batch.Shard{}
	r, err := pipeline.Summarize(context.Background(), exps, sharded)
	if err != nil {
		t.Fatal(err)
	}
	if r.Computed != 0 || r.Reused != r.Runs {
		t.Errorf("summarize: %d computed, %d reused of %d", r.Computed, r.Reused, r.Runs)
	}
	if diffs := diffFiles(files(t, whole.Out), files(t, sharded.Out)); len(diffs) > 0 {
		t.Errorf("shards and summarize wrote other files than one run: %v", diffs)
	}
	if journals, _ := os.ReadDir(filepath.Join(sharded.Out, results.PrivateDir, "journal")); len(journals) > 0 {
		t.Errorf("journals left after summarize: %v", journals)
	}
}

// TestSummarizeRefusesMissingRuns summarizes after one shard of two:
// refused, naming the runs not stored, and nothing is written.
func TestSummarizeRefusesMissingRuns(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid)
	o := options(filepath.Join(dir, "results"))
	o.Shard = batch.Shard{K: 1, N: 2}
	run(t, exps, o)
	before := files(t, o.Out)
	o.Shard = batch.Shard{}
	_, err := pipeline.Summarize(context.Background(), exps, o)
	if err == nil || !strings.Contains(err.Error(), "8 runs are not stored, such as "+exps[0].Run(1).ID) {
		t.Errorf("%v; want a refusal naming the runs not stored", err)
	}
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("a refused summarize wrote %v", diffs)
	}
}

// smallDisk is a Wrap whose file system has little space free.
func smallDisk(fsys results.FileSystem) results.FileSystem { return freeFS{fsys} }

type freeFS struct{ results.FileSystem }

func (freeFS) Free() (int64, error) { return 100_000, nil }

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(fds)
}

// TestNoDescriptorLeak runs a sweep of 5,000 runs, then again over a disk
// with little space free, which makes the batch count the runs stored
// before it runs (issue 18: it opened a file per run, and never closed
// it): the batch goes, and the process's open files are as many after as
// before, and never many more during it. A batch of runs not stored is
// refused for the space, leaking nothing either.
func TestNoDescriptorLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 runs")
	}
	dir := t.TempDir()
	exps := write(t, dir, "many.yaml", "name: many\n"+data+weights+"tolerance: 0.001\nmax_iterations: 3\nsweep:\n  alpha: {from: 0.001, to: 0.3, count: 5000}\n")
	o := options(filepath.Join(dir, "results"))
	o.Pictures = results.NoPictures
	run(t, exps, o)

	// Files the runtime opens once (its poller) are open before counting.
	run(t, exps, o)
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no finalizer closes what leaks
	before := openFiles(t)
	var mu sync.Mutex
	most := before
	o.Wrap = smallDisk
	o.Progress = func(int) {
		n := openFiles(t)
		mu.Lock()
		most = max(most, n)
		mu.Unlock()
	}
	r := run(t, exps, o)
	if r.Reused != 5000 {
		t.Fatalf("%d runs reused, want 5,000", r.Reused)
	}
	if after := openFiles(t); after != before || most > before+64 {
		t.Errorf("open files: %d before, %d after, at most %d during the batch", before, after, most)
	}

	o.Progress = nil
	fresh := options(filepath.Join(dir, "fresh"))
	fresh.Pictures, fresh.Wrap = results.NoPictures, smallDisk
	_, err := pipeline.Run(context.Background(), exps, fresh)
	var space *pipeline.SpaceError
	if !errors.As(err, &space) || space.New != 5000 {
		t.Errorf("%v; want a SpaceError for 5,000 new runs", err)
	}
	if after := openFiles(t); after != before {
		t.Errorf("open files: %d before, %d after the refused batch", before, after)
	}
}

// TestRerunWithPicturesReadsNoTrace runs a sweep with its pictures, then
// again: nothing changed, so the rerun reads no trace, and keeps the
// pictures. A change of one run's outcome draws them again.
func TestRerunWithPicturesReadsNoTrace(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "lr.yaml", strings.Replace(lr, "[0.01, 0.1, 0.3]", "[0.01, 0.05, 0.1, 0.2, 0.3]", 1))
	o := options(filepath.Join(dir, "results"))
	run(t, exps, o)
	run(t, exps, o) // the cache learns what the first run wrote in its own tick
	var mu sync.Mutex
	var read []string
	o.Wrap = func(fsys results.FileSystem) results.FileSystem { return tracesRead{fsys, &mu, &read} }
	before := files(t, o.Out)
	run(t, exps, o)
	if len(read) > 0 {
		t.Errorf("the rerun read %v", read)
	}
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("the rerun wrote %v", diffs)
	}

	// One run changes: its trace, and the pictures, are written again.
	exps = write(t, dir, "lr.yaml", strings.Replace(lr, "[0.01, 0.1, 0.3]", "[0.01, 0.05, 0.1, 0.2, 0.25]", 1))
	read = nil
	run(t, exps, o)
	after := files(t, o.Out)
	for _, name := range []string{"lr/curves.svg", "lr/sweep.svg"} {
		if before[name] == after[name] {
			t.Errorf("%s was not drawn again after a run changed", name)
		}
	}
	if len(read) == 0 {
		t.Error("the pictures were drawn again without reading a trace")
	}
}

// TestPicturesDrawnAgainOnAnotherScale runs a sweep of α over a log
// range, then over a list of the same values: the runs and their records
// are the same, but the pictures are now drawn on a linear scale, as a
// fresh run draws them, and --check then finds nothing to change. The
// stat cache must not keep the pictures drawn on the log scale.
func TestPicturesDrawnAgainOnAnotherScale(t *testing.T) {
	dir := t.TempDir()
	o := options(filepath.Join(dir, "results"))
	exps := write(t, dir, "lr.yaml", strings.Replace(lr, "[0.01, 0.1, 0.3]", "{from: 0.001, to: 0.1, count: 3, scale: log}", 1))
	run(t, exps, o)
	run(t, exps, o) // the cache learns what the first run wrote in its own tick
	exps = write(t, dir, "lr.yaml", strings.Replace(lr, "[0.01, 0.1, 0.3]", "[0.001, 0.01, 0.1]", 1))
	run(t, exps, o)
	fresh := options(filepath.Join(dir, "fresh"))
	run(t, exps, fresh)
	if diffs := diffFiles(files(t, fresh.Out), files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("after the sweep became a list, the results are not those of a fresh run: %v", diffs)
	}
	o.Check = true
	if r := run(t, exps, o); len(r.ChangedFiles) > 0 {
		t.Errorf("check after run: files that would change %v, want none", r.ChangedFiles)
	}
}

// tracesRead notes the traces opened through a file system.
type tracesRead struct {
	results.FileSystem
	mu   *sync.Mutex
	read *[]string
}

func (f tracesRead) Open(name string) (results.ReadFile, error) {
	if strings.HasSuffix(name, "/"+results.TraceFile) {
		f.mu.Lock()
		*f.read = append(*f.read, name)
		f.mu.Unlock()
	}
	return f.FileSystem.Open(name)
}

// TestCheckWritesNothing checks a batch (runner run --check) over a folder
// written before and edited: it writes nothing, and names the files that
// would change.
func TestCheckWritesNothing(t *testing.T) {
	dir := t.TempDir()
	exps := write(t, dir, "exps.yaml", grid+"---\n"+single)
	o := options(filepath.Join(dir, "results"))
	run(t, exps, o)
	trace := filepath.Join(o.Out, "single", results.TraceFile)
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(trace, bytes.Replace(data, []byte("2.6"), []byte("2.7"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	before := files(t, o.Out)
	o.Check = true
	r := run(t, exps, o)
	if !slices.Equal(r.ChangedFiles, []string{"single/trace.csv"}) {
		t.Errorf("check: files that would change %v, want [single/trace.csv]", r.ChangedFiles)
	}
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("check wrote %v", diffs)
	}
}

// TestStoreRefusesOtherOverrides runs a try (--set alpha=0.2) into a
// folder that holds its experiment as its file declares it, as a try does
// when another writer put it there after the command line was checked,
// and a try of another experiment into the same folder: the store, under
// its lock, refuses the folder before any run, and writes nothing.
func TestStoreRefusesOtherOverrides(t *testing.T) {
	dir := t.TempDir()
	o := options(filepath.Join(dir, "results"))
	run(t, write(t, dir, "lr.yaml", lr), o)
	before := files(t, o.Out)

	set, err := experiment.ParseSet("--set", "alpha=0.2")
	if err != nil {
		t.Fatal(err)
	}
	tried, err := experiment.LoadWith([]string{filepath.Join(dir, "lr.yaml")}, []experiment.Override{set})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Run(context.Background(), tried, o)
	var oe *results.OverridesError
	if !errors.As(err, &oe) {
		t.Fatalf("got %v, want an *results.OverridesError", err)
	}
	if oe.Experiment != "lr" || len(oe.Stored) != 0 || !slices.Equal(oe.Given, []string{"set alpha=0.2"}) || oe.Beside {
		t.Errorf("got %+v", oe)
	}

	write(t, dir, "other.yaml", strings.Replace(lr, "name: lr", "name: other", 1))
	other, err := experiment.LoadWith([]string{filepath.Join(dir, "other.yaml")}, []experiment.Override{set})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Run(context.Background(), other, o)
	if !errors.As(err, &oe) || oe.Experiment != "lr" || !oe.Beside {
		t.Errorf("a try of another experiment: got %v, want an *results.OverridesError of lr, beside", err)
	}
	if diffs := diffFiles(before, files(t, o.Out)); len(diffs) > 0 {
		t.Errorf("the refused tries wrote %v", diffs)
	}
}

// TestSearchProbesNotShown runs a search beside an experiment of one run:
// the terminal shows the one run in detail, as a batch of at most
// MaxShownRuns runs does, and none of the search's probes, which its
// answer tells.
func TestSearchProbesNotShown(t *testing.T) {
	dir := t.TempDir()
	edge := "name: edge\n" + data + weights + "tolerance: 0.001\nmax_iterations: 200\nsearch:\n  alpha: {find: edge, from: 0.01, to: 1, precision: 1e-3}\n"
	r := run(t, write(t, dir, "exps.yaml", edge+"---\n"+single), options(filepath.Join(dir, "results")))
	if len(r.Searches) != 1 || r.Searches[0].Failure != nil {
		t.Fatalf("searches %+v, want one that found its answer", r.Searches)
	}
	var shown []string
	for _, v := range r.Shown {
		shown = append(shown, v.Record.Run)
	}
	if !slices.Equal(shown, []string{"single"}) {
		t.Errorf("shown %v, want [single]", shown)
	}
}

// TestInterruptedSearchCounts interrupts a batch of a search after its
// first probes: the error counts the runs done of at most those the
// search may take, not of the batch's other runs alone.
func TestInterruptedSearchCounts(t *testing.T) {
	dir := t.TempDir()
	edge := "name: edge\n" + data + weights + "tolerance: 0.001\nmax_iterations: 200\nsearch:\n  alpha: {find: edge, from: 0.01, to: 1, precision: 1e-3}\n"
	exps := write(t, dir, "exps.yaml", edge+"---\n"+single)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := options(filepath.Join(dir, "results"))
	o.Workers = 1
	o.Progress = func(done int) {
		if done >= 3 {
			cancel()
		}
	}
	_, err := pipeline.Run(ctx, exps, o)
	var ie *pipeline.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *pipeline.InterruptedError", err)
	}
	if most := 1 + results.MostRuns(exps[0]); !ie.AtMost || ie.Runs != most || ie.Done < 3 || ie.Done > most {
		t.Errorf("got %+v, want %d to %d done of at most %d runs", ie, 3, most, most)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("of at most %d runs finished", 1+results.MostRuns(exps[0]))) {
		t.Errorf("message %q", err)
	}
}
