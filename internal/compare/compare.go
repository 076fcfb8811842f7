// Package compare compares two results folders run by run, as runner diff
// does: the runs added and removed, and for each run in both, the inputs
// that changed (exactly) apart from the outcomes that changed (within a
// tolerance), and its files themselves, not their records' claims: its
// trace read as a stream (so that memory does not grow with its length),
// its other files byte for byte, each checked against its own record on
// the way. The folders are fs.FS: on disk, or a commit of a git
// repository, whose equal blob ids prove equal bytes without reading them.
package compare

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Tolerance says when two numbers count as equal: when they differ by at
// most Abs + Rel·max(|a|, |b|). Infinities equal only the same infinity,
// and NaN equals NaN. The zero Tolerance asks for equal numbers.
type Tolerance struct {
	Abs, Rel float64
}

// Equal reports whether a and b are equal within the tolerance.
func (t Tolerance) Equal(a, b float64) bool {
	switch {
	case a == b, math.IsNaN(a) && math.IsNaN(b):
		return true
	case !isFinite(a) || !isFinite(b):
		return false
	}
	return math.Abs(a-b) <= t.Abs+t.Rel*max(math.Abs(a), math.Abs(b))
}

func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// Source is a results folder to compare.
type Source struct {
	// Name names it in reports: a folder, or a revision and its folder.
	Name string
	FS   fs.FS
}

// Report is how two results folders differ.
type Report struct {
	Old, New  string
	Tolerance Tolerance
	// Added and Removed are the runs only in the new folder, and only in
	// the old one.
	Added, Removed []RunRef
	// Changed are the runs in both that differ beyond the tolerance;
	// Unchanged the others.
	Changed   []Change
	Unchanged []string
	// Damaged are summaries, on either side, that are not what their
	// records give (a summary restored from another revision, say, or not
	// a regular file), named as side:path.
	Damaged []string
}

// ChangedExperiments returns the experiments of the runs added, removed
// or changed, sorted.
func (r *Report) ChangedExperiments() []string {
	seen := map[string]bool{}
	add := func(id string) {
		name, _, _ := strings.Cut(id, "/")
		seen[name] = true
	}
	for _, run := range slices.Concat(r.Added, r.Removed) {
		add(run.ID)
	}
	for _, c := range r.Changed {
		add(c.Run)
	}
	return slices.Sorted(maps.Keys(seen))
}

// Differs reports whether the folders differ.
func (r *Report) Differs() bool {
	return len(r.Added)+len(r.Removed)+len(r.Changed)+len(r.Damaged) > 0
}

// RunRef names a run added or removed, and how it ended.
type RunRef struct {
	ID     string
	Status engine.Status
}

// Change is how a run differs.
type Change struct {
	Run string
	// Inputs are the inputs that changed: data, starting values, α,
	// tolerance, … (as the run's record gives them), compared exactly.
	Inputs []Value
	// Outcome are the outcomes that changed: status, iterations, final
	// values, SSR, published values that hold.
	Outcome []Value
	// Trace says how its trace changed, if it did.
	Trace *TraceChange
	// Files are its other files whose bytes changed (tables, pictures),
	// unless they may differ only by results within the tolerance (see
	// settleFiles).
	Files []string
	// Damaged are its files that do not match their own record, on either
	// side: edited by hand, or damaged.
	Damaged []string
}

// Value is a value that changed.
type Value struct {
	Field    string
	Old, New string
	// Numbers says whether both are numbers; then Abs and Rel are their
	// absolute and relative differences (+Inf if either is not finite).
	Numbers  bool
	Abs, Rel float64
}

// TraceChange is how a trace changed.
type TraceChange struct {
	// OldRows and NewRows are the rows of the old and the new trace.
	OldRows, NewRows int
	// OldColumns and NewColumns are the headers, if they differ; then no
	// cell is compared.
	OldColumns, NewColumns []string
	// First is the first cell that differs; LargestAbs and LargestRel the
	// cells of the largest absolute and relative differences. Nil if no
	// cell differs.
	First, LargestAbs, LargestRel *Cell
}

// Cell is a cell of a trace that differs.
type Cell struct {
	Iteration int
	Column    string
	Old, New  string
	Abs, Rel  float64
}

// side is one of the folders compared, read.
type side struct {
	Source
	experiments map[string]*results.ExperimentManifest
	// summary is the summary.csv its records give, hashed as its
	// experiments' records are read.
	summary     hash.Hash
	summaryRows *results.SummaryWriter
}

// Folders compares two results folders, run by run in identifier order.
// It stops, with ctx's error, once ctx is done.
func Folders(ctx context.Context, old, new Source, tol Tolerance) (*Report, error) {
	r := &Report{Old: old.Name, New: new.Name, Tolerance: tol}
	var sides [2]*side
	for i, s := range []Source{old, new} {
		var err error
		if sides[i], err = read(s); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	names := map[string]bool{}
	for _, s := range sides {
		for name := range s.experiments {
			names[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if err := r.experiment(ctx, sides, name); err != nil {
			return nil, err
		}
	}
	for _, s := range sides {
		if err := s.summaryRows.Flush(); err != nil {
			return nil, err
		}
		r.checkSummary(s, results.SummaryFile, s.summary)
	}
	for _, list := range [][]RunRef{r.Added, r.Removed} {
		slices.SortFunc(list, func(a, b RunRef) int { return strings.Compare(a.ID, b.ID) })
	}
	slices.SortFunc(r.Changed, func(a, b Change) int { return strings.Compare(a.Run, b.Run) })
	slices.Sort(r.Unchanged)
	return r, nil
}

// read reads a results folder's manifests.
func read(s Source) (*side, error) {
	top, err := results.ReadFolder(s.FS)
	if err != nil {
		return nil, err
	}
	sd := &side{Source: s, experiments: map[string]*results.ExperimentManifest{}, summary: sha256.New()}
	if sd.summaryRows, err = results.NewSummaryWriter(sd.summary); err != nil {
		return nil, err
	}
	for _, name := range top.Experiments {
		m, err := results.ReadManifest(s.FS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // its folder is gone: it has no runs here
		}
		if err != nil {
			return nil, notAsWritten(err)
		}
		sd.experiments[name] = m
	}
	return sd, nil
}

// records reads an experiment's records on one side, by run, and its
// runs in order; none if the side has not the experiment.
func (s *side) records(ctx context.Context, name string) (map[string]*results.Record, []string, error) {
	m, ok := s.experiments[name]
	recs := map[string]*results.Record{}
	var ids []string
	if !ok {
		return recs, nil, nil
	}
	err := results.ReadRecords(s.FS, m, func(rec *results.Record) error {
		recs[rec.Run], ids = rec, append(ids, rec.Run)
		return ctx.Err()
	})
	switch {
	case ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("%s: experiment %s has no %s: its writing was interrupted, or its shards are not summarized yet; run runner run, or runner summarize once every shard is done", s.Name, name, results.RecordsFile)
	case err != nil:
		return nil, nil, s.unreadable(err)
	}
	return recs, ids, nil
}

// experiment compares the runs of an experiment on both sides, and
// checks each side's summary of it.
func (r *Report) experiment(ctx context.Context, sides [2]*side, name string) error {
	old, oldIDs, err := sides[0].records(ctx, name)
	if err != nil {
		return err
	}
	newRecs, ids, err := sides[1].records(ctx, name)
	if err != nil {
		return err
	}
	for i, in := range []struct {
		recs map[string]*results.Record
		ids  []string
	}{{old, oldIDs}, {newRecs, ids}} {
		if _, ok := sides[i].experiments[name]; ok {
			if err := r.summarize(sides[i], name, in.recs, in.ids); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b := newRecs[id]
		a, inOld := old[id]
		if !inOld {
			r.Added = append(r.Added, RunRef{ID: id, Status: b.Outcome.Status})
			continue
		}
		delete(old, id)
		c, err := compareRun(sides, a, b, r.Tolerance)
		if err != nil {
			return err
		}
		if c == nil {
			r.Unchanged = append(r.Unchanged, id)
		} else {
			r.Changed = append(r.Changed, *c)
		}
	}
	for id, a := range old {
		r.Removed = append(r.Removed, RunRef{ID: id, Status: a.Outcome.Status})
	}
	return nil
}

// unreadable is the error of a file of a side that cannot be read as the
// runner writes it.
func (s *side) unreadable(err error) error {
	return fmt.Errorf("%s: %w", s.Name, notAsWritten(err))
}

// notAsWritten is the error of a file that cannot be read as the runner
// writes it, with what to do.
func notAsWritten(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		err = fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return fmt.Errorf("%w; the results there are not as the runner writes them: run runner run to write them again, or restore them from git", err)
}

// summarize checks a side's summary of an experiment against what its
// records give, and adds them to the side's summary of every experiment.
func (r *Report) summarize(s *side, name string, recs map[string]*results.Record, ids []string) error {
	h := sha256.New()
	rows, err := results.NewSummaryWriter(h)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := errors.Join(rows.Write(recs[id]), s.summaryRows.Write(recs[id])); err != nil {
			return err
		}
	}
	if err := rows.Flush(); err != nil {
		return err
	}
	r.checkSummary(s, path.Join(name, results.SummaryFile), h)
	return nil
}

// checkSummary names a side's summary as damaged if it is not the bytes
// whose hash want is: not there, not a regular file, or other bytes.
func (r *Report) checkSummary(s *side, rel string, want hash.Hash) {
	h := sha256.New()
	f, err := s.FS.Open(rel)
	if err == nil {
		_, err = io.Copy(h, f)
		f.Close()
	}
	if err != nil || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		r.Damaged = append(r.Damaged, s.Name+":"+rel)
	}
}

// compareRun compares a run of both folders: its records, then its
// files; it returns nil if it did not change beyond the tolerance.
func compareRun(sides [2]*side, a, b *results.Record, tol Tolerance) (*Change, error) {
	c := &Change{Run: a.Run, Inputs: inputs(a, b), Outcome: outcome(a, b, tol)}
	oldFiles, newFiles := fileSums(a), fileSums(b)
	var differing []string
	tracesDiffer := false // in their bytes
	for _, name := range slices.Sorted(keysOf(oldFiles, newFiles)) {
		_, inOld := oldFiles[name]
		_, inNew := newFiles[name]
		if !inOld || !inNew {
			c.Files = append(c.Files, name)
			continue
		}
		var err error
		differs := false
		if name == results.TraceFile {
			tracesDiffer, err = c.compareTraces(sides, a, b, tol)
		} else {
			differs, err = c.compareFiles(sides, a, b, name)
		}
		if err != nil {
			return nil, err
		}
		if differs {
			differing = append(differing, name)
		}
	}
	c.settleFiles(differing, tracesDiffer, tol)
	if len(c.Inputs)+len(c.Outcome)+len(c.Files)+len(c.Damaged) == 0 && c.Trace == nil {
		return nil, nil
	}
	return c, nil
}

// sameBlob reports whether a file is the same git blob on both sides: the
// same bytes, whatever they are.
func sameBlob(sides [2]*side, name string) bool {
	type blobber interface{ BlobID(string) (string, bool) }
	a, ok1 := sides[0].FS.(blobber)
	b, ok2 := sides[1].FS.(blobber)
	if !ok1 || !ok2 {
		return false
	}
	x, ok1 := a.BlobID(name)
	y, ok2 := b.BlobID(name)
	return ok1 && ok2 && x == y
}

// compareFiles compares one of a run's files byte for byte, and each side
// with its record. It reports whether the bytes differ.
func (c *Change) compareFiles(sides [2]*side, a, b *results.Record, name string) (bool, error) {
	rel := path.Join(a.Run, name)
	if sameBlob(sides, rel) {
		if fileSums(a)[name] != fileSums(b)[name] {
			c.Damaged = append(c.Damaged, rel) // the same bytes, which both records cannot describe
		}
		return false, nil
	}
	var sums [2]results.FileSum
	var data [2][]byte
	for i, s := range sides {
		d, err := fs.ReadFile(s.FS, rel)
		if err != nil {
			return false, s.unreadable(err)
		}
		data[i] = d
		sums[i], _ = results.SumOf(name, bytes.NewReader(d))
	}
	for i, rec := range []*results.Record{a, b} {
		if sums[i] != fileSums(rec)[name] {
			c.Damaged = append(c.Damaged, sides[i].Name+":"+rel)
		}
	}
	return !bytes.Equal(data[0], data[1]), nil
}

// settleFiles lists the run's other files whose bytes differ, unless
// their differences may be those of results within the tolerance, which
// its tables and pictures show too: the run's outcome and trace are the
// same within it, though its traces are not the same bytes. Files of a
// run changed beyond the tolerance, or whose traces are the same bytes
// (a table or picture drawn otherwise), are listed whatever the
// tolerance.
func (c *Change) settleFiles(differing []string, tracesDiffer bool, tol Tolerance) {
	within := tol != (Tolerance{}) && len(c.Outcome) == 0 && c.Trace == nil && tracesDiffer
	if !within {
		c.Files = append(c.Files, differing...)
		slices.Sort(c.Files)
	}
}

// fileSums returns a run's files by name, with their sizes and SHA-256.
func fileSums(rec *results.Record) map[string]results.FileSum {
	sums := map[string]results.FileSum{}
	for _, f := range rec.Files {
		sums[f.Name] = f
	}
	return sums
}

// keysOf iterates over the keys of two maps, each once.
func keysOf(a, b map[string]results.FileSum) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok && !yield(k) {
				return
			}
		}
	}
}

// inputs lists the inputs that differ between two records of a run,
// compared exactly: a tolerance is for results, not for what a run is run
// with.
func inputs(a, b *results.Record) []Value {
	var vs values
	ia, ib := &a.Inputs, &b.Inputs
	if len(ia.Data) != len(ib.Data) {
		vs.text("data", prose.Count(len(ia.Data), "point"), prose.Count(len(ib.Data), "point"))
	} else {
		for i := range ia.Data {
			vs.number(fmt.Sprintf("data[%d].x", i+1), experiment.FormatValue(ia.Data[i].X), experiment.FormatValue(ib.Data[i].X), Tolerance{})
			vs.number(fmt.Sprintf("data[%d].y", i+1), experiment.FormatValue(ia.Data[i].Y), experiment.FormatValue(ib.Data[i].Y), Tolerance{})
		}
	}
	for _, col := range []results.Column{results.ColTrain, results.ColActivation} {
		vs.text(col.String(), a.Cell(col).Text, b.Cell(col).Text)
	}
	cols := []results.Column{results.ColAlpha, results.ColTolerance, results.ColMaxIterations}
	for _, p := range engine.AllParams.List() {
		cols = append(cols, results.Initial(p))
	}
	for _, col := range cols {
		vs.number(col.String(), a.Cell(col).Text, b.Cell(col).Text, Tolerance{})
	}
	vs.text("trace_every", strconv.Itoa(ia.TraceEvery), strconv.Itoa(ib.TraceEvery))
	vs.text("csv_digits", strconv.Itoa(ia.CSVDigits), strconv.Itoa(ib.CSVDigits))
	if len(ia.Expected) != len(ib.Expected) {
		vs.text("expected", prose.Count(len(ia.Expected), "value")+" pinned", prose.Count(len(ib.Expected), "value")+" pinned")
	} else {
		for i := range ia.Expected {
			vs.text(fmt.Sprintf("expected[%d]", i+1), pin(ia.Expected[i]), pin(ib.Expected[i]))
		}
	}
	return vs
}

// pin writes a pinned value in a line: "iteration 2 predicted_2 -0.03
// (tolerance 0.02)".
func pin(p experiment.Pin) string {
	where := "final"
	if p.Iteration > 0 {
		where = "iteration " + strconv.Itoa(p.Iteration)
	}
	s := fmt.Sprintf("%s %s %s", where, p.Column, p.Printed)
	if p.Widened > 0 {
		s += " (tolerance " + experiment.FormatValue(p.Widened) + ")"
	}
	return s
}

// outcome lists the outcomes that differ between two records of a run.
func outcome(a, b *results.Record, tol Tolerance) []Value {
	var vs values
	vs.text("status", a.Outcome.Status.String(), b.Outcome.Status.String())
	vs.number("iterations", a.Cell(results.ColIterations).Text, b.Cell(results.ColIterations).Text, tol)
	for _, p := range engine.AllParams.List() {
		col := results.Final(p)
		vs.number(col.String(), a.Cell(col).Text, b.Cell(col).Text, tol)
	}
	vs.number(results.ColSSRFinal.String(), a.Cell(results.ColSSRFinal).Text, b.Cell(results.ColSSRFinal).Text, tol)
	vs.text("expected", a.Cell(results.ColExpected).Text, b.Cell(results.ColExpected).Text)
	return vs
}

// values collects values that differ.
type values []Value

// text notes a value that differs as text.
func (vs *values) text(field, a, b string) {
	if a != b {
		*vs = append(*vs, Value{Field: field, Old: a, New: b})
	}
}

// number notes a value that differs beyond the tolerance, as a number if
// both are.
func (vs *values) number(field, a, b string, tol Tolerance) {
	if a == b {
		return
	}
	x, y, ok := numbers(a, b)
	if !ok {
		vs.text(field, a, b)
		return
	}
	if tol.Equal(x, y) {
		return
	}
	abs, rel := gap(x, y)
	*vs = append(*vs, Value{Field: field, Old: a, New: b, Numbers: true, Abs: abs, Rel: rel})
}

// numbers parses two cells as numbers.
func numbers(a, b string) (float64, float64, bool) {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	return x, y, errA == nil && errB == nil
}

// gap returns the absolute and relative differences of two numbers that
// are not equal: +Inf if either is not finite.
func gap(x, y float64) (abs, rel float64) {
	if !isFinite(x) || !isFinite(y) {
		return math.Inf(1), math.Inf(1)
	}
	abs = math.Abs(x - y)
	if m := max(math.Abs(x), math.Abs(y)); m > 0 {
		rel = abs / m
	}
	return abs, rel
}

// compareTraces compares a run's two traces, row by row as they are read,
// and each with its record (its size, SHA-256 and outcome): unless both
// are the same git blob, which both records must then describe.
func (c *Change) compareTraces(sides [2]*side, a, b *results.Record, tol Tolerance) (bool, error) {
	rel := path.Join(a.Run, results.TraceFile)
	if sameBlob(sides, rel) {
		if fileSums(a)[results.TraceFile] != fileSums(b)[results.TraceFile] {
			c.Damaged = append(c.Damaged, rel)
		}
		return false, nil
	}
	var readers [2]*results.TraceReader
	var checks [2]*results.TraceCheck
	for i, s := range sides {
		f, err := s.FS.Open(rel)
		if err != nil {
			return false, s.unreadable(err)
		}
		defer f.Close()
		rec := []*results.Record{a, b}[i]
		checks[i] = results.NewTraceCheck(rec)
		r, err := results.NewTraceReader(io.TeeReader(f, checks[i]))
		if err != nil {
			return false, fmt.Errorf("%s: %s: %w", s.Name, rel, err)
		}
		readers[i] = r
	}
	tc := &TraceChange{}
	if !slices.Equal(readers[0].Header(), readers[1].Header()) {
		tc.OldColumns, tc.NewColumns = readers[0].Header(), readers[1].Header()
	}
	header := readers[0].Header()
	for {
		x, errA := next(readers[0], &tc.OldRows)
		y, errB := next(readers[1], &tc.NewRows)
		for i, err := range []error{errA, errB} {
			if err != nil && err != io.EOF {
				return false, fmt.Errorf("%s: %s: %w", sides[i].Name, rel, err)
			}
		}
		if errA == io.EOF && errB == io.EOF {
			break
		}
		if x == nil || y == nil || tc.OldColumns != nil {
			continue // counting the rows of the longer
		}
		tc.compareRow(header, x, y, tol)
	}
	for i, check := range checks {
		if err := check.Done(); err != nil {
			c.Damaged = append(c.Damaged, sides[i].Name+":"+rel)
		}
	}
	if tc.First != nil || tc.OldRows != tc.NewRows || tc.OldColumns != nil {
		c.Trace = tc
	}
	return checks[0].Sum() != checks[1].Sum(), nil
}

// compareRow compares two rows of a trace, cell by cell.
func (tc *TraceChange) compareRow(header, a, b []string, tol Tolerance) {
	for j := range header {
		if a[j] == b[j] {
			continue
		}
		x, y, ok := numbers(a[j], b[j])
		if ok && tol.Equal(x, y) {
			continue
		}
		iteration, _ := strconv.Atoi(a[0])
		cell := &Cell{Iteration: iteration, Column: header[j], Old: a[j], New: b[j], Abs: math.Inf(1), Rel: math.Inf(1)}
		if ok {
			cell.Abs, cell.Rel = gap(x, y)
		}
		if tc.First == nil {
			tc.First = cell
		}
		if tc.LargestAbs == nil || cell.Abs > tc.LargestAbs.Abs {
			tc.LargestAbs = cell
		}
		if tc.LargestRel == nil || cell.Rel > tc.LargestRel.Rel {
			tc.LargestRel = cell
		}
	}
}

// next reads a row, counting it. The row is the reader's until its next
// read; its cells are strings of their own.
func next(r *results.TraceReader, rows *int) ([]string, error) {
	row, err := r.Next()
	if err != nil {
		return nil, err
	}
	*rows++
	return row, nil
}
