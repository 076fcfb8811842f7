package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/results"
)

// longSweep is a batch that takes tens of seconds: 400 runs of 100,000
// iterations each.
const longSweep = `name: long
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 1e-12
max_iterations: 100000
sweep: {alpha: {from: 1e-9, to: 1e-8, count: 400}}
`

// runnerPath returns the runner installed in PATH by TestMain.
func runnerPath(t *testing.T) string {
	t.Helper()
	runner, err := exec.LookPath("runner")
	if err != nil {
		t.Fatal(err)
	}
	return runner
}

// TestInterrupt starts the runner on a long batch as a real process, sends
// it SIGINT or SIGTERM once the first runs are written, and checks that it
// stops, says it was interrupted, exits 130, and leaves only whole runs,
// no temporary file, and no summary; and that the next run reuses every
// run finished, from its journal. How long it took to stop is logged, not
// asserted.
func TestInterrupt(t *testing.T) {
	runner := runnerPath(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			exp := filepath.Join(dir, "long.yaml")
			if err := os.WriteFile(exp, []byte(longSweep), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "results")
			cmd := exec.Command(runner, "run", "-j", "2", "-o", out, exp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Two runs in place, and one journaled: a run renamed in just
			// before the signal may not be yet.
			waitFor(t, func() bool { return len(records(t, out)) >= 2 && journaled(t, out) >= 1 })

			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			t.Logf("%v: stopped %v after the signal", sig, time.Since(sent).Round(time.Millisecond))

			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("exit: %v, want status 130", err)
			}
			if !strings.Contains(stderr.String(), "runner: interrupted: ") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
			if left := leftovers(t, out); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if _, err := os.Stat(filepath.Join(out, "summary.csv")); err == nil {
				t.Errorf("an interrupted batch wrote a summary")
			}
			n := checkRuns(t, out, "long")
			t.Logf("%d whole runs", n)
			// The runs it finished are reused: --dry-run finds them stored.
			report, err := exec.Command(runner, "run", "--dry-run", "-o", out, exp).CombinedOutput()
			if err != nil {
				t.Fatalf("--dry-run: %v\n%s", err, report)
			}
			if stored := bytes.Count(report, []byte("\n  stored   ")); stored < max(1, n-2*2) || stored > n {
				t.Errorf("--dry-run finds %d runs stored of the %d whole run folders (a folder renamed in just before the stop may have no record):\n%s", stored, n, report)
			}
		})
	}
}

// TestInterruptSummarizeAndDiff interrupts runner summarize and runner
// diff, each on work that takes seconds: each stops at once, says it was
// interrupted, and exits 130 (not 1, which diff gives for differences);
// summarize writes no summary.
func TestInterruptSummarizeAndDiff(t *testing.T) {
	runner := runnerPath(t)
	dir := t.TempDir()
	exp := filepath.Join(dir, "many.yaml")
	src := `name: many
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.0001
max_iterations: 400
sweep: {alpha: {from: 0.001, to: 0.33, count: 12000}}
`
	if err := os.WriteFile(exp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	old, new, sharded := filepath.Join(dir, "old"), filepath.Join(dir, "new"), filepath.Join(dir, "sharded")
	for _, args := range [][]string{{"run", "-o", old, exp}, {"run", "-o", new, exp}, {"run", "--shard", "1/1", "-o", sharded, exp}} {
		if report, err := exec.Command(runner, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, report)
		}
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"summarize", []string{"summarize", "-o", sharded, exp}},
		{"diff", []string{"diff", old, new}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(runner, c.args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			sent := time.Now()
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			t.Logf("stopped %v after the signal", time.Since(sent).Round(time.Millisecond))
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Errorf("exit: %v, want status 130\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(sharded, "summary.csv")); err == nil {
		t.Error("an interrupted summarize wrote the summary")
	}
}

// TestKillAndResume kills the runner with SIGKILL at random moments of a
// sweep that replaces an earlier one, in 60 trials. After each kill, every
// run folder holds a whole run, old or new: a record, and the files it
// lists. Every few trials the sweep is run again to its end, and its
// results are then byte for byte those of a run that was never
// interrupted.
func TestKillAndResume(t *testing.T) {
	runner := runnerPath(t)
	dir := t.TempDir()
	tolerances := []string{"0.001", "0.0001"}
	exps := make([]string, len(tolerances))
	want := make([]map[string]string, len(tolerances))
	for i, tol := range tolerances {
		exps[i] = filepath.Join(dir, fmt.Sprintf("sweep-%d", i), "kill.yaml")
		if err := os.MkdirAll(filepath.Dir(exps[i]), 0o755); err != nil {
			t.Fatal(err)
		}
		src := fmt.Sprintf(`name: kill
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: %s
max_iterations: 3000
sweep: {alpha: {from: 0.0005, to: 0.3, count: 120}}
`, tol)
		if err := os.WriteFile(exps[i], []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		ref := filepath.Join(dir, fmt.Sprintf("reference-%d", i))
		if out, err := exec.Command(runner, "run", "-o", ref, exps[i]).CombinedOutput(); err != nil {
			t.Fatalf("reference run: %v\n%s", err, out)
		}
		want[i] = readTree(t, ref)
	}

	out := filepath.Join(dir, "results")
	rng := rand.New(rand.NewPCG(7, 11))
	const trials = 60
	for trial := range trials {
		i := trial % 2
		cmd := exec.Command(runner, "run", "-j", "2", "-o", out, exps[i])
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()

		checkRuns(t, out, "kill")
		if len(leftovers(t, out)) > 0 {
			check := exec.Command(runner, "run", "--check", "-o", out, exps[i])
			report, err := check.CombinedOutput()
			if err == nil || !strings.Contains(string(report), "left over: ") {
				t.Errorf("trial %d: --check does not report what the killed runner left:\n%s", trial, report)
			}
		}
		if trial%10 == 9 {
			if report, err := exec.Command(runner, "run", "-o", out, exps[i]).CombinedOutput(); err != nil {
				t.Fatalf("trial %d: resuming: %v\n%s", trial, err, report)
			}
			if got := readTree(t, out); !sameTree(t, got, want[i]) {
				t.Fatalf("trial %d: the resumed results differ from an uninterrupted run", trial)
			}
			if left := leftovers(t, out); len(left) > 0 {
				t.Errorf("trial %d: the next writer did not remove what killed ones left: %v", trial, left)
			}
		}
	}
}

// TestKillAndResumeSearch kills the runner with SIGKILL at random moments
// of a search for the stability edge, in 20 trials, each resumed with
// another number of workers; once it runs to its end, its results are
// byte for byte those of a search run once with one worker, and again
// with four.
func TestKillAndResumeSearch(t *testing.T) {
	runner := runnerPath(t)
	dir := t.TempDir()
	exp := filepath.Join(dir, "edge.yaml")
	src := `name: edge
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.0001
max_iterations: 2000
search:
  alpha: {find: edge, from: 0.01, to: 1, precision: 1e-9, width: 3}
`
	if err := os.WriteFile(exp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	for _, workers := range []string{"1", "4"} {
		ref := filepath.Join(dir, "reference-"+workers)
		if out, err := exec.Command(runner, "run", "-j", workers, "-o", ref, exp).CombinedOutput(); err != nil {
			t.Fatalf("reference run: %v\n%s", err, out)
		}
		got := readTree(t, ref)
		if want == nil {
			want = got
		} else if !sameTree(t, got, want) {
			t.Fatal("the search with four workers differs from the search with one")
		}
	}
	out := filepath.Join(dir, "results")
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := range 20 {
		cmd := exec.Command(runner, "run", "-j", strconv.Itoa(1+trial%4), "-o", out, exp)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(300_000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()
		checkRuns(t, out, "edge")
	}
	if report, err := exec.Command(runner, "run", "-j", "3", "-o", out, exp).CombinedOutput(); err != nil {
		t.Fatalf("resuming: %v\n%s", err, report)
	}
	if !sameTree(t, readTree(t, out), want) {
		t.Fatal("the resumed search differs from one never interrupted")
	}
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the runner")
		}
	}
}

// records lists the traces of the runs of experiment long under dir.
func records(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "long", "alpha=*", results.TraceFile))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// journaled counts the runs of experiment long that a results folder's
// journals hold.
func journaled(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, results.PrivateDir, "journal", "long", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // renamed away as the batch ends
		}
		n += bytes.Count(data, []byte("\nlong/alpha="))
	}
	return n
}

// leftovers lists what is in a results folder's .runner/tmp.
func leftovers(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(out, results.PrivateDir, "tmp"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkRuns checks every run folder of an experiment: each must hold a
// whole trace, its last line ended, every row of its header's cells, as
// a folder renamed into place whole does. It returns how many there are.
func checkRuns(t *testing.T, out, experiment string) int {
	t.Helper()
	runs, err := filepath.Glob(filepath.Join(out, experiment, "alpha=*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		data, err := os.ReadFile(filepath.Join(run, results.TraceFile))
		if err == nil && !bytes.HasSuffix(data, []byte("\n")) {
			err = fmt.Errorf("its last line is cut")
		}
		if err == nil {
			var r *results.TraceReader
			if r, err = results.NewTraceReader(bytes.NewReader(data)); err == nil {
				for err == nil {
					_, err = r.Next()
				}
				if err == io.EOF {
					err = nil
				}
			}
		}
		if err != nil {
			t.Errorf("%s: not a whole run: %v", run, err)
		}
	}
	return len(runs)
}

// readTree returns every file of a results folder but its private one, by
// path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == results.PrivateDir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree reports, and logs, every difference between two trees.
func sameTree(t *testing.T, got, want map[string]string) bool {
	t.Helper()
	same := true
	for f, data := range want {
		if got[f] != data {
			t.Logf("%s differs", f)
			same = false
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Logf("%s is extra", f)
			same = false
		}
	}
	return same
}

// TestOneWriterAtATime starts a writer on a long batch, then a second on
// the same results folder: the second is refused at once, with status 1,
// naming the first's process, and writes nothing; the first goes on.
func TestOneWriterAtATime(t *testing.T) {
	runner := runnerPath(t)
	dir := t.TempDir()
	exp := filepath.Join(dir, "long.yaml")
	if err := os.WriteFile(exp, []byte(longSweep), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results")
	first := exec.Command(runner, "run", "-j", "1", "-o", out, exp)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		first.Process.Kill()
		first.Wait()
	}()
	waitFor(t, func() bool { return len(records(t, out)) >= 1 })
	before := len(records(t, out))

	started := time.Now()
	second := exec.Command(runner, "run", "-o", out, exp)
	stderr, err := second.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second writer: %v, want status 1\n%s", err, stderr)
	}
	want := fmt.Sprintf("runner: %s is being written by process %d (runner run -j 1 -o %s %s); wait for it to finish, or write elsewhere with -o\n", out, first.Process.Pid, out, exp)
	if string(stderr) != want {
		t.Errorf("second writer says:\n%s\nwant:\n%s", stderr, want)
	}
	t.Logf("refused after %v", time.Since(started).Round(time.Millisecond))
	if after := len(records(t, out)); after < before {
		t.Errorf("runs went from %d to %d", before, after)
	}
	if err := first.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// TestDryRunStopsAtTheFirstInterrupt lists a sweep of ten million runs
// with --dry-run, read as fast as it comes, and interrupts it: it stops at
// once, with status 1.
func TestDryRunStopsAtTheFirstInterrupt(t *testing.T) {
	runner := runnerPath(t)
	exp := filepath.Join(t.TempDir(), "huge.yaml")
	src := strings.Replace(longSweep, "count: 400}", "count: 10000000}", 1) + "max_runs: 10000000\n"
	if err := os.WriteFile(exp, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(runner, "run", "--dry-run", "--max-output", "1000TB", "--max-total-iterations", "1000000000000000", exp)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int, 1)
	go func() {
		n, buf := 0, make([]byte, 64<<10)
		for {
			k, err := stdout.Read(buf)
			n += bytes.Count(buf[:k], []byte("\n"))
			if n > 1000 {
				select {
				case lines <- n:
				default:
				}
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	<-lines
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	err = cmd.Wait()
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(stderr.String(), "runner: interrupted") {
		t.Errorf("exit %v, stderr %q; want status 130, interrupted", err, stderr.String())
	}
	if took > time.Second {
		t.Errorf("stopped %v after the interrupt, want within a second", took)
	}
	t.Logf("stopped %v after the interrupt", took.Round(time.Millisecond))
}
