package results_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/results"
)

// rangeTest is a learning-rate range test: one run whose α grows from
// `from` to `to`.
const rangeTest = articleData + b3Weights + "search:\n  alpha: {find: lr-range, from: 0.001, to: 1}\n"

// TestRangeTestInputs checks that a range test's inputs hold where its α
// ends: two tests that differ only there have other inputs, which a
// manifest holds and reads back, and the other runs' manifests do not
// change for it.
func TestRangeTestInputs(t *testing.T) {
	e := parseExperiment(t, "r", rangeTest)
	other := parseExperiment(t, "r", strings.Replace(rangeTest, "to: 1}", "to: 0.1}", 1))
	r, o := e.Run(0), other.Run(0)
	in, otherIn := results.InputsOf(&r, 12), results.InputsOf(&o, 12)
	if in.RangeTo != 1 || otherIn.RangeTo != 0.1 {
		t.Fatalf("range_to %v and %v, want 1 and 0.1", in.RangeTo, otherIn.RangeTo)
	}
	if in.Hash() == otherIn.Hash() {
		t.Error("range tests to 1 and to 0.1 have the same inputs")
	}
	if got := in.Settings(); got.Alpha != r.Settings.Alpha || got.RangeTo != r.Settings.RangeTo || got.MaxIterations != r.Settings.MaxIterations {
		t.Errorf("the inputs give the settings %+v, want the run's %+v", got, r.Settings)
	}
	m := &results.ExperimentManifest{Experiment: "r", Inputs: in, Files: []string{results.RecordsFile}, RunFiles: []string{results.TraceFile}}
	read := readBack(t, m)
	if read.Inputs.Hash() != in.Hash() || !bytes.Contains(m.Render(), []byte("\n  range_to: 1\n")) {
		t.Errorf("the manifest does not hold the range test's end:\n%s", m.Render())
	}
	plain := parseExperiment(t, "p", articleData+b3Weights+"alpha: 0.1\ntolerance: 0.001\n")
	p := plain.Run(0)
	pm := &results.ExperimentManifest{Experiment: "p", Inputs: results.InputsOf(&p, 12), Files: []string{results.RecordsFile}, RunFiles: []string{results.TraceFile}}
	if bytes.Contains(pm.Render(), []byte("range_to")) {
		t.Errorf("the manifest of a run that is no range test says range_to:\n%s", pm.Render())
	}
}

// TestRangeTestRecomputed runs a range test, then the same test to another
// α: the run is computed again, not reused.
func TestRangeTestRecomputed(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	runBatch(t, writeExperiment(t, dir, "r", rangeTest), out, nil)
	r := runBatch(t, writeExperiment(t, dir, "r", strings.Replace(rangeTest, "to: 1}", "to: 0.1}", 1)), out, nil)
	if r.Computed != 1 {
		t.Errorf("the range test to another α: %d runs computed, want 1", r.Computed)
	}
	if r := runBatch(t, writeExperiment(t, dir, "r", strings.Replace(rangeTest, "to: 1}", "to: 0.1}", 1)), out, nil); r.Reused != 1 {
		t.Errorf("the same test again: %d runs reused, want 1", r.Reused)
	}
}
