package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/descentlab/runner/internal/golden"
	"github.com/descentlab/runner/internal/query"
	"github.com/descentlab/runner/internal/results"
)

// sweepRow makes a summary row of a run of a sweep of alpha, b3 alone
// trained from 0.
func sweepRow(alpha, iterations, status, b3, ssr string) results.Row {
	var r results.Row
	r[results.ColExperiment], r[results.ColRun] = "lr", "lr/alpha="+alpha
	r[results.ColTrain], r[results.ColActivation] = "b3", "softplus"
	r[results.ColAlpha], r[results.ColTolerance], r[results.ColMaxIterations] = alpha, "0.001", "1000"
	for _, c := range []results.Column{results.ColW1Initial, results.ColB1Initial, results.ColW2Initial, results.ColB2Initial, results.ColW3Initial, results.ColW4Initial} {
		r[c] = "1"
	}
	r[results.ColB3Initial] = "0"
	r[results.ColIterations], r[results.ColStatus] = iterations, status
	r[results.ColB3Final], r[results.ColSSRFinal] = b3, ssr
	r[results.ColB3Optimum] = "2.60891113725"
	r[results.ColErrorFactor] = results.FormatCSV(1-6*0.1, 12)
	return r
}

// sweep are the rows of a sweep of alpha, in full precision.
func sweep() []results.Row {
	return []results.Row{
		sweepRow("0.01", "83", "converged", "2.59043587411", "0.000770416"),
		sweepRow("0.1", "10", "converged", "2.60891113725", "6.30126e-05"),
		sweepRow("0.34", "178", "diverged", "2701.30011", "21921342.1"),
	}
}

func TestListColumns(t *testing.T) {
	names := func(table *query.Table, cols []int) string {
		return strings.Join(table.Select(cols).Names(), ",")
	}
	rows := sweep()
	table := query.Summary(rows)
	if got, want := names(table, ListColumns(table)), "run,alpha,iterations,status,b3_final,ssr_final,b3_optimum,error_factor"; got != want {
		t.Errorf("a sweep of alpha shows %s, want %s", got, want)
	}
	one := query.Summary(rows[:1])
	if got, want := names(one, ListColumns(one)), "run,iterations,status,b3_final,ssr_final,b3_optimum,error_factor"; got != want {
		t.Errorf("one run shows %s, want %s (no input varies)", got, want)
	}
	// The other side of a comparison can make an input vary, and a final
	// value set.
	other := rows[0]
	other[results.ColTolerance], other[results.ColTrain], other[results.ColW3Final] = "0.0001", "w3 b3", "-1.2"
	both := query.Summary([]results.Row{other})
	if got, want := names(one, ListColumns(one, both)), "run,train,tolerance,iterations,status,w3_final,b3_final,ssr_final,b3_optimum,error_factor"; got != want {
		t.Errorf("two sides show %s, want %s", got, want)
	}
	// Columns asked for first, in any order, and a table that is not a
	// summary's.
	some := table.Select([]int{int(results.ColStatus), int(results.ColRun), int(results.ColAlpha)})
	if got, want := names(some, ListColumns(some)), "run,alpha,status"; got != want {
		t.Errorf("some columns show %s, want %s", got, want)
	}
	plain := &query.Table{Columns: []query.Column{{Name: "x", Kind: query.Number}, {Name: "y", Kind: query.Text}}}
	if got := names(plain, ListColumns(plain)); got != "x,y" {
		t.Errorf("a table without runs shows %s, want every column", got)
	}
}

// TestListOutputs draws a list of runs on terminals of two widths, with
// and without colour, and in Markdown, to golden files: results rounded
// (inputs not), text left and numbers right, a narrow terminal leaving out
// the columns least needed and saying which.
func TestListOutputs(t *testing.T) {
	table := query.Summary(sweep())
	shown := table.Select(ListColumns(table))
	for _, out := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/list.txt", func(b *bytes.Buffer) error { return ListTerminal(b, shown, Terminal{Width: 120}) }},
		{"testdata/list-narrow.txt", func(b *bytes.Buffer) error { return ListTerminal(b, shown, Terminal{Width: 60, Color: true}) }},
		{"testdata/list-digits.txt", func(b *bytes.Buffer) error { return ListTerminal(b, shown, Terminal{Digits: 6}) }},
		{"testdata/list.md", func(b *bytes.Buffer) error { return ListMarkdown(b, shown, 0) }},
		{"testdata/list-empty.txt", func(b *bytes.Buffer) error { return ListTerminal(b, &query.Table{Columns: shown.Columns}, Terminal{}) }},
	} {
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, out.file, b.Bytes())
	}
}

// TestComparisonOutputs draws two lists side by side: a run changed in a
// way its rounding would hide, one that diverged only in the new list, one
// added, one removed.
func TestComparisonOutputs(t *testing.T) {
	before := sweep()
	after := sweep()
	after[0][results.ColB3Final] = "2.59100000001" // 2.59 either way, rounded
	after[1][results.ColStatus], after[1][results.ColIterations] = "max-iterations", "1000"
	after = append(after[:2], sweepRow("0.2", "7", "converged", "2.60891", "6.28e-05"))
	old, new := query.Summary(before), query.Summary(after)
	c, err := query.Compare(old, new, "run", "HEAD~1", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	c = c.Select(ListColumns(c.Sides()))
	for _, out := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/compare.txt", func(b *bytes.Buffer) error { return ComparisonTerminal(b, c, Terminal{Width: 150}) }},
		{"testdata/compare-narrow.txt", func(b *bytes.Buffer) error { return ComparisonTerminal(b, c, Terminal{Width: 110, Color: true}) }},
		{"testdata/compare.md", func(b *bytes.Buffer) error { return ComparisonMarkdown(b, c, 0) }},
	} {
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, out.file, b.Bytes())
	}
}
