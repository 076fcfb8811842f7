package cli

import (
	"flag"
	"fmt"
	"path"
	"slices"
	"strconv"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/plots"
	"github.com/descentlab/runner/internal/report"
	"github.com/descentlab/runner/pkg/engine"
)

// MaxRunPictures is the most runs an experiment may have for each run to
// get its own pictures (descent.svg and fit.svg) unless --all-plots asks
// for them: drawing costs more than a short run (see BENCHMARKS.md). A
// sweep always gets its sweep.svg.
const MaxRunPictures = 50

// pictures says which pictures to draw, from --no-plots and --all-plots.
type pictures struct{ none, all bool }

// addFlags defines the flags that choose pictures.
func (p *pictures) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&p.none, "no-plots", false, "draw no pictures")
	fs.BoolVar(&p.all, "all-plots", false, fmt.Sprintf("draw every run's pictures, also in sweeps of more than %d runs", MaxRunPictures))
}

// ofRuns reports whether the runs of an experiment get their own pictures.
func (p pictures) ofRuns(e *experiment.Experiment) bool {
	return !p.none && (p.all || e.RunCount() <= MaxRunPictures)
}

// writeSummaries writes the files that cover every run, from the runs'
// records in order: summary.csv and summary.md, each sweep's sweep.svg,
// and the README.md index.
func writeSummaries(dir *report.Dir, exps []*experiment.Experiment, records []report.Record, pics pictures) error {
	files, err := report.SummaryFiles(records)
	if err != nil {
		return err
	}
	byName := map[string]*experiment.Experiment{}
	var sweeps []string
	for _, e := range exps {
		byName[e.Name] = e
		if !e.Swept() || pics.none {
			continue
		}
		svg, err := sweepPicture(e, records)
		if err != nil {
			return fmt.Errorf("drawing %s: %w", path.Join(e.Name, "sweep.svg"), err)
		}
		files = append(files, report.File{Path: path.Join(e.Name, "sweep.svg"), Data: svg})
		sweeps = append(sweeps, e.Name)
	}
	index, err := report.IndexFiles(report.Index{Records: records, Sweeps: sweeps, Pictures: func(experiment string) bool {
		return pics.ofRuns(byName[experiment])
	}})
	if err != nil {
		return err
	}
	return dir.Put(append(files, index...)...)
}

// sweepPicture draws an experiment's sweep.svg from its runs' records:
// iterations against α if α varies, else against the first field swept.
func sweepPicture(e *experiment.Experiment, records []report.Record) ([]byte, error) {
	// An experiment's runs are together, in the order of the records.
	first := slices.IndexFunc(records, func(r report.Record) bool { return r.Get("experiment") == e.Name })
	own := records[first : first+e.RunCount()]
	field := e.SweptFields()[0]
	if slices.ContainsFunc(own, func(r report.Record) bool { return r.Get("alpha") != own[0].Get("alpha") }) {
		field = "alpha"
	}
	column := field
	if field == "b3" {
		column = "b3_initial"
	}
	runs := make([]plots.SweepRun, len(own))
	for i := range own {
		r := &own[i]
		v, err := strconv.ParseFloat(r.Get(column), 64)
		if err != nil {
			return nil, err
		}
		iterations, err := strconv.Atoi(r.Get("iterations"))
		if err != nil {
			return nil, err
		}
		runs[i] = plots.SweepRun{Value: v, Iterations: iterations, Status: r.Get("status")}
	}
	limit := 0.0
	if field == "alpha" && e.Settings.Trained() == engine.NewParamSet(engine.B3) {
		limit = 1 / float64(len(e.Data))
	}
	return plots.Sweep(e.Name, field, runs, limit)
}
