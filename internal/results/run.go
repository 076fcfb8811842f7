package results

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// RunWriter writes the folder of one run: its files into a folder in
// .runner/tmp, then Commit puts the folder in place whole. If anything
// fails, Abort leaves the run's folder as it was.
type RunWriter struct {
	s       *Store
	id      string // the run's identifier: its folder, slash-separated, under the root
	exists  bool
	staging string
	mine    []string // the files of the folder there that the runner wrote
	files   []*Pending
}

// newRun starts writing the folder of run id. It refuses a path that goes
// through a symbolic link, or through a file where a folder should be.
// Unless isNew (its experiment's folder was not there when the batch
// began, so nothing is there), it looks whether the folder is there; mine
// are the files there that the runner wrote, which it may replace.
func (s *Store) newRun(id string, isNew bool, mine []string) (*RunWriter, error) {
	w := &RunWriter{s: s, id: id, mine: mine}
	var err error
	if !isNew {
		if w.exists, err = s.walkIn(id); err != nil {
			return nil, err
		}
	}
	if s.mode != Compare {
		w.staging = s.tempName(id)
		if err := s.fs.Mkdir(w.staging); err != nil {
			return nil, fmt.Errorf("writing %s: %w", s.Path(id), err)
		}
	}
	return w, nil
}

// walkIn follows rel from the root, one folder at a time, and reports
// whether its last folder exists. A symbolic link, or a file where a
// folder should be, on the way is an error.
func (s *Store) walkIn(rel string) (exists bool, err error) {
	sofar := ""
	for _, part := range strings.Split(rel, "/") {
		sofar = path.Join(sofar, part)
		info, err := s.fs.Lstat(sofar)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return false, nil
		case errors.Is(err, ErrLink):
			return false, fmt.Errorf("writing %s: a folder on the way to it is a symbolic link, which the runner does not follow in a results folder; remove the link", s.Path(rel))
		case err != nil:
			return false, fmt.Errorf("writing %s: %w", s.Path(sofar), err)
		case info.Mode()&fs.ModeSymlink != 0:
			return false, fmt.Errorf("writing %s: it is a symbolic link, and the runner does not write through links, which may lead outside %s; remove it, or write the results to another folder", s.Path(sofar), s.Path(""))
		case !info.IsDir():
			return false, fmt.Errorf("writing %s: it is %s, where the runner needs a folder", s.Path(sofar), describeKind(info.Mode()))
		}
	}
	return true, nil
}

// Create starts a file of the run's folder, written as a stream.
func (w *RunWriter) Create(name string) (*Pending, error) {
	temp := ""
	if w.staging != "" {
		temp = path.Join(w.staging, name)
	}
	p, err := w.s.create(path.Join(w.id, name), temp, !w.exists, false)
	if err != nil {
		return nil, err
	}
	w.files = append(w.files, p)
	return p, nil
}

// Put writes a whole file of the run's folder.
func (w *RunWriter) Put(name string, data []byte) error {
	p, err := w.Create(name)
	if err == nil {
		_, err = p.Write(data)
	}
	return err
}

// Abort drops what was written, and leaves the run's folder as it was.
func (w *RunWriter) Abort() {
	for _, p := range w.files {
		p.close()
	}
	if w.staging != "" {
		removeAll(w.s.fs, w.staging) // left for the next writer if it fails
		w.staging = ""
	}
}

// Commit puts the folder in place, and returns the run's files with their
// sizes and SHA-256, what stat said of each as it was written, and whether
// any changed.
func (w *RunWriter) Commit() (sums []FileSum, stats []fileStat, changed bool, err error) {
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	for _, p := range w.files {
		if err := p.close(); err != nil {
			return nil, nil, false, err
		}
		sums = append(sums, p.sum())
		changed = changed || p.differs
	}
	if !changed && w.exists {
		changed = w.holdsOld()
	}
	if w.s.mode == Compare || !changed {
		w.Abort()
		w.count()
		return sums, w.stats(), changed, nil
	}
	if !w.exists {
		err = w.putNew()
	} else {
		err = w.replace()
	}
	if err != nil {
		return nil, nil, false, err
	}
	w.count()
	return sums, w.stats(), true, nil
}

// stats returns what stat said of each of the run's files as it was put
// in place.
func (w *RunWriter) stats() []fileStat {
	stats := make([]fileStat, len(w.files))
	for i, p := range w.files {
		stats[i] = p.stat
	}
	return stats
}

// holdsOld reports whether the run's folder holds a file the runner wrote
// that the run no longer has, such as expected.md once nothing is pinned.
func (w *RunWriter) holdsOld() bool {
	for _, name := range w.mine {
		if slices.ContainsFunc(w.files, func(p *Pending) bool { return path.Base(p.rel) == name }) {
			continue
		}
		if _, err := w.s.fs.Lstat(path.Join(w.id, name)); err == nil {
			return true
		}
	}
	return false
}

// count counts the run's files.
func (w *RunWriter) count() {
	for _, p := range w.files {
		w.s.count(p.rel, p.differs)
	}
}

// putNew renames the staged folder into place: the run appears whole.
func (w *RunWriter) putNew() error {
	if parent := path.Dir(w.id); parent != "." {
		if err := w.s.mkdirAll(parent); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
		}
	}
	if err := w.s.fs.Rename(w.staging, w.id); err != nil {
		return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
	}
	w.staging = ""
	return nil
}

// mkdirAll makes the folder rel and those above it that are missing; each
// must be a folder, not a link.
func (s *Store) mkdirAll(rel string) error {
	sofar := ""
	for _, part := range strings.Split(rel, "/") {
		sofar = path.Join(sofar, part)
		if _, ok := s.folders.Load(sofar); ok {
			continue
		}
		err := s.fs.Mkdir(sofar)
		if errors.Is(err, fs.ErrExist) {
			info, lerr := s.fs.Lstat(sofar)
			if lerr == nil && !info.IsDir() {
				return fmt.Errorf("%s is %s, where the runner needs a folder", s.Path(sofar), describeKind(info.Mode()))
			}
			err = lerr
		}
		if err != nil {
			return err
		}
		s.folders.Store(sofar, true)
	}
	return nil
}

// replace puts the staged files in place of the run's old ones. It keeps
// what the runner did not write there, and refuses to replace such a file.
func (w *RunWriter) replace() error {
	names := make([]string, len(w.files))
	for i, p := range w.files {
		names[i] = path.Base(p.rel)
		if _, err := w.s.fs.Lstat(p.rel); err == nil && !slices.Contains(w.mine, names[i]) {
			return fmt.Errorf("will not replace %s: the runner did not write it (its experiment's manifest does not list it); move it away", w.s.Path(p.rel))
		}
	}
	err := w.exchange(names)
	if errors.Is(err, errors.ErrUnsupported) {
		err = w.replaceFileByFile(names)
	}
	if err == nil {
		w.restat()
	}
	return err
}

// restat notes the stat of each of the run's files where it is now: the
// renames, and the links an exchange makes and removes (whether it swaps
// or falls back to replacing file by file), change the change times of
// the files they move and keep.
func (w *RunWriter) restat() {
	for _, p := range w.files {
		if info, err := w.s.fs.Lstat(p.rel); err == nil {
			p.stat, _ = statOf(info)
		}
	}
}

// exchange swaps the staged folder with the run's: before the swap, the
// staged folder gets links to the files there that stay, the runner's
// unchanged ones (so that they keep their modification times) and those
// the runner did not write. It returns errors.ErrUnsupported if it cannot
// swap: the run's folder holds folders (the experiment's own folder, for
// an experiment of one run), or the file system cannot link or exchange.
func (w *RunWriter) exchange(names []string) error {
	entries, err := w.s.fs.ReadDir(w.id)
	if err != nil {
		return fmt.Errorf("reading %s: %w", w.s.Path(w.id), err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.Contains(w.id, "/") {
			return errors.ErrUnsupported
		}
	}
	for _, e := range entries {
		name := e.Name()
		i := slices.Index(names, name)
		switch {
		case i >= 0 && w.files[i].differs:
			continue // the new version
		case i >= 0:
			if err := w.s.fs.Remove(path.Join(w.staging, name)); err != nil {
				return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
			}
		case slices.Contains(w.mine, name):
			continue // the runner's, no longer written
		}
		if err := w.s.fs.Link(path.Join(w.id, name), path.Join(w.staging, name)); err != nil {
			return errors.ErrUnsupported // a staged copy of an unchanged file may be gone: the file there is the same
		}
	}
	if err := w.s.fs.Exchange(w.staging, w.id); err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return err
		}
		return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
	}
	removeAll(w.s.fs, w.staging) // the old folder; left for the next writer if it fails
	w.staging = ""
	return nil
}

// replaceFileByFile puts the staged files in place one by one: it removes
// the runner's old files that the run no longer has, then renames in the
// files that changed. Until its record is written, a run half replaced
// does not match the record there, and is computed again.
func (w *RunWriter) replaceFileByFile(names []string) error {
	for _, name := range w.mine {
		if !slices.Contains(names, name) {
			if err := w.s.remove(path.Join(w.id, name)); err != nil {
				return err
			}
		}
	}
	for i, p := range w.files {
		if !p.differs {
			continue
		}
		if err := p.moveInto(path.Join(w.staging, names[i])); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(p.rel), err)
		}
	}
	removeAll(w.s.fs, w.staging)
	w.staging = ""
	return nil
}
