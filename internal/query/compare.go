package query

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Change says how a row differs between two tables.
type Change int

// How a row differs.
const (
	Unchanged Change = iota // in both, every cell compared the same
	Changed                 // in both, with a cell that differs
	Added                   // only in the new table
	Removed                 // only in the old table
)

var changeNames = []string{"unchanged", "changed", "added", "removed"}

// String returns "unchanged", "changed", "added" or "removed".
func (c Change) String() string {
	if c < 0 || int(c) >= len(changeNames) {
		return fmt.Sprintf("Change(%d)", int(c))
	}
	return changeNames[c]
}

// Pair is a row of two tables side by side: the row of each, matched by
// their key.
type Pair struct {
	// Key is the key cell's text: the run.
	Key    string
	Change Change
	// Old and New are the rows, nil on the side the row is missing from.
	Old, New []Value
	// Differs tells, for each column, whether its cells differ; all
	// false unless the row is Changed.
	Differs []bool
}

// Comparison is two tables side by side, their rows matched by a key
// column: the runs of two git revisions, each run's cells of both.
type Comparison struct {
	// Old and New name the tables, as in "HEAD~1" and "HEAD".
	Old, New string
	// Key is the column rows are matched by, which every output shows
	// first.
	Key Column
	// Columns are the columns shown, the key's apart.
	Columns []Column
	// Pairs are the rows, in the new table's order, each row only in the
	// old one after the row it follows there.
	Pairs []Pair

	all  []Column // the columns of the tables compared
	key  int      // the index of the key in all
	cols []int    // the indexes of Columns in all
}

// Compare sets two tables with the same columns side by side, matching
// their rows by the column named key (whose cells should be unique; rows
// that share a key are matched in order), and shows every column. A cell
// differs from the other when their texts differ, unless both are the
// same number (NaN is the same as NaN).
func Compare(old, new *Table, key, oldName, newName string) (*Comparison, error) {
	if !slices.Equal(old.Columns, new.Columns) {
		return nil, fmt.Errorf("cannot compare tables with different columns (%s and %s)", strings.Join(old.Names(), ","), strings.Join(new.Names(), ","))
	}
	k := old.index(key)
	if k < 0 {
		return nil, fmt.Errorf("cannot compare tables by %q, which is not one of their columns", key)
	}
	c := &Comparison{Old: oldName, New: newName, Key: old.Columns[k], all: old.Columns, key: k}
	c.Pairs = c.pair(old.Rows, new.Rows)
	return c.Select(nil), nil
}

// Select returns the comparison showing the columns at the given indexes
// of the tables compared (from ParseColumns on either; every column if
// nil), in that order, the key apart, as it is always shown. A pair in both tables is Changed if a
// cell of these columns differs.
func (c *Comparison) Select(columns []int) *Comparison {
	if columns == nil {
		columns = make([]int, len(c.all))
		for i := range columns {
			columns[i] = i
		}
	}
	out := &Comparison{Old: c.Old, New: c.New, Key: c.Key, all: c.all, key: c.key, Pairs: make([]Pair, len(c.Pairs))}
	for _, col := range columns {
		if col != c.key {
			out.Columns = append(out.Columns, c.all[col])
			out.cols = append(out.cols, col)
		}
	}
	for i, p := range c.Pairs {
		out.Pairs[i] = out.match(p.Key, p.Old, p.New)
	}
	return out
}

// pair matches the rows of two tables by their key, in the new rows'
// order, with each old row that has no match placed after the old row
// before it (or first, if that has none either).
func (c *Comparison) pair(oldRows, newRows [][]Value) []Pair {
	byKey := map[string][]int{} // new rows by key, not yet matched
	for j, row := range newRows {
		byKey[row[c.key].Text] = append(byKey[row[c.key].Text], j)
	}
	matched := make([][]Value, len(newRows)) // the old row of each new row
	var first []Pair                         // removed rows before any match
	after := make([][]Pair, len(newRows))    // removed rows after each new row
	last := -1                               // the new row of the last old row matched
	for _, row := range oldRows {
		k := row[c.key].Text
		if js := byKey[k]; len(js) > 0 {
			matched[js[0]], byKey[k], last = row, js[1:], js[0]
			continue
		}
		removed := Pair{Key: k, Old: row}
		if last < 0 {
			first = append(first, removed)
		} else {
			after[last] = append(after[last], removed)
		}
	}
	pairs := first
	for j, row := range newRows {
		pairs = append(pairs, Pair{Key: row[c.key].Text, Old: matched[j], New: row})
		pairs = append(pairs, after[j]...)
	}
	return pairs
}

// match compares the cells of a row shown on each side; old or new is
// nil if the row is only on the other side.
func (c *Comparison) match(key string, old, new []Value) Pair {
	p := Pair{Key: key, Old: old, New: new, Differs: make([]bool, len(c.cols))}
	switch {
	case old == nil:
		p.Change = Added
	case new == nil:
		p.Change = Removed
	default:
		for j, col := range c.cols {
			if p.Differs[j] = !same(old[col], new[col]); p.Differs[j] {
				p.Change = Changed
			}
		}
	}
	return p
}

// same reports whether two cells hold the same value: the same text, or
// the same number (NaN being the same as NaN).
func same(a, b Value) bool {
	if a.IsNum && b.IsNum {
		return a.Num == b.Num || math.IsNaN(a.Num) && math.IsNaN(b.Num)
	}
	return a.Text == b.Text
}

// Cells returns a side's cells of the compared columns, nil if the row
// is missing from that side.
func (c *Comparison) Cells(row []Value) []Value {
	if row == nil {
		return nil
	}
	cells := make([]Value, len(c.cols))
	for j, col := range c.cols {
		cells[j] = row[col]
	}
	return cells
}

// Sides returns the rows of each side, as tables with every column of
// the tables compared: those to choose the columns shown from.
func (c *Comparison) Sides() (old, new *Table) {
	old, new = &Table{Columns: c.all}, &Table{Columns: c.all}
	for _, p := range c.Pairs {
		if p.Old != nil {
			old.Rows = append(old.Rows, p.Old)
		}
		if p.New != nil {
			new.Rows = append(new.Rows, p.New)
		}
	}
	return old, new
}

// side returns the row a pair is filtered and sorted by: the new one, or
// the old one if the row was removed.
func (p *Pair) side() []Value {
	if p.New != nil {
		return p.New
	}
	return p.Old
}
