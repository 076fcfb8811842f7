package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	failed := 0
	for i, c := range o.Checks {
		if c.Reached != want[i].reached || c.Holds != want[i].holds {
			t.Errorf("pin %d (iteration %d %s = %v): reached %v, holds %v (computed %v); want %v, %v",
				i, pins[i].Iteration, pins[i].Column, pins[i].Value, c.Reached, c.Holds, c.Computed, want[i].reached, want[i].holds)
		}
		if !c.Holds {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d failed checks, want 2", failed)
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

// TestExecuteEmitsEachRunOnceInOrder runs a sweep whose runs take
// different times on several workers: every run is done once, and results
// are emitted in run order, one at a time, never more than the window
// ahead of the oldest run not yet emitted.
func TestExecuteEmitsEachRunOnceInOrder(t *testing.T) {
	const n = 300
	for _, workers := range []int{1, 4} {
		var mu sync.Mutex
		done := map[int]bool{}
		running, most := 0, 0
		emitted := 0
		err := Execute(context.Background(), sweep(n), workers, func(_ context.Context, i int, r experiment.Run) (string, error) {
			mu.Lock()
			if done[i] {
				t.Errorf("run %d done twice", i)
			}
			done[i] = true
			running++
			most = max(most, i-emitted)
			mu.Unlock()
			if i%7 == 0 {
				time.Sleep(time.Millisecond) // finish out of order
			}
			mu.Lock()
			running--
			mu.Unlock()
			return r.ID, nil
		}, func(i int, id string) error {
			mu.Lock()
			defer mu.Unlock()
			if i != emitted {
				t.Errorf("-j %d: emitted run %d after %d runs", workers, i, emitted)
				return errors.New("out of order")
			}
			if want := sweep(n).Run(i).ID; id != want {
				t.Errorf("-j %d: run %d is %q, want %q", workers, i, id, want)
			}
			emitted++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if emitted != n || len(done) != n {
			t.Errorf("-j %d: %d runs done, %d emitted; want %d", workers, len(done), emitted, n)
		}
		if window := 4*workers + 16; most >= window {
			t.Errorf("-j %d: a run started %d runs ahead of the oldest not emitted, want fewer than %d", workers, most, window)
		}
	}
}

// TestExecuteStopsAtTheFirstError fails run 3 of 1000: the batch stops,
// with that error. Runs already started may finish, but none starts more
// than the window ahead of the last run emitted, which the failed run
// holds back: however the scheduler interleaves the workers (runs 1000
// times under -race in CI's history), at most 3 + the window runs start.
func TestExecuteStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	const workers = 2
	var started atomic.Int32
	err := Execute(context.Background(), sweep(1000), workers, func(_ context.Context, i int, _ experiment.Run) (int, error) {
		started.Add(1)
		if i == 3 {
			return 0, boom
		}
		return i, nil
	}, nil)
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if window := 4*workers + 16; started.Load() > int32(3+window) {
		t.Errorf("%d runs started, want at most %d", started.Load(), 3+window)
	}
}

// TestExecuteStopsWhenEmitFails: a failure to emit (such as a full disk
// while writing the summary) stops the batch too.
func TestExecuteStopsWhenEmitFails(t *testing.T) {
	full := errors.New("disk full")
	done := 0
	var mu sync.Mutex
	err := Execute(context.Background(), sweep(1000), 2, func(_ context.Context, i int, _ experiment.Run) (int, error) {
		mu.Lock()
		done++
		mu.Unlock()
		return i, nil
	}, func(i int, _ int) error {
		if i == 5 {
			return full
		}
		return nil
	})
	if !errors.Is(err, full) {
		t.Errorf("error %v, want %v", err, full)
	}
	if window := 4*2 + 16; done > 5+window+2 {
		t.Errorf("%d runs done, want the batch to stop within the window (%d) of the failure", done, window)
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
	err = Execute(ctx, sweep(100), 2, func(context.Context, int, experiment.Run) (int, error) { return 0, nil }, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Execute: error %v, want %v", err, context.Canceled)
	}
}

// TestShardsPartitionTheRuns cuts batches of every size into shards:
// every run is in exactly one shard, and each shard's count, membership
// and indices agree.
func TestShardsPartitionTheRuns(t *testing.T) {
	for total := range 12 {
		for n := 1; n <= 5; n++ {
			count := map[string]int{}
			for k := 1; k <= n; k++ {
				s := Shard{K: k, N: n}
				runs := s.Of(sweep(total))
				if runs.Len() != s.Count(0, total) {
					t.Errorf("shard %v of %d runs: %d runs, Count says %d", s, total, runs.Len(), s.Count(0, total))
				}
				for i := range runs.Len() {
					count[runs.Run(i).ID]++
					if !s.Contains(s.Index(i)) {
						t.Errorf("shard %v: its run %d (run %d of the batch) is not in it", s, i, s.Index(i))
					}
				}
				for start := 0; start <= total; start++ {
					want := 0
					for i := start; i < total; i++ {
						if s.Contains(i) {
							want++
						}
					}
					if got := s.Count(start, total); got != want {
						t.Errorf("shard %v: Count(%d, %d) = %d, want %d", s, start, total, got, want)
					}
				}
			}
			if len(count) != total {
				t.Errorf("%d runs in %d shards: the shards cover %d", total, n, len(count))
			}
			for id, c := range count {
				if c != 1 {
					t.Errorf("%d runs in %d shards: %s is in %d shards", total, n, id, c)
				}
			}
		}
	}
}
