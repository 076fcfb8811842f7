// Package experiment reads and validates experiment files (YAML documents
// that declare the data, the network's weights and the settings of a
// gradient-descent run, and optionally the values a publication printed),
// and expands their sweeps into runs, in a fixed order, on demand.
//
// Every problem in every file is reported, each with its file, line, column
// and field, so a user can fix them all at once. Problems with the command
// line rather than with the files (a path that names nothing, with the
// file it may mean) are a UsageError.
//
// A value can be tried without editing a file: LoadWith applies overrides,
// --set alpha=0.2 and --sweep alpha=0.1,0.2,0.3, which are decoded and
// checked as the file's own fields are (see Override).
package experiment

import (
	"math"
	"strconv"

	"github.com/descentlab/runner/pkg/engine"
)

// Experiment is one validated experiment: a document of an experiment file.
type Experiment struct {
	// Name identifies the experiment and names its results folder.
	Name        string
	Description string
	// Pos is where the experiment's document starts.
	Pos Position

	Data     []engine.Point
	Start    engine.Network // the starting parameters, and the activation
	Settings engine.Settings

	// Axes are the fields the experiment sweeps as a grid, in the order
	// written; Runs its runs: entries, each a set of values run together.
	// Without either, the experiment is a single run. Run and RunCount
	// expand them.
	Axes []Axis
	Runs [][]Setting
	// MaxRuns bounds the number of runs.
	MaxRuns int
	// Search is the experiment's search, or nil. An edge or fastest
	// search's runs are its probes (Probes, SearchRun); a range test is
	// the experiment's one run, its settings those of the test.
	Search *Search

	// CSVDigits is the number of significant digits of results in CSV
	// files, from 1 to MaxCSVDigits; 0 leaves it to the command line.
	CSVDigits int

	// TraceEvery keeps every TraceEvery-th iteration in trace.csv, and the
	// first and the last; 1 keeps them all.
	TraceEvery int

	// Expected are the published values to check the run against, in the
	// order they are written.
	Expected []Pin

	// Overrides are the values tried on the command line (--set, --sweep)
	// that the experiment was loaded with, in the order given; the fields
	// above have them applied.
	Overrides []Override

	// fields are where the experiment's top-level fields' values are
	// written, for problems found after parsing, such as limits set on the
	// command line.
	fields map[string]Position
}

// Where returns where a top-level field's value is written, or where the
// experiment starts if the field is not written.
func (e *Experiment) Where(field string) Position {
	if p, ok := e.fields[field]; ok {
		return p
	}
	return e.Pos
}

// IterationsField names the field that sets the most iterations any run
// may take, with where it is written: the sweep's max_iterations, the
// runs entries, max_iterations, or (if none) the experiment, whose
// default applies.
func (e *Experiment) IterationsField() (string, Position) {
	for i := range e.Axes {
		if e.Axes[i].Field == "max_iterations" {
			return "sweep.max_iterations", e.Axes[i].Pos
		}
	}
	for _, r := range e.Runs {
		for _, s := range r {
			if s.Field == "max_iterations" {
				return "runs", e.Where("runs")
			}
		}
	}
	return "max_iterations", e.Where("max_iterations")
}

// Pin is one published value pinned for checking.
type Pin struct {
	// Pos is where the value is written.
	Pos Position
	// Iteration is the iteration (from 1) the value describes, or 0 for the
	// run's final values.
	Iteration int
	// Column names the value: a trace.csv column ("b3", "predicted_2",
	// "ssr", "gradient_w3", "step_b3", "next_b1", …) or, for final values,
	// a parameter ("w3", "b3") or "ssr".
	Column string
	// Printed is the number as the publication wrote it, and Value its value.
	Printed string
	Value   float64
	// Tolerance is the largest difference from Value that still holds: half
	// a unit in the last printed digit, or the entry's own tolerance if that
	// is wider.
	Tolerance float64
	// Widened is the entry's own tolerance, or 0 if it sets none.
	Widened float64
	// Note says why the tolerance was widened, if it was.
	Note string
}

// Holds reports whether a computed value agrees with the published one.
func (p Pin) Holds(computed float64) bool {
	return math.Abs(computed-p.Value) <= p.Tolerance
}

// Final reports whether the pin describes the run's final values.
func (p Pin) Final() bool {
	return p.Iteration == 0
}

// NewPin returns a pin as a record holds it: its iteration (0 for final
// values), column, printed value, and widened tolerance and note. Its
// value and tolerance are those the printed value gives.
func NewPin(iteration int, column, printed string, widened float64, note string) Pin {
	v, _ := strconv.ParseFloat(printed, 64)
	return Pin{Iteration: iteration, Column: column, Printed: printed, Value: v,
		Tolerance: PinTolerance(printed, widened), Widened: widened, Note: note}
}

// Check is a published value compared with the computed one.
type Check struct {
	// Reached is false if the run stopped before the pinned iteration; then
	// there is no Computed value and the check fails.
	Reached  bool
	Computed float64
	Holds    bool
}

// Check compares a computed value with the pin, if it was reached.
func (p Pin) Check(computed float64, reached bool) Check {
	if !reached {
		return Check{}
	}
	return Check{Reached: true, Computed: computed, Holds: p.Holds(computed)}
}
