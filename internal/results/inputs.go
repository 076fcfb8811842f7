package results

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/pkg/engine"
)

// Inputs are what a run is run with: everything needed to compute it
// again without its experiment file.
type Inputs struct {
	Data      []engine.Point
	Start     engine.Network // the starting parameters, and the activation
	Train     engine.ParamSet
	Alpha     float64
	Tolerance float64
	// RangeTo, if not zero, makes the run a learning-rate range test: α
	// grows from Alpha to RangeTo over MaxIterations (engine.Settings).
	RangeTo       float64
	MaxIterations int
	TraceEvery    int
	// CSVDigits is the number of significant digits of the run's results
	// in its trace and summary.
	CSVDigits int
	Expected  []experiment.Pin
}

// InputsOf returns the inputs of a run, whose results are written with
// digits significant digits unless its experiment sets csv_digits.
func InputsOf(r *experiment.Run, digits int) Inputs {
	e := r.Experiment
	in := Inputs{
		Data: e.Data, Start: r.Start, Train: r.Settings.Trained(),
		Alpha: r.Settings.Alpha, Tolerance: r.Settings.Tolerance, RangeTo: r.Settings.RangeTo, MaxIterations: r.Settings.MaxIterations,
		TraceEvery: max(1, e.TraceEvery), CSVDigits: digits, Expected: e.Expected,
	}
	if e.CSVDigits > 0 {
		in.CSVDigits = e.CSVDigits
	}
	return in
}

// Settings returns the settings of gradient descent the inputs give.
func (in *Inputs) Settings() engine.Settings {
	return engine.Settings{Alpha: in.Alpha, Tolerance: in.Tolerance, RangeTo: in.RangeTo, MaxIterations: in.MaxIterations, Train: in.Train}
}

// Hash returns the SHA-256 of the inputs' canonical text: two runs with
// the same hash are the same computation.
func (in *Inputs) Hash() [sha256.Size]byte {
	b := make([]byte, 0, 512+32*len(in.Data)+128*len(in.Expected))
	b = append(b, "method: "...)
	b = strconv.AppendInt(b, Method, 10)
	b = in.appendText(append(b, '\n'), nil)
	return sha256.Sum256(b)
}

// render writes the inputs as the manifest of an experiment holds them,
// leaving out the fields swept names (folder keys: alpha, b3_initial),
// whose values are the runs' own.
func (in *Inputs) render(b *bytes.Buffer, swept []string) {
	b.Write(in.appendText(nil, swept))
}

// appendText appends the inputs as render writes them. It is the text
// every run's hash is of, so it appends rather than formats: a sweep's
// every run is hashed.
func (in *Inputs) appendText(b []byte, swept []string) []byte {
	b = append(b, "inputs:\n  data:\n"...)
	for _, pt := range in.Data {
		b = appendValue(append(b, "    - {x: "...), pt.X)
		b = appendValue(append(b, ", y: "...), pt.Y)
		b = append(b, "}\n"...)
	}
	b = append(b, "  initial: {"...)
	first := true
	for _, p := range engine.AllParams.List() {
		if slices.Contains(swept, experiment.FolderKey(p.String())) {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = appendValue(append(append(b, p.String()...), ": "...), in.Start.Get(p))
	}
	b = append(append(append(b, "}\n  activation: "...), in.Start.Activation.String()...), "\n  train: ["...)
	b = append(append(b, strings.ReplaceAll(in.Train.String(), " ", ", ")...), "]\n"...)
	for _, s := range []struct {
		key   string
		value float64
	}{{"alpha", in.Alpha}, {"tolerance", in.Tolerance}} {
		if !slices.Contains(swept, s.key) {
			b = appendValue(append(append(append(b, "  "...), s.key...), ": "...), s.value)
			b = append(b, '\n')
		}
	}
	if !slices.Contains(swept, "max_iterations") {
		b = strconv.AppendInt(append(b, "  max_iterations: "...), int64(in.MaxIterations), 10)
		b = append(b, '\n')
	}
	if in.RangeTo != 0 {
		b = appendValue(append(b, "  range_to: "...), in.RangeTo)
		b = append(b, '\n')
	}
	b = strconv.AppendInt(append(b, "  trace_every: "...), int64(in.TraceEvery), 10)
	b = strconv.AppendInt(append(b, "\n  csv_digits: "...), int64(in.CSVDigits), 10)
	b = append(b, '\n')
	if len(in.Expected) == 0 {
		return b
	}
	b = append(b, "  expected:\n"...)
	for _, p := range in.Expected {
		b = append(b, "    - {"...)
		if p.Final() {
			b = append(b, "final: true"...)
		} else {
			b = strconv.AppendInt(append(b, "iteration: "...), int64(p.Iteration), 10)
		}
		b = strconv.AppendQuote(append(append(append(b, ", column: "...), p.Column...), ", printed: "...), p.Printed)
		if p.Widened > 0 {
			b = appendValue(append(b, ", tolerance: "...), p.Widened)
		}
		if p.Note != "" {
			b = strconv.AppendQuote(append(b, ", note: "...), p.Note)
		}
		b = append(b, "}\n"...)
	}
	return b
}

// appendValue appends a value as experiment.FormatValue writes it: the
// shortest text that reads back as it, 0 for -0.
func appendValue(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// inputsYAML is the inputs block of a manifest as YAML decodes it.
type inputsYAML struct {
	Data          []struct{ X, Y float64 } `yaml:"data"`
	Initial       map[string]float64       `yaml:"initial"`
	Activation    string                   `yaml:"activation"`
	Train         []string                 `yaml:"train"`
	Alpha         float64                  `yaml:"alpha"`
	Tolerance     float64                  `yaml:"tolerance"`
	RangeTo       float64                  `yaml:"range_to"`
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
}

// inputs converts the decoded block; the manifest is then checked by
// rendering it again, so that only what the runner writes is accepted.
func (y *inputsYAML) inputs() (Inputs, error) {
	in := Inputs{Alpha: y.Alpha, Tolerance: y.Tolerance, RangeTo: y.RangeTo, MaxIterations: y.MaxIterations, TraceEvery: y.TraceEvery, CSVDigits: y.CSVDigits}
	for _, pt := range y.Data {
		in.Data = append(in.Data, engine.Point{X: pt.X, Y: pt.Y})
	}
	for name, v := range y.Initial {
		p, ok := engine.ParseParam(name)
		if !ok {
			return in, fmt.Errorf("unknown parameter %q", name)
		}
		in.Start.Set(p, v)
	}
	var ok bool
	if in.Start.Activation, ok = engine.ParseActivation(y.Activation); !ok {
		return in, fmt.Errorf("unknown activation %q", y.Activation)
	}
	for _, name := range y.Train {
		p, ok := engine.ParseParam(name)
		if !ok {
			return in, fmt.Errorf("unknown parameter %q", name)
		}
		in.Train |= engine.NewParamSet(p)
	}
	if in.Train == 0 {
		return in, fmt.Errorf("no parameter trains")
	}
	for _, p := range y.Expected {
		in.Expected = append(in.Expected, experiment.NewPin(p.Iteration, p.Column, p.Printed, p.Tolerance, p.Note))
	}
	return in, nil
}

// WithSettings returns the inputs of a run of an experiment whose shared
// inputs are in, with the values its identifier sets.
func (in Inputs) WithSettings(settings []experiment.Setting) Inputs {
	s := in.Settings()
	experiment.Apply(settings, &in.Start.Params, &s)
	in.Alpha, in.Tolerance, in.MaxIterations = s.Alpha, s.Tolerance, s.MaxIterations
	return in
}
