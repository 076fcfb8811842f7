package results

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// recordIndex finds the stored record rows of an experiment's runs: in its
// records.csv, and in the journals of writers that stopped before writing
// it (or of shards, until runner summarize), and in its stat cache. It
// holds where each row is, not the row, by a 64-bit hash of the run's
// name, so that its memory is a few dozen bytes a run whatever the names;
// the rows are read when asked for, and a row read for a run whose name
// it does not start with (two names of one hash) is not that run's. Rows
// of runs made by the batch are taken out as they come, and those left
// are stale.
type recordIndex struct {
	mu   sync.Mutex
	srcs []*recordSource
	// refs are the rows of records.csv and of journals, a journal's (of a
	// run computed after the records were written) over records.csv's;
	// cached the rows of the cache, which vouch for the files of the same
	// rows of records.csv, and stand for none that records.csv has not.
	refs, cached rowTable
}

// rowTable is where the rows of runs are, by the keys of their names: a
// sorted table, 24 bytes a run, rather than a map of thrice that.
type rowTable []keyedRow

// keyedRow is a row's place, by its run's key. A row taken out (its run
// made) has src -1.
type keyedRow struct {
	key uint64
	rowRef
}

// sortRows sorts rows by key, and keeps the first of each key: a second
// row of a run in one file (as a cut append or a bad merge leaves) does
// not hide the first.
func sortRows(rows rowTable) rowTable {
	slices.SortStableFunc(rows, func(a, b keyedRow) int { return cmp.Compare(a.key, b.key) })
	return slices.CompactFunc(rows, func(a, b keyedRow) bool { return a.key == b.key })
}

// merge returns the rows of t and of newer, sorted, newer's where both
// have a run's.
func (t rowTable) merge(newer rowTable) rowTable {
	if len(t) == 0 {
		return newer
	}
	out := make(rowTable, 0, len(t)+len(newer))
	i, j := 0, 0
	for i < len(t) || j < len(newer) {
		switch {
		case j == len(newer) || i < len(t) && t[i].key < newer[j].key:
			out = append(out, t[i])
			i++
		case i == len(t) || newer[j].key < t[i].key:
			out = append(out, newer[j])
			j++
		default:
			out = append(out, newer[j])
			i, j = i+1, j+1
		}
	}
	return out
}

// find returns the place of the row of the run of key, if any.
func (t rowTable) find(key uint64) (int, bool) {
	i, ok := slices.BinarySearchFunc(t, key, func(r keyedRow, k uint64) int { return cmp.Compare(r.key, k) })
	return i, ok && t[i].src >= 0
}

// runKey returns the key of a run's name in a recordIndex.
func runKey(id []byte) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64()
}

// recordSource is a file of record rows: records.csv, a journal, or a
// cache.
type recordSource struct {
	name string
	f    ReadFile
	// withStats is true for journals and caches, whose rows end with their
	// files' stats.
	withStats bool
	// usable is false for a file whose header is not that of the batch's
	// records: its rows name runs (stale ones, say) but cannot be reused.
	usable bool
	// written is when a journal or cache was last written: the stats of
	// its rows are believed for files modified before.
	written int64
	// badRuns say which rows name no run (a name with .., say): the first
	// ten, for the user to be told.
	badRuns []string
	// stat and sha256 are the file's, as it was read.
	stat   fileStat
	sha256 [sha256.Size]byte
}

// rowRef is where a row is.
type rowRef struct {
	off int64
	src int32
	n   int32
}

func newRecordIndex() *recordIndex {
	return &recordIndex{}
}

// add indexes the rows of a file of records, whose header must be header
// for its rows to be reused, and whose first line must be identity if it
// is not "" (a cache), and whose last line must then be the SHA-256 of
// those before it; comment lines (starting with #) go to comment. It
// returns the source, with its stat and SHA-256. A file that is not there,
// or a cache that is not believed, adds nothing.
func (x *recordIndex) add(fsys FileSystem, name string, header []byte, withStats bool, identity string, comment func(line string)) (*recordSource, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if identity != "" {
		first := make([]byte, len(identity))
		if _, err := f.ReadAt(first, 0); err != nil || string(first) != identity {
			f.Close()
			return nil, nil // a cache of another file system, or damaged: every file is read
		}
	}
	src := &recordSource{name: name, f: f, withStats: withStats}
	if info, err := f.Stat(); err == nil {
		src.stat, _ = statOf(info)
		src.written = src.stat.mtime
	}
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(io.NewSectionReader(f, 0, 1<<62), h), 64<<10)
	var rows rowTable    // taken once the file is read, if it is believed
	body := sha256.New() // of a cache's lines before its sum
	believed, summed := identity == "", false
	var off int64
	lineNo := 1
	for headerSeen := false; ; {
		line, err := readLine(r, maxRecordLine)
		if err != nil {
			break // the end, or a line no record has: what follows is not reused
		}
		switch {
		case summed:
			believed = false // a line after the sum
		case identity != "" && bytes.HasPrefix(line, []byte(cacheSumPrefix)):
			summed, believed = true, isCacheSum(line, body.Sum(nil))
		case len(line) > 0 && line[0] == '#':
			if comment != nil {
				comment(string(line))
			}
		case !headerSeen:
			headerSeen = true
			src.usable = bytes.Equal(append(line, '\n'), header)
		default:
			id, _, _ := bytes.Cut(line, []byte(","))
			if validName(string(id)) {
				rows = append(rows, keyedRow{runKey(id), rowRef{src: int32(len(x.srcs)), off: off, n: int32(len(line))}})
			} else if len(src.badRuns) < 10 {
				src.badRuns = append(src.badRuns, fmt.Sprintf("line %d: %q is not a run's name (a run is named under its experiment, as lr/alpha=0.1)", lineNo, id))
			}
		}
		lineNo++
		if !summed {
			body.Write(line)
			body.Write([]byte{'\n'})
		}
		off += int64(len(line)) + 1
	}
	if !believed {
		f.Close()
		return nil, nil // a cache damaged or cut short: every file is read
	}
	h.Sum(src.sha256[:0])
	x.srcs = append(x.srcs, src)
	rows = sortRows(rows)
	if identity != "" {
		x.cached = x.cached.merge(rows)
	} else {
		x.refs = x.refs.merge(rows)
	}
	return src, nil
}

// row returns the row of run id that may be reused, and its source: a
// journal's, else records.csv's, else, if neither has one, the cache's.
func (x *recordIndex) row(id string) ([]byte, *recordSource, bool) {
	key := runKey([]byte(id))
	x.mu.Lock()
	i, ok := x.refs.find(key)
	c, isCached := x.cached.find(key)
	var ref, cached rowRef
	if ok {
		ref = x.refs[i].rowRef
	}
	if isCached {
		cached = x.cached[c].rowRef
	}
	x.mu.Unlock()
	if ok && x.srcs[ref.src].usable {
		return x.readRun(ref, id)
	}
	if isCached {
		return x.readRun(cached, id)
	}
	return nil, nil, false
}

// cachedRow returns the cache's row of run id, if it has one that may be
// reused.
func (x *recordIndex) cachedRow(id string) ([]byte, *recordSource, bool) {
	x.mu.Lock()
	i, ok := x.cached.find(runKey([]byte(id)))
	var ref rowRef
	if ok {
		ref = x.cached[i].rowRef
	}
	x.mu.Unlock()
	if !ok {
		return nil, nil, false
	}
	return x.readRun(ref, id)
}

// readRun reads the row of run id, if its source may be reused and it is
// that run's.
func (x *recordIndex) readRun(ref rowRef, id string) ([]byte, *recordSource, bool) {
	if !x.srcs[ref.src].usable {
		return nil, nil, false
	}
	line, ok := x.read(ref)
	if !ok || !bytes.HasPrefix(line, []byte(id+",")) {
		return nil, nil, false
	}
	return line, x.srcs[ref.src], true
}

// read reads a row.
func (x *recordIndex) read(ref rowRef) ([]byte, bool) {
	line := make([]byte, ref.n)
	if _, err := x.srcs[ref.src].f.ReadAt(line, ref.off); err != nil {
		return nil, false
	}
	return line, true
}

// made notes that the batch makes run id: its stored row is not stale.
func (x *recordIndex) made(id string) {
	key := runKey([]byte(id))
	x.mu.Lock()
	for _, t := range []rowTable{x.refs, x.cached} {
		if i, ok := t.find(key); ok {
			t[i].src = -1
		}
	}
	x.mu.Unlock()
}

// left returns the runs of stored rows that the batch did not make, each
// read from its row.
func (x *recordIndex) left() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ids []string
	add := func(ref rowRef) {
		if line, ok := x.read(ref); ok {
			id, _, _ := bytes.Cut(line, []byte(","))
			ids = append(ids, string(id))
		}
	}
	for _, r := range x.refs {
		if r.src >= 0 {
			add(r.rowRef)
		}
	}
	for _, r := range x.cached {
		if _, ok := x.refs.find(r.key); !ok && r.src >= 0 {
			add(r.rowRef)
		}
	}
	return ids
}

// close closes the sources.
func (x *recordIndex) close() {
	for _, s := range x.srcs {
		s.f.Close()
	}
	x.srcs = nil
}

// journalHeader returns the header of a journal: a records header, and
// the stats of each run file as it was written.
func journalHeader(cols recordColumns) []byte {
	h := bytes.TrimSuffix(cols.header(), []byte("\n"))
	for _, f := range cols.files {
		stem := strings.TrimSuffix(f, fileExt(f))
		h = fmt.Appendf(h, ",%s_mtime_ns,%s_ctime_ns,%s_inode", stem, stem, stem)
	}
	return append(h, '\n')
}

// splitJournalRow splits a journal's row into the record row and the
// stats of the run's files.
func splitJournalRow(line []byte, files int) ([]byte, []fileStat, bool) {
	cut := len(line)
	for range 3 * files {
		cut = bytes.LastIndexByte(line[:cut], ',')
		if cut < 0 {
			return nil, nil, false
		}
	}
	cells := strings.Split(string(line[cut+1:]), ",")
	stats := make([]fileStat, files)
	for i := range files {
		mtime, err1 := strconv.ParseInt(cells[3*i], 10, 64)
		ctime, err2 := strconv.ParseInt(cells[3*i+1], 10, 64)
		ino, err3 := strconv.ParseUint(cells[3*i+2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, nil, false
		}
		stats[i] = fileStat{mtime: mtime, ctime: ctime, ino: ino}
	}
	return line[:cut], stats, true
}

// appendJournalRow appends a journal's row: a record row, and the stats of
// the run's files.
func appendJournalRow(b, row []byte, stats []fileStat) []byte {
	b = append(b, row...)
	for _, s := range stats {
		b = strconv.AppendInt(append(b, ','), s.mtime, 10)
		b = strconv.AppendInt(append(b, ','), s.ctime, 10)
		b = strconv.AppendUint(append(b, ','), s.ino, 10)
	}
	return append(b, '\n')
}

// journalName returns the name of a writer's journal of an experiment.
func journalName(experiment, writer string) string {
	return path.Join(PrivateDir, journalDir, experiment, writer+".csv")
}
