package results

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// Method is the version of everything that makes a run folder's bytes from
// a run's inputs: the engine's arithmetic, the trace's format, the record's
// outcome, the tables and the pictures. Bump it with any change that would
// change a run folder's bytes for the same inputs, so that stored runs are
// computed again rather than reused (TestMethodCoversTheOutputs fails until
// it is bumped).
const Method = 1

// Record is what a run's record (run.yaml) holds: everything needed to
// compute the run again without its experiment file, how it ended, and
// the files of its folder.
type Record struct {
	// Run is the run's identifier: the experiment's name, followed for a
	// sweep by the values it sets.
	Run     string
	Method  int
	Inputs  Inputs
	Outcome Outcome
	// Files are the run's files but the record, in the order written.
	Files []FileSum
	// Runner is the version of the runner that wrote the run.
	Runner string
}

// Inputs are what a run is run with.
type Inputs struct {
	Data             []engine.Point
	Start            engine.Network // the starting parameters, and the activation
	Train            engine.ParamSet
	Alpha, Tolerance float64
	MaxIterations    int
	TraceEvery       int
	// CSVDigits is the number of significant digits of the run's results
	// in its trace and record.
	CSVDigits int
	Expected  []Pin
}

// Pin is a published value that a run is checked against.
type Pin struct {
	// Iteration is the iteration the value describes (from 1), or 0 for
	// the run's final values.
	Iteration int
	// Column names the value: a trace column, or for final values a
	// parameter or ssr.
	Column string
	// Printed is the value as published.
	Printed string
	// Widened is the entry's own tolerance, or 0.
	Widened float64
	Note    string
}

// Value returns the printed value as a number.
func (p Pin) Value() float64 {
	v, _ := strconv.ParseFloat(p.Printed, 64)
	return v
}

// Tolerance returns the largest difference from the printed value that
// still holds.
func (p Pin) Tolerance() float64 {
	return experiment.PinTolerance(p.Printed, p.Widened)
}

// Outcome is how a run ended.
type Outcome struct {
	Status     engine.Status
	Iterations int
	// Final holds the final parameters; only the trained ones are
	// recorded.
	Final engine.Params
	SSR   float64
	// Checks holds one entry per pin of the inputs, in order.
	Checks []Check
}

// Check is a published value compared with the computed one.
type Check struct {
	// Reached is false if the run stopped before the pinned iteration.
	Reached  bool
	Computed float64
	Holds    bool
}

// Held counts the checks that hold.
func (o *Outcome) Held() int {
	n := 0
	for _, c := range o.Checks {
		if c.Holds {
			n++
		}
	}
	return n
}

// FileSum is a file of a run's folder with its size and SHA-256.
type FileSum struct {
	Name   string
	Bytes  int64
	SHA256 string
}

// InputsOf returns the inputs of a run, whose results are written with
// digits significant digits unless its experiment sets csv_digits.
func InputsOf(r *experiment.Run, digits int) Inputs {
	e := r.Experiment
	in := Inputs{
		Data: e.Data, Start: r.Start, Train: r.Settings.Trained(),
		Alpha: r.Settings.Alpha, Tolerance: r.Settings.Tolerance, MaxIterations: r.Settings.MaxIterations,
		TraceEvery: max(1, e.TraceEvery), CSVDigits: digits,
	}
	if e.CSVDigits > 0 {
		in.CSVDigits = e.CSVDigits
	}
	for _, p := range e.Expected {
		in.Expected = append(in.Expected, Pin{Iteration: p.Iteration, Column: p.Column, Printed: p.Printed, Widened: p.Widened, Note: p.Note})
	}
	return in
}

// recordComment opens every record.
const recordComment = `# The runner's record of one run: what it was run with (inputs, and their
# SHA-256), how it ended (outcome), and the files it wrote, each with its
# size and SHA-256. Written by the runner; do not edit.
`

// Head returns the beginning of the record of a run with these inputs:
// everything before its outcome. Two runs with the same head are the same
// computation, so a stored record that starts with it may be reused.
func Head(run string, in *Inputs) []byte {
	inputs := in.render()
	sum := sha256.Sum256(inputs)
	var b bytes.Buffer
	b.Grow(len(recordComment) + len(inputs) + 1024)
	b.WriteString(recordComment)
	fmt.Fprintf(&b, "run: %s\nmethod: %d\ninputs_sha256: %s\n", strconv.Quote(run), Method, hex.EncodeToString(sum[:]))
	b.Write(inputs)
	return b.Bytes()
}

// render writes the inputs block of a record.
func (in *Inputs) render() []byte {
	var b bytes.Buffer
	b.Grow(512 + 32*len(in.Data) + 128*len(in.Expected))
	b.WriteString("inputs:\n  data:\n")
	for _, pt := range in.Data {
		fmt.Fprintf(&b, "    - {x: %s, y: %s}\n", experiment.FormatValue(pt.X), experiment.FormatValue(pt.Y))
	}
	b.WriteString("  initial: {")
	for i, p := range engine.AllParams.List() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v: %s", p, experiment.FormatValue(in.Start.Get(p)))
	}
	fmt.Fprintf(&b, "}\n  activation: %v\n  train: [%s]\n", in.Start.Activation, strings.ReplaceAll(in.Train.String(), " ", ", "))
	fmt.Fprintf(&b, "  alpha: %s\n  tolerance: %s\n  max_iterations: %d\n  trace_every: %d\n  csv_digits: %d\n",
		experiment.FormatValue(in.Alpha), experiment.FormatValue(in.Tolerance), in.MaxIterations, in.TraceEvery, in.CSVDigits)
	if len(in.Expected) > 0 {
		b.WriteString("  expected:\n")
		for _, p := range in.Expected {
			b.WriteString("    - {")
			if p.Iteration == 0 {
				b.WriteString("final: true")
			} else {
				fmt.Fprintf(&b, "iteration: %d", p.Iteration)
			}
			fmt.Fprintf(&b, ", column: %s, printed: %s", p.Column, strconv.Quote(p.Printed))
			if p.Widened > 0 {
				fmt.Fprintf(&b, ", tolerance: %s", experiment.FormatValue(p.Widened))
			}
			if p.Note != "" {
				fmt.Fprintf(&b, ", note: %s", strconv.Quote(p.Note))
			}
			b.WriteString("}\n")
		}
	}
	return b.Bytes()
}

// Render returns the record as run.yaml holds it.
func (r *Record) Render() []byte {
	head := Head(r.Run, &r.Inputs)
	b := bytes.NewBuffer(make([]byte, 0, len(head)+512+128*len(r.Files)+64*len(r.Outcome.Checks)))
	b.Write(head)
	b.Write(r.renderOutcome())
	b.Write(renderFiles(r.Files))
	fmt.Fprintf(b, "runner: %s\n", strconv.Quote(r.Runner))
	return b.Bytes()
}

func (r *Record) renderOutcome() []byte {
	o, digits := &r.Outcome, r.Inputs.CSVDigits
	var b bytes.Buffer
	fmt.Fprintf(&b, "outcome:\n  status: %v\n  iterations: %d\n  final: {", o.Status, o.Iterations)
	for i, p := range r.Inputs.Train.List() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v: %s", p, yamlNumber(o.Final.Get(p), digits))
	}
	fmt.Fprintf(&b, "}\n  ssr: %s\n", yamlNumber(o.SSR, digits))
	if len(o.Checks) > 0 {
		b.WriteString("  expected:\n")
		for _, c := range o.Checks {
			if !c.Reached {
				b.WriteString("    - {reached: false, holds: false}\n")
				continue
			}
			fmt.Fprintf(&b, "    - {computed: %s, holds: %t}\n", yamlNumber(c.Computed, digits), c.Holds)
		}
	}
	return b.Bytes()
}

// renderFiles writes the files block of a record.
func renderFiles(files []FileSum) []byte {
	var b bytes.Buffer
	b.WriteString("files:\n")
	for _, f := range files {
		fmt.Fprintf(&b, "  %s: {bytes: %d, sha256: %s}\n", f.Name, f.Bytes, f.SHA256)
	}
	return b.Bytes()
}

// SameRun reports whether two records are of the same run: the same
// inputs, outcome and files, whichever version of the runner wrote them.
// A run computed again with the same bytes by another version is left as
// it was.
func SameRun(a, b []byte) bool {
	return bytes.Equal(withoutRunner(a), withoutRunner(b))
}

// withoutRunner returns a record's bytes without its last line, which
// names the runner that wrote it.
func withoutRunner(record []byte) []byte {
	if i := bytes.LastIndex(record, []byte("\nrunner: ")); i >= 0 {
		return record[:i+1]
	}
	return record
}

// recordYAML is a record as YAML decodes it.
type recordYAML struct {
	Run          string `yaml:"run"`
	Method       int    `yaml:"method"`
	InputsSHA256 string `yaml:"inputs_sha256"`
	Inputs       struct {
		Data          []struct{ X, Y float64 } `yaml:"data"`
		Initial       map[string]float64       `yaml:"initial"`
		Activation    string                   `yaml:"activation"`
		Train         []string                 `yaml:"train"`
		Alpha         float64                  `yaml:"alpha"`
		Tolerance     float64                  `yaml:"tolerance"`
		MaxIterations int                      `yaml:"max_iterations"`
		TraceEvery    int                      `yaml:"trace_every"`
		CSVDigits     int                      `yaml:"csv_digits"`
		Expected      []struct {
			Iteration int     `yaml:"iteration"`
			Final     bool    `yaml:"final"`
			Column    string  `yaml:"column"`
			Printed   string  `yaml:"printed"`
			Tolerance float64 `yaml:"tolerance"`
			Note      string  `yaml:"note"`
		} `yaml:"expected"`
	} `yaml:"inputs"`
	Outcome struct {
		Status     string             `yaml:"status"`
		Iterations int                `yaml:"iterations"`
		Final      map[string]float64 `yaml:"final"`
		SSR        float64            `yaml:"ssr"`
		Expected   []struct {
			Reached  *bool   `yaml:"reached"`
			Computed float64 `yaml:"computed"`
			Holds    bool    `yaml:"holds"`
		} `yaml:"expected"`
	} `yaml:"outcome"`
	Files map[string]struct {
		Bytes  int64  `yaml:"bytes"`
		SHA256 string `yaml:"sha256"`
	} `yaml:"files"`
	Runner string `yaml:"runner"`
}

// errNotARecord is the error for a record this runner cannot read.
var errNotARecord = errors.New("not a run record of this version of the runner; run the experiment again to rewrite it")

// ParseRecord reads a run's record. It checks that the record is one this
// runner writes, byte for byte: a record edited by hand is refused.
func ParseRecord(data []byte) (*Record, error) {
	var y recordYAML
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return nil, fmt.Errorf("%w (%v)", errNotARecord, err)
	}
	r := &Record{Run: y.Run, Method: y.Method, Runner: y.Runner}
	in := &r.Inputs
	for _, pt := range y.Inputs.Data {
		in.Data = append(in.Data, engine.Point{X: pt.X, Y: pt.Y})
	}
	for name, v := range y.Inputs.Initial {
		p, ok := engine.ParseParam(name)
		if !ok {
			return nil, fmt.Errorf("%w (unknown parameter %q)", errNotARecord, name)
		}
		in.Start.Set(p, v)
	}
	var ok bool
	if in.Start.Activation, ok = engine.ParseActivation(y.Inputs.Activation); !ok {
		return nil, fmt.Errorf("%w (unknown activation %q)", errNotARecord, y.Inputs.Activation)
	}
	for _, name := range y.Inputs.Train {
		p, ok := engine.ParseParam(name)
		if !ok {
			return nil, fmt.Errorf("%w (unknown parameter %q)", errNotARecord, name)
		}
		in.Train |= engine.NewParamSet(p)
	}
	in.Alpha, in.Tolerance, in.MaxIterations = y.Inputs.Alpha, y.Inputs.Tolerance, y.Inputs.MaxIterations
	in.TraceEvery, in.CSVDigits = y.Inputs.TraceEvery, y.Inputs.CSVDigits
	for _, p := range y.Inputs.Expected {
		in.Expected = append(in.Expected, Pin{Iteration: p.Iteration, Column: p.Column, Printed: p.Printed, Widened: p.Tolerance, Note: p.Note})
	}
	o := &r.Outcome
	if o.Status, ok = engine.ParseStatus(y.Outcome.Status); !ok {
		return nil, fmt.Errorf("%w (unknown status %q)", errNotARecord, y.Outcome.Status)
	}
	o.Iterations, o.SSR = y.Outcome.Iterations, y.Outcome.SSR
	for name, v := range y.Outcome.Final {
		p, ok := engine.ParseParam(name)
		if !ok {
			return nil, fmt.Errorf("%w (unknown parameter %q)", errNotARecord, name)
		}
		o.Final.Set(p, v)
	}
	for _, c := range y.Outcome.Expected {
		o.Checks = append(o.Checks, Check{Reached: c.Reached == nil || *c.Reached, Computed: c.Computed, Holds: c.Holds})
	}
	for name, f := range y.Files {
		r.Files = append(r.Files, FileSum{Name: name, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	// The record must be what this runner writes for what it holds: the
	// files in the order written, and every byte the same.
	r.Files = orderAs(r.Files, data)
	if !bytes.Equal(r.Render(), data) {
		return nil, fmt.Errorf("%w (it is not as the runner writes it: edited by hand, or written by another version)", errNotARecord)
	}
	return r, nil
}

// orderAs orders files as the record data lists them.
func orderAs(files []FileSum, data []byte) []FileSum {
	block := data[bytes.Index(data, []byte("\nfiles:\n"))+1:]
	pos := func(f FileSum) int { return bytes.Index(block, []byte("\n  "+f.Name+": ")) }
	slices.SortFunc(files, func(a, b FileSum) int { return cmp.Compare(pos(a), pos(b)) })
	return files
}
