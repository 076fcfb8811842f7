package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// dryRun says what runner run would do, for --dry-run: for each
// experiment its fixed fields once, then a line per run with the values
// it sets, after whether it is stored or would be computed (and why); then how many
// runs would be computed and what they could write, and, with --prune,
// what would be removed. A try (--set or --sweep without -o), which
// runs against no folder, would compute every run and write nothing.
func dryRun(ctx context.Context, w io.Writer, exps []*experiment.Experiment, o *pipeline.Options, try bool, term render.Terminal) error {
	p := render.NewPrinter(w)
	var current *experiment.Experiment
	plan, err := pipeline.DryRun(ctx, exps, o, func(v *pipeline.Verdict) error {
		r := v.Run
		if r.Experiment != current {
			current = r.Experiment
			p.Printf("%s\n", term.Wrap(fmt.Sprintf("%s (%v, %s%s): %s", current.Name, current.Pos, runsOf(current), tried(current), fixedFields(current))))
		}
		name := r.ID
		if rel, ok := strings.CutPrefix(r.ID, current.Name+"/"); ok {
			name = rel
		}
		switch {
		case try:
			p.Printf("  compute  %s\n", name)
		case v.Missing == results.NotMissing:
			p.Printf("  stored   %s\n", name)
		default:
			p.Printf("  compute  %s (%s)\n", name, whyCompute(v.Missing))
		}
		return p.Err()
	})
	if err != nil {
		return err
	}
	if try {
		p.Printf("%s\n", term.Wrap(fmt.Sprintf("%s to compute (at most %s); nothing was run, and a try of --set/--sweep values writes nothing: give -o DIR to keep its results",
			prose.Count(plan.Compute, "run"), pipeline.Bytes(plan.ComputeBytes))))
		return reportError(p.Err())
	}
	for _, id := range plan.StaleRuns {
		p.Printf("%s\n", term.Wrap(fmt.Sprintf("stale: %s%s", filepath.Join(o.Out, filepath.FromSlash(id)), pruneNote(o.Prune))))
	}
	for _, e := range plan.StaleExperiments {
		p.Printf("%s\n", term.Wrap(fmt.Sprintf("stale: %s (its experiment no longer exists)%s", filepath.Join(o.Out, e), pruneNote(o.Prune))))
	}
	p.Printf("%s\n", term.Wrap(fmt.Sprintf("%s: %s to compute%s (at most %s), %s stored and unchanged; nothing was run",
		prose.Count(plan.Estimate.Runs, "run"), prose.Thousands(plan.Compute), moreProbes(plan.MoreProbes), pipeline.Bytes(plan.ComputeBytes), prose.Thousands(plan.Stored))))
	return reportError(p.Err())
}

// runsOf says what runs an experiment makes: how many, or what it
// searches and its budget.
func runsOf(e *experiment.Experiment) string {
	if e.Search == nil {
		return prose.Count(e.RunCount(), "run")
	}
	f := experiment.FormatValue
	switch spec := e.Search.Spec; {
	case !e.Probes():
		return fmt.Sprintf("1 run: a range test of %s from %s to %s over %s", e.Search.Field, f(spec.From), f(spec.To), prose.Count(spec.RangeIterations(), "iteration"))
	default:
		return fmt.Sprintf("a search of %s (%v) from %s to %s, at most %s", e.Search.Field, spec.Find, f(spec.From), f(spec.To), prose.Count(results.MostRuns(e), "run"))
	}
}

// moreProbes says how many more probes searches may take than those
// listed, to follow the count of runs to compute, or "" if none.
func moreProbes(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and up to %s more as searches go on", prose.Thousands(n))
}

// tried lists the overrides an experiment is tried with, after a comma,
// or "" if it has none.
func tried(e *experiment.Experiment) string {
	if len(e.Overrides) == 0 {
		return ""
	}
	return ", " + strings.Join(e.OverrideStrings(), ", ")
}

// whyCompute says in a few words why a dry run would compute a run, so
// that its line fits beside the run's values.
func whyCompute(m results.Missing) string {
	switch m {
	case results.NotStored:
		return "not stored"
	case results.OtherInputs:
		return "inputs changed"
	case results.Damaged:
		return "stored files differ"
	case results.Forced:
		return "--force"
	}
	return m.String()
}

// pruneNote says what --prune would do with what is stale.
func pruneNote(prune bool) string {
	if prune {
		return ": would be removed (the runner's files in it)"
	}
	return ": --prune would remove it"
}

// fixedFields writes the fields an experiment's runs share, as its runs'
// inputs show them: those it does not sweep.
func fixedFields(e *experiment.Experiment) string {
	swept := map[string]bool{}
	for _, f := range e.SweptFields() {
		swept[f] = true
	}
	var r experiment.Run
	switch {
	case e.Probes():
		r = e.SearchRun(e.Search.Spec.From)
		swept[e.Search.Field] = true
	case e.Search != nil: // a range test, of α, which stops as its smoothed SSR grows
		r = e.Run(0)
		swept[e.Search.Field], swept["tolerance"] = true, true
	default:
		r = e.Run(0)
	}
	var parts []string
	add := func(field, value string) {
		if !swept[field] {
			parts = append(parts, field+" "+value)
		}
	}
	f := experiment.FormatValue
	add("alpha", f(r.Settings.Alpha))
	add("tolerance", f(r.Settings.Tolerance))
	add("max_iterations", fmt.Sprint(r.Settings.MaxIterations))
	add("b3", f(r.Start.B3))
	for _, w := range []struct {
		name string
		v    float64
	}{{"w1", r.Start.W1}, {"b1", r.Start.B1}, {"w2", r.Start.W2}, {"b2", r.Start.B2}, {"w3", r.Start.W3}, {"w4", r.Start.W4}} {
		add(w.name, f(w.v))
	}
	parts = append(parts, "train "+r.Settings.Trained().String(), prose.Count(len(e.Data), "data point"))
	return strings.Join(parts, ", ")
}
