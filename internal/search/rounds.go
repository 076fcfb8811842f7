package search

import (
	"errors"
	"fmt"
	"slices"

	"github.com/descentlab/runner/pkg/engine"
)

// Probe is the outcome of one run of a search: the value it ran with, how
// it ended, after how many iterations, and how fast its steps shrank
// (engine.StepRate), which breaks a fastest search's ties between values
// that converge in as many iterations.
type Probe struct {
	Value      float64
	Status     engine.Status
	Iterations int
	Rate       float64
}

// Converged reports whether the probe's run converged.
func (p Probe) Converged() bool {
	return p.Status == engine.Converged
}

// Answer is what a finished search found.
type Answer struct {
	Find Find
	// Best is, for an edge search, the last probe that converged, next to
	// the edge; for a fastest search, the probe that converged in the
	// fewest iterations, at the lowest Rate among as many.
	Best Probe
	// Beyond is, for an edge search, the first probe that did not
	// converge, on the other side of the edge from Best.
	Beyond Probe
	// Low and High bound the answer, Low <= High: for an edge search,
	// Best's and Beyond's values; for a fastest search, the values probed
	// nearest Best on either side, or Best's own where it is an end of
	// the range (then the fastest value may lie beyond it).
	Low, High float64
	// Width is the bracket's width as Precision measures it.
	Width float64
	// Reached reports whether Width is within the precision; it is not if
	// the budget ran out first, or if rounding values to Digits digits
	// left no new value to probe.
	Reached bool
	// Rounds and Runs count the rounds and the runs the search took.
	Rounds, Runs int
}

// Failure is a search that cannot find its answer in its range, such as
// an edge search whose ends both converge. Its message says what to
// change; the pipeline shows it at the search's field.
type Failure struct {
	Msg string
}

// Error returns the message.
func (f *Failure) Error() string {
	return f.Msg
}

// searcher is the state of a search, replayed round by round from its
// probes.
type searcher interface {
	// propose returns the values of the next round, in increasing order,
	// or none if the search is done.
	propose() []float64
	// take records the probes of the round just proposed, in the order
	// proposed. It returns a *Failure if the search cannot go on.
	take(probes []Probe) error
	// answer returns what the search found so far.
	answer() Answer
}

// Search is a search in progress: Next proposes a round of values,
// Record takes their probes, until Next has no more and Answer says what
// the search found. Start makes one, and resumes one from the rounds
// recorded so far.
type Search struct {
	spec    *Spec
	st      searcher
	rounds  [][]Probe
	pending []float64 // the values of the next round
	failed  error     // the *Failure that ended the search, if one did
}

// Start returns the search after the given rounds, each round's probes in
// any order: a new search for none, or one resumed from the rounds
// recorded so far. The rounds are replayed as Record takes them; Start
// returns Record's errors, and those of Check.
func (s *Spec) Start(rounds [][]Probe) (*Search, error) {
	if problems := s.Check(); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = p
		}
		return nil, fmt.Errorf("search: %w", errors.Join(errs...))
	}
	sr := &Search{spec: s}
	switch s.Find {
	case Edge:
		sr.st = &edgeSearch{spec: s, ax: s.axis()}
	case Fastest:
		sr.st = &fastestSearch{spec: s, ax: s.axis()}
	default:
		return nil, fmt.Errorf("search: %v is one run, not rounds of probes; see RangeTest", s.Find)
	}
	sr.propose()
	for _, round := range rounds {
		if err := sr.Record(round); err != nil {
			return nil, err
		}
	}
	return sr, nil
}

// propose works out the next round: the searcher's, or none if it would
// take the search beyond its budget.
func (r *Search) propose() {
	r.pending = r.st.propose()
	if r.spec.MaxRuns > 0 && runs(r.rounds)+len(r.pending) > r.spec.MaxRuns {
		r.pending = nil
	}
}

// Next returns the values to probe in the next round, in increasing
// order, or none if the search has its answer. They are a pure function
// of the spec and of the outcomes of the rounds before: never of the order
// in which a round's runs finished, of timing or of the number of workers.
func (r *Search) Next() []float64 {
	return slices.Clone(r.pending)
}

// Record takes the probes of the round Next proposed, in any order. It
// returns a *Failure if the search cannot find its answer in its range
// (an edge search's ends both converge, or neither does; no value of a
// fastest search's scan converges), which ends the search, and an error if
// the probes are not of the values proposed, as when a spec changed since
// they ran, which leaves the search as it was.
func (r *Search) Record(round []Probe) error {
	n := len(r.rounds) + 1
	switch {
	case r.failed != nil:
		return r.failed
	case len(r.pending) == 0:
		return fmt.Errorf("search: round %d given, but the search was done after %d", n, n-1)
	}
	probes, err := inProposedOrder(r.pending, round)
	if err != nil {
		return fmt.Errorf("search: round %d: %w", n, err)
	}
	if err := r.st.take(probes); err != nil {
		r.failed, r.pending = err, nil
		return err
	}
	r.rounds = append(r.rounds, probes)
	r.propose()
	return nil
}

// Bracket returns the bounds of the search's answer after the rounds
// recorded so far: for an edge search, the last value that converged and
// the first that did not; for a fastest search, the values probed around
// the fastest so far.
func (r *Search) Bracket() (low, high float64) {
	a := r.st.answer()
	return a.Low, a.High
}

// Answer returns what the finished search found. It returns the
// *Failure that ended it, if one did, and an error if it is not finished.
func (r *Search) Answer() (Answer, error) {
	if r.failed != nil {
		return Answer{}, r.failed
	}
	if len(r.pending) > 0 {
		return Answer{}, fmt.Errorf("search: not finished: round %d, of %d values, is still to run", len(r.rounds)+1, len(r.pending))
	}
	a := r.st.answer()
	a.Find, a.Rounds, a.Runs = r.spec.Find, len(r.rounds), runs(r.rounds)
	return a, nil
}

// Next returns the values to probe after the given rounds, or done if the
// search has its answer: Start(rounds), then its Next, for a caller that
// keeps only the rounds.
func (s *Spec) Next(rounds [][]Probe) (values []float64, done bool, err error) {
	sr, err := s.Start(rounds)
	if err != nil {
		return nil, false, err
	}
	values = sr.Next()
	return values, len(values) == 0, nil
}

// Answer returns what the finished search found from the probes of all
// its rounds: Start(rounds), then its Answer.
func (s *Spec) Answer(rounds [][]Probe) (Answer, error) {
	sr, err := s.Start(rounds)
	if err != nil {
		return Answer{}, err
	}
	return sr.Answer()
}

// runs counts the probes of rounds.
func runs(rounds [][]Probe) int {
	n := 0
	for _, r := range rounds {
		n += len(r)
	}
	return n
}

// inProposedOrder returns a round's probes in the order of the values
// proposed, one for each.
func inProposedOrder(want []float64, round []Probe) ([]Probe, error) {
	if len(round) != len(want) {
		return nil, fmt.Errorf("%d probes, but %d values were proposed (%v)", len(round), len(want), want)
	}
	probes := make([]Probe, len(want))
	for i, v := range want {
		j := slices.IndexFunc(round, func(p Probe) bool { return p.Value == v })
		if j < 0 {
			return nil, fmt.Errorf("no probe of %v, which was proposed (%v)", v, want)
		}
		probes[i] = round[j]
	}
	return probes, nil
}
