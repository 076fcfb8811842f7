package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// Run runs a batch: the runs of exps (or of one shard of them) into the
// results folder o.Out. A run stored with the same inputs and method, whose
// files match its record, is reused; the others are computed and written,
// each run's folder as it finishes. Each experiment's records, summary and
// pictures are written as its runs come in order, and the results folder's
// summary and index rebuilt from every experiment's records. With o.Check
// it computes every run and writes nothing.
func Run(ctx context.Context, exps []*experiment.Experiment, o *Options) (*Report, error) {
	return run(ctx, exps, o, false)
}

// Summarize rebuilds the summaries of exps from their stored runs, after
// their shards ran: every run must be stored, with the experiment's
// inputs. Its files are then byte for byte those of one Run.
func Summarize(ctx context.Context, exps []*experiment.Experiment, o *Options) (*Report, error) {
	return run(ctx, exps, o, true)
}

// ErrInterrupted is the error of a batch stopped by its context.
var ErrInterrupted = errors.New("interrupted")

// InterruptedError is a batch stopped part way: its runs done are whole,
// and the next batch continues where it stopped.
type InterruptedError struct {
	Done, Runs int
	// AtMost says that Runs is the most the batch could make: it has
	// searches, whose runs depend on their outcomes.
	AtMost bool
}

func (e *InterruptedError) Error() string {
	of := prose.Count(e.Runs, "run")
	if e.AtMost {
		of = "at most " + of
	}
	return fmt.Sprintf("interrupted: %s of %s finished; their folders are whole, and the summaries were not updated (run it again to continue where it stopped)", prose.Thousands(e.Done), of)
}

func (e *InterruptedError) Unwrap() error { return ErrInterrupted }

func run(ctx context.Context, exps []*experiment.Experiment, o *Options, summarize bool) (*Report, error) {
	estimate, err := Preflight(exps, o)
	if err != nil {
		return nil, err
	}
	mode := results.Write
	switch {
	case o.Check:
		mode = results.Compare
	case !o.Shard.Whole():
		mode = results.Shard
	}
	names := make([]string, len(exps))
	var overrides []string // the same for every experiment of a batch
	for i, e := range exps {
		names[i], overrides = e.Name, e.OverrideStrings()
	}
	store, err := results.Open(o.Out, results.Options{Mode: mode, Wrap: o.Wrap, ShardK: o.Shard.K, ShardN: o.Shard.N,
		Experiments: names, Overrides: overrides, Runner: o.Runner})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	b := newBatch(store, exps, o, summarize)
	b.notify(store.Repaired())
	if mode != results.Compare && !summarize {
		if err := b.checkSpace(estimate); err != nil {
			return nil, err
		}
	}
	if err := b.begin(); err != nil {
		return nil, err
	}
	if summarize {
		if err := b.checkStored(ctx); err != nil {
			b.abort()
			return nil, err
		}
	}
	if err := b.execute(ctx); err != nil {
		return nil, err
	}
	if mode != results.Shard {
		if err := b.top(ctx); err != nil {
			return nil, err
		}
	}
	b.report.Runs = b.report.Computed + b.report.Reused // with the probes of searches
	b.report.Files, b.report.Changed = store.Counts()
	if mode == results.Compare {
		b.report.ChangedFiles = store.Changed()
		if b.report.Temporary, b.report.Unfinished, err = store.Leftovers(); err != nil {
			return nil, err
		}
	}
	return b.report, nil
}

// batchRun is a batch being run.
type batchRun struct {
	store     *results.Store
	o         *Options
	exps      []*experiment.Experiment
	runs      batch.Runs
	summarize bool
	// writers are the writers of the experiments of planned runs, in
	// order; next is the first not finished. probing are those of the
	// searches of probes, run after them.
	writers []*experimentRun
	probing []*experimentRun
	byExp   map[*experiment.Experiment]*experimentRun
	next    int
	done    int
	changed bool // whether any experiment's files changed
	report  *Report
}

// experimentRun is an experiment of the batch being written.
type experimentRun struct {
	e        *experiment.Experiment
	w        *results.ExperimentWriter
	overview *overview // what its pictures of every run need; nil if it has none
	// ids are the runs added, of a search of probes, whose runs are not
	// known in advance.
	ids  []string
	done bool // finished or aborted
	// summary holds the runs the terminal's summary shows of it.
	summary *ends.Ends[results.Record]
}

func newBatch(store *results.Store, exps []*experiment.Experiment, o *Options, summarize bool) *batchRun {
	var planned []*experiment.Experiment
	for _, e := range exps {
		if !e.Probes() {
			planned = append(planned, e)
		}
	}
	b := &batchRun{store: store, o: o, exps: exps, runs: o.Shard.Of(experiment.NewPlan(planned)), summarize: summarize,
		byExp:  map[*experiment.Experiment]*experimentRun{},
		report: &Report{ByStatus: map[engine.Status]*StatusCount{}}}
	b.report.Runs = b.runs.Len()
	return b
}

// begin starts writing every experiment's folder: runs of any of them may
// be computed at once.
func (b *batchRun) begin() error {
	for _, e := range b.exps {
		x := &experimentRun{e: e}
		first := representative(e)
		var swept []string
		for _, s := range first.Swept {
			swept = append(swept, experiment.FolderKey(s.Field))
		}
		runs := results.MostRuns(e)
		files := OverviewFiles(runs, swept, b.o.Pictures)
		own := files
		switch {
		case e.Probes():
			own = append(slices.Clone(files), results.SearchFile)
		case e.Search != nil: // a range test
			own = []string{results.RangeFile, results.RangePictureFile}
		}
		plan := results.ExperimentPlan{Experiment: e, First: first, CSVDigits: b.o.CSVDigits, Pictures: b.o.Pictures,
			File: b.store.ExperimentFile(e.Pos.File), Overrides: e.OverrideStrings(), Force: b.o.Force, ExperimentPictures: own}
		x.overview = newOverview(e.Name, results.InputsOf(&first, b.o.CSVDigits), swept, runs, files)
		w, err := b.store.BeginExperiment(plan)
		if err != nil {
			b.abort()
			return err
		}
		x.w = w
		b.notify(w.Report.Repaired)
		if e.Probes() {
			b.probing = append(b.probing, x)
		} else {
			b.writers = append(b.writers, x)
		}
		b.byExp[e] = x
	}
	return nil
}

// representative returns a run of an experiment, whose inputs are those
// its runs share and whose values are those of the fields its runs set:
// its first run, or a search's first probe.
func representative(e *experiment.Experiment) experiment.Run {
	if e.Probes() {
		return e.SearchRun(e.Search.Spec.From)
	}
	return e.Run(0)
}

// interrupted is the error of the batch interrupted: the runs done, of
// its runs and the most its searches may take.
func (b *batchRun) interrupted() *InterruptedError {
	e := &InterruptedError{Done: b.done, Runs: b.runs.Len()}
	for j, x := range b.probing {
		if b.ownsSearch(j) {
			e.Runs += results.MostRuns(x.e)
			e.AtMost = true
		}
	}
	return e
}

// abort drops what the experiments' writers have not put in place.
func (b *batchRun) abort() {
	for _, x := range slices.Concat(b.writers[b.next:], b.probing) {
		if !x.done {
			x.w.Abort()
			x.done = true
		}
	}
	b.next = len(b.writers)
}

// runResult is what a run leaves for its experiment's files, in order.
type runResult struct {
	x      *experimentRun
	stored *results.Stored
	shown  *render.RunView
	rate   float64 // for a search's probe: how fast its steps shrank
}

// execute runs the batch, writing each run's folder as it finishes and
// each experiment's files as its runs come in order.
func (b *batchRun) execute(ctx context.Context) error {
	err := batch.Execute(ctx, b.runs, b.o.Workers, b.do, b.emit)
	if err == nil && ctx.Err() == nil {
		err = b.finishUpTo(len(b.writers))
	}
	if err == nil && ctx.Err() == nil {
		err = b.searches(ctx)
	}
	if err != nil || ctx.Err() != nil {
		b.abort()
	}
	if ctx.Err() != nil {
		return b.interrupted()
	}
	return err
}

// do reuses or computes run i.
func (b *batchRun) do(ctx context.Context, i int, r experiment.Run) (runResult, error) {
	x := b.byExp[r.Experiment]
	shown := b.runs.Len() <= MaxShownRuns && !x.e.Probes() // a search's probes are told by its answer
	if st, ok := x.w.Reuse(&r); ok {
		res := runResult{x: x, stored: st}
		if x.e.Probes() {
			var err error
			if res.rate, err = storedRate(b.store.View(), st.Record); err != nil {
				return res, err
			}
		}
		if shown {
			view, err := results.ReadRunView(b.store.View(), st.Record, render.KeptRows)
			if err != nil {
				return res, err
			}
			res.shown = &render.RunView{Record: st.Record, Rows: view.Rows, Gap: view.Gap}
		}
		return res, nil
	}
	if b.summarize {
		return runResult{}, fmt.Errorf("%s: not stored with the experiment's inputs; run it first", b.store.Path(r.ID))
	}
	return b.compute(ctx, x, r, shown)
}

// compute runs a run, streaming its trace into its folder, writes its
// other files, and puts the folder in place.
func (b *batchRun) compute(ctx context.Context, x *experimentRun, r experiment.Run, shown bool) (res runResult, err error) {
	w, err := x.w.NewRun(&r)
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	in := results.InputsOf(&r, b.o.CSVDigits)
	names := x.w.RunFiles()
	trace, err := w.Create(results.TraceFile)
	if err != nil {
		return res, err
	}
	tw, err := results.NewTraceWriter(trace, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
	if err != nil {
		return res, err
	}
	var rows *ends.Ends[engine.Iteration] // the rows of its table, if it has one or is shown
	if shown || slices.Contains(names, results.IterationsFile) {
		rows = ends.New(render.KeptRows, func(dst, src *engine.Iteration) { src.CopyTo(dst) })
		tw.OnRow = func(it *engine.Iteration, _ []byte) { rows.Add(it) }
	}
	path := plots.NewPath()
	var first, last engine.Iteration
	var rangeTest *search.RangeTest
	if in.RangeTo != 0 {
		rangeTest = search.NewRangeTest(r.Settings)
	}
	observe := func(it *engine.Iteration) error {
		if slices.Contains(names, results.DescentFile) {
			path.Observe(it)
		}
		if x.e.Probes() {
			if it.N == 1 {
				it.CopyTo(&first)
			}
			it.CopyTo(&last)
		}
		if err := tw.Observe(it); err != nil {
			return err
		}
		if rangeTest != nil {
			return rangeTest.Observe(it)
		}
		return nil
	}
	o, err := batch.Run(ctx, r, observe)
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return res, err
	}
	rec := recordOf(&r, in, &o)
	view := &render.RunView{Record: rec}
	if rows != nil {
		view.Rows, _ = rows.Kept()
		view.Gap = rows.Len() > 2*render.KeptRows
	}
	for _, name := range names[1:] {
		data, err := runFile(name, view, &o, path)
		if err != nil {
			return res, fmt.Errorf("drawing %s: %w", b.store.Path(r.ID+"/"+name), err)
		}
		if err := w.Put(name, data); err != nil {
			return res, err
		}
	}
	st, err := w.Computed(rec)
	if err != nil {
		return res, err
	}
	res = runResult{x: x, stored: st}
	if shown {
		res.shown = view
	}
	if x.e.Probes() {
		res.rate = rateOf(&first, &last, o.Result.Iterations, in.CSVDigits)
	}
	return res, nil
}

// recordOf returns the record of a run's outcome.
func recordOf(r *experiment.Run, in results.Inputs, o *batch.Outcome) *results.Record {
	return &results.Record{Run: r.ID, Swept: r.Swept, Inputs: in, Outcome: results.Outcome{
		Status: o.Result.Status, Iterations: o.Result.Iterations, Final: o.Result.Final.Params, SSR: o.Result.FinalSSR, Checks: o.Checks,
	}}
}

// emit takes run i's result, in order: it finishes the experiments before
// the run's, adds the run to its experiment's files, and notes what the
// terminal shows of it.
func (b *batchRun) emit(i int, res runResult) error {
	k := slices.Index(b.writers, res.x)
	if err := b.finishUpTo(k); err != nil {
		return err
	}
	return b.add(res)
}

// add adds a run to its experiment's files, in order, and notes what the
// terminal shows of it.
func (b *batchRun) add(res runResult) error {
	if err := res.x.w.Add(res.stored); err != nil {
		return err
	}
	rec := res.stored.Record
	if res.x.overview != nil {
		res.x.overview.add(rec)
	}
	if res.x.e.Probes() {
		res.x.ids = append(res.x.ids, rec.Run)
	}
	b.note(rec, res)
	b.done++
	if b.o.Progress != nil {
		b.o.Progress(b.done)
	}
	return nil
}

// finishUpTo finishes the experiments before the k-th that are not
// finished yet.
func (b *batchRun) finishUpTo(k int) error {
	for ; b.next < k; b.next++ {
		if err := b.finish(b.writers[b.next]); err != nil {
			return err
		}
	}
	return nil
}

// finish draws an experiment's pictures of every run (a shard, which has
// some of its runs, draws none) and finishes its folder.
func (b *batchRun) finish(x *experimentRun) error {
	x.done = true
	whole := x.w.Runs() == x.e.RunCount() || x.e.Probes()
	if x.overview != nil && b.o.Shard.Whole() && whole && x.w.Runs() > 1 {
		if err := b.drawPictures(x); err != nil {
			return err
		}
	}
	if x.e.Search != nil && !x.e.Probes() && b.o.Shard.Whole() && x.w.Runs() == 1 {
		if err := b.rangeTest(x); err != nil {
			return err
		}
	}
	if err := x.w.Finish(b.o.Prune); err != nil {
		return err
	}
	r := &x.w.Report
	b.changed = b.changed || r.Changed
	b.report.StaleRuns = append(b.report.StaleRuns, r.StaleRuns...)
	b.report.Removed = append(b.report.Removed, r.Removed...)
	b.report.Kept = append(b.report.Kept, r.Kept...)
	b.report.Foreign = append(b.report.Foreign, r.Foreign...)
	return nil
}

// drawPictures draws an experiment's pictures of every run from its
// stored traces (for --check, from its runs made again), unless the
// pictures there were drawn from the same records and are kept.
func (b *batchRun) drawPictures(x *experimentRun) error {
	logKeys := logFields(x.e)
	kept, err := x.w.KeepPictures(x.overview.files, x.overview.drawing(logKeys))
	if kept || err != nil {
		return err
	}
	open := traceOpener(b.store.View(), func(i int) string { return x.e.Run(i).ID })
	if x.e.Probes() {
		open = traceOpener(b.store.View(), func(i int) string { return x.ids[i] })
	}
	if b.o.Check {
		// Nothing is written: the traces of the runs drawn are made again.
		open = func(i int) (io.ReadCloser, error) { return b.traceOf(b.runOf(x, i)), nil }
	}
	c, err := x.overview.build(logKeys, open)
	var files map[string][]byte
	if err == nil {
		files, err = c.draw()
	}
	if err != nil {
		return fmt.Errorf("drawing the pictures of %s: %w", b.store.Path(x.e.Name), err)
	}
	for _, name := range x.overview.files {
		if err := x.w.Put(name, files[name]); err != nil {
			return err
		}
	}
	return nil
}

// notify tells Options.Notify of what was found damaged and is written
// again.
func (b *batchRun) notify(repaired []string) {
	for _, what := range repaired {
		if b.o.Notify != nil {
			b.o.Notify(what)
		}
	}
}

// runOf returns an experiment's i-th run added.
func (b *batchRun) runOf(x *experimentRun, i int) experiment.Run {
	if x.e.Probes() {
		_, rel, _ := strings.Cut(x.ids[i], "/")
		settings, _ := experiment.ParseSettings(rel)
		return x.e.SearchRun(settings[0].Value)
	}
	return x.e.Run(i)
}

// rangeTest writes a range test's own files, from its one run's trace, and
// reports what it found.
func (b *batchRun) rangeTest(x *experimentRun) error {
	r := x.e.Run(0)
	rec := &results.Record{Run: r.ID, Inputs: results.InputsOf(&r, b.o.CSVDigits)}
	var a *search.RangeAnalysis
	var schedule, svg []byte
	var err error
	if b.o.Check {
		a, schedule, svg, err = rangeFilesOf(b.traceOf(r), rec, x.e.Name+": learning-rate range test")
	} else {
		a, schedule, svg, err = rangeFiles(b.store.View(), rec, x.e.Name+": learning-rate range test")
	}
	if err != nil {
		return fmt.Errorf("the range test of %s: %w", b.store.Path(x.e.Name), err)
	}
	if err := x.w.Put(results.RangeFile, schedule); err != nil {
		return err
	}
	if err := x.w.Put(results.RangePictureFile, svg); err != nil {
		return err
	}
	b.report.Searches = append(b.report.Searches, &SearchReport{Experiment: x.e.Name, Pos: x.e.Search.Pos, Field: x.e.Search.Field,
		Find: search.LRRange, Range: a, Theory: math.NaN(), Limit: math.NaN()})
	return nil
}

// traceOf computes a run again, and returns its trace as it streams.
func (b *batchRun) traceOf(r experiment.Run) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		in := results.InputsOf(&r, b.o.CSVDigits)
		tw, err := results.NewTraceWriter(pw, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
		if err == nil {
			_, err = batch.Run(context.Background(), r, tw.Observe)
			if ferr := tw.Flush(); err == nil {
				err = ferr
			}
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// note notes what the report shows of a run.
func (b *batchRun) note(rec *results.Record, res runResult) {
	r := b.report
	if res.stored.Computed {
		r.Computed++
	} else {
		r.Reused++
	}
	if res.shown != nil {
		r.Shown = append(r.Shown, res.shown)
	}
	if res.x.summary == nil {
		res.x.summary = ends.New[results.Record](render.MaxSummaryTerminalRows/2, nil)
		r.Summary = append(r.Summary, res.x.summary)
	}
	res.x.summary.Add(rec)
	if held, pinned := rec.Outcome.Held(), len(rec.Outcome.Checks); held < pinned {
		where := ""
		if slices.Contains(res.x.w.RunFiles(), results.ExpectedFile) {
			where = b.store.Path(rec.Run + "/" + results.ExpectedFile)
		}
		r.Failed = append(r.Failed, FailedRun{Run: rec.Run, Failed: pinned - held, Pinned: pinned, Where: where})
	}
	c := r.ByStatus[rec.Outcome.Status]
	if c == nil {
		c = &StatusCount{}
		r.ByStatus[rec.Outcome.Status] = c
	}
	c.N++
	if len(c.First) < maxNamed {
		c.First = append(c.First, rec.Run)
	}
}

// checkSpace refuses a batch whose estimate exceeds the space free on the
// results folder's file system, counting the runs not stored yet.
func (b *batchRun) checkSpace(total Estimate) error {
	free, ok := b.store.FreeSpace()
	if !ok || total.Bytes <= free {
		return nil // the estimate fits, or the free space is not known
	}
	stored := 0
	for _, e := range b.exps {
		stored += b.store.StoredRuns(e.Name)
	}
	stored = min(stored, total.Runs)
	need := total.Bytes - total.Bytes*int64(stored)/int64(max(1, total.Runs))
	if need <= free {
		return nil
	}
	return &SpaceError{Need: need, Free: free, New: total.Runs - stored, Runs: total.Runs, Dir: b.o.Out}
}

// SpaceError is a batch that could write more than the space free.
type SpaceError struct {
	Need, Free int64
	New, Runs  int
	Dir        string
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("the batch could write %s (%s of its %s are not stored yet, if every run takes max_iterations), more than the %s free on the file system of %s; free some space, write elsewhere, set trace_every: K, or lower max_iterations",
		Bytes(e.Need), prose.Thousands(e.New), prose.Count(e.Runs, "run"), Bytes(e.Free), e.Dir)
}

// runFile renders one of a run's files but its trace.
func runFile(name string, view *render.RunView, o *batch.Outcome, path *plots.Path) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch name {
	case results.IterationsFile:
		err = render.IterationsMarkdown(&b, view)
	case results.ExpectedFile:
		err = render.ExpectedMarkdown(&b, view.Record)
	case results.DescentFile:
		return plots.Descent(o, path, runLabel(view.Record))
	case results.FitFile:
		return plots.Fit(o, runLabel(view.Record))
	default:
		err = fmt.Errorf("no such file of a run: %s", name)
	}
	return b.Bytes(), err
}

// checkStored refuses to summarize unless every run is stored with its
// experiment's inputs and whole, naming those that are not.
func (b *batchRun) checkStored(ctx context.Context) error {
	byReason := map[results.Missing][]string{}
	for i := range b.runs.Len() {
		if ctx.Err() != nil {
			return b.interrupted()
		}
		r := b.runs.Run(i)
		w := b.byExp[r.Experiment].w
		why := w.Why(&r)
		if why == results.NotMissing {
			continue
		}
		id := r.ID
		if differ := w.InputsDiffer(); why == results.OtherInputs && differ != "" {
			id += " (" + differ + ")"
		}
		byReason[why] = append(byReason[why], id)
	}
	var problems []string
	for _, why := range []results.Missing{results.NotStored, results.OtherInputs, results.Damaged} {
		if ids := byReason[why]; len(ids) > 0 {
			problems = append(problems, fmt.Sprintf("%s %v, such as %s", runsAre(len(ids)), why, ids[0]))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("cannot summarize %s under %s: %s; run them first (every shard, with the same experiment files and flags), and summarize again",
		prose.Count(b.runs.Len(), "run"), b.o.Out, prose.And(problems))
}

// runsAre writes "1 run is" or "3 runs are".
func runsAre(n int) string {
	if n == 1 {
		return "1 run is"
	}
	return prose.Thousands(int64(n)) + " runs are"
}
