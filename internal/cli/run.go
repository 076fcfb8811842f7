package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/report"
	"github.com/descentlab/runner/pkg/engine"
)

const runUsage = `Usage: runner run [flags] [PATH ...]

Run the experiments in PATHs (files, or folders whose *.yaml and *.yml files
are read in name order; default experiments/) and write under DIR, for each
run (named by its identifier: the experiment's name, and for a sweep the
values it sets, as in lr-sweep/alpha=0.05):
  <run>/trace.csv      every iteration, numbers to 12 significant digits
  <run>/iterations.md  the iterations as a table, rounded for reading
  <run>/expected.md    published values against computed ones, if pinned
  <run>/result.csv     the run's line of the summary
  <run>/descent.svg, <run>/fit.svg  its pictures (unless its experiment
                       has more than 50 runs, or --no-plots)
and for all of them summary.csv and summary.md, one row per run, each
sweep's <name>/sweep.svg, and a README.md index. Folders
of runs that these experiments no longer make are reported as stale;
--prune removes them. --check writes nothing and exits 1 if any file would
change or any folder is stale.

Invalid files are all reported and nothing is run or written (exit 2). A
published value that does not hold is reported and exits 1; so does a run
ending with a status named by --fail-on.
`

// maxListed is the most runs an error message names.
const maxListed = 5

// runOptions are the flags of `runner run`.
type runOptions struct {
	out                   string
	workers, digits, rows int
	dryRun, check, prune  bool
	shard                 shardFlag
	failOn                statusFlag
	pictures              pictures
}

// parseRun parses the flags and paths of `runner run`, and loads the
// experiments.
func parseRun(stdout io.Writer, args []string) (*runOptions, []*experiment.Experiment, error) {
	o := &runOptions{failOn: statusFlag{}}
	fs := newFlagSet("run", runUsage)
	fs.StringVar(&o.out, "o", DefaultResults, "write results under `DIR`")
	fs.IntVar(&o.workers, "j", runtime.NumCPU(), "run `N` runs at a time")
	fs.IntVar(&o.digits, "csv-digits", report.DefaultCSVDigits, "write results in CSV files with `N` significant digits (1 to 17), unless an experiment sets csv_digits")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list the runs, with their values, without running them")
	fs.BoolVar(&o.check, "check", false, "write nothing; exit 1 listing the files that would change and the stale folders")
	fs.BoolVar(&o.prune, "prune", false, "remove stale result folders: those that no run of the experiments writes")
	fs.Var(&o.shard, "shard", "run only the `K/N`-th of N interleaved slices of the runs and write no summary; then runner summarize")
	fs.Var(o.failOn, "fail-on", "exit 1 if any run ends with one of these `STATUSES` (diverged, max-iterations, comma-separated)")
	fs.IntVar(&o.rows, "max-trace-rows", DefaultMaxTraceRows, "refuse experiments whose traces could have more than `N` rows")
	o.pictures.addFlags(fs)
	exps, err := loadExperiments(fs, stdout, args)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case o.workers < 1:
		return nil, nil, usagef("-j: must be at least 1, got %d", o.workers)
	case o.digits < 1 || o.digits > experiment.MaxCSVDigits:
		return nil, nil, usagef("-csv-digits: must be between 1 and %d, got %d", experiment.MaxCSVDigits, o.digits)
	case o.prune && (o.check || o.shard.N > 0):
		return nil, nil, usagef("-prune cannot go with -check or -shard: it needs every run, and writes")
	}
	if err := checkTraceSizes(exps, o.rows); err != nil {
		return nil, nil, err
	}
	for _, e := range exps {
		if e.CSVDigits == 0 {
			e.CSVDigits = o.digits
		}
	}
	return o, exps, nil
}

// runCommand is `runner run`.
func runCommand(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	o, exps, err := parseRun(stdout, args)
	if err != nil {
		return err
	}
	plan := experiment.NewPlan(exps)
	var runs batch.Runs = plan
	if o.shard.N > 0 {
		runs = batch.Shard{Runs: runs, K: o.shard.K, N: o.shard.N}
	}
	if o.dryRun {
		return listRuns(stdout, runs)
	}

	dir := report.NewDir(o.out, resultsFS)
	if o.check {
		dir = report.NewCheck(o.out, resultsFS)
	}
	b := &batchRun{runs: runs, dir: dir, pictures: o.pictures}
	if err := b.execute(ctx, o.workers, newProgress(stderr, runs.Len())); err != nil {
		return err
	}
	whole := o.shard.N == 0
	var stale []string
	if whole {
		if err := writeSummaries(dir, exps, b.records, o.pictures); err != nil {
			return err
		}
		if stale, err = report.Stale(o.out, recordedIDs(b.records)); err != nil {
			return err
		}
	}
	failures := errors.Join(b.failedChecks(o.out), b.failedStatuses(o.failOn))
	if o.check {
		return errors.Join(checkResults(stdout, o.out, dir, stale), failures)
	}
	if err := b.show(stdout, whole); err != nil {
		return err
	}
	written, changed := dir.Counts()
	fmt.Fprintf(stdout, "\nwrote %s under %s (%d changed)\n", count(written, "file"), o.out, changed)
	if !whole {
		fmt.Fprintf(stdout, "shard %v: %s; once every shard is done, run runner summarize with the same -o and paths\n",
			&o.shard, count(runs.Len(), "run"))
	}
	return errors.Join(handleStale(stdout, stderr, o.out, stale, o.prune), failures)
}

// DefaultMaxTraceRows bounds the rows of a trace unless --max-trace-rows
// raises it: about 130 MB of trace.csv for the article's three points.
const DefaultMaxTraceRows = 1_000_000

// checkTraceSizes refuses, before anything runs, experiments whose traces
// could grow beyond maxRows rows, saying how large they could grow.
func checkTraceSizes(exps []*experiment.Experiment, maxRows int) error {
	var errs experiment.ErrorList
	for _, e := range exps {
		rows := e.MaxTraceRows()
		if rows <= maxRows {
			continue
		}
		cols := 1 + len(engine.Columns(e.Settings.Trained(), len(e.Data)))
		errs = append(errs, &experiment.Error{Pos: e.Pos, Field: "max_iterations",
			Msg: fmt.Sprintf("a trace could reach %d rows (about %d MB), more than --max-trace-rows allows (%d); set trace_every: K to keep every K-th iteration, or raise --max-trace-rows",
				rows, int64(rows)*int64(cols)*bytesPerNumber>>20, maxRows)})
	}
	return errs.Err()
}

// bytesPerNumber is about what a number takes in a trace, with its comma.
const bytesPerNumber = 15

// recordedIDs returns a test for the identifiers of the runs recorded.
func recordedIDs(records []report.Record) func(string) bool {
	ids := make(map[string]bool, len(records))
	for i := range records {
		ids[records[i].Get("run")] = true
	}
	return func(id string) bool { return ids[id] }
}

// handleStale removes stale folders with --prune, and otherwise warns of
// them.
func handleStale(stdout, stderr io.Writer, out string, stale []string, prune bool) error {
	if !prune {
		for _, s := range stale {
			fmt.Fprintf(stderr, "runner: stale: %s holds results that no run of these experiments writes; --prune removes it\n", filepath.Join(out, s))
		}
		return nil
	}
	kept, err := report.Prune(out, stale)
	for _, s := range stale {
		if !slices.Contains(kept, s) {
			fmt.Fprintf(stdout, "removed stale %s\n", filepath.Join(out, s))
		}
	}
	for _, s := range kept {
		fmt.Fprintf(stderr, "runner: kept %s: it holds files the runner did not write; remove them by hand\n", filepath.Join(out, s))
	}
	return err
}

// checkResults reports, for --check, the files that would change and the
// stale folders, as an error if there are any.
func checkResults(stdout io.Writer, out string, dir *report.Dir, stale []string) error {
	changed := dir.Changed()
	if len(changed)+len(stale) == 0 {
		put, _ := dir.Counts()
		_, err := fmt.Fprintf(stdout, "%s under %s up to date\n", count(put, "file"), out)
		return err
	}
	for _, f := range changed {
		fmt.Fprintf(stdout, "would change: %s\n", filepath.Join(out, filepath.FromSlash(f)))
	}
	for _, s := range stale {
		fmt.Fprintf(stdout, "stale: %s\n", filepath.Join(out, filepath.FromSlash(s)))
	}
	return fmt.Errorf("results under %s are not up to date: %s would change, %s; run runner run --prune with the same paths, and commit the results",
		out, count(len(changed), "file"), count(len(stale), "stale folder"))
}

// batchRun is a batch of runs being run: their records, in order, and what
// the terminal shows of them.
type batchRun struct {
	runs     batch.Runs
	dir      *report.Dir
	pictures pictures
	records  []report.Record
	checks   []checkCount     // published values checked, by run
	details  []*batch.Outcome // the outcomes of a few runs, shown in detail
}

// checkCount counts a run's published values, and those that do not hold.
type checkCount struct{ pinned, failed int }

// execute runs the batch, writing each run's files as it goes.
func (b *batchRun) execute(ctx context.Context, workers int, bar *progress) error {
	n := b.runs.Len()
	b.records = make([]report.Record, n)
	b.checks = make([]checkCount, n)
	if n <= report.MaxDetailed {
		b.details = make([]*batch.Outcome, n)
	}
	err := batch.Execute(ctx, b.runs, workers, func(ctx context.Context, i int, r experiment.Run) error {
		o, rec, err := runAndWrite(ctx, b.dir, r, b.pictures.ofRuns(r.Experiment))
		if err != nil {
			return err
		}
		b.records[i], b.checks[i] = rec, checkCount{len(o.Checks), len(o.Failed())}
		if b.details != nil {
			b.details[i] = o
		}
		bar.add()
		return nil
	})
	bar.finish()
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %d of %d runs finished; their files are whole, and the summary was not updated", b.finished(), n)
	}
	return err
}

// runAndWrite runs one run, streaming its trace into its folder, then
// writes the rest of its files, and its pictures if asked; the folder's
// files are put in place together once all are written. If anything
// fails, the folder is left as it was.
func runAndWrite(ctx context.Context, dir *report.Dir, r experiment.Run, pictures bool) (o *batch.Outcome, rec report.Record, err error) {
	folder, err := dir.OpenFolder(filepath.FromSlash(r.ID))
	if err != nil {
		return nil, report.Record{}, err
	}
	defer func() {
		if err != nil {
			folder.Abort()
		}
	}()
	trace, err := folder.Create("trace.csv")
	if err != nil {
		return nil, report.Record{}, err
	}
	tw, err := report.NewTraceWriter(trace, &r)
	if err != nil {
		return nil, report.Record{}, err
	}
	observe, path := tw.Observe, plots.NewPath()
	if pictures {
		observe = func(it *engine.Iteration) error {
			path.Observe(it)
			return tw.Observe(it)
		}
	}
	outcome, err := batch.Run(ctx, r, observe)
	if err == nil {
		err = tw.Flush()
	}
	if err != nil {
		return nil, report.Record{}, err
	}
	files, rec, err := report.RunFiles(&outcome)
	if err == nil && pictures {
		var more []report.File
		more, err = pictureFiles(&outcome, path)
		files = append(files, more...)
	}
	for _, f := range files {
		if err == nil {
			err = folder.Put(f.Path, f.Data)
		}
	}
	if err == nil {
		err = folder.Commit()
	}
	return &outcome, rec, err
}

// pictureFiles draws a run's descent.svg and fit.svg.
func pictureFiles(o *batch.Outcome, path *plots.Path) ([]report.File, error) {
	descent, err := plots.Descent(o, path)
	if err != nil {
		return nil, fmt.Errorf("drawing %s/descent.svg: %w", o.Run.ID, err)
	}
	fit, err := plots.Fit(o)
	if err != nil {
		return nil, fmt.Errorf("drawing %s/fit.svg: %w", o.Run.ID, err)
	}
	return []report.File{{Path: "descent.svg", Data: descent}, {Path: "fit.svg", Data: fit}}, nil
}

// finished counts the runs that have finished.
func (b *batchRun) finished() int {
	done := 0
	for i := range b.records {
		if b.records[i].Has("run") {
			done++
		}
	}
	return done
}

// show writes what the terminal shows: each run in detail if there are
// few, and the summary unless only a shard ran.
func (b *batchRun) show(w io.Writer, summary bool) error {
	for _, o := range b.details {
		if err := report.WriteDetail(w, o); err != nil {
			return err
		}
	}
	if !summary {
		return nil
	}
	return report.WriteSummary(w, b.records)
}

// failedChecks reports runs whose published values do not hold.
func (b *batchRun) failedChecks(out string) error {
	var lines []string
	for i, c := range b.checks {
		if c.failed > 0 {
			id := b.records[i].Get("run")
			lines = append(lines, fmt.Sprintf("%s: %d of %d published values do not hold (see %s)",
				id, c.failed, c.pinned, filepath.Join(out, filepath.FromSlash(id), "expected.md")))
		}
	}
	return listError(lines, "more runs have published values that do not hold")
}

// failedStatuses reports runs that ended with a status --fail-on names.
func (b *batchRun) failedStatuses(failOn statusFlag) error {
	var lines []string
	for i := range b.records {
		r := &b.records[i]
		if status := r.Get("status"); failOn[status] {
			lines = append(lines, fmt.Sprintf("%s: %s (--fail-on %s)", r.Get("run"), status, status))
		}
	}
	return listError(lines, "more runs end with a status --fail-on names")
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

// listRuns writes each run's identifier and values, for --dry-run.
func listRuns(w io.Writer, runs batch.Runs) error {
	f := experiment.FormatValue
	p := &lineWriter{w: w}
	for i := range runs.Len() {
		r := runs.Run(i)
		s, x := r.Settings, r.Start
		p.printf("%s: alpha=%s b3=%s tolerance=%s max_iterations=%d w1=%s b1=%s w2=%s b2=%s w3=%s w4=%s\n",
			r.ID, f(s.Alpha), f(x.B3), f(s.Tolerance), s.MaxIterations, f(x.W1), f(x.B1), f(x.W2), f(x.B2), f(x.W3), f(x.W4))
	}
	p.printf("%s; nothing was run\n", count(runs.Len(), "run"))
	return p.err
}

// lineWriter writes lines, keeping the first error.
type lineWriter struct {
	w   io.Writer
	err error
}

func (p *lineWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
