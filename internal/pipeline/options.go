package pipeline

import (
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// Pictures says which pictures to draw.
type Pictures int

const (
	// AutoPictures draws each run's pictures in experiments of at most
	// results.MaxDetailedRuns runs, and each sweep's picture.
	AutoPictures Pictures = iota
	// NoPictures draws none.
	NoPictures
	// AllPictures draws every run's pictures, in sweeps of any size.
	AllPictures
)

// Shard is the K-th (from 1) of N slices of a batch's runs.
type Shard struct{ K, N int }

// Options say how to run a batch.
type Options struct {
	// Out is the results folder.
	Out string
	// Workers is how many runs go at a time.
	Workers int
	// CSVDigits is the number of significant digits of results, unless an
	// experiment sets csv_digits.
	CSVDigits int
	Pictures  Pictures
	// Force computes every run, even those stored with the same inputs.
	Force bool
	// Check writes nothing, and reports what would change.
	Check bool
	// Prune removes stale runs and the folders of experiments not given.
	Prune bool
	// Shard, if N > 0, runs one slice of the runs and writes no summary.
	Shard  Shard
	Limits Limits
	// Runner is the runner's version, for the records of the runs.
	Runner string
	// Command describes the process, for a writer that finds the results
	// folder locked.
	Command string
	// FS is the file system results are written on; nil means results.OS.
	FS results.FileSystem
	// Progress, if not nil, is called as runs finish, with how many have.
	Progress func(done int)
}

// Report is what a batch did, for the command line to show.
type Report struct {
	// Runs is the number of runs of the batch; Computed were computed and
	// Reused were stored already with the same inputs.
	Runs, Computed, Reused int
	// Files is the number of files the batch put, and Changed the number
	// that were new or different.
	Files, Changed int
	// ChangedFiles are those files, for --check.
	ChangedFiles []string
	// Details are the runs shown in detail on the terminal: all of a
	// batch of at most MaxDetailed runs.
	Details []*render.Run
	// Summary holds the rows the terminal's summary shows.
	Summary *render.Rows
	// Failed are the runs whose published values do not all hold.
	Failed []FailedRun
	// ByStatus counts the runs by how they ended, naming the first few.
	ByStatus map[string]*StatusCount
	// StaleRuns are stored runs of these experiments that no run of
	// theirs writes any more; StaleExperiments are experiment folders of
	// experiments not among those given. Both are removed with Prune.
	StaleRuns, StaleExperiments []string
	// Removed and Kept are what pruning removed, and kept because the
	// runner did not write it.
	Removed, Kept []string
	// Unfinished are experiments whose writing was interrupted and that
	// this batch did not finish, and Temporary the temporary files that
	// killed writers left (reported by Check).
	Unfinished []string
	Temporary  int
}

// MaxDetailed is the most runs for which the terminal shows each one's
// iterations and published values; beyond it, the summary alone.
const MaxDetailed = 3

// FailedRun is a run whose published values do not all hold.
type FailedRun struct {
	Run            string
	Failed, Pinned int
	// Where is the file that sets them side by side, or "" if the run has
	// none (large sweeps).
	Where string
}

// StatusCount counts the runs that ended with a status.
type StatusCount struct {
	N     int
	First []string // the first few
}

// maxNamed is how many runs a StatusCount names.
const maxNamed = 5
