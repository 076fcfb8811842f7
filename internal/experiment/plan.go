package experiment

import (
	"slices"
	"sort"

	"github.com/descentlab/runner/pkg/engine"
)

// Run is one run of an experiment: its parameters and settings, with the
// values of its sweep applied.
type Run struct {
	// ID identifies the run and names its results folder: the experiment's
	// name, followed for a sweep by a folder for each value the run sets,
	// as in "lr-sweep/alpha=0.05/b3_initial=1" (fields in a fixed order:
	// alpha, b3, tolerance, max_iterations, w1, b1, w2, b2, w3, w4; keys as
	// FolderKey gives them). Tools that read key=value folders as columns
	// (Hive-style partitions) read them as such.
	ID         string
	Experiment *Experiment
	Start      engine.Network
	Settings   engine.Settings
	// Swept are the values the run's sweep and runs entry set, in the order
	// of its identifier.
	Swept []Setting
}

// Swept reports whether the experiment declares a sweep or runs, and so
// expands to runs with their own identifiers.
func (e *Experiment) Swept() bool {
	return len(e.Axes) > 0 || len(e.Runs) > 0
}

// RunCount returns how many runs the experiment expands to: 0 for a
// search whose runs are probes (Probes), made by SearchRun as it goes.
func (e *Experiment) RunCount() int {
	n, _ := e.runCount()
	return n
}

// runCount returns how many runs the experiment expands to, and whether
// that is beyond MaxRunsCap (when the count is only a lower bound).
func (e *Experiment) runCount() (int, bool) {
	if e.Probes() {
		return 0, false
	}
	n := max(1, len(e.Runs))
	for i := range e.Axes {
		n *= e.Axes[i].Len()
		if n > MaxRunsCap {
			return n, true
		}
	}
	return n, false
}

// Run returns run i (from 0) of the experiment. Runs come in a fixed
// order: for each runs entry, in order, every combination of the swept
// values, the first axis varying slowest and the last fastest.
func (e *Experiment) Run(i int) Run {
	r := Run{ID: e.Name, Experiment: e, Start: e.Start, Settings: e.Settings}
	if !e.Swept() {
		return r
	}
	gridSize := 1
	for j := range e.Axes {
		gridSize *= e.Axes[j].Len()
	}
	if len(e.Runs) > 0 {
		r.Swept = append(r.Swept, e.Runs[i/gridSize]...)
	}
	point := i % gridSize
	for j := len(e.Axes) - 1; j >= 0; j-- {
		a := &e.Axes[j]
		r.Swept = append(r.Swept, Setting{a.Field, a.Value(point % a.Len())})
		point /= a.Len()
	}
	slices.SortFunc(r.Swept, func(a, b Setting) int {
		return slices.Index(sweepable, a.Field) - slices.Index(sweepable, b.Field)
	})
	for _, s := range r.Swept {
		apply(s.Field, s.Value, &r.Start.Params, &r.Settings)
	}
	r.ID = e.Name + "/" + identifier(r.Swept)
	return r
}

// Plan is the runs of a set of experiments: each experiment's runs in
// order, experiments in the order given.
type Plan struct {
	exps []*Experiment
	ends []int // ends[k] is the number of runs of exps[0..k]
}

// NewPlan plans the runs of exps.
func NewPlan(exps []*Experiment) *Plan {
	p := &Plan{exps: exps, ends: make([]int, len(exps))}
	total := 0
	for k, e := range exps {
		total += e.RunCount()
		p.ends[k] = total
	}
	return p
}

// Len returns the number of runs.
func (p *Plan) Len() int {
	if len(p.ends) == 0 {
		return 0
	}
	return p.ends[len(p.ends)-1]
}

// Run returns run i (from 0).
func (p *Plan) Run(i int) Run {
	k := sort.SearchInts(p.ends, i+1)
	start := 0
	if k > 0 {
		start = p.ends[k-1]
	}
	return p.exps[k].Run(i - start)
}

// SweptFields returns the fields the experiment's sweep and runs entries
// set, in the order written: the sweep's axes, then the fields of runs
// entries.
func (e *Experiment) SweptFields() []string {
	var fields []string
	for _, a := range e.Axes {
		fields = append(fields, a.Field)
	}
	for _, r := range e.Runs {
		for _, s := range r {
			if !slices.Contains(fields, s.Field) {
				fields = append(fields, s.Field)
			}
		}
	}
	return fields
}
