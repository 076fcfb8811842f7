package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/results"
	"github.com/descentlab/runner/pkg/engine"
)

// Limits of the summary tables.
const (
	// MaxSummaryMarkdownRows is the most runs summary.md lists; beyond
	// it, the first and last halves, and summary.csv has every run.
	// (GitHub does not render Markdown files of many megabytes.)
	MaxSummaryMarkdownRows = 1000
	// MaxSummaryTerminalRows is the most runs the terminal's summary
	// shows; beyond it, the first and last halves.
	MaxSummaryTerminalRows = 50
)

// Rows keeps the rows a table of many shows: the first and the last
// halves of at most max rows, and how many there were. Memory does not
// grow with the number of rows added.
type Rows struct {
	half  int
	first []results.Row
	ring  []results.Row
	n     int
}

// NewRows returns a Rows that shows at most max rows.
func NewRows(max int) *Rows {
	return &Rows{half: max / 2}
}

// Add adds a row.
func (r *Rows) Add(row *results.Row) {
	if len(r.first) < r.half {
		r.first = append(r.first, *row)
	} else if len(r.ring) < r.half {
		r.ring = append(r.ring, *row)
	} else {
		r.ring[(r.n-2*r.half)%r.half] = *row
	}
	r.n++
}

// Len returns how many rows were added.
func (r *Rows) Len() int {
	return r.n
}

// shown returns the rows shown, in order, and the index at which rows are
// left out (-1 if none are).
func (r *Rows) shown() ([]results.Row, int) {
	rows := slices.Clone(r.first)
	if r.n <= 2*r.half {
		return append(rows, r.ring...), -1
	}
	start := (r.n - 2*r.half) % r.half
	rows = append(rows, r.ring[start:]...)
	return append(rows, r.ring[:start]...), r.half
}

// note says which rows are left out, or "" if none.
func (r *Rows) note(where string) string {
	if r.n <= 2*r.half {
		return ""
	}
	return fmt.Sprintf("Runs %d to %d are left out here; %s has every run.", r.half+1, r.n-r.half, where)
}

// summaryColumn is a column of a summary table: a column of summary.csv,
// its title, and whether it holds results (rounded for reading).
type summaryColumn struct {
	col    results.Column
	title  string
	result bool
}

// summaryColumns returns the columns a summary table shows for its rows:
// each run, how it ended and its results, and of the inputs those that
// differ between the rows (and train and activation where they are not
// the defaults), so that the table stays narrow.
func summaryColumns(rows []results.Row) []summaryColumn {
	varies := func(c results.Column) bool {
		return slices.ContainsFunc(rows, func(r results.Row) bool { return r[c] != rows[0][c] })
	}
	some := func(c results.Column) bool {
		return slices.ContainsFunc(rows, func(r results.Row) bool { return r[c] != "" })
	}
	cols := []summaryColumn{{col: results.ColRun, title: title(results.ColRun)}}
	if slices.ContainsFunc(rows, func(r results.Row) bool { return r[results.ColTrain] != "b3" }) {
		cols = append(cols, summaryColumn{col: results.ColTrain, title: title(results.ColTrain)})
	}
	if slices.ContainsFunc(rows, func(r results.Row) bool { return r[results.ColActivation] != engine.Softplus.String() }) {
		cols = append(cols, summaryColumn{col: results.ColActivation, title: title(results.ColActivation)})
	}
	inputs := []results.Column{results.ColAlpha, results.ColTolerance, results.ColMaxIterations}
	for _, p := range engine.AllParams.List() {
		inputs = append(inputs, results.Initial(p))
	}
	for _, c := range inputs {
		if varies(c) {
			cols = append(cols, summaryColumn{col: c, title: title(c)})
		}
	}
	cols = append(cols, summaryColumn{col: results.ColIterations, title: title(results.ColIterations)}, summaryColumn{col: results.ColStatus, title: title(results.ColStatus)})
	for _, p := range engine.AllParams.List() {
		if some(results.Final(p)) {
			cols = append(cols, summaryColumn{col: results.Final(p), title: title(results.Final(p)), result: true})
		}
	}
	cols = append(cols, summaryColumn{col: results.ColSSRFinal, title: title(results.ColSSRFinal), result: true})
	for _, c := range []results.Column{results.ColB3Optimum, results.ColErrorFactor} {
		if some(c) {
			cols = append(cols, summaryColumn{col: c, title: title(c), result: true})
		}
	}
	if some(results.ColExpected) {
		cols = append(cols, summaryColumn{col: results.ColExpected, title: title(results.ColExpected)})
	}
	return cols
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
	}
	return strings.ReplaceAll(c.String(), "_", " ")
}

// summaryTables are tables of the rows kept, one for each experiment's
// runs, each with the columns its runs need, and results rounded; link,
// if not nil, turns a run's identifier into a link. A table of rows left
// out has a gap where they were. With relative, a sweep's table is headed
// by the experiment's name and shows its runs' identifiers without it
// (alpha=0.1 for learning-rates/alpha=0.1), which narrows it.
func summaryTables(rows *Rows, digits int, link func(*results.Row) string, relative bool) []*table {
	shown, gap := rows.shown()
	var tables []*table
	for start := 0; start < len(shown); {
		end := start + 1
		for end < len(shown) && shown[end][results.ColExperiment] == shown[start][results.ColExperiment] {
			end++
		}
		group := shown[start:end]
		cols := summaryColumns(group)
		titles := make([]string, len(cols))
		for i, c := range cols {
			titles[i] = c.title
		}
		prefix := group[0][results.ColExperiment] + "/"
		relative := relative && strings.HasPrefix(group[0][results.ColRun], prefix)
		if relative {
			titles[0] = group[0][results.ColExperiment]
		}
		t := newTable(titles, titles[0], title(results.ColTrain), title(results.ColActivation), title(results.ColStatus))
		for i := range group {
			if start+i == gap && i > 0 {
				t.addGap()
			}
			r := &group[i]
			cells := make([]string, len(cols))
			for j, c := range cols {
				cells[j] = r[c.col]
				if c.result {
					cells[j] = readableCell(cells[j], digits)
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
func SummaryMarkdown(w io.Writer, rows *Rows, link func(*results.Row) string) error {
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
	if note := rows.note(results.SummaryFile); note != "" {
		p.Printf("\n%s\n", note)
	}
	p.Printf("\nb3* is the b3 that minimises SSR, and error factor = |1 - 2·N·α| the factor by which each step multiplies the distance to it (N data points), when b3 alone trains: descent converges when it is below 1. %s has the same rows with every column, in full precision.\n", results.SummaryFile)
	return p.err
}

// leastNeeded are the columns of summary tables that a narrow terminal
// leaves out first, in order: inputs, which the runs' identifiers show
// when they vary; the b3-only columns; the final values of the weights,
// then of b3 and SSR; the iterations. The run and its status stay.
var leastNeeded = func() []string {
	var cols []results.Column
	for _, p := range engine.AllParams.List() {
		cols = append(cols, results.Initial(p))
	}
	cols = append(cols, results.ColErrorFactor, results.ColB3Optimum, results.ColMaxIterations, results.ColTolerance,
		results.ColActivation, results.ColTrain, results.ColExpected, results.ColAlpha)
	for _, p := range engine.AllParams.List() {
		cols = append(cols, results.Final(p))
	}
	cols = append(cols, results.ColSSRFinal, results.ColIterations)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = title(c)
	}
	return titles
}()

// SummaryTerminal shows the summary of the runs kept on a terminal, a
// table for each experiment.
func SummaryTerminal(w io.Writer, rows *Rows, term Terminal) error {
	p := NewPrinter(w)
	p.Printf("summary\n")
	for _, t := range summaryTables(rows, term.digits(), nil, term.Width > 0) {
		t, left := term.fit(t, 1, leastNeeded...)
		p.table(t, boxed, term.painter())
		if left != "" {
			p.Printf("%s\n", left)
		}
	}
	if note := rows.note(results.SummaryFile); note != "" {
		p.Printf("%s\n", note)
	}
	return p.err
}
