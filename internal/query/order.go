package query

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// SortKey is a column to sort by, and its direction.
type SortKey struct {
	// Column is the index of the column in the table the key was parsed
	// for.
	Column     int
	Descending bool
}

// ParseOrder parses the keys to sort the rows of t by, as --sort writes
// them: column names separated by commas, each descending if it starts
// with "-" ("status,-b3_final"). Errors are *Error, naming flag and
// spec, and for an unknown column the nearest one.
func ParseOrder(flag, spec string, t *Table) ([]SortKey, error) {
	var keys []SortKey
	for _, part := range strings.Split(spec, ",") {
		name, descending := strings.CutPrefix(strings.TrimSpace(part), "-")
		col, err := t.lookup(flag, spec, strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(keys, func(k SortKey) bool { return k.Column == col }) {
			return nil, &Error{Flag: flag, Arg: spec, Msg: fmt.Sprintf("%s is named twice; name each column once", t.Columns[col].Name)}
		}
		keys = append(keys, SortKey{Column: col, Descending: descending})
	}
	return keys, nil
}

// Sort sorts the rows of t in place by the keys, the first key first:
// numbers numerically, text byte by byte, NaN after the numbers and empty
// cells last in either direction. Rows that tie on every key keep their
// order.
func Sort(t *Table, keys []SortKey) {
	if len(keys) == 0 {
		return
	}
	stableSort(t.Rows, func(a, b []Value) int { return compareRows(a, b, keys) })
}

// stableSort sorts s in place as slices.SortStableFunc does, ties keeping
// their order, but several times faster: it sorts the indexes of the
// elements with slices.SortFunc, breaking ties by index, rather than
// merging in place.
func stableSort[T any](s []T, compare func(a, b T) int) {
	order := make([]int, len(s))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := compare(s[i], s[j]); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]T, len(s))
	for i, from := range order {
		sorted[i] = s[from]
	}
	copy(s, sorted)
}

// compareRows orders two rows by the keys.
func compareRows(a, b []Value, keys []SortKey) int {
	for _, k := range keys {
		if c := compareCells(&a[k.Column], &b[k.Column], k.Descending); c != 0 {
			return c
		}
	}
	return 0
}

// rank places what sorts apart from the values, in either direction:
// values, then NaN, then empty cells.
func rank(v *Value) int {
	switch {
	case v.Text == "":
		return 2
	case v.IsNum && math.IsNaN(v.Num):
		return 1
	}
	return 0
}

// compareCells orders two cells of a column, descending or not. Cells
// of a Number column that are not numbers (there should be none) sort
// after the numbers, in either direction, as text.
func compareCells(a, b *Value, descending bool) int {
	if ra, rb := rank(a), rank(b); ra != 0 || rb != 0 {
		return cmp.Compare(ra, rb)
	}
	var c int
	switch {
	case a.IsNum && b.IsNum:
		c = cmp.Compare(a.Num, b.Num)
	case a.IsNum:
		return -1 // in either direction
	case b.IsNum:
		return 1
	default:
		c = strings.Compare(a.Text, b.Text)
	}
	if descending {
		return -c
	}
	return c
}

// ParseColumns parses the columns of t to show, as --columns writes them:
// names separated by commas ("run,alpha,status"). Errors are *Error,
// naming flag and list, and for an unknown column the nearest one.
func ParseColumns(flag, list string, t *Table) ([]int, error) {
	var cols []int
	for _, part := range strings.Split(list, ",") {
		col, err := t.lookup(flag, list, strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if slices.Contains(cols, col) {
			return nil, &Error{Flag: flag, Arg: list, Msg: fmt.Sprintf("%s is named twice; name each column once", t.Columns[col].Name)}
		}
		cols = append(cols, col)
	}
	return cols, nil
}
