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
	// iteration whose |step| is smaller than Tolerance. It must be finite and
	// greater than zero; there is no default.
	Tolerance float64

	// MaxIterations is the most iterations a run may take. It must be at
	// least 1; there is no default in the engine.
	MaxIterations int

	// DivergenceRatio declares a run diverged when its SSR exceeds
	// DivergenceRatio times the SSR of its first iteration. Zero means
	// DefaultDivergenceRatio; otherwise it must be greater than 1.
	DivergenceRatio float64
}

// validate reports settings that Descend cannot work with. Callers that
// read settings from users check them first with better messages; this is a
// guard against misuse of the package.
func (s Settings) validate() error {
	var errs []error
	if !positiveFinite(s.Alpha) {
		errs = append(errs, fmt.Errorf("engine: Alpha must be finite and > 0, got %v", s.Alpha))
	}
	if !positiveFinite(s.Tolerance) {
		errs = append(errs, fmt.Errorf("engine: Tolerance must be finite and > 0, got %v", s.Tolerance))
	}
	if s.MaxIterations < 1 {
		errs = append(errs, fmt.Errorf("engine: MaxIterations must be at least 1, got %d", s.MaxIterations))
	}
	if s.DivergenceRatio != 0 && !(s.DivergenceRatio > 1) {
		errs = append(errs, fmt.Errorf("engine: DivergenceRatio must be 0 (default) or > 1, got %v", s.DivergenceRatio))
	}
	return errors.Join(errs...)
}

func positiveFinite(v float64) bool {
	return v > 0 && !math.IsInf(v, 1)
}

// Iteration is one step of gradient descent, as reported to the observer
// of Descend.
type Iteration struct {
	N         int       // iteration number, from 1
	B3        float64   // b3 at which the network is evaluated
	Predicted []float64 // predictions for each data point, in order
	SSR       float64   // sum of squared residuals at B3
	Gradient  float64   // dSSR/db3 at B3
	Step      float64   // Alpha * Gradient
	Next      float64   // B3 - Step: b3 for the next iteration
}

// Result is how a run of gradient descent ended.
type Result struct {
	Status Status
	// Iterations is the number of iterations run, the last one included.
	Iterations int
	// Final are the parameters the run ended with: for Converged and
	// MaxIterations, the last iteration's next b3; for Diverged, the b3 of
	// the iteration at which the run was stopped (its update is not applied).
	Final Params
	// FinalSSR is the SSR of the network with the Final parameters.
	FinalSSR float64
}

// Descend runs gradient descent on b3, starting from start, over data. The
// other parameters stay fixed.
//
// Iteration k (from 1) evaluates the network at the current b3 and computes
// the predictions, SSR, gradient, step = Alpha*gradient and next b3 =
// b3 - step. The run stops at the first iteration where
//   - any of those values is NaN or ±Inf, or SSR exceeds DivergenceRatio
//     times the first iteration's SSR: Diverged;
//   - otherwise |step| < Tolerance: Converged;
//   - otherwise k = MaxIterations: MaxIterations.
//
// After each iteration, observe (if not nil) is called with it; the
// Iteration and its Predicted slice are reused, so observe must copy what it
// keeps. If observe returns an error, Descend stops and returns that error.
// Descend also returns an error if the settings are invalid or data is
// empty.
func Descend(start Params, data []Point, s Settings, observe func(*Iteration) error) (Result, error) {
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

	// Only b3 changes, so the hidden part of each prediction is computed once.
	hidden := make([]float64, len(data))
	for i, pt := range data {
		hidden[i] = start.hiddenSum(pt.X)
	}

	it := Iteration{B3: start.B3, Predicted: make([]float64, len(data))}
	var ssrBound float64
	for it.N = 1; ; it.N++ {
		it.evaluate(hidden, data, s.Alpha)
		if it.N == 1 {
			ssrBound = ratio * it.SSR
		}
		status, done := it.status(s, ssrBound)
		if observe != nil {
			if err := observe(&it); err != nil {
				return Result{}, err
			}
		}
		if done {
			return it.result(start, status, hidden, data), nil
		}
		it.B3 = it.Next
	}
}

// evaluate fills in the iteration's values at its b3.
func (it *Iteration) evaluate(hidden []float64, data []Point, alpha float64) {
	it.SSR, it.Gradient = fit(hidden, data, it.B3, it.Predicted)
	it.Step = float64(alpha * it.Gradient)
	it.Next = it.B3 - it.Step
}

// fit evaluates the network at b3, given the hidden part of each prediction
// (see Params.hiddenSum). It stores the predictions in predicted unless that
// is nil, and returns the SSR and its derivative dSSR/db3.
func fit(hidden []float64, data []Point, b3 float64, predicted []float64) (ssr, gradient float64) {
	for i, pt := range data {
		p := hidden[i] + b3
		if predicted != nil {
			predicted[i] = p
		}
		r := pt.Y - p
		ssr += float64(r * r)
		gradient += float64(-2 * r)
	}
	return ssr, gradient
}

// status tells whether the run stops at this iteration, and why.
func (it *Iteration) status(s Settings, ssrBound float64) (Status, bool) {
	switch {
	case !it.finite() || it.SSR > ssrBound:
		return Diverged, true
	case math.Abs(it.Step) < s.Tolerance:
		return Converged, true
	case it.N >= s.MaxIterations:
		return MaxIterations, true
	}
	return 0, false
}

// finite reports whether every value of the iteration is finite.
func (it *Iteration) finite() bool {
	for _, p := range it.Predicted {
		if !isFinite(p) {
			return false
		}
	}
	return isFinite(it.B3) && isFinite(it.SSR) && isFinite(it.Gradient) &&
		isFinite(it.Step) && isFinite(it.Next)
}

func isFinite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// result builds the Result of a run that stopped at this iteration.
func (it *Iteration) result(start Params, status Status, hidden []float64, data []Point) Result {
	r := Result{Status: status, Iterations: it.N, Final: start}
	if status == Diverged {
		r.Final.B3, r.FinalSSR = it.B3, it.SSR
		return r
	}
	r.Final.B3 = it.Next
	r.FinalSSR, _ = fit(hidden, data, it.Next, nil)
	return r
}

// Columns names an iteration's values for n data points, in the order
// AppendValues gives them: b3, predicted_1 … predicted_n, ssr, gradient_b3,
// step_b3, next_b3. These are the columns of a trace after its iteration
// number.
func Columns(n int) []string {
	cols := make([]string, 0, n+5)
	cols = append(cols, "b3")
	for i := 1; i <= n; i++ {
		cols = append(cols, fmt.Sprintf("predicted_%d", i))
	}
	return append(cols, "ssr", "gradient_b3", "step_b3", "next_b3")
}

// AppendValues appends the iteration's values to dst in Columns order.
func (it *Iteration) AppendValues(dst []float64) []float64 {
	dst = append(dst, it.B3)
	dst = append(dst, it.Predicted...)
	return append(dst, it.SSR, it.Gradient, it.Step, it.Next)
}
