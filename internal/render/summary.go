package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/descentlab/runner/internal/ends"
	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Limits of the summary tables.
const (
	// MaxSummaryMarkdownRows is the most runs summary.md lists; beyond
	// it, the first and last halves, and summary.csv has every run.
	// (GitHub does not render Markdown files of many megabytes.)
	MaxSummaryMarkdownRows = 1000
	// MaxSummaryTerminalRows is the most runs of an experiment the
	// terminal's summary shows; beyond it, the first and last halves.
	MaxSummaryTerminalRows = 20
)

// Rows keeps the runs a table of many shows: the first and the last
// halves of at most a limit, and how many there were.
type Rows = ends.Ends[results.Record]

// note says which runs are left out of a table of rows, or "" if none.
func note(rows *Rows, where string) string {
	_, gap := rows.Kept()
	if gap < 0 {
		return ""
	}
	return fmt.Sprintf("Runs %d to %d are left out here; %s has every run.", gap+1, rows.Len()-gap, where)
}

// summaryColumn is a column of a summary table: a column of summary.csv,
// its title, and whether it holds results (rounded for reading).
type summaryColumn struct {
	col    results.Column
	title  string
	result bool
}

// newSummaryColumn returns the summary table's column for a column of
// summary.csv.
func newSummaryColumn(c results.Column) summaryColumn {
	return summaryColumn{col: c, title: title(c), result: isResult(c)}
}

// isResult reports whether a column of summary.csv holds results, which
// tables round for reading, rather than inputs, which they show as
// given: the final values, SSR, b3* and the error factor.
func isResult(c results.Column) bool {
	return c >= results.ColW1Final && c <= results.ColAlphaLimit // the columns from w1_final to alpha_limit
}

// summaryColumns returns the columns a summary table shows for its rows:
// each run, how it ended and its results, and of the inputs those that
// differ between the rows (and train and activation where they are not
// the defaults), so that the table stays narrow.
func summaryColumns(rows []results.Record) []summaryColumn {
	return columnsOf(len(rows), func(i int, c results.Column) string { return rows[i].Cell(c).Text })
}

// columnsOf chooses the columns of a summary table of n rows whose cells,
// as summary.csv writes them, cell gives: see summaryColumns.
func columnsOf(n int, cell func(i int, c results.Column) string) []summaryColumn {
	any := func(f func(i int) bool) bool {
		for i := range n {
			if f(i) {
				return true
			}
		}
		return false
	}
	varies := func(c results.Column) bool {
		first := cell(0, c)
		return any(func(i int) bool { return cell(i, c) != first })
	}
	some := func(c results.Column) bool { return any(func(i int) bool { return cell(i, c) != "" }) }
	cols := []results.Column{results.ColRun}
	if any(func(i int) bool { return cell(i, results.ColTrain) != engine.NewParamSet(engine.B3).String() }) {
		cols = append(cols, results.ColTrain)
	}
	if any(func(i int) bool { return cell(i, results.ColActivation) != engine.Softplus.String() }) {
		cols = append(cols, results.ColActivation)
	}
	inputs := []results.Column{results.ColAlpha, results.ColTolerance, results.ColMaxIterations}
	for _, p := range engine.AllParams.List() {
		inputs = append(inputs, results.Initial(p))
	}
	for _, c := range inputs {
		if varies(c) {
			cols = append(cols, c)
		}
	}
	cols = append(cols, results.ColIterations, results.ColStatus)
	for _, p := range engine.AllParams.List() {
		if some(results.Final(p)) {
			cols = append(cols, results.Final(p))
		}
	}
	cols = append(cols, results.ColSSRFinal)
	for _, c := range []results.Column{results.ColB3Optimum, results.ColErrorFactor, results.ColAlphaLimit, results.ColExpected} {
		if some(c) {
			cols = append(cols, c)
		}
	}
	out := make([]summaryColumn, len(cols))
	for i, c := range cols {
		out[i] = newSummaryColumn(c)
	}
	return out
}

// title returns the title of a summary column in tables: its name with
// spaces for underscores, α for alpha, b3* for b3_optimum and SSR for
// ssr.
func title(c results.Column) string {
	switch c {
	case results.ColAlpha:
		return "α"
	case results.ColB3Optimum:
		return "b3*"
	case results.ColSSRFinal:
		return "SSR final"
	case results.ColAlphaLimit:
		return "α limit"
	}
	return strings.ReplaceAll(c.String(), "_", " ")
}

// summaryTables are tables of the rows kept, one for each experiment's
// runs, each with the columns its runs need, and results rounded; link,
// if not nil, turns a run's identifier into a link. A table of rows left
// out has a gap where they were. With relative, a sweep's table is headed
// by the experiment's name and shows its runs' identifiers without it
// (alpha=0.1 for learning-rates/alpha=0.1), which narrows it.
func summaryTables(rows *Rows, digits int, link func(*results.Record) string, relative bool) []*table {
	shown, gap := rows.Kept()
	var tables []*table
	for start := 0; start < len(shown); {
		end := start + 1
		for end < len(shown) && shown[end].Experiment() == shown[start].Experiment() {
			end++
		}
		group := shown[start:end]
		cols := summaryColumns(group)
		titles := make([]string, len(cols))
		for i, c := range cols {
			titles[i] = c.title
		}
		prefix := group[0].Experiment() + "/"
		relative := relative && strings.HasPrefix(group[0].Run, prefix)
		if relative {
			titles[0] = group[0].Experiment()
		}
		t := newTable(titles, titles[0], title(results.ColTrain), title(results.ColActivation), title(results.ColStatus))
		for i := range group {
			if start+i == gap && i > 0 {
				t.addGap()
			}
			r := &group[i]
			cells := make([]string, len(cols))
			for j, c := range cols {
				cells[j] = r.Cell(c.col).Text
				if c.result {
					cells[j] = readable(r.Cell(c.col), digits)
				}
			}
			switch {
			case link != nil:
				cells[0] = link(r)
			case relative:
				cells[0] = strings.TrimPrefix(cells[0], prefix)
			}
			t.add(cells...)
		}
		tables = append(tables, t)
		start = end
	}
	return tables
}

// SummaryMarkdown writes summary.md: the runs kept, a table for each
// experiment, each run linked by link.
func SummaryMarkdown(w io.Writer, rows *Rows, link func(*results.Record) string) error {
	p := NewPrinter(w)
	p.Printf("# Summary\n")
	if rows.Len() == 0 {
		p.Printf("\nNo runs.\n")
		return p.err
	}
	for _, t := range summaryTables(rows, ReadableDigits, link, false) {
		p.Printf("\n")
		p.table(t, markdown, nil)
	}
	if note := note(rows, results.SummaryFile); note != "" {
		p.Printf("\n%s\n", note)
	}
	p.Printf("\nb3* is the b3 that minimises SSR, and error factor = |1 - 2·N·α| the factor by which each step multiplies the distance to it (N data points), when b3 alone trains: descent converges when it is below 1. %s has the same rows with every column, in full precision.\n", results.SummaryFile)
	return p.err
}

// leastNeeded are the columns of summary tables that a narrow terminal
// leaves out first, in order: inputs, which the runs' identifiers show
// when they vary; the b3-only columns; the final values of the weights,
// then of b3 and SSR; the iterations. The run and its status stay.
var leastNeeded = func() []results.Column {
	var cols []results.Column
	for _, p := range engine.AllParams.List() {
		cols = append(cols, results.Initial(p))
	}
	cols = append(cols, results.ColAlphaLimit, results.ColErrorFactor, results.ColB3Optimum, results.ColMaxIterations, results.ColTolerance,
		results.ColActivation, results.ColTrain, results.ColExpected, results.ColAlpha)
	for _, p := range engine.AllParams.List() {
		cols = append(cols, results.Final(p))
	}
	return append(cols, results.ColSSRFinal, results.ColIterations)
}()

// leastNeededTitles are the titles of the leastNeeded columns.
var leastNeededTitles = func() []string {
	titles := make([]string, len(leastNeeded))
	for i, c := range leastNeeded {
		titles[i] = title(c)
	}
	return titles
}()

// SummaryTerminal shows the summary of the runs kept on a terminal: a
// table for each experiment, each of its own runs kept.
func SummaryTerminal(w io.Writer, experiments []*Rows, term Terminal) error {
	p := NewPrinter(w)
	p.Printf("summary\n")
	for _, rows := range experiments {
		for _, t := range summaryTables(rows, term.digits(), nil, term.Width > 0) {
			t, left := term.fit(t, 1, leastNeededTitles...)
			p.table(t, boxed, term.painter())
			if left != "" {
				p.Printf("%s\n", left)
			}
		}
		if note := note(rows, results.SummaryFile); note != "" {
			p.Printf("%s\n", term.wrap(note))
		}
	}
	return p.err
}
