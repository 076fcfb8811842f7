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
	article = Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}
	dosages = []Point{{0, 0}, {0.5, 1}, {1, 0}}
)

// descend runs Descend and keeps every iteration.
func descend(t *testing.T, start Params, data []Point, s Settings) (Result, []Iteration) {
	t.Helper()
	var tr Trace
	res, err := Descend(start, data, s, tr.Record)
	if err != nil {
		t.Fatalf("Descend: %v", err)
	}
	return res, tr.Iterations
}

func TestGradientMatchesCentralDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		p := Params{
			W1: rng.NormFloat64() * 3, B1: rng.NormFloat64(),
			W2: rng.NormFloat64() * 3, B2: rng.NormFloat64(),
			W3: rng.NormFloat64() * 2, W4: rng.NormFloat64() * 2,
			B3: rng.NormFloat64() * 3,
		}
		data := make([]Point, 1+rng.IntN(6))
		for i := range data {
			data[i] = Point{X: rng.Float64()*2 - 0.5, Y: rng.NormFloat64()}
		}
		_, trace := descend(t, p, data, Settings{Alpha: 0.01, Tolerance: 1e-9, MaxIterations: 1})

		const h = 1e-5
		up, down := p, p
		up.B3 += h
		down.B3 -= h
		want := (SSR(up, data) - SSR(down, data)) / (2 * h)
		got := trace[0].Gradient
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("trial %d: gradient = %.12g, central difference = %.12g", trial, got, want)
		}
		if ssr := SSR(p, data); trace[0].SSR != ssr {
			t.Errorf("trial %d: iteration SSR = %.17g, SSR() = %.17g", trial, trace[0].SSR, ssr)
		}
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
		{"iteration 1 gradient", first.Gradient, 1, -15.7},
		{"iteration 1 step", first.Step, 2, -1.57},
		{"iteration 1 next b3", first.Next, 2, 1.57},
		// The article rounds iteration 2's predictions from rounded numbers
		// (-1.03, -0.03, -1.04); exact arithmetic gives these.
		{"iteration 2 predicted_1", trace[1].Predicted[0], 2, -1.04},
		{"iteration 2 predicted_2", trace[1].Predicted[1], 2, -0.04},
		{"iteration 2 predicted_3", trace[1].Predicted[2], 2, -1.05},
		{"iteration 2 gradient", trace[1].Gradient, 2, -6.26},
		{"iteration 2 step", trace[1].Step, 3, -0.626},
		{"iteration 2 next b3", trace[1].Next, 2, 2.19},
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
	if last := trace[len(trace)-1]; len(trace) != res.Iterations || last.Next != res.Final.B3 {
		t.Errorf("result (%d iterations, b3 %v) disagrees with the last iteration (%d, next %v)",
			res.Iterations, res.Final.B3, len(trace), last.Next)
	}
	for i, it := range trace {
		if it.N != i+1 {
			t.Fatalf("iteration %d numbered %d", i+1, it.N)
		}
		stop := math.Abs(it.Step) < settings.Tolerance
		if stop != (i == len(trace)-1) {
			t.Errorf("iteration %d: |step| = %g, but the run stopped after %d", it.N, math.Abs(it.Step), len(trace))
		}
	}

	// Near the optimum, |step| = 2·N·α·|b3 - b3*|, so stopping with
	// |step| < tolerance puts b3 within tolerance/(2·N·α) of b3*.
	best := Optimum(article, dosages)
	bound := settings.Tolerance / (2 * float64(len(dosages)) * settings.Alpha)
	if d := math.Abs(res.Final.B3 - best); d > bound {
		t.Errorf("final b3 = %v is %g from the optimum %v, want within %g", res.Final.B3, d, best, bound)
	}
	if want := SSR(res.Final, dosages); res.FinalSSR != want {
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
			e0, e1 := trace[0].B3-best, trace[1].B3-best
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
				if res.Final.B3 != last.B3 || res.FinalSSR != last.SSR {
					t.Errorf("diverged run ends at b3 %v (SSR %v), want the last iteration's b3 %v (SSR %v)",
						res.Final.B3, res.FinalSSR, last.B3, last.SSR)
				}
				if last.SSR <= DefaultDivergenceRatio*trace[0].SSR && isFinite(last.Next) {
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
	if g := trace[0].Gradient; math.Abs(g) > 1e-12 {
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
	}
	for _, tt := range tests {
		_, err := Descend(article, tt.data, tt.s, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Descend(%+v, %d points) error = %v, want it to contain %q", tt.s, len(tt.data), err, tt.want)
		}
	}
}

func TestSoftplus(t *testing.T) {
	for _, z := range []float64{-800, -30, -1, 0, 1e-9, 1, 30, 800} {
		got := Softplus(z)
		want := math.Log1p(math.Exp(z))
		if z > 700 {
			want = z // ln(1 + e^z) = z + ln(1 + e^-z), and e^-z underflows
		}
		if math.IsInf(got, 0) || math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Errorf("Softplus(%g) = %.17g, want %.17g", z, got, want)
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
