package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/descentlab/runner/pkg/engine"
)

// TraceHeader returns the header of a trace for the trained parameters
// and n data points: iteration, then engine.Columns.
func TraceHeader(train engine.ParamSet, n int) []string {
	return append([]string{"iteration"}, engine.Columns(train, n)...)
}

// TraceWriter writes a run's trace as CSV while the run goes: a header,
// then one row per iteration, formatted as it is computed. Its Observe
// method is an observer for batch.Run; memory does not grow with the
// number of iterations. With trace_every K > 1, it keeps the first
// iteration, every K-th, and the last.
//
// A trace's cells are column names and numbers, which CSV never quotes, so
// rows are formatted straight into the buffer: encoding/csv would add an
// allocation and a look at every byte, a third of a short run's time.
// TraceReader reads traces with encoding/csv.
type TraceWriter struct {
	buf    *bufio.Writer
	digits int
	every  int
	// OnRow, if set, is called with each iteration written, in order, and
	// its row as written (without its line end).
	OnRow  func(it *engine.Iteration, row []byte)
	last   engine.Iteration // the last iteration seen, if not written
	held   bool             // whether last is yet to be written
	values []float64
	row    []byte
}

// traceBuffers holds the buffers of trace writers, which the runs of a
// batch take in turn.
var traceBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// NewTraceWriter writes the header of a trace to w and returns the writer
// for its rows, which keeps every every-th row (and the first and last)
// with digits significant digits. Its Flush must be called after the last
// row.
func NewTraceWriter(w io.Writer, train engine.ParamSet, points, digits, every int) (*TraceWriter, error) {
	buf := traceBuffers.Get().(*bufio.Writer)
	buf.Reset(w)
	t := &TraceWriter{buf: buf, digits: digits, every: max(1, every)}
	_, err := buf.WriteString(strings.Join(TraceHeader(train, points), ",") + "\n")
	return t, err
}

// Observe writes an iteration's row, or holds it in case it is the last.
func (t *TraceWriter) Observe(it *engine.Iteration) error {
	if t.every > 1 && it.N > 1 && it.N%t.every != 0 {
		it.CopyTo(&t.last)
		t.held = true
		return nil
	}
	t.held = false
	return t.write(it)
}

// write writes an iteration's row.
func (t *TraceWriter) write(it *engine.Iteration) error {
	t.values = it.AppendValues(t.values[:0])
	t.row = strconv.AppendInt(t.row[:0], int64(it.N), 10)
	for _, v := range t.values {
		t.row = appendCSV(append(t.row, ','), v, t.digits)
	}
	if t.OnRow != nil {
		t.OnRow(it, t.row)
	}
	t.row = append(t.row, '\n')
	_, err := t.buf.Write(t.row)
	return err
}

// Flush writes the last iteration if it was held, and any buffered rows,
// and releases the writer's buffer.
func (t *TraceWriter) Flush() error {
	var err error
	if t.held {
		err = t.write(&t.last)
	}
	if ferr := t.buf.Flush(); err == nil {
		err = ferr
	}
	t.buf.Reset(nil)
	traceBuffers.Put(t.buf)
	return err
}

// MaxTraceLine bounds a line of a trace, in bytes, beyond what its columns
// need: a file with longer lines is not a trace, and reading it takes no
// more memory than this.
const MaxTraceLine = 1 << 20

// lineLimit is the longest line a trace of these columns may have.
func lineLimit(columns int) int {
	return MaxTraceLine + 32*columns
}

// errLongLine is the error for a line longer than a trace's can be.
var errLongLine = errors.New("a line longer than a trace's can be")

// boundedLines passes a reader's bytes through, failing once a line grows
// longer than limit: so that reading a file that is not a trace (a
// megabytes-long line) takes bounded memory.
type boundedLines struct {
	r     io.Reader
	limit int
	run   int // bytes since the last line end
}

func (b *boundedLines) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			b.run = 0
		} else if b.run++; b.run > b.limit {
			return 0, errLongLine
		}
	}
	return n, err
}

// TraceReader reads a trace row by row, so that memory does not grow with
// its length.
type TraceReader struct {
	r      *csv.Reader
	header []string
	line   int
}

// NewTraceReader reads the header of a trace.
func NewTraceReader(r io.Reader) (*TraceReader, error) {
	bounded := &boundedLines{r: r, limit: MaxTraceLine}
	cr := csv.NewReader(bufio.NewReaderSize(bounded, 64<<10))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: reading its header: %w", err)
	}
	if len(header) == 0 || header[0] != "iteration" {
		return nil, fmt.Errorf("line 1: not a trace: its first column is %q, want iteration", header[0])
	}
	bounded.limit = lineLimit(len(header))
	return &TraceReader{r: cr, header: slices.Clone(header), line: 1}, nil
}

// Header returns the trace's columns.
func (t *TraceReader) Header() []string {
	return t.header
}

// Line returns the line of the row last read.
func (t *TraceReader) Line() int {
	return t.line
}

// Next returns the next row's cells, valid until the next call, or io.EOF
// after the last.
func (t *TraceReader) Next() ([]string, error) {
	row, err := t.r.Read()
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("line %d: %w", t.line+1, err)
		}
		return nil, err
	}
	t.line++
	if len(row) != len(t.header) {
		return nil, fmt.Errorf("line %d: %d cells, want %d", t.line, len(row), len(t.header))
	}
	return row, nil
}

// Iteration converts a trace row to an iteration of a run that trains the
// given parameters, with points data points, reusing its slices.
func Iteration(row []string, train engine.ParamSet, points int, it *engine.Iteration) error {
	k := len(train.List())
	if len(row) != 1+4*k+points+1 {
		return fmt.Errorf("%d cells, want %d for %d trained parameters and %d data points", len(row), 2+4*k+points, k, points)
	}
	n, err := strconv.Atoi(row[0])
	if err != nil {
		return fmt.Errorf("iteration %q is not a whole number", row[0])
	}
	values := make([]float64, len(row)-1)
	for i, cell := range row[1:] {
		if values[i], err = strconv.ParseFloat(cell, 64); err != nil {
			return fmt.Errorf("cell %q is not a number", cell)
		}
	}
	it.N = n
	it.Values = append(it.Values[:0], values[:k]...)
	it.Predicted = append(it.Predicted[:0], values[k:k+points]...)
	it.SSR = values[k+points]
	it.Gradient, it.Step, it.Next = it.Gradient[:0], it.Step[:0], it.Next[:0]
	for j := range k {
		g := values[k+points+1+3*j:]
		it.Gradient = append(it.Gradient, g[0])
		it.Step = append(it.Step, g[1])
		it.Next = append(it.Next, g[2])
	}
	return nil
}

// TraceEnds are the first and the last rows of a trace, read without
// reading what is between.
type TraceEnds struct {
	Header []string
	// First and Last are the first and the last k rows (fewer if the trace
	// has fewer); they overlap if it has fewer than 2k.
	First, Last [][]string
	// Gap reports whether rows were left out between them.
	Gap bool
}

// ReadTraceEnds reads the header and the first and last k rows of a trace
// of size bytes: the first from the start, the last from the end, so that
// the cost does not grow with the trace.
func ReadTraceEnds(f io.ReaderAt, size int64, k int) (*TraceEnds, error) {
	head, headEnd, err := firstLines(f, size, k+1)
	if err != nil {
		return nil, err
	}
	tail, tailStart, err := lastLines(f, size, k)
	if err != nil {
		return nil, err
	}
	ends := &TraceEnds{}
	for i, line := range head {
		cells, err := splitRow(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if i == 0 {
			if len(cells) == 0 || cells[0] != "iteration" {
				return nil, fmt.Errorf("line 1: not a trace: its first column is %q, want iteration", cells[0])
			}
			ends.Header = cells
			continue
		}
		ends.First = append(ends.First, cells)
	}
	// The last lines of a short trace may reach back to its header. (A
	// last line without its line end ends at the end of the file.)
	for headerEnd := int64(len(head[0]) + 1); len(tail) > 0 && tailStart < headerEnd; tail = tail[1:] {
		tailStart = min(tailStart+int64(len(tail[0]))+1, size)
	}
	for _, line := range tail {
		cells, err := splitRow(line)
		if err != nil {
			return nil, fmt.Errorf("near its end: %w", err)
		}
		ends.Last = append(ends.Last, cells)
	}
	ends.Gap = tailStart > headEnd
	for _, row := range slices.Concat(ends.First, ends.Last) {
		if len(row) != len(ends.Header) {
			return nil, fmt.Errorf("a row of %d cells, want %d", len(row), len(ends.Header))
		}
	}
	return ends, nil
}

// splitRow splits a line of a trace into its cells, which CSV never
// quotes: a quote means the file is not a trace.
func splitRow(line []byte) ([]string, error) {
	if bytes.IndexByte(line, '"') >= 0 {
		return nil, fmt.Errorf("a quote, which no trace has")
	}
	return strings.Split(string(line), ","), nil
}

// firstLines reads the first n lines of a file, and returns them and the
// offset after the last of them.
func firstLines(f io.ReaderAt, size int64, n int) ([][]byte, int64, error) {
	var lines [][]byte
	var off int64
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 16<<10)
	for len(lines) < n {
		line, err := readLine(r, lineLimit(10_000))
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("line %d: %w", len(lines)+1, err)
		}
		off += int64(len(line)) + 1
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return nil, 0, fmt.Errorf("empty; want a header")
	}
	return lines, min(off, size), nil
}

// readLine reads a line of at most limit bytes, without its line end.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > limit {
			return nil, errLongLine
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) > 0:
			return line, nil
		}
		return nil, err
	}
}

// lastLines reads the last n lines of a file from its end, and returns
// them and the offset of the first of them. It reads backwards in chunks,
// and refuses a line longer than a trace's can be as soon as it has read
// that much of it: memory and reading are bounded by the n lines.
func lastLines(f io.ReaderAt, size int64, n int) ([][]byte, int64, error) {
	const chunk = 16 << 10
	limit := lineLimit(10_000)
	end := size
	if end > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], end-1); err != nil {
			return nil, 0, err
		}
		if last[0] == '\n' {
			end-- // the line end of the last line
		}
	}
	var pieces [][]byte // as read: the last first
	start, ends, run := end, 0, 0
	for ends < n && start > 0 {
		from := max(0, start-chunk)
		piece := make([]byte, start-from)
		if _, err := f.ReadAt(piece, from); err != nil && err != io.EOF {
			return nil, 0, err
		}
		for i := len(piece) - 1; i >= 0 && ends < n; i-- {
			if piece[i] == '\n' {
				ends, run = ends+1, 0
			} else if run++; run > limit {
				return nil, 0, errLongLine
			}
		}
		pieces, start = append(pieces, piece), from
	}
	slices.Reverse(pieces)
	buf := slices.Concat(pieces...)
	lines := bytes.Split(buf, []byte("\n"))
	if start > 0 || len(lines) > n {
		drop := len(lines) - n
		for _, l := range lines[:drop] {
			start += int64(len(l)) + 1
		}
		lines = lines[drop:]
	}
	return lines, start, nil
}
