// Package batch runs experiments: gradient descent for each, with its trace
// kept, and each published value the experiment pins checked against what
// the run computed.
package batch

import (
	"fmt"
	"slices"

	"runner/internal/experiment"
	"runner/pkg/engine"
)

// Outcome is what running one experiment produced.
type Outcome struct {
	Experiment *experiment.Experiment
	Result     engine.Result
	Trace      engine.Trace
	// Checks holds one entry per pinned value, in the order pinned.
	Checks []Check
}

// Check is a published value compared with the computed one.
type Check struct {
	Pin experiment.Pin
	// Reached is false if the run stopped before the pinned iteration; then
	// there is no Computed value and the check fails.
	Reached  bool
	Computed float64
	Holds    bool
}

// Run runs each experiment in order. It fails only if the engine refuses
// an experiment, which validation should have prevented.
func Run(exps []*experiment.Experiment) ([]Outcome, error) {
	outcomes := make([]Outcome, len(exps))
	for i, e := range exps {
		o, err := run(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name, err)
		}
		outcomes[i] = o
	}
	return outcomes, nil
}

// run runs one experiment and checks its pinned values.
func run(e *experiment.Experiment) (Outcome, error) {
	o := Outcome{Experiment: e}
	var err error
	o.Result, err = engine.Descend(e.Start, e.Data, e.Settings, o.Trace.Record)
	if err != nil {
		return Outcome{}, err
	}
	o.Checks = make([]Check, len(e.Expected))
	for i, pin := range e.Expected {
		o.Checks[i] = o.check(pin)
	}
	return o, nil
}

// check compares one pinned value with the run's.
func (o *Outcome) check(pin experiment.Pin) Check {
	c := Check{Pin: pin}
	c.Computed, c.Reached = o.value(pin)
	c.Holds = c.Reached && pin.Holds(c.Computed)
	return c
}

// value returns the computed value a pin refers to, if the run reached it.
func (o *Outcome) value(pin experiment.Pin) (float64, bool) {
	if pin.Final() {
		switch pin.Column {
		case "b3":
			return o.Result.Final.B3, true
		case "ssr":
			return o.Result.FinalSSR, true
		}
		return 0, false
	}
	if pin.Iteration > len(o.Trace.Iterations) {
		return 0, false
	}
	col := slices.Index(engine.Columns(len(o.Experiment.Data)), pin.Column)
	if col < 0 {
		return 0, false
	}
	it := &o.Trace.Iterations[pin.Iteration-1]
	return it.AppendValues(nil)[col], true
}

// Failed returns the checks that do not hold.
func (o *Outcome) Failed() []Check {
	var failed []Check
	for _, c := range o.Checks {
		if !c.Holds {
			failed = append(failed, c)
		}
	}
	return failed
}
