package render

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/search"
)

// SearchAnswer is what the terminal and the index say of a search.
type SearchAnswer struct {
	Experiment string
	Field      string
	Find       search.Find
	Answer     search.Answer
	// Theory is the exact answer of b3-only descent, NaN if none; Limit
	// 2/λ_max at the run next to an edge, NaN if none.
	Theory, Limit float64
	// Precision is the relative width the search was to narrow its
	// bracket to.
	Precision float64
	Range     *search.RangeAnalysis
}

// SearchLines says what a search found, a sentence each: its answer, how
// many runs it took, and the theory beside it.
func SearchLines(s *SearchAnswer, digits int) []string {
	f := func(v float64) string { return experiment.FormatValue(roundTo(v, digits)) }
	field := s.Field
	if field == "alpha" {
		field = "α"
	}
	a := &s.Answer
	var lines []string
	switch s.Find {
	case search.Edge:
		lines = append(lines, fmt.Sprintf("%s: the stability edge of %s is between %s (converges in %s) and %s (%v).",
			s.Experiment, field, f(a.Best.Value), prose.Count(a.Best.Iterations, "iteration"), f(a.Beyond.Value), a.Beyond.Status))
	case search.Fastest:
		lines = append(lines, fmt.Sprintf("%s: %s converges fastest at %s, in %s (its steps shrink by %s each); bracket [%s, %s].",
			s.Experiment, field, f(a.Best.Value), prose.Count(a.Best.Iterations, "iteration"), f(a.Best.Rate), f(a.Low), f(a.High)))
	case search.LRRange:
		return rangeLines(s, digits)
	}
	reached := "within its precision"
	if !a.Reached {
		reached = "not yet within its precision (the run budget ran out)"
	}
	lines = append(lines, fmt.Sprintf("The bracket is %s wide, relative: %s %s, after %s in %s; the path is in search.csv.",
		experiment.FormatValue(roundTo(a.Width, 2)), reached, experiment.FormatValue(s.Precision), prose.Count(a.Runs, "run"), prose.Count(a.Rounds, "round")))
	if !math.IsNaN(s.Theory) {
		what := "the edge of b3-only descent within its max_iterations and tolerance (closed form)"
		if s.Find == search.Fastest {
			what = "1/(2N), where the first step lands on b3*"
		}
		lines = append(lines, fmt.Sprintf("Theory: %s = %s.", what, f(s.Theory)))
	}
	if !math.IsNaN(s.Limit) {
		lines = append(lines, fmt.Sprintf("Local stability limit 2/λ_max at the final parameters of the run at %s: %s.", f(a.Best.Value), f(s.Limit)))
	}
	return lines
}

// rangeLines says what a learning-rate range test found.
func rangeLines(s *SearchAnswer, digits int) []string {
	r := s.Range
	f := func(v float64) string { return experiment.FormatValue(roundTo(v, digits)) }
	last := r.Points[len(r.Points)-1]
	how := fmt.Sprintf("ran %s, α up to %s", prose.Count(last.Iteration, "iteration"), f(last.Alpha))
	if r.Stopped {
		how = fmt.Sprintf("stopped at iteration %d (α = %s), where the smoothed SSR exceeded %d× its least", last.Iteration, f(last.Alpha), search.RangeStopFactor)
	}
	lines := []string{fmt.Sprintf("%s: the learning-rate range test %s.", s.Experiment, how)}
	if len(r.Suggestions) == 0 {
		return append(lines, r.Note)
	}
	var parts []string
	for _, sg := range r.Suggestions {
		parts = append(parts, fmt.Sprintf("%v %s", sg.Rule, f(sg.Alpha)))
	}
	return append(lines, "Suggested α: "+strings.Join(parts, ", ")+" (lr-range.csv has the schedule).")
}

// roundTo rounds a value to digits significant digits, for reading.
func roundTo(v float64, digits int) float64 {
	if digits <= 0 || v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return r
}

// SearchTerminal shows what searches found on a terminal.
func SearchTerminal(w io.Writer, answers []*SearchAnswer, term Terminal) error {
	p := NewPrinter(w)
	for _, s := range answers {
		p.Printf("\n")
		for _, line := range SearchLines(s, max(term.digits(), 9)) {
			p.Printf("%s\n", term.wrap(line))
		}
	}
	return p.err
}
