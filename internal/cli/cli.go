// Package cli is the runner's command line: it parses commands and flags,
// connects loading, running and writing, and maps failures to exit
// statuses. Main is the whole program; cmd/runner only calls it.
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
	"github.com/descentlab/runner/internal/report"
)

// Exit statuses.
const (
	ExitOK      = 0 // everything ran, every published value holds
	ExitFailure = 1 // a run-time failure (such as I/O) or a published value that does not hold
	ExitUsage   = 2 // bad usage or invalid experiment files; nothing was run or written
)

// resultsFS is the file system results are written on; tests put faults in
// it.
var resultsFS = report.OS

// Defaults of `runner` without arguments.
const (
	DefaultExperiments = "experiments"
	DefaultResults     = "results"
)

const usage = `runner runs gradient-descent experiments declared in YAML files.

Usage:
  runner                      run experiments/ into results/
  runner run [flags] [PATH ...]
                              run the experiments in PATHs (files, or folders
                              of *.yaml/*.yml files; default experiments/)
                              and write results under DIR (default results/)
  runner summarize [-o DIR] [PATH ...]
                              rebuild the summary from the runs' results,
                              after runs in several processes (--shard)
  runner diff [--rtol R] [--atol A] OLD NEW
                              compare two results folders run by run
  runner validate [PATH ...]  check experiment files without running them
  runner help [COMMAND]       show help; every command also takes -h

Exit status: 0 all ran and every published value holds; 1 a run-time
failure, a published value that does not hold, or (for diff) differences;
2 bad usage or invalid experiment files (then nothing is run or written),
or trouble reading the folders diff compares.

See README.md for the experiment file format and the outputs.
`

// Main runs the program with args (without the program's name) and returns
// its exit status. It is the program's only use of the process: tests call
// it with their own writers.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second interrupt stops the process at once
	}()
	err := run(ctx, stdout, stderr, args)
	if err == nil || errors.Is(err, errHelp) {
		return ExitOK
	}
	var list experiment.ErrorList
	if errors.As(err, &list) {
		fmt.Fprintln(stderr, list)
		fmt.Fprintf(stderr, "runner: %s in experiment files; nothing was run or written\n", count(len(list), "problem"))
		return ExitUsage
	}
	fmt.Fprintf(stderr, "runner: %v\n", err)
	var ue usageError
	var te troubleError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "Run 'runner help' for usage.")
		return ExitUsage
	case errors.As(err, &te):
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
type troubleError struct{ msg string }

func (e troubleError) Error() string { return e.msg }

func troublef(format string, args ...any) error {
	return troubleError{fmt.Sprintf(format, args...)}
}

// command is a subcommand. It writes its results to stdout and progress
// to stderr, and returns its errors for Main to report.
type command func(ctx context.Context, stdout, stderr io.Writer, args []string) error

// commands are the subcommands, by name.
var commands = map[string]command{
	"diff":      diffCommand,
	"run":       runCommand,
	"summarize": summarizeCommand,
	"validate":  validateCommand,
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
	}
	cmd, ok := commands[name]
	if !ok {
		if strings.HasPrefix(name, "-") {
			return usagef("flag %s needs a command first, as in: runner run %s", name, strings.Join(args, " "))
		}
		return usagef("unknown command %q; commands are run, summarize, diff, validate and help", name)
	}
	return cmd(ctx, stdout, stderr, rest)
}

// help shows the usage of the program or of one command.
func help(stdout io.Writer, args []string) error {
	if len(args) == 0 {
		_, err := io.WriteString(stdout, usage)
		return err
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usagef("unknown command %q; commands are run, summarize, diff, validate and help", args[0])
	}
	return cmd(context.Background(), stdout, io.Discard, []string{"-h"})
}

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

// loadExperiments parses a command's flags and loads the experiments its
// paths name, experiments/ if none.
func loadExperiments(fs *flag.FlagSet, stdout io.Writer, args []string) ([]*experiment.Experiment, error) {
	paths, err := parseFlags(fs, stdout, args)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		paths = []string{DefaultExperiments}
	}
	return experiment.Load(paths)
}

// errHelp ends a command whose help was asked for; it is not a failure.
var errHelp = errors.New("help shown")

// newFlagSet makes a command's flag set, its errors quiet (Main reports
// them) and its help made of the given text and the flags' defaults.
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
	}
	return fs
}

// count writes n with a noun, plural if needed: "1 problem", "2 problems".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
