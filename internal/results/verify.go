package results

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/pkg/engine"
)

// A stored run is believed only as far as its bytes show it. Its record
// row must be canonical (parseRow), of the inputs of the run to do
// (inputs_sha256), list the files the run writes, each of its recorded
// size and SHA-256; and its outcome must be its trace's:
//   - the trace's header is that of the run's parameters and data;
//   - its last row is the recorded last iteration;
//   - the final parameters are the last row's next values (its values, for
//     a run that diverged), as the trace writes them;
//   - the final SSR is the SSR that the engine computes at the recorded
//     final parameters, bit for bit (the record holds them in full), and
//     for a run that diverged also the last row's;
//   - the status is one the last row allows, within the rounding of the
//     trace's digits: converged if every |step| is below the tolerance,
//     max-iterations if the last iteration is max_iterations and some
//     |step| is not below it, diverged if a value is not finite or SSR has
//     grown beyond engine.DefaultDivergenceRatio times the first row's;
//   - each pinned value is, as the trace writes it, the cell of the row of
//     its iteration, if the trace keeps that row; a final pin, the final
//     value.
// Anything else is a run that must be computed again (runner run) or
// reported (runner run --check, runner diff).

// errMismatch is the error of a stored run whose bytes do not match its
// record.
var errMismatch = errors.New("does not match its record")

// TraceCheck checks a trace against its record as the trace's bytes are
// written to it: it hashes every byte, and keeps the rows the outcome is
// checked against, so that a trace read for another purpose (runner diff
// compares it) is checked on the way.
type TraceCheck struct {
	rec     *Record
	hash    hash.Hash
	bytes   int64
	partial []byte // the line being written
	line    int
	limit   int
	header  []string
	first   []string
	last    []byte
	pinned  map[int][]string // the rows of the pinned iterations, by iteration
	pins    map[int]bool
	err     error
}

// NewTraceCheck returns a TraceCheck of the trace of rec.
func NewTraceCheck(rec *Record) *TraceCheck {
	c := &TraceCheck{rec: rec, hash: sha256.New(), limit: MaxTraceLine, pinned: map[int][]string{}, pins: map[int]bool{}}
	for _, p := range rec.Inputs.Expected {
		if !p.Final() {
			c.pins[p.Iteration] = true
		}
	}
	return c
}

// Write takes the next bytes of the trace. It never fails: what is wrong
// is told by Done.
func (c *TraceCheck) Write(p []byte) (int, error) {
	c.hash.Write(p)
	c.bytes += int64(len(p))
	for rest := p; len(rest) > 0 && c.err == nil; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			c.partial = append(c.partial, rest...)
			if len(c.partial) > c.limit {
				c.err = fmt.Errorf("line %d: %w", c.line+1, errLongLine)
			}
			break
		}
		line := rest[:i]
		if len(c.partial) > 0 {
			line = append(c.partial, line...)
		}
		c.take(line)
		c.partial = c.partial[:0]
		rest = rest[i+1:]
	}
	return len(p), nil
}

// Sum returns the trace's size and SHA-256, of the bytes written so far.
func (c *TraceCheck) Sum() FileSum {
	f := FileSum{Name: TraceFile, Bytes: c.bytes}
	c.hash.Sum(f.SHA256[:0])
	return f
}

// Done checks the trace written against its record: its size and SHA-256,
// and the outcome the record gives (see above).
func (c *TraceCheck) Done() error {
	if c.err == nil && len(c.partial) > 0 {
		c.take(c.partial) // a last line without its line end
	}
	if c.err != nil {
		return c.err
	}
	if c.line < 2 {
		return fmt.Errorf("has no rows")
	}
	var want FileSum
	for _, f := range c.rec.Files {
		if f.Name == TraceFile {
			want = f
		}
	}
	if got := c.Sum(); got != want {
		return fmt.Errorf("%w: %d bytes with SHA-256 %x, but its record says %d bytes with %x", errMismatch, got.Bytes, got.SHA256, want.Bytes, want.SHA256)
	}
	last, err := splitRow(c.last)
	if err != nil {
		return err
	}
	return checkOutcome(c.rec, c.first, last, c.pinned)
}

// VerifyTrace reads a run's trace whole and checks it against the run's
// record, as TraceCheck does. It returns the trace's size and SHA-256.
func VerifyTrace(r io.Reader, rec *Record) (FileSum, error) {
	c := NewTraceCheck(rec)
	if _, err := io.Copy(c, r); err != nil {
		return FileSum{}, err
	}
	return c.Sum(), c.Done()
}

// take notes a line of the trace.
func (c *TraceCheck) take(line []byte) {
	c.line++
	if c.err = c.takeLine(line); c.err != nil {
		c.err = fmt.Errorf("line %d: %w", c.line, c.err)
	}
}

// takeLine notes a line of the trace: its header, its first row, the rows
// of pinned iterations, and the last row so far.
func (c *TraceCheck) takeLine(line []byte) error {
	if c.line == 1 {
		cells, err := splitRow(line)
		if err != nil {
			return err
		}
		want := TraceHeader(c.rec.Inputs.Train, len(c.rec.Inputs.Data))
		if !slices.Equal(cells, want) {
			return fmt.Errorf("its header is not that of the run's trained parameters and data points")
		}
		c.header, c.limit = cells, lineLimit(len(cells))
		return nil
	}
	c.last = append(c.last[:0], line...)
	n, _, _ := strings.Cut(string(line), ",")
	iteration, err := strconv.Atoi(n)
	if err != nil {
		return fmt.Errorf("iteration %q is not a whole number", n)
	}
	if c.first == nil || c.pins[iteration] {
		cells, err := splitRow(line)
		if err != nil {
			return err
		}
		if len(cells) != len(c.header) {
			return fmt.Errorf("%d cells, want %d", len(cells), len(c.header))
		}
		if c.first == nil {
			c.first = cells
		}
		if c.pins[iteration] {
			c.pinned[iteration] = cells
		}
	}
	return nil
}

// SumOf reads a file whole, and returns its size and SHA-256.
func SumOf(name string, r io.Reader) (FileSum, error) {
	return sumOf(r, name)
}

// checkOutcome checks a record's outcome against its trace's first and
// last rows, and the rows of its pinned iterations.
func checkOutcome(rec *Record, first, last []string, pinned map[int][]string) error {
	in, o := &rec.Inputs, &rec.Outcome
	k := len(in.Train.List())
	points := len(in.Data)
	if len(last) != 2+4*k+points {
		return fmt.Errorf("its last row has %d cells, want %d", len(last), 2+4*k+points)
	}
	if last[0] != strconv.Itoa(o.Iterations) {
		return fmt.Errorf("%w: it ends at iteration %s, its record says %d", errMismatch, last[0], o.Iterations)
	}
	digits := in.CSVDigits
	format := func(v float64) string { return FormatCSV(v, digits) }
	stopped := o.Status == engine.Diverged || o.Status == engine.Stopped // its last update not applied
	for j, p := range in.Train.List() {
		cell := last[1+3*j+(1+k+points)+2] // next_<p>
		if stopped {
			cell = last[1+j] // <p>
		}
		if got := format(o.Final.Get(p)); got != cell {
			return fmt.Errorf("%w: its last row gives %s = %s, its record %s", errMismatch, p, cell, got)
		}
	}
	// A run that stopped (diverged, or a range test stopped) ends at its
	// last row's values, whose SSR the row gives; every run's SSR is the
	// one its final parameters give, bit for bit.
	if ssrCell := last[1+k+points]; stopped && format(o.SSR) != ssrCell {
		return fmt.Errorf("%w: its last row gives SSR = %s, its record %s", errMismatch, ssrCell, format(o.SSR))
	}
	net := rec.Network()
	if got := net.SSR(in.Data); math.Float64bits(got) != math.Float64bits(o.SSR) && !(math.IsNaN(got) && math.IsNaN(o.SSR)) {
		return fmt.Errorf("%w: its final parameters give SSR = %s, its record %s", errMismatch, strconv.FormatFloat(got, 'g', -1, 64), strconv.FormatFloat(o.SSR, 'g', -1, 64))
	}
	if !statusAllowed(rec, first, last) {
		return fmt.Errorf("%w: its last row does not end a run that %s", errMismatch, statusVerb(o.Status))
	}
	return checkPins(rec, pinned)
}

// statusVerb words a status as what a run did.
func statusVerb(s engine.Status) string {
	switch s {
	case engine.Converged:
		return "converged"
	case engine.MaxIterations:
		return "took max_iterations without converging"
	case engine.Stopped:
		return "was stopped"
	}
	return "diverged"
}

// statusAllowed reports whether a run could have ended with its recorded
// status at its trace's last row, within the rounding of its digits.
func statusAllowed(rec *Record, first, last []string) bool {
	in := &rec.Inputs
	k := len(in.Train.List())
	points := len(in.Data)
	slack := math.Pow(10, float64(1-in.CSVDigits)) // a relative rounding of the trace's digits, and more
	values := make([]float64, len(last)-1)
	finite := true
	for i, cell := range last[1:] {
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return false
		}
		values[i] = v
		finite = finite && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	ssr := values[k+points]
	firstSSR, err := strconv.ParseFloat(first[1+k+points], 64)
	if err != nil {
		return false
	}
	below, notBelow := true, false // every |step| surely below the tolerance; some surely not
	for j := range k {
		step := math.Abs(values[k+points+1+3*j+1])
		below = below && step <= in.Tolerance*(1+slack)
		notBelow = notBelow || step >= in.Tolerance*(1-slack)
	}
	switch rec.Outcome.Status {
	case engine.Diverged:
		return !finite || ssr >= engine.DefaultDivergenceRatio*firstSSR*(1-slack)
	case engine.Converged:
		return finite && below
	case engine.MaxIterations:
		return finite && (notBelow || in.RangeTo != 0) && rec.Outcome.Iterations == in.MaxIterations
	case engine.Stopped:
		return finite && rec.Outcome.Iterations <= in.MaxIterations
	}
	return false
}

// checkPins checks the recorded computed value of each pin: a final pin's
// against the final values, an iteration's against the cell of its row, if
// the trace keeps it.
func checkPins(rec *Record, pinned map[int][]string) error {
	in, o := &rec.Inputs, &rec.Outcome
	cols := TraceHeader(in.Train, len(in.Data))
	for i, p := range in.Expected {
		c := o.Checks[i]
		if p.Final() {
			want := o.SSR
			if p.Column != "ssr" {
				param, _ := engine.ParseParam(p.Column)
				net := rec.Network()
				want = net.Get(param)
			}
			if !c.Reached || math.Float64bits(c.Computed) != math.Float64bits(want) {
				return fmt.Errorf("%w: its final %s is not the one its published value was checked against", errMismatch, p.Column)
			}
			continue
		}
		row, kept := pinned[p.Iteration]
		if c.Reached != (p.Iteration <= o.Iterations) {
			return fmt.Errorf("%w: iteration %d of its published %s is %s", errMismatch, p.Iteration, p.Column, map[bool]string{true: "reached, but its record says not", false: "not reached, but its record gives a value"}[!c.Reached])
		}
		if !kept || !c.Reached {
			continue
		}
		if j := slices.Index(cols, p.Column); j < 0 || FormatCSV(c.Computed, in.CSVDigits) != row[j] {
			return fmt.Errorf("%w: its row of iteration %d does not give the %s its published value was checked against", errMismatch, p.Iteration, p.Column)
		}
	}
	return nil
}
