package report

import (
	"bytes"
	"fmt"
	"io"
	"path"

	"runner/internal/batch"
)

// File is one output file: its slash-separated path inside the results
// folder, and its content.
type File struct {
	Path string
	Data []byte
}

// Files renders the outputs of a run of experiments, in this order: for
// each experiment, <name>/trace.csv, <name>/iterations.md and, if it pins
// published values, <name>/expected.md; then summary.csv and summary.md.
func Files(outcomes []batch.Outcome) ([]File, error) {
	var files []File
	add := func(name string, render func(w io.Writer) error) error {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			return fmt.Errorf("rendering %s: %w", name, err)
		}
		files = append(files, File{Path: name, Data: b.Bytes()})
		return nil
	}
	for i := range outcomes {
		o := &outcomes[i]
		dir := o.Experiment.Name
		err := add(path.Join(dir, "trace.csv"), func(w io.Writer) error { return writeTrace(w, o) })
		if err == nil {
			err = add(path.Join(dir, "iterations.md"), func(w io.Writer) error { return writeIterationsMarkdown(w, o) })
		}
		if err == nil && len(o.Checks) > 0 {
			err = add(path.Join(dir, "expected.md"), func(w io.Writer) error { return writeExpectedMarkdown(w, o) })
		}
		if err != nil {
			return nil, err
		}
	}
	if err := add("summary.csv", func(w io.Writer) error { return writeSummaryCSV(w, outcomes) }); err != nil {
		return nil, err
	}
	if err := add("summary.md", func(w io.Writer) error { return writeSummaryMarkdown(w, outcomes) }); err != nil {
		return nil, err
	}
	return files, nil
}
