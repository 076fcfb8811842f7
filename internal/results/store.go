package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/prose"
)

// Mode is how a Store is opened.
type Mode int

const (
	// Write opens a results folder for its one writer: runner run and
	// runner summarize.
	Write Mode = iota + 1
	// Shard opens it for one of the shards of a sweep, which write their
	// runs side by side, and no summaries.
	Shard
	// Compare opens it to compare what would be written with what is there,
	// writing nothing: runner run --check. It shares the folder with
	// shards and other checks, not with a writer.
	Compare
)

// Options say how to open a Store.
type Options struct {
	Mode Mode
	// Wrap, if not nil, wraps the folder's file system: tests put faults
	// in it.
	Wrap func(FileSystem) FileSystem
	// ShardK and ShardN name the shard (K of N, from 1) in Shard mode;
	// Experiments are the experiments its batch writes.
	ShardK, ShardN int
	Experiments    []string
	// Overrides are the values a try gives its experiments (--set,
	// --sweep), in their canonical form, if it is one: the folder must
	// then hold no experiment run with others, or with none (CheckTry).
	Overrides []string
	// Runner is this runner's version, written in the manifests of the
	// experiments it writes.
	Runner string
}

// Store is a results folder opened for writing or checking. Its methods
// are safe for concurrent use.
type Store struct {
	dir    string // the folder as the user named it, for messages
	root   string // the folder, links resolved
	fs     FileSystem
	closer func() error
	mode   Mode
	runner string
	lock   *lock
	dev    uint64 // the folder's device and inode, which name its file system for the stat cache
	ino    uint64
	// top is the results folder's manifest as stored, nil if it has none.
	top *FolderManifest
	// repaired says what of the folder's own was found damaged and is
	// written again (its manifest, emptied by a power cut, say), for the
	// user to be told.
	repaired []string

	mu  sync.Mutex
	put int
	// changed holds, in Compare mode, the files that would be new or
	// different, slash-separated under root.
	changed  map[string]bool
	nchanged int
	overlay  map[string][]byte // in Compare mode: files as they would be written
	seq      int
	pid      string
	opened   int64 // when the store was opened, in nanoseconds, for unique names
	// shardK and shardN name the shard, in Shard mode.
	shardK, shardN int
	// folders holds the folders under the root known to be folders (not
	// links), slash-separated, which the runs of a sweep need not look at
	// again.
	folders sync.Map
}

// Open opens the results folder dir. Writing (Write and Shard modes) takes
// its lock, creates it if it is new, and refuses folders no one means ("",
// "/", the home folder), a folder that holds files but is not a results
// folder, a folder inside a results folder, and an experiment's folder.
// An exclusive writer first removes what a killed writer left in
// .runner/tmp.
func Open(dir string, o Options) (*Store, error) {
	s := &Store{dir: dir, mode: o.Mode, runner: o.Runner, overlay: map[string][]byte{}, pid: strconv.Itoa(os.Getpid()),
		opened: time.Now().UnixNano(), shardK: o.ShardK, shardN: o.ShardN}
	root, err := resolveFolder(dir)
	if err != nil {
		return nil, err
	}
	s.root = root
	if err := refuseNested(dir, root); err != nil {
		return nil, err
	}
	if err := s.openFolder(o.Wrap); err != nil {
		return nil, err
	}
	if err := s.checkOwned(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.setUp(); err != nil {
		s.Close()
		return nil, err
	}
	if s.lock, err = acquire(s.fs, dir, s.mode != Write, s.mode != Compare); err != nil {
		s.Close()
		return nil, err
	}
	if s.top != nil {
		if err := CheckTry(s.View(), dir, o.Experiments, o.Overrides); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.mode == Shard {
		if err := s.lock.register(dir, o.ShardK, o.ShardN, o.Experiments); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.mode == Write {
		if err := s.cleanLeftovers(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// openFolder opens the folder (creating it, unless comparing), and its
// file system.
func (s *Store) openFolder(wrap func(FileSystem) FileSystem) error {
	info, err := os.Stat(s.root)
	switch {
	case errors.Is(err, fs.ErrNotExist) && s.mode == Compare:
		s.fs = emptyFolder{}
		s.closer = func() error { return nil }
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(s.root, 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", s.dir, err)
		}
	case err != nil:
		return err
	case !info.IsDir():
		return &FolderError{Dir: s.dir, Problem: "is a file, not a folder"}
	}
	f, err := OpenFolder(s.root)
	if err != nil {
		return err
	}
	s.fs, s.closer = f, f.Close
	if wrap != nil {
		s.fs = wrap(f)
	}
	if info, err := s.fs.Lstat("."); err == nil {
		s.dev, s.ino, _ = deviceOf(info)
	}
	return nil
}

// Close releases the lock, and the folder.
func (s *Store) Close() {
	if s.lock != nil {
		s.lock.release()
		s.lock = nil
	}
	if s.closer != nil {
		s.closer()
		s.closer = nil
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

// FS returns the folder's file system.
func (s *Store) FS() FileSystem {
	return s.fs
}

// resolveFolder refuses folder names no one means, and resolves symbolic
// links, so that a linked output folder behaves as its target.
func resolveFolder(dir string) (string, error) {
	if dir == "" {
		return "", &FolderError{Dir: dir, Problem: "an empty folder name; name the results folder, such as results"}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if home, err := os.UserHomeDir(); err == nil && abs == filepath.Clean(home) {
		return "", &FolderError{Dir: dir, Problem: "is your home folder; write results to a folder of their own, such as results"}
	}
	if abs == string(filepath.Separator) {
		return "", &FolderError{Dir: dir, Problem: "is the root of the file system; write results to a folder of their own, such as results"}
	}
	return abs, nil
}

// FolderError is a results folder the runner will not use.
type FolderError struct {
	Dir, Problem string
}

func (e *FolderError) Error() string {
	if e.Dir == "" {
		return e.Problem
	}
	return fmt.Sprintf("%s: %s", e.Dir, e.Problem)
}

// refuseNested refuses a folder inside a results folder: its files would
// be foreign to that folder, and its manifest not that of an experiment.
func refuseNested(dir, root string) error {
	if data, err := readManifestFile(filepath.Join(root, ManifestFile)); err == nil {
		if kind := manifestKind(data); strings.HasPrefix(kind, "the folder of") {
			return &FolderError{Dir: dir, Problem: fmt.Sprintf("is %s (%s), not a results folder; give the results folder, its parent", kind, filepath.Dir(root))}
		}
	}
	for parent := filepath.Dir(root); parent != filepath.Dir(parent); parent = filepath.Dir(parent) {
		data, err := readManifestFile(filepath.Join(parent, ManifestFile))
		if err != nil {
			continue
		}
		if kind := manifestKind(data); kind != "" {
			rel, _ := filepath.Rel(parent, root)
			return &FolderError{Dir: dir, Problem: fmt.Sprintf("is inside %s, %s (as %s); write results to a folder of their own, outside it",
				parent, kind, filepath.ToSlash(rel))}
		}
	}
	return nil
}

// CheckOutside refuses a folder that another command than run is to write
// (runner diff --plots), if it is inside a results folder or is an
// experiment's folder: what it wrote there would be taken for results,
// and be foreign to the folder. The error is a *FolderError.
func CheckOutside(dir string) error {
	root, err := resolveFolder(dir)
	if err != nil {
		return err
	}
	return refuseNested(dir, root)
}

// readManifestFile reads a file that may be a manifest, if it is a small
// regular file.
func readManifestFile(name string) ([]byte, error) {
	info, err := os.Lstat(name)
	if err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
		return nil, fs.ErrNotExist
	}
	return os.ReadFile(name)
}

// manifestKind says what folder a manifest's data marks, or "" if none:
// "a results folder" or "the folder of experiment x of a results folder".
func manifestKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte(folderComment)):
		return "a results folder"
	case bytes.HasPrefix(data, []byte(experimentComment)):
		name := "an experiment"
		if m, err := ParseExperimentManifest(data); err == nil {
			name = "experiment " + m.Experiment
		}
		return "the folder of " + name + " of a results folder"
	}
	return ""
}

// checkOwned refuses a folder that holds files and is not a results
// folder of this layout, and reads its manifest.
func (s *Store) checkOwned() error {
	data, err := readAllFile(s.fs, ManifestFile)
	if err == nil {
		if kind := manifestKind(data); strings.HasPrefix(kind, "the folder of") {
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("is %s, not a results folder; give the results folder, its parent", kind)}
		}
		m, err := ParseFolderManifest(data)
		switch {
		case err == nil:
			s.top = m
			return nil
		case cutShort(data, err):
			return s.rebuildTop(fmt.Sprintf("its %s was %s", ManifestFile, describeCut(data)))
		case errors.As(err, new(*LayoutError)):
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s is %v", ManifestFile, err)}
		}
		return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s: %v; restore it from git (git checkout -- %s), or remove it, and the runner writes it again from the experiments' folders",
			ManifestFile, err, filepath.ToSlash(s.Path(ManifestFile)))}
	}
	switch {
	case errors.Is(err, ErrNotRegular):
		return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s %s; remove it, and the runner writes it again from the experiments' folders", ManifestFile, notRegular)}
	case errors.Is(err, errTooLarge):
		return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s is %v; restore it from git (git checkout -- %s), or remove it, and the runner writes it again from the experiments' folders",
			ManifestFile, err, filepath.ToSlash(s.Path(ManifestFile)))}
	case !errors.Is(err, fs.ErrNotExist):
		return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s: %v", ManifestFile, err)}
	}
	entries, err := s.fs.ReadDir(".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a folder to be made
	}
	if err != nil {
		return err
	}
	if len(s.experimentFolders(entries)) > 0 {
		return s.rebuildTop(fmt.Sprintf("its %s was missing", ManifestFile))
	}
	for _, e := range entries {
		if e.Name() != PrivateDir {
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("holds files (such as %s) but is not a results folder of the runner (it has no %s); write results to a new or empty folder, or move its files away",
				e.Name(), ManifestFile)}
		}
	}
	return nil
}

// notRegular says what a file of the runner's is not, when it is not a
// regular file.
const notRegular = "is not a regular file (a symbolic link, a named pipe, a socket or a device), which the runner never writes"

// cutShort reports whether a folder manifest that cannot be read (err) is
// one of the runner's cut short, as a write that did not reach the disk
// before a power cut leaves it: empty, the start of its comment, or its
// comment followed by what does not read as a manifest; not one that
// lists a name the runner does not write, or of another layout.
func cutShort(data []byte, err error) bool {
	switch {
	case len(bytes.TrimSpace(data)) == 0 || bytes.HasPrefix([]byte(folderComment), data):
		return true
	case !bytes.HasPrefix(data, []byte(folderComment)):
		return false
	}
	return !errors.As(err, new(*NameError)) && !errors.As(err, new(*LayoutError))
}

// describeCut says what is left of a manifest cut short.
func describeCut(data []byte) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return "empty"
	}
	return "cut short"
}

// experimentFolders returns the entries of the results folder that are
// the folders of experiments: each holds the manifest of an experiment
// of its name.
func (s *Store) experimentFolders(entries []fs.DirEntry) []string {
	var names []string
	for _, e := range entries {
		if !e.IsDir() || e.Type()&fs.ModeSymlink != 0 || !experiment.ValidName(e.Name()) {
			continue
		}
		data, err := readAllFile(s.fs, path.Join(e.Name(), ManifestFile))
		if err != nil {
			continue
		}
		if m, err := ParseExperimentManifest(data); err == nil && m.Experiment == e.Name() {
			names = append(names, e.Name())
		}
	}
	return names
}

// rebuildTop takes, for a results folder whose manifest is damaged or
// missing (why), one listing the experiments whose folders it holds; it
// is written at once (or, comparing, counted as a file that would
// change). A folder that holds no experiment's is not known to be the
// runner's, and is refused.
func (s *Store) rebuildTop(why string) error {
	entries, err := s.fs.ReadDir(".")
	if err != nil {
		return err
	}
	names := s.experimentFolders(entries)
	if len(names) == 0 {
		return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("%s, and it holds no experiment's folder: it is not known to be a results folder of the runner; remove the manifest, or write results to another folder", why)}
	}
	// Without its manifest, nothing marks the folder as the runner's but
	// what it holds: only a folder that holds nothing else than the
	// runner's is taken as one, so that a folder of the user's that holds
	// a copy of an experiment's folder is not written into, nor its
	// README.md replaced.
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == PrivateDir || name == ManifestFile || slices.Contains(names, name):
		case slices.Contains(topFiles, name) && (!e.Type().IsRegular() || s.writtenTop(name)):
			// not a regular file: not listed below, and refused when written
		default:
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("%s, and it holds %s, which is not known to be the runner's: the folder is not known to be a results folder of the runner; restore its %s from git (git checkout -- %s), or write results to another folder",
				why, name, ManifestFile, filepath.ToSlash(s.Path(ManifestFile)))}
		}
	}
	m := &FolderManifest{Layout: Layout, Experiments: names}
	for _, f := range topFiles {
		if info, err := s.fs.Lstat(f); err == nil && info.Mode().IsRegular() {
			m.Files = append(m.Files, f)
		}
	}
	s.top = m
	s.repaired = append(s.repaired, fmt.Sprintf("%s: %s; %s from the folders of its %s", s.dir, why, s.writtenAgain(), prose.Count(len(names), "experiment")))
	return nil
}

// writtenAgain says what becomes of a file of the runner's found damaged:
// written again, or in Compare mode, which writes nothing, that it would
// be.
func (s *Store) writtenAgain() string {
	if s.mode == Compare {
		return "would be written again (runner run writes it)"
	}
	return "written again"
}

// topStarts are how the results folder's own files start, as the runner
// writes them.
var topStarts = map[string]string{
	IndexFile:           "# Results\n\nWritten by the runner; do not edit.",
	SummaryMarkdownFile: "# Summary\n",
	SummaryFile:         strings.Join(Header(), ",") + "\n",
}

// writtenTop reports whether one of the results folder's own files, a
// regular file, starts as the runner writes it, or is the start of that
// (empty, say, as a power cut can leave it).
func (s *Store) writtenTop(name string) bool {
	f, err := s.fs.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	want := topStarts[name]
	got := make([]byte, len(want))
	n, _ := io.ReadFull(f, got)
	return string(got[:n]) == want[:n]
}

// Repaired says what of the folder's own the store found damaged, and
// writes again.
func (s *Store) Repaired() []string {
	return s.repaired
}

// setUp checks the private folder, which must be a real folder of the
// results folder with real folders in it, and creates what is missing of
// it (not when comparing): so that no link can lead the lock, the
// temporary files or the cache out of the folder.
func (s *Store) setUp() error {
	for _, d := range []string{PrivateDir, path.Join(PrivateDir, tmpDir), path.Join(PrivateDir, cacheDir), path.Join(PrivateDir, journalDir), path.Join(PrivateDir, shardsDir)} {
		info, err := s.fs.Lstat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist) && s.mode != Compare:
			if err := s.fs.Mkdir(d); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("writing %s: %w", s.dir, err)
			}
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("reading %s: %w", s.Path(d), err)
		case !info.IsDir():
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s is %s; the runner keeps its lock and temporary files there, in a folder of its own: remove it", d, describeKind(info.Mode()))}
		}
		if s.mode != Compare {
			if err := Keep(s.fs, d); err != nil {
				return fmt.Errorf("reading %s: %w", s.Path(d), err)
			}
		}
	}
	if len(s.repaired) > 0 && s.top != nil {
		if err := s.write(ManifestFile, s.top.Render(), true); err != nil {
			return err
		}
	}
	if s.mode == Compare {
		return nil
	}
	if err := s.putPrivate(gitignore, []byte("# Written by the runner: its lock, temporary files and cache, not results.\n*\n")); err != nil {
		return err
	}
	if s.top == nil {
		m := FolderManifest{Layout: Layout}
		if err := s.write(ManifestFile, m.Render(), false); err != nil {
			return err
		}
		s.top = &m
	}
	return nil
}

// putPrivate writes a file of the private folder if it is missing.
func (s *Store) putPrivate(name string, data []byte) error {
	p := path.Join(PrivateDir, name)
	if info, err := s.fs.Lstat(p); err == nil {
		if !info.Mode().IsRegular() {
			return &FolderError{Dir: s.dir, Problem: fmt.Sprintf("its %s is %s: remove it", p, describeKind(info.Mode()))}
		}
		return nil
	}
	w, err := s.fs.Create(p)
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
		return fmt.Errorf("writing %s: %w", s.Path(p), err)
	}
	return nil
}

// cleanLeftovers removes what killed writers left in .runner: temporary
// files, and the registrations of shards.
func (s *Store) cleanLeftovers() error {
	for _, d := range []string{tmpDir, shardsDir} {
		dir := path.Join(PrivateDir, d)
		entries, err := s.fs.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("reading %s: %w", s.Path(dir), err)
		}
		for _, e := range entries {
			if err := removeAll(s.fs, path.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing what a stopped runner left: %w", err)
			}
		}
	}
	return nil
}

// Leftovers lists, for --check, what killed writers left: temporary files
// in .runner/tmp, and experiments whose writing did not finish (their
// journals). The next writer removes the one and finishes the other.
func (s *Store) Leftovers() (temporary int, unfinished []string, err error) {
	entries, err := s.fs.ReadDir(path.Join(PrivateDir, tmpDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, nil, err
	}
	journals, err := s.fs.ReadDir(path.Join(PrivateDir, journalDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, nil, err
	}
	for _, j := range journals {
		unfinished = append(unfinished, j.Name())
	}
	return len(entries), unfinished, nil
}

// Unfinished reports whether the writing of an experiment began and did
// not finish: it has a journal of runs not yet in its records.
func (s *Store) Unfinished(experiment string) bool {
	_, err := s.fs.Lstat(path.Join(PrivateDir, journalDir, experiment))
	return err == nil
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
	return slices.Sorted(maps.Keys(s.changed))
}

func (s *Store) count(rel string, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put++
	switch {
	case !changed:
	case s.mode != Compare:
		s.nchanged++
	default:
		s.noteChanged(rel)
	}
}

// noteChanged notes, in Compare mode, a file that would change: once,
// though it be compared twice (the manifest found damaged, then written
// whole). The caller holds s.mu.
func (s *Store) noteChanged(rel string) {
	if s.changed[rel] {
		return
	}
	if s.changed == nil {
		s.changed = map[string]bool{}
	}
	s.changed[rel] = true
	s.nchanged++
}

// writerName names this writer in the names of its journals: its mode,
// shard, process and a count, so that no two writers' names collide, nor
// two batches of one process.
func (s *Store) writerName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	name := "run"
	if s.mode == Shard {
		name = fmt.Sprintf("shard-%d-of-%d", s.shardK, s.shardN)
	}
	return fmt.Sprintf("%s-%s-%d-%d", name, s.pid, s.opened, s.seq)
}

// tempName returns a fresh name in .runner/tmp for what will be put at
// rel, whose last element the name shows: 1234-7-alpha=0.1. It is at most
// 20 + 1 + 20 + 1 + experiment.MaxNameLength bytes long (the longest
// process id and count, and the longest last element: an experiment's
// name, or a run folder's key=value), well within the 255 bytes a file
// system allows a name.
func (s *Store) tempName(rel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return path.Join(PrivateDir, tmpDir, s.pid+"-"+strconv.Itoa(s.seq)+"-"+path.Base(rel))
}

// View returns the folder as this Store has written it, to read with the
// functions of this package: in Compare mode, with the files it would have
// written.
func (s *Store) View() fs.FS {
	return overlayFS{disk: FolderFS(s.fs), files: func(name string) ([]byte, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		data, ok := s.overlay[name]
		return data, ok
	}}
}

// readAllFile reads a whole regular file of a folder, in two reads if it
// is small (a manifest): at most maxManifest bytes, or errTooLarge.
func readAllFile(fsys FileSystem, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := readBuffers.Get().(*bytes.Buffer)
	defer readBuffers.Put(b)
	b.Reset()
	_, err = b.ReadFrom(io.LimitReader(f, maxManifest+1))
	if err == nil && b.Len() > maxManifest {
		return nil, errTooLarge
	}
	return bytes.Clone(b.Bytes()), err
}

// errTooLarge is the error of a file read whole that is larger than any
// manifest, as a hostile results folder may hold: it is not read.
var errTooLarge = fmt.Errorf("larger than %d bytes, which no manifest is", maxManifest)

// readBuffers are the buffers readAllFile reads into.
var readBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 8<<10)) }}

// checkMine refuses to replace a file that exists and is not listed as
// the runner's.
func (s *Store) checkMine(rel string, listed []string, name string) error {
	if slices.Contains(listed, name) {
		return nil
	}
	if _, err := s.fs.Lstat(rel); err == nil {
		return fmt.Errorf("will not replace %s: the runner did not write it (no manifest of the runner's lists it); move it away", s.Path(rel))
	}
	return nil
}

// remove removes a file the runner wrote, if it is there. In Compare mode
// it removes nothing: a file there counts as one that would change.
func (s *Store) remove(rel string) error {
	if s.mode == Compare {
		if _, err := s.fs.Lstat(rel); err == nil {
			s.mu.Lock()
			s.noteChanged(rel)
			s.mu.Unlock()
		}
		return nil
	}
	if err := s.fs.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", s.Path(rel), err)
	}
	return nil
}

// write writes a whole file: to a temporary file, renamed over the file
// if their contents differ, and counts it if count. In Compare mode, it
// only compares, and keeps what it would write to be read back.
func (s *Store) write(rel string, data []byte, count bool) error {
	_, err := s.writeFile(rel, data, count)
	return err
}

func (s *Store) writeFile(rel string, data []byte, count bool) (*Pending, error) {
	p, err := s.create(rel, "", false, true)
	if err != nil {
		return nil, err
	}
	p.uncounted = !count
	if _, err := p.Write(data); err != nil {
		p.abort()
		return nil, err
	}
	return p, p.Commit()
}

// emptyFolder is the file system of a folder that does not exist, for
// Compare mode: it holds nothing.
type emptyFolder struct{}

func (emptyFolder) Lstat(name string) (fs.FileInfo, error) { return nil, notExist(name) }
func (emptyFolder) Mkdir(name string) error                { return notExist(name) }
func (emptyFolder) Create(name string) (WriteFile, error)  { return nil, notExist(name) }
func (emptyFolder) Open(name string) (ReadFile, error)     { return nil, notExist(name) }
func (emptyFolder) ReadDir(name string) ([]fs.DirEntry, error) {
	return nil, notExist(name)
}
func (emptyFolder) Rename(a, b string) error   { return notExist(a) }
func (emptyFolder) Exchange(a, b string) error { return notExist(a) }
func (emptyFolder) Link(a, b string) error     { return notExist(a) }
func (emptyFolder) Remove(name string) error   { return notExist(name) }
func (emptyFolder) Free() (int64, error)       { return 0, notExist(".") }

func notExist(name string) error { return &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist} }
