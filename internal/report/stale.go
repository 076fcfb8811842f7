package report

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// runFileNames are the files the runner writes in a run's folder.
var runFileNames = []string{"trace.csv", "iterations.md", "expected.md", ResultFile, "descent.svg", "fit.svg", "sweep.svg"}

// Stale finds the result folders under root that no current run writes:
// run folders (those holding a result.csv or trace.csv) whose path is not
// the identifier of a run for which current is true. It returns the
// highest folders whose runs are all stale, slash-separated and sorted:
// "old-sweep" rather than each of its runs. A root that does not exist has
// none.
func Stale(root string, current func(id string) bool) ([]string, error) {
	var live, stale []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == root {
			return err
		}
		if !holdsRun(p) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		id := filepath.ToSlash(rel)
		if current(id) {
			live = append(live, id)
		} else {
			stale = append(stale, id)
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return highestStale(stale, live), nil
}

// holdsRun reports whether a folder holds a run's results.
func holdsRun(dir string) bool {
	for _, name := range []string{ResultFile, "trace.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// highestStale returns, for each stale run, its highest ancestor folder
// (itself included) that holds no live run.
func highestStale(stale, live []string) []string {
	holdsLive := map[string]bool{}
	for _, id := range live {
		for dir := id; dir != "."; dir = path.Dir(dir) {
			holdsLive[dir] = true
		}
	}
	var top []string
	for _, id := range stale {
		parts := strings.Split(id, "/")
		for i := range parts {
			if dir := strings.Join(parts[:i+1], "/"); !holdsLive[dir] {
				top = append(top, dir)
				break
			}
		}
	}
	slices.Sort(top)
	return slices.Compact(top)
}

// Prune removes stale folders under root: the runner's own files in them
// and in their subfolders, then each folder left empty. It leaves any other
// file, and returns the folders it could not remove because of them.
func Prune(root string, stale []string) (kept []string, err error) {
	for _, s := range stale {
		dir := filepath.Join(root, filepath.FromSlash(s))
		var folders []string
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir():
				folders = append(folders, p)
			case slices.Contains(runFileNames, d.Name()):
				return os.Remove(p)
			}
			return nil
		})
		if err != nil {
			return kept, err
		}
		slices.Reverse(folders) // the deepest first
		for _, f := range folders {
			if entries, err := os.ReadDir(f); err != nil || len(entries) > 0 {
				continue
			}
			if err := os.Remove(f); err != nil {
				return kept, err
			}
		}
		if _, err := os.Stat(dir); err == nil {
			kept = append(kept, s)
		}
	}
	return kept, nil
}
