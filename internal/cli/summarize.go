package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/report"
)

const summarizeUsage = `Usage: runner summarize [-o DIR] [PATH ...]

Rebuild summary.csv, summary.md, the sweeps' sweep.svg and README.md under
DIR from the result.csv of every run of the experiments in PATHs (default
experiments/), in the order a single run would list them. Use it after
running the runs in several processes with runner run --shard K/N, with the
same -o and picture flags: the files are then byte for byte those a single
runner run writes. Every run must have its result.csv.
`

// summarizeCommand is `runner summarize`.
func summarizeCommand(_ context.Context, stdout, _ io.Writer, args []string) error {
	fset := newFlagSet("summarize", summarizeUsage)
	out := fset.String("o", DefaultResults, "read and write results under `DIR`")
	var pics pictures
	pics.addFlags(fset)
	exps, err := loadExperiments(fset, stdout, args)
	if err != nil {
		return err
	}
	plan := experiment.NewPlan(exps)
	records, err := readRecords(*out, plan)
	if err != nil {
		return err
	}
	dir := report.NewDir(*out, resultsFS)
	if err := writeSummaries(dir, exps, records, pics); err != nil {
		return err
	}
	if err := report.WriteSummary(stdout, records); err != nil {
		return err
	}
	_, changed := dir.Counts()
	_, err = fmt.Fprintf(stdout, "\nsummarized %s under %s (%d files changed)\n", count(len(records), "run"), *out, changed)
	return err
}

// readRecords reads the record of every run of the plan.
func readRecords(out string, plan *experiment.Plan) ([]report.Record, error) {
	records := make([]report.Record, plan.Len())
	var missing []string
	for i := range records {
		id := plan.Run(i).ID
		file := filepath.Join(out, filepath.FromSlash(id), report.ResultFile)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		rec, err := report.ParseRecord(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if rec.Get("run") != id {
			return nil, fmt.Errorf("%s: holds run %q, want %q; run it again", file, rec.Get("run"), id)
		}
		records[i] = rec
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d of %d runs have no %s under %s, such as %s; run them first (every shard)",
			len(missing), len(records), report.ResultFile, out, missing[0])
	}
	return records, nil
}
