package report

import (
	"bytes"
	"fmt"

	"github.com/descentlab/runner/internal/batch"
)

// File is one output file: its slash-separated path inside the results
// folder, and its content.
type File struct {
	Path string
	Data []byte
}

// ResultFile is the name of the file that holds a run's Record in its
// folder.
const ResultFile = "result.csv"

// RunFiles renders the files of one run that follow its trace, which a
// TraceWriter writes as the run goes: iterations.md, expected.md if it pins
// published values, and result.csv, named within the run's folder. It also
// returns the run's record.
func RunFiles(o *batch.Outcome) ([]File, Record, error) {
	rec := NewRecord(o)
	var r fileSet
	r.add("iterations.md", func(b *bytes.Buffer) error { return writeIterationsMarkdown(b, o) })
	if len(o.Checks) > 0 {
		r.add("expected.md", func(b *bytes.Buffer) error { return writeExpectedMarkdown(b, o) })
	}
	r.add(ResultFile, func(b *bytes.Buffer) error { return writeRecord(b, rec) })
	return r.files, rec, r.err
}

// SummaryFiles renders summary.csv and summary.md from the runs' records,
// in order.
func SummaryFiles(records []Record) ([]File, error) {
	var r fileSet
	r.add("summary.csv", func(b *bytes.Buffer) error { return writeSummaryCSV(b, records) })
	r.add("summary.md", func(b *bytes.Buffer) error { return writeSummaryMarkdown(b, records) })
	return r.files, r.err
}

// fileSet collects rendered files, keeping the first error.
type fileSet struct {
	files []File
	err   error
}

func (r *fileSet) add(name string, render func(b *bytes.Buffer) error) {
	if r.err != nil {
		return
	}
	var b bytes.Buffer
	if err := render(&b); err != nil {
		r.err = fmt.Errorf("rendering %s: %w", name, err)
		return
	}
	r.files = append(r.files, File{Path: name, Data: b.Bytes()})
}
