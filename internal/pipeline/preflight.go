package pipeline

import (
	"fmt"
	"strconv"

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

// Preflight checks the limits of a batch before it runs, and returns its
// estimate. Each problem is reported at the field of the experiment it
// comes from, with the figures and the flag that raises the limit.
func Preflight(exps []*experiment.Experiment, o *Options) (Estimate, error) {
	var total Estimate
	var errs experiment.ErrorList
	var most, largest *experiment.Experiment
	var mostIterations, largestBytes int64
	start := 0
	for _, e := range exps {
		n := e.RunCount()
		runs := shardRuns(start, start+n, o.Shard)
		start += n
		if points := len(e.Data); points > o.Limits.MaxPoints {
			errs = append(errs, &experiment.Error{Pos: e.Where("data"), Field: "data",
				Msg: fmt.Sprintf("%s, more than --max-points allows (%s); raise --max-points if it is meant", prose.Count(points, "data point"), prose.Thousands(o.Limits.MaxPoints))})
		}
		if rows := e.MaxTraceRows(); rows > o.Limits.MaxTraceRows {
			field, pos := e.IterationsField()
			errs = append(errs, &experiment.Error{Pos: pos, Field: field,
				Msg: fmt.Sprintf("a trace could reach %s rows (about %s), more than --max-trace-rows allows (%s); set trace_every: K to keep every K-th iteration, or raise --max-trace-rows",
					prose.Thousands(int64(rows)), Bytes(int64(rows)*rowBytes(e, o)), prose.Thousands(int64(o.Limits.MaxTraceRows)))})
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
		errs = append(errs, &experiment.Error{Pos: pos, Field: field,
			Msg: fmt.Sprintf("the batch could take %s iterations (%s of them here: %s of up to %s), more than --max-total-iterations allows (%s); raise it, or run fewer or shorter runs",
				prose.Thousands(total.Iterations), prose.Thousands(mostIterations), prose.Count(most.RunCount(), "run"), prose.Thousands(int64(most.MostIterations())), prose.Thousands(o.Limits.MaxIterations))})
	}
	if total.Bytes > o.Limits.MaxBytes {
		field, pos := largest.IterationsField()
		errs = append(errs, &experiment.Error{Pos: pos, Field: field,
			Msg: fmt.Sprintf("the batch could write %s in %s (%s of it here, if every run takes max_iterations), more than --max-output allows (%s); raise --max-output, set trace_every: K, or lower max_iterations",
				Bytes(total.Bytes), prose.Count(total.Files, "file"), Bytes(largestBytes), Bytes(o.Limits.MaxBytes))})
	}
	return total, errs.Err()
}

// shardRuns counts the runs of indices [start, end) that a shard runs.
func shardRuns(start, end int, s Shard) int {
	if s.N == 0 {
		return end - start
	}
	first := start + ((s.K-1-start)%s.N+s.N)%s.N // the first index ≥ start that is K-1 mod N
	if first >= end {
		return 0
	}
	return (end-1-first)/s.N + 1
}

// Estimated sizes of the files of a batch, in bytes, on the large side.
const (
	numberBytes     = 8    // a number's sign, point, exponent and comma, besides its digits
	recordBytes     = 1500 // a record, besides its data points and pins
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
	files = 2
	bytes = int64(e.MaxTraceRows())*rowBytes(e, o) + recordBytes + points*pointBytes + pins*pinBytes
	names := runFileNames(e, o.Pictures)
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

// runFileNames returns the files of each run of an experiment but its
// record, in the order they are written: its trace, and for experiments
// of few runs its tables, and its pictures unless pictures says not.
func runFileNames(e *experiment.Experiment, pictures Pictures) []string {
	names := []string{results.TraceFile}
	detailed := e.RunCount() <= results.MaxDetailedRuns
	if detailed {
		names = append(names, results.IterationsFile)
		if len(e.Expected) > 0 {
			names = append(names, results.ExpectedFile)
		}
	}
	if pictures == AllPictures || (pictures == AutoPictures && detailed) {
		names = append(names, results.DescentFile, results.FitFile)
	}
	return names
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
func Count(exps []*experiment.Experiment, s Shard) int {
	n := 0
	for _, e := range exps {
		n += e.RunCount()
	}
	return shardRuns(0, n, s)
}
