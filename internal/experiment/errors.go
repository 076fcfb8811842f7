package experiment

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Position is a place in an experiment file. Line and Column count from 1;
// zero means unknown (a problem with a whole file has neither).
type Position struct {
	File         string
	Line, Column int
}

// String returns the position as "file:line:column", leaving out what is
// unknown.
func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is one problem with an experiment file.
type Error struct {
	Pos Position
	// Field is the path of the offending field, such as "alpha",
	// "weights.w1" or "data[2].x" (list items count from 1). It is empty for
	// problems with a whole file or document.
	Field string
	Msg   string
}

// Error returns the problem as "file:line:column: field: message".
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%v: %s: %s", e.Pos, e.Field, e.Msg)
}

// ErrorList is every problem found in a set of experiment files.
type ErrorList []*Error

// Error returns one problem per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns l as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// sortByPosition orders problems within one file by line and column,
// keeping the order of problems found at the same place.
func (l ErrorList) sortByPosition() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
}
