package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"runner/internal/batch"
	"runner/internal/report"
)

const runUsage = `Usage: runner run [-o DIR] [PATH ...]

Run the experiments in PATHs (files, or folders whose *.yaml and *.yml files
are read in name order; default experiments/) and write under DIR:
  <name>/trace.csv      every iteration, numbers to 12 significant digits
  <name>/iterations.md  the iterations as a table, rounded for reading
  <name>/expected.md    published values against computed ones, if pinned
  summary.csv, summary.md  one row per experiment

Invalid files are all reported and nothing is run or written (exit 2). A
published value that does not hold is reported and exits 1.
`

// runCommand is `runner run`.
func runCommand(stdout io.Writer, args []string) error {
	fs := newFlagSet("run", runUsage)
	out := fs.String("o", DefaultResults, "write results under `DIR`")
	exps, err := loadExperiments(fs, stdout, args)
	if err != nil {
		return err
	}
	outcomes, err := batch.Run(exps)
	if err != nil {
		return err
	}
	files, err := report.Files(outcomes)
	if err != nil {
		return err
	}
	changed, err := report.Write(*out, files)
	if err != nil {
		return err
	}
	if err := report.WriteTerminal(stdout, outcomes); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s under %s (%d changed)\n", count(len(files), "file"), *out, changed)
	return failedChecks(outcomes, *out)
}

// failedChecks reports published values that do not hold, as an error.
func failedChecks(outcomes []batch.Outcome, out string) error {
	var failures []string
	for i := range outcomes {
		o := &outcomes[i]
		if n := len(o.Failed()); n > 0 {
			failures = append(failures, fmt.Sprintf("%s: %d of %d published values do not hold (see %s)",
				o.Experiment.Name, n, len(o.Checks), filepath.Join(out, o.Experiment.Name, "expected.md")))
		}
	}
	if len(failures) == 0 {
		return nil
	}
	return errors.New(strings.Join(failures, "\nrunner: "))
}
