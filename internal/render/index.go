package render

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/results"
)

// MaxIndexRuns is the most runs the index lists of each experiment;
// beyond it, the first and last halves.
const MaxIndexRuns = 20

// IndexExperiment is what the index shows of an experiment.
type IndexExperiment struct {
	Manifest *results.ExperimentManifest
	// Runs are its runs' rows, the first and last of many.
	Runs *Rows
}

// overviews are the pictures of an experiment of several runs that the
// index shows, in order, with what they show.
var overviews = []struct{ file, what string }{
	{results.CurvesFile, "the SSR of every run against the iteration"},
	{results.GridFile, "the iterations over two swept fields"},
	{results.SweepFile, "the iterations against the swept value"},
	{results.RangePictureFile, "the learning-rate range test"},
}

// Index writes the results folder's README.md, which GitHub shows with the
// folder: a list of the experiments, then for each its description, its
// pictures (of every run, or of its one run), and its runs with links to
// their files.
func Index(w io.Writer, exps []IndexExperiment) error {
	p := NewPrinter(w)
	p.Printf("# Results\n\nWritten by the runner; do not edit. [%s](%s) has every run of every experiment, [%s](%s) the same as a table.\n\n",
		results.SummaryFile, results.SummaryFile, results.SummaryMarkdownFile, results.SummaryMarkdownFile)
	for _, e := range exps {
		name := e.Manifest.Experiment
		p.Printf("- [%s](#%s): %s\n", name, anchor(name), prose.Count(e.Runs.Len(), "run"))
	}
	for _, e := range exps {
		indexExperiment(p, e)
	}
	return p.err
}

// anchor returns the anchor GitHub gives a heading of a name: lower
// case, with its dots removed.
func anchor(name string) string {
	return strings.ReplaceAll(name, ".", "")
}

// indexExperiment writes an experiment's part of the index.
func indexExperiment(p *Printer, e IndexExperiment) {
	m := e.Manifest
	name := m.Experiment
	p.Printf("\n## %s\n\n", name)
	if m.Description != "" {
		p.Printf("%s\n\n", EscapeText(m.Description))
	}
	for _, o := range overviews {
		if m.HasFile(o.file) {
			p.Printf("![%s: %s](%s)\n\n", name, o.what, path.Join(name, o.file))
		}
	}
	if m.HasFile(results.SearchFile) {
		p.Printf("[%s](%s) has the search's path: each probe, round by round, and the bracket after each round.\n\n", results.SearchFile, path.Join(name, results.SearchFile))
	}
	shown, gap := e.Runs.Kept()
	if len(m.Swept) == 0 && len(shown) == 1 && slices.Contains(m.RunFiles, results.DescentFile) {
		p.Printf("![%s: descent](%s) ![%s: fit](%s)\n\n", name, path.Join(name, results.DescentFile), name, path.Join(name, results.FitFile))
	}
	t := newTable([]string{"run", "status", "iterations", "SSR final", "files"}, "run", "status", "files")
	for i := range shown {
		if i == gap {
			t.addGap()
		}
		r := &shown[i]
		t.add(RunLink(m, r), r.Outcome.Status.String(), r.Cell(results.ColIterations).Text, readable(r.Cell(results.ColSSRFinal), ReadableDigits), fileLinks(m, r.Run))
	}
	p.table(t, markdown, nil)
	if note := note(e.Runs, path.Join(name, results.SummaryFile)); note != "" {
		p.Printf("\n%s\n", note)
	}
}

// RunLink links a run's identifier to its table, or to its record if it
// has no table.
func RunLink(m *results.ExperimentManifest, r *results.Record) string {
	id := r.Run
	file := results.TraceFile
	if slices.Contains(m.RunFiles, results.IterationsFile) {
		file = results.IterationsFile
	}
	return fmt.Sprintf("[%s](%s)", id, path.Join(id, file))
}

// fileLinks links a run's files, but its table.
func fileLinks(m *results.ExperimentManifest, id string) string {
	names := map[string]string{results.TraceFile: "trace", results.ExpectedFile: "expected",
		results.DescentFile: "descent", results.FitFile: "fit"}
	var links []string
	for _, f := range m.RunFiles {
		if label, ok := names[f]; ok {
			links = append(links, fmt.Sprintf("[%s](%s)", label, path.Join(id, f)))
		}
	}
	return strings.Join(links, " · ")
}
