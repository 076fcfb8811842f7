package cli

import (
	"context"
	"io"

	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const validateUsage = `Usage: runner validate [flags] [PATH ...]

Check the experiment files in PATHs (files or folders; default
experiments/) without running anything: every check runner run makes
before it runs, with the same flags, including what the batch could cost
(trace rows, data points, iterations, bytes). Every problem in every file
is reported with its file, line, column and field; the exit status is 2 if
there is any. (Whether the results folder has room is checked by run
alone.) With --set and --sweep, the experiments are checked with those
values, as runner run would run them.

Exit status: 0 every experiment is valid; 2 a problem in a file, a limit
the batch could exceed, or bad usage; 3 the report could not be written
whole.
`

// validateCommand is runner validate.
func validateCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	var o pipeline.Options
	var tried overrideFlags
	fs := newFlagSet("validate", validateUsage)
	tried.add(fs)
	fs.IntVar(&o.CSVDigits, "csv-digits", results.DefaultCSVDigits, "as for runner run: `N` digits of results, for the estimate")
	limitFlags(fs, &o.Limits)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	if err := checkLimits(&o.Limits); err != nil {
		return err
	}
	overrides, err := tried.parse()
	if err != nil {
		return err
	}
	exps, err := loadExperiments(paths, overrides)
	if err != nil {
		return err
	}
	estimate, err := pipeline.Preflight(exps, &o)
	if err != nil {
		return err
	}
	p := render.NewPrinter(stdout)
	for _, e := range exps {
		p.Printf("%v: %s: valid\n", e.Pos, e.Name)
	}
	p.Printf("%s\n", estimate)
	return reportError(p.Err())
}
