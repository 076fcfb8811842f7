package results_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// b3Header is the header of a trace of b3 alone with three data points.
var b3Header = strings.Join(results.TraceHeader(engine.NewParamSet(engine.B3), 3), ",")

// syntheticTrace returns a trace of n rows of b3 alone, with or without
// its last line end. Rows differ in length, so that the ends of rows fall
// anywhere in the chunks that the end is read in.
func syntheticTrace(n int, lineEnd bool) []byte {
	var b bytes.Buffer
	b.WriteString(b3Header)
	for i := 1; i <= n; i++ {
		b.WriteByte('\n')
		v := strconv.FormatFloat(1/float64(i)+float64(i%7)*1e-9, 'g', 1+i%12, 64)
		fmt.Fprintf(&b, "%d,%s,-2.6,-1.6,-2.61,%d.5,%s,-1.5e-%d,1.5", i, v, i*i, v, i%9+1)
	}
	if lineEnd {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// wholeTrace reads a trace whole and returns its header and rows.
func wholeTrace(t *testing.T, trace []byte) ([]string, [][]string) {
	t.Helper()
	r, err := results.NewTraceReader(bytes.NewReader(trace))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return r.Header(), rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, slices.Clone(row))
	}
}

// TestReadTraceEnds reads the ends of traces of 0 to 50 rows, and some
// long ones, with and without a last line end, keeping 1 and 10 rows:
// the header, first and last rows and gap are those of the whole trace.
func TestReadTraceEnds(t *testing.T) {
	sizes := []int{1000, 5000}
	for n := 0; n <= 50; n++ {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		for _, lineEnd := range []bool{true, false} {
			trace := syntheticTrace(n, lineEnd)
			header, rows := wholeTrace(t, trace)
			for _, k := range []int{1, 10} {
				name := fmt.Sprintf("%d rows, line end %v, k=%d", n, lineEnd, k)
				ends, err := results.ReadTraceEnds(bytes.NewReader(trace), int64(len(trace)), k)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				kept := min(k, n)
				if !slices.Equal(ends.Header, header) {
					t.Errorf("%s: header %q, want %q", name, ends.Header, header)
				}
				if !equalRows(ends.First, rows[:kept]) || !equalRows(ends.Last, rows[n-kept:]) {
					t.Errorf("%s: first %q and last %q, want %q and %q", name, ends.First, ends.Last, rows[:kept], rows[n-kept:])
				}
				if want := n > 2*k; ends.Gap != want {
					t.Errorf("%s: gap %v, want %v", name, ends.Gap, want)
				}
			}
		}
	}
}

// equalRows reports whether two lists of rows are equal.
func equalRows(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// noReaderAt is a file system whose files cannot be read at an offset, as
// a git blob's cannot: ReadRunView reads them from start to end.
type noReaderAt struct{ fs.FS }

func (n noReaderAt) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return struct {
		fs.File
	}{f}, nil
}

// TestReadRunView reads a run's view of the same traces through a folder
// whose files can be read at an offset and one whose files cannot: the
// rows of the whole trace, the first and the last k each once if there
// are no more than 2k, and whether rows were left out.
func TestReadRunView(t *testing.T) {
	rec := &results.Record{Run: "lr/alpha=0.1", Inputs: results.Inputs{Train: engine.NewParamSet(engine.B3), Data: make([]engine.Point, 3)}}
	for n := 0; n <= 50; n++ {
		for _, lineEnd := range []bool{true, false} {
			trace := syntheticTrace(n, lineEnd)
			_, rows := wholeTrace(t, trace)
			mapFS := fstest.MapFS{"lr/alpha=0.1/trace.csv": {Data: trace}}
			for _, k := range []int{1, 10} {
				want := rows
				if n > 2*k {
					want = slices.Concat(rows[:k], rows[n-k:])
				}
				for how, fsys := range map[string]fs.FS{"at an offset": mapFS, "from start to end": noReaderAt{mapFS}} {
					name := fmt.Sprintf("%d rows, line end %v, k=%d, read %s", n, lineEnd, k, how)
					view, err := results.ReadRunView(fsys, rec, k)
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					if view.Gap != (n > 2*k) {
						t.Errorf("%s: gap %v, want %v", name, view.Gap, n > 2*k)
					}
					var got []int
					for _, it := range view.Rows {
						got = append(got, it.N)
					}
					var iterations []int
					for _, row := range want {
						i, _ := strconv.Atoi(row[0])
						iterations = append(iterations, i)
					}
					if !slices.Equal(got, iterations) {
						t.Errorf("%s: iterations %v, want %v", name, got, iterations)
					}
				}
			}
		}
	}
}

// synthetic is a file made of parts, each a run of one byte or some
// literal bytes, read without holding it: a 100 MB line costs no memory.
type synthetic struct {
	parts []part
	size  int64
}

type part struct {
	literal []byte
	fill    byte
	n       int64
}

func newSynthetic(parts ...part) *synthetic {
	s := &synthetic{parts: parts}
	for i := range s.parts {
		if s.parts[i].literal != nil {
			s.parts[i].n = int64(len(s.parts[i].literal))
		}
		s.size += s.parts[i].n
	}
	return s
}

func (s *synthetic) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for _, pt := range s.parts {
		if off >= pt.n {
			off -= pt.n
			continue
		}
		for ; off < pt.n && n < len(p); off, n = off+1, n+1 {
			if pt.literal != nil {
				p[n] = pt.literal[off]
			} else {
				p[n] = pt.fill
			}
		}
		off = 0
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}

// longLineTraces are traces with a line of 100 MB: the whole file, a row
// between others, and the last row.
func longLineTraces() map[string]*synthetic {
	const long = 100 << 20
	lit := func(s string) part { return part{literal: []byte(s)} }
	row := lit("\n1,0,-2.6,-1.6,-2.61,20.4,-15.7,-1.57,1.57")
	sevens := part{fill: '7', n: long}
	return map[string]*synthetic{
		"one line":      newSynthetic(sevens),
		"a row between": newSynthetic(lit(b3Header), row, lit("\n2,"), sevens, row, lit("\n")),
		"the last row":  newSynthetic(lit(b3Header), row, lit("\n2,"), sevens, lit("\n")),
		"the last row after 20": newSynthetic(lit(b3Header), row, row, row, row, row, row, row, row, row, row,
			row, row, row, row, row, row, row, row, row, row, lit("\n2,"), sevens, lit("\n")),
	}
}

// TestLongLinesInBoundedMemory reads traces with a line of 100 MB from their
// ends, from start to end, and to verify them: each read that reaches the
// line refuses it, allocating far less than the line.
func TestLongLinesInBoundedMemory(t *testing.T) {
	rec := &results.Record{Run: "x", Inputs: results.Inputs{Train: engine.NewParamSet(engine.B3), Data: make([]engine.Point, 3), CSVDigits: 12},
		Files: []results.FileSum{{Name: results.TraceFile}}}
	reads := map[string]func(s *synthetic) error{
		"ends, k=1":  func(s *synthetic) error { _, err := results.ReadTraceEnds(s, s.size, 1); return err },
		"ends, k=10": func(s *synthetic) error { _, err := results.ReadTraceEnds(s, s.size, 10); return err },
		"rows": func(s *synthetic) error {
			r, err := results.NewTraceReader(io.NewSectionReader(s, 0, s.size))
			for err == nil {
				_, err = r.Next()
			}
			if err == io.EOF {
				return nil
			}
			return err
		},
		"verified": func(s *synthetic) error {
			_, err := results.VerifyTrace(io.NewSectionReader(s, 0, s.size), rec)
			return err
		},
	}
	for traceName, s := range longLineTraces() {
		for readName, read := range reads {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := read(s)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			// The ends of a trace with one row of 1 between its first
			// and last leave that row unread.
			if unread := traceName == "a row between" && readName == "ends, k=1"; (err == nil) != unread {
				t.Errorf("%s, %s: error %v", traceName, readName, err)
			}
			if allocated > 32<<20 {
				t.Errorf("%s, %s: allocated %d MB to refuse a line of 100 MB (%v, %v)", traceName, readName, allocated>>20, err, time.Since(start))
			}
		}
	}
}

// TestErrLongLineIsNamed checks that the refusal of a long line says so.
func TestErrLongLineIsNamed(t *testing.T) {
	s := longLineTraces()["the last row"]
	_, err := results.ReadTraceEnds(s, s.size, 1)
	if err == nil || !strings.Contains(err.Error(), "longer than a trace") {
		t.Errorf("ReadTraceEnds: %v; want it to say the line is too long for a trace", err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		t.Errorf("ReadTraceEnds: %v is a file error", err)
	}
}
