// Package cli is the runner's command line: it parses commands and flags,
// shows help, calls the pipeline, prints what it did, and maps failures
// to exit statuses. Main is the whole program; cmd/runner only calls it.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/descentlab/runner/internal/experiment"
	"github.com/descentlab/runner/internal/pipeline"
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/query"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// Exit statuses.
const (
	ExitOK          = 0   // everything ran, every published value holds
	ExitFailure     = 1   // a run-time failure (such as I/O), a published value that does not hold, differences
	ExitUsage       = 2   // bad usage or invalid experiment files; nothing was run or written
	ExitReport      = 3   // the report could not be written whole
	ExitInterrupted = 130 // interrupted (SIGINT or SIGTERM), as shells report it
)

// wrapResults wraps the file system results are written on; tests put
// faults in it.
var wrapResults func(results.FileSystem) results.FileSystem

// Defaults of `runner` without arguments.
const (
	DefaultExperiments = "experiments"
	DefaultResults     = "results"
)

// Main runs the program with args (without the program's name) and returns
// its exit status. It is the program's only use of the process: tests call
// it with their own writers. The first interrupt (SIGINT or SIGTERM) stops
// the command in whatever it is doing, with status 130; a second one stops
// the process at once.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second interrupt stops the process at once
	}()
	err := run(ctx, stdout, stderr, args)
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, errDifferences)) {
		err = pipeline.ErrInterrupted
	}
	return report(stderr, err)
}

// report prints an error as the runner's, in words that name the flags
// involved, and returns its exit status.
func report(stderr io.Writer, err error) int {
	switch {
	case err == nil || errors.Is(err, errHelp):
		return ExitOK
	case errors.Is(err, errDifferences):
		return ExitFailure // the report says what differs
	}
	var cmdline *experiment.UsageError
	var list experiment.ErrorList
	var limits pipeline.LimitErrors
	var ue usageError
	var qe *query.Error
	var te troubleError
	var fe *results.FolderError
	var le *results.LockError
	var oe *results.OverridesError
	switch {
	case errors.As(err, &cmdline): // before ErrorList, which it unwraps to
		fmt.Fprintln(stderr, cmdline)
		fmt.Fprintf(stderr, "runner: %s; nothing was run or written\n", commandLineProblems(cmdline))
		fmt.Fprintln(stderr, "Run 'runner help' for usage.")
		return ExitUsage
	case errors.As(err, &list):
		fmt.Fprintln(stderr, list)
		fmt.Fprintf(stderr, "runner: %s in experiment files; nothing was run or written\n", prose.Count(len(list), "problem"))
		return ExitUsage
	case errors.As(err, &limits):
		for _, l := range limits {
			fmt.Fprintf(stderr, "%v: %s: %s\n", l.Pos, l.Field, l.Words(limitFlagNames[l.Limit]))
		}
		fmt.Fprintf(stderr, "runner: %s the batch could exceed; nothing was run or written\n", prose.Count(len(limits), "limit"))
		return ExitUsage
	case errors.As(err, &fe) && fe.Dir == "":
		fmt.Fprintf(stderr, "runner: -o: %s\n", fe.Problem)
		return ExitUsage
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "runner: -o %s: %s\n", fe.Dir, fe.Problem)
		return ExitUsage
	case errors.As(err, &oe):
		fmt.Fprintf(stderr, "runner: -o %v; write tries elsewhere with -o\n", oe)
		return ExitUsage
	case errors.As(err, &le) && le.Overlap == "":
		fmt.Fprintf(stderr, "runner: %v; wait for it to finish, or write elsewhere with -o\n", le)
		return ExitFailure
	case errors.Is(err, pipeline.ErrInterrupted):
		fmt.Fprintf(stderr, "runner: %v\n", err)
		return ExitInterrupted
	case errors.Is(err, errWriteReport):
		fmt.Fprintf(stderr, "runner: %v\n", err)
		return ExitReport
	}
	fmt.Fprintf(stderr, "runner: %v\n", err)
	switch {
	case errors.As(err, &ue) || errors.As(err, &qe):
		fmt.Fprintln(stderr, "Run 'runner help' for usage.")
		return ExitUsage
	case errors.As(err, &te):
		return ExitUsage
	}
	return ExitFailure
}

// commandLineProblems counts the problems of a command line, apart from
// those of the experiment files named on it: "1 problem with the command
// line", "2 problems with the command line and 1 in experiment files".
func commandLineProblems(e *experiment.UsageError) string {
	s := prose.Count(len(e.Problems), "problem") + " with the command line"
	if len(e.Files) > 0 {
		s += " and " + prose.Thousands(len(e.Files)) + " in experiment files"
	}
	return s
}

// limitFlagNames are the flags that raise each limit of a batch.
var limitFlagNames = map[pipeline.Limit]string{
	pipeline.MaxPoints:          "--max-points",
	pipeline.MaxTraceRows:       "--max-trace-rows",
	pipeline.MaxTotalIterations: "--max-total-iterations",
	pipeline.MaxOutput:          "--max-output",
}

// errWriteReport ends a command whose report could not be written (a full
// disk, a closed pipe): its own exit status, so that a truncated report is
// not taken for a finished one.
var errWriteReport = errors.New("writing the report")

// reportError wraps a failed write of a report.
func reportError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", errWriteReport, err)
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// troubleError is trouble that keeps a command from doing its work at all,
// such as a folder to compare that does not exist: exit status 2, as
// diff(1) has it.
type troubleError struct{ err error }

func (e troubleError) Error() string { return e.err.Error() }
func (e troubleError) Unwrap() error { return e.err }

// command is a subcommand: its name, its line in runner help, and its
// code. It writes its results to stdout and progress to stderr, and
// returns its errors for Main to report.
type command struct {
	name, synopsis, summary string
	run                     func(ctx context.Context, stdout, stderr io.Writer, args []string) error
}

// commands are the subcommands, in the order help lists them.
var commands []command

func init() {
	commands = []command{
		{"run", "run [flags] [PATH ...]", "run experiments (default experiments/) into results/", runCommand},
		{"summarize", "summarize [flags] [PATH ...]", "rebuild the summaries from stored runs, after shards", summarizeCommand},
		{"ls", "ls [flags] [PATH ...]", "list, filter and sort stored runs, here or at git revisions", lsCommand},
		{"show", "show [flags] RUN|EXPERIMENT", "print a run's iterations, from its trace", showCommand},
		{"diff", "diff [flags] [OLD] [NEW]", "compare results: revisions of git, or folders", diffCommand},
		{"validate", "validate [flags] [PATH ...]", "check experiment files without running them", validateCommand},
		{"schema", "schema", "print the JSON Schema of experiment files", schemaCommand},
		{"version", "version", "print the runner's version", versionCommand},
	}
}

// lookup returns the command of a name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandNames lists the commands' names, in order.
func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// run dispatches to a command.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		return runCommand(ctx, stdout, stderr, nil)
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return help(stdout, rest)
	case "-version", "--version":
		return versionCommand(ctx, stdout, stderr, rest)
	}
	cmd, ok := lookup(name)
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("flag %s needs a command first, as in: runner run %s", name, strings.Join(args, " "))
		}
		return usagef("unknown command %q; commands are %s and help", name, strings.Join(commandNames(), ", "))
	}
	return cmd.run(ctx, stdout, stderr, rest)
}

// helpTopic is a topic of runner help besides the commands.
type helpTopic struct {
	name, summary string
	write         func(io.Writer) error
}

// helpTopics are the topics, in the order help lists them.
var helpTopics = []helpTopic{
	{"experiments", "the fields of experiment files, their defaults and limits", render.ExperimentsHelp},
	{"outputs", "the files of a results folder and their columns", render.OutputsHelp},
}

// help shows the usage of the program, of one command, or a topic.
func help(stdout io.Writer, args []string) error {
	if len(args) == 0 {
		return reportError(writeUsage(stdout))
	}
	if len(args) > 1 {
		return usagef("help takes one command or topic; got %q and %q", args[0], args[1])
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		return reportError(writeUsage(stdout))
	default:
		var topics []string
		for _, t := range helpTopics {
			if t.name == name {
				return reportError(t.write(stdout))
			}
			topics = append(topics, t.name)
		}
		cmd, ok := lookup(name)
		if !ok {
			return usagef("no help for %q; ask for a command (%s) or a topic (%s)", name, strings.Join(commandNames(), ", "), strings.Join(topics, ", "))
		}
		return cmd.run(context.Background(), stdout, io.Discard, []string{"-h"})
	}
}

// writeUsage writes the program's usage.
func writeUsage(w io.Writer) error {
	lines := [][2]string{{"", "run experiments/ into results/"}}
	for _, c := range commands {
		lines = append(lines, [2]string{c.synopsis, c.summary})
	}
	lines = append(lines, [2]string{"help [COMMAND]", "show a command's help; every command also takes -h"})
	for _, t := range helpTopics {
		lines = append(lines, [2]string{"help " + t.name, t.summary})
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	var b strings.Builder
	b.WriteString("runner runs gradient-descent experiments declared in YAML files.\n\nUsage:\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "  %-*s  %s\n", len("runner ")+width, strings.TrimSpace("runner "+l[0]), l[1])
	}
	b.WriteString(exitStatuses)
	b.WriteString("Every other command's -h ends with its own exit statuses.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// exitStatuses documents the exit statuses of runner run, in its help
// and the program's.
const exitStatuses = `
Exit status: 0 all ran and every published value holds; 1 a run-time
failure, a published value that does not hold, a status --fail-on names,
or results not up to date (--check); 2 bad usage or invalid experiment
files (then nothing is run or written); 3 the report could not be
written whole; 130 interrupted (the runs finished are kept).
`

// parseFlags parses flags and positional arguments, which may come in any
// order; after "--" everything is positional. With -h it shows the
// command's help on stdout and returns errHelp.
func parseFlags(fs *flag.FlagSet, stdout io.Writer, args []string) ([]string, error) {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			p := render.NewPrinter(stdout)
			fs.SetOutput(p)
			fs.Usage()
			if err := p.Err(); err != nil {
				return nil, reportError(err)
			}
			return nil, errHelp
		}
		if err != nil {
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseNoArguments parses the arguments of a command that takes neither
// flags (but -h) nor arguments.
func parseNoArguments(command, usage string, stdout io.Writer, args []string) error {
	rest, err := parseFlags(newFlagSet(command, usage), stdout, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("%s takes no arguments; got %q", command, rest[0])
	}
	return nil
}

// loadExperiments loads the experiments that paths name, experiments/ if
// none, with the overrides applied to each; without paths and without
// experiments/, it says what to do.
func loadExperiments(paths []string, overrides []experiment.Override) ([]*experiment.Experiment, error) {
	if len(paths) == 0 {
		if _, err := os.Stat(DefaultExperiments); errors.Is(err, os.ErrNotExist) {
			return nil, usagef("nothing to run: there is no %s/ folder here; name experiment files or folders, as in: runner run my-experiment.yaml", DefaultExperiments)
		}
		paths = []string{DefaultExperiments}
	}
	return experiment.LoadWith(paths, overrides)
}

// errHelp ends a command whose help was asked for; it is not a failure.
var errHelp = errors.New("help shown")

// newFlagSet makes a command's flag set, its errors quiet (Main reports
// them) and its help made of the given text, the flags' defaults and, at
// the end, the exit statuses: those the text ends with, from its
// paragraph that starts "Exit status", or else those of runner run.
func newFlagSet(name, text string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		about, statuses, own := strings.Cut(text, "\nExit status")
		if own {
			statuses = "\nExit status" + statuses
		} else {
			statuses = exitStatuses
		}
		fmt.Fprint(fs.Output(), about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
		fmt.Fprint(fs.Output(), statuses)
	}
	return fs
}
