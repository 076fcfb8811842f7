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
	// stale are the runs stored before that its runs may no longer make:
	// those its stored summary and manifest list that no run came for.
	stale map[string]bool
	// emitted are the runs that came, when the stored summary is not
	// trusted and the folder must be searched for stale runs.
	emitted map[string]bool
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
	w.stale = map[string]bool{}
	switch {
	case err == nil:
		oldFiles = old.Files
		for _, id := range old.StaleRuns {
			w.stale[id] = true
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", b.store.Path(e.Name), err)
	}
	files := []string{results.SummaryFile}
	if b.drawsSweep(e) {
		files = append(files, results.SweepFile)
		w.field, w.column = sweepField(e)
		w.sweep = plots.NewSweepPoints(e.RunCount())
	}
	if w.folder, err = b.store.OpenFolder(e.Name, oldFiles, files, func(files []string) []byte { return w.manifest(b, files) }); err != nil {
		return nil, err
	}
	if b.trusted[e] {
		w.stored = openStoredRows(view, path.Join(e.Name, results.SummaryFile), w.stale)
	}
	if w.stored == nil && b.existed[e] {
		w.emitted = map[string]bool{} // its folder is searched for stale runs
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

// manifest renders the experiment's manifest, listing its own files and
// its stale runs.
func (w *experimentWriter) manifest(b *batchRun, files []string) []byte {
	m := results.ExperimentManifest{Experiment: w.e.Name, Description: w.e.Description, Files: files,
		RunFiles: append(runFileNames(w.e, b.o.Pictures), results.RecordFile)}
	for id := range w.stale {
		m.StaleRuns = append(m.StaleRuns, id)
	}
	slices.Sort(m.StaleRuns)
	return m.Render()
}

// row returns the row of run id: row if the run has it, or else that of
// the experiment's stored summary if it is trusted and has it, or else
// the row of the run's record. It notes that the run came.
func (w *experimentWriter) row(id string, row *results.Row, record []byte) (results.Row, error) {
	stored, found := w.stored.take(id)
	delete(w.stale, id)
	if w.emitted != nil {
		w.emitted[id] = true
	}
	switch {
	case row != nil:
		return *row, nil
	case found:
		return stored, nil
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
// sweep's picture, finds its stale runs (and prunes them if asked), and
// writes its manifest.
func (b *batchRun) finishExperiment() error {
	w := b.current
	b.current = nil
	w.stored.close()
	if w.folder == nil {
		return nil
	}
	if err := b.staleRuns(w); err != nil {
		w.pending.Abort()
		return err
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
	if w.stored != nil {
		w.stored.f.Close()
	}
	if w.pending != nil {
		w.pending.Abort()
	}
}

// staleRuns settles which stored runs of the experiment its runs no longer
// make: those its stored summary and manifest listed that no run came for,
// or, if its stored summary is not trusted, those found in its folder. It
// prunes them if asked, and otherwise reports them.
func (b *batchRun) staleRuns(w *experimentWriter) error {
	view := b.store.View()
	var stale []string
	if w.emitted != nil { // the folder was there, and its summary is not trusted
		var err error
		if stale, err = results.RunsOf(view, w.e.Name, func(id string) bool { return w.emitted[id] }); err != nil {
			return fmt.Errorf("reading %s: %w", b.store.Path(w.e.Name), err)
		}
	} else {
		for id := range w.stale {
			if results.RecordNames(view, id) {
				stale = append(stale, id)
			}
		}
		slices.Sort(stale)
	}
	w.stale = map[string]bool{}
	for _, id := range stale {
		if !b.o.Prune {
			w.stale[id] = true
			b.report.StaleRuns = append(b.report.StaleRuns, id)
			continue
		}
		kept, err := b.store.RemoveRun(id)
		if err != nil {
			return err
		}
		b.report.Removed = append(b.report.Removed, id)
		b.report.Kept = append(b.report.Kept, kept...)
	}
	return nil
}

// storedRows reads a stored summary alongside the runs of its experiment,
// so that a reused run's row is read rather than rebuilt from its record.
// Runs come in the order the summary lists them, but for runs added or
// removed since: it looks a little ahead. The rows it passes over are
// noted as runs that may be stale. A nil *storedRows has no rows.
type storedRows struct {
	f      io.Closer
	r      *results.SummaryReader
	ahead  []results.Row
	passed map[string]bool
}

// lookAhead is how many rows storedRows reads ahead to find a run.
const lookAhead = 64

// openStoredRows opens a stored summary, noting the runs it passes over in
// passed, or returns nil if it cannot.
func openStoredRows(fsys fs.FS, name string, passed map[string]bool) *storedRows {
	f, err := fsys.Open(name)
	if err != nil {
		return nil
	}
	r, err := results.NewSummaryReader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		f.Close()
		return nil
	}
	return &storedRows{f: f, r: r, passed: passed}
}

// take returns the row of run id, if it is among the next rows, and notes
// the rows before it as passed over.
func (s *storedRows) take(id string) (results.Row, bool) {
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
			for _, passed := range s.ahead[:i] {
				s.passed[passed[results.ColRun]] = true
			}
			s.ahead = s.ahead[i+1:]
			return row, true
		}
	}
	return results.Row{}, false
}

// close notes the rows left as passed over, and closes the summary.
func (s *storedRows) close() {
	if s == nil {
		return
	}
	for {
		row, ok := s.next()
		if !ok {
			break
		}
		s.passed[row[results.ColRun]] = true
	}
	s.f.Close()
}

// next returns the next row, from those read ahead first.
func (s *storedRows) next() (results.Row, bool) {
	if len(s.ahead) > 0 {
		row := s.ahead[0]
		s.ahead = s.ahead[1:]
		return row, true
	}
	row, err := s.r.Next()
	return row, err == nil
}
