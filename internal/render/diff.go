package render

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/compare"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/results"
)

// notAsRecords says what a damaged summary is.
const notAsRecords = "not what its records give (restored from another revision, edited, or not a regular file): runner run writes it again"

// diffSummary sums up a comparison in a line: "18 runs: 1 added, 2
// changed, 15 unchanged".
func diffSummary(r *compare.Report) string {
	return changeSummary(len(r.Added), len(r.Removed), len(r.Changed), len(r.Unchanged))
}

// changeSummary sums up how many runs were added, removed, changed and
// left unchanged, in a line: "18 runs: 1 added, 2 changed, 15 unchanged",
// or "no runs".
func changeSummary(added, removed, changed, unchanged int) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{added, "added"}, {removed, "removed"}, {changed, "changed"}, {unchanged, "unchanged"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "no runs"
	}
	return prose.Count(added+removed+changed+unchanged, "run") + ": " + strings.Join(parts, ", ")
}

// detail says how far apart two numbers are: "abs 0.00023, rel 8.8e-05".
func detail(abs, rel float64) string {
	return fmt.Sprintf("abs %s, rel %s", formatGap(abs), formatGap(rel))
}

// formatGap writes a difference, to 2 significant digits.
func formatGap(v float64) string {
	if math.IsInf(v, 0) {
		return "inf"
	}
	return results.FormatCSV(v, 2)
}

// valueLine writes a value that changed, its field padded to width:
// "tolerance  0.001 → 0.0001  (abs 0.0009, rel 0.9)".
func valueLine(v compare.Value, width int) string {
	s := fmt.Sprintf("%-*s  %s → %s", width, v.Field, Escape(v.Old), Escape(v.New))
	if v.Numbers {
		s += "  (" + detail(v.Abs, v.Rel) + ")"
	}
	return s
}

// cellLine writes a cell of a trace that differs.
func cellLine(c *compare.Cell) string {
	return fmt.Sprintf("iteration %d, %s: %s → %s", c.Iteration, c.Column, c.Old, c.New)
}

// traceLines describe how a trace changed, a line each.
func traceLines(t *compare.TraceChange) []string {
	lines := []string{fmt.Sprintf("%s → %d", prose.Count(t.OldRows, "row"), t.NewRows)}
	if t.OldRows == t.NewRows {
		lines[0] = prose.Count(t.OldRows, "row")
	}
	if t.OldColumns != nil {
		lines = append(lines, fmt.Sprintf("columns %s → %s", strings.Join(t.OldColumns, ","), strings.Join(t.NewColumns, ",")))
	}
	if t.First != nil {
		lines = append(lines, "first difference: "+cellLine(t.First),
			fmt.Sprintf("largest: abs %s at iteration %d, %s; rel %s at iteration %d, %s",
				formatGap(t.LargestAbs.Abs), t.LargestAbs.Iteration, t.LargestAbs.Column,
				formatGap(t.LargestRel.Rel), t.LargestRel.Iteration, t.LargestRel.Column))
	}
	return lines
}

// DiffTerminal shows a comparison on a terminal: a line for each run
// added (+) or removed (-), and for each run changed (~) its inputs,
// outcomes, trace and files that changed; with all, the unchanged runs (=)
// too. Lines longer than the terminal is wide are cut.
func DiffTerminal(w io.Writer, r *compare.Report, all bool, term Terminal) error {
	p := NewPrinter(w)
	cut := false
	line := func(s string) {
		if term.Width > 0 && !term.Wide && len([]rune(s)) > term.Width {
			s, cut = string([]rune(s)[:term.Width-1])+"…", true
		}
		p.Printf("%s\n", s)
	}
	mark := func(sign, color string) string {
		if term.Color {
			return color + sign + reset
		}
		return sign
	}
	line(fmt.Sprintf("%s → %s: %s", r.Old, r.New, diffSummary(r)))
	for _, d := range r.Damaged {
		line(fmt.Sprintf("%s %s  %s", mark("!", red), d, notAsRecords))
	}
	for _, run := range r.Added {
		line(fmt.Sprintf("%s %s  %v", mark("+", green), run.ID, run.Status))
	}
	for _, run := range r.Removed {
		line(fmt.Sprintf("%s %s  %v", mark("-", red), run.ID, run.Status))
	}
	for _, c := range r.Changed {
		line(fmt.Sprintf("%s %s", mark("~", yellow), c.Run))
		section := func(title string, lines []string) {
			for i, l := range lines {
				if i > 0 {
					title = ""
				}
				line(fmt.Sprintf("    %-8s %s", title, l))
			}
		}
		width := 0
		for _, v := range slices.Concat(c.Inputs, c.Outcome) {
			width = max(width, len(v.Field))
		}
		section("input", valueLines(c.Inputs, width))
		section("outcome", valueLines(c.Outcome, width))
		if c.Trace != nil {
			section("trace", traceLines(c.Trace))
		}
		if len(c.Files) > 0 {
			section("files", []string{strings.Join(c.Files, ", ")})
		}
		if len(c.Damaged) > 0 {
			section("damaged", []string{strings.Join(c.Damaged, ", ") + " (not as their records say: edited or damaged)"})
		}
	}
	if all {
		for _, id := range r.Unchanged {
			line("= " + id)
		}
	}
	if cut {
		p.Printf("%s\n", term.wrap(fmt.Sprintf("(lines cut to fit %d columns; --wide shows them whole)", term.Width)))
	}
	return p.err
}

func valueLines(vs []compare.Value, width int) []string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = valueLine(v, width)
	}
	return lines
}

// DiffMarkdown writes a comparison as GitHub-flavoured Markdown, for a
// comment on a pull request: a summary line, a table of the runs added,
// removed and changed, each change in detail, folded, and the pictures of
// each experiment that changed (paths by experiment, from diff --plots),
// linked.
func DiffMarkdown(w io.Writer, r *compare.Report, all bool, pictures map[string][]string) error {
	p := NewPrinter(w)
	p.Printf("### Results: `%s` → `%s`\n\n", r.Old, r.New)
	if !r.Differs() {
		p.Printf("No differences: %s.\n", diffSummary(r))
		return p.err
	}
	p.Printf("**%s.**", diffSummary(r))
	if tol := r.Tolerance; tol != (compare.Tolerance{}) {
		p.Printf(" Numbers within %s + %s·max(|a|, |b|) count as equal.", results.FormatCSV(tol.Abs, 6), results.FormatCSV(tol.Rel, 6))
	}
	p.Printf("\n\n")
	for _, d := range r.Damaged {
		p.Printf("- `%s`: %s\n", d, notAsRecords)
	}
	if len(r.Damaged) > 0 {
		p.Printf("\n")
	}
	t := newTable([]string{"run", "change", "inputs", "outcome", "trace"}, "run", "change", "inputs", "outcome", "trace")
	for _, run := range r.Added {
		t.add("`"+run.ID+"`", "added", "", run.Status.String(), "")
	}
	for _, run := range r.Removed {
		t.add("`"+run.ID+"`", "removed", "", run.Status.String(), "")
	}
	for _, c := range r.Changed {
		trace := ""
		if c.Trace != nil {
			trace = traceLines(c.Trace)[0]
		}
		t.add("`"+c.Run+"`", "changed", fields(c.Inputs), fields(c.Outcome), trace)
	}
	if all {
		for _, id := range r.Unchanged {
			t.add("`"+id+"`", "unchanged", "", "", "")
		}
	}
	p.table(t, markdown, nil)
	for _, c := range r.Changed {
		p.Printf("\n<details><summary><code>%s</code></summary>\n\n", c.Run)
		d := newTable([]string{"", "field", "old", "new", "difference"}, "", "field", "old", "new", "difference")
		for _, part := range []struct {
			what string
			vs   []compare.Value
		}{{"input", c.Inputs}, {"outcome", c.Outcome}} {
			for _, v := range part.vs {
				diff := ""
				if v.Numbers {
					diff = detail(v.Abs, v.Rel)
				}
				d.add(part.what, v.Field, v.Old, v.New, diff)
			}
		}
		if len(d.rows) > 0 {
			p.table(d, markdown, nil)
		}
		if c.Trace != nil {
			p.Printf("\nTrace: %s.\n", strings.Join(traceLines(c.Trace), "; "))
		}
		if len(c.Files) > 0 {
			p.Printf("\nOther files changed: %s.\n", strings.Join(c.Files, ", "))
		}
		if len(c.Damaged) > 0 {
			p.Printf("\n**Not as their records say** (edited or damaged): %s.\n", strings.Join(c.Damaged, ", "))
		}
		p.Printf("\n</details>\n")
	}
	for _, name := range slices.Sorted(maps.Keys(pictures)) {
		p.Printf("\n#### %s: old (dashed) and new (solid)\n\n", name)
		for _, file := range pictures[name] {
			p.Printf("![%s](%s)\n", path.Base(file), file)
		}
	}
	return p.err
}

// fields names the fields of values.
func fields(vs []compare.Value) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Field
	}
	return strings.Join(names, ", ")
}

// The JSON of runner diff --json: a stable structure, documented in the
// README. Differences (abs, rel) are null when a value is not a number or
// not finite.
type (
	diffJSON struct {
		Old           string        `json:"old"`
		New           string        `json:"new"`
		Tolerance     toleranceJSON `json:"tolerance"`
		Added         []runJSON     `json:"added"`
		Removed       []runJSON     `json:"removed"`
		Changed       []changeJSON  `json:"changed"`
		Unchanged     int           `json:"unchanged"`
		UnchangedRuns []string      `json:"unchanged_runs,omitempty"`
		Damaged       []string      `json:"damaged"`
	}
	toleranceJSON struct {
		Abs float64 `json:"abs"`
		Rel float64 `json:"rel"`
	}
	runJSON struct {
		Run    string `json:"run"`
		Status string `json:"status"`
	}
	changeJSON struct {
		Run     string      `json:"run"`
		Inputs  []valueJSON `json:"inputs"`
		Outcome []valueJSON `json:"outcome"`
		Trace   *traceJSON  `json:"trace"`
		Files   []string    `json:"files"`
		Damaged []string    `json:"damaged"`
	}
	valueJSON struct {
		Field string       `json:"field"`
		Old   string       `json:"old"`
		New   string       `json:"new"`
		Abs   *json.Number `json:"abs"`
		Rel   *json.Number `json:"rel"`
	}
	traceJSON struct {
		OldRows    int       `json:"old_rows"`
		NewRows    int       `json:"new_rows"`
		OldColumns []string  `json:"old_columns,omitempty"`
		NewColumns []string  `json:"new_columns,omitempty"`
		First      *cellJSON `json:"first"`
		LargestAbs *cellJSON `json:"largest_abs"`
		LargestRel *cellJSON `json:"largest_rel"`
	}
	cellJSON struct {
		Iteration int          `json:"iteration"`
		Column    string       `json:"column"`
		Old       string       `json:"old"`
		New       string       `json:"new"`
		Abs       *json.Number `json:"abs"`
		Rel       *json.Number `json:"rel"`
	}
)

// finiteOrNil returns a difference for JSON, written as the CSV files
// write numbers (so 0.01, not 0.010000000000000002): nil if it is not
// finite.
func finiteOrNil(v float64) *json.Number {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	n := json.Number(results.FormatCSV(v, results.DefaultCSVDigits))
	return &n
}

// DiffJSON writes a comparison as JSON, for scripts.
func DiffJSON(w io.Writer, r *compare.Report, all bool) error {
	out := diffJSON{Old: r.Old, New: r.New, Tolerance: toleranceJSON{r.Tolerance.Abs, r.Tolerance.Rel},
		Added: []runJSON{}, Removed: []runJSON{}, Changed: []changeJSON{}, Unchanged: len(r.Unchanged), Damaged: append([]string{}, r.Damaged...)}
	for _, run := range r.Added {
		out.Added = append(out.Added, runJSON{run.ID, run.Status.String()})
	}
	for _, run := range r.Removed {
		out.Removed = append(out.Removed, runJSON{run.ID, run.Status.String()})
	}
	for _, c := range r.Changed {
		cj := changeJSON{Run: c.Run, Inputs: valuesJSON(c.Inputs), Outcome: valuesJSON(c.Outcome), Files: append([]string{}, c.Files...), Damaged: append([]string{}, c.Damaged...)}
		if t := c.Trace; t != nil {
			cj.Trace = &traceJSON{OldRows: t.OldRows, NewRows: t.NewRows, OldColumns: t.OldColumns, NewColumns: t.NewColumns,
				First: cellOf(t.First), LargestAbs: cellOf(t.LargestAbs), LargestRel: cellOf(t.LargestRel)}
		}
		out.Changed = append(out.Changed, cj)
	}
	if all {
		out.UnchangedRuns = r.Unchanged
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func valuesJSON(vs []compare.Value) []valueJSON {
	out := []valueJSON{}
	for _, v := range vs {
		vj := valueJSON{Field: v.Field, Old: v.Old, New: v.New}
		if v.Numbers {
			vj.Abs, vj.Rel = finiteOrNil(v.Abs), finiteOrNil(v.Rel)
		}
		out = append(out, vj)
	}
	return out
}

func cellOf(c *compare.Cell) *cellJSON {
	if c == nil {
		return nil
	}
	return &cellJSON{Iteration: c.Iteration, Column: c.Column, Old: c.Old, New: c.New, Abs: finiteOrNil(c.Abs), Rel: finiteOrNil(c.Rel)}
}
