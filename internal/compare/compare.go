// Package compare compares two results folders run by run, as runner diff
// does: the runs added and removed, and for each run in both, the inputs
// that changed apart from the outcomes that changed, and its trace, read
// as a stream so that memory does not grow with its length. Numbers within
// a tolerance count as equal. The folders are fs.FS: on disk, or a commit
// of a git repository.
package compare

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"

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
	Added, Removed []Run
	// Changed are the runs in both that differ beyond the tolerance;
	// Unchanged the others.
	Changed   []Change
	Unchanged []string
}

// Differs reports whether the folders differ.
func (r *Report) Differs() bool {
	return len(r.Added)+len(r.Removed)+len(r.Changed) > 0
}

// Run is a run added or removed.
type Run struct {
	ID     string
	Status string
}

// Change is how a run differs.
type Change struct {
	Run string
	// Inputs are the inputs that changed: data, starting values, α,
	// tolerance, … (as the run's record gives them).
	Inputs []Value
	// Outcome are the outcomes that changed: status, iterations, final
	// values, SSR, published values that hold.
	Outcome []Value
	// Trace says how its trace changed, if it did.
	Trace *TraceChange
	// Files are its other files whose bytes changed (tables, pictures),
	// compared only without a tolerance.
	Files []string
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
	Iteration string
	Column    string
	Old, New  string
	Abs, Rel  float64
}

// Folders compares two results folders, run by run in identifier order.
func Folders(old, new Source, tol Tolerance) (*Report, error) {
	r := &Report{Old: old.Name, New: new.Name, Tolerance: tol}
	var ids [2][]string
	for i, s := range []Source{old, new} {
		if err := results.CheckFolder(s.FS); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		var err error
		if ids[i], err = allRuns(s.FS); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	a, b := ids[0], ids[1]
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0] < b[0]):
			run, err := only(old, a[0])
			if err != nil {
				return nil, err
			}
			r.Removed, a = append(r.Removed, run), a[1:]
		case len(a) == 0 || b[0] < a[0]:
			run, err := only(new, b[0])
			if err != nil {
				return nil, err
			}
			r.Added, b = append(r.Added, run), b[1:]
		default:
			c, err := compareRun(old, new, a[0], tol)
			if err != nil {
				return nil, err
			}
			if c == nil {
				r.Unchanged = append(r.Unchanged, a[0])
			} else {
				r.Changed = append(r.Changed, *c)
			}
			a, b = a[1:], b[1:]
		}
	}
	return r, nil
}

// allRuns lists the runs of a results folder, sorted.
func allRuns(fsys fs.FS) ([]string, error) {
	exps, err := results.ReadExperiments(fsys)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range exps {
		runs, err := results.RunsOf(fsys, e.Name, nil)
		if err != nil {
			return nil, err
		}
		ids = append(ids, runs...)
	}
	slices.Sort(ids)
	return ids, nil
}

// only describes a run of one folder only.
func only(s Source, id string) (Run, error) {
	rec, err := results.ReadRecord(s.FS, id)
	if err != nil {
		return Run{}, fmt.Errorf("%s: %w", s.Name, err)
	}
	return Run{ID: id, Status: rec.Outcome.Status.String()}, nil
}

// compareRun compares a run of both folders; it returns nil if it did not
// change beyond the tolerance.
func compareRun(old, new Source, id string, tol Tolerance) (*Change, error) {
	var raw [2][]byte
	for i, s := range []Source{old, new} {
		var err error
		if raw[i], err = fs.ReadFile(s.FS, path.Join(id, results.RecordFile)); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	if results.SameRun(raw[0], raw[1]) {
		return nil, nil // the same inputs, outcome, and files by their SHA-256
	}
	var recs [2]*results.Record
	for i, s := range []Source{old, new} {
		rec, err := results.ParseRecord(raw[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %s/%s: %w", s.Name, id, results.RecordFile, err)
		}
		recs[i] = rec
	}
	c := &Change{Run: id, Inputs: inputs(recs[0], recs[1], tol), Outcome: outcome(recs[0], recs[1], tol)}
	oldFiles, newFiles := fileSums(recs[0]), fileSums(recs[1])
	if oldFiles[results.TraceFile] != newFiles[results.TraceFile] {
		var err error
		if c.Trace, err = traces(old, new, id, tol); err != nil {
			return nil, err
		}
	}
	if tol == (Tolerance{}) {
		for _, name := range slices.Sorted(keysOf(oldFiles, newFiles)) {
			if name != results.TraceFile && oldFiles[name] != newFiles[name] {
				c.Files = append(c.Files, name)
			}
		}
	}
	if len(c.Inputs)+len(c.Outcome)+len(c.Files) == 0 && c.Trace == nil {
		return nil, nil
	}
	return c, nil
}

// fileSums returns a run's files by name, with their SHA-256.
func fileSums(rec *results.Record) map[string]string {
	sums := map[string]string{}
	for _, f := range rec.Files {
		sums[f.Name] = f.SHA256
	}
	return sums
}

// keysOf iterates over the keys of two maps, each once.
func keysOf(a, b map[string]string) func(yield func(string) bool) {
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

// inputs lists the inputs that differ between two records of a run.
func inputs(a, b *results.Record, tol Tolerance) []Value {
	var vs values
	ra, rb := results.RowOf(a), results.RowOf(b)
	ia, ib := &a.Inputs, &b.Inputs
	if len(ia.Data) != len(ib.Data) {
		vs.text("data", prose.Count(len(ia.Data), "point"), prose.Count(len(ib.Data), "point"))
	} else {
		for i := range ia.Data {
			vs.number(fmt.Sprintf("data[%d].x", i+1), experiment.FormatValue(ia.Data[i].X), experiment.FormatValue(ib.Data[i].X), tol)
			vs.number(fmt.Sprintf("data[%d].y", i+1), experiment.FormatValue(ia.Data[i].Y), experiment.FormatValue(ib.Data[i].Y), tol)
		}
	}
	for _, c := range []results.Column{results.ColTrain, results.ColActivation} {
		vs.text(c.String(), ra[c], rb[c])
	}
	for _, c := range []results.Column{results.ColAlpha, results.ColTolerance, results.ColMaxIterations} {
		vs.number(c.String(), ra[c], rb[c], tol)
	}
	for _, p := range engine.AllParams.List() {
		c := results.Initial(p)
		vs.number(c.String(), ra[c], rb[c], tol)
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
func pin(p results.Pin) string {
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
	ra, rb := results.RowOf(a), results.RowOf(b)
	vs.text("status", ra[results.ColStatus], rb[results.ColStatus])
	vs.number("iterations", ra[results.ColIterations], rb[results.ColIterations], tol)
	for _, p := range engine.AllParams.List() {
		c := results.Final(p)
		vs.number(c.String(), ra[c], rb[c], tol)
	}
	vs.number(results.ColSSRFinal.String(), ra[results.ColSSRFinal], rb[results.ColSSRFinal], tol)
	vs.text("expected", ra[results.ColExpected], rb[results.ColExpected])
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

// traces compares a run's two traces, row by row as they are read.
func traces(old, new Source, id string, tol Tolerance) (*TraceChange, error) {
	var readers [2]*results.TraceReader
	for i, s := range []Source{old, new} {
		r, closer, err := results.OpenTrace(s.FS, id)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		defer closer.Close()
		readers[i] = r
	}
	tc := &TraceChange{}
	if !slices.Equal(readers[0].Header(), readers[1].Header()) {
		tc.OldColumns, tc.NewColumns = readers[0].Header(), readers[1].Header()
	}
	header := readers[0].Header()
	for {
		a, errA := next(readers[0], &tc.OldRows)
		b, errB := next(readers[1], &tc.NewRows)
		for i, err := range []error{errA, errB} {
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: %s/%s: %w", []Source{old, new}[i].Name, id, results.TraceFile, err)
			}
		}
		if errA == io.EOF && errB == io.EOF {
			break
		}
		if a == nil || b == nil || tc.OldColumns != nil {
			continue // counting the rows of the longer
		}
		for j := range header {
			if a[j] == b[j] {
				continue
			}
			x, y, ok := numbers(a[j], b[j])
			if ok && tol.Equal(x, y) {
				continue
			}
			cell := &Cell{Iteration: a[0], Column: header[j], Old: a[j], New: b[j], Abs: math.Inf(1), Rel: math.Inf(1)}
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
	if tc.First == nil && tc.OldRows == tc.NewRows && tc.OldColumns == nil {
		return nil, nil
	}
	return tc, nil
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
