package results

import (
	"github.com/descentlab/runner/internal/experiment"
)

// The names of the files and folders of a results folder.
const (
	// IndexFile is the results folder's index, which GitHub shows with
	// the folder: each experiment, its overview picture and table, and its
	// runs.
	IndexFile = "README.md"
	// SummaryFile lists every run of every experiment, one row each, with
	// the columns of Column; each experiment's folder holds its own.
	SummaryFile = "summary.csv"
	// SummaryMarkdownFile is the summary as a table to read.
	SummaryMarkdownFile = "summary.md"
	// ManifestFile lists the files the runner wrote in the results folder
	// or in an experiment's folder; in the results folder it also marks it
	// as one, and in an experiment's holds the inputs its runs share.
	ManifestFile = "manifest.yaml"
	// RecordsFile holds an experiment's records, a row per run: its
	// inputs' SHA-256, outcome, and files with their sizes and SHA-256.
	RecordsFile = "records.csv"

	// The pictures of an experiment of several runs: every run's SSR
	// against the iteration (CurvesFile); the iterations against the swept
	// value (SweepFile); a map of the iterations over two swept fields, or
	// small multiples of such maps over three or more (GridFile).
	CurvesFile = "curves.svg"
	SweepFile  = "sweep.svg"
	GridFile   = "grid.svg"

	// SearchFile is a search's path: each probe, round by round, and the
	// bracket after each round.
	SearchFile = "search.csv"
	// RangeFile and RangePictureFile are a learning-rate range test's
	// schedule (α, SSR and smoothed SSR at each iteration) and picture.
	RangeFile        = "lr-range.csv"
	RangePictureFile = "lr-range.svg"

	// TraceFile is a run's trace: one row per iteration (see Columns).
	TraceFile = "trace.csv"
	// IterationsFile is a run's iterations as a table, for runs of
	// experiments of at most MaxRunsWithTables runs.
	IterationsFile = "iterations.md"
	// ExpectedFile sets a run's published values beside the computed
	// ones, for experiments that pin values and have at most
	// MaxRunsWithTables runs.
	ExpectedFile = "expected.md"
	// DescentFile and FitFile are a run's pictures.
	DescentFile = "descent.svg"
	FitFile     = "fit.svg"

	// PrivateDir holds what is not results: the writers' lock, temporary
	// files, the stat cache and the journals of unfinished writes. It
	// ignores itself in git.
	PrivateDir = ".runner"
)

// MaxRunsWithTables is the most runs an experiment may have for each
// run's folder to hold its tables (iterations.md, expected.md) and
// pictures (descent.svg, fit.svg) as well as its trace. Larger sweeps
// cost their traces: the experiment's summary and pictures give the
// overview, and runner show renders any run's table from its trace.
const MaxRunsWithTables = 50

// Names inside PrivateDir.
const (
	lockFile   = "lock"
	tmpDir     = "tmp"
	cacheDir   = "cache"
	journalDir = "journal"
	shardsDir  = "shards"
	gitignore  = ".gitignore"
)

// Layout is the version of this layout, written in the results folder's
// manifest: a folder of another layout is refused rather than misread.
const Layout = 3

// The names the runner writes at each level, and no others: a manifest
// that lists another is not the runner's.
var (
	topFiles        = []string{IndexFile, SummaryFile, SummaryMarkdownFile}
	experimentFiles = []string{RecordsFile, SummaryFile, CurvesFile, SweepFile, GridFile, SearchFile, RangeFile, RangePictureFile}
	runFiles        = []string{TraceFile, IterationsFile, ExpectedFile, DescentFile, FitFile}
)

// Pictures says which pictures to draw.
type Pictures int

const (
	// AutoPictures draws each run's pictures in experiments of at most
	// MaxRunsWithTables runs, and each sweep's pictures.
	AutoPictures Pictures = iota
	// NoPictures draws none.
	NoPictures
	// AllPictures draws every run's pictures, in sweeps of any size.
	AllPictures
)

// MostRuns returns the most runs an experiment may make: its runs, or
// for a search of probes the most it may take.
func MostRuns(e *experiment.Experiment) int {
	if e.Probes() {
		return min(e.Search.Spec.Needed(), e.Search.Spec.MaxRuns)
	}
	return e.RunCount()
}

// RunFiles returns the files of each run of an experiment, in the order
// they are written: its trace, and for experiments of few runs its tables,
// and its pictures unless pictures says not.
func RunFiles(e *experiment.Experiment, pictures Pictures) []string {
	names := []string{TraceFile}
	withTables := MostRuns(e) <= MaxRunsWithTables
	if withTables {
		names = append(names, IterationsFile)
		if len(e.Expected) > 0 {
			names = append(names, ExpectedFile)
		}
	}
	if pictures == AllPictures || (pictures == AutoPictures && withTables) {
		names = append(names, DescentFile, FitFile)
	}
	return names
}
