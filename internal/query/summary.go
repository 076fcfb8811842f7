package query

import (
	"github.com/descentlab/runner/internal/results"
)

// SummaryColumns returns the columns of a table of runs: every column of
// summary.csv, in its order, named as its header names them.
func SummaryColumns() []Column {
	cols := make([]Column, results.NumColumns)
	for c := range results.NumColumns {
		cols[c] = Column{Name: c.String(), Kind: Text}
		if c.Numeric() {
			cols[c].Kind = Number
		}
	}
	return cols
}

// Records returns the table of runs' records, with the columns
// SummaryColumns returns: the table runner ls asks about. Each cell is the
// record's, as summary.csv writes it and as the number it is: nothing is
// parsed back.
func Records(recs []results.Record) *Table {
	t := &Table{Columns: SummaryColumns(), Rows: make([][]Value, len(recs))}
	n := int(results.NumColumns)
	cells := make([]Value, len(recs)*n) // one allocation for every row
	for i := range recs {
		row := cells[i*n : (i+1)*n : (i+1)*n]
		for c := range results.NumColumns {
			cell := recs[i].Cell(c)
			row[c] = Value{Text: cell.Text, Num: cell.Num, IsNum: cell.IsNum}
		}
		t.Rows[i] = row
	}
	return t
}

// Summary returns the table of rows of a summary as summary.csv holds
// them, as text: each number parsed once, here.
func Summary(rows []results.Row) *Table {
	t := &Table{Columns: SummaryColumns(), Rows: make([][]Value, len(rows))}
	for i := range rows {
		t.Rows[i] = make([]Value, results.NumColumns)
		for c, col := range t.Columns {
			if col.Kind == Number {
				t.Rows[i][c] = NumberValue(rows[i][c])
			} else {
				t.Rows[i][c] = TextValue(rows[i][c])
			}
		}
	}
	return t
}
