package experiment

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/descentlab/runner/internal/search"
)

// Search is an experiment's search: the field it varies, where it is
// declared, and what it looks for.
type Search struct {
	Field string
	// Pos is where the field's search is declared, for the problems the
	// search meets as it runs (a range whose ends both converge).
	Pos  Position
	Spec search.Spec
}

// searchable are the fields a search may vary: those a sweep may, but
// max_iterations, a whole number.
var searchable = slices.DeleteFunc(slices.Clone(sweepable), func(f string) bool { return f == "max_iterations" })

// searchKeys are the keys of a field's search, in the order the docs list
// them.
var searchKeys = []string{"find", "from", "to", "scale", "precision", "width", "max_runs", "iterations"}

// logScaled are the fields a search spaces on a log scale unless told
// otherwise: those that are rates or sizes, greater than 0.
var logScaled = []string{"alpha", "tolerance"}

// Probes reports whether the experiment's runs are the probes of a search
// (an edge or fastest search), which SearchRun makes as the search
// proposes them, rather than runs fixed in advance: RunCount is then 0. A
// range test (lr-range) is one run, Run(0).
func (e *Experiment) Probes() bool {
	return e.Search != nil && e.Search.Spec.Find != search.LRRange
}

// SearchRun returns the run that probes value v of the searched field,
// named as a sweep's run of that value: "article-edge/alpha=0.1".
func (e *Experiment) SearchRun(v float64) Run {
	r := Run{Experiment: e, Start: e.Start, Settings: e.Settings, Swept: []Setting{{e.Search.Field, v}}}
	apply(e.Search.Field, v, &r.Start.Params, &r.Settings)
	r.ID = e.Name + "/" + identifier(r.Swept)
	return r
}

// unused returns the top-level fields the search's runs do not use, which
// are then neither required nor allowed: a range test's tolerance and
// max_iterations. It is nil for no search.
func (s *Search) unused() []string {
	if s != nil && s.Spec.Find == search.LRRange {
		return []string{"tolerance", "max_iterations"}
	}
	return nil
}

// applySearch makes a range test's settings the experiment's: its one run
// is the test.
func (e *Experiment) applySearch() {
	if e.Search != nil && e.Search.Spec.Find == search.LRRange {
		e.Settings = e.Search.Spec.RangeSettings(e.Settings)
	}
}

// search decodes search:, which names one field and what to find, and
// checks it against the experiment's other fields (f): it runs on its
// own, without sweep or runs, within the experiment's max_runs unless it
// sets its own. It returns the search, as far as it could be decoded, or
// nil if it names no field it can vary.
func (d *decoder) search(n *yaml.Node, f fields, e *Experiment) *Search {
	if r := resolve(n); r.Kind == yaml.ScalarNode && slices.Contains(searchable, r.Value) {
		d.fail(n, "search", "want a mapping of the field searched to what to find, such as %s: {find: edge, from: ..., to: ...}; got %s alone", r.Value, r.Value)
		return &Search{Field: r.Value}
	}
	m, ok := d.mapping(n, "search", sweepable, nil)
	if !ok {
		return nil
	}
	var named []string
	for _, k := range keysInOrder(resolve(n)) {
		if _, ok := m.values[k]; ok && !slices.Contains(named, k) {
			named = append(named, k)
		}
	}
	switch {
	case len(named) == 0 && len(resolve(n).Content) == 0:
		d.fail(n, "search", "searches nothing; give a field and what to find, such as alpha: {find: edge, from: 0.001, to: 1}")
		return nil
	case len(named) == 0:
		return misspelt(n) // its fields are unknown, and reported
	case len(named) > 1:
		d.fail(m.values[named[1]], join("search", named[1]), "a search varies one field, and this one varies %s already; give each search an experiment of its own", named[0])
	}
	field := named[0]
	path := join("search", field)
	if field == "max_iterations" {
		d.fail(m.values[field], path, "cannot be searched, as it is a whole number; sweep it instead")
		return nil
	}
	before := len(d.errs)
	s := &Search{Field: field, Pos: d.pos(resolve(m.values[field]))}
	keys := d.searchSpec(m.values[field], path, s)
	invalid := len(d.errs) > before
	d.alone(f, s, path)
	if invalid {
		return s
	}
	budgetNode, budgetField := keys["max_runs"], join(path, "max_runs")
	if budgetNode == nil && s.Spec.Find != search.LRRange {
		s.Spec.MaxRuns = e.MaxRuns
		budgetNode, budgetField = f.values["max_runs"], "max_runs"
	}
	for _, p := range s.Spec.Check() {
		at, field := keys[p.Setting], join(path, p.Setting)
		if p.Setting == "max_runs" {
			at, field = budgetNode, budgetField
			p.Msg += "; allow that many runs, or ask for a coarser precision"
		}
		if at == nil {
			at = m.values[s.Field]
		}
		d.fail(at, field, "%s", p.Msg)
	}
	return s
}

// misspelt returns a search of the field that the first of a search's
// unknown fields is a misspelling of, if one is close: a search, however
// mistaken, so that the field is not also reported missing.
func misspelt(n *yaml.Node) *Search {
	for _, k := range keysInOrder(resolve(n)) {
		if c := closest(k, searchable); c != "" {
			return &Search{Field: c}
		}
	}
	return nil
}

// searchSpec decodes the search of one field: a mapping of searchKeys. It
// returns the keys' values, by key.
func (d *decoder) searchSpec(n *yaml.Node, path string, s *Search) map[string]*yaml.Node {
	f, ok := d.mapping(n, path, searchKeys, nil)
	if !ok {
		return f.values
	}
	spec := &s.Spec
	if v, ok := d.required(f, "find"); ok {
		if name, ok := d.str(v, join(path, "find")); ok {
			find, known := search.ParseFind(name)
			if !known {
				d.fail(v, join(path, "find"), "want edge, fastest or lr-range, got %q%s", name, suggestion(closest(name, search.FindNames()), search.FindNames()))
			}
			spec.Find = find
		}
	}
	if v, ok := d.required(f, "from"); ok {
		spec.From, _ = d.value(v, join(path, "from"), s.Field)
	}
	if v, ok := d.required(f, "to"); ok {
		spec.To, _ = d.value(v, join(path, "to"), s.Field)
	}
	if slices.Contains(logScaled, s.Field) {
		spec.Scale = search.Log
	}
	if v, ok := f.values["scale"]; ok {
		switch scale, _ := d.str(v, join(path, "scale")); scale {
		case "linear":
			spec.Scale = search.Linear
		case "log":
			spec.Scale = search.Log
		case "":
		default:
			d.fail(v, join(path, "scale"), "want linear or log, got %q", scale)
		}
	}
	if v, ok := f.values["precision"]; ok {
		spec.Precision, _ = d.number(v, join(path, "precision"))
	}
	if v, ok := f.values["width"]; ok {
		spec.Width, _ = d.integer(v, join(path, "width"), 1, search.MaxWidth)
	}
	if v, ok := f.values["max_runs"]; ok {
		spec.MaxRuns, _ = d.integer(v, join(path, "max_runs"), 1, MaxRunsCap)
	}
	if v, ok := f.values["iterations"]; ok {
		spec.Iterations, _ = d.integer(v, join(path, "iterations"), 2, MaxIterationsCap)
	}
	if v := f.values["find"]; spec.Find == search.LRRange && s.Field != "alpha" {
		d.fail(v, join(path, "find"), "lr-range varies alpha only, not %s; search alpha, or find the edge or the fastest %s", s.Field, s.Field)
	}
	return f.values
}

// alone refuses what a search cannot run with: sweep and runs, which
// would make a search of each of their runs, and for a range test the
// top-level fields it does not use.
func (d *decoder) alone(f fields, s *Search, path string) {
	for _, other := range []string{"sweep", "runs"} {
		v, ok := f.values[other]
		switch {
		case !ok:
		case other == "sweep" && slices.Contains(keysInOrder(resolve(v)), s.Field):
			d.fail(v, other, "sweeps %s, which %s searches; a field is either swept or searched", s.Field, path)
		default:
			d.fail(v, other, "cannot be given with search:, which runs on its own; put the search in an experiment of its own")
		}
	}
	for _, field := range s.unused() {
		if v, ok := f.values[field]; ok {
			d.fail(v, field, "is not used by a range test (%s, find: lr-range), %s; remove it", path, unusedWhy[field])
		}
	}
	if v, ok := f.values["trace_every"]; ok && s.Spec.Find == search.LRRange && !(resolve(v).Value == "1") {
		d.fail(v, "trace_every", "a range test (%s, find: lr-range) keeps every iteration in its trace, which its analysis reads; remove trace_every", path)
	}
}

// unusedWhy says why a range test does not use a top-level field.
var unusedWhy = map[string]string{
	"tolerance":      "which goes on whatever |step|",
	"max_iterations": fmt.Sprintf("whose one run takes the search's iterations (%d unless set)", search.DefaultRangeIterations),
}
