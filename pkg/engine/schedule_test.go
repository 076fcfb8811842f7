package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPortableLogAgreesWithMath checks log against the standard library
// from 1e-300 to 1e300: the two may differ in the last bits only.
func TestPortableLogAgreesWithMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var worst uint64
	for range 200000 {
		x := math.Pow(10, rng.Float64()*600-300)
		worst = max(worst, ulps(log(x), math.Log(x)))
		y := 1 + (rng.Float64()-0.5)*1e-3 // near 1, where log is near 0
		worst = max(worst, ulps(log(y), math.Log(y)))
	}
	if worst > 1 {
		t.Errorf("log differs from math.Log by up to %d ulps; want at most 1", worst)
	}
	for _, s := range []struct {
		x, want float64
	}{{1, 0}, {math.E, 1}, {0, math.Inf(-1)}, {math.Inf(1), math.Inf(1)}, {0x1p-1074, -1074 * math.Ln2}} {
		if got := log(s.x); got != s.want && ulps(got, s.want) > 1 {
			t.Errorf("log(%v) = %v, want %v", s.x, got, s.want)
		}
	}
	if !math.IsNaN(log(-1)) || !math.IsNaN(log(math.NaN())) {
		t.Errorf("log(-1) and log(NaN) must be NaN")
	}
}

// TestRangeTestSchedule checks a range test's learning rates: the ends
// exact, a constant ratio between neighbours, each step α_k times its
// gradient; and that the run ignores the tolerance, going on to
// MaxIterations, where a plain run with the same tolerance stops at once.
func TestRangeTestSchedule(t *testing.T) {
	const n = 50
	s := Settings{Alpha: 1e-4, RangeTo: 10, MaxIterations: n, Tolerance: 1e6}
	if a1, an := s.AlphaAt(1), s.AlphaAt(n); a1 != 1e-4 || an != 10 {
		t.Errorf("α_1 = %v, α_n = %v; want 1e-4 and 10 exactly", a1, an)
	}
	ratio := math.Pow(1e5, 1.0/(n-1))
	for k := 2; k <= n; k++ {
		if got := s.AlphaAt(k) / s.AlphaAt(k-1); math.Abs(got-ratio) > 1e-13*ratio {
			t.Errorf("α_%d/α_%d = %.17g, want %.17g", k, k-1, got, ratio)
		}
	}
	res, trace := descend(t, article, dosages, s)
	if res.Status == Converged || res.Iterations < 10 {
		t.Errorf("range test: %v after %d iterations; |step| < tolerance must not stop it", res.Status, res.Iterations)
	}
	for _, it := range trace {
		if want := float64(s.AlphaAt(it.N) * it.Gradient[0]); it.Step[0] != want {
			t.Fatalf("iteration %d: step %v, want α_k·gradient = %v", it.N, it.Step[0], want)
		}
	}
	plain, _ := descend(t, article, dosages, Settings{Alpha: 1e-4, MaxIterations: n, Tolerance: 1e6})
	if plain.Status != Converged || plain.Iterations != 1 {
		t.Errorf("plain run: %v after %d iterations, want converged after 1", plain.Status, plain.Iterations)
	}
	// From 1e-4 to 1e-2 the descent stays put: it runs all n iterations.
	calm, _ := descend(t, article, dosages, Settings{Alpha: 1e-4, RangeTo: 1e-2, MaxIterations: n})
	if calm.Status != MaxIterations || calm.Iterations != n {
		t.Errorf("calm range test: %v after %d iterations, want max-iterations after %d", calm.Status, calm.Iterations, n)
	}
	if _, err := Descend(article, dosages, Settings{Alpha: 1e-4, RangeTo: -1, MaxIterations: n}, nil); err == nil {
		t.Errorf("RangeTo -1 accepted")
	}
}

// TestObserverStopsTheRun checks ErrStop: the run ends at the iteration
// the observer stopped, with status Stopped, the values of that iteration
// (its update not applied) and no error; and an iteration that ends the
// run anyway keeps its own status.
func TestObserverStopsTheRun(t *testing.T) {
	var seen []Iteration
	res, err := Descend(article, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 100}, func(it *Iteration) error {
		var c Iteration
		it.CopyTo(&c)
		seen = append(seen, c)
		if it.N == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil || res.Status != Stopped || res.Iterations != 3 || len(seen) != 3 {
		t.Fatalf("got %v after %d iterations (%d seen), error %v; want stopped after 3", res.Status, res.Iterations, len(seen), err)
	}
	if last := seen[2]; res.Final.B3 != last.Values[0] || res.FinalSSR != last.SSR {
		t.Errorf("stopped at b3 %v (SSR %v), want the third iteration's b3 %v (SSR %v)", res.Final.B3, res.FinalSSR, last.Values[0], last.SSR)
	}
	res, err = Descend(article, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 100}, func(it *Iteration) error {
		return errors.Join(errors.New("context"), ErrStop) // a wrapped ErrStop stops too
	})
	if err != nil || res.Status != Stopped || res.Iterations != 1 {
		t.Errorf("wrapped ErrStop: %v after %d iterations, error %v; want stopped after 1", res.Status, res.Iterations, err)
	}
	res, err = Descend(article, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 1000}, func(it *Iteration) error {
		if it.N == 10 {
			return ErrStop
		}
		return nil
	})
	if err != nil || res.Status != Converged || res.Iterations != 10 {
		t.Errorf("ErrStop at the converging iteration: %v after %d, error %v; want converged after 10", res.Status, res.Iterations, err)
	}
	if Stopped.String() != "stopped" {
		t.Errorf("Stopped.String() = %q", Stopped.String())
	}
}

// TestStepRateIsTheErrorFactorForB3 checks StepRate against the exact
// rate of b3-only descent, |1 - 2Nα|, on both sides of 1/(2N).
func TestStepRateIsTheErrorFactorForB3(t *testing.T) {
	for _, alpha := range []float64{0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3} {
		_, trace := descend(t, article, dosages, Settings{Alpha: alpha, Tolerance: 1e-6, MaxIterations: 1000})
		first, last := trace[0], trace[len(trace)-1]
		want := ErrorFactor(alpha, len(dosages))
		if got := StepRate(first.Step, last.Step, len(trace)); math.Abs(got-want) > 1e-9 {
			t.Errorf("α = %v: StepRate = %.12g over %d iterations, want |1 - 2Nα| = %.12g", alpha, got, len(trace), want)
		}
	}
	if got := StepRate([]float64{-1}, []float64{-1}, 1); got != 0 {
		t.Errorf("StepRate of one iteration = %v, want 0", got)
	}
	if got, want := StepRate([]float64{1, -4}, []float64{0.5, 0.25}, 3), math.Sqrt(0.125); math.Abs(got-want) > 1e-15 {
		t.Errorf("StepRate over the largest |step|: %v, want (0.5/4)^(1/2) = %v", got, want)
	}
}
