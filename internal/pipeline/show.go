package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// ReadEnds reads a stored run's trace, keeping the rows its table shows.
func ReadEnds(fsys fs.FS, rec *results.Record) (*engine.Ends, error) {
	t, closer, err := results.OpenTrace(fsys, rec.Run)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	ends := engine.NewEnds(render.KeptRows)
	var it engine.Iteration
	for {
		row, err := t.Next()
		if err == io.EOF {
			return ends, nil
		}
		if err == nil {
			err = results.Iteration(row, rec.Inputs.Train, len(rec.Inputs.Data), &it)
		}
		if err != nil {
			return nil, fmt.Errorf("%s/%s: line %d: %w", rec.Run, results.TraceFile, t.Line(), err)
		}
		ends.Record(&it)
	}
}

// Locate finds the run that the command line names: a run's folder, or a
// run's identifier under the results folder out. It returns the results
// folder and the run's identifier.
func Locate(run, out string) (root, id string, err error) {
	if info, err := os.Stat(filepath.Join(run, results.RecordFile)); err == nil && !info.IsDir() {
		abs, err := filepath.Abs(run)
		if err != nil {
			return "", "", err
		}
		for dir := filepath.Dir(abs); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if results.CheckFolder(os.DirFS(dir)) == nil {
				rel, err := filepath.Rel(dir, abs)
				return dir, filepath.ToSlash(rel), err
			}
		}
		return "", "", fmt.Errorf("%s holds a run's record, but no folder above it is a results folder (none has a manifest.yaml of the runner's)", run)
	}
	if err := results.CheckFolder(os.DirFS(out)); err != nil {
		return "", "", fmt.Errorf("-o %s: %w", out, err)
	}
	id = filepath.ToSlash(filepath.Clean(run))
	if _, err := fs.Stat(os.DirFS(out), id+"/"+results.RecordFile); errors.Is(err, fs.ErrNotExist) || !fs.ValidPath(id) {
		return "", "", fmt.Errorf("no run %q under %s: give a run's identifier (such as learning-rates/alpha=0.1, as summary.csv lists them) or its folder", run, out)
	}
	return out, id, nil
}

// Show reads a stored run for its table: its record and the ends of its
// trace.
func Show(fsys fs.FS, id string) (*render.Run, error) {
	rec, err := results.ReadRecord(fsys, id)
	if err != nil {
		return nil, err
	}
	ends, err := ReadEnds(fsys, rec)
	if err != nil {
		return nil, err
	}
	return &render.Run{Record: rec, Rows: ends.Iterations(), TraceRows: ends.Seen()}, nil
}
