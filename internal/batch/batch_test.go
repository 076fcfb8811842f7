package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
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
	var trace engine.Trace
	o, err := Run(context.Background(), article(pins...), trace.Record)
	if err != nil {
		t.Fatal(err)
	}
	if o.Result.Status != engine.Converged || o.Result.Iterations != 10 || len(trace.Iterations) != 10 {
		t.Fatalf("run: %v after %d iterations, %d observed; want converged after 10", o.Result.Status, o.Result.Iterations, len(trace.Iterations))
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
	if c := o.Checks[3]; c.Computed != trace.Iterations[0].Gradient[0] {
		t.Errorf("gradient_b3 at iteration 1: computed %v, trace has %v", c.Computed, trace.Iterations[0].Gradient)
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
		err := Execute(context.Background(), sweep(50), workers, func(_ context.Context, i int, r experiment.Run) error {
			mu.Lock()
			defer mu.Unlock()
			if _, dup := seen[i]; dup {
				t.Errorf("run %d handled twice", i)
			}
			seen[i] = r.ID
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
	err := Execute(context.Background(), sweep(1000), 2, func(_ context.Context, i int, _ experiment.Run) error {
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

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A run of 10⁶ iterations notices the cancellation within a few
	// thousand.
	long := article()
	long.Settings = engine.Settings{Alpha: 1e-9, Tolerance: 1e-12, MaxIterations: 1_000_000}
	observed := 0
	_, err := Run(ctx, long, func(*engine.Iteration) error { observed++; return nil })
	if !errors.Is(err, context.Canceled) || observed > cancelCheckInterval {
		t.Errorf("Run: error %v after %d iterations, want %v within %d", err, observed, context.Canceled, cancelCheckInterval)
	}
	err = Execute(ctx, sweep(100), 2, func(context.Context, int, experiment.Run) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Execute: error %v, want %v", err, context.Canceled)
	}
}

// TestOutcomeKeepsTheEnds checks the iterations an outcome keeps against
// the whole trace, for runs shorter and longer than two tables' worth.
func TestOutcomeKeepsTheEnds(t *testing.T) {
	for _, n := range []int{1, 5, KeptIterations, 2*KeptIterations - 1, 2 * KeptIterations, 57} {
		r := article()
		r.Settings = engine.Settings{Alpha: 0.001, Tolerance: 1e-12, MaxIterations: n}
		var trace engine.Trace
		o, err := Run(context.Background(), r, trace.Record)
		if err != nil {
			t.Fatal(err)
		}
		var want []engine.Iteration
		for i, it := range trace.Iterations {
			if i < KeptIterations || i >= n-KeptIterations {
				want = append(want, it)
			}
		}
		got := o.Iterations()
		if len(got) != len(want) {
			t.Fatalf("%d iterations: kept %d, want %d", n, len(got), len(want))
		}
		for i := range want {
			if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
				t.Errorf("%d iterations: kept %+v, want %+v", n, got[i], want[i])
			}
		}
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
