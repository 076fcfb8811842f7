// Package bench holds the benchmarks of BENCHMARKS.md: the reference
// workload (workload.yaml) run end to end by the runner and by the floor
// program (./floor), its CPU-bound part on one and two workers, the cost
// of a trace row in short and long runs, and a NumPy peer.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// binaries are the runner and the floor, built once for the package.
var binaries struct{ runner, floor string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runner-bench")
	if err != nil {
		panic(err)
	}
	binaries.runner = filepath.Join(dir, "runner")
	binaries.floor = filepath.Join(dir, "floor")
	for _, b := range []struct{ out, pkg string }{{binaries.runner, "../cmd/runner"}, {binaries.floor, "./floor"}} {
		if out, err := exec.Command("go", "build", "-o", b.out, b.pkg).CombinedOutput(); err != nil {
			panic(string(out))
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runCommand runs a command to completion, failing the test if it fails.
func runCommand(tb testing.TB, name string, args ...string) {
	tb.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// readTree returns every file under dir, by path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFloorWritesTheRunnersBytes checks that the floor does the least of
// the runner's work: each file it writes (a trace per run, and the
// summary) is one the runner writes, byte for byte, with default flags.
func TestFloorWritesTheRunnersBytes(t *testing.T) {
	dir := t.TempDir()
	runCommand(t, binaries.runner, "run", "-o", filepath.Join(dir, "runner"), "workload.yaml")
	runCommand(t, binaries.floor, "-o", filepath.Join(dir, "floor"))
	runner, floor := readTree(t, filepath.Join(dir, "runner")), readTree(t, filepath.Join(dir, "floor"))
	if len(floor) != 1001 || len(runner) != 1013 {
		t.Fatalf("runner wrote %d files, floor %d; want 1013 (a trace per run; the experiment's manifest, records, summary and its two pictures of the sweep; 4 files for the folder; and 4 in .runner: its lock, .gitignore and two stat caches) and 1001", len(runner), len(floor))
	}
	for name, data := range floor {
		if string(runner[name]) != string(data) {
			t.Errorf("%s differs", name)
		}
	}
}

// BenchmarkWorkload is the reference workload end to end, each command
// from process start to exit, into a fresh folder each time: the floor,
// and the runner with default flags on one and two workers.
func BenchmarkWorkload(b *testing.B) {
	for _, c := range []struct {
		name string
		args func(out string) []string
	}{
		{"floor", func(out string) []string { return []string{binaries.floor, "-o", out} }},
		{"runner-j1", func(out string) []string {
			return []string{binaries.runner, "run", "-j", "1", "-o", out, "workload.yaml"}
		}},
		{"runner-j2", func(out string) []string {
			return []string{binaries.runner, "run", "-j", "2", "-o", out, "workload.yaml"}
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				args := c.args(filepath.Join(b.TempDir(), strconv.Itoa(i)))
				runCommand(b, args[0], args[1:]...)
			}
		})
	}
}

// workload loads the reference workload's runs.
func workload(tb testing.TB) *experiment.Plan {
	tb.Helper()
	exps, err := experiment.Load([]string{"workload.yaml"})
	if err != nil {
		tb.Fatal(err)
	}
	return experiment.NewPlan(exps)
}

// renderRun does a run's CPU-bound work: the descent, its trace formatted
// as it goes (into io.Discard), its inputs hashed and its summary row
// rendered.
func renderRun(ctx context.Context, r experiment.Run) error {
	in := results.InputsOf(&r, results.DefaultCSVDigits)
	tw, err := results.NewTraceWriter(io.Discard, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
	if err != nil {
		return err
	}
	o, err := batch.Run(ctx, r, tw.Observe)
	if err == nil {
		err = tw.Flush()
	}
	if err == nil {
		rec := results.Record{Run: r.ID, Inputs: in, Outcome: results.Outcome{Status: o.Result.Status, Iterations: o.Result.Iterations, SSR: o.Result.FinalSSR}}
		rec.Row()
		rec.Inputs.Hash()
	}
	return err
}

// BenchmarkRuns is the CPU-bound part of the workload, in process, on one
// and two workers: every run's descent, trace and record, rendered but not
// written.
func BenchmarkRuns(b *testing.B) {
	plan := workload(b)
	for _, j := range []int{1, 2} {
		b.Run("j="+strconv.Itoa(j), func(b *testing.B) {
			for b.Loop() {
				err := batch.Execute(context.Background(), plan, j, func(ctx context.Context, _ int, r experiment.Run) (struct{}, error) {
					return struct{}{}, renderRun(ctx, r)
				}, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTraceRow is the cost of a trace row, descent and formatting,
// in the workload's short runs (37 rows on average) and in one run of
// 200,000 rows: memory does not grow with a run, and a row should cost the
// same.
func BenchmarkTraceRow(b *testing.B) {
	plan := workload(b)
	long := plan.Run(0)
	long.Settings = engine.Settings{Alpha: 1e-9, Tolerance: 1e-12, MaxIterations: 200_000}
	for _, c := range []struct {
		name string
		runs []experiment.Run
	}{
		{"short", func() []experiment.Run {
			var runs []experiment.Run
			for i := range plan.Len() {
				runs = append(runs, plan.Run(i))
			}
			return runs
		}()},
		{"long", []experiment.Run{long}},
	} {
		b.Run(c.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				for _, r := range c.runs {
					in := results.InputsOf(&r, results.DefaultCSVDigits)
					tw, err := results.NewTraceWriter(io.Discard, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
					if err != nil {
						b.Fatal(err)
					}
					o, err := batch.Run(context.Background(), r, tw.Observe)
					if err != nil || tw.Flush() != nil {
						b.Fatal(err)
					}
					rows += o.Result.Iterations
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
		})
	}
}

// BenchmarkNumPy is the NumPy peer (numpy_workload.py) end to end, with
// Debian's python3-numpy.
func BenchmarkNumPy(b *testing.B) {
	if err := exec.Command("/usr/bin/python3", "-c", "import numpy").Run(); err != nil {
		b.Skip("needs Debian's python3-numpy: apt-get install python3-numpy")
	}
	for i := 0; b.Loop(); i++ {
		runCommand(b, "/usr/bin/python3", "numpy_workload.py", filepath.Join(b.TempDir(), strconv.Itoa(i)))
	}
}

// BenchmarkSync writes 100 files of a run's trace size (4 KB) into a
// fresh folder, each closed as the runner closes them, or synced to disk
// first (fsync), as a runner that synced each run's files before
// publishing it would: the cost docs/reliability.md weighs. Run it on the
// disk (TMPDIR), not on tmpfs, where a sync costs nothing.
func BenchmarkSync(b *testing.B) {
	data := bytes.Repeat([]byte("1,2.60891113725,0.00484,0.999,-0.00637,6.42e-05,-0.0041\n"), 73)
	for _, synced := range []bool{false, true} {
		b.Run(fmt.Sprintf("synced=%v", synced), func(b *testing.B) {
			for b.Loop() {
				dir := b.TempDir()
				for i := range 100 {
					f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := f.Write(data); err != nil {
						b.Fatal(err)
					}
					if synced {
						if err := f.Sync(); err != nil {
							b.Fatal(err)
						}
					}
					if err := f.Close(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
