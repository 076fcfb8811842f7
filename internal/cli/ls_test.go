package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLsListsTheSummaries checks that runner ls reads what the writer
// wrote: its CSV of every run is the results folder's summary.csv, byte
// for byte, and of one experiment that experiment's summary.csv, though ls
// builds its rows from the records alone; its JSON holds the same values,
// numbers as numbers.
func TestLsListsTheSummaries(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	alone := writeFile(t, "alone.yaml", sweepOf("alone", "0.1", "0.2", "0.5"))
	mainIn(t, ExitFailure, "run", "-o", out, alone, "testdata/golden/sweep/in", "testdata/golden/article/in", "testdata/golden/batch/in") // some published values fail on purpose

	for _, c := range []struct {
		args    []string
		summary string
	}{
		{nil, "summary.csv"},
		{[]string{alone}, filepath.Join("alone", "summary.csv")},
	} {
		got, _ := mainIn(t, ExitOK, append([]string{"ls", "-o", out, "--csv"}, c.args...)...)
		want, err := os.ReadFile(filepath.Join(out, c.summary))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("runner ls --csv %v:\n%s\nwant %s:\n%s", c.args, got, c.summary, want)
		}
	}

	rows, err := csv.NewReader(strings.NewReader(mustRead(t, filepath.Join(out, "summary.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := mainIn(t, ExitOK, "ls", "-o", out, "--json")
	var objects []map[string]any
	if err := json.Unmarshal([]byte(stdout), &objects); err != nil {
		t.Fatalf("runner ls --json: %v\n%s", err, stdout)
	}
	if len(objects) != len(rows)-1 {
		t.Fatalf("runner ls --json: %d objects, want %d", len(objects), len(rows)-1)
	}
	for i, obj := range objects {
		for j, name := range rows[0] {
			cell := rows[i+1][j]
			switch v := obj[name].(type) {
			case nil:
				if cell != "" {
					t.Errorf("run %d, %s: null, want %q", i, name, cell)
				}
			case float64:
				if x, err := strconv.ParseFloat(cell, 64); err != nil || x != v {
					t.Errorf("run %d, %s: %v, want %q", i, name, v, cell)
				}
			case string:
				if _, err := strconv.ParseFloat(v, 64); v != cell || err == nil && v != "NaN" && !strings.HasSuffix(v, "Inf") {
					t.Errorf("run %d, %s: %q, want %q as a number", i, name, v, cell)
				}
			default:
				t.Errorf("run %d, %s: %v (%T)", i, name, v, v)
			}
		}
	}
}

// mustRead returns a file's contents.
func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLsQuestionsAreCheckedFirst checks that a question the columns
// cannot answer is a usage error (exit 2) that names the flag and the
// nearest column, found before anything is read: the results folder
// does not exist.
func TestLsQuestionsAreCheckedFirst(t *testing.T) {
	nowhere := filepath.Join(t.TempDir(), "nowhere")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--where", "staus=diverged"}, `runner: --where staus=diverged: unknown column "staus"; did you mean "status"?`},
		{[]string{"--where", "b3final<1"}, `runner: --where b3final<1: unknown column "b3final"; did you mean "b3_final"?`},
		{[]string{"--where", "=1"}, `runner: --where =1: no column before =;`},
		{[]string{"--sort", "alpha,-alpha"}, `runner: --sort alpha,-alpha: alpha is named twice; name each column once`},
		{[]string{"--columns", "run,"}, `runner: --columns run,: no column named; the columns are experiment, run,`},
		{[]string{"--rev", "a", "--rev", "b", "--rev", "c"}, `runner: -rev: give one revision to list, or two to compare; got 3`},
		{[]string{"--md", "--csv"}, `runner: -csv, -json and -md contradict each other; give one`},
	} {
		_, stderr := mainIn(t, ExitUsage, append([]string{"ls", "-o", nowhere}, c.args...)...)
		if !strings.HasPrefix(stderr, c.want) || !strings.HasSuffix(stderr, "Run 'runner help' for usage.\n") {
			t.Errorf("runner ls %v: stderr\n%s\nwant it to start %q and end with the usage hint", c.args, stderr, c.want)
		}
	}
	_, stderr := mainIn(t, ExitUsage, "ls", "-o", nowhere)
	if want := "runner: there is no results folder " + nowhere + " here; run runner run first, or name the folder with -o\n"; stderr != want {
		t.Errorf("runner ls of no folder: stderr %q, want %q", stderr, want)
	}
}
