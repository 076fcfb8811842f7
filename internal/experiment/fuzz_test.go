package experiment

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that any input gives either experiments whose runs (as
// far as the first hundred) are valid, or problems that each carry a
// position in the file; and never a panic. It is seeded with the test files
// and the committed experiments.
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
			if e.Name == "" || len(e.Data) == 0 || e.RunCount() < 1 || e.RunCount() > e.MaxRuns {
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
