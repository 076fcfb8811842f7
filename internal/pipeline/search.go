package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// A search's probes are runs like a sweep's, each a run folder of its
// experiment (edge/alpha=0.331912056), computed or reused as any run is,
// in rounds: each round's values are a pure function of the outcomes of
// the rounds before (package search), so a rerun proposes the same values,
// finds them stored, and computes nothing; an interrupted search resumes
// where it stopped. A search runs whole in the batch (or the shard) that
// owns it, after the batch's other runs.

// SearchReport is what a search found, for the command line.
type SearchReport struct {
	Experiment string
	// Pos is where the search is declared, for its failure.
	Pos   experiment.Position
	Field string
	Find  search.Find
	// Answer is what it found, unless Failure says why it could not.
	Answer  search.Answer
	Failure error
	// Theory is, for a search of α on b3 alone, the exact answer of the
	// closed form of the descent (engine.B3Descent); NaN otherwise.
	Theory float64
	// Limit is, for an edge search, 2/λ_max of the Hessian at the final
	// parameters of the last run that converged (engine.StabilityLimit).
	Limit float64
	// Precision is the relative width the search was to narrow its
	// bracket to.
	Precision float64
	// Range is the analysis of a range test.
	Range *search.RangeAnalysis
}

// searchRuns are the runs of one round of a search, as batch.Runs.
type searchRuns struct {
	e      *experiment.Experiment
	values []float64
}

func (s searchRuns) Len() int                 { return len(s.values) }
func (s searchRuns) Run(i int) experiment.Run { return s.e.SearchRun(s.values[i]) }

// ownsSearch reports whether the batch runs the j-th search of its
// experiments: all of them, or one shard's share.
func (b *batchRun) ownsSearch(j int) bool {
	return b.o.Shard.Contains(j)
}

// searches runs the batch's searches of probes, one after the other.
func (b *batchRun) searches(ctx context.Context) error {
	for j, x := range b.probing {
		if !b.ownsSearch(j) {
			x.w.Abort()
			continue
		}
		if err := b.runSearch(ctx, x); err != nil {
			return err
		}
	}
	return nil
}

// runSearch runs a search's rounds, adding each probe to its experiment's
// files in the order probed, then finishes the experiment.
func (b *batchRun) runSearch(ctx context.Context, x *experimentRun) error {
	e := x.e
	s, err := e.Search.Spec.Start(nil)
	if err != nil {
		return err
	}
	report := &SearchReport{Experiment: e.Name, Pos: e.Search.Pos, Field: e.Search.Field, Find: e.Search.Spec.Find, Theory: math.NaN(), Limit: math.NaN(),
		Precision: e.Search.Spec.EffectivePrecision()}
	var path bytes.Buffer
	path.WriteString("round,value,status,iterations,rate,low,high\n")
	converged := map[float64]*results.Record{} // the probes that converged, by value
	for round := 1; ; round++ {
		values := s.Next()
		if len(values) == 0 {
			break
		}
		probes := make([]search.Probe, len(values))
		recs := make([]*results.Record, len(values))
		emit := func(i int, res runResult) error {
			if err := b.add(res); err != nil {
				return err
			}
			rec := res.stored.Record
			recs[i] = rec
			probes[i] = search.Probe{Value: values[i], Status: rec.Outcome.Status, Iterations: rec.Outcome.Iterations, Rate: res.rate}
			return nil
		}
		if err := batch.Execute(ctx, searchRuns{e, values}, b.o.Workers, b.do, emit); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := s.Record(probes)
		for i, p := range probes {
			if p.Converged() {
				converged[p.Value] = recs[i]
			}
		}
		var failure *search.Failure
		if errors.As(err, &failure) {
			report.Failure = failure
			writePath(&path, round, probes, math.NaN(), math.NaN())
			break
		}
		if err != nil {
			return err
		}
		low, high := s.Bracket()
		writePath(&path, round, probes, low, high)
	}
	if report.Failure == nil {
		if report.Answer, err = s.Answer(); err != nil {
			return err
		}
		report.Theory = theory(e)
		if rec := converged[report.Answer.Best.Value]; report.Find == search.Edge && rec != nil {
			report.Limit = engine.StabilityLimit(rec.Network(), e.Data, e.Settings.Trained())
		}
	}
	b.report.Searches = append(b.report.Searches, report)
	if b.o.Shard.Whole() {
		if err := x.w.Put(results.SearchFile, path.Bytes()); err != nil {
			return err
		}
	}
	return b.finish(x)
}

// writePath writes a round of a search's path: each probe, and the
// bracket after the round.
func writePath(w *bytes.Buffer, round int, probes []search.Probe, low, high float64) {
	for _, p := range probes {
		fmt.Fprintf(w, "%d,%s,%v,%d,%s,%s,%s\n", round, experiment.FormatValue(p.Value), p.Status, p.Iterations,
			results.FormatCSV(p.Rate, results.DefaultCSVDigits), bound(low), bound(high))
	}
}

// bound writes a bound of a bracket, empty if there is none.
func bound(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return experiment.FormatValue(v)
}

// theory returns the exact answer of a search of α for b3 alone, from the
// closed form of its descent; NaN for any other.
func theory(e *experiment.Experiment) float64 {
	if e.Search.Field != "alpha" || e.Settings.Trained() != engine.NewParamSet(engine.B3) {
		return math.NaN()
	}
	d := engine.NewB3Descent(e.Start, e.Data, e.Settings)
	switch e.Search.Spec.Find {
	case search.Edge:
		if edge, ok := d.Edge(); ok {
			return edge
		}
	case search.Fastest:
		return d.Fastest()
	}
	return math.NaN()
}

// rateOf returns how fast a run's steps shrank (engine.StepRate), from its
// first and last iterations as its trace writes them: rounded to its CSV
// digits, so that a run computed and a run stored give the same rate.
func rateOf(first, last *engine.Iteration, iterations, digits int) float64 {
	round := func(vs []float64) []float64 {
		out := make([]float64, len(vs))
		for i, v := range vs {
			out[i], _ = strconv.ParseFloat(results.FormatCSV(v, digits), 64)
		}
		return out
	}
	return engine.StepRate(round(first.Step), round(last.Step), iterations)
}

// storedRate returns the rate of a stored run, from its trace's ends.
func storedRate(fsys fs.FS, rec *results.Record) (float64, error) {
	v, err := results.ReadRunView(fsys, rec, 1)
	if err != nil {
		return 0, err
	}
	if len(v.Rows) == 0 {
		return 0, fmt.Errorf("%s: its trace has no rows", path.Join(rec.Run, results.TraceFile))
	}
	return rateOf(&v.Rows[0], &v.Rows[len(v.Rows)-1], rec.Outcome.Iterations, rec.Inputs.CSVDigits), nil
}

// rangeFiles are a range test's own files: its schedule as a CSV, and its
// picture, from its trace's SSR as written.
func rangeFiles(fsys fs.FS, rec *results.Record, title string) (*search.RangeAnalysis, []byte, []byte, error) {
	f, err := fsys.Open(path.Join(rec.Run, results.TraceFile))
	if err != nil {
		return nil, nil, nil, err
	}
	return rangeFilesOf(f, rec, title)
}

// rangeFilesOf makes a range test's own files from its trace.
func rangeFilesOf(f io.ReadCloser, rec *results.Record, title string) (*search.RangeAnalysis, []byte, []byte, error) {
	defer f.Close()
	t, err := results.NewTraceReader(f)
	if err != nil {
		return nil, nil, nil, err
	}
	col := -1
	for i, h := range t.Header() {
		if h == "ssr" {
			col = i
		}
	}
	var ssr []float64
	for {
		row, err := t.Next()
		if err != nil {
			break
		}
		v, err := strconv.ParseFloat(row[col], 64)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: line %d: not a number", path.Join(rec.Run, results.TraceFile), t.Line())
		}
		ssr = append(ssr, v)
	}
	a := search.AnalyseRange(rec.Inputs.Settings(), ssr)
	var csv strings.Builder
	csv.WriteString("iteration,alpha,ssr,smoothed_ssr\n")
	for _, p := range a.Points {
		fmt.Fprintf(&csv, "%d,%s,%s,%s\n", p.Iteration, results.FormatCSV(p.Alpha, rec.Inputs.CSVDigits),
			results.FormatCSV(p.SSR, rec.Inputs.CSVDigits), results.FormatCSV(p.Smoothed, rec.Inputs.CSVDigits))
	}
	svg, err := plots.LRRange(title, &a)
	return &a, []byte(csv.String()), svg, err
}
