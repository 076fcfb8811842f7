package report

import (
	"fmt"
	"slices"
	"strconv"
)

// summaryTitles are the titles of record columns in tables.
var summaryTitles = map[string]string{
	"b3_initial": "b3 initial", "max_iterations": "max iterations", "b3_final": "b3 final",
	"ssr_final": "SSR final", "b3_optimum": "b3*", "error_factor": "error factor",
}

// readableColumns are the columns of results, rounded for reading in
// tables; the others are inputs and shown as written.
var readableColumns = []string{"b3_final", "ssr_final", "b3_optimum", "error_factor"}

// summaryColumns returns the columns of a summary of records: all of
// them, but weights only where the runs differ in them.
func summaryColumns(records []Record) []string {
	var cols []string
	for i, c := range RecordColumns {
		if slices.Contains(weightColumns, c) && allEqual(records, i) {
			continue
		}
		cols = append(cols, c)
	}
	return cols
}

func allEqual(records []Record, col int) bool {
	for _, r := range records {
		if r[col] != records[0][col] {
			return false
		}
	}
	return true
}

// summaryRows returns the records' cells in the given columns.
func summaryRows(records []Record, cols []string) [][]string {
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(RecordColumns, c)
	}
	rows := make([][]string, len(records))
	for i, r := range records {
		rows[i] = make([]string, len(cols))
		for j, k := range idx {
			rows[i][j] = r[k]
		}
	}
	return rows
}

// summaryTable is the summary as a table to read: the experiment column
// left out (each run's identifier starts with it), results rounded, and in
// Markdown files each run linked to its iterations. With maxRows > 0, a
// table of more runs shows the first and last maxRows/2 only, and the
// returned note says so.
func summaryTable(records []Record, linked bool, maxRows int) (*table, string) {
	cols := slices.DeleteFunc(summaryColumns(records), func(c string) bool { return c == "experiment" })
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c
		if title, ok := summaryTitles[c]; ok {
			titles[i] = title
		}
	}
	t := newTable(titles, "run", "status")
	rows := summaryRows(records, cols)
	shown := elision{head: len(rows), n: len(rows)}
	if maxRows > 0 {
		shown = elision{head: maxRows / 2, tail: maxRows / 2, n: len(rows)}
	}
	for i, row := range rows {
		if shown.omits(i) {
			if i == shown.head {
				t.addGap()
			}
			continue
		}
		for j, c := range cols {
			if slices.Contains(readableColumns, c) {
				row[j] = readable(row[j])
			}
		}
		if linked {
			row[0] = fmt.Sprintf("[%s](%s/iterations.md)", row[0], row[0])
		}
		t.add(row...)
	}
	return t, shown.note("Runs", "summary.md and summary.csv have every run")
}

// readable rounds a CSV number for reading; other text stays as it is.
func readable(cell string) string {
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return cell
	}
	return FormatReadable(v)
}
