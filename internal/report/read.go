package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/descentlab/runner/internal/compare"
)

// ReadRuns reads the runs of a results folder for comparison: every folder
// holding a result.csv, by its path inside dir (the run's identifier), with
// its trace.csv if it has one.
func ReadRuns(dir string) (map[string]compare.Run, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	runs := map[string]compare.Run{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != ResultFile {
			return err
		}
		run, err := readRun(filepath.Dir(p))
		if err != nil {
			return err
		}
		id, err := filepath.Rel(dir, filepath.Dir(p))
		runs[filepath.ToSlash(id)] = run
		return err
	})
	return runs, err
}

// readRun reads a run's result.csv and trace.csv.
func readRun(dir string) (compare.Run, error) {
	data, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		return compare.Run{}, err
	}
	rec, err := ParseRecord(data)
	if err != nil {
		return compare.Run{}, fmt.Errorf("%s: %w", filepath.Join(dir, ResultFile), err)
	}
	run := compare.Run{Result: rec.Map()}
	trace, err := os.ReadFile(filepath.Join(dir, "trace.csv"))
	if os.IsNotExist(err) {
		return run, nil
	}
	if err != nil {
		return compare.Run{}, err
	}
	if run.Trace, err = csv.NewReader(bytes.NewReader(trace)).ReadAll(); err != nil {
		return compare.Run{}, fmt.Errorf("%s: %w", filepath.Join(dir, "trace.csv"), err)
	}
	return run, nil
}
