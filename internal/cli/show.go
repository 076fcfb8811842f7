package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const showUsage = `Usage: runner show [flags] RUN|EXPERIMENT

Print a run's iterations as a table, rendered from its trace (the first
and last 10 rows, or those --rows or --all ask for), with how it ended
and its published values: for any run, also those of large sweeps, whose
folders hold no tables. RUN is a run's folder
(results/learning-rates/alpha=0.1) or its identifier under -o
(learning-rates/alpha=0.1, as summary.csv lists them). An EXPERIMENT of
several runs lists them, as runner ls does. With --md it prints Markdown:
what iterations.md holds.

Exit status: 0 shown; 2 bad usage, or no such run or experiment, or one
that cannot be read; 3 the table could not be written whole.
`

// maxShownRows bounds the rows --all and --rows print: beyond, read the
// trace itself.
const maxShownRows = 100_000

// showCommand is runner show.
func showCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("show", showUsage)
	out := fs.String("o", DefaultResults, "read results under `DIR`")
	md := fs.Bool("md", false, "print Markdown, as iterations.md holds it")
	rows := fs.String("rows", "", "print the rows of iterations `A:B` (either may be left out: 100: from 100 on)")
	all := fs.Bool("all", false, fmt.Sprintf("print every row (at most %s)", "100,000"))
	var terminal terminalFlags
	terminal.add(fs)
	rest, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("show takes one run, its folder or identifier, or an experiment; got %d arguments", len(rest))
	}
	first, last, err := parseRows(*rows, *all)
	if err != nil {
		return err
	}
	if err := terminal.check(); err != nil {
		return err
	}
	name := underFolder(rest[0], *out)
	where, err := results.Locate(name, *out)
	if lacksResults(err, *out) {
		return troubleError{noResults(*out)}
	}
	if err != nil {
		return troubleError{suggestRuns(err, *out)}
	}
	fsys, closeFS, err := openResults(where.Root)
	if err != nil {
		return troubleError{err}
	}
	defer closeFS()
	if where.Experiment != "" {
		side := &listSide{name: where.Root, fsys: fsys}
		runs, err := side.read([]string{where.Experiment})
		if err != nil {
			return troubleError{err}
		}
		l := &listing{format: terminalList, terminal: terminal.of(stdout)}
		if *md {
			l.format = markdownList
		}
		return reportError(l.writeList(stdout, runs))
	}
	rec, _, err := results.ReadRecord(fsys, where.Run)
	if err != nil {
		return troubleError{err}
	}
	view, err := runView(fsys, rec, first, last, *rows != "" || *all)
	if err != nil {
		return troubleError{err}
	}
	if *md {
		return reportError(render.IterationsMarkdown(stdout, view))
	}
	return reportError(render.Detail(stdout, view, terminal.of(stdout)))
}

// parseRows reads --rows A:B, or --all: the first and last iterations to
// show.
func parseRows(rows string, all bool) (first, last int, err error) {
	switch {
	case all && rows != "":
		return 0, 0, usagef("-all and -rows contradict each other; give one")
	case all || rows == "":
		return 1, math.MaxInt, nil
	}
	a, b, ok := strings.Cut(rows, ":")
	first, last = 1, math.MaxInt
	if ok && a != "" {
		first, err = strconv.Atoi(a)
	}
	if ok && b != "" && err == nil {
		last, err = strconv.Atoi(b)
	}
	if !ok || err != nil || first < 1 || last < first {
		return 0, 0, usagef("-rows: want A:B, iterations from A to B (such as 1:50, or 100: from 100 on), with 1 <= A <= B; got %q", rows)
	}
	return first, last, nil
}

// runView reads what a run's table shows: the ends of its trace, or, if
// ranged, its rows from first to last.
func runView(fsys fs.FS, rec *results.Record, first, last int, ranged bool) (*render.RunView, error) {
	v, err := results.ReadRunView(fsys, rec, render.KeptRows)
	if err != nil {
		return nil, err
	}
	if err := v.Check(rec); err != nil {
		return nil, fmt.Errorf("%w; runner run computes the run again, or restore both from git", err)
	}
	if !ranged {
		return &render.RunView{Record: rec, Rows: v.Rows, Gap: v.Gap}, nil
	}
	rows, err := results.ReadRows(fsys, rec, first, last, maxShownRows)
	if errors.Is(err, results.ErrTooManyRows) {
		return nil, fmt.Errorf("%s has more than %d rows to show; ask for fewer with --rows A:B, or read its %s", rec.Run, maxShownRows, results.TraceFile)
	}
	if err != nil {
		return nil, err
	}
	return &render.RunView{Record: rec, Rows: rows, All: true}, nil
}
