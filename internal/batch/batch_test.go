package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"runner/internal/experiment"
	"runner/pkg/engine"
)

// article returns a run of the article's experiment with the given pins;
// it converges after 10 iterations at b3 = 2.60891113725.
func article(pins ...experiment.Pin) experiment.Run {
	e := &experiment.Experiment{
		Name:     "article",
		Data:     []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}},
		Start:    engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}},
		Settings: engine.Settings{Alpha: 0.1, Tolerance: 0.001, MaxIterations: 1000},
		Expected: pins,
	}
	return e.Run(0)
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
	o, err := Run(context.Background(), article(pins...))
	if err != nil {
		t.Fatal(err)
	}
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
	if c := o.Checks[3]; c.Computed != o.Trace.Iterations[0].Gradient[0] {
		t.Errorf("gradient_b3 at iteration 1: computed %v, trace has %v", c.Computed, o.Trace.Iterations[0].Gradient)
	}
}

// sweep is a sequence of n runs of the article with α = 0.001·(i+1).
type sweep int

func (s sweep) Len() int { return int(s) }
func (s sweep) Run(i int) experiment.Run {
	r := article()
	r.Settings.Alpha = 0.001 * float64(i+1)
	r.ID = fmt.Sprintf("article/alpha=%g", r.Settings.Alpha)
	return r
}

func TestExecuteRunsEachOnceWithItsIndex(t *testing.T) {
	for _, workers := range []int{1, 4} {
		var mu sync.Mutex
		seen := map[int]string{}
		err := Execute(context.Background(), sweep(50), workers, func(i int, o *Outcome) error {
			mu.Lock()
			defer mu.Unlock()
			if _, dup := seen[i]; dup {
				t.Errorf("run %d handled twice", i)
			}
			seen[i] = o.Run.ID
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			if want := sweep(50).Run(i).ID; seen[i] != want {
				t.Errorf("-j %d: run %d is %q, want %q", workers, i, seen[i], want)
			}
		}
	}
}

func TestExecuteStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	var mu sync.Mutex
	handled := 0
	err := Execute(context.Background(), sweep(1000), 2, func(i int, o *Outcome) error {
		mu.Lock()
		defer mu.Unlock()
		handled++
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if handled > 10 {
		t.Errorf("%d runs handled after the error, want it to stop", handled)
	}
}

func TestExecuteStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A run of 10⁶ iterations notices the cancellation within a few
	// thousand.
	long := article()
	long.Settings = engine.Settings{Alpha: 1e-9, Tolerance: 1e-12, MaxIterations: 1_000_000}
	_, err := Run(ctx, long)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run: error %v, want %v", err, context.Canceled)
	}
	err = Execute(ctx, sweep(100), 2, func(int, *Outcome) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Execute: error %v, want %v", err, context.Canceled)
	}
}

func TestShardsPartitionTheRuns(t *testing.T) {
	const total, n = 10, 4
	count := map[string]int{}
	for k := 1; k <= n; k++ {
		s := Shard{Runs: sweep(total), K: k, N: n}
		for i := range s.Len() {
			count[s.Run(i).ID]++
		}
	}
	if len(count) != total {
		t.Errorf("shards cover %d runs, want %d", len(count), total)
	}
	for id, c := range count {
		if c != 1 {
			t.Errorf("%s is in %d shards", id, c)
		}
	}
	if got := (Shard{Runs: sweep(2), K: 3, N: 4}).Len(); got != 0 {
		t.Errorf("shard 3/4 of 2 runs has %d runs, want 0", got)
	}
}
