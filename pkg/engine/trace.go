package engine

import "slices"

// Trace records every iteration of a run. Its Record method is an observer
// for Descend:
//
//	var tr engine.Trace
//	res, err := engine.Descend(start, data, settings, tr.Record)
//
// It holds the whole run in memory; callers that only need some
// iterations keep copies of those (see Iteration.CopyTo).
type Trace struct {
	Iterations []Iteration
}

// Record appends a copy of it to the trace.
func (t *Trace) Record(it *Iteration) error {
	var c Iteration
	it.CopyTo(&c)
	t.Iterations = append(t.Iterations, c)
	return nil
}

// CopyTo copies the iteration into dst, reusing dst's slices when they are
// large enough, so that keeping copies in place allocates nothing.
func (it *Iteration) CopyTo(dst *Iteration) {
	k, n := len(it.Values), len(it.Predicted)
	if cap(dst.Values) < k || cap(dst.Predicted) < n {
		buf := make([]float64, 4*k+n)
		dst.Values = buf[0:0:k]
		dst.Gradient = buf[k : k : 2*k]
		dst.Step = buf[2*k : 2*k : 3*k]
		dst.Next = buf[3*k : 3*k : 4*k]
		dst.Predicted = buf[4*k : 4*k]
	}
	dst.N, dst.SSR = it.N, it.SSR
	dst.Values = append(dst.Values[:0], it.Values...)
	dst.Gradient = append(dst.Gradient[:0], it.Gradient...)
	dst.Step = append(dst.Step[:0], it.Step...)
	dst.Next = append(dst.Next[:0], it.Next...)
	dst.Predicted = append(dst.Predicted[:0], it.Predicted...)
}

// Ends keeps copies of the first and the last K iterations it records, the
// last in a ring, reusing their storage: what a table of a run shows,
// without memory that grows with the run. Its Record method is an observer
// for Descend.
type Ends struct {
	k     int
	first []Iteration
	ring  []Iteration
	seen  int
}

// NewEnds returns an Ends that keeps the first and the last k iterations.
func NewEnds(k int) *Ends {
	return &Ends{k: k, first: make([]Iteration, 0, k), ring: make([]Iteration, k)}
}

// Record keeps a copy of it if it is among the first k, and as the last
// so far.
func (e *Ends) Record(it *Iteration) error {
	if len(e.first) < e.k {
		e.first = e.first[:len(e.first)+1]
		it.CopyTo(&e.first[len(e.first)-1])
	}
	it.CopyTo(&e.ring[e.seen%e.k])
	e.seen++
	return nil
}

// Seen returns how many iterations were recorded.
func (e *Ends) Seen() int {
	return e.seen
}

// Iterations returns the iterations kept, in order, each once: all of
// them if there were at most 2k, else the first k and the last k. The
// copies are the Ends' own, valid until it records again.
func (e *Ends) Iterations() []Iteration {
	its := slices.Clone(e.first)
	n := min(e.seen, e.k)
	for i := e.seen - n; i < e.seen; i++ {
		if i >= len(e.first) {
			its = append(its, e.ring[i%e.k])
		}
	}
	return its
}
