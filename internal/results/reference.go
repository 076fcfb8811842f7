package results

import (
	"fmt"

	"github.com/descentlab/runner/pkg/engine"
)

// FileDoc documents a file of a results folder.
type FileDoc struct {
	// Path is where the file is, <experiment> and <run> standing for the
	// folders of an experiment and of a run.
	Path string
	// Doc says what the file holds and when it is written.
	Doc string
}

// Files documents the files of a results folder, top down: the one table
// from which runner help outputs and the README's section on outputs are
// made.
var Files = []FileDoc{
	{IndexFile, "The index GitHub shows with the folder: every experiment with its description, its overview picture and a table of its runs, linked to their files."},
	{SummaryFile, "Every run of every experiment present, one row each, with the columns below. Rebuilt from the experiments' records whenever one changes, so running one experiment changes only its rows."},
	{SummaryMarkdownFile, "The summary as tables to read, one per experiment, with the columns its runs need; the first and last rows of large experiments."},
	{ManifestFile, "Marks the folder as the runner's, and lists the files it wrote here and the experiments' folders. The runner removes or replaces only files that its manifests list; other files and folders are left alone."},
	{PrivateDir + "/", "Not results: the writers' lock, temporary files, the stat cache and the journals of writes that did not finish. Ignored by git."},
	{"<experiment>/" + ManifestFile, "The experiment: its name and description, its experiment file, the inputs its runs share (data, starting values, activation, trained parameters, α, tolerance, limits, pinned values), the fields each run's folder sets, its files and its runs' files, and its stale runs: runs of earlier versions of the experiment, kept until runner run --prune."},
	{"<experiment>/" + RecordsFile, "The runs' records, one row each: the SHA-256 of its inputs, its outcome (status, iterations, final values and SSR in full, the computed values of its pins), and its files with their sizes and SHA-256. A rerun reuses a run whose record matches its inputs and whose files match its record."},
	{"<experiment>/" + SummaryFile, "The experiment's rows of summary.csv."},
	{"<experiment>/" + CurvesFile, "For an experiment of several runs: the SSR of every run against the iteration (log scales), each coloured by its swept value (viridis, with a colour bar), ending in a mark of its status; of more than 60 runs, every k-th by swept value and those next to a change of status, as its caption says."},
	{"<experiment>/" + SweepFile, "A sweep's picture: the iterations each run took against the swept value (α if it varies), a line for each value of the other swept fields, marked by status; for b3 alone, the stability limit α = 1/N and the error factor |1 − 2Nα| along the top."},
	{"<experiment>/" + GridFile, "A sweep of two fields or more: a map of the iterations over two of them (α and the next), one cell per run, the statuses marked; small multiples of such maps over the values of the others."},
	{"<experiment>/" + SearchFile, "A search's path: each probe, round by round (its value, status, iterations and how fast its steps shrank), and the bracket after each round."},
	{"<experiment>/" + RangeFile, "A learning-rate range test's schedule: each iteration's α, SSR and smoothed SSR."},
	{"<experiment>/" + RangePictureFile, "A learning-rate range test's picture: SSR and smoothed SSR against α, where it stopped, and each rule's suggestion."},
	{"<run>/" + TraceFile, "Every iteration of the run (or every trace_every-th, and the first and the last), with the columns below."},
	{"<run>/" + IterationsFile, fmt.Sprintf("The iterations as a table to read (first and last ten beyond twenty). Only in experiments of at most %d runs; runner show prints any run's.", MaxRunsWithTables)},
	{"<run>/" + ExpectedFile, fmt.Sprintf("Each published value beside the computed one, if the experiment pins any. At most %d runs, as iterations.md.", MaxRunsWithTables)},
	{"<run>/" + DescentFile, fmt.Sprintf("The descent: SSR over b3 with the steps down it, or SSR and the parameters against the iteration. At most %d runs, unless --all-plots.", MaxRunsWithTables)},
	{"<run>/" + FitFile, fmt.Sprintf("The predicted curve before and after, against the data points. At most %d runs, unless --all-plots.", MaxRunsWithTables)},
}

// RunFolders explains where runs are, for the docs of Files.
const RunFolders = `<run> is the experiment's folder itself for an experiment of one run,
and otherwise a folder per run inside it, one level for each value the
run sets, as in alpha=0.05/b3_initial=1: alpha, tolerance,
max_iterations, or <parameter>_initial for a starting value (Hive-style
partitions: DuckDB, Polars and Arrow read them as columns).`

// columnDocs documents the columns of summary.csv.
var columnDocs = [NumColumns]string{
	ColExperiment:    "The experiment's name.",
	ColRun:           "The run's identifier: its folder under the results folder.",
	ColTrain:         "The trained parameters, as in \"w3 w4 b3\".",
	ColActivation:    "softplus, relu or sigmoid.",
	ColAlpha:         "The learning rate, as given.",
	ColTolerance:     "As given.",
	ColMaxIterations: "As given.",
	ColW1Initial:     "Every parameter's starting value, as given.",
	ColIterations:    "The iterations run.",
	ColStatus:        "converged, max-iterations or diverged; stopped for a learning-rate range test, which stops once its smoothed SSR exceeds 4 times its least.",
	ColW1Final:       "The final value of each trained parameter; empty for those that do not train.",
	ColSSRFinal:      "SSR at the final parameters.",
	ColB3Optimum:     "b3*, the b3 that minimises SSR, when b3 alone trains; else empty.",
	ColErrorFactor:   "|1 − 2·N·α|, by which each step of b3-only descent multiplies the distance to b3*; else empty.",
	ColAlphaLimit:    "The local stability limit 2/λ_max, λ_max the largest eigenvalue of the Hessian of SSR at the final parameters (exact second derivatives): descent near them converges for α below it. For converged runs; 1/N for b3 alone; +Inf if the Hessian has no positive eigenvalue.",
	ColExpected:      "Published values that hold, of those pinned, as in 14/15; empty if none are pinned.",
}

// ColumnDoc is a column of a file, or a run of like columns, documented.
type ColumnDoc struct {
	Name string
	Doc  string
}

// SummaryColumns documents summary.csv's columns, in order; the
// parameters' starting and final values each make one entry.
func SummaryColumns() []ColumnDoc {
	var docs []ColumnDoc
	for c := Column(0); c < NumColumns; c++ {
		if columnDocs[c] == "" {
			continue // another parameter of the entry before it
		}
		name := c.String()
		switch c {
		case ColW1Initial:
			name = "w1_initial … b3_initial"
		case ColW1Final:
			name = "w1_final … b3_final"
		}
		docs = append(docs, ColumnDoc{name, columnDocs[c]})
	}
	return docs
}

// TraceColumns documents trace.csv's columns, in order.
func TraceColumns() []ColumnDoc {
	return []ColumnDoc{
		{"iteration", "The iteration, from 1."},
		{"<p> …", "The value of each trained parameter p at the iteration, in the order " + engine.AllParams.String() + "."},
		{"predicted_1 … predicted_N", "The prediction for each data point."},
		{"ssr", "The sum of the squared residuals."},
		{"gradient_<p>, step_<p>, next_<p> …", "For each trained parameter: dSSR/dp, the step α · gradient, and p − step."},
	}
}
