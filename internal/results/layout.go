package results

// The names of the files and folders of a results folder.
const (
	// IndexFile is the results folder's index, which GitHub shows with
	// the folder: each experiment, its sweep's picture, and its runs.
	IndexFile = "README.md"
	// SummaryFile lists every run of every experiment, one row each, with
	// the columns of Column; each experiment's folder holds its own.
	SummaryFile = "summary.csv"
	// SummaryMarkdownFile is the summary as a table to read.
	SummaryMarkdownFile = "summary.md"
	// ManifestFile lists the files the runner wrote in the results folder
	// or in an experiment's folder; in the results folder it also marks it
	// as one.
	ManifestFile = "manifest.yaml"
	// SweepFile is a sweep's picture, in its experiment's folder.
	SweepFile = "sweep.svg"

	// TraceFile is a run's trace: one row per iteration (see Columns).
	TraceFile = "trace.csv"
	// RecordFile is a run's record: its inputs, outcome and files.
	RecordFile = "run.yaml"
	// IterationsFile is a run's iterations as a table, for runs of
	// experiments of at most MaxDetailedRuns runs.
	IterationsFile = "iterations.md"
	// ExpectedFile sets a run's published values beside the computed
	// ones, for experiments that pin values and have at most
	// MaxDetailedRuns runs.
	ExpectedFile = "expected.md"
	// DescentFile and FitFile are a run's pictures.
	DescentFile = "descent.svg"
	FitFile     = "fit.svg"

	// PrivateDir holds what is not results: the writers' lock, temporary
	// files and marks of unfinished writes. It ignores itself in git.
	PrivateDir = ".runner"
)

// MaxDetailedRuns is the most runs an experiment may have for each run's
// folder to hold its tables (iterations.md, expected.md) and pictures
// (descent.svg, fit.svg) as well as its trace and record. Larger sweeps
// cost their traces: the experiment's summary and sweep.svg give the
// overview, and runner show renders any run's table from its trace.
const MaxDetailedRuns = 50

// Names inside PrivateDir.
const (
	lockFile  = "lock"
	tmpDir    = "tmp"
	dirtyDir  = "unfinished"
	gitignore = ".gitignore"
)

// Layout is the version of this layout, written in the results folder's
// manifest: a folder of another layout is refused rather than misread.
const Layout = 2
