package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Dir puts results under a folder. A Dir made by NewDir writes them, so
// that every file is either whole and new or untouched, even if the runner
// is stopped midway: a new run folder is written under a temporary name
// and renamed into place when complete; a file that replaces another is
// written to a temporary file beside it and renamed over it; a file whose
// content is unchanged is left alone. A Dir made by NewCheck writes
// nothing and only notes the files that would change. Either is safe for
// concurrent use.
type Dir struct {
	root  string
	write bool
	fs    FileSystem

	mu      sync.Mutex
	put     int
	changed []string
}

// NewDir returns a Dir that writes under root on fsys, creating folders as
// needed.
func NewDir(root string, fsys FileSystem) *Dir {
	return &Dir{root: root, write: true, fs: fsys}
}

// NewCheck returns a Dir that compares files with those under root on fsys
// and writes nothing.
func NewCheck(root string, fsys FileSystem) *Dir {
	return &Dir{root: root, fs: fsys}
}

// Counts returns how many files were put, and how many of them were new or
// different from those on disk.
func (d *Dir) Counts() (put, changed int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.put, len(d.changed)
}

// Changed returns the slash-separated paths of the files that were new or
// different from those on disk, sorted.
func (d *Dir) Changed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(slices.Values(d.changed))
}

func (d *Dir) count(path string, changed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.put++
	if changed {
		d.changed = append(d.changed, path)
	}
}

// Put writes whole files, each on its own (see Dir).
func (d *Dir) Put(files ...File) error {
	for _, f := range files {
		folder, err := d.OpenFolder(filepath.Dir(filepath.FromSlash(f.Path)))
		if err == nil {
			err = folder.Put(filepath.Base(f.Path), f.Data)
		}
		if err == nil {
			err = folder.Commit()
		}
		if err != nil {
			folder.Abort()
			return err
		}
	}
	return nil
}

// Folder is a folder of results being written, such as a run's: its files
// are created, written, and put in place together by Commit.
type Folder struct {
	dir   *Dir
	rel   string // the folder's slash-separated path under the root
	final string // the folder's path
	// staging is the temporary folder that becomes final, if final did not
	// exist; then files are written straight into it.
	staging string
	files   []*Pending
}

// OpenFolder starts writing files in the folder at rel, a path under the
// Dir's root ("." for the root itself). It refuses a path that goes
// through a symbolic link below the root, which could lead outside it.
func (d *Dir) OpenFolder(rel string) (*Folder, error) {
	f := &Folder{dir: d, rel: filepath.ToSlash(rel), final: filepath.Join(d.root, rel)}
	exists, err := d.walkIn(rel)
	if err != nil || !d.write || exists {
		return f, err
	}
	if rel == "." {
		err = d.fs.MkdirAll(f.final, 0o755)
	} else if err = d.fs.MkdirAll(filepath.Dir(f.final), 0o755); err == nil {
		f.staging, err = d.tempFolder(f.final)
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", f.final, err)
	}
	return f, nil
}

// walkIn follows rel from the root, one folder at a time, and reports
// whether its last folder exists. A symbolic link below the root, or a file
// where a folder should be, on the way is an error.
func (d *Dir) walkIn(rel string) (exists bool, err error) {
	paths := []string{d.root}
	if rel != "." {
		for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
			paths = append(paths, filepath.Join(paths[len(paths)-1], part))
		}
	}
	for i, path := range paths {
		stat := d.fs.Lstat
		if i == 0 {
			stat = d.fs.Stat // the root may be a link; the user chose it
		}
		info, err := stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("writing %s: %w", path, err)
		case info.Mode()&fs.ModeSymlink != 0:
			return false, fmt.Errorf("writing %s: it is a symbolic link, and the runner does not write through links, which may lead outside %s; remove it, or choose another folder with -o", path, d.root)
		case !info.IsDir():
			return false, fmt.Errorf("writing %s: it is a file, where the runner needs a folder", path)
		}
	}
	return true, nil
}

// tempMarker marks the names of temporary files and folders, which stay
// only if the runner is killed.
const tempMarker = ".tmp-"

// tempName returns a fresh temporary name for the file or folder at path,
// beside it.
func tempName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+tempMarker+strconv.FormatUint(rand.Uint64(), 36))
}

// tempFolder makes a folder with a temporary name for the folder at path.
func (d *Dir) tempFolder(path string) (string, error) {
	for {
		name := tempName(path)
		if err := d.fs.Mkdir(name, 0o755); !errors.Is(err, fs.ErrExist) {
			return name, err
		}
	}
}

// tempFile creates a file with a temporary name for the file at path.
func (d *Dir) tempFile(path string) (io.WriteCloser, string, error) {
	for {
		name := tempName(path)
		f, err := d.fs.Create(name, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			return f, name, err
		}
	}
}

// Create starts a file of the folder; the runner streams traces into it.
func (f *Folder) Create(name string) (*Pending, error) {
	p := &Pending{rel: joinRel(f.rel, name), final: filepath.Join(f.final, name)}
	f.files = append(f.files, p)
	if f.dir.write {
		var err error
		if f.staging != "" {
			p.path = filepath.Join(f.staging, name)
			p.file, err = f.dir.fs.Create(p.path, 0o644)
		} else {
			p.file, p.path, err = f.dir.tempFile(p.final)
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", p.final, err)
		}
	}
	if f.staging == "" { // the file may exist: compare with it
		p.openOld(f.dir.fs)
	} else {
		p.differs = true
	}
	return p, nil
}

func joinRel(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// Put writes a whole file of the folder.
func (f *Folder) Put(name string, data []byte) error {
	p, err := f.Create(name)
	if err == nil {
		_, err = p.Write(data)
	}
	return err
}

// Commit puts the folder's files in place, in the order they were created,
// and counts them.
func (f *Folder) Commit() error {
	for _, p := range f.files {
		if err := p.close(); err != nil {
			return err
		}
	}
	if f.staging != "" {
		if err := f.dir.fs.Rename(f.staging, f.final); err != nil {
			return fmt.Errorf("writing %s: %w", f.final, err)
		}
		f.staging = ""
	} else if f.dir.write {
		for _, p := range f.files {
			if err := p.replace(f.dir.fs); err != nil {
				return err
			}
		}
	}
	for _, p := range f.files {
		f.dir.count(p.rel, p.differs)
	}
	f.files = nil
	return nil
}

// Abort drops whatever the folder has written so far and leaves what was
// there before.
func (f *Folder) Abort() {
	if f == nil {
		return
	}
	for _, p := range f.files {
		p.close()
		if f.staging == "" && p.path != "" {
			f.dir.fs.Remove(p.path) // gone already, if it was renamed into place
		}
	}
	if f.staging != "" {
		f.dir.fs.RemoveAll(f.staging)
	}
	f.files = nil
}

// Pending is a file being written. It compares what is written with the
// file it replaces, if any, as it goes. Writes go straight to the file:
// callers that write in small pieces buffer them.
type Pending struct {
	rel, final string
	path       string         // the file written, or "" for a check
	file       io.WriteCloser // writes path
	oldFile    io.ReadCloser  // the file replaced, while it matches
	old        *bufio.Reader  // reads oldFile
	differs    bool
	err        error
}

// openOld opens the file that a pending file would replace, to compare with
// it; if there is none, the pending file differs.
func (p *Pending) openOld(fsys FileSystem) {
	f, err := fsys.Open(p.final)
	if err != nil {
		p.differs = true
		return
	}
	p.oldFile, p.old = f, bufio.NewReaderSize(f, 64<<10)
}

// Write writes b, and compares it with the file replaced.
func (p *Pending) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if !p.differs {
		p.compare(b)
	}
	if p.file != nil {
		if _, err := p.file.Write(b); err != nil {
			p.err = fmt.Errorf("writing %s: %w", p.final, err)
			return 0, p.err
		}
	}
	return len(b), nil
}

// compare compares b with the next bytes of the file replaced.
func (p *Pending) compare(b []byte) {
	var buf [4096]byte
	for len(b) > 0 && !p.differs {
		n := min(len(b), len(buf))
		if _, err := io.ReadFull(p.old, buf[:n]); err != nil || !bytes.Equal(buf[:n], b[:n]) {
			p.differs = true
		}
		b = b[n:]
	}
}

// close closes the file written, and settles whether it differs from the
// one replaced.
func (p *Pending) close() error {
	if p.oldFile != nil {
		if !p.differs {
			if _, err := p.old.ReadByte(); err == nil { // the old file is longer
				p.differs = true
			}
		}
		p.oldFile.Close()
		p.oldFile, p.old = nil, nil
	}
	if p.file == nil {
		return p.err
	}
	if err := p.file.Close(); err != nil && p.err == nil {
		p.err = fmt.Errorf("writing %s: %w", p.final, err)
	}
	p.file = nil
	return p.err
}

// replace renames the written file over the one it replaces, or drops it
// if they are the same.
func (p *Pending) replace(fsys FileSystem) error {
	var err error
	if p.differs {
		err = fsys.Rename(p.path, p.final)
	} else {
		err = fsys.Remove(p.path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", p.final, err)
	}
	p.path = ""
	return nil
}
