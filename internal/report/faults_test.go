package report_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/descentlab/runner/internal/faultfs"
	"github.com/descentlab/runner/internal/report"
)

// snapshot returns every file and folder under root, with the files'
// contents.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			files[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeRun writes a run's folder with a trace written in pieces, as the
// runner does.
func writeRun(d *report.Dir, id, trace string) error {
	folder, err := d.OpenFolder(id)
	if err != nil {
		return err
	}
	p, err := folder.Create("trace.csv")
	for _, line := range strings.SplitAfter(trace, "\n") {
		if err == nil {
			_, err = p.Write([]byte(line))
		}
	}
	if err == nil {
		err = folder.Put("result.csv", []byte("done\n"))
	}
	if err == nil {
		err = folder.Commit()
	}
	if err != nil {
		folder.Abort()
	}
	return err
}

// TestFaultsLeaveEarlierResultsWhole injects failures into the writing of
// a run, new or replacing one already there, and checks that the error
// names the file, and that the results folder is exactly as before: no
// partial file, no temporary file or folder.
func TestFaultsLeaveEarlierResultsWhole(t *testing.T) {
	full := errors.New("no space left on device")
	tests := []struct {
		name, run string
		op        faultfs.Op
		err       error
		want      string
	}{
		{"disk full in a new run", "lr/alpha=0.2", faultfs.Write, syscall.ENOSPC, "lr/alpha=0.2/trace.csv"},
		{"disk full replacing a run", "lr/alpha=0.1", faultfs.Write, full, "lr/alpha=0.1/trace.csv"},
		{"read-only folder, new run", "lr/alpha=0.2", faultfs.Mkdir, syscall.EROFS, "lr/alpha=0.2"},
		{"read-only folder, replacing", "lr/alpha=0.1", faultfs.Create, syscall.EACCES, "lr/alpha=0.1/trace.csv"},
		{"rename refused", "lr/alpha=0.1", faultfs.Rename, syscall.EIO, "lr/alpha=0.1/trace.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := writeRun(report.NewDir(root, report.OS), "lr/alpha=0.1", "a\nb\n"); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, root)
			fsys := faultfs.FS{FileSystem: report.OS, Fail: func(op faultfs.Op, path string) error {
				if op == tt.op && strings.Contains(filepath.ToSlash(path), filepath.Base(tt.run)) {
					return tt.err
				}
				return nil
			}}
			err := writeRun(report.NewDir(root, fsys), tt.run, "c\nd\ne\n")
			if err == nil || !strings.Contains(err.Error(), filepath.Join(root, filepath.FromSlash(tt.want))) {
				t.Errorf("error %v, want one naming %s", err, filepath.Join(root, tt.want))
			}
			after := snapshot(t, root)
			if len(after) != len(before) {
				t.Errorf("files before: %v\nafter: %v", before, after)
			}
			for name, data := range before {
				if after[name] != data {
					t.Errorf("%s changed: %q → %q", name, data, after[name])
				}
			}
		})
	}
}
