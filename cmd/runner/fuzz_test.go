package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/cli"
)

// The fuzz target lives here, beside the hostile corpus, rather than in
// internal/pipeline: it runs the whole program as a user does (cli.Main,
// with its flags, messages and exit statuses, on a folder on disk), shares
// the corpus's victims, and its seeds are the corpus's defects.

// fuzzExperiment is the experiment the fuzzed folders hold: the corpus's,
// a sweep of two runs and an experiment of one.
const fuzzExperiment = `name: lr
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
sweep: {alpha: [0.1, 0.2]}
---
name: one
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
alpha: 0.1
tolerance: 0.001
`

// fuzzFiles are the files FuzzResultsFolder edits, by the index its input
// gives: the records, manifests, summaries and stat caches of a results
// folder, slash-separated under it.
var fuzzFiles = []string{
	"manifest.yaml", "summary.csv", "summary.md",
	"lr/manifest.yaml", "lr/records.csv", "lr/summary.csv",
	"one/manifest.yaml", "one/records.csv", "one/summary.csv",
	".runner/cache/_top.csv", ".runner/cache/lr.csv", ".runner/cache/one.csv",
}

// topManifest is the index in fuzzFiles of the results folder's manifest,
// which marks the folder as the runner's.
const topManifest = 0

// FuzzResultsFolder writes a results folder with the runner, edits one of
// its files (fuzzFiles[file]: the bytes from at, cut bytes of them
// replaced by insert), and runs runner run on it in process. It checks
// that run does not panic, ends in bounded time, prints no Go type, and
// writes nothing outside the folder (the victims beside it are unchanged);
// and that run --check is then clean. Only the results folder's manifest,
// which marks the folder as the runner's, may instead make run refuse the
// folder (exit 2), if its message names the manifest and --check refuses
// it the same way. It is seeded with the defects of the hostile corpus.
func FuzzResultsFolder(f *testing.F) {
	template := filepath.Join(f.TempDir(), "template")
	if err := writeFuzzFolder(template); err != nil {
		f.Fatal(err)
	}
	for _, s := range fuzzSeeds {
		data, err := os.ReadFile(filepath.Join(template, "results", filepath.FromSlash(fuzzFiles[s.file])))
		if err != nil {
			f.Fatal(err)
		}
		at, cut, ok := s.locate(data)
		if !ok {
			f.Fatalf("seed %q: not found in %s", s.old, fuzzFiles[s.file])
		}
		f.Add(uint8(s.file), uint32(at), uint32(cut), []byte(s.new))
	}
	f.Fuzz(func(t *testing.T, file uint8, at, cut uint32, insert []byte) {
		dir := t.TempDir()
		if err := writeFuzzFolder(dir); err != nil {
			t.Fatal(err)
		}
		victims := snapshotVictims(t, dir)
		i := int(file) % len(fuzzFiles)
		if err := editFile(filepath.Join(dir, "results", filepath.FromSlash(fuzzFiles[i])), int64(at), int64(cut), insert); err != nil {
			t.Fatal(err)
		}
		out, exp := filepath.Join(dir, "results"), filepath.Join(dir, "exp.yaml")
		status, stderr := runInProcess(t, "run", "-o", out, exp)
		checkVictims(t, dir, victims)
		refused := i == topManifest && status == cli.ExitUsage && strings.Contains(stderr, "manifest.yaml")
		if status != cli.ExitOK && !refused {
			t.Fatalf("run after editing %s: status %d\n%s", fuzzFiles[i], status, stderr)
		}
		check, checkErr := runInProcess(t, "run", "--check", "-o", out, exp)
		checkVictims(t, dir, victims)
		switch {
		case refused && check != cli.ExitUsage:
			t.Fatalf("run refused the folder after editing %s, but --check did not (status %d):\n%s\n%s", fuzzFiles[i], check, stderr, checkErr)
		case !refused && check != cli.ExitOK:
			t.Fatalf("run --check after run, after editing %s: status %d, want a clean folder\n%s", fuzzFiles[i], check, checkErr)
		}
	})
}

// fuzzSeed is a defect of the hostile corpus, as an edit of one of
// fuzzFiles: the first old in it replaced by new. An empty old stands for
// the bytes from at to the end of the file (at = -1: none, an append).
type fuzzSeed struct {
	file     int
	old, new string
	at       int
}

// locate returns where the seed's edit is in data, and how many bytes it
// cuts.
func (s fuzzSeed) locate(data []byte) (at, cut int, ok bool) {
	switch {
	case s.old != "":
		at = bytes.Index(data, []byte(s.old))
		return at, len(s.old), at >= 0
	case s.at < 0:
		return len(data), 0, true
	}
	return s.at, len(data) - s.at, s.at <= len(data)
}

var fuzzSeeds = []fuzzSeed{
	{file: 0, old: "summary.md]", new: "summary.md, ../victim.txt]"},
	{file: 0, old: "one]", new: "one, ../victim]"},
	{file: 0, old: "one]", new: "one, /tmp/victim]"},
	{file: 0, old: "layout: 3", new: "layout: 2"},
	{file: 0, at: 0},
	{file: 0, at: 300},
	{file: 1, old: "converged", new: "diverged"},
	{file: 2, at: 100},
	{file: 3, old: "sweep.svg]", new: "sweep.svg, ../../victim.txt]"},
	{file: 3, old: "fit.svg]", new: "fit.svg, ../../../victim.txt]"},
	{file: 3, old: "stale_runs: []", new: "stale_runs:\n  - \"lr/../../victim\""},
	{file: 3, old: "experiment: \"lr\"", new: "experiment: \"one\""},
	{file: 3, at: 0},
	{file: 3, at: 500},
	{file: 3, at: -1, new: "# one more line\n"},
	{file: 4, old: "lr/alpha=0.2,", new: "lr/../../victim,"},
	{file: 4, old: "lr/alpha=0.2,", new: "/tmp/victim,"},
	{file: 4, old: ",converged,7,", new: ",diverged,7,"},
	{file: 4, at: 0},
	{file: 4, at: 700},
	{file: 4, at: -1, new: "junk"},
	{file: 4, at: -1, new: "lr/alpha=0.2,junk"},
	{file: 5, old: "converged", new: "diverged"},
	{file: 5, at: 0},
	{file: 6, old: "alpha: 0.1", new: "alpha: 0.2"},
	{file: 7, old: ",converged,", new: ",max-iterations,"},
	{file: 8, at: 0},
	{file: 9, at: 40},
	{file: 10, old: ",converged,7,", new: ",diverged,7,"},
	{file: 10, old: "#runner stat cache 3,", new: "#runner stat cache 4,"},
	{file: 10, old: "lr/alpha=0.2,", new: "lr/../../victim,"},
	{file: 11, old: "#f,records.csv,", new: "#f,../../victim.txt,"},
}

// writeFuzzFolder writes into dir the experiment, the victims, and a
// results folder the runner writes from the experiment: run twice, so
// that the stat cache vouches for the files as it does in a folder at
// rest.
func writeFuzzFolder(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	exp := filepath.Join(dir, "exp.yaml")
	if err := os.WriteFile(exp, []byte(fuzzExperiment), 0o644); err != nil {
		return err
	}
	if err := writeVictims(dir); err != nil {
		return err
	}
	var stdout, stderr bytes.Buffer
	for range 2 {
		if status := cli.Main([]string{"run", "-o", filepath.Join(dir, "results"), exp}, &stdout, &stderr); status != cli.ExitOK {
			return &folderError{stderr.String()}
		}
	}
	return nil
}

// folderError is a results folder the runner could not write.
type folderError struct{ stderr string }

func (e *folderError) Error() string { return "writing the results folder: " + e.stderr }

// editFile replaces cut bytes of a file from at (both clipped to the
// file) with insert, in place.
func editFile(name string, at, cut int64, insert []byte) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	at = min(at, int64(len(data)))
	cut = min(cut, int64(len(data))-at)
	edited := slices.Concat(data[:at], insert, data[at+cut:])
	return os.WriteFile(name, edited, 0o644)
}

// runInProcess runs the runner in process and returns its exit status
// and stderr, failing the test if it takes longer than commandTimeout or
// prints a Go type or a panic.
func runInProcess(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- cli.Main(args, &stdout, &stderr) }()
	select {
	case status := <-done:
		for _, out := range []string{stdout.String(), stderr.String()} {
			if m := goInternals.FindString(out); m != "" {
				t.Fatalf("runner %s shows %q, a panic or a Go type:\n%s", strings.Join(args, " "), m, out)
			}
		}
		return status, stderr.String()
	case <-time.After(commandTimeout):
		t.Fatalf("runner %s did not end within %v (blocked?)", strings.Join(args, " "), commandTimeout)
		return 0, ""
	}
}

// snapshotVictims describes what lies beside the results folder in dir:
// the victims, and the names of dir's entries.
func snapshotVictims(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b.WriteString(e.Name() + "\n")
	}
	for _, v := range []string{"victim.txt", "victim"} {
		s, err := snapshot(filepath.Join(dir, v))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(s)
	}
	return b.String()
}

// checkVictims fails the test if anything beside the results folder in
// dir changed since snapshotVictims described it.
func checkVictims(t *testing.T, dir, was string) {
	t.Helper()
	if now := snapshotVictims(t, dir); now != was {
		t.Fatalf("outside the results folder, something changed:\nwas:\n%snow:\n%s", was, now)
	}
}
