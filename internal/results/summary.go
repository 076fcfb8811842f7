package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// Column is a column of summary.csv. Every summary has them all, in this
// order, whatever its runs: a value that does not apply to a run is
// empty.
type Column int

// The columns of summary.csv.
const (
	ColExperiment    Column = iota // the experiment's name
	ColRun                         // the run's identifier
	ColTrain                       // the trained parameters, as in "w3 w4 b3"
	ColActivation                  // softplus, relu or sigmoid
	ColAlpha                       // the learning rate, as given
	ColTolerance                   // as given
	ColMaxIterations               // as given
	ColW1Initial                   // the starting parameters, as given: w1_initial … b3_initial
	ColB1Initial
	ColW2Initial
	ColB2Initial
	ColW3Initial
	ColW4Initial
	ColB3Initial
	ColIterations // iterations run
	ColStatus     // converged, max-iterations or diverged
	ColW1Final    // the final parameters, empty for those that do not train: w1_final … b3_final
	ColB1Final
	ColW2Final
	ColB2Final
	ColW3Final
	ColW4Final
	ColB3Final
	ColSSRFinal    // SSR at the final parameters
	ColB3Optimum   // b3*, the b3 that minimises SSR, when b3 alone trains
	ColErrorFactor // |1 - 2·N·α|, when b3 alone trains
	ColExpected    // published values that hold, of those pinned: "14/15"; empty if none
	NumColumns
)

var columnNames = [NumColumns]string{
	"experiment", "run", "train", "activation", "alpha", "tolerance", "max_iterations",
	"w1_initial", "b1_initial", "w2_initial", "b2_initial", "w3_initial", "w4_initial", "b3_initial",
	"iterations", "status",
	"w1_final", "b1_final", "w2_final", "b2_final", "w3_final", "w4_final", "b3_final",
	"ssr_final", "b3_optimum", "error_factor", "expected",
}

// String returns the column's name in summary.csv's header.
func (c Column) String() string {
	if c < 0 || c >= NumColumns {
		return fmt.Sprintf("Column(%d)", int(c))
	}
	return columnNames[c]
}

// Header returns summary.csv's header: every column's name, in order.
func Header() []string {
	return columnNames[:]
}

// Initial returns the column of a parameter's starting value.
func Initial(p engine.Param) Column {
	return ColW1Initial + Column(p)
}

// Final returns the column of a parameter's final value.
func Final(p engine.Param) Column {
	return ColW1Final + Column(p)
}

// Row is a run's row of a summary: its cells as summary.csv writes them.
type Row [NumColumns]string

// RowOf returns the row of a run's record. Inputs are written as given,
// results with the run's CSV digits.
func RowOf(r *Record) Row {
	in, o := &r.Inputs, &r.Outcome
	result := func(v float64) string { return FormatCSV(v, in.CSVDigits) }
	var row Row
	row[ColExperiment], _, _ = strings.Cut(r.Run, "/")
	row[ColRun] = r.Run
	row[ColTrain] = in.Train.String()
	row[ColActivation] = in.Start.Activation.String()
	row[ColAlpha] = experiment.FormatValue(in.Alpha)
	row[ColTolerance] = experiment.FormatValue(in.Tolerance)
	row[ColMaxIterations] = strconv.Itoa(in.MaxIterations)
	for _, p := range engine.AllParams.List() {
		row[Initial(p)] = experiment.FormatValue(in.Start.Get(p))
	}
	row[ColIterations] = strconv.Itoa(o.Iterations)
	row[ColStatus] = o.Status.String()
	for _, p := range in.Train.List() {
		row[Final(p)] = result(o.Final.Get(p))
	}
	row[ColSSRFinal] = result(o.SSR)
	if in.Train == engine.NewParamSet(engine.B3) {
		row[ColB3Optimum] = result(engine.Optimum(in.Start, in.Data))
		row[ColErrorFactor] = result(engine.ErrorFactor(in.Alpha, len(in.Data)))
	}
	if len(o.Checks) > 0 {
		row[ColExpected] = fmt.Sprintf("%d/%d", o.Held(), len(o.Checks))
	}
	return row
}

// Status returns the run's status.
func (r *Row) Status() engine.Status {
	s, _ := engine.ParseStatus(r[ColStatus])
	return s
}

// Iterations returns the iterations the run took.
func (r *Row) Iterations() int {
	n, _ := strconv.Atoi(r[ColIterations])
	return n
}

// Float returns the number in a column, and false if the cell is empty or
// not a number.
func (r *Row) Float(c Column) (float64, bool) {
	v, err := strconv.ParseFloat(r[c], 64)
	return v, err == nil
}

// Checks returns how many published values hold and how many the run
// pins.
func (r *Row) Checks() (held, pinned int) {
	h, p, ok := strings.Cut(r[ColExpected], "/")
	if !ok {
		return 0, 0
	}
	held, _ = strconv.Atoi(h)
	pinned, _ = strconv.Atoi(p)
	return held, pinned
}

// SummaryWriter writes summary.csv row by row.
type SummaryWriter struct {
	w *csv.Writer
}

// NewSummaryWriter writes summary.csv's header to w.
func NewSummaryWriter(w io.Writer) (*SummaryWriter, error) {
	s := &SummaryWriter{w: csv.NewWriter(w)}
	return s, s.w.Write(Header())
}

// Write writes a row.
func (s *SummaryWriter) Write(r *Row) error {
	return s.w.Write(r[:])
}

// Flush writes what is buffered.
func (s *SummaryWriter) Flush() error {
	s.w.Flush()
	return s.w.Error()
}

// SummaryReader reads summary.csv row by row.
type SummaryReader struct {
	r    *csv.Reader
	line int
}

// NewSummaryReader reads summary.csv's header from r, which must be this
// runner's.
func NewSummaryReader(r io.Reader) (*SummaryReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = int(NumColumns)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("empty; want a header")
	}
	if err != nil {
		return nil, err
	}
	if !slices.Equal(header, Header()) {
		return nil, fmt.Errorf("line 1: not a summary of this version of the runner (its columns are %s)", strings.Join(header, ","))
	}
	return &SummaryReader{r: cr, line: 1}, nil
}

// Next returns the next row, or io.EOF after the last.
func (s *SummaryReader) Next() (Row, error) {
	var row Row
	cells, err := s.r.Read()
	if err != nil {
		return row, err
	}
	s.line++
	copy(row[:], cells)
	return row, nil
}
