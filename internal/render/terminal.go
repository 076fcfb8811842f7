package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/prose"
)

// ANSI colours, for terminals only.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

// painter returns the function that colours a table cell on this
// terminal: statuses, and published values that do not hold. It returns
// nil if the terminal has no colour.
func (t Terminal) painter() func(string) string {
	if !t.Color {
		return nil
	}
	return func(cell string) string {
		switch {
		case cell == "converged":
			return green + cell + reset
		case cell == "max-iterations":
			return yellow + cell + reset
		case cell == "diverged", strings.HasPrefix(cell, "NO"):
			return red + cell + reset
		}
		return cell
	}
}

// paintWords colours a sentence about a run on a terminal with colour:
// how it ended, and published values that do not hold.
func paintWords(sentence string, paint func(string) string) string {
	if paint == nil {
		return sentence
	}
	switch {
	case strings.Contains(sentence, "not hold"):
		return red + sentence + reset
	case strings.HasPrefix(sentence, "Converged"):
		return green + "Converged" + reset + strings.TrimPrefix(sentence, "Converged")
	case strings.HasPrefix(sentence, "Stopped"):
		return yellow + "Stopped" + reset + strings.TrimPrefix(sentence, "Stopped")
	case strings.HasPrefix(sentence, "Diverged"):
		return red + "Diverged" + reset + strings.TrimPrefix(sentence, "Diverged")
	}
	return sentence
}

// fit leaves out columns of a table until it fits the terminal's width:
// those named in order first (least needed first), then from the right,
// keeping the first keep columns. It returns the table, and a note naming
// the columns left out ("" if none).
func (t Terminal) fit(tab *table, keep int, order ...string) (*table, string) {
	if t.Width <= 0 || t.Wide || tab.width(boxed) <= t.Width {
		return tab, ""
	}
	var dropped []string
	for tab.width(boxed) > t.Width && len(tab.header) > keep+1 {
		col := len(tab.header) - 1
		for _, name := range order {
			if i := slices.Index(tab.header, name); i >= keep {
				col = i
				break
			}
		}
		dropped = append(dropped, tab.header[col])
		tab = tab.without(col)
	}
	note := fmt.Sprintf("(%s left out to fit %d columns: %s; --wide shows every column)",
		prose.Count(len(dropped), "column"), t.Width, strings.Join(dropped, ", "))
	return tab, t.wrap(note)
}

// Wrap fills a paragraph to the terminal's width, if it has one.
func (t Terminal) Wrap(paragraph string) string {
	return t.wrap(paragraph)
}

// wrap fills a paragraph to the terminal's width, if it has one.
func (t Terminal) wrap(paragraph string) string {
	if t.Width <= 0 {
		return paragraph
	}
	return wrap(paragraph, t.Width, "")
}

// without returns the table without column i.
func (t *table) without(i int) *table {
	out := &table{header: slices.Delete(slices.Clone(t.header), i, i+1), align: slices.Delete(slices.Clone(t.align), i, i+1)}
	for _, row := range t.rows {
		out.rows = append(out.rows, slices.Delete(slices.Clone(row), i, i+1))
	}
	return out
}
