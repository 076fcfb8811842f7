package experiment

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/pkg/engine"
)

// TestInvalidFiles loads each file of testdata/invalid and compares the
// problems reported with its golden file, <name>.err. Adding a case means
// adding a file; go test -update writes its golden file, to be reviewed.
func TestInvalidFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			exps, err := Load([]string{file})
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load returned %d experiments and error %v, want an ErrorList", len(exps), err)
			}
			if exps != nil {
				t.Errorf("Load returned %d experiments along with errors", len(exps))
			}
			for _, e := range list {
				if e.Pos.File != file || e.Pos.Line == 0 {
					t.Errorf("problem without a position in the file: %v", e)
				}
			}
			golden.Check(t, strings.TrimSuffix(file, ".yaml")+".err", []byte(list.Error()+"\n"))
		})
	}
}

func TestValidFiles(t *testing.T) {
	exps, err := Load([]string{"testdata/valid"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range exps {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, " "), "bom minimal train all first second edge fastest range tolerance-edge b3-edge"; got != want {
		t.Fatalf("names = %q, want %q (files in name order, documents in file order)", got, want)
	}

	minimal := exps[1]
	if minimal.Start.B3 != 0 || minimal.Settings.MaxIterations != DefaultMaxIterations {
		t.Errorf("defaults: b3 = %v, max_iterations = %d; want 0 and %d", minimal.Start.B3, minimal.Settings.MaxIterations, DefaultMaxIterations)
	}
	if want := (Position{File: filepath.Join("testdata", "valid", "minimal.yaml"), Line: 2, Column: 1}); minimal.Pos != want {
		t.Errorf("position = %v, want %v", minimal.Pos, want)
	}

	first := exps[4]
	wantStart := engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30, B3: 1.5}
	if first.Start.Params != wantStart {
		t.Errorf("start = %+v, want %+v", first.Start, wantStart)
	}
	wantSettings := engine.Settings{Alpha: 0.05, Tolerance: 1e-4, MaxIterations: 10000}
	if first.Settings != wantSettings {
		t.Errorf("settings = %+v, want %+v", first.Settings, wantSettings)
	}
	if len(first.Data) != 3 || first.Data[1] != (engine.Point{X: 0.5, Y: 1}) {
		t.Errorf("data = %v", first.Data)
	}
	if first.CSVDigits != 17 || minimal.CSVDigits != 0 {
		t.Errorf("csv_digits: %d and %d, want 17 and 0 (not set)", first.CSVDigits, minimal.CSVDigits)
	}
	if first.Description != "A file may hold several experiments, one per document." {
		t.Errorf("description = %q", first.Description)
	}
}

func TestPins(t *testing.T) {
	exps, err := Load([]string{"testdata/valid/two-documents.yml"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range exps[0].Expected {
		got = append(got, strings.Join([]string{
			p.Pos.String(), itoa(p.Iteration), p.Column, p.Printed, engineFormat(p.Tolerance),
		}, " "))
	}
	want := []string{
		"testdata/valid/two-documents.yml:11:24 1 b3 1.5 0.05",
		"testdata/valid/two-documents.yml:11:41 1 predicted_1 -1.1 0.05",
		"testdata/valid/two-documents.yml:11:47 1 predicted_2 -0.1 0.05",
		"testdata/valid/two-documents.yml:11:53 1 predicted_3 -1.11 0.005",
		"testdata/valid/two-documents.yml:12:23 0 b3 2.609 0.0005",
		"testdata/valid/two-documents.yml:12:35 0 ssr 6.3e-5 5e-07",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pins:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTrainAndActivation(t *testing.T) {
	exps, err := Load([]string{"testdata/valid/train.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	train, all := exps[0], exps[1]
	if got := train.Settings.Trained(); got != engine.NewParamSet(engine.W3, engine.W4, engine.B3) || train.Start.Activation != engine.ReLU {
		t.Errorf("train: trains %v with %v, want w3 w4 b3 with relu", got, train.Start.Activation)
	}
	if all.Settings.Trained() != engine.AllParams || all.Start.Activation != engine.Sigmoid {
		t.Errorf("all: trains %v with %v, want all with sigmoid", all.Settings.Trained(), all.Start.Activation)
	}
	var pins []string
	for _, p := range train.Expected {
		pins = append(pins, itoa(p.Iteration)+" "+p.Column)
	}
	if got, want := strings.Join(pins, ", "), "1 w3, 1 gradient_w4, 1 next_b3, 0 w4, 0 b3, 0 ssr"; got != want {
		t.Errorf("pins: %s, want %s", got, want)
	}
	if minimal, _ := Load([]string{"testdata/valid/minimal.yaml"}); minimal[0].Settings.Trained() != engine.NewParamSet(engine.B3) || minimal[0].Start.Activation != engine.Softplus {
		t.Errorf("defaults: train %v, activation %v; want b3 and softplus", minimal[0].Settings.Trained(), minimal[0].Start.Activation)
	}
}

func TestPinHolds(t *testing.T) {
	tests := []struct {
		printed  string
		computed float64
		holds    bool
	}{
		{"-2.61", -2.61486963404, true},
		{"-2.61", -2.6151, false},
		{"-15.7", -15.6551, true},
		{"2", 2.4999, true},
		{"2", 2.5001, false},
		{"1.5e-3", 0.00154, true},
		{"1.5e-3", 0.00156, false},
		{"1500", 1500.4, true},
		{"1.5e3", 1549, true},
		{"1.5e3", 1551, false},
		{"0.125", 0.1255, true}, // exactly half-way holds
	}
	for _, tt := range tests {
		p := Pin{Printed: tt.printed, Tolerance: halfUnit(tt.printed)}
		p.Value, _ = parseFloat(tt.printed)
		if got := p.Holds(tt.computed); got != tt.holds {
			t.Errorf("printed %s, computed %v: holds = %v, want %v", tt.printed, tt.computed, got, tt.holds)
		}
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")

	_, err := Load([]string{missing, empty, big})
	want := strings.Join([]string{
		missing + ": no such file or folder",
		empty + ": folder holds no experiment files (*.yaml, *.yml)",
		big + ": file is larger than 1048576 bytes (1 MiB), the limit for an experiment file",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("Load error:\n%v\nwant:\n%s", err, want)
	}
}

// TestNamedPipesAreRefusedWithoutWaiting gives Load a named pipe, as a
// path and as a *.yaml file in a folder: each must be refused at once, not
// read (which would wait forever for a writer).
func TestNamedPipesAreRefusedWithoutWaiting(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Load([]string{pipe, dir})
		done <- err
	}()
	select {
	case err := <-done:
		problem := ": is a named pipe (FIFO), not a regular file; give the path of an experiment file"
		if want := pipe + problem + "\n" + pipe + problem; err == nil || err.Error() != want {
			t.Errorf("Load error:\n%v\nwant:\n%s", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load is still waiting on the named pipe after 5 s")
	}
}

func TestDuplicateNamesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	doc := "name: same\ndata: [{x: 0, y: 0}]\nweights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}\nalpha: 0.1\ntolerance: 0.001\n"
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load([]string{dir, a}) // a is named twice, and read once
	want := b + `:1:1: name: "same" is already the name of the experiment at ` + a + ":1:1; names must be unique, as each names a results folder"
	if err == nil || err.Error() != want {
		t.Errorf("Load error:\n%v\nwant:\n%s", err, want)
	}
}

func TestClosest(t *testing.T) {
	for word, want := range map[string]string{
		"alpah": "alpha", "tolerence": "tolerance", "maxiterations": "max_iterations",
		"weight": "weights", "colour": "", "Alpha": "alpha",
	} {
		if got := closest(word, experimentFields); got != want {
			t.Errorf("closest(%q) = %q, want %q", word, got, want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func engineFormat(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

// TestExample checks that the example of runner help experiments is valid
// and is what it says: the article's single run, and a sweep of five
// learning rates.
func TestExample(t *testing.T) {
	exps, errs := Parse("example.yaml", []byte(Example))
	if errs != nil {
		t.Fatalf("the example is invalid:\n%v", errs)
	}
	if len(exps) != 2 {
		t.Fatalf("%d experiments, want 2", len(exps))
	}
	for i, want := range []struct {
		name string
		runs int
	}{{"article", 1}, {"learning-rates", 5}} {
		if e := exps[i]; e.Name != want.name || e.RunCount() != want.runs {
			t.Errorf("experiment %d: %s of %d runs, want %s of %d", i, e.Name, e.RunCount(), want.name, want.runs)
		}
	}
}
