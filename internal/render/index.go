package render

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/results"
)

// MaxIndexRuns is the most runs the index lists of each experiment;
// beyond it, the first and last halves.
const MaxIndexRuns = 20

// inlinePictures is how many runs the index shows the pictures of.
const inlinePictures = 3

// IndexExperiment is what the index shows of an experiment.
type IndexExperiment struct {
	Manifest *results.ExperimentManifest
	// Runs are its runs' rows, the first and last of many.
	Runs *Rows
}

// Index writes the results folder's README.md, which GitHub shows with the
// folder: for each experiment, its description, its sweep's picture, its
// runs with links to their files, and the pictures of the first few runs
// that have them.
func Index(w io.Writer, exps []IndexExperiment) error {
	p := NewPrinter(w)
	p.Printf("# Results\n\nWritten by the runner; do not edit. [%s](%s) has every run of every experiment, [%s](%s) the same as a table.\n",
		results.SummaryFile, results.SummaryFile, results.SummaryMarkdownFile, results.SummaryMarkdownFile)
	inline := 0
	for _, e := range exps {
		m := e.Manifest
		name := m.Experiment
		p.Printf("\n## %s\n\n", name)
		if m.Description != "" {
			p.Printf("%s\n\n", EscapeText(m.Description))
		}
		if m.HasSweep() {
			p.Printf("![%s: iterations against the swept value](%s)\n\n", name, path.Join(name, results.SweepFile))
		}
		t := newTable([]string{"run", "status", "iterations", "SSR final", "files"}, "run", "status", "files")
		shown, gap := e.Runs.shown()
		var pictured []string
		for i := range shown {
			if i == gap {
				t.addGap()
			}
			r := &shown[i]
			id := r[results.ColRun]
			t.add(RunLink(m, r), r[results.ColStatus], r[results.ColIterations], readableCell(r[results.ColSSRFinal], ReadableDigits), fileLinks(m, id))
			if slices.Contains(m.RunFiles, results.DescentFile) && inline+len(pictured) < inlinePictures {
				pictured = append(pictured, id)
			}
		}
		p.table(t, markdown, nil)
		if note := e.Runs.note(path.Join(name, results.SummaryFile)); note != "" {
			p.Printf("\n%s\n", note)
		}
		for _, id := range pictured {
			p.Printf("\n![%s: descent](%s) ![%s: fit](%s)\n", id, path.Join(id, results.DescentFile), id, path.Join(id, results.FitFile))
		}
		inline += len(pictured)
	}
	return p.err
}

// RunLink links a run's identifier to its table, or to its record if it
// has no table.
func RunLink(m *results.ExperimentManifest, r *results.Row) string {
	id := r[results.ColRun]
	file := results.RecordFile
	if slices.Contains(m.RunFiles, results.IterationsFile) {
		file = results.IterationsFile
	}
	return fmt.Sprintf("[%s](%s)", id, path.Join(id, file))
}

// fileLinks links a run's files, but its table.
func fileLinks(m *results.ExperimentManifest, id string) string {
	names := map[string]string{results.TraceFile: "trace", results.RecordFile: "record", results.ExpectedFile: "expected",
		results.DescentFile: "descent", results.FitFile: "fit"}
	var links []string
	for _, f := range m.RunFiles {
		if label, ok := names[f]; ok {
			links = append(links, fmt.Sprintf("[%s](%s)", label, path.Join(id, f)))
		}
	}
	return strings.Join(links, " · ")
}
