package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Dir writes files under a folder. Each file is written to a temporary
// file beside it and renamed into place, so that every file is either
// whole and new or untouched, even if the runner is stopped midway. Files
// whose content is unchanged are not rewritten. A Dir is safe for
// concurrent use.
type Dir struct {
	root             string
	written, changed atomic.Int64
}

// NewDir returns a Dir that writes under root, creating it as needed.
func NewDir(root string) *Dir {
	return &Dir{root: root}
}

// Put writes files.
func (d *Dir) Put(files ...File) error {
	for _, f := range files {
		name := filepath.Join(d.root, filepath.FromSlash(f.Path))
		d.written.Add(1)
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := writeFile(name, f.Data); err != nil {
			return err
		}
		d.changed.Add(1)
	}
	return nil
}

// Counts returns how many files were put, and how many of them changed.
func (d *Dir) Counts() (written, changed int) {
	return int(d.written.Load()), int(d.changed.Load())
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
