package experiment

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/prose"
)

// Limits of sweeps.
const (
	// DefaultMaxRuns bounds how many runs an experiment may expand to,
	// unless it sets max_runs.
	DefaultMaxRuns = 1_000_000
	// MaxRunsCap bounds max_runs: a sweep's memory does not grow with its
	// runs, but its files and time do.
	MaxRunsCap = 10_000_000
)

var rangeFields = []string{"from", "to", "count", "scale"}

// Axis is a field a sweep varies: a list of values, or a range computed
// value by value so that large sweeps take no memory.
type Axis struct {
	Field string
	// Pos is where the axis is declared.
	Pos Position

	list []float64 // the values of a list, or nil for a range

	from, to float64 // a range's ends, both included
	count    int
	log      bool // spaced evenly in log scale, rather than linear
}

// Log reports whether the axis is a range spaced evenly in log scale.
func (a *Axis) Log() bool {
	return a.list == nil && a.log
}

// Len returns the number of values.
func (a *Axis) Len() int {
	if a.list != nil {
		return len(a.list)
	}
	return a.count
}

// Max returns the largest value. Ranges are monotonic, so it is one of
// their ends.
func (a *Axis) Max() float64 {
	if a.list != nil {
		return slices.Max(a.list)
	}
	return max(a.Value(0), a.Value(a.count-1))
}

// Value returns value i (from 0). Range values are rounded to 12
// significant digits, and to whole numbers for max_iterations.
func (a *Axis) Value(i int) float64 {
	if a.list != nil {
		return a.list[i]
	}
	var v float64
	switch {
	case i == 0 || a.count == 1:
		v = a.from
	case i == a.count-1:
		v = a.to
	case a.log:
		// Magnitudes spaced evenly in log10, keeping the ends' sign.
		lo, hi := math.Log10(math.Abs(a.from)), math.Log10(math.Abs(a.to))
		v = math.Copysign(math.Pow(10, lo+(hi-lo)*float64(i)/float64(a.count-1)), a.from)
	default:
		if d := a.to - a.from; !math.IsInf(d, 0) {
			v = a.from + d*float64(i)/float64(a.count-1)
		} else { // ends near float64's limits: their distance overflows
			t := float64(i) / float64(a.count-1)
			v = a.from*(1-t) + a.to*t
		}
	}
	if a.Field == "max_iterations" {
		return math.Round(v)
	}
	return clean(v)
}

// variations decodes an experiment's sweep:, runs:, max_runs: and search:,
// and returns the fields they set for every run, each with where it is set
// ("sweep.alpha", "every entry of runs", "search.alpha"): the experiment
// then need not set them itself, and may not, as its value would never be
// used.
func (d *decoder) variations(f fields, e *Experiment) map[string]string {
	before := len(d.errs)
	e.MaxRuns = DefaultMaxRuns
	if v, ok := f.values["max_runs"]; ok {
		e.MaxRuns, _ = d.integer(v, "max_runs", 1, MaxRunsCap)
	}
	provided := map[string]string{}
	if v, ok := f.values["sweep"]; ok {
		e.Axes = d.sweep(v)
		for _, k := range keysInOrder(resolve(v)) {
			provided[k] = join("sweep", k) // even if its values are invalid, and reported
		}
	}
	if v, ok := f.values["runs"]; ok {
		e.Runs = d.runEntries(v, e.Axes)
		for _, field := range sweepable {
			if _, swept := provided[field]; !swept && setInEveryEntry(resolve(v), field) {
				provided[field] = "every entry of runs"
			}
		}
	}
	if v, ok := f.values["search"]; ok {
		if e.Search = d.search(v, f, e); e.Search != nil {
			provided[e.Search.Field] = join("search", e.Search.Field)
		}
	}
	if len(d.errs) == before && d.checkRunCount(f, e) {
		d.checkRepeats(e.Axes)
	}
	return provided
}

// sweep decodes the sweep: mapping, one axis per field.
func (d *decoder) sweep(n *yaml.Node) []Axis {
	f, ok := d.mapping(n, "sweep", sweepable, nil)
	if !ok {
		return nil
	}
	if len(f.values) == 0 && len(resolve(n).Content) == 0 {
		d.fail(n, "sweep", "sweeps nothing; give a field and its values, such as alpha: [0.01, 0.1]")
		return nil
	}
	var axes []Axis
	for _, k := range keysInOrder(resolve(n)) {
		v, ok := f.values[k]
		if !ok {
			continue // unknown or repeated, and reported
		}
		if a, ok := d.axis(v, k); ok {
			axes = append(axes, a)
		}
	}
	return axes
}

// keysInOrder returns a mapping's keys in the order written, or none if
// n is not a mapping.
func keysInOrder(n *yaml.Node) []string {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, resolve(n.Content[i]).Value)
	}
	return keys
}

// axis decodes the values of one swept field: a list or a range.
func (d *decoder) axis(n *yaml.Node, field string) (Axis, bool) {
	n = resolve(n)
	path := join("sweep", field)
	a := Axis{Field: field, Pos: d.pos(n)}
	switch n.Kind {
	case yaml.SequenceNode:
		return a, d.listAxis(n, path, &a)
	case yaml.MappingNode:
		return a, d.rangeAxis(n, path, &a)
	}
	d.fail(n, path, "want a list of values or a range {from: ..., to: ..., count: ...}, got %s", describe(n))
	return a, false
}

// listAxis decodes a list of values, each valid for the field and none
// repeated.
func (d *decoder) listAxis(n *yaml.Node, path string, a *Axis) bool {
	if len(n.Content) == 0 {
		d.fail(n, path, "empty list; give at least one value")
		return false
	}
	ok := true
	a.list = make([]float64, 0, len(n.Content))
	for i, it := range n.Content {
		v, valid := d.value(it, item(path, i), a.Field)
		if valid && slices.Contains(a.list, v) {
			d.fail(it, item(path, i), "value %s appears twice", resolve(it).Value)
			valid = false
		}
		ok = ok && valid
		a.list = append(a.list, v)
	}
	return ok
}

// rangeAxis decodes a range {from, to, count, scale}.
func (d *decoder) rangeAxis(n *yaml.Node, path string, a *Axis) bool {
	before := len(d.errs)
	f, _ := d.mapping(n, path, rangeFields, nil)
	if v, ok := d.required(f, "from"); ok {
		a.from, _ = d.value(v, join(path, "from"), a.Field)
	}
	if v, ok := d.required(f, "to"); ok {
		a.to, _ = d.value(v, join(path, "to"), a.Field)
	}
	if v, ok := d.required(f, "count"); ok {
		a.count, _ = d.integer(v, join(path, "count"), 1, MaxRunsCap)
	}
	if v, ok := f.values["scale"]; ok {
		scale, _ := d.str(v, join(path, "scale"))
		switch scale {
		case "linear":
		case "log":
			a.log = true
		default:
			d.fail(v, join(path, "scale"), "want linear or log, got %q", scale)
		}
	}
	if len(d.errs) > before {
		return false
	}
	switch {
	case a.count == 1 && a.from != a.to:
		d.fail(n, path, "count 1 cannot include both from and to; use a list [%s] or a count of at least 2", FormatValue(a.from))
	case a.log && (a.from == 0 || a.to == 0 || (a.from < 0) != (a.to < 0)):
		d.fail(n, path, "a log range cannot reach or cross 0 (from %s to %s); use a linear range", FormatValue(a.from), FormatValue(a.to))
	}
	return len(d.errs) == before
}

// checkRepeats refuses ranges whose values would repeat once rounded.
func (d *decoder) checkRepeats(axes []Axis) {
	for i := range axes {
		a := &axes[i]
		if a.list == nil && a.count > 1 && !a.distinct() {
			rounding := "12 significant digits"
			if a.Field == "max_iterations" {
				rounding = "whole numbers"
			}
			d.errs = append(d.errs, &Error{Pos: a.Pos, Field: join("sweep", a.Field),
				Msg: fmt.Sprintf("count %d is too many for the range from %s to %s: values would repeat once rounded to %s; use a smaller count",
					a.count, FormatValue(a.from), FormatValue(a.to), rounding)})
		}
	}
}

// distinct reports whether a range's values are sure to differ once
// rounded. Neighbours differ when their distance exceeds the rounding unit,
// which is at most 1 for whole numbers and, for 12 significant digits, at
// most 1e-11 of the larger magnitude. Knowing this from the ends keeps
// validation quick however large the count.
func (a *Axis) distinct() bool {
	lo, hi := min(math.Abs(a.from), math.Abs(a.to)), max(math.Abs(a.from), math.Abs(a.to))
	steps := float64(a.count - 1)
	if a.log {
		ratio := math.Pow(hi/lo, 1/steps) - 1 // relative distance between neighbours
		if a.Field == "max_iterations" {
			return lo*ratio >= 1
		}
		return ratio > 2e-11
	}
	step := math.Abs(a.to-a.from) / steps
	if a.Field == "max_iterations" {
		return step >= 1
	}
	return step > 1e-11*hi
}

// runEntries decodes the runs: list, each entry a set of values to run
// together. Entries may not set a swept field, nor repeat one another.
func (d *decoder) runEntries(n *yaml.Node, axes []Axis) [][]Setting {
	items, ok := d.list(n, "runs")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.fail(n, "runs", "empty list; give at least one run, such as {alpha: 0.1, b3: 0}")
		return nil
	}
	var entries [][]Setting
	seen := map[string]int{}
	for i, it := range items {
		before := len(d.errs)
		path := item("runs", i)
		f, ok := d.mapping(it, path, sweepable, nil)
		if !ok {
			continue
		}
		if len(f.values) == 0 {
			d.fail(f.node, path, "sets nothing; give the fields of this run, such as {alpha: 0.1}")
			continue
		}
		var entry []Setting
		for _, field := range sweepable {
			v, ok := f.values[field]
			if !ok {
				continue
			}
			if slices.ContainsFunc(axes, func(a Axis) bool { return a.Field == field }) {
				d.fail(v, join(path, field), "is also swept; a field is either swept or set in runs")
				continue
			}
			if x, ok := d.value(v, join(path, field), field); ok {
				entry = append(entry, Setting{field, x})
			}
		}
		if len(d.errs) > before {
			continue
		}
		if len(entries) > 0 && !sameFields(entry, entries[0]) {
			d.fail(f.node, path, "sets %s, but the first entry sets %s; every entry must set the same fields, as each field is a level of the run folders",
				fieldList(entry), fieldList(entries[0]))
			continue
		}
		key := identifier(entry)
		if first, dup := seen[key]; dup {
			d.fail(f.node, path, "repeats runs[%d]", first)
			continue
		}
		seen[key] = i + 1
		entries = append(entries, entry)
	}
	return entries
}

// sameFields reports whether two runs entries set the same fields.
func sameFields(a, b []Setting) bool {
	return slices.EqualFunc(a, b, func(x, y Setting) bool { return x.Field == y.Field })
}

// fieldList names the fields a runs entry sets: "alpha and b3".
func fieldList(entry []Setting) string {
	names := make([]string, len(entry))
	for i, s := range entry {
		names[i] = s.Field
	}
	return prose.And(names)
}

// setInEveryEntry reports whether every entry of a runs: list sets field.
func setInEveryEntry(runs *yaml.Node, field string) bool {
	if runs.Kind != yaml.SequenceNode || len(runs.Content) == 0 {
		return false
	}
	for _, entry := range runs.Content {
		if !slices.Contains(keysInOrder(resolve(entry)), field) {
			return false
		}
	}
	return true
}

// checkRunCount refuses an experiment that expands to more runs than
// max_runs allows, and reports whether it is allowed.
func (d *decoder) checkRunCount(f fields, e *Experiment) bool {
	n, overflow := e.runCount()
	if !overflow && n <= e.MaxRuns {
		return true
	}
	field := "sweep"
	at := f.values[field]
	if at == nil {
		field = "runs"
		at = f.values[field]
	}
	count := fmt.Sprint(n)
	if overflow {
		count = "more than " + prose.Thousands(MaxRunsCap)
	}
	d.fail(at, field, "expands to %s runs, more than max_runs (%d) allows; set max_runs: to allow more, or sweep fewer values", count, e.MaxRuns)
	return false
}

// identifier joins settings as a run identifier shows them, one folder
// per field: "alpha=0.05/b3_initial=1".
func identifier(settings []Setting) string {
	parts := make([]string, len(settings))
	for i, s := range settings {
		parts[i] = FolderKey(s.Field) + "=" + formatSetting(s.Field, s.Value)
	}
	return strings.Join(parts, "/")
}
