package results

import (
	"bufio"
	"encoding/csv"
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
	// OnRow, if set, is called with each iteration written, in order.
	OnRow  func(*engine.Iteration)
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
	t.row = append(t.row, '\n')
	if t.OnRow != nil {
		t.OnRow(it)
	}
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

// TraceReader reads a trace row by row, so that memory does not grow with
// its length.
type TraceReader struct {
	r      *csv.Reader
	header []string
	line   int
}

// NewTraceReader reads the header of a trace.
func NewTraceReader(r io.Reader) (*TraceReader, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading its header: %w", err)
	}
	if len(header) == 0 || header[0] != "iteration" {
		return nil, fmt.Errorf("line 1: not a trace: its first column is %q, want iteration", header[0])
	}
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
		return nil, err
	}
	t.line++
	if len(row) != len(t.header) {
		return nil, fmt.Errorf("line %d: %d cells, want %d", t.line, len(row), len(t.header))
	}
	return row, nil
}

// Iteration converts a trace row to an iteration of a run that trains the
// given parameters, with points data points, reusing it's slices.
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
