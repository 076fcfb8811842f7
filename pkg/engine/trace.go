package engine

// Trace records every iteration of a run. Its Record method is an observer
// for Descend:
//
//	var tr engine.Trace
//	res, err := engine.Descend(start, data, settings, tr.Record)
type Trace struct {
	Iterations []Iteration
}

// Record appends a copy of it to the trace.
func (t *Trace) Record(it *Iteration) error {
	c := *it
	c.Predicted = append([]float64(nil), it.Predicted...)
	t.Iterations = append(t.Iterations, c)
	return nil
}
