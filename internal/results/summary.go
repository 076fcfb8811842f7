package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

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
	ColStatus     // converged, max-iterations, diverged, or stopped (a range test)
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
	ColAlphaLimit  // 2/λ_max of the Hessian of SSR at the final parameters, for converged runs
	ColExpected    // published values that hold, of those pinned: "14/15"; empty if none
	NumColumns
)

var columnNames = [NumColumns]string{
	"experiment", "run", "train", "activation", "alpha", "tolerance", "max_iterations",
	"w1_initial", "b1_initial", "w2_initial", "b2_initial", "w3_initial", "w4_initial", "b3_initial",
	"iterations", "status",
	"w1_final", "b1_final", "w2_final", "b2_final", "w3_final", "w4_final", "b3_final",
	"ssr_final", "b3_optimum", "error_factor", "alpha_limit", "expected",
}

// String returns the column's name in summary.csv's header.
func (c Column) String() string {
	if c < 0 || c >= NumColumns {
		return fmt.Sprintf("Column(%d)", int(c))
	}
	return columnNames[c]
}

// ParseColumn returns the column of a name of summary.csv's header.
func ParseColumn(name string) (Column, bool) {
	for c, n := range columnNames {
		if n == name {
			return Column(c), true
		}
	}
	return 0, false
}

// Numeric reports whether the column holds numbers (or is empty), rather
// than text.
func (c Column) Numeric() bool {
	switch c {
	case ColExperiment, ColRun, ColTrain, ColActivation, ColStatus, ColExpected:
		return false
	}
	return true
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

// ColumnOf returns the summary's column of a field that sweeps set: alpha,
// tolerance, max_iterations, or a parameter's starting value.
func ColumnOf(field string) (Column, bool) {
	switch field {
	case "alpha":
		return ColAlpha, true
	case "tolerance":
		return ColTolerance, true
	case "max_iterations":
		return ColMaxIterations, true
	}
	p, ok := engine.ParseParam(field)
	return Initial(p), ok
}

// Cell is a value of a run's row: as summary.csv writes it, and as a
// number if it is one.
type Cell struct {
	Text  string
	Num   float64
	IsNum bool
}

// Cell returns a run's value in a column of the summary. Inputs are
// written as given, results with the run's CSV digits; a value that does
// not apply to the run is empty.
func (r *Record) Cell(c Column) Cell {
	in, o := &r.Inputs, &r.Outcome
	input := func(v float64) Cell { return Cell{experiment.FormatValue(v), v, true} }
	result := func(v float64) Cell { return Cell{FormatCSV(v, in.CSVDigits), v, true} }
	b3Only := in.Train == engine.NewParamSet(engine.B3)
	switch {
	case c == ColExperiment:
		return Cell{Text: r.Experiment()}
	case c == ColRun:
		return Cell{Text: r.Run}
	case c == ColTrain:
		return Cell{Text: in.Train.String()}
	case c == ColActivation:
		return Cell{Text: in.Start.Activation.String()}
	case c == ColAlpha:
		return input(in.Alpha)
	case c == ColTolerance:
		return input(in.Tolerance)
	case c == ColMaxIterations:
		return Cell{strconv.Itoa(in.MaxIterations), float64(in.MaxIterations), true}
	case c >= ColW1Initial && c <= ColB3Initial:
		return input(in.Start.Get(engine.Param(c - ColW1Initial)))
	case c == ColIterations:
		return Cell{strconv.Itoa(o.Iterations), float64(o.Iterations), true}
	case c == ColStatus:
		return Cell{Text: o.Status.String()}
	case c >= ColW1Final && c <= ColB3Final:
		if p := engine.Param(c - ColW1Final); in.Train.Has(p) {
			return result(o.Final.Get(p))
		}
	case c == ColSSRFinal:
		return result(o.SSR)
	case c == ColB3Optimum && b3Only:
		return result(engine.Optimum(in.Start, in.Data))
	case c == ColErrorFactor && b3Only:
		return result(engine.ErrorFactor(in.Alpha, len(in.Data)))
	case c == ColAlphaLimit && o.Status == engine.Converged:
		return result(engine.StabilityLimit(r.Network(), in.Data, in.Train))
	case c == ColExpected && len(o.Checks) > 0:
		return Cell{Text: fmt.Sprintf("%d/%d", o.Held(), len(o.Checks))}
	}
	return Cell{Num: math.NaN()}
}

// Row is a run's row of a summary: its cells as summary.csv writes them.
type Row [NumColumns]string

// Row returns the run's row of the summaries.
func (r *Record) Row() Row {
	var row Row
	for c := range NumColumns {
		row[c] = r.Cell(c).Text
	}
	return row
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

// Write writes a run's row.
func (s *SummaryWriter) Write(r *Record) error {
	row := r.Row()
	return s.w.Write(row[:])
}

// Flush writes what is buffered.
func (s *SummaryWriter) Flush() error {
	s.w.Flush()
	return s.w.Error()
}
