package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/pkg/engine"
)

// Limits and defaults of experiment files.
const (
	// DefaultMaxIterations applies when an experiment sets no max_iterations.
	DefaultMaxIterations = 1000
	// MaxIterationsCap bounds max_iterations. Traces stream to disk, so
	// memory does not grow with a run's length, but a trace takes about 130
	// bytes an iteration (three data points, b3 alone).
	MaxIterationsCap = 100_000_000
	// MaxNameLength bounds experiment names, which name folders.
	MaxNameLength = 100
	// MaxCSVDigits bounds csv_digits: 17 significant digits write every
	// float64 exactly.
	MaxCSVDigits = 17
	// MaxStep bounds alpha and tolerance: larger values are typing
	// mistakes, as no descent could use them.
	MaxStep = 1e6
)

// Field names: those of an experiment come from Fields.
var (
	experimentFields = fieldNames()
	weightFields     = []string{"w1", "b1", "w2", "b2", "w3", "w4"}
	pointFields      = []string{"x", "y"}
)

// misplacedWeight explains keys written under weights: that belong elsewhere.
var misplacedWeight = map[string]string{
	"b3": "b3 is not a fixed weight: set the initial b3 with the top-level field b3",
}

// namePattern is what experiment names look like: safe as a folder name on
// every system, with no way to climb out of the results folder.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// reservedNames would collide with files the runner writes beside the
// experiments' folders (readme.md with README.md, on file systems that
// ignore case). A test of package results checks that they are its names.
var reservedNames = []string{"summary.csv", "summary.md", "readme.md", "manifest.yaml"}

// Reserved reports whether a name is reserved for the runner's own files,
// ignoring case.
func Reserved(name string) bool {
	return slices.Contains(reservedNames, strings.ToLower(name))
}

// Parse reads the experiments of one file. Each YAML document is one
// experiment; a document without a name is named after the file. Parse
// reports every problem it finds, in the order they appear in the file.
func Parse(file string, src []byte) ([]*Experiment, ErrorList) {
	return parse(file, src, nil)
}

// parse reads the experiments of one file, as Parse does, with the
// overrides applied to each.
func parse(file string, src []byte, overrides []Override) ([]*Experiment, ErrorList) {
	if err := checkText(file, src); err != nil {
		return nil, ErrorList{err}
	}
	d := &decoder{file: file, origins: map[*yaml.Node]string{}}
	defaultName := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var exps []*Experiment
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			d.errs = append(d.errs, syntaxError(file, src, err))
			break
		}
		if e := d.experiment(&doc, defaultName, overrides); e != nil {
			exps = append(exps, e)
		}
	}
	if len(exps) == 0 && len(d.errs) == 0 {
		d.errs = append(d.errs, &Error{Pos: Position{File: file, Line: 1, Column: 1},
			Msg: "no experiment in file (it is empty or only comments); write the experiment's fields (runner help experiments lists them)"})
	}
	d.errs.sortByPosition()
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return exps, nil
}

// yamlLine matches the position yaml.v3 gives most syntax errors: a line,
// but no column.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parserProblems are the problems yaml.v3's parser (not its scanner)
// reports. It numbers their lines from 0, and leaves line 0 out.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// syntaxError converts a YAML syntax error to an Error at its line, which
// yaml.v3 numbers from 1 for scanning problems, from 0 for parsing ones.
// A scanning error without a line happened at the end of the file. yaml.v3
// gives no column; a tab in the line's indentation, the most common cause,
// is pointed at.
func syntaxError(file string, src []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Position{File: file, Line: lastLine(src)}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(err.Error(), m[0])
	}
	if slices.Contains(parserProblems, msg) {
		pos.Line = 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			pos.Line = n + 1
		}
	}
	switch {
	case strings.Contains(msg, "end of stream"):
		msg += " (is a quote or bracket left open?)"
	case tabColumn(src, pos.Line) > 0:
		pos.Column = tabColumn(src, pos.Line)
		msg += " (a tab: YAML indents with spaces only)"
	}
	return &Error{Pos: pos, Msg: "invalid YAML: " + msg}
}

// tabColumn returns the column of the first tab in the indentation of a
// line (from 1), or 0 if there is none.
func tabColumn(src []byte, line int) int {
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 0
	}
	for i, c := range lines[line-1] {
		switch c {
		case '\t':
			return i + 1
		case ' ':
			continue
		}
		break
	}
	return 0
}

// checkText refuses a file that is not UTF-8, or that holds a character
// YAML does not allow in a file (a control character other than tab, line
// feed and carriage return, such as NUL), pointing at the first one.
// yaml.v3 would report some of them lines away from where they are.
func checkText(file string, src []byte) *Error {
	line, col := 1, 1
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		pos := Position{File: file, Line: line, Column: col}
		switch {
		case r == utf8.RuneError && size <= 1:
			return &Error{Pos: pos, Msg: fmt.Sprintf("not UTF-8: byte 0x%02X here; save the file as UTF-8", src[0])}
		case !allowedInYAML(r):
			return &Error{Pos: pos, Msg: fmt.Sprintf("control character %U here, which YAML does not allow in a file; remove it (in double quotes, write it as the escape \\u%04X)", r, r)}
		}
		col++
		if r == '\n' {
			line, col = line+1, 1
		}
		src = src[size:]
	}
	return nil
}

// allowedInYAML reports whether a character may appear in a YAML file: tab,
// line feed, carriage return and printable characters, not the other C0
// and C1 control characters, DEL or the non-characters U+FFFE and U+FFFF.
func allowedInYAML(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// lastLine returns the number of the file's last line.
func lastLine(src []byte) int {
	return 1 + bytes.Count(bytes.TrimSuffix(src, []byte("\n")), []byte("\n"))
}

// experiment decodes and validates one document, with the overrides
// applied. It returns nil if the document has problems, which are
// recorded in d.
func (d *decoder) experiment(doc *yaml.Node, defaultName string, overrides []Override) *Experiment {
	before := len(d.errs)
	if len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		d.fail(doc, "", "empty document; every document between --- lines must be an experiment")
		return nil
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		d.fail(root, "", "want an experiment, a mapping of fields (name:, data:, weights:, ...), got %s", describe(root))
		return nil
	}
	if len(overrides) > 0 {
		root = d.override(root, overrides)
		defer d.locateOverrideProblems(before, d.pos(root))
	}
	f, _ := d.mapping(root, "", experimentFields, nil)
	e := &Experiment{Pos: d.pos(root), fields: map[string]Position{}}
	for field, v := range f.values {
		e.fields[field] = d.pos(resolve(v))
	}
	e.Name = d.name(f, defaultName)
	if v, ok := f.values["description"]; ok {
		e.Description, _ = d.str(v, "description")
	}
	e.Data = d.points(f)
	provided := d.variations(f, e)
	e.Start.Params, e.Settings = d.base(f, provided, e.Search.unused())
	e.applySearch()
	if v, ok := f.values["train"]; ok {
		e.Settings.Train = d.train(v)
	}
	if v, ok := f.values["activation"]; ok {
		e.Start.Activation = d.activation(v)
	}
	if v, ok := f.values["csv_digits"]; ok {
		e.CSVDigits, _ = d.integer(v, "csv_digits", 1, MaxCSVDigits)
	}
	e.TraceEvery = 1
	if v, ok := f.values["trace_every"]; ok {
		e.TraceEvery, _ = d.integer(v, "trace_every", 1, MaxIterationsCap)
	}
	if v, ok := f.values["expected"]; ok {
		e.Expected = d.expected(v, len(e.Data), e.MostIterations(), e.Settings.Trained())
	}
	if len(d.errs) > before {
		return nil
	}
	e.Overrides = slices.Clone(overrides)
	return e
}

// locateOverrideProblems says in which experiment the problems with
// overrides found since the first before were found: an override applies
// to every experiment, and may be wrong for some only.
func (d *decoder) locateOverrideProblems(before int, experiment Position) {
	for _, e := range d.errs[before:] {
		if e.onCommandLine {
			e.Msg += fmt.Sprintf(" (in the experiment at %v)", experiment)
		}
	}
}

// name returns the experiment's name, or the file's if it sets none.
func (d *decoder) name(f fields, defaultName string) string {
	v, ok := f.values["name"]
	if !ok {
		if problem := checkName(defaultName); problem != "" {
			d.fail(f.node, "name", "not set, and the file name %q %s; set name: or rename the file", defaultName, problem)
		}
		return defaultName
	}
	name, ok := d.str(v, "name")
	if !ok {
		return ""
	}
	if problem := checkName(name); problem != "" {
		d.fail(v, "name", "%q %s", name, problem)
	}
	return name
}

// ValidName reports whether name is a valid experiment name.
func ValidName(name string) bool {
	return checkName(name) == ""
}

// checkName says what is wrong with an experiment name, or "" if nothing.
func checkName(name string) string {
	switch {
	case len(name) > MaxNameLength:
		return fmt.Sprintf("is longer than %d characters", MaxNameLength)
	case !namePattern.MatchString(name):
		return "is not a valid name (use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"
	case Reserved(name):
		return "is reserved for the runner's own files"
	}
	return ""
}

// points decodes the data: field, a list of {x, y} points.
func (d *decoder) points(f fields) []engine.Point {
	v, ok := d.required(f, "data")
	if !ok {
		return nil
	}
	items, ok := d.list(v, "data")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.fail(v, "data", "no points; give at least one {x: ..., y: ...}")
		return nil
	}
	data := make([]engine.Point, len(items))
	for i, it := range items {
		pf, ok := d.mapping(it, item("data", i), pointFields, nil)
		if !ok {
			continue
		}
		data[i].X = d.requiredNumber(pf, "x")
		data[i].Y = d.requiredNumber(pf, "y")
	}
	return data
}

// base decodes the fields a sweep may also set: the weights, b3, alpha,
// tolerance and max_iterations. A field that the sweep, every runs entry
// or the search sets is not required, and may not be set here too; nor is
// a field that the runs do not use (unused), which the search refuses.
func (d *decoder) base(f fields, provided map[string]string, unused []string) (engine.Params, engine.Settings) {
	var p engine.Params
	s := engine.Settings{MaxIterations: DefaultMaxIterations}
	set := func(in fields, field string, required bool) {
		where, isProvided := provided[field]
		if v, present := in.values[field]; present && isProvided {
			d.fail(v, join(in.path, field), "is also set by %s, so this value would never be used; set it in one place", where)
			return
		}
		if v, ok := d.field(in, field, required && !isProvided); ok {
			apply(field, v, &p, &s)
		}
	}
	d.weights(f, set, !slices.ContainsFunc(weightFields, func(w string) bool { _, ok := provided[w]; return !ok }))
	for _, field := range []string{"b3", "alpha", "tolerance", "max_iterations"} {
		set(f, field, (field == "alpha" || field == "tolerance") && !slices.Contains(unused, field))
	}
	return p, s
}

// weights decodes the weights: mapping, which is required unless every
// weight is swept.
func (d *decoder) weights(f fields, set func(in fields, field string, required bool), allSwept bool) {
	v, ok := f.values["weights"]
	if !ok {
		if !allSwept {
			d.required(f, "weights")
		}
		return
	}
	if wf, ok := d.mapping(v, "weights", weightFields, misplacedWeight); ok {
		for _, w := range weightFields {
			set(wf, w, true)
		}
	}
}

// field decodes the value of a field in a mapping, if present, and
// reports it missing if required.
func (d *decoder) field(f fields, field string, required bool) (float64, bool) {
	v, ok := f.values[field]
	if !ok {
		if required {
			d.required(f, field)
		}
		return 0, false
	}
	return d.value(v, join(f.path, field), field)
}

// value decodes a number that must be a valid value of field.
func (d *decoder) value(n *yaml.Node, path, field string) (float64, bool) {
	n = resolve(n)
	v, ok := d.number(n, path)
	if !ok {
		return 0, false
	}
	if problem := checkValue(field, v, n.Value); problem != "" {
		d.fail(n, path, "%s", problem)
		return 0, false
	}
	return v, true
}

// requiredNumber decodes a number field that must be present.
func (d *decoder) requiredNumber(f fields, key string) float64 {
	v, ok := d.required(f, key)
	if !ok {
		return 0
	}
	x, _ := d.number(v, join(f.path, key))
	return x
}

// MaxTraceRows returns the most rows a run's trace.csv may have: one per
// iteration up to max_iterations, or with trace_every K, the first, every
// K-th and the last.
func (e *Experiment) MaxTraceRows() int {
	n := e.MostIterations()
	if e.TraceEvery > 1 {
		n = min(n, n/e.TraceEvery+2)
	}
	return n
}

// MostIterations returns the most iterations any run of the experiment
// may take.
func (e *Experiment) MostIterations() int {
	most := e.Settings.MaxIterations
	for _, r := range e.Runs {
		for _, s := range r {
			if s.Field == "max_iterations" {
				most = max(most, int(s.Value))
			}
		}
	}
	for i := range e.Axes {
		if a := &e.Axes[i]; a.Field == "max_iterations" && a.Len() > 0 {
			most = max(most, int(a.Max()))
		}
	}
	return most
}

// expected decodes the expected: list of published values.
func (d *decoder) expected(n *yaml.Node, points, maxIterations int, train engine.ParamSet) []Pin {
	entries, ok := d.list(n, "expected")
	if !ok {
		return nil
	}
	var pins []Pin
	for i, entry := range entries {
		pins = append(pins, d.expectedEntry(entry, item("expected", i), points, maxIterations, train)...)
	}
	return pins
}

// pinKeys returns the keys of the values an expected entry may pin at an
// iteration, in trace order, for the trained parameters: each parameter,
// predicted, ssr, then gradient_<p>, step_<p> and next_<p> for each.
func pinKeys(train engine.ParamSet) []string {
	cols := engine.Columns(train, 0)
	k := len(train.List())
	return slices.Concat(cols[:k], []string{"predicted"}, cols[k:])
}

// expectedKeys returns every key of an expected entry, those of the
// trained parameters first (so that suggestions for misspellings prefer
// them).
func expectedKeys(train engine.ParamSet) []string {
	trained := pinKeys(train)
	others := slices.DeleteFunc(pinKeys(engine.AllParams), func(k string) bool { return slices.Contains(trained, k) })
	return slices.Concat([]string{"iteration", "final"}, trained, others, []string{"tolerance", "note"})
}

// finalKeys returns the keys an entry with final: true may pin: the
// trained parameters, b3 always, and ssr.
func finalKeys(train engine.ParamSet) []string {
	return slices.Concat(strings.Fields((train | engine.NewParamSet(engine.B3)).String()), []string{"ssr"})
}

// pinnedParam returns the parameter a pin key is about, if any:
// "gradient_w3" is about w3.
func pinnedParam(key string) (engine.Param, bool) {
	for _, prefix := range []string{"", "gradient_", "step_", "next_"} {
		if name, ok := strings.CutPrefix(key, prefix); ok {
			if p, ok := engine.ParseParam(name); ok {
				return p, true
			}
		}
	}
	return 0, false
}

// expectedEntry decodes one entry of expected: an iteration or the final
// values, the numbers pinned, and an optional widened tolerance with its
// reason.
func (d *decoder) expectedEntry(n *yaml.Node, path string, points, maxIterations int, train engine.ParamSet) []Pin {
	before := len(d.errs)
	f, ok := d.mapping(n, path, expectedKeys(train), nil)
	if !ok {
		return nil
	}
	iteration, ok := d.pinnedIteration(f, maxIterations)
	if !ok {
		return nil
	}
	widened, note := d.widening(f)
	var pins []Pin
	add := func(column string, v *yaml.Node, field string) {
		v = resolve(v)
		if p, ok := d.pin(v, field); ok {
			p.Iteration, p.Column, p.Note, p.Widened = iteration, column, note, widened
			p.Tolerance = max(p.Tolerance, widened)
			pins = append(pins, p)
		}
	}
	for _, column := range pinKeys(engine.AllParams) {
		v, ok := f.values[column]
		p, isParam := pinnedParam(column)
		switch {
		case !ok:
			continue
		case isParam && !train.Has(p) && !(iteration == 0 && column == "b3"):
			d.fail(v, join(path, column), "%v does not train in this experiment (train: [%s]); pin trained parameters only", p, commaList(train))
		case iteration == 0 && !slices.Contains(finalKeys(train), column):
			d.fail(v, join(path, column), "cannot be pinned for final: true (only %s); pin it at an iteration", strings.Join(finalKeys(train), ", "))
		case column == "predicted":
			values, ok := d.list(v, join(path, column))
			if ok && points > 0 && len(values) != points {
				d.fail(v, join(path, column), "has %d values, want %d (one per data point)", len(values), points)
				continue
			}
			for j, pv := range values {
				add(fmt.Sprintf("predicted_%d", j+1), pv, item(join(path, column), j))
			}
		default:
			add(column, v, join(path, column))
		}
	}
	if len(pins) == 0 && len(d.errs) == before {
		keys := pinKeys(train)
		if iteration == 0 {
			keys = finalKeys(train)
		}
		d.fail(f.node, path, "pins no value; give at least one of %s", strings.Join(keys, ", "))
	}
	return pins
}

// pinnedIteration decodes which iteration an expected entry describes: one
// of iteration: N or final: true. It returns 0 for final.
func (d *decoder) pinnedIteration(f fields, maxIterations int) (int, bool) {
	it, hasIteration := f.values["iteration"]
	final, hasFinal := f.values["final"]
	switch {
	case hasIteration && hasFinal:
		d.fail(final, join(f.path, "final"), "give either iteration or final, not both")
		return 0, false
	case hasFinal:
		isFinal, ok := d.boolean(final, join(f.path, "final"))
		if ok && !isFinal {
			d.fail(final, join(f.path, "final"), "false pins nothing; give iteration: N for an iteration's values")
		}
		return 0, ok && isFinal
	case hasIteration:
		if maxIterations < 1 {
			maxIterations = MaxIterationsCap // max_iterations itself is invalid and reported
		}
		return d.integer(it, join(f.path, "iteration"), 1, maxIterations)
	}
	d.fail(f.node, f.path, "say which values these are: iteration: N or final: true")
	return 0, false
}

// widening decodes an entry's optional tolerance and its required note.
func (d *decoder) widening(f fields) (tolerance float64, note string) {
	if v, ok := f.values["note"]; ok {
		note, _ = d.str(v, join(f.path, "note"))
	}
	v, ok := f.values["tolerance"]
	if !ok {
		return 0, note
	}
	tolerance, ok = d.number(v, join(f.path, "tolerance"))
	switch {
	case ok && tolerance < 0:
		d.fail(v, join(f.path, "tolerance"), "must be >= 0, got %s", resolve(v).Value)
	case ok && strings.TrimSpace(note) == "":
		d.fail(v, join(f.path, "tolerance"), "a widened tolerance needs a reason: add note: saying why the printed value differs")
	}
	return tolerance, note
}

// pin decodes one published number, keeping how it was written: its
// tolerance is half a unit in its last printed digit.
func (d *decoder) pin(n *yaml.Node, field string) (Pin, bool) {
	v, ok := d.number(n, field)
	if !ok {
		return Pin{}, false
	}
	return Pin{
		Pos:       d.pos(n),
		Printed:   n.Value,
		Value:     v,
		Tolerance: halfUnit(n.Value),
	}, true
}

// PinTolerance returns the tolerance of a value printed as printed, in an
// entry whose own tolerance is widened (0 if it sets none): half a unit in
// its last digit, or widened if that is wider.
func PinTolerance(printed string, widened float64) float64 {
	return max(halfUnit(printed), widened)
}

// halfUnit returns half a unit in the last digit of a number as written:
// 0.005 for "-2.61", 0.5 for "3", 0.00005 for "1.5e-3".
func halfUnit(literal string) float64 {
	literal = strings.ReplaceAll(strings.ToLower(literal), "_", "")
	mantissa, exponent, _ := strings.Cut(literal, "e")
	decimals := 0
	if _, frac, ok := strings.Cut(mantissa, "."); ok {
		decimals = len(frac)
	}
	if exp, err := strconv.Atoi(exponent); err == nil {
		decimals -= exp
	}
	// A little slack so that a value exactly half-way, as binary floating
	// point stores it, still holds.
	return 0.5 * math.Pow(10, -float64(decimals)) * (1 + 1e-9)
}

// train decodes train: all, or a list of parameter names.
func (d *decoder) train(n *yaml.Node) engine.ParamSet {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Value == "all" {
		return engine.AllParams
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "train", "want a list of parameters, such as [w3, w4, b3], or all; got %s", describe(n))
		return 0
	}
	items := n.Content
	if len(items) == 0 {
		d.fail(n, "train", "empty list; give the parameters that descend, such as [w3, w4, b3], or all")
		return 0
	}
	names := strings.Fields(engine.AllParams.String())
	var set engine.ParamSet
	for i, it := range items {
		name, ok := d.str(it, item("train", i))
		if !ok {
			continue
		}
		p, known := engine.ParseParam(name)
		switch {
		case !known:
			d.fail(it, item("train", i), "unknown parameter %q%s", name, suggestion(closest(name, names), names))
		case set.Has(p):
			d.fail(it, item("train", i), "%s is listed twice", name)
		default:
			set |= engine.NewParamSet(p)
		}
	}
	return set
}

// commaList writes a set of parameters as in "w3, w4, b3".
func commaList(s engine.ParamSet) string {
	return strings.ReplaceAll(s.String(), " ", ", ")
}

// activation decodes activation: softplus, relu or sigmoid.
func (d *decoder) activation(n *yaml.Node) engine.Activation {
	name, ok := d.str(n, "activation")
	if !ok {
		return engine.Softplus
	}
	a, known := engine.ParseActivation(name)
	if !known {
		d.fail(n, "activation", "want softplus, relu or sigmoid, got %q", name)
	}
	return a
}
