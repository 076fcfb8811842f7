package results

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Mode is how a Store is opened.
type Mode int

const (
	// Write opens a results folder for its one writer: runner run and
	// runner summarize.
	Write Mode = iota + 1
	// Shard opens it for one of the shards of a sweep, which write their
	// runs side by side and no summaries.
	Shard
	// Compare opens it to compare what would be written with what is there,
	// writing nothing: runner run --check.
	Compare
)

// Options say how to open a Store.
type Options struct {
	Mode Mode
	// FS is the file system; nil means OS.
	FS FileSystem
	// Shard names the shard, such as "2-of-3", in Shard mode.
	Shard string
	// Runner is this runner's version, written in the records of the runs
	// it computes.
	Runner string
	// Command describes this process, for the message of a writer that
	// finds the folder locked.
	Command string
}

// Store is a results folder opened for writing or checking. Its methods
// are safe for concurrent use.
type Store struct {
	dir     string // the folder as the user named it, for messages
	root    string // the folder, symbolic links resolved
	private string
	fs      FileSystem
	mode    Mode
	runner  string
	lock    *lock

	mu       sync.Mutex
	put      int
	changed  []string // in Compare mode: files new or different, slash-separated under root
	nchanged int
	overlay  map[string][]byte // in Compare mode: files as they would be written
	marked   map[string]bool   // experiments marked unfinished by this process
	seq      int
	pid      string
	// folders holds the folders under the root known to be folders (not
	// links), slash-separated.
	folders sync.Map
}

// Open opens the results folder dir. Writing (Write and Shard modes) takes
// its lock, creates it if it is new, and refuses a folder that is not a
// results folder and holds files, and folders no one means: "", "/" and
// the home folder. An exclusive writer first removes what a killed writer
// left in .runner/tmp.
func Open(dir string, o Options) (*Store, error) {
	s := &Store{dir: dir, fs: o.FS, mode: o.Mode, runner: o.Runner, overlay: map[string][]byte{}, marked: map[string]bool{},
		pid: strconv.Itoa(os.Getpid())}
	if s.fs == nil {
		s.fs = OS
	}
	root, err := resolveFolder(dir)
	if err != nil {
		return nil, err
	}
	s.root, s.private = root, filepath.Join(root, PrivateDir)
	if err := s.checkOwned(); err != nil {
		return nil, err
	}
	if s.mode == Compare {
		return s, nil
	}
	if err := s.setUp(); err != nil {
		return nil, err
	}
	if s.lock, err = acquire(dir, s.private, o.Shard, o.Command); err != nil {
		return nil, err
	}
	if s.mode == Write {
		if err := s.cleanLeftovers(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close releases the lock.
func (s *Store) Close() {
	if s.lock != nil {
		s.lock.release()
		s.lock = nil
	}
}

// Dir returns the folder as the user named it.
func (s *Store) Dir() string {
	return s.dir
}

// Path returns the path of a slash-separated path under the folder, as
// messages show it.
func (s *Store) Path(rel string) string {
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// resolveFolder refuses folder names no one means, and resolves symbolic
// links, so that a linked output folder behaves as its target.
func resolveFolder(dir string) (string, error) {
	if dir == "" {
		return "", &FolderError{Dir: dir, Problem: "an empty folder name; name the results folder, such as -o results"}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if home, err := os.UserHomeDir(); err == nil && abs == filepath.Clean(home) {
		return "", &FolderError{Dir: dir, Problem: "is your home folder; write results to a folder of their own, such as -o results"}
	}
	if abs == string(filepath.Separator) {
		return "", &FolderError{Dir: dir, Problem: "is the root of the file system; write results to a folder of their own, such as -o results"}
	}
	return abs, nil
}

// FolderError is a results folder the runner will not use.
type FolderError struct {
	Dir, Problem string
}

func (e *FolderError) Error() string {
	if e.Dir == "" {
		return "-o: " + e.Problem
	}
	return fmt.Sprintf("-o %s: %s", e.Dir, e.Problem)
}

// checkOwned refuses a folder that exists, holds files, and is not a
// results folder of this layout.
func (s *Store) checkOwned() error {
	info, err := s.fs.Stat(s.root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.IsDir():
		return &FolderError{Dir: s.dir, Problem: "is a file, not a folder"}
	}
	data, err := readAll(s.fs, filepath.Join(s.root, ManifestFile))
	if err == nil {
		if _, err := ParseFolderManifest(data); err != nil {
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s is %v; write results to a new or empty folder", ManifestFile, err)}
		}
		return nil
	}
	entries, err := s.fs.ReadDir(s.root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != PrivateDir {
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("holds files (such as %s) but is not a results folder of the runner (it has no %s); write results to a new or empty folder, or move its files away",
				e.Name(), ManifestFile)}
		}
	}
	return nil
}

// setUp creates the folder if it is new, its manifest, and its private
// folder, which git ignores.
func (s *Store) setUp() error {
	if err := s.fs.MkdirAll(filepath.Join(s.private, tmpDir), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", s.dir, err)
	}
	if err := s.fs.MkdirAll(filepath.Join(s.private, dirtyDir), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", s.dir, err)
	}
	if err := s.putPrivate(gitignore, []byte("# Written by the runner: its lock and temporary files, not results.\n*\n")); err != nil {
		return err
	}
	if _, err := s.fs.Stat(filepath.Join(s.root, ManifestFile)); errors.Is(err, fs.ErrNotExist) {
		m := FolderManifest{Layout: Layout}
		return s.write(ManifestFile, m.Render(), false)
	}
	return nil
}

// putPrivate writes a file of the private folder if it is missing.
func (s *Store) putPrivate(name string, data []byte) error {
	p := filepath.Join(s.private, name)
	if _, err := s.fs.Stat(p); err == nil {
		return nil
	}
	w, err := s.fs.Create(p, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil // written by another shard meanwhile
	}
	if err == nil {
		_, err = w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}

// cleanLeftovers removes what killed writers left in .runner/tmp.
func (s *Store) cleanLeftovers() error {
	tmp := filepath.Join(s.private, tmpDir)
	entries, err := s.fs.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("reading %s: %w", tmp, err)
	}
	for _, e := range entries {
		if err := s.fs.RemoveAll(filepath.Join(tmp, e.Name())); err != nil {
			return fmt.Errorf("removing what a stopped runner left: %w", err)
		}
	}
	return nil
}

// Leftovers lists, for --check, what killed writers left: temporary files
// in .runner/tmp, and experiments whose writing did not finish. The next
// writer removes the one and finishes the other.
func (s *Store) Leftovers() (temporary int, unfinished []string, err error) {
	entries, err := s.fs.ReadDir(filepath.Join(s.private, tmpDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, nil, err
	}
	dirty, err := s.fs.ReadDir(filepath.Join(s.private, dirtyDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, nil, err
	}
	for _, d := range dirty {
		unfinished = append(unfinished, d.Name())
	}
	return len(entries), unfinished, nil
}

// Unfinished reports whether the writing of an experiment's runs began and
// did not finish with its summary: its summary may then not be that of its
// runs.
func (s *Store) Unfinished(experiment string) bool {
	_, err := s.fs.Stat(filepath.Join(s.private, dirtyDir, experiment))
	return err == nil
}

// markUnfinished notes, before the first of an experiment's runs changes,
// that its summary is no longer that of its runs.
func (s *Store) markUnfinished(experiment string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mode == Compare || s.marked[experiment] {
		return nil
	}
	if err := s.putPrivate(filepath.Join(dirtyDir, experiment), nil); err != nil {
		return err
	}
	s.marked[experiment] = true
	return nil
}

// Finished notes that an experiment's summary is that of its runs again.
func (s *Store) Finished(experiment string) error {
	if s.mode != Write {
		return nil
	}
	err := s.fs.Remove(filepath.Join(s.private, dirtyDir, experiment))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing %s: %w", s.dir, err)
	}
	return nil
}

// Counts returns how many files were put, and how many of them were new
// or different from those there.
func (s *Store) Counts() (put, changed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put, s.nchanged
}

// Changed returns, in Compare mode, the slash-separated paths of the files
// that would be new or different, sorted.
func (s *Store) Changed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.changed))
}

func (s *Store) count(rel string, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put++
	if changed {
		s.nchanged++
		if s.mode == Compare {
			s.changed = append(s.changed, rel)
		}
	}
}

// tempName returns a fresh name in .runner/tmp for what will be put at
// rel, which the name shows: 1234-7-lr_alpha=0.1.
func (s *Store) tempName(rel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return filepath.Join(s.private, tmpDir, s.pid+"-"+strconv.Itoa(s.seq)+"-"+strings.ReplaceAll(rel, "/", "_"))
}

// View returns the folder as this Store has written it, to read with the
// functions of this package: in Compare mode, with the summaries and
// manifests it would have written.
func (s *Store) View() fs.FS {
	return overlayFS{disk: os.DirFS(s.root), files: func(name string) ([]byte, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		data, ok := s.overlay[name]
		return data, ok
	}}
}

// abs returns the path of a slash-separated path under the root.
func (s *Store) abs(rel string) string {
	return filepath.Join(s.root, filepath.FromSlash(rel))
}

// readAll reads a whole file, in two reads if it is small (a record):
// io.ReadAll starts from 512 bytes and grows.
func readAll(fsys FileSystem, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := readBuffers.Get().(*bytes.Buffer)
	defer readBuffers.Put(b)
	b.Reset()
	_, err = b.ReadFrom(f)
	return bytes.Clone(b.Bytes()), err
}

// readBuffers are the buffers readAll reads into: a record or a summary
// takes one read into a buffer that grew to hold the largest.
var readBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 8<<10)) }}

// FolderWriter writes the files of a folder that a manifest lists: the
// results folder's own, or an experiment's. Its manifest is written first
// listing the old files and the new, then the new files, then the old
// files no longer written are removed, and the manifest is written
// listing the new ones: at every moment, every file there that the runner
// wrote is listed. A file there that the manifest did not list is not the
// runner's, and is not replaced.
type FolderWriter struct {
	s        *Store
	folder   string // slash-separated under the root; "" for the root
	old, new []string
	manifest func(files []string) []byte
}

// OpenFolder starts writing the files new of folder, whose manifest lists
// old; manifest renders the manifest for a list of files.
func (s *Store) OpenFolder(folder string, old, new []string, manifest func(files []string) []byte) (*FolderWriter, error) {
	f := &FolderWriter{s: s, folder: folder, old: old, new: new, manifest: manifest}
	for _, name := range new {
		if err := s.checkMine(path.Join(folder, name), old, name); err != nil {
			return nil, err
		}
	}
	union := slices.Clone(old)
	for _, name := range new {
		if !slices.Contains(union, name) {
			union = append(union, name)
		}
	}
	if s.mode != Compare && len(union) > len(old) {
		if err := s.write(path.Join(folder, ManifestFile), manifest(union), false); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Create starts a file of the folder, written as a stream.
func (f *FolderWriter) Create(name string) (*Pending, error) {
	return f.s.create(path.Join(f.folder, name), "", false)
}

// Put writes a whole file of the folder.
func (f *FolderWriter) Put(name string, data []byte) error {
	return f.s.replace(path.Join(f.folder, name), data)
}

// Close removes the old files no longer written, and writes the manifest.
func (f *FolderWriter) Close() error {
	if f.s.mode != Compare {
		for _, name := range f.old {
			if !slices.Contains(f.new, name) {
				if err := f.s.remove(path.Join(f.folder, name)); err != nil {
					return err
				}
			}
		}
	}
	return f.s.replace(path.Join(f.folder, ManifestFile), f.manifest(f.new))
}

// checkMine refuses to replace a file that exists and is not listed as
// the runner's.
func (s *Store) checkMine(rel string, listed []string, name string) error {
	if slices.Contains(listed, name) {
		return nil
	}
	if _, err := s.fs.Lstat(s.abs(rel)); err == nil {
		return fmt.Errorf("will not replace %s: the runner did not write it (no manifest or run record lists it); move it away", s.Path(rel))
	}
	return nil
}

// remove removes a file the runner wrote, if it is there.
func (s *Store) remove(rel string) error {
	if err := s.fs.Remove(s.abs(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", s.Path(rel), err)
	}
	return nil
}

// replace writes a whole file: to a temporary file, renamed over the file
// if their contents differ, and counts it. In Compare mode, it only
// compares.
func (s *Store) replace(rel string, data []byte) error {
	return s.write(rel, data, true)
}

// write writes a whole file as replace does, counting it if count.
func (s *Store) write(rel string, data []byte, count bool) error {
	p, err := s.create(rel, "", false)
	if err != nil {
		return err
	}
	p.uncounted = !count
	if _, err := p.Write(data); err != nil {
		p.abort()
		return err
	}
	return p.commit()
}
