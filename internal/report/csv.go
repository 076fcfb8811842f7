package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"runner/internal/batch"
	"runner/internal/experiment"
	"runner/pkg/engine"
)

// writeTrace writes a run's trace as CSV: a header, then one row per
// iteration.
func writeTrace(w io.Writer, o *batch.Outcome) error {
	cw := csv.NewWriter(w)
	header := append([]string{"iteration"}, engine.Columns(o.Run.Settings.Trained(), len(o.Run.Experiment.Data))...)
	if err := cw.Write(header); err != nil {
		return err
	}
	digits := csvDigits(&o.Run)
	record := make([]string, len(header))
	values := make([]float64, 0, len(header)-1)
	for i := range o.Trace.Iterations {
		it := &o.Trace.Iterations[i]
		record[0] = strconv.Itoa(it.N)
		values = it.AppendValues(values[:0])
		for j, v := range values {
			record[j+1] = FormatCSV(v, digits)
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvDigits returns the significant digits of a run's CSV numbers.
func csvDigits(r *experiment.Run) int {
	if d := r.Experiment.CSVDigits; d > 0 {
		return d
	}
	return DefaultCSVDigits
}

// writeCSV writes a header and rows.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
