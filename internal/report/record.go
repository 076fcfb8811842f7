package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"

	"runner/internal/batch"
	"runner/internal/experiment"
	"runner/pkg/engine"
)

// RecordColumns name the cells of a Record: a run's line in the summary.
var RecordColumns = []string{
	"experiment", "run", "alpha", "b3_initial", "tolerance", "max_iterations",
	"w1", "b1", "w2", "b2", "w3", "w4",
	"iterations", "status", "b3_final", "ssr_final", "b3_optimum", "error_factor", "expected",
}

// weightColumns are the record's weight columns, which the summary shows
// only where runs differ in them.
var weightColumns = RecordColumns[6:12]

// Record is a run's line in the summary, its cells as written in CSV, in
// the order of RecordColumns. Each run's result.csv holds its record, so
// that a summary can be rebuilt from the runs' folders, and a summary is
// always made from records: the same whether the runs were done in one
// process or many.
type Record []string

// NewRecord makes the record of an outcome: its inputs as given, its
// results with the run's CSV digits. b3_optimum and error_factor are the
// exact optimum b3* and the factor |1 - 2·N·α| by which each step
// multiplies the distance to it (see engine.Optimum and
// engine.ErrorFactor).
func NewRecord(o *batch.Outcome) Record {
	r, res := &o.Run, &o.Result
	n, digits := len(r.Experiment.Data), csvDigits(r)
	input := experiment.FormatValue
	result := func(v float64) string { return FormatCSV(v, digits) }
	p := r.Start
	return Record{
		r.Experiment.Name, r.ID,
		input(r.Settings.Alpha), input(p.B3), input(r.Settings.Tolerance), strconv.Itoa(r.Settings.MaxIterations),
		input(p.W1), input(p.B1), input(p.W2), input(p.B2), input(p.W3), input(p.W4),
		strconv.Itoa(res.Iterations), res.Status.String(), result(res.Final.B3), result(res.FinalSSR),
		result(engine.Optimum(p, r.Experiment.Data)), result(engine.ErrorFactor(r.Settings.Alpha, n)),
		expectedTally(o),
	}
}

// Get returns the cell of the named column.
func (r Record) Get(column string) string {
	return r[slices.Index(RecordColumns, column)]
}

// writeRecord writes a record as result.csv: a header and one row.
func writeRecord(b *bytes.Buffer, r Record) error {
	return writeCSV(b, RecordColumns, [][]string{r})
}

// ParseRecord reads a run's result.csv.
func ParseRecord(data []byte) (Record, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) != 2 || !slices.Equal(rows[0], RecordColumns) {
		return nil, fmt.Errorf("not a result.csv of this version of the runner (want a header %v and one row); run again to rewrite it", RecordColumns)
	}
	return rows[1], nil
}

// expectedTally counts the published values that hold, as "held/pinned",
// or "" if the run pins none.
func expectedTally(o *batch.Outcome) string {
	if len(o.Checks) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", len(o.Checks)-len(o.Failed()), len(o.Checks))
}
