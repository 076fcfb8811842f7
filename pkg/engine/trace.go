package engine

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
