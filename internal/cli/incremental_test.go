package cli

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/results"
)

// snapshot is every file of a results folder (but its private folder):
// its bytes and its modification time.
type snapshot map[string]fileState

type fileState struct {
	data    string
	modTime time.Time
}

func takeSnapshot(t *testing.T, out string) snapshot {
	t.Helper()
	s := snapshot{}
	for _, f := range listFiles(t, out) {
		p := filepath.Join(out, f)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		s[filepath.ToSlash(f)] = fileState{string(data), info.ModTime()}
	}
	return s
}

// changedFiles lists the files added, removed, or changed in bytes or
// modification time between two snapshots, sorted.
func changedFiles(before, after snapshot) []string {
	var changed []string
	for f, a := range after {
		if b, ok := before[f]; !ok || b != a {
			changed = append(changed, f)
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			changed = append(changed, f)
		}
	}
	slices.Sort(changed)
	return changed
}

// mainIn runs the runner with args, and returns its stdout and stderr after
// checking its status.
func mainIn(t *testing.T, wantStatus int, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if status := Main(args, &stdout, &stderr); status != wantStatus {
		t.Fatalf("runner %s: status %d, want %d\n%s%s", strings.Join(args, " "), status, wantStatus, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// writeFile writes a file in a fresh folder, and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sweepOf is an experiment that sweeps α over values.
func sweepOf(name string, values ...string) string {
	return fmt.Sprintf(`name: %s
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
max_iterations: 300
sweep: {alpha: [%s]}
`, name, strings.Join(values, ", "))
}

// alphas returns n learning rates: 0.01, 0.02, ….
func alphas(n int) []string {
	var v []string
	for i := 1; i <= n; i++ {
		v = append(v, strconv.FormatFloat(0.01*float64(i), 'g', -1, 64))
	}
	return v
}

// TestRunningOneExperimentLeavesOthersUntouched runs three experiment
// folders into one results folder, then one of them, changed, alone: only
// its files and the results folder's summaries change; the others' folders
// keep their bytes and modification times, are named as not among the
// paths, and keep their rows in the summary.
func TestRunningOneExperimentLeavesOthersUntouched(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitFailure, "run", "-o", out, "testdata/golden/article/in", "testdata/golden/sweep/in", "testdata/golden/train/in")
	before := takeSnapshot(t, out)

	edited := filepath.Join(t.TempDir(), "in")
	copyDir(t, "testdata/golden/article/in", edited, func(data []byte) []byte {
		return bytes.Replace(data, []byte("tolerance: 0.001"), []byte("tolerance: 0.0001"), 1)
	})
	_, stderr := mainIn(t, ExitOK, "run", "-o", out, edited)
	for _, f := range changedFiles(before, takeSnapshot(t, out)) {
		if !strings.HasPrefix(f, "article/") && !slices.Contains([]string{"README.md", "summary.csv", "summary.md"}, f) {
			t.Errorf("%s changed, though its experiment was not run", f)
		}
	}
	// Their experiments still exist: they are not stale, and not named.
	if stderr != "" {
		t.Errorf("stderr:\n%s\nwant nothing", stderr)
	}
	summary, err := os.ReadFile(filepath.Join(out, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(summary), "\n"); got != 1+1+10+3 {
		t.Errorf("summary.csv has %d lines, want a header and 14 runs:\n%s", got, summary)
	}
	if !strings.Contains(string(summary), "article,article,b3,softplus,0.1,0.0001,") {
		t.Errorf("summary.csv does not have the changed article's row:\n%s", summary)
	}
}

// TestSummaryColumnsDoNotDependOnTheExperiments checks that summaries of
// experiments with other weights, trained parameters and activations all
// have the same columns.
func TestSummaryColumnsDoNotDependOnTheExperiments(t *testing.T) {
	want := strings.Join(results.Header(), ",")
	for _, in := range []string{"testdata/golden/article/in", "testdata/golden/train/in", "testdata/golden/sweep/in"} {
		out := filepath.Join(t.TempDir(), "results")
		var stdout, stderr bytes.Buffer
		Main([]string{"run", "-o", out, in}, &stdout, &stderr)
		files, err := filepath.Glob(filepath.Join(out, "*", "summary.csv"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no summaries: %v", in, err)
		}
		for _, f := range append(files, filepath.Join(out, "summary.csv")) {
			rows := readCSV(t, f)
			if got := strings.Join(rows[0], ","); got != want {
				t.Errorf("%s: header\n%s\nwant\n%s", f, got, want)
			}
			for _, row := range rows[1:] {
				if len(row) != len(results.Header()) {
					t.Errorf("%s: a row of %d cells", f, len(row))
				}
			}
		}
	}
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRerunWritesNothing runs experiments again with nothing changed, and
// with --force: no file changes, not even its modification time.
func TestRerunWritesNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	in := []string{"testdata/golden/article/in", "testdata/golden/sweep/in"}
	mainIn(t, ExitFailure, append([]string{"run", "-o", out}, in...)...)
	before := takeSnapshot(t, out)
	for _, flags := range [][]string{nil, {"--force"}} {
		stdout, _ := mainIn(t, ExitFailure, append(append([]string{"run", "-o", out}, flags...), in...)...)
		if changed := changedFiles(before, takeSnapshot(t, out)); len(changed) > 0 {
			t.Errorf("%v: files changed: %v", flags, changed)
		}
		want := out + ": 11 runs, all unchanged; no file written"
		if flags != nil {
			want = out + ": 11 runs, all computed; no file written"
		}
		if !strings.Contains(stdout, want) {
			t.Errorf("%v: stdout does not say %q:\n%s", flags, want, stdout)
		}
	}
}

// TestOneChangedValueRecomputesOneRun changes one value of a sweep of 60
// learning rates: exactly one run is computed, the old one is stale, and
// only the new run's files and the summaries change.
func TestOneChangedValueRecomputesOneRun(t *testing.T) {
	values := alphas(60)
	exp := writeFile(t, "sweep.yaml", sweepOf("lr", values...))
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitOK, "run", "-o", out, exp)
	before := takeSnapshot(t, out)

	values[20] = "0.215"
	if err := os.WriteFile(exp, []byte(sweepOf("lr", values...)), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := mainIn(t, ExitOK, "run", "-o", out, exp)
	if want := ": 60 runs, 1 computed and 59 unchanged;"; !strings.Contains(stdout, want) {
		t.Errorf("stdout does not say %q:\n%s", want, stdout)
	}
	if want := "runner: stale: " + filepath.Join(out, "lr", "alpha=0.21") + " holds a run that its experiment no longer makes; --prune removes it\n"; stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	// README.md lists the first and last 10 runs only, and run 21 is not
	// among them; the experiment's manifest lists the stale run.
	want := []string{"lr/alpha=0.215/trace.csv", "lr/curves.svg", "lr/manifest.yaml", "lr/records.csv", "lr/summary.csv", "lr/sweep.svg", "summary.csv", "summary.md"}
	after := takeSnapshot(t, out)
	if got := changedFiles(before, after); !slices.Equal(got, want) {
		t.Errorf("changed files:\n%v\nwant:\n%v", got, want)
	}
	if m := after["lr/manifest.yaml"].data; !strings.HasSuffix(m, "stale_runs:\n  - \"lr/alpha=0.21\"\n") {
		t.Errorf("the manifest does not list the stale run:\n%s", m)
	}
	// Run again: the stale run is still known, from the manifest.
	if _, stderr := mainIn(t, ExitOK, "run", "-o", out, exp); !strings.Contains(stderr, "stale: "+filepath.Join(out, "lr", "alpha=0.21")) {
		t.Errorf("the second run does not report the stale run:\n%s", stderr)
	}
}

// TestLimitsRefuseBeforeAnythingRuns gives limits that the batch could
// exceed: it exits 2 naming the field, the figures and the flag, and
// writes nothing.
func TestLimitsRefuseBeforeAnythingRuns(t *testing.T) {
	exp := writeFile(t, "big.yaml", sweepOf("big", alphas(100)...))
	out := filepath.Join(t.TempDir(), "results")
	for _, tt := range []struct {
		flag, want string
	}{
		{"--max-output=1MB", "big.yaml:5:17: max_iterations: the batch could write 5.1 MB in 103 files (5.0 MB of it here, if every run takes max_iterations), more than --max-output allows (1.0 MB); set trace_every: K, or lower max_iterations, or raise --max-output\n"},
		{"--max-total-iterations=1000", "big.yaml:5:17: max_iterations: the batch could take 30,000 iterations (30,000 of them here: 100 runs of up to 300), more than --max-total-iterations allows (1,000); run fewer or shorter runs, or raise --max-total-iterations\n"},
		{"--max-points=2", "big.yaml:2:7: data: 3 data points, more than --max-points allows (2); raise --max-points if it is meant\n"},
		{"--max-trace-rows=100", "big.yaml:5:17: max_iterations: a trace could reach 300 rows (about 49.2 kB), more than --max-trace-rows allows (100); set trace_every: K to keep every K-th iteration, or raise --max-trace-rows\n"},
	} {
		for _, args := range [][]string{{"run", "-o", out}, {"validate"}} {
			cmd := args[0]
			_, stderr := mainIn(t, ExitUsage, append(args, tt.flag, exp)...)
			if !strings.HasSuffix(stderr, tt.want+"runner: 1 limit the batch could exceed; nothing was run or written\n") {
				t.Errorf("%s %s: stderr\n%s\nwant it to end with\n%s", cmd, tt.flag, stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("%s %s wrote %s", cmd, tt.flag, out)
			}
		}
	}
}

// TestShow prints runs' tables from their traces: runner show --md of a
// run gives its iterations.md, and the runs of large sweeps, which have no
// table, show one too.
func TestShow(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	exp := writeFile(t, "big.yaml", sweepOf("big", alphas(60)...))
	mainIn(t, ExitFailure, "run", "-o", out, exp, "testdata/golden/article/in", "testdata/golden/sweep/in")

	for _, run := range []string{"article", filepath.Join(out, "lr", "alpha=0.34")} {
		stdout, _ := mainIn(t, ExitOK, "show", "-o", out, "--md", run)
		id, _ := strings.CutPrefix(run, out+string(filepath.Separator))
		want, err := os.ReadFile(filepath.Join(out, id, "iterations.md"))
		if err != nil {
			t.Fatal(err)
		}
		if stdout != string(want) {
			t.Errorf("show --md %s:\n%s\nwant its iterations.md:\n%s", run, stdout, want)
		}
	}

	entries, err := os.ReadDir(filepath.Join(out, "big", "alpha=0.3"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"trace.csv"}; !slices.Equal(names, want) {
		t.Errorf("a run of a sweep of 60 holds %v, want %v", names, want)
	}
	stdout, _ := mainIn(t, ExitOK, "show", "-o", out, "big/alpha=0.3")
	for _, want := range []string{"big/alpha=0.3: Gradient descent on b3 from b3 = 0 with α = 0.3", "│        39 │  2.61 │", "Converged after 39 iterations", "Iterations 11 to 29 are left out here"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("show big/alpha=0.3 does not say %q:\n%s", want, stdout)
		}
	}
	// A mistyped run suggests the runs nearest in value, not in spelling
	// (big/alpha=0.09, 0.1 and 0.19 are as near to big/alpha=9 in edits).
	for _, c := range []struct{ name, want string }{
		{"big/alpha=9", "big/alpha=0.6"},
		{"big/alpha=0.299", "big/alpha=0.3"},
		{filepath.Join(out, "big", "alpha=0.111"), "big/alpha=0.11"},
		{"big/alpha=x", "big/alpha=0.1 or big/alpha=0.2 or big/alpha=0.3"}, // no value: by spelling
	} {
		_, stderr := mainIn(t, ExitUsage, "show", "-o", out, c.name)
		id, _ := strings.CutPrefix(c.name, out+string(filepath.Separator))
		if want := `runner: no run or experiment "` + id + `" under ` + out + "; did you mean " + c.want + "?\n"; stderr != want {
			t.Errorf("show of no run: stderr %q, want %q", stderr, want)
		}
	}
}

// TestHivePartitionsReadBack reads a sweep's traces back as a reader of
// Hive-style partitions does (DuckDB's hive_partitioning, Polars, Arrow):
// each key=value folder becomes a column. No key may be a column of the
// trace, or it would hide it; and the trace's own columns keep their
// values.
func TestHivePartitionsReadBack(t *testing.T) {
	exp := writeFile(t, "grid.yaml", `name: grid
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
train: [w1, b3]
sweep: {alpha: [0.05, 0.1], b3: [0, 1], w1: [3, 3.34], max_iterations: [1000000]}
`)
	out := filepath.Join(t.TempDir(), "results")
	mainIn(t, ExitOK, "run", "-o", out, exp)
	traces := 0
	err := filepath.WalkDir(filepath.Join(out, "grid"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != results.TraceFile {
			return err
		}
		traces++
		rel, _ := filepath.Rel(filepath.Join(out, "grid"), filepath.Dir(p))
		keys := map[string]string{}
		for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				t.Fatalf("%s: folder %q is not key=value", p, part)
			}
			keys[k] = v
		}
		if want := []string{"alpha", "b3_initial", "max_iterations", "w1_initial"}; !slices.Equal(slices.Sorted(maps.Keys(keys)), want) {
			t.Errorf("%s: keys %v, want %v", p, slices.Sorted(maps.Keys(keys)), want)
		}
		if keys["max_iterations"] != "1000000" {
			t.Errorf("%s: max_iterations=%s, want 1000000 as the summary writes it", p, keys["max_iterations"])
		}
		rows := readCSV(t, p)
		for k := range keys {
			if slices.Contains(rows[0], k) {
				t.Errorf("%s: key %s is also a column of the trace, which a Hive reader would replace", p, k)
			}
		}
		// The trace's own b3 and w1 start at the folder's values, and move.
		for k, col := range map[string]string{"b3_initial": "b3", "w1_initial": "w1"} {
			c := slices.Index(rows[0], col)
			if rows[1][c] != keys[k] {
				t.Errorf("%s: %s starts at %s, its folder says %s=%s", p, col, rows[1][c], k, keys[k])
			}
			if rows[len(rows)-1][c] == rows[1][c] {
				t.Errorf("%s: %s does not move from %s", p, col, rows[1][c])
			}
		}
		return nil
	})
	if err != nil || traces != 8 {
		t.Fatalf("read %d traces, want 8: %v", traces, err)
	}
}

// TestPruneKeepsFilesTheRunnerDidNotWrite puts files of a user's among
// the results, some named as the runner names its own, then prunes a run
// and an experiment: only the runner's files go, the others are kept and
// named.
func TestPruneKeepsFilesTheRunnerDidNotWrite(t *testing.T) {
	// The experiments beside the results folder, as experiments/ is: their
	// manifests name their files, which tell a stale experiment.
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	exp := filepath.Join(dir, "lr.yaml")
	if err := os.WriteFile(exp, []byte(sweepOf("lr", "0.1", "0.2")), 0o644); err != nil {
		t.Fatal(err)
	}
	article := filepath.Join(dir, "article")
	copyDir(t, "testdata/golden/article/in", article, func(b []byte) []byte { return b })
	mainIn(t, ExitOK, "run", "-o", out, exp, article)
	user := map[string]string{
		"lr/alpha=0.2/notes.txt":     "my notes",
		"lr/mine/trace.csv":          "my own trace",
		"lr/mine/records.csv":        "not records",
		"mine/trace.csv":             "another",
		"article/fit.svg.bak":        "a copy",
		"lr/alpha=0.1/iterations.md": "", // replaced below by the runner's own
	}
	for f, content := range user {
		if content == "" {
			continue
		}
		p := filepath.Join(out, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(exp, []byte(sweepOf("lr", "0.1")), 0o644); err != nil {
		t.Fatal(err)
	}
	// The stale run goes, but for the user's notes; an experiment not
	// among the paths is not stale while its file declares it, and stays.
	stdout, stderr := mainIn(t, ExitOK, "run", "--prune", "-o", out, exp)
	if want := "removed the runner's files of " + filepath.Join(out, "lr", "alpha=0.2") + "\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout does not say %q:\n%s", want, stdout)
	}
	for _, want := range []string{"runner: kept " + filepath.Join(out, "lr", "alpha=0.2", "notes.txt"),
		"runner: " + filepath.Join(out, "mine") + " is not the runner's", "runner: " + filepath.Join(out, "lr", "mine") + " is not the runner's"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "article", "trace.csv")); err != nil {
		t.Fatalf("the article, whose file is there, was pruned: %v", err)
	}
	// Once its file is gone, the experiment is stale, and goes.
	if err := os.RemoveAll(article); err != nil {
		t.Fatal(err)
	}
	stdout, stderr = mainIn(t, ExitOK, "run", "--prune", "-o", out, exp)
	if want := "removed the runner's files of " + filepath.Join(out, "article") + "\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout does not say %q:\n%s", want, stdout)
	}
	if want := "runner: kept " + filepath.Join(out, "article", "fit.svg.bak"); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	for f, content := range user {
		if content == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f)))
		if err != nil || string(data) != content {
			t.Errorf("%s: %q, %v; want the user's file kept", f, data, err)
		}
	}
	for _, gone := range []string{"lr/alpha=0.2/trace.csv", "article/trace.csv", "article/manifest.yaml", "article/summary.csv", "article/records.csv"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(gone))); err == nil {
			t.Errorf("%s was not pruned", gone)
		}
	}
}
