// Package batch runs experiments: each run's gradient descent on a pool of
// workers, with its trace kept and the published values it pins checked
// against what it computed.
package batch

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"runner/internal/experiment"
	"runner/pkg/engine"
)

// Runs is a sequence of runs, made on demand so that a large sweep takes no
// memory until it runs. An experiment.Plan is one.
type Runs interface {
	Len() int
	Run(i int) experiment.Run
}

// Outcome is what one run produced.
type Outcome struct {
	Run    experiment.Run
	Result engine.Result
	Trace  engine.Trace
	// Checks holds one entry per pinned value, in the order pinned.
	Checks []Check
}

// Check is a published value compared with the computed one.
type Check struct {
	Pin experiment.Pin
	// Reached is false if the run stopped before the pinned iteration; then
	// there is no Computed value and the check fails.
	Reached  bool
	Computed float64
	Holds    bool
}

// cancelCheckInterval is how many iterations a run goes between checks for
// cancellation.
const cancelCheckInterval = 1024

// Execute runs every run on the given number of workers and passes each
// outcome, with the run's index, to handle. It calls handle from the worker
// that ran the run, so handle must be safe for concurrent use; the order of
// calls varies, the index does not. Execute stops early when ctx is
// cancelled or handle fails, and returns the cause.
func Execute(ctx context.Context, runs Runs, workers int, handle func(i int, o *Outcome) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				o, err := Run(ctx, runs.Run(i))
				if err == nil {
					err = handle(i, &o)
				}
				if err != nil {
					cancel(err)
					return
				}
			}
		})
	}
feed:
	for i := range runs.Len() {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// Run runs one run and checks its pinned values. It stops early, with
// ctx's error, if ctx is cancelled.
func Run(ctx context.Context, r experiment.Run) (Outcome, error) {
	o := Outcome{Run: r}
	var err error
	o.Result, err = engine.Descend(r.Start, r.Experiment.Data, r.Settings, func(it *engine.Iteration) error {
		if it.N%cancelCheckInterval == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return o.Trace.Record(it)
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("%s: %w", r.ID, err)
	}
	o.Checks = make([]Check, len(r.Experiment.Expected))
	for i, pin := range r.Experiment.Expected {
		o.Checks[i] = o.check(pin)
	}
	return o, nil
}

// check compares one pinned value with the run's.
func (o *Outcome) check(pin experiment.Pin) Check {
	c := Check{Pin: pin}
	c.Computed, c.Reached = o.value(pin)
	c.Holds = c.Reached && pin.Holds(c.Computed)
	return c
}

// value returns the computed value a pin refers to, if the run reached it.
func (o *Outcome) value(pin experiment.Pin) (float64, bool) {
	if pin.Final() {
		if pin.Column == "ssr" {
			return o.Result.FinalSSR, true
		}
		p, ok := engine.ParseParam(pin.Column)
		return o.Result.Final.Get(p), ok
	}
	if pin.Iteration > len(o.Trace.Iterations) {
		return 0, false
	}
	col := slices.Index(engine.Columns(o.Run.Settings.Trained(), len(o.Run.Experiment.Data)), pin.Column)
	if col < 0 {
		return 0, false
	}
	it := &o.Trace.Iterations[pin.Iteration-1]
	return it.AppendValues(nil)[col], true
}

// Failed returns the checks that do not hold.
func (o *Outcome) Failed() []Check {
	var failed []Check
	for _, c := range o.Checks {
		if !c.Holds {
			failed = append(failed, c)
		}
	}
	return failed
}

// Shard is the K-th of N slices of runs (K from 1): runs K-1, K-1+N,
// K-1+2N and so on. Interleaving spreads runs of similar cost (such as
// neighbouring learning rates) over the shards.
type Shard struct {
	Runs Runs
	K, N int
}

// Len returns the number of runs in the shard.
func (s Shard) Len() int {
	total := s.Runs.Len()
	if total < s.K {
		return 0
	}
	return (total-s.K)/s.N + 1
}

// Run returns run i (from 0) of the shard.
func (s Shard) Run(i int) experiment.Run {
	return s.Runs.Run(s.K - 1 + i*s.N)
}
