package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const summarizeUsage = `Usage: runner summarize [flags] [PATH ...]

Rebuild the summaries of the experiments in PATHs (default experiments/)
under DIR from their stored runs: each experiment's summary.csv, manifest
and sweep.svg, and the results folder's summary.csv, summary.md and
README.md. Use it once every shard of a sweep has run (runner run --shard
K/N), with the same -o, flags and paths: the files are then byte for byte
those one unsharded runner run writes. Every run must be stored with its
experiment's inputs and files; summarize names those that are not, and
writes nothing.
`

// summarizeCommand is runner summarize.
func summarizeCommand(ctx context.Context, stdout, _ io.Writer, args []string) error {
	var o pipeline.Options
	var pics pictureFlags
	var terminal terminalFlags
	fs := newFlagSet("summarize", summarizeUsage)
	fs.StringVar(&o.Out, "o", DefaultResults, "read and write results under `DIR`")
	fs.IntVar(&o.CSVDigits, "csv-digits", results.DefaultCSVDigits, "the -csv-digits `N` the runs were run with")
	pics.add(fs)
	terminal.add(fs)
	limitFlags(fs, &o.Limits)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	if o.Pictures, err = pics.choice(); err != nil {
		return err
	}
	if err := terminal.check(); err != nil {
		return err
	}
	exps, err := loadExperiments(paths)
	if err != nil {
		return err
	}
	o.Workers, o.Runner, o.FS = 1, Version().Module, resultsFS
	o.Command = fmt.Sprintf("process %d (runner summarize -o %s)", os.Getpid(), o.Out)
	r, err := pipeline.Summarize(ctx, exps, &o)
	if err != nil {
		return err
	}
	if err := render.SummaryTerminal(stdout, r.Summary, terminal.of(stdout)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nsummarized %s under %s; %s\n", prose.Count(r.Runs, "run"), o.Out, written(r.Changed))
	return err
}

// written says how many files changed.
func written(n int) string {
	if n == 0 {
		return "no file written"
	}
	return prose.Count(n, "file") + " written"
}
