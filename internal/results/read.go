package results

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The functions here read a results folder through an fs.FS: a folder on
// disk (os.DirFS), a commit of a git repository, or a Store's view of its
// folder. Paths are slash-separated, relative to the results folder.

// CheckFolder checks that fsys is a results folder of this layout.
func CheckFolder(fsys fs.FS) error {
	data, err := fs.ReadFile(fsys, ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("not a results folder of the runner: it has no %s", ManifestFile)
	}
	if err != nil {
		return err
	}
	if _, err := ParseFolderManifest(data); err != nil {
		return fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return nil
}

// StoredExperiment is an experiment whose folder is in a results folder.
type StoredExperiment struct {
	Name     string
	Manifest *ExperimentManifest
}

// ReadExperiments returns the experiments of a results folder, by name:
// every folder at its top with a manifest of the runner's. Other folders
// are not the runner's, and are left out.
func ReadExperiments(fsys fs.FS) ([]StoredExperiment, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var exps []StoredExperiment
	for _, e := range entries {
		if !e.IsDir() || e.Name() == PrivateDir {
			continue
		}
		m, err := ReadManifest(fsys, e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		exps = append(exps, StoredExperiment{Name: e.Name(), Manifest: m})
	}
	return exps, nil
}

// ReadManifest reads an experiment's manifest.
func ReadManifest(fsys fs.FS, experiment string) (*ExperimentManifest, error) {
	rel := path.Join(experiment, ManifestFile)
	data, err := fs.ReadFile(fsys, rel)
	if err != nil {
		return nil, err
	}
	m, err := ParseExperimentManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if m.Experiment != experiment {
		return nil, fmt.Errorf("%s: names the experiment %q, not %q", rel, m.Experiment, experiment)
	}
	return m, nil
}

// ReadRecord reads the record of run id.
func ReadRecord(fsys fs.FS, id string) (*Record, error) {
	rel := path.Join(id, RecordFile)
	data, err := fs.ReadFile(fsys, rel)
	if err != nil {
		return nil, err
	}
	r, err := ParseRecord(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if r.Run != id {
		return nil, fmt.Errorf("%s: holds run %q, not %q", rel, r.Run, id)
	}
	return r, nil
}

// OpenTrace opens the trace of run id.
func OpenTrace(fsys fs.FS, id string) (*TraceReader, io.Closer, error) {
	rel := path.Join(id, TraceFile)
	f, err := fsys.Open(rel)
	if err != nil {
		return nil, nil, err
	}
	t, err := NewTraceReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", rel, err)
	}
	return t, f, nil
}

// RunsOf returns the identifiers of the runs stored in an experiment's
// folder but those known (known may be nil): the folders under it whose
// record names them, sorted. A folder whose record names another run (a
// copy, say) is not the runner's.
func RunsOf(fsys fs.FS, experiment string, known func(id string) bool) ([]string, error) {
	var ids []string
	err := fs.WalkDir(fsys, experiment, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == PrivateDir:
			return fs.SkipDir
		case !d.IsDir() && d.Name() == RecordFile:
			id := path.Dir(p)
			if (known == nil || !known(id)) && RecordNames(fsys, id) {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	slices.Sort(ids)
	return ids, err
}

// RecordNames reports whether run id's folder holds its record, from the
// record's first lines.
func RecordNames(fsys fs.FS, id string) bool {
	f, err := fsys.Open(path.Join(id, RecordFile))
	if err != nil {
		return false
	}
	defer f.Close()
	want := "run: " + strconv.Quote(id)
	sc := bufio.NewScanner(io.LimitReader(f, 4096))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "run: ") {
			return line == want
		}
	}
	return false
}

// overlayFS is a folder on disk with some of its files replaced by their
// contents in memory: a Store's view of its folder in Compare mode, where
// it writes nothing but reads back what it would have written.
type overlayFS struct {
	disk  fs.FS
	files func(name string) ([]byte, bool)
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if data, ok := o.files(name); ok {
		return &memFile{Reader: bytes.NewReader(data), name: path.Base(name), size: int64(len(data))}, nil
	}
	return o.disk.Open(name)
}

// memFile is a file held in memory.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Size() int64                { return f.size }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }

// VerifyRun reads the record of run id and checks that the run's files are
// those it lists: each present, of its size and SHA-256. A run whose
// writing was interrupted before its record went in place, or whose files
// were changed since, fails.
func VerifyRun(fsys fs.FS, id string) (*Record, error) {
	rec, err := ReadRecord(fsys, id)
	if err != nil {
		return nil, err
	}
	for _, want := range rec.Files {
		rel := path.Join(id, want.Name)
		f, err := fsys.Open(rel)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); n != want.Bytes || got != want.SHA256 {
			return nil, fmt.Errorf("%s: %d bytes with SHA-256 %s, but its record says %d bytes with %s", rel, n, got, want.Bytes, want.SHA256)
		}
	}
	return rec, nil
}
