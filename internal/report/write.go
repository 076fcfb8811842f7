package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Dir puts files under a folder. A Dir made by NewDir writes them: each to
// a temporary file beside it, renamed into place, so that every file is
// either whole and new or untouched, even if the runner is stopped midway;
// a file whose content is unchanged is left alone. A Dir made by NewCheck
// writes nothing and only notes the files that would change. Either is
// safe for concurrent use.
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

// Put writes files, or compares them with those on disk.
func (d *Dir) Put(files ...File) error {
	for _, f := range files {
		name := filepath.Join(d.root, filepath.FromSlash(f.Path))
		old, err := os.ReadFile(name)
		same := err == nil && bytes.Equal(old, f.Data)
		if !same && d.write {
			if err := writeFile(name, f.Data); err != nil {
				return err
			}
		}
		d.mu.Lock()
		d.put++
		if !same {
			d.changed = append(d.changed, f.Path)
		}
		d.mu.Unlock()
	}
	return nil
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

// writeFile writes one file atomically.
func writeFile(name string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}
