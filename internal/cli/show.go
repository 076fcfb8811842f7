package cli

import (
	"context"
	"io"
	"os"

	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/render"
)

const showUsage = `Usage: runner show [flags] RUN

Print a run's iterations as a table, rendered from its trace (the first
and last 10 rows), with how it ended and its published values: for any
run, also those of large sweeps, whose folders hold no tables. RUN is a
run's folder (results/learning-rates/alpha=0.1) or its identifier under
-o (learning-rates/alpha=0.1, as summary.csv lists them). With --md it
prints Markdown: what iterations.md holds.
`

// showCommand is runner show.
func showCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("show", showUsage)
	out := fs.String("o", DefaultResults, "read results under `DIR`")
	md := fs.Bool("md", false, "print Markdown, as iterations.md holds it")
	var terminal terminalFlags
	terminal.add(fs)
	rest, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("show takes one run, its folder or identifier; got %d arguments", len(rest))
	}
	if err := terminal.check(); err != nil {
		return err
	}
	root, id, err := pipeline.Locate(rest[0], *out)
	if err != nil {
		return troubleError{err}
	}
	run, err := pipeline.Show(os.DirFS(root), id)
	if err != nil {
		return troubleError{err}
	}
	if *md {
		return render.IterationsMarkdown(stdout, run)
	}
	return render.Detail(stdout, run, terminal.of(stdout))
}
