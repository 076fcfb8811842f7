package pipeline

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// experimentWriter writes an experiment's own files as its runs come in
// order: its summary, row by row, then its sweep's picture and its
// manifest.
type experimentWriter struct {
	e       *experiment.Experiment
	folder  *results.FolderWriter
	pending *results.Pending
	buf     *bufio.Writer
	summary *results.SummaryWriter
	stored  *storedRows // the rows of its stored summary, if trusted
	sweep   *plots.SweepPoints
	field   string         // the field its sweep's picture shows
	column  results.Column // that field's column
	n       int
}

// beginExperiment starts writing an experiment's files (none for a shard).
func (b *batchRun) beginExperiment(e *experiment.Experiment) (*experimentWriter, error) {
	w := &experimentWriter{e: e}
	if b.o.Shard.N > 0 {
		return w, nil
	}
	view := b.store.View()
	old, err := results.ReadManifest(view, e.Name)
	var oldFiles []string
	switch {
	case err == nil:
		oldFiles = old.Files
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", b.store.Path(e.Name), err)
	}
	files := []string{results.SummaryFile}
	if b.drawsSweep(e) {
		files = append(files, results.SweepFile)
		w.field, w.column = sweepField(e)
		w.sweep = plots.NewSweepPoints(e.RunCount())
	}
	manifest := func(files []string) []byte {
		m := results.ExperimentManifest{Experiment: e.Name, Description: e.Description, Files: files, RunFiles: append(runFileNames(e, b.o.Pictures), results.RecordFile)}
		return m.Render()
	}
	if w.folder, err = b.store.OpenFolder(e.Name, oldFiles, files, manifest); err != nil {
		return nil, err
	}
	if b.trusted[e] {
		w.stored = openStoredRows(view, path.Join(e.Name, results.SummaryFile))
	}
	if w.pending, err = w.folder.Create(results.SummaryFile); err != nil {
		return nil, err
	}
	w.buf = bufio.NewWriterSize(w.pending, 64<<10)
	if w.summary, err = results.NewSummaryWriter(w.buf); err != nil {
		w.pending.Abort()
		return nil, err
	}
	return w, nil
}

// drawsSweep reports whether an experiment gets a sweep picture.
func (b *batchRun) drawsSweep(e *experiment.Experiment) bool {
	return e.Swept() && b.o.Pictures != NoPictures
}

// sweepField returns the field a sweep's picture shows the iterations
// against: α if it varies, or else the first field swept; and its column.
func sweepField(e *experiment.Experiment) (string, results.Column) {
	fields := e.SweptFields()
	field := fields[0]
	if slices.Contains(fields, "alpha") {
		field = "alpha"
	}
	switch field {
	case "alpha":
		return field, results.ColAlpha
	case "tolerance":
		return field, results.ColTolerance
	case "max_iterations":
		return field, results.ColMaxIterations
	}
	p, _ := engine.ParseParam(field)
	return field, results.Initial(p)
}

// storedRow returns the row of a reused run: from the experiment's stored
// summary if it is trusted and has it, or else from the run's record.
func (w *experimentWriter) storedRow(id string, record []byte) (results.Row, error) {
	if row, ok := w.stored.find(id); ok {
		return row, nil
	}
	rec, err := results.ParseRecord(record)
	if err != nil {
		return results.Row{}, fmt.Errorf("%s: %w", id, err)
	}
	return results.RowOf(rec), nil
}

// add writes a run's row, and notes it for the sweep's picture.
func (w *experimentWriter) add(row *results.Row) error {
	if w.sweep != nil {
		v, _ := row.Float(w.column)
		w.sweep.Add(w.n, plots.SweepRun{Value: v, Iterations: row.Iterations(), Status: row.Status()})
	}
	w.n++
	if w.summary == nil {
		return nil
	}
	return w.summary.Write(row)
}

// finishExperiment puts the experiment's summary in place, draws its
// sweep's picture, and writes its manifest.
func (b *batchRun) finishExperiment() error {
	w := b.current
	b.current = nil
	w.stored.close()
	if w.folder == nil {
		return nil
	}
	err := w.summary.Flush()
	if err == nil {
		err = w.buf.Flush()
	}
	if err != nil {
		w.pending.Abort()
		return err
	}
	if err := w.pending.Commit(); err != nil {
		return err
	}
	if w.sweep != nil {
		limit := 0.0
		if w.field == "alpha" && w.e.Settings.Trained() == engine.NewParamSet(engine.B3) {
			limit = 1 / float64(len(w.e.Data)) // the stability limit α = 1/N
		}
		svg, err := plots.Sweep(w.e.Name, w.field, w.sweep.Points(), limit)
		if err != nil {
			return fmt.Errorf("drawing %s: %w", b.store.Path(path.Join(w.e.Name, results.SweepFile)), err)
		}
		if err := w.folder.Put(results.SweepFile, svg); err != nil {
			return err
		}
	}
	if err := w.folder.Close(); err != nil {
		return err
	}
	return b.store.Finished(w.e.Name)
}

// abort drops the experiment's summary being written.
func (w *experimentWriter) abort() {
	w.stored.close()
	if w.pending != nil {
		w.pending.Abort()
	}
}

// storedRows reads a stored summary alongside the runs of its experiment,
// so that a reused run's row is read rather than rebuilt from its record.
// Runs come in the order the summary lists them, but for runs added or
// removed since: it looks a little ahead. A nil *storedRows has no rows.
type storedRows struct {
	f     io.Closer
	r     *results.SummaryReader
	ahead []results.Row
}

// lookAhead is how many rows storedRows reads ahead to find a run.
const lookAhead = 64

// openStoredRows opens a stored summary, or returns nil if it cannot.
func openStoredRows(fsys fs.FS, name string) *storedRows {
	f, err := fsys.Open(name)
	if err != nil {
		return nil
	}
	r, err := results.NewSummaryReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil
	}
	return &storedRows{f: f, r: r}
}

// find returns the row of run id, dropping the rows before it.
func (s *storedRows) find(id string) (results.Row, bool) {
	if s == nil {
		return results.Row{}, false
	}
	for len(s.ahead) < lookAhead {
		row, err := s.r.Next()
		if err != nil {
			break
		}
		s.ahead = append(s.ahead, row)
	}
	for i, row := range s.ahead {
		if row[results.ColRun] == id {
			s.ahead = s.ahead[i+1:]
			return row, true
		}
	}
	return results.Row{}, false
}

func (s *storedRows) close() {
	if s != nil {
		s.f.Close()
	}
}
