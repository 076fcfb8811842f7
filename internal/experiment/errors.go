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

	// onCommandLine says that the problem is with a --set or a --sweep,
	// whose flag Pos.File is.
	onCommandLine bool
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

// UsageError is a problem with the command line rather than with the
// experiment files: a path that names nothing usable (with the experiment
// file it may mean), or a --set or --sweep that cannot apply. The command
// line reports it as a mistake in its usage, with its exit status for
// one.
type UsageError struct {
	// Problems are the problems with the command line, each at the path
	// or the flag it is about.
	Problems ErrorList
	// Files are the problems found in the experiment files named along
	// with them, if any.
	Files ErrorList
}

// Error returns the problems, one per line: those of the command line,
// then those of files.
func (e *UsageError) Error() string {
	return e.all().Error()
}

// Unwrap returns every problem as one ErrorList, for callers that report
// problems of files and of the command line alike.
func (e *UsageError) Unwrap() error {
	return e.all()
}

// all returns every problem, those of the command line first.
func (e *UsageError) all() ErrorList {
	return slices.Concat(e.Problems, e.Files)
}

// splitUsage sorts problems into those of the command line (of paths and
// overrides) and those of files, and returns them as a *UsageError if
// there are any of the first, as an ErrorList otherwise, or nil if there
// are none.
func splitUsage(pathProblems, problems ErrorList) error {
	usage := slices.Clone(pathProblems)
	var files ErrorList
	for _, e := range problems {
		if e.onCommandLine {
			usage = append(usage, e)
		} else {
			files = append(files, e)
		}
	}
	if len(usage) > 0 {
		return &UsageError{Problems: usage, Files: files}
	}
	return files.Err()
}
