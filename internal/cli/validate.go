package cli

import (
	"context"
	"fmt"
	"io"
)

const validateUsage = `Usage: runner validate [PATH ...]

Check the experiment files in PATHs (files or folders; default
experiments/) without running anything. Every problem in every file is
reported with its file, line, column and field; the exit status is 2 if
there is any.
`

// validateCommand is `runner validate`.
func validateCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("validate", validateUsage)
	exps, err := loadExperiments(fs, stdout, args)
	if err != nil {
		return err
	}
	for _, e := range exps {
		fmt.Fprintf(stdout, "%v: %s: valid\n", e.Pos, e.Name)
	}
	return nil
}
