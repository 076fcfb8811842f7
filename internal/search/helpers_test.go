package search

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/descentlab/runner/pkg/engine"
)

// The article's problem: its network, its three data points, b3 from 0,
// tolerance 0.001, 1000 iterations.
var (
	articleStart = engine.Network{Params: engine.Params{W1: 3.34, B1: -1.43, W2: -3.53, B2: 0.57, W3: -1.22, W4: -2.30}}
	dosages      = []engine.Point{{X: 0, Y: 0}, {X: 0.5, Y: 1}, {X: 1, Y: 0}}
	fivePoints   = []engine.Point{{X: 0, Y: 0}, {X: 0.25, Y: 0.6}, {X: 0.5, Y: 1}, {X: 0.75, Y: 0.4}, {X: 1, Y: 0}}
)

// problem is a descent that a search varies one field of.
type problem struct {
	start engine.Network
	data  []engine.Point
	s     engine.Settings
	// set applies the searched value: α unless given.
	set func(n *engine.Network, s *engine.Settings, v float64)
}

// article is the article's problem, b3 alone.
var article = problem{start: articleStart, data: dosages, s: engine.Settings{Tolerance: 1e-3, MaxIterations: 1000}}

// probe runs the problem with the searched field at v, as the pipeline
// does, and returns its outcome.
func (p problem) probe(v float64) Probe {
	n, s := p.start, p.s
	if p.set != nil {
		p.set(&n, &s, v)
	} else {
		s.Alpha = v
	}
	var first, last []float64
	res, err := engine.Descend(n, p.data, s, func(it *engine.Iteration) error {
		if it.N == 1 {
			first = slices.Clone(it.Step)
		}
		last = append(last[:0], it.Step...)
		return nil
	})
	if err != nil {
		panic(err)
	}
	return Probe{Value: v, Status: res.Status, Iterations: res.Iterations, Rate: engine.StepRate(first, last, res.Iterations)}
}

// theory is the closed form of the problem's descent, b3 alone.
func (p problem) theory() engine.B3Descent {
	return engine.NewB3Descent(p.start, p.data, p.s)
}

// drive runs a search to its end, round by round as the pipeline does:
// Next, run the round's values, Record their probes, and again. If
// shuffle is not nil, each round's probes are given in a random order, as
// runs finishing in any order would be. It returns the answer and the
// rounds.
func drive(t testing.TB, spec Spec, probe func(float64) Probe, shuffle *rand.Rand) (Answer, [][]Probe) {
	t.Helper()
	s, err := spec.Start(nil)
	if err != nil {
		t.Fatalf("%v search from %g to %g: %v", spec.Find, spec.From, spec.To, err)
	}
	var rounds [][]Probe
	for values := s.Next(); len(values) > 0; values = s.Next() {
		round := make([]Probe, len(values))
		for i, v := range values {
			round[i] = probe(v)
		}
		if shuffle != nil {
			shuffle.Shuffle(len(round), func(i, j int) { round[i], round[j] = round[j], round[i] })
		}
		if err := s.Record(round); err != nil {
			t.Fatalf("%v search from %g to %g, round %d: %v", spec.Find, spec.From, spec.To, len(rounds)+1, err)
		}
		rounds = append(rounds, round)
		if len(rounds) > 1000 {
			t.Fatalf("%v search: still going after 1000 rounds", spec.Find)
		}
	}
	a, err := s.Answer()
	if err != nil {
		t.Fatalf("%v search: Answer: %v", spec.Find, err)
	}
	return a, rounds
}
