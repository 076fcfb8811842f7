package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const summarizeUsage = `Usage: runner summarize [flags] [PATH ...]

Rebuild the files of the experiments in PATHs (default experiments/)
under DIR from their stored runs, after their shards ran (runner run
--shard K/N): each experiment's records.csv, summary.csv, manifest and
pictures, and the results folder's summary.csv, summary.md and
README.md. Give the same -o, flags (--set and --sweep too) and paths:
the files are then byte for byte those one unsharded runner run writes.
Searches are replayed from their stored probes. Every run must be stored
with its experiment's inputs and files (in records.csv, or in the
shards' journals in .runner/journal); summarize names those that are
not, and writes nothing.

Exit status: 0 summarized; 1 runs missing or stored with other inputs
(summarize names them), or a run-time failure; 2 bad usage or invalid
experiment files; 3 the report could not be written whole; 130
interrupted.
`

// summarizeCommand is runner summarize.
func summarizeCommand(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	var o pipeline.Options
	var pics pictureFlags
	var terminal terminalFlags
	var tried overrideFlags
	fs := newFlagSet("summarize", summarizeUsage)
	fs.StringVar(&o.Out, "o", DefaultResults, "read and write results under `DIR`")
	fs.IntVar(&o.CSVDigits, "csv-digits", results.DefaultCSVDigits, "the -csv-digits `N` the runs were run with")
	pics.add(fs)
	terminal.add(fs)
	tried.add(fs)
	limitFlags(fs, &o.Limits)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	overrides, err := tried.parse()
	if err != nil {
		return err
	}
	if o.Pictures, err = pics.choice(); err != nil {
		return err
	}
	if err := terminal.check(); err != nil {
		return err
	}
	exps, err := loadExperiments(paths, overrides)
	if err != nil {
		return err
	}
	if tried.tried() {
		if err := checkStoredOverrides(o.Out, exps); err != nil {
			return err
		}
	}
	o.Workers, o.Runner, o.Wrap, o.Notify = 1, Version().Module, wrapResults, notifier(stderr)
	r, err := pipeline.Summarize(ctx, exps, &o)
	if err != nil {
		return err
	}
	if err := render.SummaryTerminal(stdout, r.Summary, terminal.of(stdout)); err != nil {
		return reportError(err)
	}
	if err := render.SearchTerminal(stdout, searchAnswers(r), terminal.of(stdout)); err != nil {
		return reportError(err)
	}
	_, err = fmt.Fprintf(stdout, "\nsummarized %s under %s; %s\n", prose.Count(r.Runs, "run"), o.Out, written(r.Changed))
	return reportError(err)
}

// written says how many files changed.
func written(n int) string {
	if n == 0 {
		return "no file written"
	}
	return prose.Count(n, "file") + " written"
}
