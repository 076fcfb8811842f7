package query

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/results"
)

// summaryRow makes a row of summary.csv for a run of the learning-rates
// sweep, which trains b3 alone.
func summaryRow(alpha, iterations, status, b3, ssr string) results.Row {
	var r results.Row
	r[results.ColExperiment] = "learning-rates"
	r[results.ColRun] = "learning-rates/alpha=" + alpha
	r[results.ColTrain] = "b3"
	r[results.ColActivation] = "softplus"
	r[results.ColAlpha] = alpha
	r[results.ColTolerance] = "0.001"
	r[results.ColMaxIterations] = "1000"
	for _, c := range []results.Column{results.ColW1Initial, results.ColB1Initial, results.ColW2Initial, results.ColB2Initial, results.ColW3Initial, results.ColW4Initial} {
		r[c] = "1"
	}
	r[results.ColB3Initial] = "0"
	r[results.ColIterations] = iterations
	r[results.ColStatus] = status
	r[results.ColB3Final] = b3
	r[results.ColSSRFinal] = ssr
	r[results.ColB3Optimum] = "2.60891113725"
	return r
}

// runs are a sweep's rows, in the order summary.csv has them: numbers
// whose text order is not their order (10 and 9 iterations, 1e-05), a
// diverged run whose SSR is +Inf and one whose b3 is NaN, and, last, a
// run of another experiment that trains every weight and leaves
// b3_optimum empty.
func runs() []results.Row {
	rows := []results.Row{
		summaryRow("0.001", "459", "converged", "2.44", "0.0815"),
		summaryRow("0.1", "10", "converged", "2.60891113725", "6.3e-05"),
		summaryRow("0.2", "9", "converged", "2.6089", "6.28e-05"),
		summaryRow("0.34", "178", "diverged", "2700", "+Inf"),
		summaryRow("0.5", "11", "diverged", "NaN", "NaN"),
		summaryRow("1e-05", "1000", "max-iterations", "0.01", "20.4"),
	}
	other := summaryRow("0.1", "517", "converged", "2.6", "9.95e-06")
	other[results.ColExperiment], other[results.ColRun], other[results.ColTrain] = "details", "details", "w1 b1 w2 b2 w3 w4 b3"
	other[results.ColW1Final], other[results.ColB3Optimum] = "3.5", ""
	return append(rows, other)
}

// column returns the cells of a column of t, by its name.
func column(t *Table, name string) string {
	i := t.index(name)
	cells := make([]string, len(t.Rows))
	for r, row := range t.Rows {
		cells[r] = row[i].Text
	}
	return strings.Join(cells, " ")
}

func mustCondition(t *testing.T, table *Table, expr string) Condition {
	t.Helper()
	c, err := ParseCondition("--where", expr, table)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWhere(t *testing.T) {
	table := Summary(runs())
	for _, tt := range []struct {
		where []string
		want  string // the alphas of the rows kept
	}{
		{[]string{"status=diverged"}, "0.34 0.5"},
		{[]string{"status != converged"}, "0.34 0.5 1e-05"},
		{[]string{"alpha >= 0.2"}, "0.2 0.34 0.5"},
		{[]string{"alpha<0.1"}, "0.001 1e-05"},                  // 1e-05 is a number, less than 0.1, though not as text
		{[]string{"alpha=0.10"}, "0.1 0.1"},                     // numbers compare as numbers
		{[]string{"iterations>10"}, "0.001 0.34 0.5 1e-05 0.1"}, // 9 < 10 < 11 as numbers
		{[]string{"ssr_final > 1"}, "0.34 1e-05"},               // +Inf is a number; NaN is not greater than 1
		{[]string{"ssr_final <= 1"}, "0.001 0.1 0.2 0.1"},       // nor less
		{[]string{"b3_final = NaN"}, "0.5"},                     // NaN equals NaN
		{[]string{"b3_final >= NaN"}, "0.5"},
		{[]string{"ssr_final < NaN"}, ""},
		{[]string{"b3_final != NaN"}, "0.001 0.1 0.2 0.34 1e-05 0.1"},
		{[]string{"w1_final > 0"}, "0.1"},                             // empty cells hold no comparison…
		{[]string{"w1_final != 3.5"}, "0.001 0.1 0.2 0.34 0.5 1e-05"}, // …but !=
		{[]string{"w1_final!="}, "0.1"},                               // a cell that is not empty
		{[]string{"w1_final ="}, "0.001 0.1 0.2 0.34 0.5 1e-05"},      // an empty cell
		{[]string{"status="}, ""},
		{[]string{"b3_optimum<3"}, "0.001 0.1 0.2 0.34 0.5 1e-05"},
		{[]string{"status=diverged", "alpha<0.4"}, "0.34"}, // all must hold
		{[]string{"run=learning-rates/alpha=0.2"}, "0.2"},  // a value may hold =
		{[]string{"train>=w"}, "0.1"},                      // text compares byte by byte
		{[]string{"status=Diverged"}, ""},                  // and in case
	} {
		var conds []Condition
		for _, w := range tt.where {
			conds = append(conds, mustCondition(t, table, w))
		}
		if got := column(Filter(table, conds), "alpha"); got != tt.want {
			t.Errorf("--where %s: alphas %q, want %q", strings.Join(tt.where, " --where "), got, tt.want)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	table := Summary(runs())
	for _, tt := range []struct{ expr, want string }{
		{"alhpa>0.1", `--where alhpa>0.1: unknown column "alhpa"; did you mean "alpha"?`},
		{"Status=diverged", `--where Status=diverged: unknown column "Status"; did you mean "status"?`},
		{"ssr<1", `--where ssr<1: unknown column "ssr"; did you mean "ssr_final"?`},
		{"colour=red", `--where colour=red: unknown column "colour"; the columns are ` + strings.Join(results.Header(), ", ")},
		{"diverged", "--where diverged: no comparison; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"=diverged", "--where =diverged: no column before =; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"alpha>= ", "--where alpha>= : no value after >=; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"status==diverged", "--where status==diverged: == is not a comparison; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"alpha=<1", "--where alpha=<1: =< is not a comparison; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"status!diverged", "--where status!diverged: ! is not a comparison; want COLUMN OP VALUE, with OP one of = != < <= > >=, as in status=diverged or alpha>=0.1"},
		{"alpha>big", `--where alpha>big: alpha holds numbers; want a number, got "big"`},
	} {
		_, err := ParseCondition("--where", tt.expr, table)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: error %v, want a *query.Error", tt.expr, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.expr, err, tt.want)
		}
	}
}

func TestSort(t *testing.T) {
	table := Summary(runs())
	for _, tt := range []struct{ spec, column, want string }{
		{"iterations", "iterations", "9 10 11 178 459 517 1000"}, // as numbers
		{"-iterations", "iterations", "1000 517 459 178 11 10 9"},
		{"alpha", "alpha", "1e-05 0.001 0.1 0.1 0.2 0.34 0.5"}, // ties keep their order:
		{"alpha", "run", "learning-rates/alpha=1e-05 learning-rates/alpha=0.001 learning-rates/alpha=0.1 details learning-rates/alpha=0.2 learning-rates/alpha=0.34 learning-rates/alpha=0.5"},
		{"ssr_final", "ssr_final", "9.95e-06 6.28e-05 6.3e-05 0.0815 20.4 +Inf NaN"},  // NaN after the numbers
		{"-ssr_final", "ssr_final", "+Inf 20.4 0.0815 6.3e-05 6.28e-05 9.95e-06 NaN"}, // in either direction
		{"w1_final", "w1_final", "3.5      "}, // empty cells last…
		{"-b3_optimum", "b3_optimum", "2.60891113725 2.60891113725 2.60891113725 2.60891113725 2.60891113725 2.60891113725 "}, // …in either direction
		{"status,-alpha", "alpha", "0.2 0.1 0.1 0.001 0.5 0.34 1e-05"},                                                        // text, then the second key
		{" -status , iterations ", "iterations", "1000 11 178 9 10 459 517"},
	} {
		keys, err := ParseOrder("--sort", tt.spec, table)
		if err != nil {
			t.Fatal(err)
		}
		sorted := Summary(runs())
		Sort(sorted, keys)
		if got := column(sorted, tt.column); got != tt.want {
			t.Errorf("--sort %s: %s %q, want %q", tt.spec, tt.column, got, tt.want)
		}
	}
}

func TestOrderAndColumnErrors(t *testing.T) {
	table := Summary(runs())
	for _, tt := range []struct {
		flag, arg, want string
		parse           func(flag, arg string, t *Table) error
	}{
		{"--sort", "-iteratons", `--sort -iteratons: unknown column "iteratons"; did you mean "iterations"?`, parseOrder},
		{"--sort", "alpha,", "--sort alpha,: no column named; the columns are " + strings.Join(results.Header(), ", "), parseOrder},
		{"--sort", "alpha,-alpha", "--sort alpha,-alpha: alpha is named twice; name each column once", parseOrder},
		{"--columns", "run,stauts", `--columns run,stauts: unknown column "stauts"; did you mean "status"?`, parseColumns},
		{"--columns", "run,run", "--columns run,run: run is named twice; name each column once", parseColumns},
		{"--columns", "", "--columns : no column named; the columns are " + strings.Join(results.Header(), ", "), parseColumns},
	} {
		err := tt.parse(tt.flag, tt.arg, table)
		var qe *Error
		if !errors.As(err, &qe) || err.Error() != tt.want {
			t.Errorf("%s %s:\n got %v\nwant %s", tt.flag, tt.arg, err, tt.want)
		}
	}
}

func parseOrder(flag, arg string, t *Table) error {
	_, err := ParseOrder(flag, arg, t)
	return err
}

func parseColumns(flag, arg string, t *Table) error {
	_, err := ParseColumns(flag, arg, t)
	return err
}

func TestApply(t *testing.T) {
	table := Summary(runs())
	q := Query{
		Where: []Condition{mustCondition(t, table, "train=b3")},
		Order: []SortKey{{Column: int(results.ColIterations), Descending: true}},
		Limit: 3,
	}
	cols, err := ParseColumns("--columns", "iterations, run", table)
	if err != nil {
		t.Fatal(err)
	}
	q.Columns = cols
	got := q.Apply(table)
	if names := strings.Join(got.Names(), ","); names != "iterations,run" {
		t.Errorf("columns %s, want iterations,run", names)
	}
	if rows := column(got, "run"); rows != "learning-rates/alpha=1e-05 learning-rates/alpha=0.001 learning-rates/alpha=0.34" {
		t.Errorf("rows %s: want the three b3 runs with the most iterations, most first", rows)
	}
	if column(table, "iterations") != "459 10 9 178 11 1000 517" {
		t.Error("Apply changed the table it was given")
	}
	q.Limit = 0
	if n := len(q.Apply(table).Rows); n != 6 {
		t.Errorf("limit 0 kept %d rows, want every one of the 6 that hold", n)
	}
}

// TestOutputs writes a table, as runner ls --csv and --json would, to
// golden files.
func TestOutputs(t *testing.T) {
	table := Summary(runs())
	cols, err := ParseColumns("--columns", "run,alpha,iterations,status,w1_final,b3_final,ssr_final,expected", table)
	if err != nil {
		t.Fatal(err)
	}
	shown := table.Select(cols)
	for _, out := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/runs.csv", func(b *bytes.Buffer) error { return shown.WriteCSV(b) }},
		{"testdata/runs.json", func(b *bytes.Buffer) error { return shown.WriteJSON(b) }},
		{"testdata/empty.json", func(b *bytes.Buffer) error { return (&Table{Columns: shown.Columns}).WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, out.file, b.Bytes())
	}
}

// TestJSONNumbers checks that JSON holds the numbers the CSV has, with
// its digits, and what JSON cannot hold as strings.
func TestJSONNumbers(t *testing.T) {
	cols := []Column{{"x", Number}, {"name", Text}}
	tenth := 0.1
	sum := tenth * tenth // 0.010000000000000002, as a float64 product
	for _, tt := range []struct {
		cell Value
		want string
	}{
		{NumberValue("0.01"), `0.01`},
		{NumberValue(fmt.Sprint(sum)), `0.010000000000000002`}, // the digits the CSV has, whatever they are
		{NumberValue("6.3e-05"), `6.3e-05`},
		{NumberValue("1e+06"), `1e+06`},
		{NumberValue(".5"), `0.5`}, // not JSON's way: the shortest number that reads back
		{NumberValue("+2"), `2`},
		{NumberValue("007"), `7`},
		{NumberValue("NaN"), `"NaN"`},
		{NumberValue("+Inf"), `"+Inf"`},
		{NumberValue("-Inf"), `"-Inf"`},
		{NumberValue("inf"), `"+Inf"`},
		{NumberValue(""), `null`},
	} {
		var b bytes.Buffer
		table := &Table{Columns: cols, Rows: [][]Value{{tt.cell, TextValue("a<b & \"c\"")}}}
		if err := table.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		want := "[\n  {\"x\": " + tt.want + ", \"name\": \"a<b & \\\"c\\\"\"}\n]\n"
		if b.String() != want {
			t.Errorf("cell %q:\n got %s\nwant %s", tt.cell.Text, b.String(), want)
		}
		var back []map[string]any
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Errorf("cell %q: not JSON: %v", tt.cell.Text, err)
			continue
		}
		if x, ok := back[0]["x"].(float64); ok && x != tt.cell.Num {
			t.Errorf("cell %q reads back as %v", tt.cell.Text, x)
		}
	}
}

// sides are the runs of two revisions: the new one changed the b3 of
// alpha=0.1, made alpha=0.2 diverge, dropped alpha=0.34 and added 0.7.
func sides() (old, new *Table) {
	before := runs()
	after := []results.Row{before[0], before[1], before[2], before[4], before[5], before[6]}
	after[1][results.ColB3Final] = "2.6"
	after[2][results.ColStatus], after[2][results.ColSSRFinal] = "diverged", "1e+07"
	after = append(after[:3], append([]results.Row{summaryRow("0.7", "6", "diverged", "8e+03", "2e+08")}, after[3:]...)...)
	return Summary(before), Summary(after)
}

func TestCompare(t *testing.T) {
	old, new := sides()
	c, err := Compare(old, new, "run", "HEAD~1", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Pairs {
		line := p.Change.String() + " " + p.Key
		for j, d := range p.Differs {
			if d {
				line += " " + c.Columns[j].Name
			}
		}
		got = append(got, line)
	}
	want := []string{
		"unchanged learning-rates/alpha=0.001",
		"changed learning-rates/alpha=0.1 b3_final",
		"changed learning-rates/alpha=0.2 status ssr_final",
		"removed learning-rates/alpha=0.34", // right after alpha=0.2, which it follows in the old table
		"added learning-rates/alpha=0.7",
		"unchanged learning-rates/alpha=0.5", // NaN is the same as NaN
		"unchanged learning-rates/alpha=1e-05",
		"unchanged details",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same question of both: the runs that diverged on either side, by
	// their SSR, and only some columns, the key apart, whose changes alone
	// count.
	q := Query{Where: []Condition{mustCondition(t, new, "status=diverged")}, Order: []SortKey{{Column: int(results.ColSSRFinal), Descending: true}}}
	q.Columns, _ = ParseColumns("--columns", "run,alpha,status,b3_final", new)
	shown := q.ApplyComparison(c)
	got = nil
	for _, p := range shown.Pairs {
		got = append(got, p.Change.String()+" "+p.Key)
	}
	want = []string{
		"removed learning-rates/alpha=0.34",  // +Inf
		"added learning-rates/alpha=0.7",     // 2e+08
		"changed learning-rates/alpha=0.2",   // 1e+07, diverged only in the new table
		"unchanged learning-rates/alpha=0.5", // NaN, last
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diverged pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if names := strings.Join((&Table{Columns: shown.Columns}).Names(), ","); names != "alpha,status,b3_final" {
		t.Errorf("columns shown %s, want alpha,status,b3_final (the key apart)", names)
	}

	for _, out := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/compare.csv", func(b *bytes.Buffer) error { return shown.WriteCSV(b) }},
		{"testdata/compare.json", func(b *bytes.Buffer) error { return shown.WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, out.file, b.Bytes())
	}

	if _, err := Compare(old, old.Select([]int{1, 2}), "run", "a", "b"); err == nil {
		t.Error("tables with different columns compared")
	}
	if _, err := Compare(old, new, "id", "a", "b"); err == nil {
		t.Error("tables compared by a column they do not have")
	}
}

func TestCompareRepeatedKeys(t *testing.T) {
	cols := []Column{{"run", Text}, {"x", Number}}
	table := func(cells ...string) *Table {
		t := &Table{Columns: cols}
		for i := 0; i < len(cells); i += 2 {
			t.Rows = append(t.Rows, []Value{TextValue(cells[i]), NumberValue(cells[i+1])})
		}
		return t
	}
	c, err := Compare(table("a", "1", "a", "2", "b", "3"), table("b", "3", "a", "1"), "run", "old", "new")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Pairs {
		got = append(got, p.Change.String()+" "+p.Key)
	}
	// The first a of each is matched; the second old a is removed, after
	// the old row before it, the first a.
	if want := "unchanged b\nunchanged a\nremoved a"; strings.Join(got, "\n") != want {
		t.Errorf("pairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	c, _ = Compare(table("z", "1", "a", "1"), table("a", "1"), "run", "old", "new")
	if c.Pairs[0].Key != "z" || c.Pairs[0].Change != Removed {
		t.Errorf("a removed row that no matched row comes before is not first: %+v", c.Pairs[0])
	}
}

// BenchmarkQuery filters and sorts a thousand runs, as runner ls does:
// well under a millisecond. Building the table, which parses each
// number once, is measured apart.
func BenchmarkQuery(b *testing.B) {
	rows := thousandRuns()
	table := Summary(rows)
	q := Query{Limit: 20}
	for _, w := range []string{"status!=diverged", "alpha>0.001"} {
		c, err := ParseCondition("--where", w, table)
		if err != nil {
			b.Fatal(err)
		}
		q.Where = append(q.Where, c)
	}
	q.Order, _ = ParseOrder("--sort", "status,-b3_final,iterations", table)
	q.Columns, _ = ParseColumns("--columns", "run,alpha,iterations,status,b3_final,ssr_final", table)
	b.Run("filter+sort", func(b *testing.B) {
		for b.Loop() {
			q.Apply(table)
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			Summary(rows)
		}
	})
}

// thousandRuns are the rows of a thousand-run sweep of alpha and b3.
func thousandRuns() []results.Row {
	statuses := []string{"converged", "max-iterations", "diverged"}
	rows := make([]results.Row, 1000)
	for i := range rows {
		alpha := results.FormatCSV(math.Pow(10, -3+3*float64(i%100)/99), 12)
		rows[i] = summaryRow(alpha, fmt.Sprint(1+i*7%1000), statuses[i%7%3], results.FormatCSV(2.6+float64(i%13)/100, 12), results.FormatCSV(float64(i)*1e-5, 12))
		rows[i][results.ColB3Initial] = fmt.Sprint(i / 100)
		rows[i][results.ColRun] += "/b3_initial=" + rows[i][results.ColB3Initial]
	}
	return rows
}

// TestBenchmarkRows keeps the benchmark's question answered by some but
// not all rows, so that it measures filtering and sorting.
func TestBenchmarkRows(t *testing.T) {
	table := Summary(thousandRuns())
	kept := Filter(table, []Condition{mustCondition(t, table, "status!=diverged"), mustCondition(t, table, "alpha>0.001")})
	if n := len(kept.Rows); n < 100 || n > 900 {
		t.Errorf("the benchmark's conditions keep %d of 1000 rows", n)
	}
}

// TestWriteString checks that strings are written as encoding/json
// writes them (without escaping <, > and &), those it writes as they are
// and those it escapes.
func TestWriteString(t *testing.T) {
	for _, s := range []string{"", "lr/alpha=0.1", "converged", "w1 b1 w2 b2 w3 w4 b3", "14/15", "+Inf", "<a & b>",
		`say "hi"`, `back\slash`, "tab\there", "new\nline", "α = 0.1", "\x7f", "\u2028", "\xff"} {
		var got bytes.Buffer
		w := bufio.NewWriter(&got)
		writeString(w, s)
		w.Flush()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got.String()+"\n" != want.String() {
			t.Errorf("writeString(%q) = %s, want %s", s, got.String(), want.String())
		}
	}
}
