// Package query answers questions about a table of runs, as runner ls asks
// them: which rows hold some conditions (--where), in which order
// (--sort), how many (--limit), which columns (--columns), and how two
// tables, such as the runs of two git revisions, differ side by side.
//
// It is pure: it works on a Table that the caller builds (Summary builds
// one from the rows of summary.csv), reads no files, and writes CSV and
// JSON to the writers it is given; package render draws the same tables
// in Markdown and on a terminal.
//
// A cell is kept as the CSV writes it, with its number parsed once, so
// that filtering and sorting never parse text again and every output
// shows the digits the CSV has.
//
// An empty cell holds no value: the value does not apply to the run (the
// final w1 of a run that trains b3 alone). No comparison holds for it but
// !=, which holds, as an empty cell differs from every value; sorting puts
// empty cells last, whatever the direction. NaN, which a diverged run may
// end with, equals only NaN (as runner diff has it) and is neither less
// nor greater than any number; it sorts after the numbers, before the
// empty cells.
package query

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/suggest"
)

// Kind is what a column holds.
type Kind int

const (
	// Text columns compare and sort as text, byte by byte: names,
	// statuses.
	Text Kind = iota
	// Number columns compare and sort as numbers.
	Number
)

// String returns "text" or "number".
func (k Kind) String() string {
	if k == Number {
		return "number"
	}
	return "text"
}

// Column is a column of a table: its name, as questions name it, and what
// it holds.
type Column struct {
	Name string
	Kind Kind
}

// Value is a cell: its text as the CSV writes it and, in a Number column,
// its number, parsed once.
type Value struct {
	Text string
	Num  float64
	// IsNum reports whether Text is a number (Num); it is false for an
	// empty cell.
	IsNum bool
}

// TextValue returns a cell of a Text column.
func TextValue(text string) Value {
	return Value{Text: text}
}

// NumberValue returns a cell of a Number column, its text parsed as a
// number: strconv.ParseFloat's forms, with NaN, +Inf and -Inf as the CSV
// writes them. A cell that is empty, or not a number, has IsNum false.
func NumberValue(text string) Value {
	v, err := strconv.ParseFloat(text, 64)
	return Value{Text: text, Num: v, IsNum: err == nil}
}

// Empty reports whether the cell holds no value.
func (v Value) Empty() bool {
	return v.Text == ""
}

// Table is a table of runs: its columns and its rows, each row a cell per
// column.
type Table struct {
	Columns []Column
	Rows    [][]Value
}

// Names returns the names of the table's columns, in order.
func (t *Table) Names() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// index returns the index of the column named name, or -1.
func (t *Table) index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// lookup returns the index of the column named name, or an error for the
// argument arg of flag that names the nearest column.
func (t *Table) lookup(flag, arg, name string) (int, error) {
	if i := t.index(name); i >= 0 {
		return i, nil
	}
	if name == "" {
		return 0, &Error{Flag: flag, Arg: arg, Msg: "no column named; " + t.columnList()}
	}
	return 0, &Error{Flag: flag, Arg: arg, Msg: fmt.Sprintf("unknown column %q%s", name, t.nearest(name))}
}

// nearest suggests the column a misspelt name means: the nearest in edit
// distance, or else the only one it begins (ssr for ssr_final). Failing
// both, it lists the columns.
func (t *Table) nearest(name string) string {
	names := t.Names()
	if c := suggest.Closest(name, names); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	var prefixed []string
	for _, n := range names {
		if strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return fmt.Sprintf("; did you mean %q?", prefixed[0])
	}
	return "; " + t.columnList()
}

// columnList lists the columns, for messages.
func (t *Table) columnList() string {
	return "the columns are " + strings.Join(t.Names(), ", ")
}

// Select returns the table with only the columns at the given indexes
// (from ParseColumns), in that order. t is not changed.
func (t *Table) Select(columns []int) *Table {
	out := &Table{Columns: make([]Column, len(columns)), Rows: make([][]Value, len(t.Rows))}
	for j, c := range columns {
		out.Columns[j] = t.Columns[c]
	}
	cells := make([]Value, len(t.Rows)*len(columns)) // one allocation for every row
	for i, row := range t.Rows {
		r := cells[i*len(columns) : (i+1)*len(columns) : (i+1)*len(columns)]
		for j, c := range columns {
			r[j] = row[c]
		}
		out.Rows[i] = r
	}
	return out
}

// Error is a question the table cannot answer: a malformed expression, or
// a column it does not have. It is a mistake on the command line (exit
// status 2), and names the flag and its argument: `--where alhpa>0.1:
// unknown column "alhpa"; did you mean "alpha"?`.
type Error struct {
	// Flag and Arg are the flag and its argument as given.
	Flag, Arg string
	Msg       string
}

// Error returns the problem as "flag arg: message".
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Flag, e.Arg, e.Msg)
}
