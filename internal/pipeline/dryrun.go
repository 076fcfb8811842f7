package pipeline

import (
	"context"
	"errors"
	"slices"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/internal/search"
)

// Verdict says what a batch would do with one of its runs: reuse it, or
// compute it, and why.
type Verdict struct {
	Run *experiment.Run
	// Missing is why the run would be computed: results.NotMissing if it
	// is stored as it would be reused.
	Missing results.Missing
}

// Plan is what a batch would do, for --dry-run.
type Plan struct {
	Estimate Estimate
	// Compute runs would be computed, writing at most ComputeBytes; Stored
	// are stored and would be reused.
	Compute, Stored int
	ComputeBytes    int64
	// StaleRuns and StaleExperiments are what --prune would remove.
	StaleRuns, StaleExperiments []string
	// MoreProbes is the most probes searches could take beyond those
	// counted in Compute and Stored, from rounds whose values depend on
	// outcomes not yet known (results.MostRuns); ComputeBytes counts
	// their files too.
	MoreProbes int
}

// DryRun says what Run would do, writing nothing: each run's verdict, in
// order, to each, and what the batch would compute and prune.
func DryRun(ctx context.Context, exps []*experiment.Experiment, o *Options, each func(*Verdict) error) (*Plan, error) {
	estimate, err := Preflight(exps, o)
	if err != nil {
		return nil, err
	}
	store, err := results.Open(o.Out, results.Options{Mode: results.Compare, Runner: o.Runner})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	b := newBatch(store, exps, o, false)
	if err := b.begin(); err != nil {
		return nil, err
	}
	defer b.abort()
	plan := &Plan{Estimate: estimate}
	for i := range b.runs.Len() {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, b.interrupted()
		}
		r := b.runs.Run(i)
		w := b.byExp[r.Experiment].w
		v := Verdict{Run: &r, Missing: w.Why(&r)}
		if o.Force && v.Missing == results.NotMissing {
			v.Missing = results.Forced
		}
		if v.Missing == results.NotMissing {
			plan.Stored++
		} else {
			plan.Compute++
			_, bytes := runFiles(r.Experiment, o)
			plan.ComputeBytes += bytes
		}
		w.Made(r.ID)
		if err := each(&v); err != nil {
			return nil, err
		}
	}
	for j, x := range b.probing {
		if !b.ownsSearch(j) {
			continue // another shard's
		}
		if err := b.dryRunSearch(x, plan, each); err != nil {
			return nil, err
		}
	}
	for _, x := range b.writers {
		plan.StaleRuns = append(plan.StaleRuns, x.w.Stale()...)
	}
	for _, name := range store.Experiments() {
		if !slices.ContainsFunc(exps, func(e *experiment.Experiment) bool { return e.Name == name }) && b.gone(name) {
			plan.StaleExperiments = append(plan.StaleExperiments, name)
		}
	}
	return plan, nil
}

// dryRunSearch says what a search would do: it replays the search from
// its stored probes, as runSearch does, giving each probe's verdict, up to
// the first round with a probe not stored, whose probes would be
// computed; the rounds after it depend on their outcomes, and are counted
// in plan.MoreProbes up to the most runs the search may take.
func (b *batchRun) dryRunSearch(x *experimentRun, plan *Plan, each func(*Verdict) error) error {
	s, err := x.e.Search.Spec.Start(nil)
	if err != nil {
		return err
	}
	probed := 0
	for {
		values := s.Next()
		if len(values) == 0 {
			return nil // the search is done: every probe stored
		}
		probes := make([]search.Probe, len(values))
		complete := true
		for i, value := range values {
			stored, err := b.dryRunProbe(x, value, &probes[i], plan, each)
			if err != nil {
				return err
			}
			probed++
			complete = complete && stored
		}
		if !complete {
			more := max(results.MostRuns(x.e)-probed, 0)
			_, bytes := runFiles(x.e, b.o)
			plan.MoreProbes += more
			plan.ComputeBytes += int64(more) * bytes
			return nil
		}
		var failure *search.Failure
		if err := s.Record(probes); errors.As(err, &failure) {
			return nil // the search ends there, as runSearch says
		} else if err != nil {
			return err
		}
	}
}

// dryRunProbe gives the verdict of a search's probe of value, counts it in
// plan, and reports whether it is stored; if it is, probe is its outcome.
func (b *batchRun) dryRunProbe(x *experimentRun, value float64, probe *search.Probe, plan *Plan, each func(*Verdict) error) (bool, error) {
	r := x.e.SearchRun(value)
	st, why := x.w.Stored(&r)
	if why == results.NotMissing && b.o.Force {
		why = results.Forced
	}
	if err := each(&Verdict{Run: &r, Missing: why}); err != nil {
		return false, err
	}
	if why != results.NotMissing {
		plan.Compute++
		_, bytes := runFiles(x.e, b.o)
		plan.ComputeBytes += bytes
		return false, nil
	}
	plan.Stored++
	rate, err := storedRate(b.store.View(), st.Record)
	if err != nil {
		return false, err
	}
	*probe = search.Probe{Value: value, Status: st.Record.Outcome.Status, Iterations: st.Record.Outcome.Iterations, Rate: rate}
	return true, nil
}
