package engine

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// article is the network and data of the article (ARTICLE.md), b3 from 0.
var (
	article = Network{Params: Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	dosages = []Point{{0, 0}, {0.5, 1}, {1, 0}}
)

// descend runs Descend and keeps every iteration.
func descend(t *testing.T, start Network, data []Point, s Settings) (Result, []Iteration) {
	t.Helper()
	var tr Trace
	res, err := Descend(start, data, s, tr.Record)
	if err != nil {
		t.Fatalf("Descend: %v", err)
	}
	return res, tr.Iterations
}

// TestGradientsMatchCentralDifferences checks the gradient of every
// parameter against a central finite difference of SSR, for each
// activation, at random networks and data (fixed seed). Points where a
// hidden node's input is near 0 are redrawn: ReLU has a kink there.
func TestGradientsMatchCentralDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, act := range []Activation{Softplus, ReLU, Sigmoid} {
		for trial := range 20 {
			n := Network{Activation: act, Params: Params{
				W1: rng.NormFloat64() * 3, B1: rng.NormFloat64(),
				W2: rng.NormFloat64() * 3, B2: rng.NormFloat64(),
				W3: rng.NormFloat64() * 2, W4: rng.NormFloat64() * 2,
				B3: rng.NormFloat64() * 3,
			}}
			data := make([]Point, 1+rng.IntN(6))
			for i := range data {
				for {
					data[i] = Point{X: rng.Float64()*2 - 0.5, Y: rng.NormFloat64()}
					z1, z2 := n.W1*data[i].X+n.B1, n.W2*data[i].X+n.B2
					if math.Abs(z1) > 0.01 && math.Abs(z2) > 0.01 {
						break
					}
				}
			}
			_, trace := descend(t, n, data, Settings{Alpha: 0.01, Tolerance: 1e-9, MaxIterations: 1, Train: AllParams})
			it := trace[0]
			for j, k := range AllParams.List() {
				const h = 1e-6
				up, down := n, n
				up.Set(k, n.Get(k)+h)
				down.Set(k, n.Get(k)-h)
				want := (up.SSR(data) - down.SSR(data)) / (2 * h)
				if got := it.Gradient[j]; math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("%v, trial %d: dSSR/d%v = %.12g, central difference %.12g", act, trial, k, got, want)
				}
			}
			if ssr := n.SSR(data); it.SSR != ssr {
				t.Errorf("%v, trial %d: iteration SSR = %.17g, Network.SSR = %.17g", act, trial, it.SSR, ssr)
			}
		}
	}
}

// TestTrainingASubset checks that only the trained parameters move, that
// the trace lists them in order, and that each step is α·gradient.
func TestTrainingASubset(t *testing.T) {
	train := NewParamSet(B3, W3, W4)
	res, trace := descend(t, article, dosages, Settings{Alpha: 0.05, Tolerance: 1e-9, MaxIterations: 3, Train: train})
	if got := strings.Join(Columns(train, 3), ","); got != "w3,w4,b3,predicted_1,predicted_2,predicted_3,ssr,gradient_w3,step_w3,next_w3,gradient_w4,step_w4,next_w4,gradient_b3,step_b3,next_b3" {
		t.Errorf("columns = %s", got)
	}
	first, second := trace[0], trace[1]
	for j := range first.Values {
		if first.Step[j] != 0.05*first.Gradient[j] || second.Values[j] != first.Next[j] {
			t.Errorf("parameter %d: step %v for gradient %v; next %v, then %v", j, first.Step[j], first.Gradient[j], first.Next[j], second.Values[j])
		}
	}
	final := res.Final
	if final.W1 != article.W1 || final.B1 != article.B1 || final.W2 != article.W2 || final.B2 != article.B2 {
		t.Errorf("untrained parameters moved: %+v", final.Params)
	}
	last := trace[len(trace)-1]
	if final.W3 != last.Next[0] || final.W4 != last.Next[1] || final.B3 != last.Next[2] {
		t.Errorf("final %+v, want the last iteration's next values %v", final.Params, last.Next)
	}
	if want := final.SSR(dosages); res.FinalSSR != want {
		t.Errorf("FinalSSR = %v, SSR of the final network = %v", res.FinalSSR, want)
	}
}

// TestOutputLayerShortcutsAgree checks that the paths that keep hidden
// activations (only w3, w4, b3 train) or the hidden sum (only b3) give the
// same bits as recomputing everything.
func TestOutputLayerShortcutsAgree(t *testing.T) {
	s := Settings{Alpha: 0.1, Tolerance: 1e-12, MaxIterations: 50}
	for _, train := range []ParamSet{NewParamSet(B3), NewParamSet(W3, W4, B3)} {
		s.Train = train
		d := newDescent(article, dosages, train)
		d.hiddenTrains, d.base = true, nil // recompute everything, every iteration
		full := d.iteration()
		fast := newDescent(article, dosages, train)
		it := fast.iteration()
		for range 50 {
			d.evaluate(full, s.Alpha)
			fast.evaluate(it, s.Alpha)
			if fmt.Sprint(full.AppendValues(nil)) != fmt.Sprint(it.AppendValues(nil)) {
				t.Fatalf("train %v: shortcut %v, full %v", train, it.AppendValues(nil), full.AppendValues(nil))
			}
			d.update(full.Next)
			fast.update(it.Next)
		}
	}
}

func TestActivations(t *testing.T) {
	tests := []struct {
		a     Activation
		z     float64
		h, dh float64
	}{
		{ReLU, 2, 2, 1}, {ReLU, -2, 0, 0}, {ReLU, 0, 0, 0}, // the derivative at 0 is 0
		{Sigmoid, 0, 0.5, 0.25}, {Sigmoid, 800, 1, 0}, {Sigmoid, -800, 0, 0},
		{Softplus, 0, math.Ln2, 0.5}, {Softplus, 800, 800, 1}, {Softplus, -800, 0, 0},
	}
	for _, tt := range tests {
		h, dh := tt.a.apply(tt.z)
		if math.Abs(h-tt.h) > 1e-15 || math.Abs(dh-tt.dh) > 1e-15 {
			t.Errorf("%v(%v) = %v, derivative %v; want %v, %v", tt.a, tt.z, h, dh, tt.h, tt.dh)
		}
	}
	for _, z := range []float64{-30, -1, 1e-9, 1, 30} {
		if h, _ := Softplus.apply(z); math.Abs(h-math.Log1p(math.Exp(z))) > 1e-15*math.Max(1, h) {
			t.Errorf("softplus(%v) = %v, want %v", z, h, math.Log1p(math.Exp(z)))
		}
	}
	for _, name := range []string{"softplus", "relu", "sigmoid"} {
		if a, ok := ParseActivation(name); !ok || a.String() != name {
			t.Errorf("ParseActivation(%q) = %v, %v", name, a, ok)
		}
	}
	if p, ok := ParseParam("w4"); !ok || p != W4 || AllParams.String() != "w1 b1 w2 b2 w3 w4 b3" {
		t.Errorf("ParseParam(w4) = %v, %v; AllParams = %v", p, ok, AllParams)
	}
}

// roundTo rounds v to the given number of decimals, as the article prints.
func roundTo(v float64, decimals int) float64 {
	scale := math.Pow(10, float64(decimals))
	return math.Round(v*scale) / scale
}

func TestArticleNumbers(t *testing.T) {
	settings := Settings{Alpha: 0.1, Tolerance: 0.001, MaxIterations: 1000}
	res, trace := descend(t, article, dosages, settings)

	// Iteration 1 as the article prints it, every value rounded as printed.
	first := trace[0]
	checks := []struct {
		name     string
		got      float64
		decimals int
		want     float64
	}{
		{"iteration 1 predicted_1", first.Predicted[0], 1, -2.6},
		{"iteration 1 predicted_2", first.Predicted[1], 1, -1.6},
		{"iteration 1 predicted_3", first.Predicted[2], 2, -2.61},
		{"iteration 1 gradient", first.Gradient[0], 1, -15.7},
		{"iteration 1 step", first.Step[0], 2, -1.57},
		{"iteration 1 next b3", first.Next[0], 2, 1.57},
		// The article rounds iteration 2's predictions from rounded numbers
		// (-1.03, -0.03, -1.04); exact arithmetic gives these.
		{"iteration 2 predicted_1", trace[1].Predicted[0], 2, -1.04},
		{"iteration 2 predicted_2", trace[1].Predicted[1], 2, -0.04},
		{"iteration 2 predicted_3", trace[1].Predicted[2], 2, -1.05},
		{"iteration 2 gradient", trace[1].Gradient[0], 2, -6.26},
		{"iteration 2 step", trace[1].Step[0], 3, -0.626},
		{"iteration 2 next b3", trace[1].Next[0], 2, 2.19},
		{"final b3", res.Final.B3, 2, 2.61},
	}
	for _, c := range checks {
		if got := roundTo(c.got, c.decimals); got != c.want {
			t.Errorf("%s = %.6g, rounds to %v, article prints %v", c.name, c.got, got, c.want)
		}
	}

	if res.Status != Converged {
		t.Errorf("status = %v, want converged", res.Status)
	}
	if last := trace[len(trace)-1]; len(trace) != res.Iterations || last.Next[0] != res.Final.B3 {
		t.Errorf("result (%d iterations, b3 %v) disagrees with the last iteration (%d, next %v)",
			res.Iterations, res.Final.B3, len(trace), last.Next)
	}
	for i, it := range trace {
		if it.N != i+1 {
			t.Fatalf("iteration %d numbered %d", i+1, it.N)
		}
		stop := math.Abs(it.Step[0]) < settings.Tolerance
		if stop != (i == len(trace)-1) {
			t.Errorf("iteration %d: |step| = %g, but the run stopped after %d", it.N, math.Abs(it.Step[0]), len(trace))
		}
	}

	// Near the optimum, |step| = 2·N·α·|b3 - b3*|, so stopping with
	// |step| < tolerance puts b3 within tolerance/(2·N·α) of b3*.
	best := Optimum(article, dosages)
	bound := settings.Tolerance / (2 * float64(len(dosages)) * settings.Alpha)
	if d := math.Abs(res.Final.B3 - best); d > bound {
		t.Errorf("final b3 = %v is %g from the optimum %v, want within %g", res.Final.B3, d, best, bound)
	}
	if want := res.Final.SSR(dosages); res.FinalSSR != want {
		t.Errorf("FinalSSR = %v, SSR(Final) = %v", res.FinalSSR, want)
	}
}

// TestStatusesFollowTheErrorFactor checks the statuses against the exact
// behaviour of b3-only descent on both sides of α = 1/N: the distance to
// b3* is multiplied by ErrorFactor = |1 - 2·N·α| at every step.
func TestStatusesFollowTheErrorFactor(t *testing.T) {
	n := float64(len(dosages))
	best := Optimum(article, dosages)
	for k := 1; k <= 60; k++ {
		alpha := float64(k) / (30 * n) // from 1/(30N) to 2/N
		factor := ErrorFactor(alpha, len(dosages))
		var want Status
		switch {
		case factor < 0.95:
			want = Converged
		case factor > 1.05:
			want = Diverged
		default:
			continue // too near the limit to settle within the iterations allowed
		}
		res, trace := descend(t, article, dosages, Settings{Alpha: alpha, Tolerance: 1e-3, MaxIterations: 1000})
		if res.Status != want {
			t.Errorf("α = %.4g (factor %.3g): %v after %d iterations, want %v", alpha, factor, res.Status, res.Iterations, want)
		}
		// The error shrinks or grows by exactly the factor at each step.
		if len(trace) >= 2 && res.Status != Diverged {
			e0, e1 := trace[0].Values[0]-best, trace[1].Values[0]-best
			if got := math.Abs(e1 / e0); math.Abs(got-factor) > 1e-9 {
				t.Errorf("α = %.4g: the error shrank by %.12g, want %.12g", alpha, got, factor)
			}
		}
	}
}

func TestStatuses(t *testing.T) {
	n := float64(len(dosages))
	tests := []struct {
		alpha      float64
		maxIter    int
		want       Status
		iterations int // 0: do not check
	}{
		{alpha: 1 / (2 * n), maxIter: 1000, want: Converged, iterations: 2}, // factor 0: one step lands on b3*
		{alpha: 2 / n, maxIter: 1000, want: Diverged},                       // factor 3
		{alpha: 1e-3, maxIter: 5, want: MaxIterations, iterations: 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("alpha=%g", tt.alpha), func(t *testing.T) {
			res, trace := descend(t, article, dosages, Settings{Alpha: tt.alpha, Tolerance: 1e-3, MaxIterations: tt.maxIter})
			if res.Status != tt.want {
				t.Errorf("status = %v after %d iterations, want %v", res.Status, res.Iterations, tt.want)
			}
			if tt.iterations != 0 && res.Iterations != tt.iterations {
				t.Errorf("iterations = %d, want %d", res.Iterations, tt.iterations)
			}
			if res.Status == Diverged {
				last := trace[len(trace)-1]
				if res.Final.B3 != last.Values[0] || res.FinalSSR != last.SSR {
					t.Errorf("diverged run ends at b3 %v (SSR %v), want the last iteration's b3 %v (SSR %v)",
						res.Final.B3, res.FinalSSR, last.Values[0], last.SSR)
				}
				if last.SSR <= DefaultDivergenceRatio*trace[0].SSR && isFinite(last.Next[0]) {
					t.Errorf("stopped as diverged at SSR %g, below the bound %g", last.SSR, DefaultDivergenceRatio*trace[0].SSR)
				}
			}
		})
	}
}

func TestOptimumAndErrorFactor(t *testing.T) {
	// The article's optimum, from ARTICLE.md: b3 settles at about 2.61.
	if got := Optimum(article, dosages); math.Abs(got-2.6091847301) > 1e-9 {
		t.Errorf("Optimum = %.12g, want 2.6091847301", got)
	}
	// At the optimum the gradient is zero.
	p := article
	p.B3 = Optimum(article, dosages)
	_, trace := descend(t, p, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 1})
	if g := trace[0].Gradient[0]; math.Abs(g) > 1e-12 {
		t.Errorf("gradient at the optimum = %g", g)
	}
	for _, tt := range []struct{ alpha, want float64 }{{0.1, 0.4}, {1.0 / 6, 0}, {1.0 / 3, 1}, {0.5, 2}} {
		if got := ErrorFactor(tt.alpha, 3); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("ErrorFactor(%v, 3) = %v, want %v", tt.alpha, got, tt.want)
		}
	}
}

func TestDivergenceOnOverflow(t *testing.T) {
	start := article
	start.B3 = 1e300
	res, _ := descend(t, start, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 10})
	if res.Status != Diverged || res.Iterations != 1 {
		t.Errorf("b3 = 1e300: got %v after %d iterations, want diverged after 1", res.Status, res.Iterations)
	}
}

func TestObserverErrorStopsTheRun(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	_, err := Descend(article, dosages, Settings{Alpha: 0.1, Tolerance: 1e-3, MaxIterations: 100}, func(it *Iteration) error {
		calls++
		if it.N == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("got error %v after %d calls, want %v after 3", err, calls, stop)
	}
}

func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		s    Settings
		data []Point
		want string
	}{
		{Settings{Alpha: 0, Tolerance: 1, MaxIterations: 1}, dosages, "Alpha must be finite and > 0, got 0"},
		{Settings{Alpha: math.Inf(1), Tolerance: 1, MaxIterations: 1}, dosages, "Alpha must be finite and > 0, got +Inf"},
		{Settings{Alpha: 1, Tolerance: math.NaN(), MaxIterations: 1}, dosages, "Tolerance must be finite and > 0, got NaN"},
		{Settings{Alpha: 1, Tolerance: 1, MaxIterations: 0}, dosages, "MaxIterations must be at least 1, got 0"},
		{Settings{Alpha: 1, Tolerance: 1, MaxIterations: 1, DivergenceRatio: 0.5}, dosages, "DivergenceRatio must be 0 (default) or > 1"},
		{Settings{Alpha: 1, Tolerance: 1, MaxIterations: 1}, nil, "no data points"},
		{Settings{Alpha: 1, Tolerance: 1, MaxIterations: 1, Train: 1 << 7}, dosages, "Train holds unknown parameters"},
	}
	for _, tt := range tests {
		_, err := Descend(article, tt.data, tt.s, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Descend(%+v, %d points) error = %v, want it to contain %q", tt.s, len(tt.data), err, tt.want)
		}
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{
		Converged: "converged", MaxIterations: "max-iterations", Diverged: "diverged", 0: "unknown", 9: "unknown",
	} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}
