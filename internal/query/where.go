package query

import (
	"cmp"
	"fmt"
	"math"
	"strings"
)

// Op is a comparison of a condition.
type Op int

// The comparisons, as conditions write them: = != < <= > >=.
const (
	Equal Op = iota
	NotEqual
	Less
	LessOrEqual
	Greater
	GreaterOrEqual
)

// ops are the comparisons' symbols, the two-character ones first, as
// parsing tries them in this order.
var ops = []struct {
	symbol string
	op     Op
}{{"!=", NotEqual}, {"<=", LessOrEqual}, {">=", GreaterOrEqual}, {"=", Equal}, {"<", Less}, {">", Greater}}

// String returns the comparison's symbol.
func (o Op) String() string {
	for _, s := range ops {
		if s.op == o {
			return s.symbol
		}
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Condition is a condition on a row: a column compared with a value.
type Condition struct {
	// Column is the index of the column in the table the condition was
	// parsed for.
	Column int
	Op     Op
	Value  Value
}

// operatorChars are the characters operators are made of: a column name
// ends before the first of them.
const operatorChars = "=!<>"

// wantCondition says what a condition looks like, for messages.
const wantCondition = "want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"

// ParseCondition parses a condition on the rows of t, as --where writes
// it: a column, a comparison among = != < <= > >=, and a value, with
// spaces around them optional ("status=diverged", "alpha >= 0.1"). The
// value of a Number column must be a number (NaN, +Inf and -Inf count);
// a Text column compares as text. No value after = or != asks whether
// the cell is empty ("w1_final=", a weight that does not train) or not
// ("w1_final!="). Errors are *Error, naming flag and expr, and for an
// unknown column the nearest one.
func ParseCondition(flag, expr string, t *Table) (Condition, error) {
	fail := func(format string, args ...any) (Condition, error) {
		return Condition{}, &Error{Flag: flag, Arg: expr, Msg: fmt.Sprintf(format, args...)}
	}
	at := strings.IndexAny(expr, operatorChars)
	if at < 0 {
		return fail("no comparison; %s", wantCondition)
	}
	name := strings.TrimSpace(expr[:at])
	op, rest, ok := cutOp(expr[at:])
	if !ok { // "!" alone
		return fail("%s is not a comparison; %s", expr[at:at+1], wantCondition)
	}
	text := strings.TrimSpace(rest)
	switch {
	case name == "":
		return fail("no column before %v; %s", op, wantCondition)
	case text == "" && op != Equal && op != NotEqual:
		return fail("no value after %v; %s", op, wantCondition)
	case text == "":
		col, err := t.lookup(flag, expr, name)
		return Condition{Column: col, Op: op}, err
	case strings.ContainsAny(text[:1], operatorChars):
		return fail("%v%s is not a comparison; %s", op, text[:1], wantCondition)
	}
	col, err := t.lookup(flag, expr, name)
	if err != nil {
		return Condition{}, err
	}
	value := TextValue(text)
	if t.Columns[col].Kind == Number {
		if value = NumberValue(text); !value.IsNum {
			return fail("%s holds numbers; want a number, got %q", name, text)
		}
	}
	return Condition{Column: col, Op: op, Value: value}, nil
}

// cutOp cuts the comparison off the start of s.
func cutOp(s string) (Op, string, bool) {
	for _, o := range ops {
		if rest, ok := strings.CutPrefix(s, o.symbol); ok {
			return o.op, rest, true
		}
	}
	return 0, s, false
}

// Holds reports whether a row holds the condition. An empty cell holds
// only != a value, and = no value.
func (c Condition) Holds(row []Value) bool {
	cell := row[c.Column]
	if c.Value.Empty() {
		return cell.Empty() == (c.Op == Equal)
	}
	if cell.Empty() {
		return c.Op == NotEqual
	}
	if !c.Value.IsNum {
		return c.Op.holds(strings.Compare(cell.Text, c.Value.Text))
	}
	if !cell.IsNum {
		return c.Op == NotEqual
	}
	a, b := cell.Num, c.Value.Num
	if math.IsNaN(a) || math.IsNaN(b) {
		return c.Op.holdsNaN(math.IsNaN(a) && math.IsNaN(b))
	}
	return c.Op.holds(cmp.Compare(a, b))
}

// holds applies the comparison to the result of comparing two values:
// -1, 0 or +1.
func (o Op) holds(cmp int) bool {
	switch o {
	case Equal:
		return cmp == 0
	case NotEqual:
		return cmp != 0
	case Less:
		return cmp < 0
	case LessOrEqual:
		return cmp <= 0
	case Greater:
		return cmp > 0
	}
	return cmp >= 0
}

// holdsNaN applies the comparison to two numbers of which one is NaN, and
// the other too if both are: NaN equals NaN, and is neither less nor
// greater than any number.
func (o Op) holdsNaN(both bool) bool {
	switch o {
	case Equal, LessOrEqual, GreaterOrEqual:
		return both
	case NotEqual:
		return !both
	}
	return false
}

// Filter returns the rows of t that hold every condition, in order; the
// table's columns and cells are shared.
func Filter(t *Table, conds []Condition) *Table {
	out := &Table{Columns: t.Columns}
	for _, row := range t.Rows {
		if holdsAll(row, conds) {
			out.Rows = append(out.Rows, row)
		}
	}
	return out
}

// holdsAll reports whether a row holds every condition.
func holdsAll(row []Value, conds []Condition) bool {
	for _, c := range conds {
		if !c.Holds(row) {
			return false
		}
	}
	return true
}
