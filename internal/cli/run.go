package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
it, with its manifest.yaml (the inputs its runs share), records.csv (each
run's outcome and files, with their SHA-256), summary.csv and pictures of
every run (curves.svg, sweep.svg, grid.svg), and a folder per run (for a
sweep, named by the values it sets, as in lr-sweep/alpha=0.05) with its
trace.csv, and for experiments of at most 50 runs its tables and
pictures; at the top summary.csv, summary.md and README.md, rebuilt from
every experiment's records. Running some experiments changes only their
folders. A search: section runs its probes in rounds, and prints what it
found beside the theory.

A run stored with the same inputs and method, whose files match its
record, is not computed again (--force computes it anyway): a rerun with
nothing changed writes nothing, and a batch that was stopped continues
where it stopped. What a results folder holds is checked before it is
believed, as it comes back through git: a file that does not match its
record is computed again, and nothing outside the folder is read or
written, whatever its files say.

Stored runs that the experiments no longer make, and folders of
experiments whose files no longer declare them, are reported; --prune
removes them (the runner's files only). --check computes everything,
writes nothing, and exits 1 if any file would change or anything is
stale. --dry-run says, run by run, which are stored and which would be
computed, and what they could write; a search, as far as its stored
probes take it.

--set FIELD=VALUE and --sweep FIELD=LIST|RANGE try values without editing
a file, for alpha, b3, tolerance, max_iterations and the weights w1 … w4:
--set gives every run one value (in place of a sweep of the field),
--sweep sweeps the field (alpha=0.1,0.2,0.3, alpha=0.001:1:20, or
alpha=log:0.001:1:20 in log scale), each checked as the file's field is.
Without -o, a try computes its runs, shows them and writes nothing. With
-o DIR its results are written there, its overrides recorded in each
experiment's manifest.yaml, and a DIR that holds one of its experiments
with other overrides, or with none, or any experiment run as its file
declares it, is refused: a try never replaces or joins the results of
the files as they are, so runner run --check of those keeps passing.

Before anything runs, every experiment file is checked (every problem is
reported, and nothing is run or written: exit 2), and so is what the batch
could cost: trace rows, data points, iterations and bytes, each against a
limit that a flag raises.

Exit status: 0 all ran and every published value holds; 1 a run-time
failure, a published value that does not hold (unless values are tried
with --set or --sweep: published values are the file's, and a try only
shows how its own compare), a status --fail-on names,
a search that could not find its answer, or results not up to date
(--check); 2 bad usage, invalid experiment files or a limit exceeded
(then nothing is run or written), or a results folder the runner will
not use; 3 the report could not be written whole; 130 interrupted (the
runs finished are kept, and the next run continues).
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
	// overrides are --set and --sweep; try is set when they are given
	// without -o, which then writes nothing.
	overrides overrideFlags
	try       bool
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
	fs.BoolVar(&o.Prune, "prune", false, "remove stale runs, and the folders of experiments that no longer exist (the runner's files in them)")
	fs.BoolVar(&o.Force, "force", false, "compute every run, even those stored with the same inputs")
	fs.Var(&o.shard, "shard", "run only the `K/N`-th of N interleaved slices of the runs and write no summary, then runner summarize; auto: the slice a Slurm job array or Kubernetes Indexed Job gives the task")
	fs.IntVar(&o.shards, "shards", 0, "with --shard auto in a Kubernetes Indexed Job: the number of shards, `N` (the Job's completions)")
	fs.Var(o.failOn, "fail-on", "exit 1 if any run ends with one of these `STATUSES` (diverged, max-iterations, comma-separated)")
	limitFlags(fs, &o.Limits)
	o.pictures.add(fs)
	o.terminal.add(fs)
	o.overrides.add(fs)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return nil, nil, err
	}
	overrides, err := o.overrides.parse()
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
	case o.Workers < 0 || o.Workers > maxWorkers():
		return nil, nil, usagef("-j: must be between 1 and %d (64 per CPU), or 0 for one per CPU; got %d", maxWorkers(), o.Workers)
	case o.CSVDigits < 1 || o.CSVDigits > experiment.MaxCSVDigits:
		return nil, nil, usagef("-csv-digits: must be between 1 and %d, got %d", experiment.MaxCSVDigits, o.CSVDigits)
	case o.Prune && (o.Check || o.Shard.N > 0):
		return nil, nil, usagef("-prune cannot go with -check or -shard: it needs every run, and writes")
	case o.Check && o.Shard.N > 0:
		return nil, nil, usagef("-check cannot go with -shard: it checks every run and the summaries")
	case o.Force && o.Check:
		return nil, nil, usagef("-force cannot go with -check: -check computes every run anyway")
	}
	if o.try = o.overrides.tried() && !flagGiven(fs, "o"); o.try {
		if err := checkTry(o); err != nil {
			return nil, nil, err
		}
		o.Check, o.Out = true, tryFolder() // computes every run and writes nothing
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
	exps, err := loadExperiments(paths, overrides)
	if err != nil {
		return nil, nil, err
	}
	if o.overrides.tried() && !o.try {
		if err := checkStoredOverrides(o.Out, exps); err != nil {
			return nil, nil, err
		}
	}
	o.Runner, o.Wrap = Version().Module, wrapResults
	return o, exps, nil
}

// notifier says on stderr what a batch found damaged in the results
// folder, and writes again.
func notifier(stderr io.Writer) func(string) {
	return func(what string) { fmt.Fprintf(stderr, "runner: %s\n", what) }
}

// checkTry refuses, for a try (--set or --sweep without -o), the flags
// that need a results folder to write or to check.
func checkTry(o *runOptions) error {
	switch {
	case o.Check:
		return usagef("-check with -set or -sweep needs -o DIR, the folder that holds the try's results: without -o, a try writes nothing")
	case o.Prune:
		return usagef("-prune with -set or -sweep needs -o DIR: without -o, a try writes nothing")
	case o.Shard.N > 0 || o.shard.auto:
		return usagef("-shard with -set or -sweep needs -o DIR, the folder the shards share: without -o, a try writes nothing")
	}
	return nil
}

// maxWorkers is the most runs -j lets go at a time: more than 64 workers a
// CPU only wait on each other.
func maxWorkers() int {
	return 64 * runtime.NumCPU()
}

// runCommand is runner run.
func runCommand(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	o, exps, err := parseRun(stdout, args)
	if err != nil {
		return err
	}
	if o.dryRun {
		return dryRun(ctx, stdout, exps, &o.Options, o.try, o.terminal.of(stdout))
	}
	bar := newProgress(stderr, pipeline.Count(exps, o.Shard))
	o.Progress, o.Notify = bar.set, notifier(stderr)
	r, err := pipeline.Run(ctx, exps, &o.Options)
	bar.finish()
	if err != nil {
		return err
	}
	checks := failedChecks(r, o.try, o.overrides.tried())
	if checks != nil && o.overrides.tried() {
		// Published values are the file's: a try shows how its values
		// compare, and is not wrong to differ.
		fmt.Fprintf(stderr, "runner: %v\n", checks)
		checks = nil
	}
	failures := errors.Join(checks, failedStatuses(r, o.failOn), failedSearches(r))
	if o.Check && !o.try {
		return errors.Join(checkResults(stdout, o.Out, r), failures)
	}
	term := o.terminal.of(stdout)
	for _, d := range r.Shown {
		if err := render.Detail(stdout, d, term); err != nil {
			return reportError(err)
		}
	}
	if o.Shard.Whole() && r.Runs > 0 {
		if err := render.SummaryTerminal(stdout, r.Summary, term); err != nil {
			return reportError(err)
		}
	}
	if err := render.SearchTerminal(stdout, searchAnswers(r), term); err != nil {
		return reportError(err)
	}
	p := render.NewPrinter(stdout)
	if o.try {
		p.Printf("\n%s, all computed; nothing written: %s\n", prose.Count(r.Runs, "run"), tryNote)
		if err := p.Err(); err != nil {
			return reportError(err)
		}
		return failures
	}
	p.Printf("\n%s\n", doneLine(o.Out, r))
	if !o.Shard.Whole() {
		p.Printf("shard %v of the runs; once every shard is done, run runner summarize with the same -o, flags and paths\n", &o.shard)
	}
	showStale(p, stderr, o.Out, r, o.Prune)
	if err := p.Err(); err != nil {
		return reportError(err)
	}
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
		runs += fmt.Sprintf(", %s computed and %s unchanged", prose.Thousands(r.Computed), prose.Thousands(r.Reused))
	}
	return fmt.Sprintf("%s: %s; %s", out, runs, written(r.Changed))
}

// showStale reports what is stale, what is foreign, or what --prune
// removed and kept.
func showStale(p *render.Printer, stderr io.Writer, out string, r *pipeline.Report, prune bool) {
	at := func(rel string) string { return filepath.Join(out, filepath.FromSlash(rel)) }
	for _, e := range r.StaleExperiments {
		fmt.Fprintf(stderr, "runner: stale: %s: its experiment no longer exists (its file is gone, or no longer declares it); --prune removes it\n", at(e))
	}
	for _, id := range r.StaleRuns {
		fmt.Fprintf(stderr, "runner: stale: %s holds a run that its experiment no longer makes; --prune removes it\n", at(id))
	}
	for _, e := range r.Unfinished {
		fmt.Fprintf(stderr, "runner: %s: its writing was interrupted; run its experiment again to finish it\n", at(e))
	}
	for _, f := range r.Foreign {
		fmt.Fprintf(stderr, "runner: %s is not the runner's (no manifest lists it); left as it is\n", at(f))
	}
	for _, id := range r.Removed {
		if slices.ContainsFunc(r.Kept, func(k string) bool { return strings.HasPrefix(k, id+"/") }) {
			p.Printf("removed the runner's files of %s\n", at(id))
		} else {
			p.Printf("removed %s\n", at(id))
		}
	}
	for _, k := range r.Kept {
		fmt.Fprintf(stderr, "runner: kept %s: the runner did not write it; remove it by hand if it is not wanted\n", at(k))
	}
}

// checkResults reports, for --check, the files that would change, what is
// stale and what killed writers left, as an error if there is any.
func checkResults(stdout io.Writer, out string, r *pipeline.Report) error {
	at := func(rel string) string { return filepath.Join(out, filepath.FromSlash(rel)) }
	stale := len(r.StaleRuns) + len(r.StaleExperiments)
	problems := len(r.ChangedFiles) + stale + len(r.Unfinished) + min(r.Temporary, 1)
	p := render.NewPrinter(stdout)
	if problems == 0 {
		p.Printf("%s under %s up to date\n", prose.Count(r.Files, "file"), out)
		return reportError(p.Err())
	}
	for _, f := range r.ChangedFiles {
		p.Printf("would change: %s\n", at(f))
	}
	for _, id := range r.StaleRuns {
		p.Printf("stale: %s\n", at(id))
	}
	for _, e := range r.StaleExperiments {
		p.Printf("stale: %s (its experiment no longer exists)\n", at(e))
	}
	for _, e := range r.Unfinished {
		p.Printf("unfinished: %s (its writing was interrupted)\n", at(e))
	}
	if r.Temporary > 0 {
		p.Printf("left over: %s in %s (the next runner run removes them)\n", prose.Count(r.Temporary, "temporary file"), filepath.Join(out, results.PrivateDir, "tmp"))
	}
	if err := p.Err(); err != nil {
		return reportError(err)
	}
	return fmt.Errorf("results under %s are not up to date: %s; %s, and commit the results", out, prose.And(notUpToDate(r)), checkFix(r))
}

// notUpToDate says what keeps results from being up to date, leaving out
// what there is none of.
func notUpToDate(r *pipeline.Report) []string {
	var what []string
	if n := len(r.ChangedFiles); n > 0 {
		what = append(what, prose.Count(n, "file")+" would change")
	}
	if n := len(r.StaleRuns) + len(r.StaleExperiments); n > 0 {
		what = append(what, prose.Count(n, "folder")+isAre(n)+" stale")
	}
	if n := len(r.Unfinished); n > 0 {
		what = append(what, prose.Count(n, "experiment")+" unfinished")
	}
	if r.Temporary > 0 {
		what = append(what, prose.Count(r.Temporary, "temporary file")+" left over")
	}
	return what
}

// checkFix says what brings results up to date: runner run, with --prune
// if anything is stale (which writes what would change as well).
func checkFix(r *pipeline.Report) string {
	stale := len(r.StaleRuns)+len(r.StaleExperiments) > 0
	rest := len(r.ChangedFiles)+len(r.Unfinished)+r.Temporary > 0
	switch {
	case stale && rest:
		return "run runner run --prune with the same paths"
	case stale:
		return "run runner run --prune with the same paths to remove what is stale"
	}
	return "run runner run with the same paths"
}

// isAre writes " is" or " are" after a count.
func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// searchAnswers are what the batch's searches found, for the terminal.
func searchAnswers(r *pipeline.Report) []*render.SearchAnswer {
	var answers []*render.SearchAnswer
	for _, s := range r.Searches {
		if s.Failure == nil {
			answers = append(answers, &render.SearchAnswer{Experiment: s.Experiment, Field: s.Field, Find: s.Find,
				Answer: s.Answer, Theory: s.Theory, Limit: s.Limit, Precision: s.Precision, Range: s.Range})
		}
	}
	return answers
}

// failedSearches reports searches that could not find their answer, at
// the search's field.
func failedSearches(r *pipeline.Report) error {
	var errs []error
	for _, s := range r.Searches {
		if s.Failure != nil {
			errs = append(errs, fmt.Errorf("%v: search.%s: %v", s.Pos, s.Field, s.Failure))
		}
	}
	return errors.Join(errs...)
}

// maxListed is the most runs an error message names.
const maxListed = 5

// failedChecks reports runs whose published values do not hold, and
// where to see them, unless the runs are a try's, which nothing stored
// shows; for runs of values tried (--set, --sweep), it says that the
// values are published for the file's.
func failedChecks(r *pipeline.Report, try, tried bool) error {
	var lines []string
	for _, f := range r.Failed {
		where := ""
		switch {
		case try:
		case f.Where != "":
			where = " (see " + f.Where + ")"
		default:
			where = " (see runner show " + f.Run + ")"
		}
		if tried {
			where = " for the values tried" + where + "; they are the file's, shown, not required"
		}
		lines = append(lines, fmt.Sprintf("%s: %d of %d published values do not hold%s", f.Run, f.Failed, f.Pinned, where))
	}
	return listError(lines, "more runs have published values that do not hold", "more run has published values that do not hold")
}

// failedStatuses reports runs that ended with a status --fail-on names.
func failedStatuses(r *pipeline.Report, failOn statusFlag) error {
	var lines []string
	for _, s := range failStatuses {
		c := r.ByStatus[s]
		if !failOn[s] || c == nil {
			continue
		}
		for _, id := range c.First {
			lines = append(lines, fmt.Sprintf("%s: %v (--fail-on %v)", id, s, s))
		}
		if more := c.N - len(c.First); more > 0 {
			lines = append(lines, fmt.Sprintf("and %s %v", prose.Count(more, "more run")+endOrEnds(more), s))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return errors.New(strings.Join(lines, "\nrunner: "))
}

// endOrEnds writes " end" or " ends" after a count.
func endOrEnds(n int) string {
	if n == 1 {
		return " ends"
	}
	return " end"
}

// listError joins lines as an error, naming at most maxListed of them;
// more words the rest, and one the rest of one.
func listError(lines []string, more, one string) error {
	if len(lines) == 0 {
		return nil
	}
	if n := len(lines) - maxListed; n > 0 {
		words := more
		if n == 1 {
			words = one
		}
		lines = append(lines[:maxListed], fmt.Sprintf("and %s %s", prose.Thousands(n), words))
	}
	return errors.New(strings.Join(lines, "\nrunner: "))
}
