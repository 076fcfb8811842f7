// Package plots draws the runner's pictures with gonum.org/v1/plot, as
// SVG: a run's descent (SSR over b3, walked down step by step; or SSR and
// the parameters over the iterations when several train) and its fit (the
// predicted curve against the data, before and after); and a sweep's
// overviews: every run's SSR curve on one chart (Curves, each run's curve
// kept by a CurveThinner as its iterations come, the runs of a large sweep
// chosen by SelectCurves), its iterations against a swept field (Sweep),
// and a heat map of two swept fields, or small multiples of them for more
// (Grid); and each overview of a change, old and new overlaid
// (CurvesChange, SweepChange, GridChange).
//
// The functions take plain values and return the SVG; they read and write
// no file. The SVG is the same bytes for the same input on every machine:
// no timestamps, no random identifiers, fonts named but not embedded,
// positions computed without fused multiply-adds or assembly logarithms
// (see geometry.go and ticks.go). Each chart bounds what it draws (see
// MaxCurves, MaxSweepSeries, MaxSweepPoints, MaxGridCells), so that its
// file stays under 300 KB whatever the sweep, and draws whatever finite
// input it is given: values that are not finite are left out.
package plots

import (
	"github.com/descentlab/runner/pkg/engine"
)

// Version is the version of the pictures of every run (curves, sweep and
// grid): the stat cache keeps a picture drawn by the same version from
// the same records rather than draw it again. Bump it with any change
// that draws other bytes from the same input; TestPicturesOfVersion
// fails until it is.
const Version = 1

// MaxPathPoints bounds the iterations a descent picture marks: a run of
// more iterations is thinned to every k-th one (k a power of two), and the
// last, with between MaxPathPoints/2 and MaxPathPoints of them.
const MaxPathPoints = 1000

// Path keeps the iterations of a run that its descent picture marks. Its
// Observe method is an observer for batch.Run; memory does not grow with
// the run.
type Path struct {
	stride int
	n      []int
	ssr    []float64
	values [][]float64 // each kept iteration's trained parameters
	last   engine.Iteration
	seen   int
}

// NewPath returns an empty Path.
func NewPath() *Path {
	return &Path{stride: 1}
}

// Observe keeps an iteration if it falls on the stride, and always as the
// last so far.
func (p *Path) Observe(it *engine.Iteration) error {
	it.CopyTo(&p.last)
	p.seen++
	if (it.N-1)%p.stride != 0 {
		return nil
	}
	if len(p.n) == MaxPathPoints {
		p.thin()
		if (it.N-1)%p.stride != 0 {
			return nil
		}
	}
	p.n = append(p.n, it.N)
	p.ssr = append(p.ssr, it.SSR)
	p.values = append(p.values, append([]float64(nil), it.Values...))
	return nil
}

// thin doubles the stride, keeping every other point.
func (p *Path) thin() {
	p.stride *= 2
	keep := 0
	for i := range p.n {
		if (p.n[i]-1)%p.stride == 0 {
			p.n[keep], p.ssr[keep], p.values[keep] = p.n[i], p.ssr[i], p.values[i]
			keep++
		}
	}
	p.n, p.ssr, p.values = p.n[:keep], p.ssr[:keep], p.values[:keep]
}

// point is a kept iteration.
type point struct {
	n      int
	ssr    float64
	values []float64
}

// points returns the kept iterations in order, the last included.
func (p *Path) points() []point {
	pts := make([]point, len(p.n), len(p.n)+1)
	for i := range p.n {
		pts[i] = point{p.n[i], p.ssr[i], p.values[i]}
	}
	if p.seen > 0 && (len(p.n) == 0 || p.n[len(p.n)-1] != p.last.N) {
		pts = append(pts, point{p.last.N, p.last.SSR, p.last.Values})
	}
	return pts
}
