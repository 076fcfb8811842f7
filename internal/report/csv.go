package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"sync"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// TraceWriter writes a run's trace as CSV while the run goes: a header,
// then one row per iteration, formatted as it is computed. Its Observe
// method is an observer for batch.Run; memory does not grow with the
// number of iterations. With the experiment's trace_every K > 1, it keeps
// the first iteration, every K-th, and the last.
type TraceWriter struct {
	buf    *bufio.Writer
	w      *csv.Writer
	digits int
	every  int
	last   engine.Iteration // the last iteration seen, if not written
	held   bool             // whether last is yet to be written
	record []string
	values []float64
	num    []byte // the row's numbers, one after the other
	ends   []int  // where each number ends in num
}

// traceBuffers holds the buffers of trace writers, which the runs of a
// batch take in turn.
var traceBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// NewTraceWriter writes the header of a run's trace to w and returns the
// writer for its rows. Its Flush must be called, after the last row.
func NewTraceWriter(w io.Writer, r *experiment.Run) (*TraceWriter, error) {
	header := append([]string{"iteration"}, engine.Columns(r.Settings.Trained(), len(r.Experiment.Data))...)
	buf := traceBuffers.Get().(*bufio.Writer)
	buf.Reset(w)
	// csv.NewWriter uses buf itself, as it is a large enough bufio.Writer.
	t := &TraceWriter{buf: buf, w: csv.NewWriter(buf), digits: csvDigits(r), every: max(1, r.Experiment.TraceEvery),
		record: make([]string, len(header))}
	return t, t.w.Write(header)
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

// write writes an iteration's row. Its numbers are formatted into one
// buffer, which becomes one string that the record's fields slice: a row
// costs one allocation.
func (t *TraceWriter) write(it *engine.Iteration) error {
	t.values = it.AppendValues(t.values[:0])
	t.num = strconv.AppendInt(t.num[:0], int64(it.N), 10)
	t.ends = append(t.ends[:0], len(t.num))
	for _, v := range t.values {
		t.num = appendCSV(t.num, v, t.digits)
		t.ends = append(t.ends, len(t.num))
	}
	row, start := string(t.num), 0
	for j, end := range t.ends {
		t.record[j], start = row[start:end], end
	}
	return t.w.Write(t.record)
}

// Flush writes the last iteration if it was held, and any buffered rows,
// and releases the writer's buffer.
func (t *TraceWriter) Flush() error {
	if t.held {
		if err := t.write(&t.last); err != nil {
			return err
		}
	}
	t.w.Flush()
	err := t.w.Error()
	t.buf.Reset(nil)
	traceBuffers.Put(t.buf)
	return err
}

// csvDigits returns the significant digits of a run's CSV numbers.
func csvDigits(r *experiment.Run) int {
	if d := r.Experiment.CSVDigits; d > 0 {
		return d
	}
	return DefaultCSVDigits
}

// writeCSV writes a header and rows.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
