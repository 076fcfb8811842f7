package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const runUsage = `Usage: runner run [flags] [PATH ...]

Run the experiments in PATHs (files, or folders whose *.yaml and *.yml
files are read in name order; default experiments/) and write their
results under DIR (default results/): a folder per experiment, named after
it, holding a folder per run (for a sweep, named by the values it sets, as
in lr-sweep/alpha=0.05), with the run's trace.csv and run.yaml (its inputs,
outcome and files), and for experiments of at most 50 runs its tables and
pictures; the experiment's summary.csv and sweep.svg; and at the top
summary.csv, summary.md and README.md, rebuilt from every experiment
folder there. Running some experiments changes only their folders.

A run stored with the same inputs, method and intact files is not computed
again (--force computes it anyway): a rerun with nothing changed writes
nothing, and a batch that was stopped continues where it stopped.

Stored runs that the experiments no longer make, and folders of
experiments not among the PATHs, are reported; --prune removes them (the
runner's files only). --check computes everything, writes nothing, and
exits 1 if any file would change or anything is stale.

Before anything runs, every experiment file is checked (every problem is
reported, and nothing is run or written: exit 2), and so is what the batch
could cost: trace rows, data points, iterations and bytes, each against a
limit that a flag raises.
`

// runOptions are the flags of runner run.
type runOptions struct {
	pipeline.Options
	shards   int
	dryRun   bool
	failOn   statusFlag
	shard    shardFlag
	pictures pictureFlags
	terminal terminalFlags
}

// parseRun parses the flags and paths of runner run, and loads the
// experiments.
func parseRun(stdout io.Writer, args []string) (*runOptions, []*experiment.Experiment, error) {
	o := &runOptions{failOn: statusFlag{}}
	fs := newFlagSet("run", runUsage)
	fs.StringVar(&o.Out, "o", DefaultResults, "write results under `DIR`")
	fs.IntVar(&o.Workers, "j", 0, "run `N` runs at a time (default: one per CPU)")
	fs.IntVar(&o.CSVDigits, "csv-digits", results.DefaultCSVDigits, "write results in CSV files with `N` significant digits (1 to 17), unless an experiment sets csv_digits")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list the runs, with their values, and what they could cost, without running them")
	fs.BoolVar(&o.Check, "check", false, "write nothing; exit 1 listing the files that would change and what is stale")
	fs.BoolVar(&o.Prune, "prune", false, "remove stale runs, and the folders of experiments not among the PATHs (the runner's files in them)")
	fs.BoolVar(&o.Force, "force", false, "compute every run, even those stored with the same inputs")
	fs.Var(&o.shard, "shard", "run only the `K/N`-th of N interleaved slices of the runs and write no summary, then runner summarize; auto: the slice a Slurm job array or Kubernetes Indexed Job gives the task")
	fs.IntVar(&o.shards, "shards", 0, "with --shard auto in a Kubernetes Indexed Job: the number of shards, `N` (the Job's completions)")
	fs.Var(o.failOn, "fail-on", "exit 1 if any run ends with one of these `STATUSES` (diverged, max-iterations, comma-separated)")
	limitFlags(fs, &o.Limits)
	o.pictures.add(fs)
	o.terminal.add(fs)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return nil, nil, err
	}
	if o.Pictures, err = o.pictures.choice(); err != nil {
		return nil, nil, err
	}
	if err := resolveShard(&o.shard, o.shards, os.LookupEnv); err != nil {
		return nil, nil, err
	}
	o.Shard = o.shard.Shard
	switch {
	case o.Workers < 0:
		return nil, nil, usagef("-j: must be at least 1, or 0 for one per CPU; got %d", o.Workers)
	case o.CSVDigits < 1 || o.CSVDigits > experiment.MaxCSVDigits:
		return nil, nil, usagef("-csv-digits: must be between 1 and %d, got %d", experiment.MaxCSVDigits, o.CSVDigits)
	case o.Prune && (o.Check || o.Shard.N > 0):
		return nil, nil, usagef("-prune cannot go with -check or -shard: it needs every run, and writes")
	case o.Check && o.Shard.N > 0:
		return nil, nil, usagef("-check cannot go with -shard: it checks every run and the summaries")
	case o.Force && o.Check:
		return nil, nil, usagef("-force cannot go with -check: -check computes every run anyway")
	}
	if o.Workers == 0 {
		o.Workers = runtime.NumCPU()
	}
	if err := checkLimits(&o.Limits); err != nil {
		return nil, nil, err
	}
	if err := o.terminal.check(); err != nil {
		return nil, nil, err
	}
	exps, err := loadExperiments(paths)
	if err != nil {
		return nil, nil, err
	}
	o.Runner, o.FS = Version().Module, resultsFS
	o.Command = fmt.Sprintf("process %d (runner run -o %s)", os.Getpid(), o.Out)
	return o, exps, nil
}

// runCommand is runner run.
func runCommand(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	o, exps, err := parseRun(stdout, args)
	if err != nil {
		return err
	}
	if o.dryRun {
		return dryRun(ctx, stdout, exps, &o.Options)
	}
	bar := newProgress(stderr, pipeline.Count(exps, o.Shard))
	o.Progress = bar.set
	r, err := pipeline.Run(ctx, exps, &o.Options)
	bar.finish()
	if err != nil {
		return err
	}
	failures := errors.Join(failedChecks(r), failedStatuses(r, o.failOn))
	if o.Check {
		return errors.Join(checkResults(stdout, o.Out, r), failures)
	}
	term := o.terminal.of(stdout)
	for _, d := range r.Details {
		if err := render.Detail(stdout, d, term); err != nil {
			return err
		}
	}
	if o.Shard.N == 0 && r.Runs > 0 {
		if err := render.SummaryTerminal(stdout, r.Summary, term); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\n%s\n", doneLine(o.Out, r))
	if o.Shard.N > 0 {
		fmt.Fprintf(stdout, "shard %v of the runs; once every shard is done, run runner summarize with the same -o, flags and paths\n", &o.shard)
	}
	showStale(stdout, stderr, o.Out, r, o.Prune)
	return failures
}

// doneLine says what a batch did: how many runs it computed and reused,
// and how many files it wrote.
func doneLine(out string, r *pipeline.Report) string {
	runs := prose.Count(r.Runs, "run")
	switch {
	case r.Reused == 0:
		runs += ", all computed"
	case r.Computed == 0:
		runs += ", all unchanged"
	default:
		runs += fmt.Sprintf(", %d computed and %d unchanged", r.Computed, r.Reused)
	}
	written := "no file written"
	if r.Changed > 0 {
		written = prose.Count(r.Changed, "file") + " written"
	}
	return fmt.Sprintf("%s: %s; %s", out, runs, written)
}

// showStale reports what is stale, or what --prune removed and kept.
func showStale(stdout, stderr io.Writer, out string, r *pipeline.Report, prune bool) {
	for _, e := range r.StaleExperiments {
		fmt.Fprintf(stderr, "runner: %s: experiment not among the paths given; left as it is (--prune removes it)\n", filepath.Join(out, e))
	}
	for _, id := range r.StaleRuns {
		fmt.Fprintf(stderr, "runner: stale: %s holds a run that its experiment no longer makes; --prune removes it\n", filepath.Join(out, filepath.FromSlash(id)))
	}
	for _, e := range r.Unfinished {
		fmt.Fprintf(stderr, "runner: %s: its writing was interrupted; run its experiment again to finish it\n", filepath.Join(out, e))
	}
	for _, id := range r.Removed {
		fmt.Fprintf(stdout, "removed %s\n", filepath.Join(out, filepath.FromSlash(id)))
	}
	for _, k := range r.Kept {
		fmt.Fprintf(stderr, "runner: kept %s: the runner did not write it; remove it by hand if it is not wanted\n", filepath.Join(out, filepath.FromSlash(k)))
	}
}

// checkResults reports, for --check, the files that would change, what is
// stale and what killed writers left, as an error if there is any.
func checkResults(stdout io.Writer, out string, r *pipeline.Report) error {
	problems := len(r.ChangedFiles) + len(r.StaleRuns) + len(r.StaleExperiments) + len(r.Unfinished) + min(r.Temporary, 1)
	if problems == 0 {
		_, err := fmt.Fprintf(stdout, "%s under %s up to date\n", prose.Count(r.Files, "file"), out)
		return err
	}
	for _, f := range r.ChangedFiles {
		fmt.Fprintf(stdout, "would change: %s\n", filepath.Join(out, filepath.FromSlash(f)))
	}
	for _, id := range r.StaleRuns {
		fmt.Fprintf(stdout, "stale: %s\n", filepath.Join(out, filepath.FromSlash(id)))
	}
	for _, e := range r.StaleExperiments {
		fmt.Fprintf(stdout, "stale: %s (experiment not among the paths)\n", filepath.Join(out, e))
	}
	for _, e := range r.Unfinished {
		fmt.Fprintf(stdout, "unfinished: %s (its writing was interrupted)\n", filepath.Join(out, e))
	}
	if r.Temporary > 0 {
		fmt.Fprintf(stdout, "left over: %s in %s (the next runner run removes them)\n", prose.Count(r.Temporary, "temporary file"), filepath.Join(out, results.PrivateDir, "tmp"))
	}
	return fmt.Errorf("results under %s are not up to date: %s would change, %s stale; run runner run --prune with the same paths, and commit the results",
		out, prose.Count(len(r.ChangedFiles), "file"), prose.Count(len(r.StaleRuns)+len(r.StaleExperiments), "folder"))
}

// maxListed is the most runs an error message names.
const maxListed = 5

// failedChecks reports runs whose published values do not hold.
func failedChecks(r *pipeline.Report) error {
	var lines []string
	for _, f := range r.Failed {
		where := ""
		if f.Where != "" {
			where = " (see " + f.Where + ")"
		} else {
			where = " (see runner show " + f.Run + ")"
		}
		lines = append(lines, fmt.Sprintf("%s: %d of %d published values do not hold%s", f.Run, f.Failed, f.Pinned, where))
	}
	return listError(lines, "more runs have published values that do not hold")
}

// failedStatuses reports runs that ended with a status --fail-on names.
func failedStatuses(r *pipeline.Report, failOn statusFlag) error {
	var lines []string
	for _, s := range failStatuses {
		c := r.ByStatus[s.String()]
		if !failOn[s] || c == nil {
			continue
		}
		for _, id := range c.First {
			lines = append(lines, fmt.Sprintf("%s: %v (--fail-on %v)", id, s, s))
		}
		if c.N > len(c.First) {
			lines = append(lines, fmt.Sprintf("and %d more runs end %v", c.N-len(c.First), s))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return errors.New(strings.Join(lines, "\nrunner: "))
}

// listError joins lines as an error, naming at most maxListed of them.
func listError(lines []string, more string) error {
	if len(lines) == 0 {
		return nil
	}
	if len(lines) > maxListed {
		lines = append(lines[:maxListed], fmt.Sprintf("and %d %s", len(lines)-maxListed, more))
	}
	return errors.New(strings.Join(lines, "\nrunner: "))
}

// dryRun lists each run's identifier and values, and what the batch could
// cost, for --dry-run.
func dryRun(ctx context.Context, w io.Writer, exps []*experiment.Experiment, o *pipeline.Options) error {
	estimate, err := pipeline.Preflight(exps, o)
	if err != nil {
		return err
	}
	plan := experiment.NewPlan(exps)
	f := experiment.FormatValue
	p := render.NewPrinter(w)
	for i := range plan.Len() {
		if i%1024 == 0 && ctx.Err() != nil {
			return errors.New("interrupted")
		}
		if o.Shard.N > 0 && i%o.Shard.N != o.Shard.K-1 {
			continue
		}
		r := plan.Run(i)
		s, x := r.Settings, r.Start
		p.Printf("%s: alpha=%s b3=%s tolerance=%s max_iterations=%d w1=%s b1=%s w2=%s b2=%s w3=%s w4=%s\n",
			r.ID, f(s.Alpha), f(x.B3), f(s.Tolerance), s.MaxIterations, f(x.W1), f(x.B1), f(x.W2), f(x.B2), f(x.W3), f(x.W4))
	}
	p.Printf("%s; nothing was run\n", estimate)
	return p.Err()
}
