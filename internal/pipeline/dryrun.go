package pipeline

import (
	"context"
	"slices"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/results"
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
			return nil, &InterruptedError{Runs: b.runs.Len()}
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
