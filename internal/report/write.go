package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Write puts files under dir, creating folders as needed. Each file is
// written to a temporary file beside it and renamed into place, so that
// every file is either whole and new or untouched, even if the runner is
// stopped midway. Files whose content is unchanged are not rewritten. Write
// returns how many files it wrote.
func Write(dir string, files []File) (changed int, err error) {
	for _, f := range files {
		name := filepath.Join(dir, filepath.FromSlash(f.Path))
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := writeFile(name, f.Data); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
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
