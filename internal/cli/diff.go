package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/descentlab/runner/internal/compare"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/render"
)

const diffUsage = `Usage: runner diff [--rtol R] [--atol A] OLD NEW

Compare two results folders run by run: runs added or removed, and for the
others their status, iterations, inputs and final values, and their traces:
the first iteration and column that differ, and the largest absolute and
relative differences. Numbers a and b count as equal when
|a - b| <= A + R·max(|a|, |b|).
`

// diffCommand is runner diff.
func diffCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fs := newFlagSet("diff", diffUsage)
	rtol := fs.Float64("rtol", 0, "relative tolerance `R`")
	atol := fs.Float64("atol", 0, "absolute tolerance `A`")
	dirs, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	switch {
	case len(dirs) != 2:
		return usagef("diff takes two results folders, OLD and NEW; got %d", len(dirs))
	case !(*rtol >= 0) || math.IsInf(*rtol, 0) || !(*atol >= 0) || math.IsInf(*atol, 0):
		return usagef("-rtol and -atol must be finite and >= 0")
	}
	var runs [2]map[string]compare.Run
	for i, dir := range dirs {
		if runs[i], err = pipeline.ReadRuns(os.DirFS(dir)); err != nil {
			return troublef("reading %s: %v", dir, err)
		}
	}
	diffs := compare.Runs(runs[0], runs[1], compare.Tolerance{Abs: *atol, Rel: *rtol})
	if len(diffs) == 0 {
		_, err := fmt.Fprintf(stdout, "no differences between %s and %s (%s)\n", dirs[0], dirs[1], count(len(runs[1]), "run"))
		return err
	}
	if err := render.Differences(stdout, diffs); err != nil {
		return err
	}
	return fmt.Errorf("%s between %s and %s", count(len(diffs), "difference"), dirs[0], dirs[1])
}
