package results

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/suggest"
	"github.com/descentlab/runner/pkg/engine"
)

// The functions here read a results folder through an fs.FS: a folder on
// disk (FolderFS of OpenFolder's), a commit of a git repository, or a
// Store's view of its folder. Paths are slash-separated, relative to the
// results folder. Everything read is checked as the runner writes it:
// manifests and records are canonical, names are the runner's.

// ReadFolder reads the manifest of a results folder of this layout.
func ReadFolder(fsys fs.FS) (*FolderManifest, error) {
	data, err := readSmall(fsys, ManifestFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("not a results folder of the runner: it has no %s", ManifestFile)
	case errors.Is(err, ErrNotRegular):
		return nil, fmt.Errorf("%s %s; remove it, and runner run writes it again from the experiments' folders, or restore it from git", ManifestFile, notRegular)
	case errors.Is(err, errTooLarge):
		return nil, fmt.Errorf("%s is %w; restore it from git, or remove it and run runner run, which writes it again from the experiments' folders", ManifestFile, err)
	case err != nil:
		return nil, err
	}
	if kind := manifestKind(data); strings.HasPrefix(kind, "the folder of") {
		return nil, fmt.Errorf("not a results folder: it is %s; give the results folder, its parent", kind)
	}
	m, err := ParseFolderManifest(data)
	switch {
	case err == nil:
		return m, nil
	case cutShort(data, err):
		return nil, fmt.Errorf("%s: %s, as a write that did not reach the disk leaves it; run runner run to write it again from the experiments' folders, or restore it from git", ManifestFile, describeCut(data))
	case errors.As(err, new(*LayoutError)):
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return nil, fmt.Errorf("%s: %w; restore it from git, or remove it and run runner run, which writes it again from the experiments' folders", ManifestFile, err)
}

// maxManifest bounds the size of a manifest read: a larger file is not
// one.
const maxManifest = 16 << 20

// readSmall reads a whole file of at most maxManifest bytes.
func readSmall(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err == nil && len(data) > maxManifest {
		return nil, errTooLarge
	}
	return data, err
}

// ReadManifest reads an experiment's manifest.
func ReadManifest(fsys fs.FS, experiment string) (*ExperimentManifest, error) {
	rel := path.Join(experiment, ManifestFile)
	data, err := readSmall(fsys, rel)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%s is %w", rel, err)
	}
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

// maxRecordLine bounds a line of records.csv.
const maxRecordLine = 1 << 20

// ReadRecords calls f with the record of each run of an experiment, in the
// order its records.csv lists them: each row checked as the runner writes
// it, and computed with the inputs of its experiment's manifest.
func ReadRecords(fsys fs.FS, m *ExperimentManifest, f func(*Record) error) error {
	rel := path.Join(m.Experiment, RecordsFile)
	file, err := fsys.Open(rel)
	if err != nil {
		return err
	}
	defer file.Close()
	cols := columnsOf(&m.Inputs, m.RunFiles)
	r := bufio.NewReaderSize(file, 64<<10)
	header, err := readLine(r, maxRecordLine)
	if err == io.EOF {
		return fmt.Errorf("%s: empty: a write that did not finish, or a file emptied by hand", rel)
	}
	if err != nil {
		return fmt.Errorf("%s: line 1: %w", rel, err)
	}
	if want := cols.header(); !bytes.Equal(append(header, '\n'), want) {
		return fmt.Errorf("%s: line 1: not the header of the records of its manifest's runs", rel)
	}
	for line := 2; ; line++ {
		row, err := readLine(r, maxRecordLine)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", rel, line, err)
		}
		rec, sum, err := cols.parseRow(row, m.Experiment, &m.Inputs, m.Swept)
		if err == nil && sum != rec.inputsHash() {
			err = fmt.Errorf("run %s was computed with other inputs than its experiment's manifest gives", rec.Run)
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", rel, line, err)
		}
		if err := f(rec); err != nil {
			return err
		}
	}
}

// ReadRecord returns the record of run id, and its experiment's manifest.
func ReadRecord(fsys fs.FS, id string) (*Record, *ExperimentManifest, error) {
	name, _, _ := strings.Cut(id, "/")
	m, err := ReadManifest(fsys, name)
	if err != nil {
		return nil, nil, err
	}
	var found *Record
	errFound := errors.New("found")
	err = ReadRecords(fsys, m, func(r *Record) error {
		if r.Run == id {
			found = r
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return found, m, nil
	case err != nil:
		return nil, nil, err
	}
	return nil, m, fmt.Errorf("%w: no run %s in %s", fs.ErrNotExist, id, path.Join(name, RecordsFile))
}

// RunIDs returns the identifiers of an experiment's runs, in the order of
// its records.
func RunIDs(fsys fs.FS, m *ExperimentManifest) ([]string, error) {
	var ids []string
	err := ReadRecords(fsys, m, func(r *Record) error {
		ids = append(ids, r.Run)
		return nil
	})
	return ids, err
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

// VerifyRun checks that the files of a run are those its record lists:
// each present, of its size and SHA-256, and its trace that of its
// outcome.
func VerifyRun(fsys fs.FS, rec *Record) error {
	for _, want := range rec.Files {
		rel := path.Join(rec.Run, want.Name)
		f, err := fsys.Open(rel)
		if err != nil {
			return err
		}
		var got FileSum
		if want.Name == TraceFile {
			got, err = VerifyTrace(f, rec)
		} else {
			got, err = sumOf(f, want.Name)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if got != want {
			return fmt.Errorf("%s: %w: %d bytes with SHA-256 %x, but its record says %d bytes with %x", rel, errMismatch, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
		}
	}
	return nil
}

// sumOf reads a file whole, and returns its size and SHA-256.
func sumOf(r io.Reader, name string) (FileSum, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	f := FileSum{Name: name, Bytes: n}
	h.Sum(f.SHA256[:0])
	return f, err
}

// overlayFS is a folder with some of its files replaced by their contents
// in memory: a Store's view of its folder in Compare mode, where it writes
// nothing but reads back what it would have written.
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

// SortedExperiments returns the names of a folder's experiments, sorted.
func (m *FolderManifest) SortedExperiments() []string {
	return slices.Sorted(slices.Values(m.Experiments))
}

// TraceView is what a run's table shows of its trace: its first and last
// rows, and whether rows were left out between them.
type TraceView struct {
	Rows []engine.Iteration
	Gap  bool
	// first and last are the trace's first and last rows, as written.
	first, last []string
}

// Check checks the record of the run whose view v is against the rows v
// read, as a stored run's is (its final values and SSR those of the last
// row, its status one the rows allow), and returns an error if they do
// not match.
func (v *TraceView) Check(rec *Record) error {
	var err error
	switch {
	case v.last != nil:
		err = checkOutcome(rec, v.first, v.last, nil)
	case rec.Outcome.Iterations > 0:
		err = fmt.Errorf("%w: it has no rows, its record %s", errMismatch, prose.Count(rec.Outcome.Iterations, "iteration"))
	}
	if err != nil {
		return fmt.Errorf("%s: %w (its row in %s; one of them was edited or damaged)", path.Join(rec.Run, TraceFile), err, path.Join(rec.Experiment(), RecordsFile))
	}
	return nil
}

// ReadRunView reads the first and the last k rows of a run's trace: from
// its ends where the file allows, so that a long trace is not read whole.
func ReadRunView(fsys fs.FS, rec *Record, k int) (*TraceView, error) {
	rel := path.Join(rec.Run, TraceFile)
	f, err := fsys.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	view := &TraceView{}
	var rows [][]string
	ra, isReaderAt := f.(io.ReaderAt)
	info, err := f.Stat()
	if isReaderAt && err == nil {
		te, err := ReadTraceEnds(ra, info.Size(), k)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		rows, view.Gap = slices.Concat(te.First, te.Last), te.Gap
		if !te.Gap {
			rows = dedupe(te.First, te.Last)
		}
	} else if rows, view.Gap, err = streamEnds(f, k); err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if len(rows) > 0 {
		view.first, view.last = rows[0], rows[len(rows)-1]
	}
	for _, row := range rows {
		var it engine.Iteration
		if err := Iteration(row, rec.Inputs.Train, len(rec.Inputs.Data), &it); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		view.Rows = append(view.Rows, it)
	}
	return view, nil
}

// dedupe joins the first and last rows of a trace too short to have left
// any out, keeping each row once: iterations only grow down a trace.
func dedupe(first, last [][]string) [][]string {
	rows := slices.Clone(first)
	end := -1
	if len(first) > 0 {
		end, _ = strconv.Atoi(first[len(first)-1][0])
	}
	for _, row := range last {
		if n, err := strconv.Atoi(row[0]); err == nil && n > end {
			rows = append(rows, row)
		}
	}
	return rows
}

// streamEnds reads a trace from start to end, keeping its first and last k
// rows: for files that cannot be read from their end.
func streamEnds(r io.Reader, k int) ([][]string, bool, error) {
	t, err := NewTraceReader(r)
	if err != nil {
		return nil, false, err
	}
	e := ends.New(k, func(dst, src *[]string) { *dst = slices.Clone(*src) })
	for {
		row, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		e.Add(&row)
	}
	rows, gap := e.Kept()
	return rows, gap >= 0, nil
}

// ReadRows reads the rows of a run's trace of iterations from first to
// last (both included), at most limit of them, or fails saying so.
func ReadRows(fsys fs.FS, rec *Record, first, last, limit int) ([]engine.Iteration, error) {
	t, closer, err := OpenTrace(fsys, rec.Run)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	var rows []engine.Iteration
	for {
		row, err := t.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", rec.Run, TraceFile, err)
		}
		var it engine.Iteration
		if err := Iteration(row, rec.Inputs.Train, len(rec.Inputs.Data), &it); err != nil {
			return nil, fmt.Errorf("%s/%s: line %d: %w", rec.Run, TraceFile, t.Line(), err)
		}
		if it.N < first || it.N > last {
			continue
		}
		if len(rows) == limit {
			return nil, fmt.Errorf("%w: more than %d rows", ErrTooManyRows, limit)
		}
		rows = append(rows, it)
	}
}

// ErrTooManyRows is the error of a read of more rows than asked for.
var ErrTooManyRows = errors.New("too many rows")

// Located is a run, or an experiment, that the command line names.
type Located struct {
	// Root is the results folder.
	Root string
	// Run is the run's identifier, or Experiment the experiment's name if
	// an experiment of several runs is named.
	Run, Experiment string
}

// Locate finds what the command line names: a run's folder, a run's
// identifier under the results folder out, or an experiment's name.
func Locate(name, out string) (*Located, error) {
	if name == "" {
		return nil, fmt.Errorf("an empty name; give a run's identifier (such as learning-rates/alpha=0.1, as summary.csv lists them), its folder, or an experiment's name")
	}
	if root, id, ok := locateFolder(name); ok {
		return &Located{Root: root, Run: id}, nil
	}
	fsys, closer, err := OpenFS(out)
	if err != nil {
		return nil, err
	}
	defer closer()
	top, err := ReadFolder(fsys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	id := filepath.ToSlash(filepath.Clean(name))
	experiment, _, _ := strings.Cut(id, "/")
	if !slices.Contains(top.Experiments, experiment) {
		return nil, &NotFoundError{Name: name, Dir: out, Suggest: suggest.Nearest(id, top.Experiments, 3)}
	}
	m, err := ReadManifest(fsys, experiment)
	if err != nil {
		return nil, err
	}
	if id == experiment && len(m.Swept) > 0 {
		return &Located{Root: out, Experiment: experiment}, nil
	}
	ids, err := RunIDs(fsys, m)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ids, id) {
		return nil, &NotFoundError{Name: name, Dir: out, Suggest: suggest.Nearest(id, ids, 3)}
	}
	return &Located{Root: out, Run: id}, nil
}

// locateFolder finds the results folder above a run's folder, if name is
// one.
func locateFolder(name string) (root, id string, ok bool) {
	info, err := os.Lstat(filepath.Join(name, TraceFile))
	if err != nil || !info.Mode().IsRegular() {
		return "", "", false
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", "", false
	}
	for dir := filepath.Dir(abs); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		data, err := readManifestFile(filepath.Join(dir, ManifestFile))
		if err == nil && manifestKind(data) == "a results folder" {
			rel, err := filepath.Rel(dir, abs)
			return dir, filepath.ToSlash(rel), err == nil
		}
	}
	return "", "", false
}

// NotFoundError is a name that is no run or experiment of a results
// folder; Suggest are the nearest ones.
type NotFoundError struct {
	Name, Dir string
	Suggest   []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no run or experiment %q under %s", e.Name, e.Dir)
	if len(e.Suggest) > 0 {
		return msg + "; did you mean " + strings.Join(e.Suggest, " or ") + "?"
	}
	return msg + ": give a run's identifier (such as learning-rates/alpha=0.1, as summary.csv lists them), its folder, or an experiment's name"
}

// OpenFS opens a results folder on disk to read, confined as the store
// is: no link followed, regular files only.
func OpenFS(dir string) (fs.FS, func(), error) {
	f, err := OpenFolder(dir)
	if err != nil {
		return nil, nil, err
	}
	return FolderFS(f), func() { f.Close() }, nil
}
