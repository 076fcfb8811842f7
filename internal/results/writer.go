package results

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/descentlab/runner/internal/experiment"
)

// ExperimentPlan says what an experiment's folder holds, and how it is
// written.
type ExperimentPlan struct {
	Experiment *experiment.Experiment
	// First is a run of the experiment, whose inputs are those its runs
	// share and whose values name the fields its runs set: its first, or a
	// search's first probe.
	First experiment.Run
	// CSVDigits is the number of significant digits of results, unless
	// the experiment sets csv_digits.
	CSVDigits int
	Pictures  Pictures
	// Pictures are the experiment's own pictures that the batch draws.
	ExperimentPictures []string
	// File is the experiment file, relative to the folder that holds the
	// results folder; Overrides the values the command line set.
	File      string
	Overrides []string
	// Force computes every run, even those stored with the same inputs.
	Force bool
}

// Stored is a run as the store has it: computed by the batch, or stored
// before and checked.
type Stored struct {
	Record *Record
	// Computed reports whether the batch computed the run.
	Computed bool
	stats    []fileStat
}

// ExperimentWriter writes one experiment's folder: each run's folder as
// it finishes (from any goroutine), and, as its runs come in order (from
// one at a time), its records, its summary, its journal; then its
// pictures, its manifest and its stat cache.
type ExperimentWriter struct {
	s        *Store
	plan     ExperimentPlan
	name     string
	shared   Inputs
	swept    []string
	runFiles []string
	files    []string // the experiment's own files this batch writes
	cols     recordColumns
	existed  bool
	old      *ExperimentManifest // as stored, if valid
	mine     []string            // the files of a run's folder that the runner wrote
	index    *recordIndex
	cache    *statCache    // what the stored cache knows of the experiment's own files
	oldCache *recordSource // the stored cache, if believed
	journals []string      // the journals read, removed once the records are written
	reread   bool          // whether a file was read that the cache could not vouch for
	n        int           // the runs added

	records, summary *Pending
	recBuf, sumBuf   *bufio.Writer
	sums             *SummaryWriter
	journal          WriteFile
	journalBuf       *bufio.Writer
	journalRel       string
	cacheOut         *Pending // the cache being written
	cacheBuf         *bufio.Writer
	row              []byte // the records row of the run added last
	journalRow       []byte // and the same with its files' stats, for the journal and the cache
	picturesKey      string // of the inputs of the pictures put or kept, for the cache
	// staleFiles are the files, in the experiment's folder, of the single
	// run it was before it became a sweep: there, and the runner's.
	staleFiles []string

	mu  sync.Mutex
	put map[string]*Pending // the experiment's own files put
	// Report says what the writer found.
	Report ExperimentReport
}

// ExperimentReport is what an experiment's writing found besides its
// runs.
type ExperimentReport struct {
	// StaleRuns are stored runs that the experiment no longer makes; with
	// Prune, Removed are those removed, and Kept the files and folders kept
	// in them because the runner did not write them.
	StaleRuns, Removed, Kept []string
	// Foreign are files and folders in the experiment's folder that are
	// not the runner's, left as they are.
	Foreign []string
	// Repaired says what of the experiment's own was damaged, and is
	// written again.
	Repaired []string
	// Changed reports whether any file of the experiment changed.
	Changed bool
}

// BeginExperiment starts writing an experiment's folder. It reads what the
// folder holds (its manifest, records and the journals of writers that
// stopped), and writes the experiment's manifest listing every file it is
// about to write before it writes any, so that whatever a killed writer
// leaves is known as the runner's.
func (s *Store) BeginExperiment(p ExperimentPlan) (*ExperimentWriter, error) {
	e := p.Experiment
	first := p.First
	w := &ExperimentWriter{s: s, plan: p, name: e.Name, runFiles: RunFiles(e, p.Pictures),
		index: newRecordIndex(), cache: newStatCache(), put: map[string]*Pending{}}
	w.shared = InputsOf(&first, p.CSVDigits)
	for _, st := range first.Swept {
		w.swept = append(w.swept, experiment.FolderKey(st.Field))
	}
	w.files = append([]string{RecordsFile, SummaryFile}, p.ExperimentPictures...)
	w.cols = columnsOf(&w.shared, w.runFiles)
	var err error
	if w.existed, err = s.walkIn(w.name); err != nil {
		return nil, err
	}
	if err := s.registerExperiment(w.name); err != nil {
		return nil, err
	}
	if err := w.readStored(); err != nil {
		w.index.close()
		return nil, err
	}
	w.findStaleFiles()
	if err := w.writeManifestFirst(); err != nil {
		w.index.close()
		return nil, err
	}
	if err := w.open(); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// readStored reads what the experiment's folder holds: its manifest, if it
// is one of this runner's; its records and journals, indexed; its cache.
func (w *ExperimentWriter) readStored() error {
	s := w.s
	w.mine = slices.Clone(w.runFiles)
	if !w.existed {
		return nil
	}
	rel := path.Join(w.name, ManifestFile)
	data, err := readAllFile(s.fs, rel)
	switch {
	case err == nil:
		m, perr := ParseExperimentManifest(data)
		switch {
		case perr != nil:
			w.repaired(fmt.Sprintf("%s: %v", s.Path(rel), perr))
		case m.Experiment != w.name:
			w.repaired(fmt.Sprintf("%s names the experiment %q, not %q", s.Path(rel), m.Experiment, w.name))
		default:
			w.old = m
		}
	case errors.Is(err, ErrNotRegular):
		w.repaired(fmt.Sprintf("%s %s", s.Path(rel), notRegular))
	case errors.Is(err, errTooLarge):
		w.repaired(fmt.Sprintf("%s is %v", s.Path(rel), err))
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("reading %s: %w", s.Path(rel), err)
	}
	if w.old == nil && !slices.Contains(s.top.Experiments, w.name) {
		return fmt.Errorf("will not write %s: it is there, but no manifest of the runner's marks it as an experiment's folder; move it away, or write the results to another folder", s.Path(w.name))
	}
	if w.old != nil {
		for _, f := range w.old.RunFiles {
			if !slices.Contains(w.mine, f) {
				w.mine = append(w.mine, f)
			}
		}
	} else {
		w.mine = slices.Clone(runFiles) // the folder is the runner's, its manifest damaged: the runner's names are its
	}
	records := path.Join(w.name, RecordsFile)
	src, err := w.index.add(s.fs, records, w.cols.header(), false, "", nil)
	if errors.Is(err, ErrNotRegular) {
		w.repaired(fmt.Sprintf("%s %s", s.Path(records), notRegular))
	} else if err != nil {
		return fmt.Errorf("reading %s: %w", s.Path(records), err)
	}
	if src != nil {
		for _, bad := range src.badRuns {
			w.repaired(fmt.Sprintf("%s: %s", s.Path(records), bad))
		}
	}
	identity := cacheIdentity(s.dev, s.ino)
	src, err = w.index.add(s.fs, cacheName(w.name), journalHeader(w.cols), true, identity, func(line string) {
		if !w.cache.take(line, identity) {
			w.cache.files = map[string]cacheEntry{}
		}
	})
	if err != nil {
		return err
	}
	if src != nil {
		w.oldCache, w.cache.written = src, src.written
	} else {
		w.cache = newStatCache() // no cache, or one not believed
	}
	dir := path.Join(PrivateDir, journalDir, w.name)
	journals, err := s.fs.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", s.Path(dir), err)
	}
	for _, j := range journals {
		name := path.Join(dir, j.Name())
		if _, err := w.index.add(s.fs, name, journalHeader(w.cols), true, "", nil); err != nil {
			return fmt.Errorf("reading %s: %w", s.Path(name), err)
		}
		w.journals = append(w.journals, name)
	}
	return nil
}

// manifest returns the experiment's manifest listing the given files, run
// files and stale runs.
func (w *ExperimentWriter) manifest(files, runFiles, stale []string) *ExperimentManifest {
	e := w.plan.Experiment
	m := &ExperimentManifest{Experiment: w.name, Description: e.Description, File: w.plan.File, Overrides: w.plan.Overrides,
		Runner: w.s.runner, Inputs: w.shared, Swept: w.swept, Files: files, RunFiles: runFiles, StaleRuns: stale}
	if slices.Contains(stale, w.name) {
		m.StaleFiles = w.staleFiles
	}
	if w.old != nil && w.old.Runner != m.Runner {
		// A manifest that differs only in the runner's version is left as
		// it was: the experiment's bytes are those an earlier one wrote.
		was := *m
		was.Runner = w.old.Runner
		if bytes.Equal(was.Render(), w.old.Render()) {
			m.Runner = w.old.Runner
		}
	}
	return m
}

// writeManifestFirst writes the manifest listing the old files and the
// new, if the new are not all listed yet: at every moment, every file
// there that the runner wrote is listed. Shards write it too, each the
// same bytes.
func (w *ExperimentWriter) writeManifestFirst() error {
	if w.s.mode == Compare {
		return nil
	}
	files, runFiles, stale := w.files, w.runFiles, []string(nil)
	if w.old != nil {
		files, runFiles, stale = union(w.old.Files, w.files), union(w.old.RunFiles, w.runFiles), w.old.StaleRuns
		if len(files) == len(w.old.Files) && len(runFiles) == len(w.old.RunFiles) {
			return nil // all listed
		}
	}
	if !w.existed {
		if err := w.s.mkdirAll(w.name); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(w.name), err)
		}
	}
	// A manifest that was damaged is a file written; one of new files,
	// on the way to the last, is not.
	return w.s.write(path.Join(w.name, ManifestFile), w.manifest(files, runFiles, stale).Render(), w.existed && w.old == nil)
}

// repaired notes something of the experiment's own that is damaged, and
// written again (or, in Compare mode, would be): the user is told.
func (w *ExperimentWriter) repaired(what string) {
	w.Report.Repaired = append(w.Report.Repaired, what+"; "+w.s.writtenAgain())
}

// union returns the names of a, then those of b not in a.
func union(a, b []string) []string {
	u := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(u, n) {
			u = append(u, n)
		}
	}
	return u
}

// open starts the files written as the runs come: the records and the
// summary (but for shards), and the journal (but when comparing).
func (w *ExperimentWriter) open() error {
	s := w.s
	if s.mode != Compare {
		if err := Keep(s.fs, w.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if s.mode == Shard {
		return nil
	}
	var err error
	if s.mode == Write {
		var known *cacheEntry
		if w.oldCache != nil {
			known = &cacheEntry{stat: w.oldCache.stat, sha256: w.oldCache.sha256}
		}
		if w.cacheOut, err = s.createKnown(cacheName(w.name), known); err != nil {
			return err
		}
		w.cacheOut.uncounted = true
		w.cacheBuf = bufio.NewWriterSize(w.cacheOut, 64<<10)
		w.cacheBuf.WriteString(cacheIdentity(s.dev, s.ino))
		w.cacheBuf.Write(journalHeader(w.cols))
	}
	if w.records, err = s.createKnown(path.Join(w.name, RecordsFile), w.known(RecordsFile)); err != nil {
		return err
	}
	w.recBuf = bufio.NewWriterSize(w.records, 64<<10)
	if _, err := w.recBuf.Write(w.cols.header()); err != nil {
		return err
	}
	if w.summary, err = s.createKnown(path.Join(w.name, SummaryFile), w.known(SummaryFile)); err != nil {
		return err
	}
	w.sumBuf = bufio.NewWriterSize(w.summary, 64<<10)
	w.sums, err = NewSummaryWriter(w.sumBuf)
	return err
}

// openJournal starts the journal of the runs the batch computes, when it
// computes its first: a kill leaves the runs it lists whole, and the next
// writer reuses them; a batch that computes nothing writes none.
func (w *ExperimentWriter) openJournal() error {
	s := w.s
	writer := s.writerName()
	dir := path.Join(PrivateDir, journalDir, w.name)
	if err := s.fs.Mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("writing %s: %w", s.Path(dir), err)
	}
	w.journalRel = journalName(w.name, writer)
	f, err := s.fs.Create(w.journalRel)
	if err != nil {
		return fmt.Errorf("writing %s: %w", s.Path(w.journalRel), err)
	}
	w.journal, w.journalBuf = f, bufio.NewWriterSize(f, 16<<10)
	_, err = w.journalBuf.Write(journalHeader(w.cols))
	return err
}

// known returns what the cache knows of one of the experiment's own
// files, if the file there stats as the cache saw it.
func (w *ExperimentWriter) known(name string) *cacheEntry {
	e, ok := w.cache.files[name]
	if !ok {
		return nil
	}
	info, err := w.s.fs.Lstat(path.Join(w.name, name))
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	if st, ok := statOf(info); !ok || !w.cache.fresh(st, e.stat) {
		w.reread = true
		return nil
	}
	return &e
}

// Reuse returns the stored run r, if it is stored with the inputs of r and
// the method of this runner, with exactly the files the batch writes, each
// intact, and its outcome that of its trace (see verify.go). Files that
// the stat cache vouches for are not read. It is safe for concurrent use.
func (w *ExperimentWriter) Reuse(r *experiment.Run) (*Stored, bool) {
	if w.plan.Force || w.s.mode == Compare {
		return nil, false
	}
	st, why := w.lookup(r)
	return st, why == NotMissing
}

// Missing says why a run is not stored as it would be reused.
type Missing int

const (
	// NotMissing: the run is stored.
	NotMissing Missing = iota
	// NotStored: no record of the run.
	NotStored
	// OtherInputs: its record is of other inputs than the experiment's.
	OtherInputs
	// Damaged: its record or its files are not what the runner wrote.
	Damaged
	// Forced: stored, but to be computed again (--force).
	Forced
)

func (m Missing) String() string {
	switch m {
	case NotStored:
		return "not stored"
	case OtherInputs:
		return "stored with other inputs than the experiment's"
	case Damaged:
		return "stored with other files, or damaged"
	case Forced:
		return "stored, computed again as forced"
	}
	return "stored"
}

// Why says why run r is not stored as Reuse would reuse it.
func (w *ExperimentWriter) Why(r *experiment.Run) Missing {
	_, why := w.lookup(r)
	return why
}

// Stored returns the stored run r as Reuse would reuse it, in any mode
// (for a dry run, which reuses nothing), or why it is not stored.
func (w *ExperimentWriter) Stored(r *experiment.Run) (*Stored, Missing) {
	return w.lookup(r)
}

// lookup finds and checks the stored run r.
func (w *ExperimentWriter) lookup(r *experiment.Run) (*Stored, Missing) {
	line, src, ok := w.index.row(r.ID)
	if !ok {
		return nil, NotStored
	}
	var known []fileStat
	written := int64(0)
	if src.withStats {
		if line, known, ok = splitJournalRow(line, len(w.runFiles)); !ok {
			return nil, Damaged
		}
		written = src.written
	} else if cached, csrc, ok := w.index.cachedRow(r.ID); ok {
		// The cache's stats vouch for the files of the row it holds, if
		// it is records.csv's: not if records.csv was put back as it was
		// (git checkout), which the files then are too.
		if row, stats, ok := splitJournalRow(cached, len(w.runFiles)); ok && bytes.Equal(row, line) {
			known, written = stats, csrc.written
		}
	}
	rec, sum, err := w.cols.parseRow(line, w.name, &w.shared, w.swept)
	if err != nil {
		return nil, Damaged
	}
	in := InputsOf(r, w.plan.CSVDigits)
	if sum != in.Hash() {
		return nil, OtherInputs
	}
	rec.Inputs, rec.inputsSum = in, &sum
	stats, ok := w.check(rec, known, written)
	if !ok {
		if there, err := w.s.walkIn(r.ID); err == nil && !there {
			return nil, NotStored // its folder is gone
		}
		return nil, Damaged
	}
	return &Stored{Record: rec, stats: stats}, NotMissing
}

// InputsDiffer names the first input in which the experiment's stored
// manifest differs from the batch's experiment, for a message about runs
// stored with other inputs; "" if it cannot tell.
func (w *ExperimentWriter) InputsDiffer() string {
	if w.old == nil {
		return ""
	}
	var got, want bytes.Buffer
	w.old.Inputs.render(&got, w.old.Swept)
	w.shared.render(&want, w.swept)
	g, x := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want.Bytes(), []byte("\n"))
	for i := range min(len(g), len(x)) {
		if !bytes.Equal(g[i], x[i]) {
			return fmt.Sprintf("recorded %s, the experiment gives %s", bytes.TrimSpace(g[i]), bytes.TrimSpace(x[i]))
		}
	}
	return ""
}

// check checks each file of a stored run: there, a regular file of its
// recorded size, and, unless it stats as known (from before written),
// of its recorded SHA-256 and, for its trace, of its outcome. It returns
// the files' stats.
func (w *ExperimentWriter) check(rec *Record, known []fileStat, written int64) ([]fileStat, bool) {
	stats := make([]fileStat, len(rec.Files))
	for i, f := range rec.Files {
		rel := path.Join(rec.Run, f.Name)
		info, err := w.s.fs.Lstat(rel)
		if err != nil || !info.Mode().IsRegular() || info.Size() != f.Bytes {
			return nil, false
		}
		st, ok := statOf(info)
		if !ok {
			return nil, false
		}
		stats[i] = st
		if known != nil && st == (fileStat{f.Bytes, known[i].mtime, known[i].ctime, known[i].ino}) && st.mtime < written {
			continue
		}
		w.mu.Lock()
		w.reread = true
		w.mu.Unlock()
		file, err := w.s.fs.Open(rel)
		if err != nil {
			return nil, false
		}
		var got FileSum
		if f.Name == TraceFile {
			got, err = VerifyTrace(file, rec)
		} else {
			got, err = sumOf(file, f.Name)
		}
		file.Close()
		if err != nil || got != f {
			return nil, false
		}
	}
	return stats, true
}

// NewRun starts writing the folder of run r, to be computed. It is safe
// for concurrent use.
func (w *ExperimentWriter) NewRun(r *experiment.Run) (*RunWriter, error) {
	// The folder of an experiment of one run is its run's, there since its
	// manifest was written; a sweep's runs are new if its folder was.
	isNew := !w.existed && len(w.swept) > 0
	return w.s.newRun(r.ID, isNew, w.mine)
}

// Computed returns a computed run's record, as Add takes it, once its
// folder is committed.
func (w *RunWriter) Computed(rec *Record) (*Stored, error) {
	sums, stats, _, err := w.Commit()
	if err != nil {
		return nil, err
	}
	rec.Files = sums
	return &Stored{Record: rec, Computed: true, stats: stats}, nil
}

// Add takes a run's record, in the order of the experiment's runs: its row
// of the records and of the summary, and, for a run the batch computed,
// of the journal.
func (w *ExperimentWriter) Add(st *Stored) error {
	rec := st.Record
	w.row = w.cols.appendRow(w.row[:0], rec, rec.inputsHash())
	w.journalRow = appendJournalRow(w.journalRow[:0], w.row[:len(w.row)-1], st.stats)
	w.index.made(rec.Run)
	w.n++
	if w.cacheBuf != nil {
		w.cacheBuf.Write(w.journalRow)
	}
	if w.journal == nil && st.Computed && w.s.mode != Compare {
		if err := w.openJournal(); err != nil {
			return err
		}
	}
	if w.journalBuf != nil && st.Computed {
		if _, err := w.journalBuf.Write(w.journalRow); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(w.journalRel), err)
		}
		if err := w.journalBuf.Flush(); err != nil { // what a kill leaves is what was computed
			return fmt.Errorf("writing %s: %w", w.s.Path(w.journalRel), err)
		}
	}
	if w.recBuf == nil {
		return nil
	}
	if _, err := w.recBuf.Write(w.row); err != nil {
		return err
	}
	return w.sums.Write(rec)
}

// Put writes one of the experiment's own files: a picture.
func (w *ExperimentWriter) Put(name string, data []byte) error {
	if !slices.Contains(w.files, name) {
		return fmt.Errorf("%s is not a file of the experiment's that the batch writes", name)
	}
	p, err := w.s.createKnown(path.Join(w.name, name), w.known(name))
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Abort()
		return err
	}
	if err := p.Commit(); err != nil {
		return err
	}
	w.put[name] = p
	return nil
}

// KeepPictures reports whether the experiment's pictures of every run,
// the files given, may be kept as they are rather than drawn again, and
// if so keeps them: whether the stat cache says that they were drawn as
// drawing says (the version of the drawing, and all else the pictures
// depend on that the records do not hold, such as the fields drawn on log
// scales), from the records the batch has added (all of them, before
// Finish), and vouches for each file as it was then. A rerun with nothing
// changed so reads no trace to draw them. In Compare mode and with Force,
// they are always drawn. Otherwise the pictures drawn are Put, and the
// cache keys them with these records. drawing holds no line end.
func (w *ExperimentWriter) KeepPictures(files []string, drawing string) (bool, error) {
	if err := w.recBuf.Flush(); err != nil {
		return false, err
	}
	w.picturesKey = fmt.Sprintf("%s,%x,%s", drawing, w.records.hash.Sum(nil), strings.Join(files, ";"))
	if w.s.mode != Write || w.plan.Force || w.old == nil || w.cache.pictures != w.picturesKey {
		return false, nil
	}
	kept := make([]*Pending, len(files))
	for i, name := range files {
		e := w.known(name)
		if e == nil || !w.old.HasFile(name) || !slices.Contains(w.files, name) {
			return false, nil
		}
		sum := fixedSum(e.sha256)
		kept[i] = &Pending{s: w.s, rel: path.Join(w.name, name), hash: &sum, size: e.stat.size, stat: e.stat}
	}
	for i, name := range files {
		w.s.count(kept[i].rel, false)
		w.put[name] = kept[i]
	}
	return true, nil
}

// Finish settles the experiment's stale runs (removing them if prune),
// puts its records and summary in place, writes its manifest and stat
// cache, and removes its journal.
func (w *ExperimentWriter) Finish(prune bool) error {
	defer w.index.close()
	if w.journalBuf != nil {
		if err := w.journalBuf.Flush(); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(w.journalRel), err)
		}
		if err := w.journal.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", w.s.Path(w.journalRel), err)
		}
		w.journal, w.journalBuf = nil, nil
	}
	if w.s.mode == Shard {
		return nil // the journal stays, for runner summarize
	}
	stale, err := w.staleRuns(prune)
	if err != nil {
		return err
	}
	if err := w.foreign(); err != nil {
		return err
	}
	for _, f := range []struct {
		p   *Pending
		buf *bufio.Writer
	}{{w.records, w.recBuf}, {w.summary, w.sumBuf}} {
		if f.p == w.summary {
			if err := w.sums.Flush(); err != nil {
				return err
			}
		}
		if err := f.buf.Flush(); err != nil {
			return err
		}
		if err := f.p.Commit(); err != nil {
			return err
		}
	}
	w.put[RecordsFile], w.put[SummaryFile] = w.records, w.summary
	w.records, w.summary = nil, nil
	var files []string
	for _, name := range w.files {
		if w.put[name] != nil {
			files = append(files, name)
		}
	}
	if w.old != nil {
		for _, name := range w.old.Files {
			if !slices.Contains(files, name) {
				if err := w.s.remove(path.Join(w.name, name)); err != nil {
					return err
				}
			}
		}
	}
	m, err := w.s.createKnown(path.Join(w.name, ManifestFile), w.known(ManifestFile))
	if err == nil {
		_, err = m.Write(w.manifest(files, w.runFiles, stale).Render())
	}
	if err == nil {
		err = m.Commit()
	}
	if err != nil {
		return err
	}
	w.put[ManifestFile] = m
	for _, p := range w.put {
		w.Report.Changed = w.Report.Changed || p.differs
	}
	if err := w.writeCache(); err != nil {
		return err
	}
	if w.s.mode != Write || (w.journalRel == "" && len(w.journals) == 0) {
		return nil
	}
	for _, j := range w.journals {
		if err := w.s.remove(j); err != nil {
			return err
		}
	}
	if w.journalRel != "" {
		if err := w.s.remove(w.journalRel); err != nil {
			return err
		}
	}
	return w.s.remove(path.Join(PrivateDir, journalDir, w.name))
}

// Made notes that the batch makes run id, for Stale, without adding it.
func (w *ExperimentWriter) Made(id string) {
	w.index.made(id)
}

// Stale returns the stored runs that the experiment no longer makes,
// whose folders are there, of those not yet noted as made: what Finish
// would remove with prune.
func (w *ExperimentWriter) Stale() []string {
	ids := w.index.left()
	if w.old != nil {
		ids = append(ids, w.old.StaleRuns...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var stale []string
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, w.name+"/"):
			if there, err := w.s.walkIn(id); err == nil && there {
				stale = append(stale, id)
			}
		case id == w.name && len(w.staleFiles) > 0:
			stale = append(stale, id) // it was one run, and is now a sweep
		}
	}
	return stale
}

// findStaleFiles notes the files of the single run the experiment was,
// if it is now a sweep: those its manifest lists as the run's (or, once
// stale, as the stale run's) that are there.
func (w *ExperimentWriter) findStaleFiles() {
	if w.old == nil || len(w.swept) == 0 {
		return
	}
	listed := w.old.StaleFiles
	if len(w.old.Swept) == 0 {
		listed = w.old.RunFiles
	}
	for _, name := range listed {
		if info, err := w.s.fs.Lstat(path.Join(w.name, name)); err == nil && info.Mode().IsRegular() {
			w.staleFiles = append(w.staleFiles, name)
		}
	}
	if len(w.staleFiles) > 0 && !slices.Contains(w.old.StaleRuns, w.name) {
		w.old.StaleRuns = append(w.old.StaleRuns, w.name) // listed from the first manifest written on
	}
}

// staleRuns settles which stored runs the experiment no longer makes:
// those its records and journals list that no run came for, and those its
// manifest kept as stale, if their folders are there. It removes them if
// prune, and otherwise returns them, for the manifest.
func (w *ExperimentWriter) staleRuns(prune bool) ([]string, error) {
	var stale []string
	for _, id := range w.Stale() {
		if !prune {
			stale = append(stale, id)
			continue
		}
		if id == w.name {
			if err := w.removeStaleFiles(); err != nil {
				return nil, err
			}
			continue
		}
		kept, err := w.s.removeRun(id, runFiles, w.name) // any file a run of an earlier version wrote
		if err != nil {
			return nil, err
		}
		w.Report.Removed = append(w.Report.Removed, id)
		w.Report.Kept = append(w.Report.Kept, kept...)
	}
	w.Report.StaleRuns = stale
	return stale, nil
}

// removeStaleFiles removes the files of the single run the experiment
// was, and no other.
func (w *ExperimentWriter) removeStaleFiles() error {
	for _, name := range w.staleFiles {
		rel := path.Join(w.name, name)
		if err := w.s.remove(rel); err != nil {
			return err
		}
		w.Report.Removed = append(w.Report.Removed, rel)
	}
	return nil
}

// foreign notes what the experiment's folder holds that is not the
// runner's: neither one of its files nor a folder of a run.
func (w *ExperimentWriter) foreign() error {
	err := eachEntry(w.s.fs, w.name, func(e fs.DirEntry) error {
		name := e.Name()
		switch {
		case name == ManifestFile || slices.Contains(experimentFiles, name):
		case len(w.swept) == 0 && slices.Contains(w.mine, name):
		case slices.Contains(w.Report.StaleRuns, w.name) && slices.Contains(w.staleFiles, name):
		case e.IsDir() && e.Type()&fs.ModeSymlink == 0 && isRunFolder(name):
		default:
			w.Report.Foreign = append(w.Report.Foreign, path.Join(w.name, name))
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	slices.Sort(w.Report.Foreign)
	return err
}

// isRunFolder reports whether a folder's name is one of a run's: a key of
// a swept field, and a value.
func isRunFolder(name string) bool {
	_, err := experiment.ParseSettings(name)
	return err == nil
}

// writeCache writes the experiment's stat cache: its runs' rows as they
// were checked, and its own files. It is rewritten only if it changed, or
// if a file had to be read that the cache could not vouch for (so that the
// next run believes it).
func (w *ExperimentWriter) writeCache() error {
	if w.cacheOut == nil {
		return nil
	}
	for _, name := range append(slices.Clone(w.files), ManifestFile) {
		p := w.put[name]
		if p == nil || p.stat == (fileStat{}) {
			continue
		}
		e := cacheEntry{stat: p.stat}
		p.hash.Sum(e.sha256[:0])
		w.cacheBuf.Write(appendFileEntry(nil, name, e))
	}
	if w.picturesKey != "" {
		w.cacheBuf.WriteString(picturesPrefix + w.picturesKey + "\n")
	}
	if err := w.cacheBuf.Flush(); err != nil {
		return err
	}
	if _, err := w.cacheOut.Write(appendCacheSum(nil, w.cacheOut.hash.Sum(nil))); err != nil {
		return err
	}
	if w.reread || w.Report.Changed {
		w.cacheOut.settle()
		w.cacheOut.differs = true
	}
	err := w.cacheOut.Commit()
	w.cacheOut = nil
	return err
}

// writePrivate writes a whole file of the private folder, uncounted.
func (s *Store) writePrivate(rel string, data []byte) error {
	temp := s.tempName(rel)
	f, err := s.fs.Create(temp)
	if err == nil {
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = s.fs.Rename(temp, rel)
	}
	if err != nil {
		s.fs.Remove(temp)
		return fmt.Errorf("writing %s: %w", s.Path(rel), err)
	}
	return nil
}

// Abort drops what the experiment's writing has not put in place. The
// journal stays: the runs it lists are whole, and the next writer reuses
// them.
func (w *ExperimentWriter) Abort() {
	if w.journalBuf != nil {
		w.journalBuf.Flush()
		w.journal.Close()
		w.journal, w.journalBuf = nil, nil
	}
	for _, p := range []*Pending{w.records, w.summary, w.cacheOut} {
		if p != nil {
			p.Abort()
		}
	}
	w.index.close()
}

// Name returns the experiment's name.
func (w *ExperimentWriter) Name() string {
	return w.name
}

// RunFiles returns the files of each run's folder, its trace first.
func (w *ExperimentWriter) RunFiles() []string {
	return w.runFiles
}

// Runs returns how many runs were added.
func (w *ExperimentWriter) Runs() int {
	return w.n
}
