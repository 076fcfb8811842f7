package experiment

import (
	"path/filepath"
	"testing"

	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// TestSearches loads the searches of testdata/valid/with-search.yaml and
// checks what they decode to: their specs, with the scale each field
// takes by default and the experiment's max_runs as the budget unless the
// search sets one; their runs, probes made by SearchRun for edge and
// fastest searches, the one run of a range test otherwise.
func TestSearches(t *testing.T) {
	file := filepath.Join("testdata", "valid", "with-search.yaml")
	exps, err := Load([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		field string
		spec  search.Spec
		line  int
	}{
		{"alpha", search.Spec{Find: search.Edge, From: 0.001, To: 1, Scale: search.Log, MaxRuns: DefaultMaxRuns}, 8},
		{"alpha", search.Spec{Find: search.Fastest, From: 0.001, To: 1, Scale: search.Log, Width: 1, Precision: 1e-4, MaxRuns: 40}, 16},
		{"alpha", search.Spec{Find: search.LRRange, From: 1e-4, To: 10, Scale: search.Log, Iterations: 50}, 22},
		{"tolerance", search.Spec{Find: search.Edge, From: 1e-8, To: 1, Scale: search.Log, Width: 2, MaxRuns: 40}, 29},
		{"b3", search.Spec{Find: search.Edge, From: 2.6, To: 100, Precision: 1e-7, MaxRuns: DefaultMaxRuns}, 37},
	}
	if len(exps) != len(want) {
		t.Fatalf("%d experiments, want %d", len(exps), len(want))
	}
	for i, e := range exps {
		s := e.Search
		if s == nil || s.Field != want[i].field || s.Spec != want[i].spec || s.Pos.Line != want[i].line {
			t.Errorf("%s: search %+v, want %s %+v at line %d", e.Name, s, want[i].field, want[i].spec, want[i].line)
		}
	}

	edge := exps[0]
	if !edge.Probes() || edge.RunCount() != 0 || NewPlan(exps[:1]).Len() != 0 {
		t.Errorf("edge: probes %v, %d runs; want probes and no runs fixed in advance", edge.Probes(), edge.RunCount())
	}
	r := edge.SearchRun(0.331912055664)
	if r.ID != "edge/alpha=0.331912055664" || r.Settings.Alpha != 0.331912055664 || r.Settings.Tolerance != 0.001 || r.Start != edge.Start {
		t.Errorf("edge's probe: %s with %+v", r.ID, r.Settings)
	}
	if r := exps[3].SearchRun(1e-5); r.ID != "tolerance-edge/tolerance=1e-05" || r.Settings.Tolerance != 1e-5 || r.Settings.Alpha != 0.3319 {
		t.Errorf("tolerance-edge's probe: %s with %+v", r.ID, r.Settings)
	}
	if r := exps[4].SearchRun(5); r.ID != "b3-edge/b3_initial=5" || r.Start.B3 != 5 {
		t.Errorf("b3-edge's probe: %s from b3 = %v", r.ID, r.Start.B3)
	}

	rt := exps[2]
	if rt.Probes() || rt.RunCount() != 1 {
		t.Fatalf("range: probes %v, %d runs; want its one run", rt.Probes(), rt.RunCount())
	}
	run := rt.Run(0)
	if want := (engine.Settings{Alpha: 1e-4, RangeTo: 10, MaxIterations: 50}); run.ID != "range" || run.Settings != want {
		t.Errorf("range's run: %s with %+v, want range with %+v", run.ID, run.Settings, want)
	}
	test := search.NewRangeTest(run.Settings)
	if res, err := engine.Descend(run.Start, rt.Data, run.Settings, test.Observe); err != nil || res.Status != engine.Stopped {
		t.Errorf("range's run: %v, %v; want it stopped by the range test", res.Status, err)
	}
}
