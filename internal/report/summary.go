package report

import (
	"encoding/csv"
	"fmt"
	"io"
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
	for i := range records {
		if records[i].Get(col) != records[0].Get(col) {
			return false
		}
	}
	return true
}

// MaxSummaryMarkdownRows is the most runs summary.md lists; beyond it, it
// lists the first and last halves, and summary.csv has every run. (GitHub
// does not render Markdown files of many megabytes.)
const MaxSummaryMarkdownRows = 1000

// writeSummaryCSV writes summary.csv: one row per record.
func writeSummaryCSV(w io.Writer, records []Record) error {
	cols := summaryColumns(records)
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	for i := range records {
		if err := cw.Write(records[i].row(cols)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// summaryTable is the summary as a table to read: the experiment column
// left out (each run's identifier starts with it), results rounded, and in
// Markdown files each run linked to its iterations. A table of more than
// maxRows runs shows the first and last maxRows/2 only, and the returned
// note says so.
func summaryTable(records []Record, linked bool, maxRows int) (*table, string) {
	cols := slices.DeleteFunc(summaryColumns(records), func(c string) bool { return c == "experiment" })
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = title(c)
	}
	t := newTable(titles, "run", "train", "activation", "status")
	shown := elision{head: maxRows / 2, tail: maxRows / 2, n: len(records)}
	for i := range records {
		if shown.omits(i) {
			if i == shown.head {
				t.addGap()
			}
			continue
		}
		row := records[i].row(cols)
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
	return t, shown.note("Runs", "summary.csv has every run")
}

// readable rounds a CSV number for reading; other text stays as it is.
func readable(cell string) string {
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		return cell
	}
	return FormatReadable(v)
}
