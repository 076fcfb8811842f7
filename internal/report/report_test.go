package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

func TestFormatCSV(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{0.1, "0.1"},
		{1.0 / 3, "0.333333333333"},
		{2.6089111372475370, "2.60891113725"},
		{-15.655108380577747, "-15.6551083806"},
		{6.303484538341e-05, "6.30348453834e-05"},
		{1e-5, "1e-05"},
		{123456789012345, "1.23456789012e+14"},
		{100, "100"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
	}
	for _, tt := range tests {
		if got := FormatCSV(tt.v, DefaultCSVDigits); got != tt.want {
			t.Errorf("FormatCSV(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestFormatReadable(t *testing.T) {
	for v, want := range map[float64]string{
		-2.60366523806: "-2.6", -15.6551: "-15.7", 0.000405: "0.000405", 6.42e-05: "6.42e-05",
		1308.4: "1.31e+03", math.Copysign(0, -1): "0",
	} {
		if got := FormatReadable(v); got != want {
			t.Errorf("FormatReadable(%v) = %q, want %q", v, got, want)
		}
	}
}

// article returns the article's experiment with the given settings.
func article(alpha, tolerance float64, maxIterations int) *experiment.Experiment {
	return &experiment.Experiment{
		Name:     "test",
		Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
		Start:    engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}},
		Settings: engine.Settings{Alpha: alpha, Tolerance: tolerance, MaxIterations: maxIterations},
	}
}

// outcome runs the article's descent for the report's tests.
func outcome(t *testing.T, alpha float64, maxIterations int) batch.Outcome {
	t.Helper()
	o, err := batch.Run(context.Background(), article(alpha, 1e-3, maxIterations).Run(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestTraceRoundTrips writes a trace as the run goes, reads it back with
// encoding/csv, and checks every value against the engine's to the 12
// digits written.
func TestTraceRoundTrips(t *testing.T) {
	run := article(0.1, 1e-3, 1000).Run(0)
	var b bytes.Buffer
	tw, err := NewTraceWriter(&b, &run)
	if err != nil {
		t.Fatal(err)
	}
	var trace engine.Trace
	_, err = batch.Run(context.Background(), run, func(it *engine.Iteration) error {
		trace.Record(it)
		return tw.Observe(it)
	})
	if err != nil || tw.Flush() != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "iteration,b3,predicted_1,predicted_2,predicted_3,ssr,gradient_b3,step_b3,next_b3"
	if got := strings.Join(records[0], ","); got != wantHeader {
		t.Errorf("header = %s, want %s", got, wantHeader)
	}
	if len(records) != 1+len(trace.Iterations) {
		t.Fatalf("%d rows, want %d", len(records)-1, len(trace.Iterations))
	}
	for i, row := range records[1:] {
		it := &trace.Iterations[i]
		if row[0] != strconv.Itoa(it.N) {
			t.Errorf("row %d: iteration %s, want %d", i+1, row[0], it.N)
		}
		for j, want := range it.AppendValues(nil) {
			got, err := strconv.ParseFloat(row[j+1], 64)
			if err != nil || math.Abs(got-want) > 1e-11*math.Abs(want) {
				t.Errorf("row %d, %s: read %s, engine has %.17g", i+1, records[0][j+1], row[j+1], want)
			}
		}
	}
}

func TestIterationsTableLeavesOutTheMiddleOfLongRuns(t *testing.T) {
	o := outcome(t, 0.001, 25)
	tbl, note := iterationsTable(&o)
	var first []string
	for _, row := range tbl.rows {
		first = append(first, row[0])
	}
	want := "1 2 3 4 5 6 7 8 9 10 … 16 17 18 19 20 21 22 23 24 25"
	if got := strings.Join(first, " "); got != want {
		t.Errorf("rows = %s, want %s", got, want)
	}
	if note != "Iterations 11 to 15 are left out here; trace.csv has every iteration." {
		t.Errorf("note = %q", note)
	}
	n := 2 * batch.KeptIterations
	o = outcome(t, 0.001, n)
	if tbl, note := iterationsTable(&o); len(tbl.rows) != n || note != "" {
		t.Errorf("%d iterations: %d rows, note %q; want every row and no note", n, len(tbl.rows), note)
	}
}

func TestSummaryShowsWeightsOnlyWhereRunsDiffer(t *testing.T) {
	a, b := outcome(t, 0.1, 1000), outcome(t, 0.05, 1000)
	records := []Record{NewRecord(&a), NewRecord(&b)}
	if cols := strings.Join(summaryColumns(records), ","); strings.Contains(cols, "w1") {
		t.Errorf("columns %s include w1, the same in every run", cols)
	}
	b.Run.Start.W1 = 3
	records[1] = NewRecord(&b)
	want := "experiment,run,alpha,b3_initial,tolerance,max_iterations,w1,iterations,status,b3_final,ssr_final,b3_optimum,error_factor,expected"
	if cols := strings.Join(summaryColumns(records), ","); cols != want {
		t.Errorf("columns %s, want %s", cols, want)
	}
}

func TestRecordRoundTrips(t *testing.T) {
	o := outcome(t, 0.1, 1000)
	rec := NewRecord(&o)
	var b bytes.Buffer
	if err := writeRecord(&b, rec); err != nil {
		t.Fatal(err)
	}
	got, err := ParseRecord(b.Bytes())
	if err != nil || got != rec {
		t.Errorf("ParseRecord = %v, %v; want %v", got.Map(), err, rec.Map())
	}
	if rec.Get("status") != "converged" || rec.Get("iterations") != "10" || rec.Get("b3_optimum") != "2.6091847301" || rec.Get("error_factor") != "0.4" {
		t.Errorf("record %v", rec.Map())
	}
	if _, err := ParseRecord([]byte("experiment,run,colour\nx,y,red\n")); err == nil {
		t.Errorf("ParseRecord accepted a file with an unknown column")
	}
}

func TestMarkdownEscapesCellSeparators(t *testing.T) {
	tbl := newTable([]string{"a", "b"}, "a")
	tbl.add("x|y", "1")
	var b bytes.Buffer
	if err := tbl.render(&b, markdown); err != nil {
		t.Fatal(err)
	}
	want := "| a    | b |\n|:-----|--:|\n| x\\|y | 1 |\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestDir(t *testing.T) {
	root := t.TempDir()
	files := []File{{"a/trace.csv", []byte("1\n")}, {"summary.csv", []byte("2\n")}}
	d := NewDir(root, OS)
	if err := d.Put(files...); err != nil {
		t.Fatal(err)
	}
	files[1].Data = []byte("3\n")
	if err := d.Put(files...); err != nil {
		t.Fatal(err)
	}
	if written, changed := d.Counts(); written != 4 || changed != 3 {
		t.Errorf("counts: %d written, %d changed; want 4 and 3", written, changed)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s = %q (%v), want %q", f.Path, got, err, f.Data)
		}
	}
	assertNoTemporaryFiles(t, root)
}

// TestFolder writes a run's folder new, then over itself with one file
// changed (and one longer, one shorter), then aborts a third write: the
// folder must hold exactly the last committed files.
func TestFolder(t *testing.T) {
	root := t.TempDir()
	write := func(d *Dir, files map[string]string, commit bool) {
		t.Helper()
		f, err := d.OpenFolder("lr/alpha=0.1")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			p, err := f.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.SplitAfter(files[name], "\n") { // in pieces, as a trace is written
				if _, err := p.Write([]byte(line)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !commit {
			f.Abort()
			return
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	first := map[string]string{"trace.csv": "a\nb\n", "iterations.md": "x\n", "result.csv": "r\n"}
	second := map[string]string{"trace.csv": "a\nb\nc\n", "iterations.md": "x\n", "result.csv": ""}
	d := NewDir(root, OS)
	write(d, first, true)
	write(d, second, true)
	write(d, map[string]string{"trace.csv": "lost\n"}, false)
	for name, want := range second {
		if got, err := os.ReadFile(filepath.Join(root, "lr", "alpha=0.1", name)); err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	if got := strings.Join(d.Changed(), " "); got != "lr/alpha=0.1/iterations.md lr/alpha=0.1/result.csv lr/alpha=0.1/result.csv lr/alpha=0.1/trace.csv lr/alpha=0.1/trace.csv" {
		t.Errorf("changed: %s", got)
	}
	assertNoTemporaryFiles(t, root)
}

func TestDirFailureNamesThePathAndLeavesNoTemporaryFile(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a"), []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := NewDir(root, OS).Put(File{"b/ok.csv", []byte("1\n")}, File{"a/trace.csv", []byte("2\n")})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "a")) {
		t.Errorf("error %v, want one naming %s", err, filepath.Join(root, "a"))
	}
	assertNoTemporaryFiles(t, root)
}

// isTemp reports whether a file or folder name is a temporary one.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if isTemp(filepath.Base(path)) {
			t.Errorf("temporary file left behind: %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStaleNamesTheHighestFoldersWhoseRunsAreAllStale(t *testing.T) {
	root := t.TempDir()
	for _, run := range []string{"article", "old", "lr/alpha=0.1", "lr/alpha=0.2", "gone/alpha=0.1/b3=0", "gone/alpha=0.1/b3=1"} {
		if err := NewDir(root, OS).Put(File{run + "/" + ResultFile, []byte("x\n")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "notes"), 0o755); err != nil { // not a run folder
		t.Fatal(err)
	}
	current := map[string]bool{"article": true, "lr/alpha=0.1": true}
	stale, err := Stale(root, func(id string) bool { return current[id] })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(stale, " "), "gone lr/alpha=0.2 old"; got != want {
		t.Errorf("stale = %s, want %s", got, want)
	}
	if stale, err := Stale(filepath.Join(root, "missing"), func(string) bool { return false }); err != nil || stale != nil {
		t.Errorf("Stale of a missing folder = %v, %v; want none", stale, err)
	}
}

func TestCheckWritesNothing(t *testing.T) {
	root := t.TempDir()
	if err := NewDir(root, OS).Put(File{"a.csv", []byte("1\n")}, File{"b.csv", []byte("2\n")}); err != nil {
		t.Fatal(err)
	}
	check := NewCheck(root, OS)
	if err := check.Put(File{"a.csv", []byte("1\n")}, File{"b.csv", []byte("3\n")}, File{"c/d.csv", []byte("4\n")}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(check.Changed(), " "); got != "b.csv c/d.csv" {
		t.Errorf("changed = %s, want b.csv c/d.csv", got)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "b.csv")); string(b) != "2\n" {
		t.Errorf("check wrote b.csv: %q", b)
	}
	if _, err := os.Stat(filepath.Join(root, "c")); err == nil {
		t.Errorf("check made a folder")
	}
}

func TestTraceEvery(t *testing.T) {
	e := article(0.001, 1e-12, 23)
	e.TraceEvery = 5
	for _, tt := range []struct {
		max  int
		rows string
	}{{23, "1 5 10 15 20 23"}, {20, "1 5 10 15 20"}, {1, "1"}} {
		e.Settings.MaxIterations = tt.max
		run := e.Run(0)
		var b bytes.Buffer
		tw, err := NewTraceWriter(&b, &run)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := batch.Run(context.Background(), run, tw.Observe); err != nil || tw.Flush() != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, r := range records[1:] {
			rows = append(rows, r[0])
		}
		if got := strings.Join(rows, " "); got != tt.rows {
			t.Errorf("max_iterations %d, trace_every 5: rows %s, want %s", tt.max, got, tt.rows)
		}
	}
}
