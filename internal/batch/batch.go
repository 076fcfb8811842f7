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

// KeptIterations is how many of its first and of its last iterations an
// Outcome keeps: enough for a table of the run.
const KeptIterations = 10

// Outcome is what one run produced. It keeps the first and last
// iterations, not the whole trace, so that memory does not grow with the
// length of a run: observers given to Run see every iteration as it is
// computed.
type Outcome struct {
	Run    experiment.Run
	Result engine.Result
	// First holds the first KeptIterations iterations (or all, if fewer),
	// and Last the last KeptIterations, in order; they overlap when the
	// run is short.
	First, Last []engine.Iteration
	// Checks holds one entry per pinned value, in the order pinned.
	Checks []Check
}

// Iterations returns the kept iterations in order, each once: all of a run
// of at most 2·KeptIterations, else the first and the last.
func (o *Outcome) Iterations() []engine.Iteration {
	its := slices.Clone(o.First)
	for _, it := range o.Last {
		if it.N > its[len(its)-1].N {
			its = append(its, it)
		}
	}
	return its
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
// run's index. The order of calls varies, the index does not; do must be
// safe for concurrent use. Execute stops early when ctx is cancelled or do
// fails, and returns the cause.
func Execute(ctx context.Context, runs Runs, workers int, do func(ctx context.Context, i int, r experiment.Run) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				if err := do(ctx, i, runs.Run(i)); err != nil {
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

// Run runs one run, passing every iteration to observe (if not nil) as it
// is computed, and checks the run's pinned values. It stops early, with
// ctx's error, if ctx is cancelled, and with observe's error if observe
// fails.
func Run(ctx context.Context, r experiment.Run, observe func(*engine.Iteration) error) (Outcome, error) {
	o := Outcome{Run: r}
	k := newKeeper()
	pins := newPinWatch(r.Experiment.Expected, r.Settings.Trained(), len(r.Experiment.Data))
	var err error
	o.Result, err = engine.Descend(r.Start, r.Experiment.Data, r.Settings, func(it *engine.Iteration) error {
		if it.N%cancelCheckInterval == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		k.keep(it)
		pins.watch(it)
		if observe != nil {
			return observe(it)
		}
		return nil
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("%s: %w", r.ID, err)
	}
	o.First, o.Last = k.first, k.last()
	o.Checks = pins.checks(&o.Result)
	return o, nil
}

// keeper keeps the first and last KeptIterations iterations of a run, the
// last in a ring, copying into storage it reuses.
type keeper struct {
	first []engine.Iteration
	ring  []engine.Iteration
	seen  int
}

func newKeeper() *keeper {
	return &keeper{
		first: make([]engine.Iteration, 0, KeptIterations),
		ring:  make([]engine.Iteration, KeptIterations),
	}
}

func (k *keeper) keep(it *engine.Iteration) {
	if len(k.first) < KeptIterations {
		k.first = k.first[:len(k.first)+1]
		it.CopyTo(&k.first[len(k.first)-1])
	}
	it.CopyTo(&k.ring[k.seen%KeptIterations])
	k.seen++
}

// last returns the last iterations kept, in order.
func (k *keeper) last() []engine.Iteration {
	n := min(k.seen, KeptIterations)
	last := make([]engine.Iteration, 0, n)
	for i := k.seen - n; i < k.seen; i++ {
		last = append(last, k.ring[i%KeptIterations])
	}
	return last
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
