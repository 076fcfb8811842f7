package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Limits bound what a batch may cost. They are checked before anything
// runs, against the worst case: every run takes max_iterations.
type Limits struct {
	// MaxPoints bounds an experiment's data points.
	MaxPoints int
	// MaxTraceRows bounds the rows of one trace.
	MaxTraceRows int
	// MaxIterations bounds the iterations of the whole batch: its time.
	MaxIterations int64
	// MaxBytes bounds the bytes the batch may write.
	MaxBytes int64
}

// DefaultLimits are the limits unless flags raise them.
var DefaultLimits = Limits{
	MaxPoints:     10_000,
	MaxTraceRows:  1_000_000,
	MaxIterations: 10_000_000_000,
	MaxBytes:      10_000_000_000,
}

// Estimate is what a batch could write and compute at most.
type Estimate struct {
	Runs       int
	Files      int64
	Bytes      int64
	Iterations int64
}

// String writes an estimate as the command line shows it.
func (e Estimate) String() string {
	return fmt.Sprintf("%s, at most %s in %s, and %s iterations", prose.Count(e.Runs, "run"), Bytes(e.Bytes), prose.Count(e.Files, "file"), prose.Thousands(e.Iterations))
}

// Limit names a limit of a batch.
type Limit int

// The limits of a batch.
const (
	MaxPoints Limit = iota
	MaxTraceRows
	MaxTotalIterations
	MaxOutput
)

// LimitError is a limit a batch could exceed, at the field of the
// experiment that exceeds it most: what the batch could reach, and the
// limit. The command line words it with the flag that raises the limit.
type LimitError struct {
	Pos   experiment.Position
	Field string
	Limit Limit
	// Reach is what the batch could reach, as the limit counts it, and Max
	// the limit.
	Reach, Max int64
	// What says what reaches it ("a trace could reach 2,000,000 rows
	// (about 260 MB)"), and Else what else can be done ("set trace_every:
	// K to keep every K-th iteration").
	What, Else string
}

// Error words the problem without the flag: "... more than the limit
// allows (10,000)".
func (e *LimitError) Error() string {
	return e.Words("the limit")
}

// Words words the problem with the name of what raises the limit.
func (e *LimitError) Words(raise string) string {
	msg := fmt.Sprintf("%s, more than %s allows (%s); ", e.What, raise, e.maxText())
	if e.Else == "" {
		return msg + "raise " + raise + " if it is meant"
	}
	return msg + e.Else + ", or raise " + raise
}

// maxText writes the limit.
func (e *LimitError) maxText() string {
	if e.Limit == MaxOutput {
		return Bytes(e.Max)
	}
	return prose.Thousands(e.Max)
}

// LimitErrors are the limits a batch could exceed.
type LimitErrors []*LimitError

func (l LimitErrors) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = fmt.Sprintf("%v: %s: %v", e.Pos, e.Field, e)
	}
	return strings.Join(lines, "\n")
}

// Preflight checks the limits of a batch before it runs, and returns its
// estimate. Each problem is reported at the field of the experiment it
// comes from, with the figures, as LimitErrors.
func Preflight(exps []*experiment.Experiment, o *Options) (Estimate, error) {
	var total Estimate
	var errs LimitErrors
	var most, largest *experiment.Experiment
	var mostIterations, largestBytes int64
	start, searches := 0, 0
	for _, e := range exps {
		n := e.RunCount()
		runs := o.Shard.Count(start, start+n)
		start += n
		if e.Probes() { // a search: its budget, in the shard that owns it
			if o.Shard.Contains(searches) {
				runs = results.MostRuns(e)
			}
			searches++
		}
		if points := len(e.Data); points > o.Limits.MaxPoints {
			errs = append(errs, &LimitError{Pos: e.Where("data"), Field: "data", Limit: MaxPoints, Reach: int64(points), Max: int64(o.Limits.MaxPoints),
				What: prose.Count(points, "data point")})
		}
		if rows := e.MaxTraceRows(); rows > o.Limits.MaxTraceRows {
			field, pos := e.IterationsField()
			errs = append(errs, &LimitError{Pos: pos, Field: field, Limit: MaxTraceRows, Reach: int64(rows), Max: int64(o.Limits.MaxTraceRows),
				What: fmt.Sprintf("a trace could reach %s rows (about %s)", prose.Thousands(int64(rows)), Bytes(int64(rows)*rowBytes(e, o))),
				Else: "set trace_every: K to keep every K-th iteration"})
		}
		iterations := int64(runs) * int64(e.MostIterations())
		files, bytes := runFiles(e, o)
		bytes = int64(runs) * bytes
		total.Runs += runs
		total.Iterations += iterations
		total.Files += int64(runs)*files + experimentFiles
		total.Bytes += bytes + experimentBytes + int64(runs)*summaryRowBytes
		if most == nil || iterations > mostIterations {
			most, mostIterations = e, iterations
		}
		if largest == nil || bytes > largestBytes {
			largest, largestBytes = e, bytes
		}
	}
	if total.Iterations > o.Limits.MaxIterations {
		field, pos := most.IterationsField()
		errs = append(errs, &LimitError{Pos: pos, Field: field, Limit: MaxTotalIterations, Reach: total.Iterations, Max: o.Limits.MaxIterations,
			What: fmt.Sprintf("the batch could take %s iterations (%s of them here: %s of up to %s)",
				prose.Thousands(total.Iterations), prose.Thousands(mostIterations), prose.Count(most.RunCount(), "run"), prose.Thousands(int64(most.MostIterations()))),
			Else: "run fewer or shorter runs"})
	}
	if total.Bytes > o.Limits.MaxBytes {
		field, pos := largest.IterationsField()
		errs = append(errs, &LimitError{Pos: pos, Field: field, Limit: MaxOutput, Reach: total.Bytes, Max: o.Limits.MaxBytes,
			What: fmt.Sprintf("the batch could write %s in %s (%s of it here, if every run takes max_iterations)", Bytes(total.Bytes), prose.Count(total.Files, "file"), Bytes(largestBytes)),
			Else: "set trace_every: K, or lower max_iterations"})
	}
	if len(errs) == 0 {
		return total, nil
	}
	return total, errs
}

// Estimated sizes of the files of a batch, in bytes, on the large side.
const (
	numberBytes     = 8    // a number's sign, point, exponent and comma, besides its digits
	recordBytes     = 300  // a run's row of records.csv, besides its pins
	pointBytes      = 40   // a data point in a record
	pinBytes        = 200  // a pin and its check in a record
	tableBytes      = 4000 // a run's iterations.md, besides its predictions
	expectedBytes   = 2000 // a run's expected.md, besides its pins
	pictureBytes    = 30000
	summaryRowBytes = 400
	experimentFiles = 3 // an experiment's summary, picture and manifest
	experimentBytes = 100000
)

// rowBytes estimates the bytes of a row of a trace of the experiment.
func rowBytes(e *experiment.Experiment, o *Options) int64 {
	cols := len(engine.Columns(e.Settings.Trained(), len(e.Data)))
	return int64(len(strconv.Itoa(e.MostIterations())) + 1 + cols*(digitsOf(e, o)+numberBytes))
}

// digitsOf returns the significant digits of an experiment's results.
func digitsOf(e *experiment.Experiment, o *Options) int {
	if e.CSVDigits > 0 {
		return e.CSVDigits
	}
	return o.CSVDigits
}

// runFiles estimates the files of a run of the experiment, and their
// bytes at most.
func runFiles(e *experiment.Experiment, o *Options) (files, bytes int64) {
	points, pins := int64(len(e.Data)), int64(len(e.Expected))
	files = 1
	bytes = int64(e.MaxTraceRows())*rowBytes(e, o) + recordBytes + points*pointBytes + pins*pinBytes
	names := results.RunFiles(e, o.Pictures)
	for _, name := range names[1:] {
		files++
		switch name {
		case results.IterationsFile:
			bytes += tableBytes + 2*10*points*numberBytes
		case results.ExpectedFile:
			bytes += expectedBytes + pins*pinBytes
		default:
			bytes += pictureBytes
		}
	}
	return files, bytes
}

// Bytes writes a number of bytes as people read them: 12.3 GB, 840 kB.
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, suffix := float64(n), []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	decimals := 1
	if v >= 100 {
		decimals = 0
	}
	return strconv.FormatFloat(v, 'f', decimals, 64) + " " + suffix[i]
}

// Count returns the number of runs of a batch: of exps, or of one shard
// of them.
func Count(exps []*experiment.Experiment, s batch.Shard) int {
	n := 0
	for _, e := range exps {
		n += e.RunCount()
	}
	return s.Count(0, n)
}
