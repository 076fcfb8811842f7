package query

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strconv"
)

// WriteCSV writes the table as CSV: a header of the columns' names, then
// a line for each row, each cell as the CSV it came from has it.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Names()); err != nil {
		return err
	}
	line := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for j, v := range row {
			line[j] = v.Text
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes the comparison as CSV: the change ("unchanged",
// "changed", "added", "removed"), the key, and for each column shown its
// old and new cells, headed NAME@OLD and NAME@NEW with the tables' names
// (alpha@HEAD~1, alpha@HEAD). A side the row is missing from has empty
// cells.
func (c *Comparison) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"change", c.Key.Name}
	for _, col := range c.Columns {
		header = append(header, col.Name+"@"+c.Old, col.Name+"@"+c.New)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, p := range c.Pairs {
		line := []string{p.Change.String(), p.Key}
		old, new := c.Cells(p.Old), c.Cells(p.New)
		for j := range c.Columns {
			line = append(line, cellText(old, j), cellText(new, j))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cellText returns the text of cell j of a side's cells, "" if the side
// has none.
func cellText(cells []Value, j int) string {
	if cells == nil {
		return ""
	}
	return cells[j].Text
}

// WriteJSON writes the table as JSON: an array of objects, one per row on
// a line of its own, with the columns as keys in order. The cells of
// Number columns are JSON numbers with the digits the CSV has (0.01, not
// 0.010000000000000002), but for NaN and infinities, which JSON cannot
// hold: they are the strings "NaN", "+Inf" and "-Inf", as the CSV writes
// them. Text cells are strings, and empty cells null.
func (t *Table) WriteJSON(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("[")
	for i, row := range t.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		writeObject(b, t.Columns, row)
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Flush()
}

// WriteJSON writes the comparison as JSON: an array of objects, one per
// pair on a line of its own, each with the key, "change", the "old" and
// "new" rows as objects of the columns shown (as Table.WriteJSON writes
// them; null on a side the row is missing from) and "changed", the
// columns whose cells differ.
func (c *Comparison) WriteJSON(w io.Writer) error {
	b := bufio.NewWriter(w)
	cols := append([]Column{c.Key}, c.Columns...)
	b.WriteString("[")
	for i, p := range c.Pairs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		writeString(b, c.Key.Name)
		b.WriteString(": ")
		writeString(b, p.Key)
		b.WriteString(`, "change": `)
		writeString(b, p.Change.String())
		for _, side := range []struct {
			name string
			row  []Value
		}{{"old", p.Old}, {"new", p.New}} {
			b.WriteString(", ")
			writeString(b, side.name)
			b.WriteString(": ")
			if side.row == nil {
				b.WriteString("null")
				continue
			}
			writeObject(b, cols, append([]Value{side.row[c.key]}, c.Cells(side.row)...))
		}
		b.WriteString(`, "changed": [`)
		first := true
		for j, differs := range p.Differs {
			if differs {
				if !first {
					b.WriteString(", ")
				}
				writeString(b, c.Columns[j].Name)
				first = false
			}
		}
		b.WriteString("]}")
	}
	if len(c.Pairs) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Flush()
}

// writeObject writes a row as a JSON object of its columns, in order.
func writeObject(b *bufio.Writer, cols []Column, row []Value) {
	b.WriteString("{")
	for j, col := range cols {
		if j > 0 {
			b.WriteString(", ")
		}
		writeString(b, col.Name)
		b.WriteString(": ")
		writeValue(b, col.Kind, row[j])
	}
	b.WriteString("}")
}

// writeValue writes a cell as a JSON value.
func writeValue(b *bufio.Writer, kind Kind, v Value) {
	switch {
	case v.Empty():
		b.WriteString("null")
	case kind == Number && v.IsNum:
		b.WriteString(jsonNumber(v))
	default:
		writeString(b, v.Text)
	}
}

// jsonNumberPattern is the grammar of JSON numbers (RFC 8259).
var jsonNumberPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// jsonNumber writes a number as JSON: its text if JSON reads it (as the
// CSV's numbers are), or else the shortest text that reads back as the
// same number; NaN and infinities as strings.
func jsonNumber(v Value) string {
	switch {
	case math.IsNaN(v.Num):
		return `"NaN"`
	case math.IsInf(v.Num, 1):
		return `"+Inf"`
	case math.IsInf(v.Num, -1):
		return `"-Inf"`
	case jsonNumberPattern.MatchString(v.Text):
		return v.Text
	}
	return strconv.FormatFloat(v.Num, 'g', -1, 64)
}

// writeString writes a JSON string, with <, > and & as they are (JSON
// for scripts, not for HTML). Strings of printable ASCII without quotes
// or backslashes, as names, statuses and numbers are, are written as
// they are; others as encoding/json writes them.
func writeString(b *bufio.Writer, s string) {
	if plainJSON(s) {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}

// plainJSON reports whether s is its own JSON string's contents: printable
// ASCII, without quotes or backslashes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
