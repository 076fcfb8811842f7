package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// titleExceptions are the titles of record columns that are not the
// column's name with spaces for underscores.
var titleExceptions = map[string]string{"ssr_final": "SSR final", "b3_optimum": "b3*"}

// title returns the title of a record column in tables.
func title(col string) string {
	if t, ok := titleExceptions[col]; ok {
		return t
	}
	return strings.ReplaceAll(col, "_", " ")
}

// isResult reports whether a column holds results, rounded for reading in
// tables; the others are inputs and shown as written.
func isResult(col string) bool {
	return strings.HasSuffix(col, "_final") || col == "b3_optimum" || col == "error_factor"
}

// summaryColumns returns the columns of a summary of records: those the
// records have, but starting weights only where the runs differ in them.
func summaryColumns(records []Record) []string {
	return slices.DeleteFunc(columns(records...), func(c string) bool {
		return slices.Contains(weightColumns, c) && allEqual(records, c)
	})
}

func allEqual(records []Record, col string) bool {
	for _, r := range records {
		if r[col] != records[0][col] {
			return false
		}
	}
	return true
}

// summaryRows returns the records' cells in the given columns.
func summaryRows(records []Record, cols []string) [][]string {
	rows := make([][]string, len(records))
	for i, r := range records {
		rows[i] = r.row(cols)
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
		titles[i] = title(c)
	}
	t := newTable(titles, "run", "train", "activation", "status")
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
			if isResult(c) {
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
