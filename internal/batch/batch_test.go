package batch

import (
	"testing"

	"runner/internal/experiment"
	"runner/pkg/engine"
)

// article returns the article's experiment with the given pins; it
// converges after 10 iterations at b3 = 2.60891113725.
func article(pins ...experiment.Pin) *experiment.Experiment {
	return &experiment.Experiment{
		Name:     "article",
		Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
		Start:    engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30},
		Settings: engine.Settings{Alpha: 0.1, Tolerance: 0.001, MaxIterations: 1000},
		Expected: pins,
	}
}

func TestChecks(t *testing.T) {
	pins := []experiment.Pin{
		{Iteration: 1, Column: "predicted_2", Value: -1.6, Tolerance: 0.05},   // -1.609: holds
		{Iteration: 2, Column: "predicted_2", Value: -0.03, Tolerance: 0.005}, // -0.0435: fails
		{Iteration: 1, Column: "ssr", Value: 20.42, Tolerance: 0.005},         // 20.4236: holds
		{Iteration: 1, Column: "gradient_b3", Value: -15.66, Tolerance: 0.005},
		{Iteration: 2, Column: "next_b3", Value: 2.19, Tolerance: 0.005},
		{Iteration: 11, Column: "b3", Value: 2.61, Tolerance: 0.005}, // the run stops at 10
		{Column: "b3", Value: 2.61, Tolerance: 0.005},                // final
		{Column: "ssr", Value: 0, Tolerance: 1e-4},                   // final SSR 6.3e-05
	}
	want := []struct {
		reached, holds bool
	}{
		{true, true}, {true, false}, {true, true}, {true, true}, {true, true}, {false, false}, {true, true}, {true, true},
	}
	outcomes, err := Run([]*experiment.Experiment{article(pins...)})
	if err != nil {
		t.Fatal(err)
	}
	o := outcomes[0]
	if o.Result.Status != engine.Converged || o.Result.Iterations != 10 || len(o.Trace.Iterations) != 10 {
		t.Fatalf("run: %v after %d iterations, %d traced; want converged after 10", o.Result.Status, o.Result.Iterations, len(o.Trace.Iterations))
	}
	for i, c := range o.Checks {
		if c.Reached != want[i].reached || c.Holds != want[i].holds {
			t.Errorf("pin %d (iteration %d %s = %v): reached %v, holds %v (computed %v); want %v, %v",
				i, c.Pin.Iteration, c.Pin.Column, c.Pin.Value, c.Reached, c.Holds, c.Computed, want[i].reached, want[i].holds)
		}
	}
	if got := len(o.Failed()); got != 2 {
		t.Errorf("%d failed checks, want 2", got)
	}
	if c := o.Checks[3]; c.Computed != o.Trace.Iterations[0].Gradient {
		t.Errorf("gradient_b3 at iteration 1: computed %v, trace has %v", c.Computed, o.Trace.Iterations[0].Gradient)
	}
}

func TestRunKeepsOrderAndReportsEngineErrors(t *testing.T) {
	a, b := article(), article()
	b.Name = "second"
	b.Settings.Alpha = 0.05
	outcomes, err := Run([]*experiment.Experiment{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if outcomes[0].Experiment != a || outcomes[1].Experiment != b {
		t.Errorf("outcomes out of order")
	}
	bad := article()
	bad.Settings.Alpha = 0
	if _, err := Run([]*experiment.Experiment{bad}); err == nil {
		t.Errorf("Run accepted α = 0")
	}
}
