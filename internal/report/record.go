package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// RecordColumns are the columns a Record may have, in the order files list
// them.
var RecordColumns = []string{
	"experiment", "run", "train", "activation", "alpha", "b3_initial", "tolerance", "max_iterations",
	"w1", "b1", "w2", "b2", "w3", "w4",
	"iterations", "status",
	"w1_final", "b1_final", "w2_final", "b2_final", "w3_final", "w4_final", "b3_final", "ssr_final",
	"b3_optimum", "error_factor", "expected",
}

// weightColumns are the record's starting weights, which the summary
// shows only where runs differ in them.
var weightColumns = []string{"w1", "b1", "w2", "b2", "w3", "w4"}

// Record is a run's line in the summary: its cells, as written in CSV, by
// column (see RecordColumns). Each run's result.csv holds its record, so
// that a summary can be rebuilt from the runs' folders, and a summary is
// always made from records: the same whether the runs were done in one
// process or many. A sweep keeps every run's record in memory, so a record
// is compact: its cells in column order, and which columns it has.
type Record struct {
	cells [numRecordColumns]string
	has   uint32 // bit i: the record has column i
}

const numRecordColumns = 27

// recordColumn numbers the columns of RecordColumns.
var recordColumn = func() map[string]int {
	if len(RecordColumns) != numRecordColumns {
		panic("report: numRecordColumns is out of date")
	}
	m := make(map[string]int, len(RecordColumns))
	for i, c := range RecordColumns {
		m[c] = i
	}
	return m
}()

// Get returns the cell of a column, or "" if the record has none.
func (r *Record) Get(col string) string {
	return r.cells[recordColumn[col]]
}

// Has reports whether the record has a column.
func (r *Record) Has(col string) bool {
	return r.has&(1<<recordColumn[col]) != 0
}

func (r *Record) set(col, cell string) {
	i := recordColumn[col]
	r.cells[i] = cell
	r.has |= 1 << i
}

// Map returns the record's cells by column.
func (r *Record) Map() map[string]string {
	m := map[string]string{}
	for i, c := range RecordColumns {
		if r.has&(1<<i) != 0 {
			m[c] = r.cells[i]
		}
	}
	return m
}

// NewRecord makes the record of an outcome: its inputs as given and its
// results with the run's CSV digits. A record has the columns that apply to
// its run: train and activation when they are not the defaults (b3, and
// softplus); <p>_final for each trained parameter, and b3_final always;
// b3_optimum and error_factor only when b3 alone trains: the exact optimum
// b3* and the factor |1 - 2·N·α| by which each step multiplies the distance
// to it (see engine.Optimum and engine.ErrorFactor). expected is
// "held/pinned", or empty if the run pins no published values.
func NewRecord(o *batch.Outcome) Record {
	r, res := &o.Run, &o.Result
	digits := csvDigits(r)
	input := experiment.FormatValue
	result := func(v float64) string { return FormatCSV(v, digits) }
	p, train := r.Start, r.Settings.Trained()
	var rec Record
	for _, c := range []struct{ col, cell string }{
		{"experiment", r.Experiment.Name}, {"run", r.ID},
		{"alpha", input(r.Settings.Alpha)}, {"b3_initial", input(p.B3)}, {"tolerance", input(r.Settings.Tolerance)},
		{"max_iterations", strconv.Itoa(r.Settings.MaxIterations)},
		{"w1", input(p.W1)}, {"b1", input(p.B1)}, {"w2", input(p.W2)}, {"b2", input(p.B2)}, {"w3", input(p.W3)}, {"w4", input(p.W4)},
		{"iterations", strconv.Itoa(res.Iterations)}, {"status", res.Status.String()},
		{"b3_final", result(res.Final.B3)}, {"ssr_final", result(res.FinalSSR)},
	} {
		rec.set(c.col, c.cell)
	}
	if train != engine.NewParamSet(engine.B3) {
		rec.set("train", train.String())
	} else {
		rec.set("b3_optimum", result(engine.Optimum(p, r.Experiment.Data)))
		rec.set("error_factor", result(engine.ErrorFactor(r.Settings.Alpha, len(r.Experiment.Data))))
	}
	if p.Activation != engine.Softplus {
		rec.set("activation", p.Activation.String())
	}
	for _, k := range train.List() {
		rec.set(k.String()+"_final", result(res.Final.Get(k)))
	}
	rec.set("expected", "")
	if len(o.Checks) > 0 {
		rec.set("expected", fmt.Sprintf("%d/%d", len(o.Checks)-len(o.Failed()), len(o.Checks)))
	}
	return rec
}

// columns returns the columns the records have between them, in the order
// of RecordColumns.
func columns(records ...Record) []string {
	var cols []string
	for _, c := range RecordColumns {
		if slices.ContainsFunc(records, func(r Record) bool { return r.Has(c) }) {
			cols = append(cols, c)
		}
	}
	return cols
}

// row returns a record's cells in the given columns.
func (r *Record) row(cols []string) []string {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = r.Get(c)
	}
	return cells
}

// writeRecord writes a record as result.csv: a header and one row.
func writeRecord(b *bytes.Buffer, r Record) error {
	cols := columns(r)
	return writeCSV(b, cols, [][]string{r.row(cols)})
}

// ParseRecord reads a run's result.csv.
func ParseRecord(data []byte) (Record, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return Record{}, err
	}
	if len(rows) != 2 || !slices.Contains(rows[0], "run") ||
		slices.ContainsFunc(rows[0], func(c string) bool { return !slices.Contains(RecordColumns, c) }) {
		return Record{}, fmt.Errorf("not a result.csv of this version of the runner (want a header of columns among %s, and one row); run again to rewrite it",
			strings.Join(RecordColumns, ","))
	}
	var rec Record
	for i, c := range rows[0] {
		rec.set(c, rows[1][i])
	}
	return rec, nil
}
