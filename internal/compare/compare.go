// Package compare compares two results folders run by run, as `runner
// diff` does: runs added or removed, statuses, iteration counts, final
// values, and traces, with numbers within a tolerance counting as equal.
package compare

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Tolerance says when two numbers count as equal: when they differ by at
// most Abs + Rel·max(|a|, |b|). The zero Tolerance asks for equal numbers.
type Tolerance struct {
	Abs, Rel float64
}

// Equal reports whether a and b are equal within the tolerance.
func (t Tolerance) Equal(a, b float64) bool {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return true
	}
	return math.Abs(a-b) <= t.Abs+t.Rel*max(math.Abs(a), math.Abs(b))
}

// Difference is one way in which a run differs between the old and the new
// results.
type Difference struct {
	Run string
	// What differs: "added", "removed", "status", "iterations", a column
	// of the run's result (such as "b3_final"), or "trace".
	What     string
	Old, New string
	// Detail says more, for numbers and traces.
	Detail string
}

// Run is what a results folder holds of one run: its result record, by
// column, and its trace (a header and rows of cells), if it has one.
type Run struct {
	Result map[string]string
	Trace  [][]string
}

// Runs compares two sets of runs, by identifier, and returns their
// differences in identifier order.
func Runs(old, new map[string]Run, tol Tolerance) []Difference {
	var diffs []Difference
	for _, id := range unionKeys(old, new) {
		o, inOld := old[id]
		n, inNew := new[id]
		switch {
		case !inOld:
			diffs = append(diffs, Difference{Run: id, What: "added", New: n.Result["status"]})
		case !inNew:
			diffs = append(diffs, Difference{Run: id, What: "removed", Old: o.Result["status"]})
		default:
			diffs = append(diffs, results(id, o.Result, n.Result, tol)...)
			if d, ok := traces(o.Trace, n.Trace, tol); !ok {
				d.Run = id
				diffs = append(diffs, d)
			}
		}
	}
	return diffs
}

func unionKeys(a, b map[string]Run) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// results compares two result records column by column: numbers within
// the tolerance, other cells as text. Status and iterations come first.
func results(id string, old, new map[string]string, tol Tolerance) []Difference {
	var diffs []Difference
	for _, col := range columns(old, new) {
		a, b := old[col], new[col]
		if a == b || numbersEqual(a, b, tol) {
			continue
		}
		d := Difference{Run: id, What: col, Old: a, New: b}
		if x, y, ok := numbers(a, b); ok {
			d.Detail = gap(x, y)
		}
		diffs = append(diffs, d)
	}
	return diffs
}

// columns lists the columns of two records: status and iterations first,
// then the others in name order; the identifying ones left out.
func columns(a, b map[string]string) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	delete(set, "experiment")
	delete(set, "run")
	var rest []string
	for k := range set {
		if k != "status" && k != "iterations" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append([]string{"status", "iterations"}, rest...)
}

// traces compares two traces. It returns a Difference and false if they
// differ: in their columns, their length, or a value beyond the
// tolerance, the first of which it names along with the largest absolute
// and relative differences.
func traces(old, new [][]string, tol Tolerance) (Difference, bool) {
	d := Difference{What: "trace"}
	switch {
	case len(old) == 0 || len(new) == 0:
		if len(old) == len(new) {
			return d, true
		}
		d.Detail = "one side has no trace.csv"
		return d, false
	case !slices.Equal(old[0], new[0]):
		d.Detail = fmt.Sprintf("columns differ: %d against %d", len(old[0]), len(new[0]))
		return d, false
	}
	header := old[0]
	var first string
	var maxAbs, maxRel float64
	var maxAbsAt, maxRelAt string
	for i := 1; i < min(len(old), len(new)); i++ {
		for j := range header {
			a, b := cell(old[i], j), cell(new[i], j)
			if a == b || numbersEqual(a, b, tol) {
				continue
			}
			at := fmt.Sprintf("iteration %s, %s", cell(old[i], 0), header[j])
			if first == "" {
				first = fmt.Sprintf("first at %s: %s → %s", at, a, b)
			}
			if x, y, ok := numbers(a, b); ok {
				if abs := math.Abs(x - y); abs > maxAbs {
					maxAbs, maxAbsAt = abs, at
				}
				if rel := relative(x, y); rel > maxRel {
					maxRel, maxRelAt = rel, at
				}
			}
		}
	}
	var parts []string
	if len(old) != len(new) {
		parts = append(parts, fmt.Sprintf("%d rows → %d", len(old)-1, len(new)-1))
	}
	if first != "" {
		parts = append(parts, first)
		if maxAbsAt != "" {
			parts = append(parts, fmt.Sprintf("largest absolute difference %.3g (%s), largest relative %.3g (%s)", maxAbs, maxAbsAt, maxRel, maxRelAt))
		}
	}
	if len(parts) == 0 {
		return d, true
	}
	d.Detail = strings.Join(parts, "; ")
	return d, false
}

func cell(row []string, j int) string {
	if j < len(row) {
		return row[j]
	}
	return ""
}

// numbers parses two cells as numbers.
func numbers(a, b string) (float64, float64, bool) {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	return x, y, errA == nil && errB == nil
}

func numbersEqual(a, b string, tol Tolerance) bool {
	x, y, ok := numbers(a, b)
	return ok && tol.Equal(x, y)
}

// relative returns |x - y| / max(|x|, |y|).
func relative(x, y float64) float64 {
	if m := max(math.Abs(x), math.Abs(y)); m > 0 {
		return math.Abs(x-y) / m
	}
	return 0
}

// gap describes how far apart two numbers are.
func gap(x, y float64) string {
	return fmt.Sprintf("absolute %.3g, relative %.3g", math.Abs(x-y), relative(x, y))
}
