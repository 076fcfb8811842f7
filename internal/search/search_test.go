package search

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// theoryCases are b3-only descents with N = 3 and N = 5 data points.
var theoryCases = []struct {
	name string
	p    problem
}{
	{"N = 3, the article", article},
	{"N = 5", problem{start: articleStart, data: fivePoints, s: engine.Settings{Tolerance: 1e-4, MaxIterations: 5000}}},
}

// TestEdgeMatchesTheClosedForm runs edge searches on b3-only descents,
// every probe a real descent, and checks the bracket against the closed
// form's edge: it holds the edge, and is within the precision.
func TestEdgeMatchesTheClosedForm(t *testing.T) {
	for _, c := range theoryCases {
		edge, ok := c.p.theory().Edge()
		if !ok {
			t.Fatalf("%s: the theory has no edge", c.name)
		}
		for _, width := range []int{1, 2, 3, 4, 7} {
			spec := Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: width}
			a, _ := drive(t, spec, c.p.probe, nil)
			// The bracket holds the edge, up to where descent's rounding
			// moves it: far less than the precision.
			if a.Low > edge*(1+1e-12) || a.High < edge*(1-1e-12) {
				t.Errorf("%s, width %d: bracket [%.12g, %.12g] misses the edge %.12g", c.name, width, a.Low, a.High, edge)
			}
			if !a.Reached || a.Width > DefaultEdgePrecision*(1+1e-4) || math.Abs(a.Best.Value/edge-1) > DefaultEdgePrecision {
				t.Errorf("%s, width %d: bracket [%.12g, %.12g] of width %.3g (reached %v), edge %.12g", c.name, width, a.Low, a.High, a.Width, a.Reached, edge)
			}
			if !a.Best.Converged() || a.Beyond.Converged() || a.Best.Value != a.Low {
				t.Errorf("%s, width %d: best %+v, beyond %+v; want the converging value below the edge", c.name, width, a.Best, a.Beyond)
			}
		}
	}
}

// TestFastestMatchesTheClosedForm runs fastest searches on b3-only
// descents and checks the answer against 1/(2N), where the first step
// lands on b3*.
func TestFastestMatchesTheClosedForm(t *testing.T) {
	for _, c := range theoryCases {
		want := c.p.theory().Fastest()
		for _, width := range []int{1, 2, 3, 4, 7} {
			spec := Spec{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: width}
			a, _ := drive(t, spec, c.p.probe, nil)
			if d := math.Abs(a.Best.Value/want - 1); d > DefaultFastestPrecision || !a.Reached {
				t.Errorf("%s, width %d: fastest %.9g (%d iterations, rate %.3g), %.2g from 1/(2N) = %.9g; reached %v",
					c.name, width, a.Best.Value, a.Best.Iterations, a.Best.Rate, d, want, a.Reached)
			}
			if a.Low > want || a.High < want {
				t.Errorf("%s, width %d: bracket [%.9g, %.9g] misses 1/(2N) = %.9g", c.name, width, a.Low, a.High, want)
			}
		}
	}
}

// TestOtherFields searches fields other than α, against the closed form:
// the edge of tolerance on a log scale (converging at the range's upper
// end: τ_e = |step_K|, the last step), and the edge of the starting b3 on
// a linear scale (|b3 - b3*| < τ/(2Nα·|r|^(K-1))).
func TestOtherFields(t *testing.T) {
	const alpha = 0.3319
	th := article.theory()
	tolerance := article
	tolerance.s.Alpha = alpha
	tolerance.set = func(_ *engine.Network, s *engine.Settings, v float64) { s.Tolerance = v }
	a, _ := drive(t, Spec{Find: Edge, From: 1e-8, To: 1, Scale: Log}, tolerance.probe, nil)
	if want := th.Step(alpha, th.MaxIterations); a.Low > want || a.High < want || !a.Reached || a.Best.Value != a.High {
		t.Errorf("tolerance: bracket [%.12g, %.12g] (best %.12g), want it to hold τ_e = %.12g", a.Low, a.High, a.Best.Value, want)
	}

	b3 := article
	b3.s.Alpha = alpha
	b3.set = func(n *engine.Network, _ *engine.Settings, v float64) { n.B3 = v }
	best := engine.Optimum(articleStart, dosages)
	spec := Spec{Find: Edge, From: best, To: best + 100, Precision: 1e-7} // linear: precision of the range, 1e-5 in b3
	a, _ = drive(t, spec, b3.probe, nil)
	r := engine.ErrorFactor(alpha, 3)
	want := best + th.Tolerance/(6*alpha*math.Pow(r, float64(th.MaxIterations-1)))
	if a.Low > want || a.High < want || a.High-a.Low > 1e-7*100*(1+1e-6) {
		t.Errorf("b3: bracket [%.12g, %.12g], want it within 1e-5 around %.12g", a.Low, a.High, want)
	}
}

// allSeven is the article's problem with every parameter trained.
var allSeven = problem{start: articleStart, data: dosages, s: engine.Settings{Tolerance: 1e-3, MaxIterations: 1000, Train: engine.AllParams}}

// TestEdgeOfAllSevenParameters finds the edge of descent on all seven
// parameters, where there is no closed form, and checks it by plain runs:
// 0.99 times the bracket's converging end converges, 1.01 times its other
// end does not.
func TestEdgeOfAllSevenParameters(t *testing.T) {
	for _, width := range []int{1, 4} {
		a, _ := drive(t, Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: width}, allSeven.probe, nil)
		below, above := allSeven.probe(0.99*a.Best.Value), allSeven.probe(1.01*a.Beyond.Value)
		if !below.Converged() || above.Converged() {
			t.Errorf("width %d: edge in [%.9g, %.9g]; at 0.99× the lower end %v, at 1.01× the upper %v", width, a.Low, a.High, below.Status, above.Status)
		}
		// The local stability limit where the run at the lower end ended,
		// for the record: descent near its edge ends where 2/λ_max is at
		// least about its α ("the edge of stability").
		n, s := allSeven.start, allSeven.s
		s.Alpha = a.Best.Value
		res, err := engine.Descend(n, allSeven.data, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("width %d: edge in [%.9g, %.9g] after %d runs; 2/λ_max at the end of the run at %.9g: %.6g",
			width, a.Low, a.High, a.Runs, a.Best.Value, engine.StabilityLimit(res.Final, allSeven.data, engine.AllParams))
	}
}

// TestArticleBudgets checks the runs the searches take on the article's
// problem with width 1, edge to 1e-6 in at most 30 and fastest to 1e-3 in
// at most 40, and for every width that they take no more than Needed.
func TestArticleBudgets(t *testing.T) {
	for _, width := range []int{1, 2, 3, 4, 5, 8, 16} {
		for _, find := range []Find{Edge, Fastest} {
			spec := Spec{Find: find, From: 0.001, To: 1, Scale: Log, Width: width}
			a, rounds := drive(t, spec, article.probe, nil)
			if a.Runs > spec.Needed() || a.Runs != runs(rounds) || a.Rounds != len(rounds) {
				t.Errorf("%v, width %d: %d runs in %d rounds; Needed says %d", find, width, a.Runs, a.Rounds, spec.Needed())
			}
			for i, round := range rounds[1:] {
				if len(round) > width {
					t.Errorf("%v, width %d: round %d has %d values", find, width, i+2, len(round))
				}
			}
			if width == 1 && a.Runs > map[Find]int{Edge: 30, Fastest: 40}[find] {
				t.Errorf("%v, width 1: %d runs", find, a.Runs)
			}
		}
	}
	// With a budget just enough, and one run short of it.
	spec := Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 1, MaxRuns: 25}
	if problems := spec.Check(); len(problems) != 0 {
		t.Errorf("a budget of 25 for an edge search that needs 25: %v", problems)
	}
	spec.MaxRuns = 24
	problems := spec.Check()
	if want := "max_runs: 24 cannot reach precision 1e-06: the edge search needs 25 runs with width 1"; len(problems) != 1 || problems[0].Error() != want {
		t.Errorf("a budget of 24: %v, want %q", problems, want)
	}
}

// TestProposalsDoNotDependOnOrder drives the same searches with each
// round's probes given in random orders, as runs finishing in any order
// would give them: the rounds and the answers must be the same.
func TestProposalsDoNotDependOnOrder(t *testing.T) {
	for _, spec := range []Spec{
		{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 5},
		{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 6},
		{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 3},
	} {
		want, wantRounds := drive(t, spec, allSeven.probe, nil)
		for seed := range uint64(5) {
			got, rounds := drive(t, spec, allSeven.probe, rand.New(rand.NewPCG(seed, 1)))
			if fmt.Sprint(got) != fmt.Sprint(want) || len(rounds) != len(wantRounds) {
				t.Fatalf("%v width %d, seed %d: answer %+v after %d rounds, in order %+v after %d", spec.Find, spec.Width, seed, got, len(rounds), want, len(wantRounds))
			}
			for i := range rounds {
				values, _, err := spec.Next(rounds[:i])
				wantValues, _, _ := spec.Next(wantRounds[:i])
				if err != nil || fmt.Sprint(values) != fmt.Sprint(wantValues) {
					t.Fatalf("%v, seed %d, round %d: %v (%v), in order %v", spec.Find, seed, i+1, values, err, wantValues)
				}
			}
		}
	}
}

// TestFailures checks the searches that cannot find their answer in
// their range: they fail with a *Failure saying what to change.
func TestFailures(t *testing.T) {
	for _, tt := range []struct {
		spec Spec
		want string
	}{
		{Spec{Find: Edge, From: 0.001, To: 0.3, Scale: Log}, "both ends converge (from 0.001 in 459 iterations, to 0.3 in 39): the edge is not between them; widen the range"},
		{Spec{Find: Edge, From: 0.34, To: 1, Scale: Log}, "neither end converges (from 0.34: diverged, to 1: diverged)"},
		{Spec{Find: Fastest, From: 0.34, To: 1, Scale: Log, Width: 2}, "none of the 4 values scanned from 0.34 to 1 converges"},
	} {
		var rounds [][]Probe
		var err error
		for range 3 {
			var values []float64
			if values, _, err = tt.spec.Next(rounds); err != nil {
				break
			}
			var round []Probe
			for _, v := range values {
				round = append(round, article.probe(v))
			}
			rounds = append(rounds, round)
		}
		var f *Failure
		if !errors.As(err, &f) || !strings.Contains(f.Msg, tt.want) {
			t.Errorf("%v from %g to %g: error %v, want a Failure with %q", tt.spec.Find, tt.spec.From, tt.spec.To, err, tt.want)
		}
		if _, err := tt.spec.Answer(rounds); !errors.As(err, &f) {
			t.Errorf("%v from %g to %g: Answer's error %v, want the Failure", tt.spec.Find, tt.spec.From, tt.spec.To, err)
		}
	}
}

// TestRoundsMustBeTheProposedOnes gives Next and Answer rounds that the
// spec did not propose, or too many, or too few.
func TestRoundsMustBeTheProposedOnes(t *testing.T) {
	spec := Spec{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 2}
	_, rounds := drive(t, spec, article.probe, nil)
	wrong := [][]Probe{{article.probe(0.001), article.probe(0.5)}}
	short := [][]Probe{rounds[0][:1]}
	extra := append(append([][]Probe{}, rounds...), []Probe{article.probe(0.3319)})
	for _, tt := range []struct {
		rounds [][]Probe
		want   string
	}{
		{wrong, "round 1: no probe of 1, which was proposed ([0.001 1])"},
		{short, "round 1: 1 probes, but 2 values were proposed"},
		{extra, fmt.Sprintf("round %d given, but the search was done after %d", len(rounds)+1, len(rounds))},
	} {
		if _, _, err := spec.Next(tt.rounds); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Next: error %v, want %q", err, tt.want)
		}
	}
	if _, err := spec.Answer(rounds[:3]); err == nil || !strings.Contains(err.Error(), "not finished: round 4, of 2 values, is still to run") {
		t.Errorf("Answer of an unfinished search: %v", err)
	}
	if _, _, err := (&Spec{Find: LRRange, From: 1e-4, To: 1, Scale: Log}).Next(nil); err == nil {
		t.Errorf("Next of a range test: no error")
	}
}

// TestCheck lists specs with problems and what Check says of them.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		spec Spec
		want string
	}{
		{Spec{From: 0.1, To: 1}, "find: want edge, fastest or lr-range, got Find(0)"},
		{Spec{Find: Edge, From: 1, To: 0.1, Scale: Log}, "to: must be greater than from (1), got 0.1"},
		{Spec{Find: Edge, From: -1, To: 1, Scale: Log}, "scale: a log scale cannot reach or cross 0 (from -1 to 1); use scale: linear"},
		{Spec{Find: Edge, From: math.Inf(-1), To: 1}, "from: the ends must be finite numbers, got -Inf and 1"},
		{Spec{Find: Fastest, From: 0.1, To: 1, Scale: Log, Precision: 1e-10}, "precision: must be at least 1e-09 and below 1, got 1e-10"},
		{Spec{Find: Fastest, From: 0.1, To: 1, Scale: Log, Precision: 1}, "precision: must be at least 1e-09 and below 1, got 1"},
		{Spec{Find: Edge, From: 1000, To: 1001, Precision: 1e-7}, "precision: 1e-07 of the range from 1000 to 1001 is finer than values rounded to 12 significant digits can tell apart; use at least 1e-06"},
		{Spec{Find: Edge, From: 0.1, To: 1, Width: 300}, "width: must be between 1 and 256, got 300"},
		{Spec{Find: Edge, From: 0.1, To: 1, Iterations: 50}, "iterations: applies to lr-range only; edge searches run the experiment's max_iterations"},
		{Spec{Find: LRRange, From: 0.1, To: 1}, "scale: a range test grows α geometrically: its scale is log"},
		{Spec{Find: LRRange, From: 0.1, To: 1, Scale: Log, Width: 2, Precision: 0.1, MaxRuns: 3, Iterations: 1}, "precision: does not apply to lr-range, which is one run\nwidth: does not apply to lr-range, which is one run\nmax_runs: does not apply to lr-range, which is one run\niterations: must be at least 2, got 1"},
	} {
		var got []string
		for _, p := range tt.spec.Check() {
			got = append(got, p.Error())
		}
		if strings.Join(got, "\n") != tt.want {
			t.Errorf("Check(%+v):\n%s\nwant:\n%s", tt.spec, strings.Join(got, "\n"), tt.want)
		}
	}
	for _, ok := range []Spec{
		{Find: Edge, From: -5, To: -0.5, Scale: Log},
		{Find: Fastest, From: -1, To: 1},
		{Find: LRRange, From: 1e-6, To: 10, Scale: Log, Iterations: 2},
	} {
		if problems := ok.Check(); len(problems) > 0 {
			t.Errorf("Check(%+v) = %v, want no problem", ok, problems)
		}
	}
}

// TestRound checks the rounding of proposed values to 12 significant
// digits, which must read back from their text as the same number.
func TestRound(t *testing.T) {
	for v, want := range map[float64]float64{
		1.0 / 3: 0.333333333333, 0.30000000000000004: 0.3, 123456789.0123456: 123456789.012, -2.5e-300: -2.5e-300,
	} {
		if got := Round(v); got != want {
			t.Errorf("Round(%v) = %v, want %v", v, got, want)
		}
	}
}

// TestResume interrupts searches after every round, resumes them from the
// rounds recorded (Start), and checks that they go on to the same rounds
// and the same answer as without interruption.
func TestResume(t *testing.T) {
	for _, spec := range []Spec{
		{Find: Edge, From: 0.001, To: 1, Scale: Log, Width: 2},
		{Find: Fastest, From: 0.001, To: 1, Scale: Log, Width: 1},
	} {
		want, rounds := drive(t, spec, article.probe, nil)
		for k := range rounds {
			s, err := spec.Start(rounds[:k])
			if err != nil {
				t.Fatalf("%v: resume after %d rounds: %v", spec.Find, k, err)
			}
			for i := k; i < len(rounds); i++ {
				if got, want := fmt.Sprint(s.Next()), fmt.Sprint(valuesOf(rounds[i])); got != want {
					t.Fatalf("%v resumed after %d rounds: round %d proposes %s, want %s", spec.Find, k, i+1, got, want)
				}
				if err := s.Record(rounds[i]); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := s.Answer(); err != nil || got != want {
				t.Errorf("%v resumed after %d rounds: %+v (%v), want %+v", spec.Find, k, got, err, want)
			}
		}
	}
}

// valuesOf returns the values of a round's probes, in increasing order.
func valuesOf(round []Probe) []float64 {
	var values []float64
	for _, p := range round {
		values = append(values, p.Value)
	}
	slices.Sort(values)
	return values
}

// TestRunsPerWidth checks the table of the package's documentation, in
// doc.go, against Needed and the searches run on the article's problem.
func TestRunsPerWidth(t *testing.T) {
	var b strings.Builder
	b.WriteString("//\twidth  edge to 1e-6           fastest to 1e-3\n")
	b.WriteString("//\t       needed  runs  rounds   needed  runs  rounds\n")
	for _, width := range []int{1, 2, 3, 4, 8, 16} {
		fmt.Fprintf(&b, "//\t%5d", width)
		for i, find := range []Find{Edge, Fastest} {
			spec := Spec{Find: find, From: 0.001, To: 1, Scale: Log, Width: width}
			a, _ := drive(t, spec, article.probe, nil)
			fmt.Fprintf(&b, "%s%6d  %4d  %6d", []string{"  ", "   "}[i], spec.Needed(), a.Runs, a.Rounds)
		}
		b.WriteString("\n")
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), b.String()) {
		t.Errorf("doc.go's table of runs per width differs from the searches; it should read:\n%s", b.String())
	}
}
