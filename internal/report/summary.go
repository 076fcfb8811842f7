package report

import (
	"fmt"
	"strconv"

	"runner/internal/batch"
)

// The summary's columns: their names in summary.csv and their titles in
// tables, in the order summaryRow gives the cells.
var (
	summaryNames  = []string{"experiment", "alpha", "b3_initial", "tolerance", "max_iterations", "iterations", "status", "b3_final", "ssr_final", "expected"}
	summaryTitles = []string{"experiment", "alpha", "b3 initial", "tolerance", "max iterations", "iterations", "status", "b3 final", "SSR final", "expected"}
)

// summaryRow returns the summary cells of one outcome. Settings are inputs
// and are written in full; results are formatted by format.
func summaryRow(o *batch.Outcome, format func(float64) string) []string {
	e, r := o.Experiment, o.Result
	return []string{
		e.Name,
		FormatCSV(e.Settings.Alpha),
		FormatCSV(e.Start.B3),
		FormatCSV(e.Settings.Tolerance),
		strconv.Itoa(e.Settings.MaxIterations),
		strconv.Itoa(r.Iterations),
		r.Status.String(),
		format(r.Final.B3),
		format(r.FinalSSR),
		expectedTally(o),
	}
}

// summaryTable is the summary as a table; in Markdown files each
// experiment's name links to its iterations.
func summaryTable(outcomes []batch.Outcome, linked bool) *table {
	t := newTable(summaryTitles, "experiment", "status")
	for i := range outcomes {
		o := &outcomes[i]
		row := summaryRow(o, FormatReadable)
		if linked {
			row[0] = fmt.Sprintf("[%s](%s/iterations.md)", o.Experiment.Name, o.Experiment.Name)
		}
		t.add(row...)
	}
	return t
}

// expectedTally counts the published values that hold, as "held/pinned",
// or "" if the experiment pins none.
func expectedTally(o *batch.Outcome) string {
	if len(o.Checks) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", len(o.Checks)-len(o.Failed()), len(o.Checks))
}
