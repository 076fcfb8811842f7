package experiment

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Overrides try a value without editing a file, as Hydra's command-line
// overrides do: runner run FILE --set alpha=0.2 runs FILE's experiments
// with α = 0.2, and --sweep alpha=0.1,0.2,0.3 sweeps it.
//
// An override stands for the YAML its file would hold (a value, a list of
// values, a range), and that node is decoded by the decoder of experiment
// files, in the experiment it changes: every check and every message is
// the file's, and points at the flag rather than at a line of the file
// ("--set alpha=-1: alpha: must be > 0, got -1").
//
//   - The fields are those a sweep varies: alpha, b3, tolerance,
//     max_iterations and the weights w1 … w4, which may also be written as
//     the file writes them, weights.w1.
//   - --set FIELD=VALUE gives every run that value. A field the file sweeps
//     is swept no longer: its axis is replaced by the one value, as Hydra
//     does. A field that the entries of runs: set is left out of them, and
//     entries that are then the same as an earlier one are dropped, as they
//     would be the same run.
//   - --sweep FIELD=LIST|RANGE sweeps the field: a list of values
//     (alpha=0.1,0.2,0.3), or a range of COUNT values from FROM to TO, both
//     included, spaced evenly (alpha=0.001:1:20) or in log scale
//     (alpha=log:0.001:1:20). It replaces a value that the file sets once,
//     the values the file sweeps (the axis keeps its place among the
//     others; a new one varies fastest), and the field's values in the
//     entries of runs:, as --set does.
//   - Each field may be given once, by one flag.
//   - Overrides apply to every experiment loaded with them: to try a value
//     in one, name its file alone.
//
// An experiment keeps its overrides, in the order given, in Overrides,
// for the record of its runs.

// OverrideKind is what an override does.
type OverrideKind int

const (
	// SetOverride gives a field one value for every run: --set FIELD=VALUE.
	SetOverride OverrideKind = iota
	// SweepOverride sweeps a field: --sweep FIELD=LIST|RANGE.
	SweepOverride
)

// String returns "set" or "sweep".
func (k OverrideKind) String() string {
	if k == SweepOverride {
		return "sweep"
	}
	return "set"
}

// participle returns "set" or "swept", for messages.
func (k OverrideKind) participle() string {
	if k == SweepOverride {
		return "swept"
	}
	return "set"
}

// Override is a value tried without editing a file: a --set or a --sweep
// of the command line, parsed and validated by ParseSet or ParseSweep,
// which alone make them.
type Override struct {
	Kind OverrideKind
	// Field is the field, as a sweep names it: alpha, b3, tolerance,
	// max_iterations, or a weight (w1 … w4), which files set under
	// weights:.
	Field string
	// Value is the value of a SetOverride.
	Value float64
	// Axis are the values of a SweepOverride.
	Axis Axis
	// Flag is the flag and its argument as given, as messages name it:
	// "--set alpha=0.2".
	Flag string

	// node is the value as an experiment file would write it.
	node *yaml.Node
}

// Arg returns the override's argument in its canonical form, which
// ParseSet or ParseSweep reads back as the same override: the field as a
// sweep names it, and its values as results write them ("w1=3" for
// weights.w1=3.0; "alpha=0.1,0.2"; "alpha=log:0.001:1:20").
func (o Override) Arg() string {
	if o.Kind == SetOverride {
		return o.Field + "=" + formatSetting(o.Field, o.Value)
	}
	return o.Field + "=" + o.Axis.spec()
}

// String returns the override as its kind and canonical argument: "set
// alpha=0.2", "sweep alpha=log:0.001:1:20".
func (o Override) String() string {
	return o.Kind.String() + " " + o.Arg()
}

// OverrideStrings returns the experiment's overrides in their canonical
// form (Override.String), in the order given: what its results record,
// and what a results folder that holds them is compared by.
func (e *Experiment) OverrideStrings() []string {
	var s []string
	for _, o := range e.Overrides {
		s = append(s, o.String())
	}
	return s
}

// spec writes an axis's values as --sweep takes them: a list of values
// separated by commas, or a range FROM:TO:COUNT, prefixed with log: for a
// log scale.
func (a *Axis) spec() string {
	if a.list != nil {
		values := make([]string, len(a.list))
		for i, v := range a.list {
			values[i] = formatSetting(a.Field, v)
		}
		return strings.Join(values, ",")
	}
	r := fmt.Sprintf("%s:%s:%d", FormatValue(a.from), FormatValue(a.to), a.count)
	if a.log {
		r = "log:" + r
	}
	return r
}

// ParseSet parses the argument of a --set: FIELD=VALUE, such as
// alpha=0.2 or weights.w1=3. flag is the flag as the command line writes
// it ("--set"), for messages. The value is validated as the file's field
// is; what the experiment makes of it (such as an expected iteration
// beyond a smaller max_iterations) is checked when LoadWith applies it.
// Errors are a *UsageError.
func ParseSet(flag, arg string) (Override, error) {
	o := Override{Kind: SetOverride, Flag: flag + " " + arg}
	field, text, path, err := o.parseField(arg, "FIELD=VALUE, such as alpha=0.2")
	if err != nil {
		return o, err
	}
	o.Field, o.node = field, plainScalar(text)
	d := o.decoder()
	o.Value, _ = d.value(o.node, path, field)
	return o, d.usageErr()
}

// ParseSweep parses the argument of a --sweep: FIELD=LIST or FIELD=RANGE,
// such as alpha=0.1,0.2,0.3, alpha=0.001:1:20 (20 values, linear) or
// alpha=log:0.001:1:20 (in log scale). flag is the flag as the command
// line writes it ("--sweep"), for messages. The values are validated as
// the file's sweep is; what the experiment makes of them (such as more
// runs than max_runs) is checked when LoadWith applies them. Errors are a
// *UsageError.
func ParseSweep(flag, arg string) (Override, error) {
	o := Override{Kind: SweepOverride, Flag: flag + " " + arg}
	field, text, _, err := o.parseField(arg, "FIELD=LIST or FIELD=RANGE, such as alpha=0.1,0.2,0.3, alpha=0.001:1:20 or alpha=log:0.001:1:20")
	if err != nil {
		return o, err
	}
	o.Field = field
	if o.node, err = o.axisNode(text); err != nil {
		return o, err
	}
	d := o.decoder()
	if a, ok := d.axis(o.node, field); ok {
		d.checkRepeats([]Axis{a})
		o.Axis = a
	}
	return o, d.usageErr()
}

// parseField splits an argument FIELD=VALUE and reads its field: a field
// a sweep varies, or a weight written as weights.w1. It returns the field
// as a sweep names it, the value's text, and the field's path in a file.
func (o Override) parseField(arg, want string) (field, value, path string, err error) {
	name, value, ok := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", "", o.fail("", "want %s", want)
	}
	path = name
	if w, isWeight := strings.CutPrefix(name, "weights."); isWeight {
		switch {
		case slices.Contains(weightFields, w):
			return w, strings.TrimSpace(value), name, nil
		case misplacedWeight[w] != "":
			return "", "", "", o.fail(name, "unknown field; %s", misplacedWeight[w])
		}
		return "", "", "", o.fail(name, "unknown field%s", suggestion(closest(w, weightFields), weightFields))
	}
	switch {
	case slices.Contains(weightFields, name):
		path = join("weights", name)
	case slices.Contains(sweepable, name):
	case slices.Contains(experimentFields, name):
		return "", "", "", o.fail(name, "cannot be %s on the command line, only %s; edit the file to change it", o.Kind.participle(), strings.Join(sweepable, ", "))
	default:
		return "", "", "", o.fail(name, "unknown field%s", suggestion(closest(name, sweepable), sweepable))
	}
	return name, strings.TrimSpace(value), path, nil
}

// axisNode builds the node of a sweep's values, as a file writes them: a
// list [a, b, c] for a,b,c, and a mapping {from, to, count, scale} for a
// range [log:|linear:]FROM:TO:COUNT.
func (o Override) axisNode(text string) (*yaml.Node, error) {
	if !strings.Contains(text, ":") {
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, v := range strings.Split(text, ",") {
			list.Content = append(list.Content, plainScalar(strings.TrimSpace(v)))
		}
		return list, nil
	}
	parts := strings.Split(text, ":")
	scale := "linear"
	if len(parts) == 4 {
		scale, parts = strings.TrimSpace(parts[0]), parts[1:]
	}
	if len(parts) != 3 {
		return nil, o.fail("sweep."+o.Field, "want a range FROM:TO:COUNT (linear) or log:FROM:TO:COUNT, such as 0.001:1:20, got %s", text)
	}
	r := &yaml.Node{Kind: yaml.MappingNode}
	for i, key := range rangeFields {
		v := scale
		if i < len(parts) {
			v = strings.TrimSpace(parts[i])
		}
		r.Content = append(r.Content, plainScalar(key), plainScalar(v))
	}
	return r, nil
}

// plainScalar returns the node of a value as a file writes it without
// quotes: YAML resolves what it holds (a number, a string, null) as it
// would in the file.
func plainScalar(text string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: text}
}

// fail returns a problem with the override, at its flag.
func (o Override) fail(field, format string, args ...any) error {
	return &UsageError{Problems: ErrorList{{Pos: Position{File: o.Flag}, Field: field, Msg: fmt.Sprintf(format, args...), onCommandLine: true}}}
}

// decoder returns a decoder of the override's nodes, which places them at
// its flag.
func (o Override) decoder() *decoder {
	d := &decoder{origins: map[*yaml.Node]string{}}
	d.placeAtFlag(o)
	return d
}

// placeAtFlag records that the override's nodes come from its flag, so
// that problems with them are reported there.
func (d *decoder) placeAtFlag(o Override) {
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return // an Override that ParseSet or ParseSweep did not make
		}
		d.origins[n] = o.Flag
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(o.node)
}

// usageErr returns the problems found, all with an override, as a
// *UsageError, or nil if there are none.
func (d *decoder) usageErr() error {
	if len(d.errs) == 0 {
		return nil
	}
	return &UsageError{Problems: d.errs}
}

// checkOverrides refuses overrides that give a field twice.
func checkOverrides(overrides []Override) error {
	var problems ErrorList
	for i, o := range overrides {
		if j := slices.IndexFunc(overrides[:i], func(p Override) bool { return p.Field == o.Field }); j >= 0 {
			problems = append(problems, &Error{Pos: Position{File: o.Flag}, Field: o.Field, onCommandLine: true,
				Msg: fmt.Sprintf("is already given by %s; give each field once", overrides[j].Flag)})
		}
	}
	if len(problems) > 0 {
		return &UsageError{Problems: problems}
	}
	return nil
}

// override applies overrides to the root mapping of an experiment's
// document, and returns the mapping to decode: a copy, made as shallow as
// it can be, so that no other node changes (an alias's target may be used
// elsewhere in the document).
func (d *decoder) override(root *yaml.Node, overrides []Override) *yaml.Node {
	holder := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{root}}
	root = own(holder, 0)
	for _, o := range overrides {
		if o.node == nil {
			continue // an Override that ParseSet or ParseSweep did not make
		}
		d.placeAtFlag(o)
		projectRuns(root, o.Field)
		if o.Kind == SetOverride {
			removeAxis(root, o.Field)
			if m := fieldMapping(root, o.Field, true); m != nil {
				setKey(m, o.Field, o.node)
			}
			continue
		}
		if m := fieldMapping(root, o.Field, false); m != nil {
			deleteKey(m, o.Field)
		}
		d.addAxis(root, o)
	}
	return root
}

// fieldMapping returns the mapping that holds a field set once: the
// experiment's, or for a weight an own copy of its weights: mapping,
// added with create if it has none (nil otherwise, and if weights: is not
// a mapping).
func fieldMapping(root *yaml.Node, field string, create bool) *yaml.Node {
	if slices.Contains(weightFields, field) {
		return ownMapping(root, "weights", create)
	}
	return root
}

// removeAxis stops the sweep's sweeping of field, and removes the sweep if
// it is left with nothing to sweep.
func removeAxis(root *yaml.Node, field string) {
	i := valueIndex(root, "sweep")
	if i < 0 || resolve(root.Content[i]).Kind != yaml.MappingNode || valueIndex(resolve(root.Content[i]), field) < 0 {
		return
	}
	sweep := own(root, i)
	deleteKey(sweep, field)
	if len(sweep.Content) == 0 {
		deleteKey(root, "sweep")
	}
}

// addAxis sweeps an override's field: in place of the axis the sweep has
// for it, or after the others. Problems with the sweep as a whole, such
// as more runs than max_runs allows, are reported at the flag.
func (d *decoder) addAxis(root *yaml.Node, o Override) {
	if sweep := ownMapping(root, "sweep", true); sweep != nil {
		setKey(sweep, o.Field, o.node)
		d.origins[sweep] = o.Flag
	}
}

// projectRuns leaves field out of the entries of runs:, then drops the
// entries it leaves empty or the same as an earlier one (which would be
// the same run), and runs: itself if no entry is left.
func projectRuns(root *yaml.Node, field string) {
	i := valueIndex(root, "runs")
	if i < 0 || resolve(root.Content[i]).Kind != yaml.SequenceNode {
		return
	}
	runs := own(root, i)
	seen := map[string]bool{}
	kept := runs.Content[:0]
	for j := range runs.Content {
		entry := resolve(runs.Content[j])
		if entry.Kind != yaml.MappingNode || valueIndex(entry, field) < 0 {
			kept = append(kept, runs.Content[j]) // as it is, for the decoder to judge
			continue
		}
		entry = own(runs, j)
		deleteKey(entry, field)
		if key := entryKey(entry); len(entry.Content) > 0 && !seen[key] {
			seen[key] = true
			kept = append(kept, entry)
		}
	}
	runs.Content = kept
	if len(kept) == 0 {
		deleteKey(root, "runs")
	}
}

// entryKey identifies the run an entry of runs: stands for: its fields
// and their numbers, in a fixed order (or their text, if not numbers).
func entryKey(entry *yaml.Node) string {
	var parts []string
	for k := 0; k+1 < len(entry.Content); k += 2 {
		v := resolve(entry.Content[k+1])
		text := v.Value
		if x, err := parseNumber(v); err == nil {
			text = strconv.FormatFloat(x, 'g', -1, 64)
		}
		parts = append(parts, resolve(entry.Content[k]).Value+"="+text)
	}
	slices.Sort(parts)
	return strings.Join(parts, "/")
}

// valueIndex returns the index in a mapping's Content of the value of
// key, or -1 if the mapping does not have it.
func valueIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if resolve(m.Content[i]).Value == key {
			return i + 1
		}
	}
	return -1
}

// own replaces the node at n.Content[i] (its alias's target, for an
// alias) with a copy that shares its contents but not the slice of them,
// and returns it: changing which nodes the copy holds changes no other
// node.
func own(n *yaml.Node, i int) *yaml.Node {
	c := *resolve(n.Content[i])
	c.Content = slices.Clone(c.Content)
	n.Content[i] = &c
	return &c
}

// ownMapping returns an own copy of the mapping that is the value of key
// in root; if root lacks key, a new mapping added to root with create, or
// else nil. It returns nil too if the value is not a mapping, which the
// decoder reports.
func ownMapping(root *yaml.Node, key string, create bool) *yaml.Node {
	switch i := valueIndex(root, key); {
	case i >= 0 && resolve(root.Content[i]).Kind == yaml.MappingNode:
		return own(root, i)
	case i >= 0 || !create:
		return nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	root.Content = append(root.Content, plainScalar(key), m)
	return m
}

// setKey sets the value of key in a mapping: in place of the first value
// it has, or added at the end.
func setKey(m *yaml.Node, key string, value *yaml.Node) {
	if i := valueIndex(m, key); i >= 0 {
		m.Content[i] = value
		return
	}
	m.Content = append(m.Content, plainScalar(key), value)
}

// deleteKey removes every value of key from a mapping.
func deleteKey(m *yaml.Node, key string) {
	for i := valueIndex(m, key); i >= 0; i = valueIndex(m, key) {
		m.Content = slices.Delete(m.Content, i-1, i+1)
	}
}
