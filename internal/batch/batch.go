// Package batch runs experiments: each run's gradient descent, with every
// iteration passed to an observer (which writes the trace) and the
// published values it pins checked against what it computed; runs on a
// pool of workers, their results taken in order; and the shards of a
// batch.
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
	Checks []experiment.Check
}

// cancelCheckInterval is how many iterations a run goes between checks for
// cancellation.
const cancelCheckInterval = 1024

// Execute calls do for every run, on the given number of workers, with the
// run's index, and calls emit (if not nil) with each result in the order
// of the runs, one at a time. Runs are started in order, at most a window
// ahead of the first whose result is not emitted yet, so that results
// waiting to be emitted take bounded memory however many runs there are.
// do must be safe for concurrent use; emit is called from the workers,
// never two at once. Execute stops early when ctx is cancelled or do or
// emit fails, and returns the cause; no run starts once it is stopping.
//
// The workers take the runs and emit the results themselves, under one
// lock: no goroutine hands work to another, which on a sweep of short runs
// cost more than the runs.
func Execute[T any](ctx context.Context, runs Runs, workers int, do func(ctx context.Context, i int, r experiment.Run) (T, error), emit func(i int, v T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers = max(1, workers)
	e := &execution[T]{n: runs.Len(), window: 4*workers + 16, pending: map[int]T{}, emit: emit, cancel: cancel}
	e.turn = sync.NewCond(&e.mu)
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.turn.Broadcast()
	})
	defer stop()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i, ok := e.take(ctx)
				if !ok {
					return
				}
				v, err := do(ctx, i, runs.Run(i))
				if !e.done(i, v, err) {
					return
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// execution is the state of Execute, shared by its workers.
type execution[T any] struct {
	mu      sync.Mutex
	turn    *sync.Cond // signalled when a result is emitted, or the batch stops
	n       int
	window  int
	next    int // the next run to start
	emitted int // the runs emitted
	pending map[int]T
	emit    func(i int, v T) error
	cancel  context.CancelCauseFunc
	failed  bool
}

// take returns the next run to start, waiting while the window is full,
// or false if there is none or the batch is stopping.
func (e *execution[T]) take(ctx context.Context) (int, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for e.next < e.n && e.next-e.emitted >= e.window && !e.failed && ctx.Err() == nil {
		e.turn.Wait()
	}
	if e.next >= e.n || e.failed || ctx.Err() != nil {
		return 0, false
	}
	e.next++
	return e.next - 1, true
}

// done takes run i's result and emits every result now in order. It
// returns false if the batch is stopping.
func (e *execution[T]) done(i int, v T, err error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil || e.failed {
		e.stop(err)
		return false
	}
	e.pending[i] = v
	for {
		v, ok := e.pending[e.emitted]
		if !ok {
			return true
		}
		delete(e.pending, e.emitted)
		if e.emit != nil {
			if err := e.emit(e.emitted, v); err != nil {
				e.stop(err)
				return false
			}
		}
		e.emitted++
		e.turn.Broadcast()
	}
}

// stop stops the batch with err, if it is not stopped already.
func (e *execution[T]) stop(err error) {
	if !e.failed && err != nil {
		e.failed = true
		e.cancel(err)
	}
	e.turn.Broadcast()
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
func (w *pinWatch) checks(res *engine.Result) []experiment.Check {
	checks := make([]experiment.Check, len(w.pins))
	for i, pin := range w.pins {
		computed, reached := w.values[i], w.reached[i]
		if pin.Final() {
			computed, reached = finalValue(pin, res)
		}
		checks[i] = pin.Check(computed, reached)
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

// Shard is the K-th (from 1) of N interleaved slices of a batch's runs:
// runs K-1, K-1+N, K-1+2N and so on. Interleaving spreads runs of similar
// cost (such as neighbouring learning rates) over the shards. The zero
// Shard is the whole batch.
type Shard struct{ K, N int }

// Whole reports whether the shard is the whole batch.
func (s Shard) Whole() bool {
	return s.N == 0
}

// Contains reports whether the shard holds run i (from 0).
func (s Shard) Contains(i int) bool {
	return s.Whole() || i%s.N == s.K-1
}

// Count returns how many of the runs of indices [start, end) the shard
// holds.
func (s Shard) Count(start, end int) int {
	if s.Whole() {
		return end - start
	}
	first := start + ((s.K-1-start)%s.N+s.N)%s.N // the first index ≥ start that is K-1 mod N
	if first >= end {
		return 0
	}
	return (end-1-first)/s.N + 1
}

// Index returns the index in the batch of the shard's run i (from 0).
func (s Shard) Index(i int) int {
	if s.Whole() {
		return i
	}
	return s.K - 1 + i*s.N
}

// String writes the shard as --shard takes it: "2/8".
func (s Shard) String() string {
	if s.Whole() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Of returns the shard's runs of a batch.
func (s Shard) Of(runs Runs) Runs {
	if s.Whole() {
		return runs
	}
	return shardRuns{runs, s}
}

// shardRuns are the runs of one shard of a batch.
type shardRuns struct {
	runs Runs
	s    Shard
}

func (r shardRuns) Len() int                 { return r.s.Count(0, r.runs.Len()) }
func (r shardRuns) Run(i int) experiment.Run { return r.runs.Run(r.s.Index(i)) }
