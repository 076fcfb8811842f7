package engine

import (
	"errors"
	"fmt"
	"math"
)

// DefaultDivergenceRatio is the factor by which SSR may grow over its value
// at the first iteration before a run is declared diverged, when
// Settings.DivergenceRatio is zero.
const DefaultDivergenceRatio = 1e6

// Settings are the knobs of gradient descent.
type Settings struct {
	// Alpha is the learning rate: step = Alpha * gradient. It must be finite
	// and greater than zero; there is no default.
	Alpha float64

	// Tolerance ends the descent: the run has converged after the first
	// iteration in which every trained parameter's |step| is smaller than
	// Tolerance. It must be finite and greater than zero; there is no
	// default.
	Tolerance float64

	// MaxIterations is the most iterations a run may take. It must be at
	// least 1; there is no default in the engine.
	MaxIterations int

	// DivergenceRatio declares a run diverged when its SSR exceeds
	// DivergenceRatio times the SSR of its first iteration. Zero means
	// DefaultDivergenceRatio; otherwise it must be greater than 1.
	DivergenceRatio float64

	// Train is the set of parameters that descend; the others stay fixed.
	// The empty set means b3 alone.
	Train ParamSet

	// RangeTo, if not zero, makes the run a learning-rate range test
	// (Smith 2017; fastai's lr_find): α grows geometrically from Alpha at
	// iteration 1 to RangeTo at iteration MaxIterations (see AlphaAt), and
	// |step| < Tolerance does not end the run, which ends after
	// MaxIterations iterations, when it diverges, or when its observer
	// returns ErrStop. Tolerance is not used, and may be zero. RangeTo must
	// be finite and greater than zero, or zero.
	RangeTo float64
}

// Trained returns the parameters that descend: Train, or b3 if Train is
// empty.
func (s Settings) Trained() ParamSet {
	if s.Train == 0 {
		return NewParamSet(B3)
	}
	return s.Train
}

// validate reports settings that Descend cannot work with. Callers that
// read settings from users check them first with better messages; this is a
// guard against misuse of the package.
func (s Settings) validate() error {
	var errs []error
	if !positiveFinite(s.Alpha) {
		errs = append(errs, fmt.Errorf("engine: Alpha must be finite and > 0, got %v", s.Alpha))
	}
	if !positiveFinite(s.Tolerance) && s.RangeTo == 0 {
		errs = append(errs, fmt.Errorf("engine: Tolerance must be finite and > 0, got %v", s.Tolerance))
	}
	if s.RangeTo != 0 && !positiveFinite(s.RangeTo) {
		errs = append(errs, fmt.Errorf("engine: RangeTo must be 0 (no range test) or finite and > 0, got %v", s.RangeTo))
	}
	if s.MaxIterations < 1 {
		errs = append(errs, fmt.Errorf("engine: MaxIterations must be at least 1, got %d", s.MaxIterations))
	}
	if s.DivergenceRatio != 0 && !(s.DivergenceRatio > 1) {
		errs = append(errs, fmt.Errorf("engine: DivergenceRatio must be 0 (default) or > 1, got %v", s.DivergenceRatio))
	}
	if s.Train&^AllParams != 0 {
		errs = append(errs, fmt.Errorf("engine: Train holds unknown parameters (%#x)", uint8(s.Train)))
	}
	return errors.Join(errs...)
}

func positiveFinite(v float64) bool {
	return v > 0 && !math.IsInf(v, 1)
}

// Iteration is one step of gradient descent, as reported to the observer
// of Descend. Its slices about parameters hold one value per trained
// parameter, in trace order (w1, b1, w2, b2, w3, w4, b3).
type Iteration struct {
	N         int       // iteration number, from 1
	Values    []float64 // the trained parameters, at which the network is evaluated
	Predicted []float64 // predictions for each data point, in order
	SSR       float64   // sum of squared residuals
	Gradient  []float64 // dSSR/dp for each trained parameter p
	Step      []float64 // Alpha * Gradient
	Next      []float64 // Values - Step: the values for the next iteration
}

// Result is how a run of gradient descent ended.
type Result struct {
	Status Status
	// Iterations is the number of iterations run, the last one included.
	Iterations int
	// Final is the network the run ended with: for Converged and
	// MaxIterations, with the last iteration's next values; for Diverged
	// and Stopped, with the values of the iteration at which the run was
	// stopped (its update is not applied).
	Final Network
	// FinalSSR is the SSR of the Final network.
	FinalSSR float64
}

// Descend runs gradient descent from start over data on the parameters
// that s trains; the others stay fixed.
//
// Iteration k (from 1) evaluates the network, in one forward and one
// backward pass over the data, and computes the predictions, SSR, the
// gradient of SSR with respect to each trained parameter (by the chain
// rule), step = α*gradient (α = Settings.AlphaAt(k): Alpha, unless the run
// is a range test) and next value = value - step. The run stops at the
// first iteration where
//   - any of those values is NaN or ±Inf, or SSR exceeds DivergenceRatio
//     times the first iteration's SSR: Diverged;
//   - otherwise every |step| < Tolerance, unless the run is a range test:
//     Converged;
//   - otherwise k = MaxIterations: MaxIterations.
//
// After each iteration, observe (if not nil) is called with it; the
// Iteration and its slices are reused, so observe must copy what it keeps.
// If observe returns ErrStop, the run ends at that iteration with status
// Stopped (or its own status, if the iteration ends it anyway). If observe
// returns another error, Descend stops and returns that error. Descend
// also returns an error if the settings are invalid or data is empty.
func Descend(start Network, data []Point, s Settings, observe func(*Iteration) error) (Result, error) {
	if err := s.validate(); err != nil {
		return Result{}, err
	}
	if len(data) == 0 {
		return Result{}, errors.New("engine: no data points")
	}
	ratio := s.DivergenceRatio
	if ratio == 0 {
		ratio = DefaultDivergenceRatio
	}
	d := newDescent(start, data, s.Trained())
	it := d.iteration()
	var ssrBound float64
	for it.N = 1; ; it.N++ {
		d.evaluate(it, s.AlphaAt(it.N))
		if it.N == 1 {
			ssrBound = ratio * it.SSR
		}
		status, done := it.status(s, ssrBound)
		if observe != nil {
			switch err := observe(it); {
			case errors.Is(err, ErrStop):
				if !done {
					status, done = Stopped, true
				}
			case err != nil:
				return Result{}, err
			}
		}
		if done {
			return d.result(it, status), nil
		}
		d.update(it.Next)
	}
}

// descent is the state of a run: the network as it descends, and what the
// forward pass keeps for the backward one.
type descent struct {
	net    Network
	data   []Point
	params []Param // the trained parameters, in trace order

	// The hidden nodes' values and derivatives at each data point. They
	// change only if a hidden-layer parameter (w1, b1, w2, b2) trains;
	// otherwise they are computed once.
	h1, h2, d1, d2 []float64
	hiddenTrains   bool
	// base holds w3*h1 + w4*h2 at each data point when only b3 trains, so
	// that a prediction is one addition.
	base []float64
}

func newDescent(start Network, data []Point, train ParamSet) *descent {
	n := len(data)
	d := &descent{
		net: start, data: data, params: train.List(),
		h1: make([]float64, n), h2: make([]float64, n), d1: make([]float64, n), d2: make([]float64, n),
		hiddenTrains: train&NewParamSet(W1, B1, W2, B2) != 0,
	}
	d.hidden()
	if train == NewParamSet(B3) {
		d.base = make([]float64, n)
		for i := range data {
			d.base[i] = float64(d.net.W3*d.h1[i]) + float64(d.net.W4*d.h2[i])
		}
	}
	return d
}

// iteration makes the Iteration the run reports, with its slices.
func (d *descent) iteration() *Iteration {
	k := len(d.params)
	buf := make([]float64, 4*k+len(d.data))
	return &Iteration{
		Values: buf[:k], Gradient: buf[k : 2*k], Step: buf[2*k : 3*k], Next: buf[3*k : 4*k],
		Predicted: buf[4*k:],
	}
}

// hidden computes the hidden nodes' values and derivatives.
func (d *descent) hidden() {
	n := &d.net
	for i, pt := range d.data {
		d.h1[i], d.d1[i] = n.Activation.apply(float64(n.W1*pt.X) + n.B1)
		d.h2[i], d.d2[i] = n.Activation.apply(float64(n.W2*pt.X) + n.B2)
	}
}

// predict returns the prediction at data point i, once hidden has run.
func (d *descent) predict(i int) float64 {
	if d.base != nil {
		return d.base[i] + d.net.B3
	}
	return float64(d.net.W3*d.h1[i]) + float64(d.net.W4*d.h2[i]) + d.net.B3
}

// evaluate fills in the iteration at the network's current parameters: a
// forward pass for the predictions and SSR, and a backward pass for the
// gradients, accumulated over the data points.
func (d *descent) evaluate(it *Iteration, alpha float64) {
	if d.hiddenTrains {
		d.hidden()
	}
	n := &d.net
	var ssr float64
	var g [numParams]float64
	for i, pt := range d.data {
		p := d.predict(i)
		it.Predicted[i] = p
		r := pt.Y - p
		ssr += float64(r * r)
		e := float64(-2 * r) // dSSR/dpredicted
		g[B3] += e
		g[W3] += float64(e * d.h1[i])
		g[W4] += float64(e * d.h2[i])
		if d.hiddenTrains {
			t1 := float64(float64(e*n.W3) * d.d1[i]) // dSSR/dz1
			g[B1] += t1
			g[W1] += float64(t1 * pt.X)
			t2 := float64(float64(e*n.W4) * d.d2[i]) // dSSR/dz2
			g[B2] += t2
			g[W2] += float64(t2 * pt.X)
		}
	}
	it.SSR = ssr
	for j, k := range d.params {
		it.Values[j] = n.Get(k)
		it.Gradient[j] = g[k]
		it.Step[j] = float64(alpha * g[k])
		it.Next[j] = it.Values[j] - it.Step[j]
	}
}

// update moves the trained parameters to their next values.
func (d *descent) update(next []float64) {
	for j, k := range d.params {
		d.net.Set(k, next[j])
	}
}

// status tells whether the run stops at this iteration, and why.
func (it *Iteration) status(s Settings, ssrBound float64) (Status, bool) {
	switch {
	case !it.finite() || it.SSR > ssrBound:
		return Diverged, true
	case s.RangeTo == 0 && it.converged(s.Tolerance):
		return Converged, true
	case it.N >= s.MaxIterations:
		return MaxIterations, true
	}
	return 0, false
}

// converged reports whether every |step| is below the tolerance.
func (it *Iteration) converged(tolerance float64) bool {
	for _, step := range it.Step {
		if !(math.Abs(step) < tolerance) {
			return false
		}
	}
	return true
}

// finite reports whether every value of the iteration is finite.
func (it *Iteration) finite() bool {
	for _, values := range [][]float64{it.Predicted, it.Values, it.Gradient, it.Step, it.Next} {
		for _, v := range values {
			if !isFinite(v) {
				return false
			}
		}
	}
	return isFinite(it.SSR)
}

// result builds the Result of a run that stopped at this iteration.
func (d *descent) result(it *Iteration, status Status) Result {
	r := Result{Status: status, Iterations: it.N}
	if status == Diverged || status == Stopped {
		r.Final, r.FinalSSR = d.net, it.SSR
		return r
	}
	d.update(it.Next)
	r.Final, r.FinalSSR = d.net, d.net.SSR(d.data)
	return r
}

// Columns names an iteration's values, for n data points and the trained
// parameters, in the order AppendValues gives them: each trained
// parameter's value, predicted_1 … predicted_n, ssr, then gradient_<p>,
// step_<p> and next_<p> for each trained parameter p. For b3 alone:
// b3, predicted_1 … predicted_n, ssr, gradient_b3, step_b3, next_b3.
// These are the columns of a trace after its iteration number.
func Columns(train ParamSet, n int) []string {
	params := train.List()
	cols := make([]string, 0, 4*len(params)+n+1)
	for _, p := range params {
		cols = append(cols, p.String())
	}
	for i := 1; i <= n; i++ {
		cols = append(cols, fmt.Sprintf("predicted_%d", i))
	}
	cols = append(cols, "ssr")
	for _, p := range params {
		cols = append(cols, "gradient_"+p.String(), "step_"+p.String(), "next_"+p.String())
	}
	return cols
}

// AppendValues appends the iteration's values to dst in Columns order.
func (it *Iteration) AppendValues(dst []float64) []float64 {
	dst = append(dst, it.Values...)
	dst = append(dst, it.Predicted...)
	dst = append(dst, it.SSR)
	for j := range it.Values {
		dst = append(dst, it.Gradient[j], it.Step[j], it.Next[j])
	}
	return dst
}
