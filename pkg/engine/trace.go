package engine

// Trace records every iteration of a run. Its Record method is an observer
// for Descend:
//
//	var tr engine.Trace
//	res, err := engine.Descend(start, data, settings, tr.Record)
type Trace struct {
	Iterations []Iteration
}

// Record appends a copy of it to the trace, its slices in one allocation.
func (t *Trace) Record(it *Iteration) error {
	k, n := len(it.Values), len(it.Predicted)
	buf := make([]float64, 4*k+n)
	c := *it
	c.Values = buf[0:k:k]
	c.Gradient = buf[k : 2*k : 2*k]
	c.Step = buf[2*k : 3*k : 3*k]
	c.Next = buf[3*k : 4*k : 4*k]
	c.Predicted = buf[4*k:]
	copy(c.Values, it.Values)
	copy(c.Gradient, it.Gradient)
	copy(c.Step, it.Step)
	copy(c.Next, it.Next)
	copy(c.Predicted, it.Predicted)
	t.Iterations = append(t.Iterations, c)
	return nil
}
