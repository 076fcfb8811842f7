package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// longSweep is a batch that takes tens of seconds: 400 runs of 200,000
// iterations each.
const longSweep = `name: long
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 1e-12
max_iterations: 200000
sweep: {alpha: {from: 1e-9, to: 1e-8, count: 400}}
`

// TestInterrupt starts the runner on a long batch as a real process, sends
// it SIGINT or SIGTERM once the first runs are written, and checks that it
// stops, says it was interrupted, exits 1, and leaves only whole files:
// every run folder complete and no temporary file. How long it took to
// stop is logged, not asserted.
func TestInterrupt(t *testing.T) {
	runner, err := exec.LookPath("runner") // installed in PATH by TestMain
	if err != nil {
		t.Fatal(err)
	}
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
			waitFor(t, func() bool { return len(resultFiles(t, out)) >= 2 })

			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			t.Logf("%v: stopped %v after the signal", sig, time.Since(sent).Round(time.Millisecond))

			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v, want status 1", err)
			}
			if !strings.Contains(stderr.String(), "runner: interrupted: ") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
			}
			checkWhole(t, out)
		})
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

// resultFiles lists the result.csv files under dir.
func resultFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "long", "alpha=*", "result.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// checkWhole checks that an interrupted batch left no temporary file, no
// summary, and only complete run folders: each with its trace, table and
// result, the trace having as many rows as the result says.
func checkWhole(t *testing.T, out string) {
	t.Helper()
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.csv")); err == nil {
		t.Errorf("an interrupted batch wrote a summary")
	}
	runs, err := filepath.Glob(filepath.Join(out, "long", "alpha=*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		result, err := os.ReadFile(filepath.Join(run, "result.csv"))
		if err != nil {
			t.Errorf("%s: incomplete run folder: %v", run, err)
			continue
		}
		trace, err := os.ReadFile(filepath.Join(run, "trace.csv"))
		if err != nil {
			t.Errorf("%s: %v", run, err)
			continue
		}
		rows := bytes.Count(trace, []byte("\n")) - 1
		if want := ",200000,max-iterations,"; !bytes.Contains(result, []byte(want)) || rows != 200000 {
			t.Errorf("%s: trace of %d rows, result %q", run, rows, result)
		}
	}
	t.Logf("%d complete runs", len(runs))
}
