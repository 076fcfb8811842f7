package compare_test

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/cli"
	"github.com/descentlab/runner/internal/compare"
)

func TestTolerance(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	wide := compare.Tolerance{Abs: 1e300, Rel: 1e9}
	for _, tt := range []struct {
		tol   compare.Tolerance
		a, b  float64
		equal bool
	}{
		{compare.Tolerance{}, 1, 1, true},
		{compare.Tolerance{}, 1, math.Nextafter(1, 2), false},
		{compare.Tolerance{Abs: 0.1}, 1, 1.05, true},
		{compare.Tolerance{Rel: 0.01}, 100, 101, true},
		{compare.Tolerance{Rel: 0.01}, 100, 102, false},
		{wide, inf, inf, true},
		{wide, inf, -inf, false},
		{wide, inf, 1e308, false},
		{wide, 1, inf, false},
		{wide, nan, nan, true},
		{wide, nan, 1, false},
		{wide, nan, inf, false},
	} {
		if got := tt.tol.Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("%+v.Equal(%v, %v) = %v, want %v", tt.tol, tt.a, tt.b, got, tt.equal)
		}
	}
}

// experiments writes an experiment file and returns its path.
func experiments(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, "exp.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const base = `name: lr
data: [{x: 0, y: 0}, {x: 0.5, y: 1}, {x: 1, y: 0}]
weights: {w1: 3.34, b1: -1.43, w2: -3.53, b2: 0.57, w3: -1.22, w4: -2.30}
tolerance: 0.001
`

// TestFolders compares results written by the runner before and after a
// change of a data point, of the tolerance of one run, and of the values
// swept: the inputs that changed are told apart from the outcomes, and the
// trace's first and largest differences are found.
func TestFolders(t *testing.T) {
	dir := t.TempDir()
	old, new := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	run := func(out, content string) {
		t.Helper()
		if status := cli.Main([]string{"run", "-o", out, experiments(t, dir, content)}, io.Discard, io.Discard); status != 0 {
			t.Fatalf("runner run: status %d", status)
		}
	}
	run(old, base+"sweep: {alpha: [0.1, 0.2, 0.3]}\n")
	run(new, strings.Replace(base, "{x: 1, y: 0}]", "{x: 1, y: 0.1}]", 1)+"sweep: {alpha: [0.1, 0.3, 0.4]}\n")
	r, err := compare.Folders(context.Background(), compare.Source{Name: "old", FS: os.DirFS(old)}, compare.Source{Name: "new", FS: os.DirFS(new)}, compare.Tolerance{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Added) != 1 || r.Added[0].ID != "lr/alpha=0.4" || len(r.Removed) != 1 || r.Removed[0].ID != "lr/alpha=0.2" || len(r.Changed) != 2 || len(r.Unchanged) != 0 {
		t.Fatalf("report: %+v", r)
	}
	c := r.Changed[0]
	if c.Run != "lr/alpha=0.1" || len(c.Inputs) != 1 || c.Inputs[0].Field != "data[3].y" || c.Inputs[0].Old != "0" || c.Inputs[0].New != "0.1" {
		t.Errorf("inputs of %s: %+v", c.Run, c.Inputs)
	}
	var outcomes []string
	for _, v := range c.Outcome {
		outcomes = append(outcomes, v.Field)
	}
	if got := strings.Join(outcomes, " "); got != "b3_final ssr_final" {
		t.Errorf("outcomes of %s: %s", c.Run, got)
	}
	if tr := c.Trace; tr == nil || tr.First == nil || tr.First.Iteration != 1 || tr.First.Column != "ssr" || tr.LargestAbs == nil || tr.OldRows != 10 || tr.NewRows != 10 {
		t.Errorf("trace of %s: %+v", c.Run, c.Trace)
	}
	// At a wide enough tolerance, the outcomes and traces of the changed
	// runs are equal, but their inputs still differ: inputs compare
	// exactly, whatever the tolerance.
	r, err = compare.Folders(context.Background(), compare.Source{Name: "old", FS: os.DirFS(old)}, compare.Source{Name: "new", FS: os.DirFS(new)}, compare.Tolerance{Abs: 1, Rel: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changed) != 2 || len(r.Unchanged) != 0 {
		t.Fatalf("with a tolerance of 1: %d changed, %d unchanged; want 2 and 0", len(r.Changed), len(r.Unchanged))
	}
	for _, c := range r.Changed {
		if len(c.Inputs) != 1 || c.Inputs[0].Field != "data[3].y" || len(c.Outcome) != 0 || c.Trace != nil {
			t.Errorf("with a tolerance of 1, %s: inputs %+v, outcome %+v, trace %+v; want the input alone", c.Run, c.Inputs, c.Outcome, c.Trace)
		}
	}
}

// TestFilesWhateverTheTolerance compares a run before and after a change
// of its tolerance, at a tolerance wide enough for every number: its
// trace has other rows, a change no tolerance hides, so its tables and
// pictures, which differ too, are listed. A tolerance hides the files of
// a run only where the run is the same within it.
func TestFilesWhateverTheTolerance(t *testing.T) {
	dir := t.TempDir()
	old, new := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	for out, content := range map[string]string{old: base + "alpha: 0.1\n", new: strings.Replace(base, "tolerance: 0.001", "tolerance: 0.0001", 1) + "alpha: 0.1\n"} {
		if status := cli.Main([]string{"run", "-o", out, experiments(t, dir, content)}, io.Discard, io.Discard); status != 0 {
			t.Fatalf("runner run: status %d", status)
		}
	}
	wide := compare.Tolerance{Abs: 1e300, Rel: 1e9}
	r, err := compare.Folders(context.Background(), compare.Source{Name: "old", FS: os.DirFS(old)}, compare.Source{Name: "new", FS: os.DirFS(new)}, wide)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Changed) != 1 {
		t.Fatalf("%d runs changed, want 1", len(r.Changed))
	}
	c := r.Changed[0]
	if len(c.Inputs) != 1 || c.Inputs[0].Field != "tolerance" || len(c.Outcome) != 0 {
		t.Errorf("inputs %+v, outcome %+v; want the tolerance alone", c.Inputs, c.Outcome)
	}
	if !slices.Contains(c.Files, "iterations.md") {
		t.Errorf("files %v, want iterations.md among them", c.Files)
	}
}

// TestFilesHiddenOnlyWithinTheTolerance compares a run with a copy whose
// trace and table were edited (as another version of the code could
// write them, the inputs the same): at a tolerance the trace's change is
// within, the table's is taken for it and not listed; at one it is beyond,
// the table is listed too. Both files are named as damaged, not being what
// their records say.
func TestFilesHiddenOnlyWithinTheTolerance(t *testing.T) {
	dir := t.TempDir()
	old, new := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	if status := cli.Main([]string{"run", "-o", old, experiments(t, dir, base+"alpha: 0.1\n")}, io.Discard, io.Discard); status != 0 {
		t.Fatalf("runner run: status %d", status)
	}
	if err := os.CopyFS(new, os.DirFS(old)); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(new, "lr", "trace.csv")
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "\n1,0,", "\n1,1e-9,", 1) // iteration 1's b3, 0 → 1e-9
	if edited == string(data) {
		t.Fatal("no row of iteration 1 starting at b3 = 0 to edit")
	}
	if err := os.WriteFile(trace, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(new, "lr", "iterations.md")
	if err := os.WriteFile(table, []byte("an edited table\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tol    compare.Tolerance
		listed bool
	}{{compare.Tolerance{Abs: 1e-6}, false}, {compare.Tolerance{Abs: 1e-12}, true}} {
		r, err := compare.Folders(context.Background(), compare.Source{Name: "old", FS: os.DirFS(old)}, compare.Source{Name: "new", FS: os.DirFS(new)}, c.tol)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Changed) != 1 {
			t.Fatalf("at %+v: %d runs changed, want 1", c.tol, len(r.Changed))
		}
		ch := r.Changed[0]
		if got := slices.Contains(ch.Files, "iterations.md"); got != c.listed {
			t.Errorf("at %+v: iterations.md listed %v, want %v (files %v, trace %+v)", c.tol, got, c.listed, ch.Files, ch.Trace)
		}
		if (ch.Trace != nil) != c.listed {
			t.Errorf("at %+v: trace change %+v", c.tol, ch.Trace)
		}
		if len(ch.Damaged) != 2 {
			t.Errorf("at %+v: damaged %v, want the trace and the table", c.tol, ch.Damaged)
		}
	}
}
