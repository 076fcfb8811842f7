package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"syscall"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Run runs a batch: the runs of exps (or of one shard of them) into the
// results folder o.Out. A run stored with the same inputs, method and
// intact files is reused; the others are computed and written, each run's
// folder as it finishes. Then each experiment's summary, and the results
// folder's, are rebuilt from what the runs recorded. With o.Check it
// computes every run and writes nothing.
func Run(ctx context.Context, exps []*experiment.Experiment, o *Options) (*Report, error) {
	return run(ctx, exps, o, false)
}

// Summarize rebuilds the summaries of exps from their stored runs, after
// their shards ran: every run must be stored, with the experiment's
// inputs. Its summaries are then byte for byte those of one Run.
func Summarize(ctx context.Context, exps []*experiment.Experiment, o *Options) (*Report, error) {
	return run(ctx, exps, o, true)
}

func run(ctx context.Context, exps []*experiment.Experiment, o *Options, summarize bool) (*Report, error) {
	estimate, err := Preflight(exps, o)
	if err != nil {
		return nil, err
	}
	mode, shard := results.Write, ""
	switch {
	case o.Check:
		mode = results.Compare
	case o.Shard.N > 0:
		mode, shard = results.Shard, fmt.Sprintf("%d-of-%d", o.Shard.K, o.Shard.N)
	}
	store, err := results.Open(o.Out, results.Options{Mode: mode, FS: o.FS, Shard: shard, Runner: o.Runner, Command: o.Command})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	b := newBatch(store, exps, o)
	if summarize {
		if err := b.checkStored(ctx); err != nil {
			return nil, err
		}
		b.summarize = true
	} else if mode != results.Compare {
		if err := b.checkSpace(estimate); err != nil {
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
	store *results.Store
	o     *Options
	exps  []*experiment.Experiment
	plan  *experiment.Plan
	runs  batch.Runs
	// trusted are the experiments whose stored summary is that of their
	// stored runs, so that a reused run's row may be taken from it.
	trusted map[*experiment.Experiment]bool
	// existed are the experiments whose folder was there before the batch,
	// which may hold stale runs.
	existed   map[*experiment.Experiment]bool
	summarize bool
	current   *experimentWriter
	done      int
	report    *Report
}

func newBatch(store *results.Store, exps []*experiment.Experiment, o *Options) *batchRun {
	plan := experiment.NewPlan(exps)
	b := &batchRun{store: store, o: o, exps: exps, plan: plan, runs: plan,
		trusted: map[*experiment.Experiment]bool{}, existed: map[*experiment.Experiment]bool{},
		report: &Report{Summary: render.NewRows(render.MaxSummaryTerminalRows), ByStatus: map[string]*StatusCount{}}}
	if o.Shard.N > 0 {
		b.runs = batch.Shard{Runs: plan, K: o.Shard.K, N: o.Shard.N}
	}
	b.report.Runs = b.runs.Len()
	for _, e := range exps {
		b.trusted[e] = o.Shard.N == 0 && !o.Check && !store.Unfinished(e.Name)
		_, err := fs.Stat(store.View(), e.Name)
		b.existed[e] = err == nil
	}
	return b
}

// runResult is what a run leaves for the summaries, in order.
type runResult struct {
	e        *experiment.Experiment
	id       string
	row      results.Row
	haveRow  bool
	record   []byte // a reused run's record, if its row is to be found
	computed bool
	detail   *render.Run
}

// execute runs the batch, writing each run's folder as it finishes and
// each experiment's summary as its runs come in order.
func (b *batchRun) execute(ctx context.Context) error {
	err := batch.Execute(ctx, b.runs, b.o.Workers, b.do, b.emit)
	if b.current != nil {
		if err == nil && ctx.Err() == nil {
			err = b.finishExperiment()
		} else {
			b.current.abort()
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %d of %d runs finished; their folders are whole, and the summaries were not updated (runner run again continues where it stopped)", b.done, b.runs.Len())
	}
	return err
}

// do reuses or computes run i.
func (b *batchRun) do(ctx context.Context, i int, r experiment.Run) (runResult, error) {
	e := r.Experiment
	in := results.InputsOf(&r, b.o.CSVDigits)
	names := runFileNames(e, b.o.Pictures)
	detailed := b.runs.Len() <= MaxDetailed
	res := runResult{e: e, id: r.ID}
	if !b.o.Force && !b.o.Check && b.existed[e] {
		if data, ok := b.store.Reusable(r.ID, &in, names); ok {
			res.record = data
			if b.trusted[e] && !detailed {
				return res, nil // its row comes from the stored summary
			}
			rec, err := results.ParseRecord(data)
			if err == nil {
				res.row, res.haveRow = results.RowOf(rec), true
				if detailed {
					res.detail, err = readDetail(b.store, rec)
				}
				return res, err
			}
		}
	}
	if b.summarize {
		return res, fmt.Errorf("%s: not stored with the experiment's inputs; run it first", b.store.Path(r.ID))
	}
	return b.compute(ctx, r, in, names, detailed)
}

// compute runs a run, streaming its trace into its folder, writes its
// other files and its record, and puts the folder in place.
func (b *batchRun) compute(ctx context.Context, r experiment.Run, in results.Inputs, names []string, detailed bool) (res runResult, err error) {
	newRun := b.store.NewRun
	if !b.existed[r.Experiment] {
		newRun = b.store.NewRunInNew
	}
	w, err := newRun(r.ID)
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	trace, err := w.Create(results.TraceFile)
	if err != nil {
		return res, err
	}
	tw, err := results.NewTraceWriter(trace, in.Train, len(in.Data), in.CSVDigits, in.TraceEvery)
	if err != nil {
		return res, err
	}
	var ends *engine.Ends // the rows of its table, if it has one or is shown
	if detailed || slices.Contains(names, results.IterationsFile) {
		ends = engine.NewEnds(render.KeptRows)
		tw.OnRow = func(it *engine.Iteration) { ends.Record(it) }
	}
	path := plots.NewPath()
	observe := tw.Observe
	if slices.Contains(names, results.DescentFile) {
		observe = func(it *engine.Iteration) error {
			path.Observe(it)
			return tw.Observe(it)
		}
	}
	o, err := batch.Run(ctx, r, observe)
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return res, err
	}
	rec := recordOf(&r, in, &o)
	view := &render.Run{Record: rec}
	if ends != nil {
		view.Rows, view.TraceRows = ends.Iterations(), ends.Seen()
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
	if _, err := w.Commit(rec); err != nil {
		return res, err
	}
	res = runResult{e: r.Experiment, id: r.ID, row: results.RowOf(rec), haveRow: true, computed: true}
	if detailed {
		res.detail = view
	}
	return res, nil
}

// recordOf returns the record of a run's outcome.
func recordOf(r *experiment.Run, in results.Inputs, o *batch.Outcome) *results.Record {
	rec := &results.Record{Run: r.ID, Method: results.Method, Inputs: in, Outcome: results.Outcome{
		Status: o.Result.Status, Iterations: o.Result.Iterations, Final: o.Result.Final.Params, SSR: o.Result.FinalSSR,
	}}
	for _, c := range o.Checks {
		rec.Outcome.Checks = append(rec.Outcome.Checks, results.Check{Reached: c.Reached, Computed: c.Computed, Holds: c.Holds})
	}
	return rec
}

// runFile renders one of a run's files but its trace and record.
func runFile(name string, view *render.Run, o *batch.Outcome, path *plots.Path) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch name {
	case results.IterationsFile:
		err = render.IterationsMarkdown(&b, view)
	case results.ExpectedFile:
		err = render.ExpectedMarkdown(&b, view.Record)
	case results.DescentFile:
		return plots.Descent(o, path)
	case results.FitFile:
		return plots.Fit(o)
	default:
		err = fmt.Errorf("no such file of a run: %s", name)
	}
	return b.Bytes(), err
}

// readDetail reads what the terminal shows of a stored run: the ends of
// its trace.
func readDetail(store *results.Store, rec *results.Record) (*render.Run, error) {
	ends, err := ReadEnds(store.View(), rec)
	if err != nil {
		return nil, err
	}
	return &render.Run{Record: rec, Rows: ends.Iterations(), TraceRows: ends.Seen()}, nil
}

// emit takes run i's result, in order: it writes the run's row in its
// experiment's summary, and notes what the terminal shows of it.
func (b *batchRun) emit(i int, res runResult) error {
	if b.current == nil || b.current.e != res.e {
		if b.current != nil {
			if err := b.finishExperiment(); err != nil {
				return err
			}
		}
		var err error
		if b.current, err = b.beginExperiment(res.e); err != nil {
			return err
		}
	}
	var have *results.Row
	if res.haveRow {
		have = &res.row
	}
	row, err := b.current.row(res.id, have, res.record)
	if err != nil {
		return err
	}
	if err := b.current.add(&row); err != nil {
		return err
	}
	b.note(&row, res)
	b.done++
	if b.o.Progress != nil {
		b.o.Progress(b.done)
	}
	return nil
}

// note notes what the report shows of a run.
func (b *batchRun) note(row *results.Row, res runResult) {
	r := b.report
	if res.computed {
		r.Computed++
	} else {
		r.Reused++
	}
	if res.detail != nil {
		r.Details = append(r.Details, res.detail)
	}
	r.Summary.Add(row)
	if held, pinned := row.Checks(); held < pinned {
		where := ""
		if slices.Contains(runFileNames(res.e, b.o.Pictures), results.ExpectedFile) {
			where = b.store.Path(res.id + "/" + results.ExpectedFile)
		}
		r.Failed = append(r.Failed, FailedRun{Run: res.id, Failed: pinned - held, Pinned: pinned, Where: where})
	}
	status := row[results.ColStatus]
	c := r.ByStatus[status]
	if c == nil {
		c = &StatusCount{}
		r.ByStatus[status] = c
	}
	c.N++
	if len(c.First) < maxNamed {
		c.First = append(c.First, res.id)
	}
}

// checkStored refuses to summarize unless every run is stored with its
// experiment's inputs, naming those that are not.
func (b *batchRun) checkStored(ctx context.Context) error {
	var missing, different, damaged []string
	for i := range b.runs.Len() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := b.runs.Run(i)
		in := results.InputsOf(&r, b.o.CSVDigits)
		if _, ok := b.store.Reusable(r.ID, &in, runFileNames(r.Experiment, b.o.Pictures)); ok {
			continue
		}
		switch rec, err := results.ReadRecord(b.store.View(), r.ID); {
		case errors.Is(err, syscall.ENOENT):
			missing = append(missing, r.ID)
		case err == nil && !bytes.HasPrefix(rec.Render(), results.Head(r.ID, &in)):
			different = append(different, r.ID+" ("+inputsDiffer(rec, &in)+")")
		default:
			damaged = append(damaged, r.ID)
		}
	}
	var problems []string
	for _, p := range []struct {
		ids  []string
		what string
	}{{missing, "not stored"}, {different, "stored with other inputs than the experiment's"}, {damaged, "stored with other files, or damaged"}} {
		if len(p.ids) > 0 {
			problems = append(problems, fmt.Sprintf("%s %s, such as %s", runsAre(len(p.ids)), p.what, p.ids[0]))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("cannot summarize %s under %s: %s; run them first (every shard, with the same experiment files and flags), and summarize again",
		prose.Count(b.runs.Len(), "run"), b.o.Out, prose.And(problems))
}

// inputsDiffer names the first input in which a record differs from the
// run's inputs.
func inputsDiffer(rec *results.Record, in *results.Inputs) string {
	got := bytes.Split(results.Head(rec.Run, &rec.Inputs), []byte("\n"))
	want := bytes.Split(results.Head(rec.Run, in), []byte("\n"))
	for i := range min(len(got), len(want)) {
		if !bytes.Equal(got[i], want[i]) && !bytes.HasPrefix(got[i], []byte("inputs_sha256")) {
			return fmt.Sprintf("recorded %s, the experiment gives %s", bytes.TrimSpace(got[i]), bytes.TrimSpace(want[i]))
		}
	}
	return "its method differs: run it again"
}

// checkSpace refuses a batch whose estimate exceeds the space free on the
// results folder's file system, counting the runs not stored yet.
func (b *batchRun) checkSpace(total Estimate) error {
	free, err := freeBytes(b.o.Out)
	if err != nil || total.Bytes <= free {
		return nil // the estimate fits, or the free space is not known
	}
	stored := 0
	for i := range b.runs.Len() {
		if _, err := b.store.View().Open(b.runs.Run(i).ID + "/" + results.RecordFile); err == nil {
			stored++
		}
	}
	need := total.Bytes - total.Bytes*int64(stored)/int64(max(1, total.Runs))
	if need <= free {
		return nil
	}
	return fmt.Errorf("the batch could write %s (%d of its %s are not stored yet, if every run takes max_iterations), more than the %s free on the file system of %s; free some space, write elsewhere with -o, set trace_every: K, or lower max_iterations",
		Bytes(need), total.Runs-stored, prose.Count(total.Runs, "run"), Bytes(free), b.o.Out)
}

// runsAre writes "1 run is" or "3 runs are".
func runsAre(n int) string {
	if n == 1 {
		return "1 run is"
	}
	return prose.Thousands(int64(n)) + " runs are"
}
