// Package batch runs experiments: each run's gradient descent on a pool of
// workers, with its trace kept and the published values it pins checked
// against what it computed.
package batch

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// Runs is a sequence of runs, made on demand so that a large sweep takes no
// memory until it runs. An experiment.Plan is one.
type Runs interface {
	Len() int
	Run(i int) experiment.Run
}

// Outcome is what one run produced: how it ended, and its published
// values checked. Observers given to Run see every iteration as it is
// computed; the outcome keeps none, so that memory does not grow with the
// length of a run.
type Outcome struct {
	Run    experiment.Run
	Result engine.Result
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

// Execute calls do for every run, on the given number of workers, with the
// run's index, and calls emit with each result in the order of the runs,
// from the calling goroutine. Runs are started in order, at most window
// ahead of the first whose result is not emitted yet, so that results
// waiting to be emitted take bounded memory however many runs there are.
// do must be safe for concurrent use. Execute stops early when ctx is
// cancelled or do or emit fails, and returns the cause; no run starts once
// it is stopping.
func Execute[T any](ctx context.Context, runs Runs, workers int, do func(ctx context.Context, i int, r experiment.Run) (T, error), emit func(i int, v T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers = max(1, workers)
	window := 4*workers + 16
	type result struct {
		i int
		v T
	}
	next := make(chan int)
	results := make(chan result, window)
	tokens := make(chan struct{}, window) // one per run started and not yet emitted
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					return
				}
				v, err := do(ctx, i, runs.Run(i))
				if err != nil {
					cancel(err)
					return
				}
				results <- result{i, v}
			}
		})
	}
	go func() {
		defer close(next)
		for i := range runs.Len() {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := make(map[int]T, window)
	emitted := 0
	for r := range results {
		if ctx.Err() != nil {
			continue // drain, so that workers finish
		}
		pending[r.i] = r.v
		for {
			v, ok := pending[emitted]
			if !ok {
				break
			}
			delete(pending, emitted)
			if emit != nil {
				if err := emit(emitted, v); err != nil {
					cancel(err)
					break
				}
			}
			emitted++
			<-tokens
		}
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// Run runs one run, passing every iteration to observe (if not nil) as it
// is computed, and checks the run's pinned values. It stops early, with
// ctx's error, if ctx is cancelled, and with observe's error if observe
// fails.
func Run(ctx context.Context, r experiment.Run, observe func(*engine.Iteration) error) (Outcome, error) {
	o := Outcome{Run: r}
	pins := newPinWatch(r.Experiment.Expected, r.Settings.Trained(), len(r.Experiment.Data))
	var err error
	o.Result, err = engine.Descend(r.Start, r.Experiment.Data, r.Settings, func(it *engine.Iteration) error {
		if it.N%cancelCheckInterval == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		pins.watch(it)
		if observe != nil {
			return observe(it)
		}
		return nil
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("%s: %w", r.ID, err)
	}
	o.Checks = pins.checks(&o.Result)
	return o, nil
}

// pinWatch notes the computed values that pinned published values refer
// to, as the iterations go by.
type pinWatch struct {
	pins     []experiment.Pin
	columns  []int // each pin's index in the iteration's values, or -1 for a final value
	values   []float64
	reached  []bool
	pinnedAt map[int][]int // iteration → indices of the pins at it
	scratch  []float64
}

func newPinWatch(pins []experiment.Pin, train engine.ParamSet, points int) *pinWatch {
	w := &pinWatch{pins: pins, columns: make([]int, len(pins)), values: make([]float64, len(pins)),
		reached: make([]bool, len(pins)), pinnedAt: map[int][]int{}}
	cols := engine.Columns(train, points)
	for i, p := range pins {
		w.columns[i] = -1
		if !p.Final() {
			w.columns[i] = slices.Index(cols, p.Column)
			w.pinnedAt[p.Iteration] = append(w.pinnedAt[p.Iteration], i)
		}
	}
	return w
}

func (w *pinWatch) watch(it *engine.Iteration) {
	at, ok := w.pinnedAt[it.N]
	if !ok {
		return
	}
	w.scratch = it.AppendValues(w.scratch[:0])
	for _, i := range at {
		if c := w.columns[i]; c >= 0 {
			w.values[i], w.reached[i] = w.scratch[c], true
		}
	}
}

// checks compares each pinned value with the computed one, once the run
// has ended.
func (w *pinWatch) checks(res *engine.Result) []Check {
	checks := make([]Check, len(w.pins))
	for i, pin := range w.pins {
		c := Check{Pin: pin, Computed: w.values[i], Reached: w.reached[i]}
		if pin.Final() {
			c.Computed, c.Reached = finalValue(pin, res)
		}
		c.Holds = c.Reached && pin.Holds(c.Computed)
		checks[i] = c
	}
	return checks
}

// finalValue returns the final value a pin refers to.
func finalValue(pin experiment.Pin, res *engine.Result) (float64, bool) {
	if pin.Column == "ssr" {
		return res.FinalSSR, true
	}
	p, ok := engine.ParseParam(pin.Column)
	return res.Final.Get(p), ok
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
