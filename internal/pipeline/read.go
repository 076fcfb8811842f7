package pipeline

import (
	"io"
	"io/fs"

	"github.com/descentlab/runner/internal/compare"
	"github.com/descentlab/runner/internal/results"
)

// ReadRuns reads every run of a results folder for comparison, by
// identifier: its summary row and its whole trace.
func ReadRuns(fsys fs.FS) (map[string]compare.Run, error) {
	if err := results.CheckFolder(fsys); err != nil {
		return nil, err
	}
	exps, err := results.ReadExperiments(fsys)
	if err != nil {
		return nil, err
	}
	runs := map[string]compare.Run{}
	for _, e := range exps {
		ids, err := results.RunsOf(fsys, e.Name, nil)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			rec, err := results.ReadRecord(fsys, id)
			if err != nil {
				return nil, err
			}
			row := results.RowOf(rec)
			run := compare.Run{Result: map[string]string{}}
			for c := range results.NumColumns {
				run.Result[c.String()] = row[c]
			}
			t, closer, err := results.OpenTrace(fsys, id)
			if err != nil {
				return nil, err
			}
			run.Trace = append(run.Trace, t.Header())
			for {
				cells, err := t.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					closer.Close()
					return nil, err
				}
				run.Trace = append(run.Trace, append([]string(nil), cells...))
			}
			closer.Close()
			runs[id] = run
		}
	}
	return runs, nil
}
