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
	"github.com/descentlab/runner/internal/prose"
	"github.com/descentlab/runner/internal/render"
	"github.com/descentlab/runner/internal/results"
)

// Exit statuses.
const (
	ExitOK      = 0 // everything ran, every published value holds
	ExitFailure = 1 // a run-time failure (such as I/O), a published value that does not hold, differences
	ExitUsage   = 2 // bad usage or invalid experiment files; nothing was run or written
)

// resultsFS is the file system results are written on; tests put faults in
// it.
var resultsFS = results.OS

// Defaults of `runner` without arguments.
const (
	DefaultExperiments = "experiments"
	DefaultResults     = "results"
)

// Main runs the program with args (without the program's name) and returns
// its exit status. It is the program's only use of the process: tests call
// it with their own writers. The first interrupt (SIGINT or SIGTERM) stops
// the command in whatever it is doing, with status 1; a second one stops
// the process at once.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second interrupt stops the process at once
	}()
	err := run(ctx, stdout, stderr, args)
	if err == nil && ctx.Err() != nil {
		err = errors.New("interrupted")
	}
	return report(stderr, err)
}

// report prints an error as the runner's, and returns its exit status.
func report(stderr io.Writer, err error) int {
	switch {
	case err == nil || errors.Is(err, errHelp):
		return ExitOK
	case errors.Is(err, errDifferences):
		return ExitFailure // the report says what differs
	}
	var list experiment.ErrorList
	if errors.As(err, &list) {
		fmt.Fprintln(stderr, list)
		fmt.Fprintf(stderr, "runner: %s in experiment files; nothing was run or written\n", prose.Count(len(list), "problem"))
		return ExitUsage
	}
	fmt.Fprintf(stderr, "runner: %v\n", err)
	var ue usageError
	var te troubleError
	var fe *results.FolderError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "Run 'runner help' for usage.")
		return ExitUsage
	case errors.As(err, &te), errors.As(err, &fe):
		return ExitUsage
	}
	return ExitFailure
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

// command is a subcommand. It writes its results to stdout and progress
// to stderr, and returns its errors for Main to report.
type command struct {
	run func(ctx context.Context, stdout, stderr io.Writer, args []string) error
	// synopsis and summary are its line in runner help.
	synopsis, summary string
}

// commands are the subcommands, by name.
var commands map[string]command

func init() {
	commands = map[string]command{
		"run":       {runCommand, "run [flags] [PATH ...]", "run experiments (default experiments/) into results/"},
		"summarize": {summarizeCommand, "summarize [flags] [PATH ...]", "rebuild the summaries from stored runs, after shards"},
		"show":      {showCommand, "show [flags] RUN", "print a run's iterations, from its trace"},
		"diff":      {diffCommand, "diff [flags] [OLD] [NEW]", "compare results: revisions of git, or folders"},
		"validate":  {validateCommand, "validate [flags] [PATH ...]", "check experiment files without running them"},
		"schema":    {schemaCommand, "schema", "print the JSON Schema of experiment files"},
		"version":   {versionCommand, "version", "print the runner's version"},
	}
}

// commandNames lists the commands in the order help shows them.
var commandNames = []string{"run", "summarize", "show", "diff", "validate", "schema", "version"}

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
	cmd, ok := commands[name]
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("flag %s needs a command first, as in: runner run %s", name, strings.Join(args, " "))
		}
		return usagef("unknown command %q; commands are %s and help", name, strings.Join(commandNames, ", "))
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
		return writeUsage(stdout)
	}
	if len(args) > 1 {
		return usagef("help takes one command or topic; got %q and %q", args[0], args[1])
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		return writeUsage(stdout)
	default:
		var topics []string
		for _, t := range helpTopics {
			if t.name == name {
				return t.write(stdout)
			}
			topics = append(topics, t.name)
		}
		cmd, ok := commands[name]
		if !ok {
			return usagef("no help for %q; ask for a command (%s) or a topic (%s)", name, strings.Join(commandNames, ", "), strings.Join(topics, ", "))
		}
		return cmd.run(context.Background(), stdout, io.Discard, []string{"-h"})
	}
}

// writeUsage writes the program's usage.
func writeUsage(w io.Writer) error {
	lines := [][2]string{{"", "run experiments/ into results/"}}
	for _, name := range commandNames {
		lines = append(lines, [2]string{commands[name].synopsis, commands[name].summary})
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
	_, err := io.WriteString(w, b.String())
	return err
}

// exitStatuses documents the exit statuses, in every command's help.
const exitStatuses = `
Exit status: 0 all ran and every published value holds; 1 a run-time
failure, a published value that does not hold, a status --fail-on names,
results not up to date (--check), or differences (diff); 2 bad usage or
invalid experiment files (then nothing is run or written), or trouble
reading what diff compares.
`

// parseFlags parses flags and positional arguments, which may come in any
// order; after "--" everything is positional. With -h it shows the
// command's help on stdout and returns errHelp.
func parseFlags(fs *flag.FlagSet, stdout io.Writer, args []string) ([]string, error) {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
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
// none; without paths and without experiments/, it says what to do.
func loadExperiments(paths []string) ([]*experiment.Experiment, error) {
	if len(paths) == 0 {
		if _, err := os.Stat(DefaultExperiments); errors.Is(err, os.ErrNotExist) {
			return nil, usagef("nothing to run: there is no %s/ folder here; name experiment files or folders, as in: runner run my-experiment.yaml", DefaultExperiments)
		}
		paths = []string{DefaultExperiments}
	}
	return experiment.Load(paths)
}

// errHelp ends a command whose help was asked for; it is not a failure.
var errHelp = errors.New("help shown")

// newFlagSet makes a command's flag set, its errors quiet (Main reports
// them) and its help made of the given text, the flags' defaults and the
// exit statuses.
func newFlagSet(name, text string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), text)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
		if !strings.Contains(text, "\nExit status") { // or the command has its own
			fmt.Fprint(fs.Output(), exitStatuses)
		}
	}
	return fs
}
