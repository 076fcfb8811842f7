package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/gitfs"
	"github.com/descentlab/runner/internal/query"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

const lsUsage = `Usage: runner ls [flags] [PATH ...]

List the runs stored under DIR (default results/), one line each, from
the experiments' records: nothing is run or computed again, and no trace
is read, so a record edited by hand is listed as it is (runner run
--check and runner diff check records against their traces). PATHs name
the experiments to list (files, or folders of experiment files, as runner
run takes them); without any, every experiment of the results folder.
Experiments the folder does not hold are named, and skipped.

  runner ls                                  every run
  runner ls --where status=diverged          the runs that diverged
  runner ls --sort iterations --limit 5      the five that took the fewest iterations
  runner ls --where 'alpha>=0.1' --columns run,alpha,b3_final --csv
  runner ls --rev HEAD~1 --rev HEAD          two revisions side by side

The columns are those of summary.csv (runner help outputs lists them).
--where COLUMN OP VALUE, with OP one of = != < <= > >=, keeps the runs
that hold it (given several times, every one): numbers compare as
numbers, names and statuses as text, and an empty cell (a value that does
not apply to the run) holds only != a value; COLUMN= keeps the runs whose
cell is empty, COLUMN!= those whose cell is not. --sort takes columns
separated by commas, -COLUMN for descending; empty cells sort last. A
table shows the run and the columns its runs need, as the summaries do,
fitted to the terminal (--wide shows them all); --csv and --json give
every column; --columns names them for any of these.

--rev REV lists the runs of the results folder at a git revision (a
branch, a tag, HEAD~1, a commit), read straight from git's objects as
runner diff reads them: nothing is checked out. --rev A --rev B shows the
runs of both side by side, each changed cell as "old → new", and how each
run changed (added, removed, changed); --where keeps a run that holds it
on either side.

Exit status: 0 listed, also when no run matches; 2 bad usage (such as an
expression that is not one, or an unknown column, with the nearest
suggested) or trouble reading the runs (no results folder, a record that
is not as the runner writes it, not a git repository, an unknown
revision); 3 the list could not be written whole; 130 interrupted.
`

// listFormat is how runner ls writes its list.
type listFormat int

const (
	terminalList listFormat = iota // a table fitted to the terminal
	csvList                        // CSV, every column unless chosen
	jsonList                       // JSON, every column unless chosen
	markdownList                   // a Markdown table
)

// forReading reports whether the format is read by people, and shows the
// columns the runs need unless others are chosen.
func (f listFormat) forReading() bool {
	return f == terminalList || f == markdownList
}

// listing is what runner ls is asked for: which runs, and how to write
// them.
type listing struct {
	query query.Query
	// columns are the columns chosen with --columns, nil for the
	// format's default.
	columns  []int
	format   listFormat
	terminal render.Terminal
}

// stringsFlag is a flag that may be given several times.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, " ") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// lsOptions are the flags of runner ls.
type lsOptions struct {
	out           string
	where, revs   stringsFlag
	sort, columns string
	limit         int
	csv, json, md bool
	terminal      terminalFlags
}

// add defines the flags.
func (o *lsOptions) add(fs *flag.FlagSet) {
	fs.StringVar(&o.out, "o", DefaultResults, "the results folder `DIR`, in the work tree and at revisions")
	fs.Var(&o.where, "where", "list the runs that hold `EXPR`, COLUMN OP VALUE such as status=diverged or alpha>=0.1; repeatable")
	fs.StringVar(&o.sort, "sort", "", "sort by `COLUMNS`, separated by commas, each -COLUMN for descending")
	fs.IntVar(&o.limit, "limit", 0, "list at most `N` runs, the first after sorting (0: all)")
	fs.StringVar(&o.columns, "columns", "", "show the `COLUMNS` named, separated by commas, in that order")
	fs.BoolVar(&o.csv, "csv", false, "write CSV")
	fs.BoolVar(&o.json, "json", false, "write JSON: an object per run, numbers as numbers")
	fs.BoolVar(&o.md, "md", false, "write a GitHub-flavoured Markdown table")
	fs.Var(&o.revs, "rev", "list the runs at git revision `REV`; twice, two revisions side by side")
	o.terminal.add(fs)
}

// listingOf checks the flags and parses the question they ask, before
// anything is read: a question the columns cannot answer is a usage
// error.
func (o *lsOptions) listingOf(stdout io.Writer) (*listing, error) {
	switch {
	case btoi(o.csv)+btoi(o.json)+btoi(o.md) > 1:
		return nil, usagef("-csv, -json and -md contradict each other; give one")
	case o.limit < 0:
		return nil, usagef("-limit: must be at least 0 (0 lists every run), got %d", o.limit)
	case len(o.revs) > 2:
		return nil, usagef("-rev: give one revision to list, or two to compare; got %d", len(o.revs))
	}
	if err := o.terminal.check(); err != nil {
		return nil, err
	}
	l := &listing{format: terminalList, terminal: o.terminal.of(stdout)}
	switch {
	case o.csv:
		l.format = csvList
	case o.json:
		l.format = jsonList
	case o.md:
		l.format = markdownList
	}
	columns := &query.Table{Columns: query.SummaryColumns()} // what the question is parsed for
	for _, expr := range o.where {
		c, err := query.ParseCondition("--where", expr, columns)
		if err != nil {
			return nil, err
		}
		l.query.Where = append(l.query.Where, c)
	}
	var err error
	if o.sort != "" {
		if l.query.Order, err = query.ParseOrder("--sort", o.sort, columns); err != nil {
			return nil, err
		}
	}
	if o.columns != "" {
		if l.columns, err = query.ParseColumns("--columns", o.columns, columns); err != nil {
			return nil, err
		}
	}
	l.query.Limit = o.limit
	return l, nil
}

// btoi counts a flag given.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lsCommand is runner ls.
func lsCommand(_ context.Context, stdout, stderr io.Writer, args []string) error {
	var o lsOptions
	fs := newFlagSet("ls", lsUsage)
	o.add(fs)
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return err
	}
	l, err := o.listingOf(stdout)
	if err != nil {
		return err
	}
	names, err := experimentNames(paths)
	if err != nil {
		return err
	}
	r := &resolver{out: o.out}
	defer r.close()
	sides, err := r.listSides(o.revs)
	if err != nil {
		return troubleError{err}
	}
	tables := make([]*query.Table, len(sides))
	for i, side := range sides {
		if tables[i], err = side.read(names); err != nil {
			return troubleError{err}
		}
	}
	if missing := unstored(names, sides); len(missing) > 0 {
		if len(missing) == len(names) {
			return troubleError{errors.New(notStored(missing[0], sides))}
		}
		for _, name := range missing {
			fmt.Fprintf(stderr, "runner: %s; listing the others\n", notStored(name, sides))
		}
	}
	if len(sides) > 1 {
		c, err := query.Compare(tables[0], tables[1], results.ColRun.String(), sides[0].name, sides[1].name)
		if err != nil {
			return err
		}
		return reportError(l.writeComparison(stdout, c))
	}
	return reportError(l.writeList(stdout, tables[0]))
}

// experimentNames returns the names of the experiments that paths
// declare, in order, each once; nil if there are no paths, for every
// experiment.
func experimentNames(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	exps, err := experiment.Load(paths)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range exps {
		if !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
	}
	return names, nil
}

// listSide is a results folder runner ls reads: the work tree's, or one
// at a git revision.
type listSide struct {
	// name is how the list names it: the folder, or the revision.
	name string
	fsys fs.FS
	// experiments are the experiments it holds.
	experiments []string
}

// openResults opens the results folder dir to read it, and says what to
// do if there is none.
func openResults(dir string) (fs.FS, func(), error) {
	fsys, closeFS, err := results.OpenFS(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, noResults(dir)
	}
	return fsys, closeFS, err
}

// lacksResults reports whether err, of reading the results folder dir,
// is that there is no such folder.
func lacksResults(err error, dir string) bool {
	_, statErr := os.Stat(dir)
	return errors.Is(err, fs.ErrNotExist) && errors.Is(statErr, fs.ErrNotExist)
}

// noResults says that there is no results folder dir, and what to do.
func noResults(dir string) error {
	return fmt.Errorf("there is no results folder %s here; run runner run first, or name the folder with -o", dir)
}

// listSides opens the results folders to list: the work tree's, or those
// at the revisions given.
func (r *resolver) listSides(revs []string) ([]*listSide, error) {
	if len(revs) == 0 {
		fsys, closeFS, err := openResults(r.out)
		if err != nil {
			return nil, err
		}
		r.closers = append(r.closers, closeFS)
		return []*listSide{{name: r.out, fsys: fsys}}, nil
	}
	var sides []*listSide
	for _, rev := range revs {
		commit, err := r.resolve(rev)
		switch {
		case errors.Is(r.repoErr, gitfs.ErrNotRepository):
			return nil, fmt.Errorf("-rev %s: this is not a git repository", rev)
		case err != nil:
			return nil, fmt.Errorf("-rev %s: %v", rev, err)
		}
		src, err := r.folderAt(rev, commit)
		if err != nil {
			return nil, err
		}
		sides = append(sides, &listSide{name: rev, fsys: src.FS})
	}
	return sides, nil
}

// read reads the runs of the named experiments that the folder holds
// (every experiment if names is nil), in order, each experiment's in the
// order of its records.
func (s *listSide) read(names []string) (*query.Table, error) {
	top, err := results.ReadFolder(s.fsys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	s.experiments = top.Experiments
	if names == nil {
		names = top.SortedExperiments()
	}
	var recs []results.Record
	for _, name := range names {
		if !slices.Contains(top.Experiments, name) {
			continue
		}
		m, err := results.ReadManifest(s.fsys, name)
		if err == nil {
			err = results.ReadRecords(s.fsys, m, func(r *results.Record) error {
				recs = append(recs, *r)
				return nil
			})
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return query.Records(recs), nil
}

// unstored returns the named experiments that no side holds.
func unstored(names []string, sides []*listSide) []string {
	var missing []string
	for _, name := range names {
		if !slices.ContainsFunc(sides, func(s *listSide) bool { return slices.Contains(s.experiments, name) }) {
			missing = append(missing, name)
		}
	}
	return missing
}

// notStored says that no side holds an experiment.
func notStored(name string, sides []*listSide) string {
	if len(sides) == 1 {
		return fmt.Sprintf("%s holds no experiment %s (run it first)", sides[0].name, name)
	}
	return fmt.Sprintf("neither %s nor %s holds the experiment %s", sides[0].name, sides[1].name, name)
}

// writeList writes the runs of t that the listing asks for.
func (l *listing) writeList(w io.Writer, t *query.Table) error {
	rows := l.query.Rows(t)
	return writeListed(l, w, rows, []*query.Table{rows}, render.ListMarkdown, render.ListTerminal)
}

// writeComparison writes the pairs of runs of c that the listing asks
// for, side by side.
func (l *listing) writeComparison(w io.Writer, c *query.Comparison) error {
	c = l.query.ApplyComparison(c)
	before, after := c.Sides()
	return writeListed(l, w, c, []*query.Table{before, after}, render.ComparisonMarkdown, render.ComparisonTerminal)
}

// listed is what ls writes: a list of runs, or two lists side by side.
type listed[T any] interface {
	Select(columns []int) T
	WriteCSV(io.Writer) error
	WriteJSON(io.Writer) error
}

// writeListed writes x in the listing's format: its columns, or for the
// formats people read the columns the runs of tables need; as CSV, JSON,
// Markdown (md) or a terminal table (term).
func writeListed[T listed[T]](l *listing, w io.Writer, x T, tables []*query.Table,
	md func(io.Writer, T, int) error, term func(io.Writer, T, render.Terminal) error) error {
	columns := l.columns
	if columns == nil && l.format.forReading() {
		columns = render.ListColumns(tables...)
	}
	if columns != nil {
		x = x.Select(columns)
	}
	switch l.format {
	case csvList:
		return x.WriteCSV(w)
	case jsonList:
		return x.WriteJSON(w)
	case markdownList:
		return md(w, x, l.terminal.Digits)
	}
	return term(w, x, l.terminal)
}
