package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/descentlab/runner/internal/batch"
	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/internal/search"
	"github.com/descentlab/runner/pkg/engine"
)

// OverviewFiles returns the pictures of an experiment's own, which show
// all its runs: curves.svg for more than one run, sweep.svg for a sweep,
// grid.svg for a sweep of two fields or more. None without pictures.
func OverviewFiles(runs int, swept []string, pictures results.Pictures) []string {
	var files []string
	if pictures == results.NoPictures || runs < 2 {
		return nil
	}
	files = append(files, results.CurvesFile)
	if len(swept) > 0 {
		files = append(files, results.SweepFile)
	}
	if len(swept) >= 2 {
		files = append(files, results.GridFile)
	}
	return files
}

// overview gathers, as an experiment's runs come in order, what its
// pictures of every run need: each run's swept values, iterations and
// status (not its trace: the curves chart reads the traces of the runs it
// draws, at most plots.MaxCurves of them, once the runs are in).
type overview struct {
	name   string
	files  []string
	swept  []string // the swept fields, as folder keys, in the order of run identifiers
	x      string   // the field curves are coloured by and the sweep drawn against
	y      string   // the grid's other axis
	inputs results.Inputs
	keys   []plots.CurveKey
	sweep  *plots.SweepPoints
	series []string // each kept sweep point's series
	cells  map[string][]plots.GridCell
	panels []string
	n      int
	most   int // the most runs the experiment may have, which thins a sweep's points
}

// newOverview starts the overview of an experiment whose runs share
// inputs and set the fields swept (folder keys, in identifier order),
// drawing files.
func newOverview(name string, inputs results.Inputs, swept []string, runs int, files []string) *overview {
	if len(files) == 0 {
		return nil
	}
	v := &overview{name: name, files: files, swept: swept, inputs: inputs, cells: map[string][]plots.GridCell{}, most: runs}
	v.x = "alpha"
	if !slices.Contains(swept, "alpha") && len(swept) > 0 {
		v.x = swept[0]
	}
	for _, k := range swept {
		if k != v.x {
			v.y = k
			break
		}
	}
	if slices.Contains(files, results.SweepFile) {
		v.sweep = plots.NewSweepPoints(runs)
	}
	return v
}

// valueOf returns the value a run sets of a swept field (a folder key), or
// its input if it does not sweep it.
func valueOf(rec *results.Record, key string) float64 {
	for _, s := range rec.Swept {
		if experiment.FolderKey(s.Field) == key {
			return s.Value
		}
	}
	col, _ := results.ColumnOf(strings.TrimSuffix(key, "_initial"))
	return rec.Cell(col).Num
}

// label writes the values a run sets of some swept fields as people read
// them: "starting b3 = 1, tolerance = 0.001".
func label(rec *results.Record, keys []string) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, plots.FieldOf(k, false).Label+" = "+experiment.FormatValue(valueOf(rec, k)))
	}
	return strings.Join(parts, ", ")
}

// others returns the swept fields but some.
func others(swept []string, but ...string) []string {
	return slices.DeleteFunc(slices.Clone(swept), func(k string) bool { return slices.Contains(but, k) })
}

// add takes the experiment's next run.
func (v *overview) add(rec *results.Record) {
	o := &rec.Outcome
	x := valueOf(rec, v.x)
	v.keys = append(v.keys, plots.CurveKey{Value: x, Status: o.Status})
	if v.sweep != nil {
		if v.sweep.Add(v.n, plots.SweepRun{Value: x, Iterations: o.Iterations, Status: o.Status}) {
			v.series = append(v.series, label(rec, others(v.swept, v.x)))
		}
	}
	if slices.Contains(v.files, results.GridFile) {
		panel := label(rec, others(v.swept, v.x, v.y))
		if _, ok := v.cells[panel]; !ok {
			v.panels = append(v.panels, panel)
		}
		v.cells[panel] = append(v.cells[panel], plots.GridCell{X: x, Y: valueOf(rec, v.y), Iterations: o.Iterations, Status: o.Status})
	}
	v.n++
}

// drawing names what the pictures of the overview depend on besides the
// records of its runs, for the stat cache to keep them only if it is the
// same: the version of the drawing, the fields drawn on log scales
// (logKeys: a sweep of a log range and one of a list of the same values
// have the same records), and the most runs the experiment may have.
func (v *overview) drawing(logKeys []string) string {
	return fmt.Sprintf("%d;%s;%d", plots.Version, strings.Join(logKeys, "+"), v.most)
}

// field describes a swept field for the pictures: on a log scale where
// the experiment's sweep of it is.
func (v *overview) field(key string, logKeys []string) plots.Field {
	return plots.FieldOf(key, slices.Contains(logKeys, key))
}

// charts are an experiment's overview pictures, as charts.
type charts struct {
	curves *plots.CurvesChart
	sweep  *plots.SweepChart
	grid   *plots.GridChart
}

// build makes the charts; open opens the trace of the experiment's i-th
// run, for the curves of the runs drawn.
func (v *overview) build(logKeys []string, open func(i int) (io.ReadCloser, error)) (*charts, error) {
	c := &charts{}
	x := v.field(v.x, logKeys)
	b3Only := v.inputs.Train == engine.NewParamSet(engine.B3)
	if slices.Contains(v.files, results.CurvesFile) {
		chosen, caption := plots.SelectCurves(x, v.keys)
		c.curves = &plots.CurvesChart{Title: v.name + ": SSR of every run", Field: x, Caption: caption}
		if b3Only && !slices.ContainsFunc(v.swept, func(k string) bool { return strings.HasSuffix(k, "_initial") && k != "b3_initial" }) {
			n := v.inputs.Start
			n.B3 = engine.Optimum(n, v.inputs.Data)
			c.curves.Floor = n.SSR(v.inputs.Data)
		}
		for _, i := range chosen {
			thinner, err := readCurve(open, i)
			if err != nil {
				return nil, err
			}
			c.curves.Curves = append(c.curves.Curves, plots.Curve{Value: v.keys[i].Value, Status: v.keys[i].Status, Points: thinner})
		}
	}
	if v.sweep != nil {
		c.sweep = &plots.SweepChart{Title: v.name + ": iterations of every run", X: x}
		if b3Only && v.x == "alpha" {
			c.sweep.N = len(v.inputs.Data)
		}
		for i, p := range v.sweep.Points() {
			label := v.series[i]
			k := slices.IndexFunc(c.sweep.Series, func(s plots.SweepSeries) bool { return s.Label == label })
			if k < 0 {
				c.sweep.Series = append(c.sweep.Series, plots.SweepSeries{Label: label})
				k = len(c.sweep.Series) - 1
			}
			c.sweep.Series[k].Runs = append(c.sweep.Series[k].Runs, p)
		}
	}
	if slices.Contains(v.files, results.GridFile) {
		c.grid = &plots.GridChart{Title: v.name + ": iterations over " + x.Label + " and " + plots.FieldOf(v.y, false).Label, X: x, Y: v.field(v.y, logKeys)}
		for _, panel := range v.panels {
			c.grid.Panels = append(c.grid.Panels, plots.GridPanel{Label: panel, Cells: v.cells[panel]})
		}
	}
	return c, nil
}

// draw draws the charts, as the files they are.
func (c *charts) draw() (map[string][]byte, error) {
	var draws []func() ([]byte, error)
	var names []string
	if c.curves != nil {
		draws, names = append(draws, func() ([]byte, error) { return plots.Curves(c.curves) }), append(names, results.CurvesFile)
	}
	if c.sweep != nil {
		draws, names = append(draws, func() ([]byte, error) { return plots.Sweep(c.sweep) }), append(names, results.SweepFile)
	}
	if c.grid != nil {
		draws, names = append(draws, func() ([]byte, error) { return plots.Grid(c.grid) }), append(names, results.GridFile)
	}
	// Each picture is drawn on its own goroutine: they share nothing, and
	// the last runs of a batch leave the other workers idle.
	svgs := make([][]byte, len(draws))
	errs := make([]error, len(draws))
	var wg sync.WaitGroup
	for i, draw := range draws {
		wg.Go(func() { svgs[i], errs[i] = draw() })
	}
	wg.Wait()
	files := map[string][]byte{}
	for i, name := range names {
		if errs[i] != nil {
			return nil, fmt.Errorf("%s: %w", name, errs[i])
		}
		files[name] = svgs[i]
	}
	return files, nil
}

// readCurve reads the SSR curve of a run from its trace, thinned for a
// chart: the trace's cells as written, so that a run just computed and a
// run stored draw the same.
func readCurve(open func(i int) (io.ReadCloser, error), i int) (*plots.CurveThinner, error) {
	f, err := open(i)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := results.NewTraceReader(f)
	if err != nil {
		return nil, err
	}
	ssr := slices.Index(t.Header(), "ssr")
	if ssr < 0 {
		return nil, fmt.Errorf("its trace has no ssr column")
	}
	thinner := plots.NewCurveThinner()
	for {
		row, err := t.Next()
		if err == io.EOF {
			return thinner, nil
		}
		if err != nil {
			return nil, err
		}
		n, err1 := strconv.Atoi(row[0])
		v, err2 := strconv.ParseFloat(row[ssr], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: not numbers", t.Line())
		}
		thinner.Add(n, v)
	}
}

// traceOpener opens the traces of an experiment's runs in a results
// folder, by their index, as ids gives their identifiers.
func traceOpener(fsys fs.FS, id func(i int) string) func(i int) (io.ReadCloser, error) {
	return func(i int) (io.ReadCloser, error) {
		return fsys.Open(path.Join(id(i), results.TraceFile))
	}
}

// logFields returns the fields an experiment sweeps on a log scale: its
// log ranges, and the field of a search on a log scale.
func logFields(e *experiment.Experiment) []string {
	var keys []string
	for i := range e.Axes {
		if e.Axes[i].Log() {
			keys = append(keys, experiment.FolderKey(e.Axes[i].Field))
		}
	}
	if e.Probes() && e.Search.Spec.Scale == search.Log {
		keys = append(keys, experiment.FolderKey(e.Search.Field))
	}
	return keys
}

// runLabel names a run in its pictures' titles: the experiment, and the
// values the run sets, as people read them.
func runLabel(rec *results.Record) string {
	if len(rec.Swept) == 0 {
		return rec.Experiment()
	}
	keys := make([]string, len(rec.Swept))
	for i, s := range rec.Swept {
		keys[i] = experiment.FolderKey(s.Field)
	}
	return rec.Experiment() + ": " + label(rec, keys)
}

// Side is a results folder, for the pictures of a change.
type Side struct {
	Name string
	FS   fs.FS
}

// ChangePictures draws the pictures of an experiment that changed
// between two results folders: each of its overview pictures (curves,
// sweep, grid) with both sides overlaid, old dashed and new solid; and
// for an experiment of one run, its descent on each side. It returns them
// by file name: curves.svg, sweep.svg, grid.svg, descent-old.svg,
// descent-new.svg. A side without the experiment draws nothing of its
// own.
func ChangePictures(old, new Side, name string) (map[string][]byte, error) {
	var built [2]*charts
	var recs [2][]*results.Record
	for i, s := range []Side{old, new} {
		m, err := results.ReadManifest(s.FS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		err = results.ReadRecords(s.FS, m, func(r *results.Record) error { recs[i] = append(recs[i], r); return nil })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		if len(recs[i]) < 2 {
			continue
		}
		v := newOverview(name, m.Inputs, m.Swept, len(recs[i]), OverviewFiles(len(recs[i]), m.Swept, results.AutoPictures))
		for _, r := range recs[i] {
			v.add(r)
		}
		ids := func(k int) string { return recs[i][k].Run }
		if built[i], err = v.build(nil, traceOpener(s.FS, ids)); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	files := map[string][]byte{}
	var err error
	switch o, n := built[0], built[1]; {
	case o != nil && n != nil:
		if o.curves != nil && n.curves != nil {
			if files[results.CurvesFile], err = plots.CurvesChange(o.curves, n.curves); err != nil {
				return nil, err
			}
		}
		if o.sweep != nil && n.sweep != nil {
			if files[results.SweepFile], err = plots.SweepChange(o.sweep, n.sweep); err != nil {
				return nil, err
			}
		}
		if o.grid != nil && n.grid != nil {
			if files[results.GridFile], err = plots.GridChange(o.grid, n.grid); err != nil {
				return nil, err
			}
		}
	case n != nil:
		return n.draw()
	case o != nil:
		return o.draw()
	}
	for i, side := range []string{"old", "new"} {
		if len(recs[i]) == 1 {
			s := []Side{old, new}[i]
			svg, err := storedDescent(s.FS, recs[i][0])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Name, err)
			}
			files["descent-"+side+".svg"] = svg
		}
	}
	return files, nil
}

// storedDescent draws a stored run's descent, from its record and trace.
func storedDescent(fsys fs.FS, rec *results.Record) ([]byte, error) {
	t, closer, err := results.OpenTrace(fsys, rec.Run)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	p := plots.NewPath()
	var it engine.Iteration
	for {
		row, err := t.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = results.Iteration(row, rec.Inputs.Train, len(rec.Inputs.Data), &it)
		}
		if err != nil {
			return nil, err
		}
		p.Observe(&it)
	}
	r := experiment.Run{ID: rec.Run, Experiment: &experiment.Experiment{Name: rec.Experiment(), Data: rec.Inputs.Data},
		Start: rec.Inputs.Start, Settings: rec.Inputs.Settings(), Swept: rec.Swept}
	o := &batch.Outcome{Run: r, Result: engine.Result{Status: rec.Outcome.Status, Iterations: rec.Outcome.Iterations,
		Final: rec.Network(), FinalSSR: rec.Outcome.SSR}, Checks: rec.Outcome.Checks}
	return plots.Descent(o, p, runLabel(rec))
}
