package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// IndexFile is the name of the results folder's index.
const IndexFile = "README.md"

// Index is what the results folder's index shows: the runs' records,
// which runs and sweeps have pictures, and how many runs to show pictures
// of inline.
type Index struct {
	Records []Record
	// Pictures reports whether the runs of an experiment have descent.svg
	// and fit.svg.
	Pictures func(experiment string) bool
	// Sweeps are the experiments with a sweep.svg, in order.
	Sweeps []string
}

// inlinePictures is how many runs the index shows the pictures of.
const inlinePictures = 3

// IndexFiles renders the results folder's README.md, which GitHub shows
// for the folder: the sweeps' pictures, the runs with links to their
// tables, traces and pictures, and the pictures of the first few runs.
func IndexFiles(x Index) ([]File, error) {
	var r fileSet
	r.add(IndexFile, func(b *bytes.Buffer) error { return writeIndex(b, x) })
	return r.files, r.err
}

func writeIndex(w io.Writer, x Index) error {
	p := &printer{w: w}
	p.printf("# Results\n\nWritten by the runner; do not edit. The same runs as [summary.md](summary.md), with links to every file; [summary.csv](summary.csv) has the numbers in full.\n")
	for _, name := range x.Sweeps {
		p.printf("\n## %s\n\n![%s: iterations against the swept value](%s/sweep.svg)\n", name, name, name)
	}
	p.printf("\n## Runs\n\n")
	t := newTable([]string{"run", "status", "iterations", "SSR final", "files"}, "run", "status", "files")
	shown := elision{head: MaxSummaryMarkdownRows / 2, tail: MaxSummaryMarkdownRows / 2, n: len(x.Records)}
	var inline []string
	for i := range x.Records {
		if shown.omits(i) {
			if i == shown.head {
				t.addGap()
			}
			continue
		}
		rec := &x.Records[i]
		id := rec.Get("run")
		files := []string{fmt.Sprintf("[trace](%s/trace.csv)", id)}
		if x.Pictures(rec.Get("experiment")) {
			files = append(files, fmt.Sprintf("[descent](%s/descent.svg)", id), fmt.Sprintf("[fit](%s/fit.svg)", id))
			if len(inline) < inlinePictures {
				inline = append(inline, id)
			}
		}
		t.add(fmt.Sprintf("[%s](%s/iterations.md)", id, id), rec.Get("status"), rec.Get("iterations"),
			readable(rec.Get("ssr_final")), strings.Join(files, " · "))
	}
	p.table(t, markdown)
	if omitted := shown.note("Runs", "summary.csv has every run"); omitted != "" {
		p.printf("\n%s\n", omitted)
	}
	for _, id := range inline {
		p.printf("\n### %s\n\n![%s: descent](%s/descent.svg)\n![%s: fit](%s/fit.svg)\n", id, id, id, id, id)
	}
	return p.err
}
