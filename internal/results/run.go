package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RunWriter writes the folder of one run: its files into a folder in
// .runner/tmp, then Commit puts them in place with the run's record (see
// the package documentation). If anything fails, Abort leaves the run's
// folder as it was.
type RunWriter struct {
	s       *Store
	id      string // the run's identifier: its folder, slash-separated, under the root
	final   string
	exists  bool
	staging string
	oldRaw  []byte // the record there, if any
	files   []*Pending
}

// NewRun starts writing the folder of run id. It refuses a path that goes
// through a symbolic link below the results folder, which could lead
// outside it, or through a file where a folder should be.
func (s *Store) NewRun(id string) (*RunWriter, error) {
	return s.newRun(id, false)
}

// NewRunInNew starts writing the folder of run id, whose experiment's
// folder was not there when the batch began: then the run's folder is not
// there either (only the batch writes there, each run once), and the
// writer need not look for it. A sweep of new runs so saves two system
// calls a run.
func (s *Store) NewRunInNew(id string) (*RunWriter, error) {
	return s.newRun(id, true)
}

func (s *Store) newRun(id string, isNew bool) (*RunWriter, error) {
	w := &RunWriter{s: s, id: id, final: s.abs(id)}
	var err error
	if !isNew {
		if w.exists, err = s.walkIn(id); err != nil {
			return nil, err
		}
	}
	if w.exists {
		w.oldRaw, _ = readAll(s.fs, filepath.Join(w.final, RecordFile))
	}
	if s.mode != Compare {
		w.staging = s.tempName(id)
		if err := s.fs.Mkdir(w.staging, 0o755); err != nil {
			return nil, fmt.Errorf("writing %s: %w", s.Path(id), err)
		}
	}
	return w, nil
}

// walkIn follows rel from the root, one folder at a time, and reports
// whether its last folder exists. A symbolic link, or a file where a
// folder should be, on the way is an error. Folders found are remembered,
// so that the runs of a sweep check their experiment's folder once.
func (s *Store) walkIn(rel string) (exists bool, err error) {
	p, sofar := s.root, ""
	for _, part := range strings.Split(rel, "/") {
		p, sofar = filepath.Join(p, part), path.Join(sofar, part)
		if _, ok := s.folders.Load(sofar); ok && sofar != rel {
			continue
		}
		info, err := s.fs.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("writing %s: %w", p, err)
		case info.Mode()&fs.ModeSymlink != 0:
			return false, fmt.Errorf("writing %s: it is a symbolic link, and the runner does not write through links, which may lead outside %s; remove it, or choose another folder with -o", s.relPath(p), s.dir)
		case !info.IsDir():
			return false, fmt.Errorf("writing %s: it is a file, where the runner needs a folder", s.relPath(p))
		}
		if sofar != rel {
			s.folders.Store(sofar, true) // the folders above runs: few
		}
	}
	return true, nil
}

// relPath returns a path under the root as messages show it.
func (s *Store) relPath(p string) string {
	rel, err := filepath.Rel(s.root, p)
	if err != nil {
		return p
	}
	return filepath.Join(s.dir, rel)
}

// Create starts a file of the run's folder, written as a stream.
func (w *RunWriter) Create(name string) (*Pending, error) {
	temp := ""
	if w.staging != "" {
		temp = filepath.Join(w.staging, name)
	}
	p, err := w.s.create(path.Join(w.id, name), temp, !w.exists)
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
		w.s.fs.RemoveAll(w.staging) // left for the next writer if it fails
		w.staging = ""
	}
}

// Commit writes the run's record, with the files written and their
// SHA-256 and this runner's version, and puts the folder in place. It
// reports whether anything in the folder changed. A record that would
// differ from the one there only in the runner's version is left as it
// was: the run's bytes are those an earlier version wrote.
func (w *RunWriter) Commit(rec *Record) (changed bool, err error) {
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	rec.Files = rec.Files[:0]
	for _, p := range w.files {
		if err := p.close(); err != nil {
			return false, err
		}
		rec.Files = append(rec.Files, p.sum())
	}
	rec.Runner = w.s.runner
	data := rec.Render()
	if w.oldRaw != nil && SameRun(w.oldRaw, data) {
		data = w.oldRaw
	}
	if err := w.Put(RecordFile, data); err != nil {
		return false, err
	}
	record := w.files[len(w.files)-1]
	if err := record.close(); err != nil {
		return false, err
	}
	for _, p := range w.files {
		changed = changed || p.differs
	}
	if w.s.mode == Compare || !changed {
		w.Abort()
		w.count()
		return changed, nil
	}
	experiment, _, _ := strings.Cut(w.id, "/")
	if err := w.s.markUnfinished(experiment); err != nil {
		return false, err
	}
	if !w.exists {
		err = w.putNew()
	} else {
		err = w.replace()
	}
	if err != nil {
		return false, err
	}
	w.count()
	return true, nil
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
		if _, ok := w.s.folders.Load(parent); !ok {
			if err := w.s.fs.MkdirAll(filepath.Dir(w.final), 0o755); err != nil {
				return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
			}
			w.s.folders.Store(parent, true)
		}
	}
	if err := w.s.fs.Rename(w.staging, w.final); err != nil {
		return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
	}
	w.staging = ""
	return nil
}

// replace puts the staged files in place of the run's old ones. It keeps
// what the runner did not write there, and refuses to replace such a file.
func (w *RunWriter) replace() error {
	old := w.oldFiles()
	names := make([]string, len(w.files))
	for i, p := range w.files {
		names[i] = path.Base(p.rel)
		if _, err := w.s.fs.Lstat(filepath.Join(w.final, names[i])); err == nil && !slices.Contains(old, names[i]) {
			return fmt.Errorf("will not replace %s: the runner did not write it (the run's record does not list it); move it away", w.s.Path(p.rel))
		}
	}
	if err := w.exchange(old, names); err == nil {
		return nil
	} else if !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return w.replaceFileByFile(old, names)
}

// oldFiles returns the files the run's old record lists, and the record.
func (w *RunWriter) oldFiles() []string {
	old, err := ParseRecord(w.oldRaw)
	if err != nil {
		return nil
	}
	files := []string{RecordFile}
	for _, f := range old.Files {
		files = append(files, f.Name)
	}
	return files
}

// exchange swaps the staged folder with the run's: before the swap, the
// staged folder gets links to the files there that stay, the runner's
// unchanged ones (so that they keep their modification times) and those
// the runner did not write. It returns errors.ErrUnsupported if it cannot
// swap: the run's folder holds folders, or the file system cannot link
// or exchange.
func (w *RunWriter) exchange(old, names []string) error {
	entries, err := w.s.fs.ReadDir(w.final)
	if err != nil {
		return fmt.Errorf("reading %s: %w", w.s.Path(w.id), err)
	}
	for _, e := range entries {
		if e.IsDir() {
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
			if err := w.s.fs.Remove(filepath.Join(w.staging, name)); err != nil {
				return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
			}
		case slices.Contains(old, name):
			continue // the runner's, no longer written
		}
		if err := w.s.fs.Link(filepath.Join(w.final, name), filepath.Join(w.staging, name)); err != nil {
			return errors.ErrUnsupported // a staged copy of an unchanged file may be gone: the file there is the same
		}
	}
	if err := w.s.fs.Exchange(w.staging, w.final); err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return err
		}
		return fmt.Errorf("writing %s: %w", w.s.Path(w.id), err)
	}
	w.s.fs.RemoveAll(w.staging) // the old folder; left for the next writer if it fails
	w.staging = ""
	return nil
}

// replaceFileByFile puts the staged files in place one by one, so that at
// every moment the files there that the runner wrote are listed by the
// record there: first it removes the old files the run no longer has,
// then renames in the new versions of files the old record lists, then
// the record, then the files new to it. Until the record is in place, the
// new files there are newer than the old record, which Reusable then
// checks by their SHA-256: a run half replaced is computed again.
func (w *RunWriter) replaceFileByFile(old, names []string) error {
	for _, name := range old {
		if !slices.Contains(names, name) {
			if err := w.s.remove(path.Join(w.id, name)); err != nil {
				return err
			}
		}
	}
	last := len(w.files) - 1 // the record
	for _, listed := range []bool{true, false} {
		for i := range last {
			if slices.Contains(old, names[i]) != listed {
				continue
			}
			if err := w.rename(i, names[i]); err != nil {
				return err
			}
		}
		if listed {
			if err := w.rename(last, names[last]); err != nil {
				return err
			}
		}
	}
	w.s.fs.RemoveAll(w.staging)
	w.staging = ""
	return nil
}

// rename renames file i of the run from the staged folder into place, if
// it changed.
func (w *RunWriter) rename(i int, name string) error {
	p := w.files[i]
	staged := filepath.Join(w.staging, name)
	if !p.differs {
		return nil
	}
	if err := w.s.fs.Rename(staged, w.s.abs(p.rel)); err != nil {
		return fmt.Errorf("writing %s: %w", w.s.Path(p.rel), err)
	}
	return nil
}

// Reusable reports whether the run id is stored with these inputs and the
// method of this runner (its record starts with their Head), and exactly
// the files names (but its record), each intact: of its recorded size,
// and, if it was modified after the record was written, of its recorded
// SHA-256. (A file the runner writes is never newer than its record, so
// a rerun with nothing changed need not read every trace; --check reads
// every byte.) It returns the record.
func (s *Store) Reusable(id string, in *Inputs, names []string) ([]byte, bool) {
	dir := s.abs(id)
	info, err := s.fs.Lstat(filepath.Join(dir, RecordFile))
	if err != nil {
		return nil, false
	}
	data, err := readAll(s.fs, filepath.Join(dir, RecordFile))
	if err != nil || !bytes.HasPrefix(data, Head(id, in)) {
		return nil, false
	}
	files, ok := recordedFiles(data)
	if !ok || len(files) != len(names) {
		return nil, false
	}
	for i, want := range files {
		if want.Name != names[i] || !s.intact(filepath.Join(dir, want.Name), want, info.ModTime()) {
			return nil, false
		}
	}
	return data, true
}

// intact reports whether a file of a run is as its record says: of the
// size it gives and, unless it was last modified before the record was
// written, of its SHA-256. A file modified in the same tick of the file
// system's clock as the record (a few milliseconds on ext4 and tmpfs) may
// have been modified after it, so it is hashed too, as git treats "racily
// clean" files.
func (s *Store) intact(name string, want FileSum, recorded time.Time) bool {
	info, err := s.fs.Lstat(name)
	if err != nil || !info.Mode().IsRegular() || info.Size() != want.Bytes {
		return false
	}
	if info.ModTime().Before(recorded) {
		return true
	}
	got, err := sumFile(s.fs, name)
	return err == nil && got == want
}

// recordedFiles reads the files block of a record, as renderFiles writes
// it, without a YAML parser: a rerun reads every record.
func recordedFiles(record []byte) ([]FileSum, bool) {
	_, block, ok := bytes.Cut(withoutRunner(record), []byte("\nfiles:\n"))
	if !ok {
		return nil, false
	}
	var files []FileSum
	for line := range strings.Lines(string(block)) {
		name, rest, ok1 := strings.Cut(strings.TrimPrefix(line, "  "), ": {bytes: ")
		size, sum, ok2 := strings.Cut(rest, ", sha256: ")
		sum, ok3 := strings.CutSuffix(sum, "}\n")
		n, err := strconv.ParseInt(size, 10, 64)
		if !ok1 || !ok2 || !ok3 || err != nil {
			return nil, false
		}
		files = append(files, FileSum{Name: name, Bytes: n, SHA256: sum})
	}
	return files, true
}

// sumFile returns a file's size and SHA-256.
func sumFile(fsys FileSystem, name string) (FileSum, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *buf) // struct{}: not File.WriteTo, which takes its own buffer
	if err != nil {
		return FileSum{}, err
	}
	return FileSum{Name: filepath.Base(name), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyBuffers are the buffers that files are hashed through: a rerun
// hashes every trace, and a buffer each was most of its garbage.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
