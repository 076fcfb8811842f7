package render

import (
	"io"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/query"
	"github.com/descentlab/runner/internal/results"
)

// This file draws the tables of runner ls: a list of runs (a query.Table
// of summary rows), and two lists side by side (a query.Comparison). Its
// columns are headed by their names in summary.csv, which --columns,
// --where and --sort take, rather than by the titles of summary tables.

// ListColumns returns the columns a list of runs shows unless others are
// asked for, as indexes of the columns of the tables given, which have
// the same columns (those of query.Summary, or some of them): the run and
// the columns a summary table of the same rows shows, chosen from the
// rows of every table given (both sides of a comparison). A table
// without a run column shows every column.
func ListColumns(tables ...*query.Table) []int {
	if len(tables) == 0 {
		return nil
	}
	index := summaryIndex(tables[0].Columns)
	if index[results.ColRun] < 0 {
		all := make([]int, len(tables[0].Columns))
		for i := range all {
			all[i] = i
		}
		return all
	}
	var rows [][]query.Value
	for _, t := range tables {
		rows = append(rows, t.Rows...)
	}
	if len(rows) == 0 {
		return []int{index[results.ColRun]}
	}
	cell := func(i int, c results.Column) string {
		if j := index[c]; j >= 0 {
			return rows[i][j].Text
		}
		return ""
	}
	var cols []int
	for _, sc := range columnsOf(len(rows), cell) {
		if i := index[sc.col]; i >= 0 {
			cols = append(cols, i)
		}
	}
	return cols
}

// summaryIndex returns the index in cols of each column of summary.csv,
// found by its name, or -1 for those cols lacks.
func summaryIndex(cols []query.Column) [results.NumColumns]int {
	var index [results.NumColumns]int
	for c := range results.NumColumns {
		index[c] = slices.IndexFunc(cols, func(col query.Column) bool { return col.Name == c.String() })
	}
	return index
}

// rounding returns how a list rounds the cells of a column for reading:
// to digits if the column is one of summary.csv's results, and not at
// all otherwise.
func rounding(col query.Column, digits int) func(query.Value) string {
	for c := range results.NumColumns {
		if c.String() == col.Name && isResult(c) {
			return func(v query.Value) string {
				return readable(results.Cell{Text: v.Text, Num: v.Num, IsNum: v.IsNum}, digits)
			}
		}
	}
	return func(v query.Value) string { return v.Text }
}

// roundings returns the rounding of each column.
func roundings(cols []query.Column, digits int) []func(query.Value) string {
	r := make([]func(query.Value) string, len(cols))
	for j, col := range cols {
		r[j] = rounding(col, digits)
	}
	return r
}

// listLeastNeeded are the names of the columns of lists that a narrow
// terminal leaves out first, in order, as for summary tables.
var listLeastNeeded = func() []string {
	names := make([]string, len(leastNeeded))
	for i, c := range leastNeeded {
		names[i] = c.String()
	}
	return names
}()

// listTable is the table of a list of runs, its results rounded to
// digits.
func listTable(t *query.Table, digits int) *table {
	header, left := t.Names(), textColumns(t.Columns)
	tab, round := newTable(header, left...), roundings(t.Columns, digits)
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = round[j](v)
		}
		tab.add(cells...)
	}
	return tab
}

// textColumns names the columns that hold text, which tables align
// left.
func textColumns(cols []query.Column) []string {
	var names []string
	for _, c := range cols {
		if c.Kind == query.Text {
			names = append(names, c.Name)
		}
	}
	return names
}

// ListTerminal shows a list of runs on a terminal: a table fitted to its
// width (leaving out the columns least needed, and saying which), results
// rounded to its digits, statuses coloured.
func ListTerminal(w io.Writer, t *query.Table, term Terminal) error {
	p := NewPrinter(w)
	if len(t.Rows) == 0 {
		p.Printf("no runs\n")
		return p.err
	}
	tab, left := term.fit(listTable(t, term.digits()), 1, listLeastNeeded...)
	p.table(tab, boxed, term.painter())
	if left != "" {
		p.Printf("%s\n", left)
	}
	return p.err
}

// ListMarkdown writes a list of runs as a GitHub-flavoured Markdown
// table, results rounded to digits (0 for ReadableDigits), as summary.md
// rounds them.
func ListMarkdown(w io.Writer, t *query.Table, digits int) error {
	if digits <= 0 {
		digits = ReadableDigits
	}
	p := NewPrinter(w)
	if len(t.Rows) == 0 {
		p.Printf("No runs.\n")
		return p.err
	}
	p.table(listTable(t, digits), markdown, nil)
	return p.err
}

// changeColumn heads the column of a comparison that says how each run
// changed.
const changeColumn = "change"

// comparisonTable is the table of a comparison: the key, how the row
// changed (nothing if it did not), and each column's cell, as changed
// writes it if it differs.
func comparisonTable(c *query.Comparison, digits int, changed func(old, new string) string) *table {
	header := []string{c.Key.Name, changeColumn}
	left := append([]string{c.Key.Name, changeColumn}, textColumns(c.Columns)...)
	for _, col := range c.Columns {
		header = append(header, col.Name)
	}
	tab, round := newTable(header, left...), roundings(c.Columns, digits)
	for _, p := range c.Pairs {
		change := p.Change.String()
		if p.Change == query.Unchanged {
			change = ""
		}
		cells := []string{p.Key, change}
		old, new := c.Cells(p.Old), c.Cells(p.New)
		for j := range c.Columns {
			switch {
			case p.Differs[j]:
				cells = append(cells, changedCell(old[j], new[j], round[j], changed))
			case new != nil:
				cells = append(cells, round[j](new[j]))
			default:
				cells = append(cells, round[j](old[j]))
			}
		}
		tab.add(cells...)
	}
	return tab
}

// changedCell writes a cell that changed, rounded unless that would hide
// the change (2.6089 → 2.6091 would both be 2.61), an empty side as
// "(empty)".
func changedCell(oldV, newV query.Value, round func(query.Value) string, changed func(old, new string) string) string {
	old, new := oldV.Text, newV.Text
	if o, n := round(oldV), round(newV); o != n {
		old, new = o, n
	}
	for _, s := range []*string{&old, &new} {
		if *s == "" {
			*s = "(empty)"
		}
	}
	return changed(old, new)
}

// comparisonSummary sums up a comparison: "HEAD~1 → HEAD: 8 runs: 1
// added, 1 removed, 2 changed, 4 unchanged".
func comparisonSummary(c *query.Comparison) string {
	var n [4]int
	for _, p := range c.Pairs {
		n[p.Change]++
	}
	return c.Old + " → " + c.New + ": " + changeSummary(n[query.Added], n[query.Removed], n[query.Changed], n[query.Unchanged])
}

// ComparisonTerminal shows two lists of runs side by side on a terminal:
// a line that sums up the changes, then a table of the runs, each with how
// it changed and, for each column, its cell, or "old → new" where it
// changed; fitted to the terminal's width and coloured as ListTerminal
// does, the changes too.
func ComparisonTerminal(w io.Writer, c *query.Comparison, term Terminal) error {
	p := NewPrinter(w)
	p.Printf("%s\n", comparisonSummary(c))
	if len(c.Pairs) == 0 {
		return p.err
	}
	tab := comparisonTable(c, term.digits(), func(old, new string) string { return old + " → " + new })
	tab, left := term.fit(tab, 2, comparisonLeastNeeded(c)...)
	p.table(tab, boxed, term.comparisonPainter())
	if left != "" {
		p.Printf("%s\n", left)
	}
	return p.err
}

// ComparisonMarkdown writes two lists of runs side by side as
// GitHub-flavoured Markdown: a line that sums up the changes, then a
// table of the runs with "old → **new**" where a cell changed, results
// rounded to digits (0 for ReadableDigits).
func ComparisonMarkdown(w io.Writer, c *query.Comparison, digits int) error {
	if digits <= 0 {
		digits = ReadableDigits
	}
	p := NewPrinter(w)
	p.Printf("**%s**\n", comparisonSummary(c))
	if len(c.Pairs) == 0 {
		return p.err
	}
	p.Printf("\n")
	p.table(comparisonTable(c, digits, func(old, new string) string { return old + " → **" + new + "**" }), markdown, nil)
	return p.err
}

// comparisonLeastNeeded are the names of the columns of a comparison that
// a narrow terminal leaves out first, in order: those where nothing
// changed, then those where something did, each in the order of
// listLeastNeeded.
func comparisonLeastNeeded(c *query.Comparison) []string {
	changed := make([]bool, len(c.Columns))
	for _, p := range c.Pairs {
		for j, d := range p.Differs {
			changed[j] = changed[j] || d
		}
	}
	var same []string
	for _, name := range listLeastNeeded {
		if j := slices.IndexFunc(c.Columns, func(col query.Column) bool { return col.Name == name }); j >= 0 && !changed[j] {
			same = append(same, name)
		}
	}
	return append(same, listLeastNeeded...)
}

// comparisonPainter returns the function that colours a comparison's
// cells on this terminal: runs added in green, removed in red, changes in
// yellow, and statuses as in other tables. It returns nil if the terminal
// has no colour.
func (t Terminal) comparisonPainter() func(string) string {
	status := t.painter()
	if status == nil {
		return nil
	}
	return func(cell string) string {
		switch {
		case cell == query.Added.String():
			return green + cell + reset
		case cell == query.Removed.String():
			return red + cell + reset
		case cell == query.Changed.String(), strings.Contains(cell, " → "):
			return yellow + cell + reset
		}
		return status(cell)
	}
}
