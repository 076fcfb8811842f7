package pipeline

import (
	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Options say how to run a batch.
type Options struct {
	// Out is the results folder.
	Out string
	// Workers is how many runs go at a time.
	Workers int
	// CSVDigits is the number of significant digits of results, unless an
	// experiment sets csv_digits.
	CSVDigits int
	Pictures  results.Pictures
	// Force computes every run, even those stored with the same inputs.
	Force bool
	// Check writes nothing, and reports what would change.
	Check bool
	// Prune removes stale runs, and the folders of experiments that no
	// longer exist.
	Prune bool
	// Shard, unless whole, runs one slice of the runs and writes no
	// summary.
	Shard  batch.Shard
	Limits Limits
	// Runner is the runner's version, for the manifests of the
	// experiments.
	Runner string
	// Wrap, if not nil, wraps the results folder's file system: tests put
	// faults in it.
	Wrap func(results.FileSystem) results.FileSystem
	// Progress, if not nil, is called as runs finish, with how many have.
	Progress func(done int)
	// Notify, if set, is told of what of the results folder's own the
	// batch finds damaged and writes again (a manifest emptied by a power
	// cut, a records.csv that names no run), as it finds it.
	Notify func(what string)
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
	// Shown are the runs shown in detail on the terminal: all of a batch
	// of at most MaxShownRuns runs, a search's probes left out.
	Shown []*render.RunView
	// Summary holds the runs the terminal's summary shows, those of each
	// experiment in order.
	Summary []*ends.Ends[results.Record]
	// Failed are the runs whose published values do not all hold.
	Failed []FailedRun
	// ByStatus counts the runs by how they ended, naming the first few.
	ByStatus map[engine.Status]*StatusCount
	// StaleRuns are stored runs of these experiments that no run of
	// theirs makes any more; StaleExperiments are experiment folders whose
	// experiment no longer exists. Both are removed with Prune.
	StaleRuns, StaleExperiments []string
	// Removed and Kept are what pruning removed, and kept because the
	// runner did not write it.
	Removed, Kept []string
	// Foreign are files and folders in the results folder that are not
	// the runner's, left as they are.
	Foreign []string
	// Searches are what the batch's searches found.
	Searches []*SearchReport
	// Unfinished are experiments whose writing was interrupted and that
	// this batch did not finish, and Temporary the temporary files that
	// killed writers left (reported by Check).
	Unfinished []string
	Temporary  int
}

// MaxShownRuns is the most runs for which the terminal shows each one's
// iterations and published values; beyond it, the summary alone.
const MaxShownRuns = 3

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
