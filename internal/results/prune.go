package results

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// RemoveRun removes a stored run: the files its record lists, the record,
// and then its folder and the folders above it, up to its experiment's,
// if they are left empty. It returns the files and folders it kept there
// because the runner did not write them.
func (s *Store) RemoveRun(id string) (kept []string, err error) {
	rec, err := ReadRecord(s.View(), id)
	if err != nil {
		return nil, fmt.Errorf("removing %s: %w", s.Path(id), err)
	}
	if _, err := s.walkIn(id); err != nil {
		return nil, err
	}
	for _, f := range rec.Files {
		if err := s.remove(path.Join(id, f.Name)); err != nil {
			return nil, err
		}
	}
	if err := s.remove(path.Join(id, RecordFile)); err != nil {
		return nil, err
	}
	experiment, _, _ := strings.Cut(id, "/")
	return s.removeEmpty(id, experiment)
}

// RemoveExperiment removes a stored experiment: each of its runs, then the
// files its manifest lists, the manifest, and its folder if it is left
// empty. It returns what it kept because the runner did not write it.
func (s *Store) RemoveExperiment(name string, m *ExperimentManifest) (kept []string, err error) {
	ids, err := RunsOf(s.View(), name, nil)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		k, err := s.RemoveRun(id)
		if err != nil {
			return nil, err
		}
		kept = append(kept, k...)
	}
	for _, f := range m.Files {
		if err := s.remove(path.Join(name, f)); err != nil {
			return nil, err
		}
	}
	if err := s.remove(path.Join(name, ManifestFile)); err != nil {
		return nil, err
	}
	k, err := s.removeEmpty(name, "")
	kept = append(kept, k...)
	slices.Sort(kept)
	return slices.Compact(kept), err
}

// removeEmpty removes the folder rel if it is empty, then each folder
// above it that is left empty, up to stop (not included; "" for the
// results folder). A folder that is not empty is kept, and what it holds
// is returned, slash-separated under the results folder.
func (s *Store) removeEmpty(rel, stop string) ([]string, error) {
	for dir := rel; dir != stop && dir != "."; dir = path.Dir(dir) {
		entries, err := s.fs.ReadDir(s.abs(dir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			if dir != rel {
				return nil, nil // holds other runs
			}
			var kept []string
			for _, e := range entries {
				kept = append(kept, path.Join(dir, e.Name()))
			}
			return kept, nil
		}
		if err := s.fs.Remove(s.abs(dir)); err != nil {
			return nil, fmt.Errorf("removing %s: %w", filepath.Join(s.dir, dir), err)
		}
		s.folders.Delete(dir)
	}
	return nil, nil
}
