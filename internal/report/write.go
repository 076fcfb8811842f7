package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
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

	mu      sync.Mutex
	put     int
	changed []string
}

// NewDir returns a Dir that writes under root, creating folders as needed.
func NewDir(root string) *Dir {
	return &Dir{root: root, write: true}
}

// NewCheck returns a Dir that compares files with those under root and
// writes nothing.
func NewCheck(root string) *Dir {
	return &Dir{root: root}
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
// Dir's root ("." for the root itself).
func (d *Dir) OpenFolder(rel string) (*Folder, error) {
	f := &Folder{dir: d, rel: filepath.ToSlash(rel), final: filepath.Join(d.root, rel)}
	if !d.write {
		return f, nil
	}
	_, err := os.Stat(f.final)
	switch {
	case err == nil:
		return f, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("writing %s: %w", f.final, err)
	case rel == ".":
		err = os.MkdirAll(f.final, 0o755)
	default:
		if err = os.MkdirAll(filepath.Dir(f.final), 0o755); err == nil {
			f.staging, err = tempFolder(f.final)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", f.final, err)
	}
	return f, nil
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
func tempFolder(path string) (string, error) {
	for {
		name := tempName(path)
		if err := os.Mkdir(name, 0o755); !errors.Is(err, os.ErrExist) {
			return name, err
		}
	}
}

// tempFile creates a file with a temporary name for the file at path.
func tempFile(path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(tempName(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
}

// isTemp reports whether a file or folder name is a temporary one.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// Create starts a file of the folder; the runner streams traces into it.
func (f *Folder) Create(name string) (*Pending, error) {
	p := &Pending{rel: joinRel(f.rel, name), final: filepath.Join(f.final, name)}
	f.files = append(f.files, p)
	if f.dir.write {
		var file *os.File
		var err error
		if f.staging != "" {
			file, err = os.OpenFile(filepath.Join(f.staging, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		} else {
			file, err = tempFile(p.final)
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", p.final, err)
		}
		p.file = file
	}
	if f.staging == "" { // the file may exist: compare with it
		p.openOld()
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
		if err := os.Rename(f.staging, f.final); err != nil {
			return fmt.Errorf("writing %s: %w", f.final, err)
		}
	}
	for _, p := range f.files {
		if f.dir.write && f.staging == "" {
			if err := p.replace(); err != nil {
				return err
			}
		}
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
		if f.staging == "" && p.file != nil {
			os.Remove(p.file.Name())
		}
	}
	if f.staging != "" {
		os.RemoveAll(f.staging)
	}
	f.files = nil
}

// Pending is a file being written. It compares what is written with the
// file it replaces, if any, as it goes. Writes go straight to the file:
// callers that write in small pieces buffer them.
type Pending struct {
	rel, final string
	file       *os.File      // the file written, or nil for a check
	oldFile    *os.File      // the file replaced, while it matches
	old        *bufio.Reader // reads oldFile
	differs    bool
	err        error
}

// openOld opens the file that a pending file would replace, to compare with
// it; if there is none, the pending file differs.
func (p *Pending) openOld() {
	f, err := os.Open(p.final)
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
	if err := p.file.Close(); err != nil && p.err == nil && !errors.Is(err, os.ErrClosed) {
		p.err = fmt.Errorf("writing %s: %w", p.final, err)
	}
	return p.err
}

// replace renames the written file over the one it replaces, or drops it
// if they are the same.
func (p *Pending) replace() error {
	if !p.differs {
		return os.Remove(p.file.Name())
	}
	if err := os.Rename(p.file.Name(), p.final); err != nil {
		return fmt.Errorf("writing %s: %w", p.final, err)
	}
	return nil
}
