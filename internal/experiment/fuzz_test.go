package experiment

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzParse checks that any input gives either experiments whose runs (as
// far as the first hundred, or a search's probes of its ends) are valid, or
// problems that each carry a position in the file; and never a panic. It is
// seeded with the test files and the committed experiments.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.y*ml")
	examples, _ := filepath.Glob("../../experiments/*.yaml")
	for _, file := range append(seeds, examples...) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		exps, errs := Parse("fuzz.yaml", src)
		if (len(exps) == 0) == (len(errs) == 0) {
			t.Fatalf("%d experiments and %d problems", len(exps), len(errs))
		}
		for _, e := range errs {
			if e.Pos.File != "fuzz.yaml" || e.Pos.Line < 1 {
				t.Errorf("problem without a line: %v", e)
			}
		}
		for _, e := range exps {
			if e.Name == "" || len(e.Data) == 0 || (e.RunCount() < 1) != e.Probes() || e.RunCount() > e.MaxRuns {
				t.Errorf("invalid experiment accepted: %+v", e)
			}
			var runs []Run
			for i := range min(e.RunCount(), 100) {
				runs = append(runs, e.Run(i))
			}
			if e.Probes() {
				runs = append(runs, e.SearchRun(e.Search.Spec.From), e.SearchRun(e.Search.Spec.To))
			}
			for _, r := range runs {
				s := r.Settings
				if !(s.Alpha > 0) || !(s.Tolerance > 0 || s.RangeTo > 0) || s.MaxIterations < 1 {
					t.Errorf("run %s has invalid settings %+v", r.ID, s)
				}
			}
		}
	})
}

// FuzzSweep declares a range sweep of any sweepable field from fuzzed ends,
// count and scale, and checks that it is either refused with positions or
// expands to exactly count runs whose values are valid for the field,
// distinct, in order, and between the ends.
func FuzzSweep(f *testing.F) {
	f.Add(uint8(0), 0.01, 0.33, uint16(33), false)
	f.Add(uint8(1), -1.0, 1.0, uint16(5), false)
	f.Add(uint8(3), 10.0, 1000.0, uint16(3), true)
	f.Add(uint8(0), 1e-4, 1.0, uint16(9), true)
	f.Add(uint8(4), 3.0, 3.0, uint16(1), false)
	f.Fuzz(func(t *testing.T, field uint8, from, to float64, count uint16, log bool) {
		name := sweepable[int(field)%len(sweepable)]
		scale := "linear"
		if log {
			scale = "log"
		}
		doc := fmt.Sprintf("name: f\ndata: [{x: 0, y: 0}]\nweights: {w1: 1, b1: 0, w2: 1, b2: 0, w3: 1, w4: 1}\n"+
			"alpha: 0.1\ntolerance: 0.001\nsweep: {%s: {from: %s, to: %s, count: %d, scale: %s}}\n",
			name, strconv.FormatFloat(from, 'g', -1, 64), strconv.FormatFloat(to, 'g', -1, 64), count, scale)
		exps, errs := Parse("fuzz.yaml", []byte(doc))
		if errs != nil {
			for _, e := range errs {
				if e.Pos.Line < 1 || e.Pos.Column < 1 {
					t.Errorf("problem without a line and column: %v", e)
				}
			}
			return
		}
		e := exps[0]
		if e.RunCount() != int(count) {
			t.Fatalf("%s: %d runs, want %d", doc, e.RunCount(), count)
		}
		lo, hi := min(from, to), max(from, to)
		slack := 1e-11 * max(math.Abs(lo), math.Abs(hi))
		if name == "max_iterations" {
			slack = 0.5
		}
		var prev float64
		for i := range e.RunCount() {
			r := e.Run(i)
			v := r.Swept[0].Value
			if v < lo-slack || v > hi+slack {
				t.Errorf("%s: run %d: %v outside [%v, %v]", doc, i, v, lo, hi)
			}
			if i > 0 && (v == prev || (v > prev) != (to > from)) {
				t.Errorf("%s: run %d: %v after %v", doc, i, v, prev)
			}
			if problem := checkValue(name, v, FormatValue(v)); problem != "" {
				t.Errorf("%s: run %d: %s", doc, i, problem)
			}
			prev = v
		}
	})
}

// FuzzOverrides applies a fuzzed --set and --sweep to the experiments of
// a file and checks that each is either refused at its flag, or applied
// to experiments that are valid or refused with problems at the flags or
// in the file; and never a panic.
func FuzzOverrides(f *testing.F) {
	f.Add("alpha=0.2", "w1=1,2,3")
	f.Add("weights.b1=-1", "b3=log:0.1:10:5")
	f.Add("max_iterations=10", "alpha=0.01:1:13")
	f.Add("tolerance=1e-3", "max_iterations=1:2:2")
	f.Fuzz(func(t *testing.T, set, sweep string) {
		var overrides []Override
		for _, o := range []struct {
			parse func(flag, arg string) (Override, error)
			flag  string
			arg   string
		}{{ParseSet, "--set", set}, {ParseSweep, "--sweep", sweep}} {
			parsed, err := o.parse(o.flag, o.arg)
			if err != nil {
				var usage *UsageError
				if !errors.As(err, &usage) || len(usage.Problems) == 0 {
					t.Fatalf("%s %s: error %v, want a *UsageError", o.flag, o.arg, err)
				}
				for _, e := range usage.Problems {
					if e.Pos != (Position{File: o.flag + " " + o.arg}) {
						t.Errorf("%s %s: problem not at the flag: %v", o.flag, o.arg, e)
					}
				}
				continue
			}
			overrides = append(overrides, parsed)
		}
		if len(overrides) == 2 && overrides[0].Field == overrides[1].Field {
			return // refused by LoadWith, before any file is read
		}
		exps, errs := parse("fuzz.yaml", []byte(overridden), overrides)
		if (len(exps) == 0) == (len(errs) == 0) {
			t.Fatalf("%d experiments and %d problems", len(exps), len(errs))
		}
		for _, e := range errs {
			if !e.onCommandLine && (e.Pos.File != "fuzz.yaml" || e.Pos.Line < 1) {
				t.Errorf("problem neither at a flag nor in the file: %v", e)
			}
		}
		for _, e := range exps {
			if e.RunCount() < 1 || e.RunCount() > e.MaxRuns || len(e.Overrides) != len(overrides) {
				t.Errorf("invalid experiment accepted: %+v", e)
			}
			for i := range min(e.RunCount(), 100) {
				if r := e.Run(i); !(r.Settings.Alpha > 0) || !(r.Settings.Tolerance > 0) || r.Settings.MaxIterations < 1 {
					t.Errorf("run %s has invalid settings %+v", r.ID, r.Settings)
				}
			}
		}
	})
}
