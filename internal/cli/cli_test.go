package cli

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runInto runs the runner with args and -o set to a fresh folder, checks
// its exit status, and returns every file it wrote there, by path.
func runInto(t *testing.T, wantStatus int, args ...string) (string, map[string][]byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "results")
	return out, runIn(t, out, wantStatus, args...)
}

// runIn runs the runner with args and -o out, checks its exit status, and
// returns every file under out, by path.
func runIn(t *testing.T, out string, wantStatus int, args ...string) map[string][]byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = slices.Insert(args, 1, "-o", out)
	if status := Main(args, &stdout, &stderr); status != wantStatus {
		t.Fatalf("runner %s: status %d, want %d\n%s", strings.Join(args, " "), status, wantStatus, stderr.String())
	}
	tree := map[string][]byte{}
	for _, f := range listFiles(t, out) {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		tree[f] = data
	}
	return tree
}

// sameTrees reports every difference between two sets of files.
func sameTrees(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d files against %d", what, len(a), len(b))
	}
	for f, data := range a {
		if other, ok := b[f]; !ok {
			t.Errorf("%s: %s only on one side", what, f)
		} else if !bytes.Equal(data, other) {
			t.Errorf("%s: %s differs", what, f)
		}
	}
}

// TestOutputsAreDeterministic runs the same experiments twice, and with 1
// and 4 workers, and compares every file byte for byte.
func TestOutputsAreDeterministic(t *testing.T) {
	inputs := []string{"testdata/golden/article/in", "testdata/golden/batch/in", "testdata/golden/sweep/in"}
	_, first := runInto(t, ExitFailure, append([]string{"run", "-j", "1"}, inputs...)...) // some published values fail on purpose
	_, second := runInto(t, ExitFailure, append([]string{"run", "-j", "1"}, inputs...)...)
	_, parallel := runInto(t, ExitFailure, append([]string{"run", "-j", "4"}, inputs...)...)
	if len(first) != 91 {
		t.Errorf("%d files written, want 91", len(first))
	}
	sameTrees(t, "two runs", first, second)
	sameTrees(t, "-j 1 and -j 4", first, parallel)
}

// TestShardsThenSummarize runs a sweep in three shards into one folder,
// then summarizes it, and compares the result with a single run.
func TestShardsThenSummarize(t *testing.T) {
	in := "testdata/golden/sweep/in"
	_, whole := runInto(t, ExitFailure, "run", in)

	out := filepath.Join(t.TempDir(), "results")
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		files := runIn(t, out, ExitFailure, "run", "--shard", shard, in)
		if _, ok := files["summary.csv"]; ok {
			t.Fatalf("shard %s wrote a summary", shard)
		}
	}
	sharded := runIn(t, out, ExitOK, "summarize", in)
	sameTrees(t, "one run against shards and summarize", whole, sharded)

	// Runs stored with other inputs than the experiment's are refused.
	edited := filepath.Join(t.TempDir(), "in")
	copyDir(t, in, edited, func(data []byte) []byte {
		return bytes.Replace(data, []byte("tolerance: 0.001"), []byte("tolerance: 0.002"), 1)
	})
	var stdout, stderr bytes.Buffer
	if status := Main([]string{"summarize", "-o", out, edited}, &stdout, &stderr); status != ExitFailure {
		t.Errorf("summarize with other inputs: status %d, want %d", status, ExitFailure)
	}
	if want := "runner: cannot summarize 10 runs under " + out + ": 6 runs are stored with other inputs than the experiment's, such as lr/alpha=0.01 (recorded tolerance: 0.001, the experiment gives tolerance: 0.002); run them first"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr:\n%s\nwant it to start:\n%s", stderr.String(), want)
	}

	// A missing run is reported, and no summary written.
	if err := os.RemoveAll(filepath.Join(out, "lr", "alpha=0.3")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "summary.csv")); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if status := Main([]string{"summarize", "-o", out, in}, &stdout, &stderr); status != ExitFailure {
		t.Errorf("summarize with a run missing: status %d, want %d", status, ExitFailure)
	}
	if want := "runner: cannot summarize 10 runs under " + out + ": 1 run is not stored, such as lr/alpha=0.3; run them first (every shard, with the same experiment files and flags), and summarize again\n"; stderr.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.csv")); err == nil {
		t.Errorf("summary.csv written though a run is missing")
	}
}

// TestSweepStatusesAgreeWithTheErrorFactor sweeps α across the stability
// limit 1/N and checks each run's status in summary.csv against its error
// factor |1 - 2·N·α|: converged below 1, diverged above.
func TestSweepStatusesAgreeWithTheErrorFactor(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "limit.yaml")
	yaml := `name: limit
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
sweep: {alpha: {from: 0.01, to: 0.66, count: 66}}
`
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, tree := runInto(t, ExitOK, "run", file)
	rows, err := csv.NewReader(bytes.NewReader(tree["summary.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	checked := map[string]int{}
	for _, row := range rows[1:] {
		factor, err := strconv.ParseFloat(row[col("error_factor")], 64)
		if err != nil {
			t.Fatal(err)
		}
		alpha, status := row[col("alpha")], row[col("status")]
		switch {
		case factor < 0.95 && status != "converged", factor > 1.05 && status != "diverged":
			t.Errorf("α = %s, error factor %g: %s", alpha, factor, status)
		}
		checked[status]++
	}
	if checked["converged"] < 30 || checked["diverged"] < 30 {
		t.Errorf("statuses %v: want both sides of α = 1/3 well covered", checked)
	}
}

// TestBackpropExamplesConverge runs the committed examples that train more
// than b3 and checks that they converge to a close fit.
func TestBackpropExamplesConverge(t *testing.T) {
	for _, file := range []string{"backprop-details-1.yaml", "backprop-details-2.yaml"} {
		_, tree := runInto(t, ExitOK, "run", filepath.Join("..", "..", "experiments", file))
		rows, err := csv.NewReader(bytes.NewReader(tree["summary.csv"])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, col := range rows[0] {
			row[col] = rows[1][i]
		}
		ssr, err := strconv.ParseFloat(row["ssr_final"], 64)
		if row["status"] != "converged" || err != nil || ssr > 1e-4 {
			t.Errorf("%s: %s after %s iterations, SSR %s; want converged with SSR below 1e-4", file, row["status"], row["iterations"], row["ssr_final"])
		}
	}
}
