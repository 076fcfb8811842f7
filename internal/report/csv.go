package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"runner/internal/batch"
	"runner/pkg/engine"
)

// writeTrace writes a run's trace as CSV: a header, then one row per
// iteration.
func writeTrace(w io.Writer, o *batch.Outcome) error {
	cw := csv.NewWriter(w)
	header := append([]string{"iteration"}, engine.Columns(len(o.Experiment.Data))...)
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(header))
	values := make([]float64, 0, len(header)-1)
	for i := range o.Trace.Iterations {
		it := &o.Trace.Iterations[i]
		record[0] = strconv.Itoa(it.N)
		values = it.AppendValues(values[:0])
		for j, v := range values {
			record[j+1] = FormatCSV(v)
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSummaryCSV writes one row per experiment.
func writeSummaryCSV(w io.Writer, outcomes []batch.Outcome) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(summaryNames); err != nil {
		return err
	}
	for i := range outcomes {
		if err := cw.Write(summaryRow(&outcomes[i], FormatCSV)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
