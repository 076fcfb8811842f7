package query

// Query is a question about the rows of a table, parsed for that table
// (or for another with the same columns): runner ls's --where, --sort,
// --limit and --columns.
type Query struct {
	// Where are the conditions a row must hold, every one.
	Where []Condition
	// Order are the keys to sort by, the first first; without any, rows
	// keep the table's order.
	Order []SortKey
	// Limit is the most rows to keep, the first after sorting; 0 keeps
	// every row.
	Limit int
	// Columns are the indexes of the columns to show, in order; nil shows
	// every column.
	Columns []int
}

// Rows returns the rows of t that hold every condition, sorted, and at
// most Limit of them, with every column. t is not changed.
func (q *Query) Rows(t *Table) *Table {
	out := Filter(t, q.Where)
	Sort(out, q.Order)
	out.Rows = limit(out.Rows, q.Limit)
	return out
}

// Apply answers the question: Rows, with the columns asked for.
func (q *Query) Apply(t *Table) *Table {
	out := q.Rows(t)
	if q.Columns != nil {
		out = out.Select(q.Columns)
	}
	return out
}

// ApplyComparison answers the question about two tables side by side:
// the pairs whose old or new row holds every condition (so that a run
// that diverged only in the new table is shown as changed, not as
// added), sorted by their new rows (the old ones of rows removed), at
// most Limit of them, with the columns asked for.
func (q *Query) ApplyComparison(c *Comparison) *Comparison {
	out := *c
	out.Pairs = nil
	for _, p := range c.Pairs {
		if p.Old != nil && holdsAll(p.Old, q.Where) || p.New != nil && holdsAll(p.New, q.Where) {
			out.Pairs = append(out.Pairs, p)
		}
	}
	if len(q.Order) > 0 {
		stableSort(out.Pairs, func(a, b Pair) int { return compareRows(a.side(), b.side(), q.Order) })
	}
	out.Pairs = limit(out.Pairs, q.Limit)
	if q.Columns != nil {
		return out.Select(q.Columns)
	}
	return &out
}

// limit keeps the first n of rows, or all of them if n is 0 or less.
func limit[T any](rows []T, n int) []T {
	if n > 0 && len(rows) > n {
		return rows[:n]
	}
	return rows
}
