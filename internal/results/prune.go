package results

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// removeRun removes a stored run's files that the runner wrote (mine, by
// name), and then its folder and the folders above it, up to its
// experiment's, if they are left empty. It returns the files and folders
// it kept there because the runner did not write them: not the folders of
// runs in it (a stale alpha=0.1 holds alpha=0.1/b3_initial=0 once b3 is
// swept too), which are the runner's, each stale or not on its own.
func (s *Store) removeRun(id string, mine []string, experiment string) (kept []string, err error) {
	if _, err := s.walkIn(id); err != nil {
		return nil, err
	}
	for _, name := range mine {
		if err := s.remove(path.Join(id, name)); err != nil {
			return nil, err
		}
	}
	kept, err = s.removeEmpty(id, experiment)
	return slices.DeleteFunc(kept, func(k string) bool {
		info, err := s.fs.Lstat(k)
		return err == nil && info.IsDir() && isRunFolder(path.Base(k))
	}), err
}

// RemoveExperiment removes a stored experiment that no longer exists:
// each of its runs and stale runs, then the files its manifest lists, the
// manifest, and its folder if it is left empty; and its name from the
// results folder's manifest. It returns what it kept because the runner
// did not write it. An experiment whose manifest or records are damaged
// is left alone: what the runner wrote there cannot be told.
func (s *Store) RemoveExperiment(name string) (kept []string, err error) {
	m, err := ReadManifest(s.View(), name)
	if err != nil {
		return nil, fmt.Errorf("will not remove %s: %w; remove it by hand if it is not wanted", s.Path(name), err)
	}
	ids, err := RunIDs(s.View(), m)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("will not remove %s: %w; remove it by hand if it is not wanted", s.Path(name), err)
	}
	for _, id := range append(ids, m.StaleRuns...) {
		if id == name {
			continue // the experiment's own folder: its run files are removed below
		}
		k, err := s.removeRun(id, runFiles, name) // any file a run of an earlier version wrote
		if err != nil {
			return nil, err
		}
		kept = append(kept, k...)
	}
	own := slices.Concat(m.Files, []string{ManifestFile})
	switch {
	case len(m.Swept) == 0:
		own = append(own, m.RunFiles...)
	case slices.Contains(m.StaleRuns, name):
		own = append(own, m.StaleFiles...) // the single run it was
	}
	for _, f := range own {
		if err := s.remove(path.Join(name, f)); err != nil {
			return nil, err
		}
	}
	k, err := s.removeEmpty(name, "")
	kept = append(kept, k...)
	if err != nil {
		return nil, err
	}
	for _, f := range []string{cacheName(name), path.Join(PrivateDir, journalDir, name)} {
		if err := removeAll(s.fs, f); err != nil {
			return nil, err
		}
	}
	if err := s.unregisterExperiment(name); err != nil {
		return nil, err
	}
	slices.Sort(kept)
	return slices.Compact(kept), nil
}

// removeEmpty removes the folder rel if it is empty, then each folder
// above it that is left empty, up to stop (not included; "" for the
// results folder). A folder that is not empty is kept, and what it holds
// is returned, slash-separated under the results folder.
func (s *Store) removeEmpty(rel, stop string) ([]string, error) {
	for dir := rel; dir != stop && dir != "."; dir = path.Dir(dir) {
		entries, err := s.fs.ReadDir(dir)
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
		Forget(s.fs, dir)
		if err := s.fs.Remove(dir); err != nil {
			return nil, fmt.Errorf("removing %s: %w", s.Path(dir), err)
		}
		s.folders.Delete(dir)
		if strings.Count(dir, "/") == 0 {
			break
		}
	}
	return nil, nil
}
